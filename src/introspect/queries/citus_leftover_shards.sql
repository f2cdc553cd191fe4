-- Shard tables of this node that Citus has yet to drop (only run when the
-- citus extension exists): after create_distributed_table_concurrently, a
-- shard move or split, the old placements wait in pg_dist_cleanup for
-- Citus's deferred cleanup and are visible meanwhile. They are not user
-- tables. object_type 1 is a shard placement.
--
-- Matched by name within the introspection snapshot, never with
-- to_regclass(): that looks the name up in the catalog as it is now, so
-- when Citus drops the shard (and then its record) between the snapshot
-- and this query, the shard the snapshot still lists would not be found
-- here and would be planned as a DROP TABLE.
SELECT n.nspname::text AS schema,
       c.relname::text AS name
FROM pg_dist_cleanup d
CROSS JOIN LATERAL parse_ident(d.object_name, false) AS p(parts)
JOIN pg_namespace n ON n.nspname = p.parts[1]
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = p.parts[2]
WHERE d.object_type = 1
  AND cardinality(p.parts) = 2
  AND d.node_group_id = (SELECT groupid FROM pg_dist_local_group)
ORDER BY 1, 2
