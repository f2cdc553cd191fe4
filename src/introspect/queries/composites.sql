-- Composite types declared with CREATE TYPE ... AS (...) (typtype 'c' whose
-- relation has relkind 'c'; tables' and views' row types are left out):
-- attributes in attnum order, each with its collation when it is not the
-- attribute type's default.
SELECT n.nspname::text AS schema,
       t.typname::text AS name,
       ARRAY(SELECT a.attname::text FROM pg_attribute a
             WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum) AS attribute_names,
       ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
             WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum) AS attribute_types,
       ARRAY(SELECT CASE WHEN a.attcollation <> at.typcollation THEN
                        (SELECT (SELECT CASE WHEN cn.nspname IN ('pg_catalog', 'public') THEN '' ELSE cn.nspname || E'\x1f' END FROM pg_namespace cn WHERE cn.oid = co.collnamespace) || co.collname::text FROM pg_collation co
                         WHERE co.oid = a.attcollation) END
             FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
             WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum) AS attribute_collations,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0) AS comment
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_class c ON c.oid = t.typrelid
WHERE t.typtype = 'c'
  AND c.relkind = 'c'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend dep
                  WHERE dep.classid = 'pg_type'::regclass AND dep.objid = t.oid
                    AND dep.deptype = 'e')
ORDER BY 1, 2
