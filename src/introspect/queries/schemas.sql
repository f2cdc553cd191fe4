-- Schemas other than public and the system schemas, with their comments.
SELECT n.nspname::text AS name,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = n.oid AND d.classoid = 'pg_namespace'::regclass AND d.objsubid = 0) AS comment
FROM pg_namespace n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'public')
  AND n.nspname !~ '^pg_toast'
  AND n.nspname !~ '^pg_temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend dep
                  WHERE dep.classid = 'pg_namespace'::regclass AND dep.objid = n.oid
                    AND dep.deptype = 'e')
ORDER BY 1
