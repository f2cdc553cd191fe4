-- Table inheritance (INHERITS), not partitioning: one row per child and
-- parent, in the child's parent order (inhseqno).
SELECT n.nspname::text AS schema,
       c.relname::text AS name,
       pn.nspname::text AS parent_schema,
       pc.relname::text AS parent_name
FROM pg_inherits inh
JOIN pg_class c ON c.oid = inh.inhrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class pc ON pc.oid = inh.inhparent
JOIN pg_namespace pn ON pn.oid = pc.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND NOT c.relispartition
  AND pc.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
ORDER BY 1, 2, inh.inhseqno
