-- INVALID indexes (a failed or still running CREATE INDEX CONCURRENTLY)
-- outside the system schemas, as (schema, table, index).
SELECT n.nspname::text, t.relname::text, ic.relname::text
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE NOT i.indisvalid
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1, 2, 3
