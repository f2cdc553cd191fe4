-- Tables and partitioned tables: persistence, row-level security,
-- storage parameters (the table's and its TOAST table's), partition key
-- (parents) and parent and bound (partitions).
SELECT n.nspname::text AS schema,
       c.relname::text AS name,
       c.relpersistence = 'u' AS unlogged,
       c.relrowsecurity AS rls_enabled,
       c.relforcerowsecurity AS rls_forced,
       c.reloptions::text[] AS options,
       (SELECT t.reloptions::text[] FROM pg_class t WHERE t.oid = c.reltoastrelid) AS toast_options,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
       pn.nspname::text AS parent_schema,
       pc.relname::text AS parent_name,
       -- A bound holds only constants: deparsed without the relation (relid 0),
       -- which spares opening every partition (and building its relcache
       -- entry) as deparsing against a relation does.
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, 0) END AS partition_bound,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0) AS comment
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_inherits inh ON c.relispartition AND inh.inhrelid = c.oid
LEFT JOIN pg_class pc ON pc.oid = inh.inhparent
LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND {shard:c.oid}
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
  -- A hashed NOT IN list rather than an anti-join: its cost does not
  -- depend on the planner's (often stale) catalog statistics.
  AND c.oid NOT IN (SELECT dep.objid FROM pg_depend dep
                    WHERE dep.refclassid = 'pg_extension'::regclass
                      AND dep.classid = 'pg_class'::regclass
                      AND dep.deptype = 'e')
ORDER BY 1, 2
