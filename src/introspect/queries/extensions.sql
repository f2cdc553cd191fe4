-- Installed extensions (plpgsql is part of every database and is left out).
SELECT e.extname::text AS name,
       n.nspname::text AS schema,
       e.extversion AS version
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname <> 'plpgsql'
ORDER BY 1
