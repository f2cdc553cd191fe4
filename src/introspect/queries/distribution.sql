-- Citus distribution metadata (only run when the citus extension exists).
-- partmethod 'h' = hash-distributed, 'n' with repmodel 't' = reference.
-- Partitions are left out: Citus distributes them with their parent (a
-- partition cannot be distributed on its own), so the parent's
-- distribution says all. colocation_params: what Citus's 'default'
-- colocation matches a group by (column type and collation, shard count,
-- replication factor), as text.
SELECT n.nspname::text AS schema,
       c.relname::text AS name,
       p.partmethod::text AS partmethod,
       CASE WHEN p.partmethod = 'h'
            THEN column_to_column_name(p.logicalrelid, p.partkey) END AS dist_column,
       p.colocationid::int8 AS colocation_id,
       p.repmodel::text AS repmodel,
       (SELECT count(*) FROM pg_dist_shard s WHERE s.logicalrelid = p.logicalrelid) AS shard_count,
       coalesce((to_jsonb(co) - 'colocationid')::text, '') AS colocation_params
FROM pg_dist_partition p
LEFT JOIN pg_dist_colocation co ON co.colocationid = p.colocationid
JOIN pg_class c ON c.oid = p.logicalrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT c.relispartition
ORDER BY 1, 2
