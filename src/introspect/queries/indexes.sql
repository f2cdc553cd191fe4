-- Indexes of tables and materialized views, except those backing a
-- constraint (PRIMARY KEY, UNIQUE, EXCLUDE) and those attached to a
-- parent's partitioned index (they are created by the parent's).
-- INVALID indexes (indisvalid false: a failed CREATE INDEX CONCURRENTLY,
-- or one still being built) are not indexes the database can use, so they
-- are not read: the Model does not hold them and a plan creates them anew.
SELECT n.nspname::text AS schema,
       c.relname::text AS table_name,
       ic.relname::text AS name,
       pg_get_indexdef(i.indexrelid) AS definition,
       ts.spcname::text AS tablespace,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = i.indexrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0) AS comment
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_tablespace ts ON ts.oid = ic.reltablespace
WHERE c.relkind IN ('r', 'p', 'm')
  AND i.indisvalid
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                  WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                    AND con.contype IN ('p', 'u', 'x'))
  AND NOT EXISTS (SELECT 1 FROM pg_inherits inh WHERE inh.inhrelid = i.indexrelid)
  AND NOT EXISTS (SELECT 1 FROM pg_depend dep
                  WHERE dep.classid = 'pg_class'::regclass AND dep.objid = i.indexrelid
                    AND dep.deptype = 'e')
ORDER BY 1, 2, 3
