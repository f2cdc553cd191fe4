-- Table constraints declared on the table itself (with whether they are
-- validated: `convalidated`, false after ADD ... NOT VALID or a VALIDATE
-- that failed): constraints a partition
-- inherits (conislocal false, or cloned from the parent: conparentid <> 0)
-- are left out. Columns are read from conkey/confkey, INCLUDE columns from
-- the backing index. The client names the columns of tables whose columns
-- it reads (every table that is not a partition) from their positions;
-- only positions on partitions are resolved here.
WITH con AS MATERIALIZED (
    SELECT con.oid, con.conname, con.contype, con.condeferrable, con.condeferred,
           con.connoinherit, con.convalidated, con.conrelid, con.confrelid, con.conkey, con.confkey,
           con.confupdtype, con.confdeltype, con.confmatchtype, con.conbin,
           i.indkey::int2[] AS indkey, i.indnkeyatts, {indnullsnotdistinct} AS nulls_not_distinct,
           n.nspname, c.relname, c.relispartition AS on_partition,
           coalesce((SELECT r.relispartition FROM pg_class r WHERE r.oid = con.confrelid),
                    false) AS ref_on_partition
    FROM pg_constraint con
    JOIN pg_class c ON c.oid = con.conrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_index i ON con.contype IN ('p', 'u') AND i.indexrelid = con.conindid
    WHERE con.contype IN ('p', 'u', 'c', 'f', 'x')
      AND con.conislocal
      AND con.conparentid = 0
      AND c.relkind IN ('r', 'p')
      AND {shard:c.oid}
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
), key_columns AS (
    SELECT k.oid,
           array_agg(a.attname::text ORDER BY k.ord) FILTER (WHERE k.side = 'key') AS columns,
           array_agg(a.attname::text ORDER BY k.ord) FILTER (WHERE k.side = 'include') AS include,
           array_agg(a.attname::text ORDER BY k.ord) FILTER (WHERE k.side = 'ref') AS ref_columns
    FROM (
        SELECT con.oid, con.conrelid AS relid, 'key' AS side, u.attnum, u.ord
        FROM con, unnest(con.conkey) WITH ORDINALITY u(attnum, ord)
        WHERE con.on_partition
        UNION ALL
        SELECT con.oid, con.conrelid, 'include', u.attnum, u.ord
        FROM con, unnest(con.indkey) WITH ORDINALITY u(attnum, ord)
        WHERE con.on_partition AND u.ord > con.indnkeyatts
        UNION ALL
        SELECT con.oid, con.confrelid, 'ref', u.attnum, u.ord
        FROM con, unnest(con.confkey) WITH ORDINALITY u(attnum, ord)
        WHERE con.ref_on_partition
    ) k
    -- LATERAL with LIMIT (which keeps it from being flattened into a join):
    -- one index probe per key column, never a hash of all of pg_attribute
    -- (which the planner picks when it misjudges the counts).
    JOIN LATERAL (SELECT att.attname FROM pg_attribute att
                  WHERE att.attrelid = k.relid AND att.attnum = k.attnum
                  LIMIT 1) a ON true
    GROUP BY k.oid
)
SELECT con.nspname::text AS schema,
       con.relname::text AS table_name,
       con.conname::text AS name,
       con.contype::text AS kind,
       con.condeferrable AS deferrable,
       con.condeferred AS initially_deferred,
       con.connoinherit AS no_inherit,
       NOT con.convalidated AS not_valid,
       CASE WHEN con.on_partition THEN coalesce(kc.columns, '{}') END AS columns,
       con.conkey AS column_positions,
       CASE WHEN con.on_partition THEN coalesce(kc.include, '{}') END AS include,
       con.indkey::int2[] AS index_positions,
       con.indnkeyatts::int4 AS index_key_count,
       con.nulls_not_distinct,
       rn.nspname::text AS ref_schema,
       rc.relname::text AS ref_table,
       CASE WHEN con.ref_on_partition THEN coalesce(kc.ref_columns, '{}') END AS ref_columns,
       con.confkey AS ref_positions,
       con.confupdtype::text AS on_update,
       con.confdeltype::text AS on_delete,
       con.confmatchtype::text AS match_type,
       CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid) END AS check_expr,
       CASE WHEN con.contype = 'x' THEN pg_get_constraintdef(con.oid) END AS definition,
       d.description AS comment
FROM con
LEFT JOIN key_columns kc ON kc.oid = con.oid
LEFT JOIN pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_description d ON d.objoid = con.oid AND d.classoid = 'pg_constraint'::regclass
                          AND d.objsubid = 0
