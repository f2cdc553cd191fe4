-- Estimated rows (reltuples) and total size (pg_total_relation_size:
-- indexes and TOAST included) of the named tables; a partitioned table
-- sums its leaves. $1 and $2 are parallel arrays of schema and table names.
-- Rows are NULL when unknown: reltuples is -1 on PostgreSQL 14+ for a table
-- never vacuumed or analysed (for a partitioned table: any such leaf).
SELECT n.nspname::text, c.relname::text,
       CASE WHEN c.relkind = 'p' THEN
              (SELECT CASE WHEN bool_or(leaf.reltuples < 0) THEN NULL
                           ELSE COALESCE(sum(leaf.reltuples), 0) END
               FROM pg_partition_tree(c.oid) tree
               JOIN pg_class leaf ON leaf.oid = tree.relid
               WHERE tree.isleaf)
            WHEN c.reltuples < 0 THEN NULL
            ELSE c.reltuples END::int8,
       CASE WHEN c.relkind = 'p' THEN
              (SELECT COALESCE(sum(pg_total_relation_size(tree.relid)), 0)
               FROM pg_partition_tree(c.oid) tree WHERE tree.isleaf)
            ELSE pg_total_relation_size(c.oid) END::int8
FROM unnest($1::text[], $2::text[]) AS wanted(schema_name, table_name)
JOIN pg_namespace n ON n.nspname = wanted.schema_name
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = wanted.table_name
WHERE c.relkind IN ('r', 'p', 'm')
