-- Domains: base type, collation when not the base type's, default, NOT NULL
-- and CHECK constraints (contype 'c' only: PostgreSQL 17 also records
-- NOT NULL as a constraint row).
SELECT n.nspname::text AS schema,
       t.typname::text AS name,
       format_type(t.typbasetype, t.typtypmod) AS base,
       t.typnotnull AS not_null,
       pg_get_expr(t.typdefaultbin, 0) AS default_expr,
       CASE WHEN t.typcollation <> bt.typcollation THEN (SELECT CASE WHEN cn.nspname IN ('pg_catalog', 'public') THEN '' ELSE cn.nspname || E'\x1f' END FROM pg_namespace cn WHERE cn.oid = co.collnamespace) || co.collname::text END AS collation,
       ARRAY(SELECT con.conname::text FROM pg_constraint con
             WHERE con.contypid = t.oid AND con.contype = 'c'
             ORDER BY con.conname) AS check_names,
       ARRAY(SELECT pg_get_expr(con.conbin, 0) FROM pg_constraint con
             WHERE con.contypid = t.oid AND con.contype = 'c'
             ORDER BY con.conname) AS check_exprs,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0) AS comment
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_type bt ON bt.oid = t.typbasetype
LEFT JOIN pg_collation co ON co.oid = t.typcollation
WHERE t.typtype = 'd'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend dep
                  WHERE dep.classid = 'pg_type'::regclass AND dep.objid = t.oid
                    AND dep.deptype = 'e')
ORDER BY 1, 2
