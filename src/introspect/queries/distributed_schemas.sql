-- Citus schema-based sharding (Citus 12+, only run when the citus
-- extension exists and has pg_dist_schema): the distributed schemas. Their
-- tables are single-shard tables of the schema's colocation group
-- (pg_dist_partition: partmethod 'n', repmodel 's'), read as plain tables.
SELECT n.nspname::text AS name,
       s.colocationid::int8 AS colocation_id
FROM pg_dist_schema s
JOIN pg_namespace n ON n.oid = s.schemaid
ORDER BY 1
