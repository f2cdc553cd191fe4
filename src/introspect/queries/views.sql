-- Views and materialized views: the query as pg_get_viewdef prints it,
-- reloptions (security_barrier, check_option, ...) and the relations the
-- view's rewrite rule depends on, and its output columns. pg_get_viewdef (like pg_get_ruledef)
-- takes AccessShareLock on the view and on every relation it reads
-- (AcquireRewriteLocks in ruleutils.c); see the module doc.
SELECT n.nspname::text AS schema,
       c.relname::text AS name,
       c.relkind = 'm' AS materialized,
       pg_get_viewdef(c.oid, true) AS query,
       c.reloptions::text[] AS options,
       deps.dep_schemas,
       cols.out_names,
       cols.out_types,
       deps.dep_names,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0) AS comment
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL (
    SELECT array_agg(x.nspname ORDER BY x.nspname, x.relname) AS dep_schemas,
           array_agg(x.relname ORDER BY x.nspname, x.relname) AS dep_names
    FROM (SELECT DISTINCT rn.nspname::text AS nspname, rc.relname::text AS relname
          FROM pg_rewrite rw
          JOIN pg_depend dep
            ON dep.classid = 'pg_rewrite'::regclass AND dep.objid = rw.oid
           AND dep.refclassid = 'pg_class'::regclass AND dep.deptype = 'n'
          JOIN pg_class rc ON rc.oid = dep.refobjid
          JOIN pg_namespace rn ON rn.oid = rc.relnamespace
          WHERE rw.ev_class = c.oid AND dep.refobjid <> c.oid
            AND rn.nspname NOT IN ('pg_catalog', 'information_schema')) x
) deps ON true
LEFT JOIN LATERAL (
    -- The output columns, for CREATE OR REPLACE VIEW (same names, types
    -- and collations, new ones last).
    SELECT array_agg(a.attname::text ORDER BY a.attnum) AS out_names,
           array_agg(format_type(a.atttypid, a.atttypmod)
                     || CASE WHEN a.attcollation <> t.typcollation
                             THEN ' COLLATE ' || a.attcollation::regcollation::text
                             ELSE '' END
                     ORDER BY a.attnum) AS out_types
    FROM pg_attribute a
    JOIN pg_type t ON t.oid = a.atttypid
    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
) cols ON true
WHERE c.relkind IN ('v', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend dep
                  WHERE dep.classid = 'pg_class'::regclass AND dep.objid = c.oid
                    AND dep.deptype = 'e')
ORDER BY 1, 2
