-- Rewrite rules (pg_rewrite) of tables, with their definition as
-- pg_get_ruledef prints it (as pg_dump does, PostgreSQL 13 to 17), the
-- relations the rule names besides its table (pg_depend, as for views) and
-- the comment. A view's `_RETURN` rule is the view itself, and rules on
-- views are not modelled: only tables and partitioned tables.
SELECT n.nspname::text AS schema,
       c.relname::text AS table_name,
       r.rulename::text AS name,
       pg_get_ruledef(r.oid) AS definition,
       r.ev_enabled::text AS enabled,
       deps.dep_schemas,
       deps.dep_names,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = r.oid AND d.classoid = 'pg_rewrite'::regclass AND d.objsubid = 0) AS comment
FROM pg_rewrite r
JOIN pg_class c ON c.oid = r.ev_class
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL (
    SELECT array_agg(x.nspname ORDER BY x.nspname, x.relname) AS dep_schemas,
           array_agg(x.relname ORDER BY x.nspname, x.relname) AS dep_names
    FROM (SELECT DISTINCT rn.nspname::text AS nspname, rc.relname::text AS relname
          FROM pg_depend dep
          JOIN pg_class rc ON rc.oid = dep.refobjid
          JOIN pg_namespace rn ON rn.oid = rc.relnamespace
          WHERE dep.classid = 'pg_rewrite'::regclass AND dep.objid = r.oid
            AND dep.refclassid = 'pg_class'::regclass AND dep.deptype = 'n'
            AND dep.refobjid <> c.oid
            AND rn.nspname NOT IN ('pg_catalog', 'information_schema')) x
) deps ON true
WHERE c.relkind IN ('r', 'p')
  AND r.rulename <> '_RETURN'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
ORDER BY 1, 2, 3
