-- Shard tables of this node that Citus has yet to drop (only run when the
-- citus extension exists): after create_distributed_table_concurrently, a
-- shard move or split, the old placements wait in pg_dist_cleanup for
-- Citus's deferred cleanup and are visible meanwhile. They are not user
-- tables. object_type 1 is a shard placement.
SELECT n.nspname::text AS schema,
       c.relname::text AS name
FROM pg_dist_cleanup d
JOIN pg_class c ON c.oid = to_regclass(d.object_name)
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE d.object_type = 1
  AND d.node_group_id = (SELECT groupid FROM pg_dist_local_group)
ORDER BY 1, 2
