-- Indexes of tables and materialized views, except those backing a
-- constraint (PRIMARY KEY, UNIQUE, EXCLUDE) and those attached to a
-- parent's partitioned index (relispartition: they are created by the
-- parent's). INVALID indexes (indisvalid false: a failed CREATE INDEX
-- CONCURRENTLY, or one still being built) are not indexes the database can
-- use, so they are not read: the Model does not hold them and a plan
-- creates them anew.
--
-- Most indexes are built from the catalog's columns, without deparsing:
-- key columns, sort options and collations from indkey/indoption/
-- indcollation, the method from pg_am, storage parameters from
-- reloptions, and only the predicate deparsed. `pg_get_indexdef` (which
-- costs a dozen catalog lookups per index in a fresh session) is called
-- only for indexes with expression keys or with an operator class that is
-- not the exact default for its column's type, and for every index when
-- {deparse_all} is true (the reference the built definitions are tested
-- against).
WITH idx AS MATERIALIZED (
    SELECT i.indexrelid, i.indrelid, i.indnkeyatts, i.indisunique,
           {indnullsnotdistinct} AS nulls_not_distinct,
           i.indexprs IS NULL AS column_keys, i.indpred IS NOT NULL AS has_predicate,
           i.indkey::int2[] AS indkey, i.indclass::oid[] AS indclass,
           i.indcollation::oid[] AS indcollation, i.indoption::int2[] AS indoption,
           n.nspname, c.relname, ic.relname AS index_name, ic.relam, ic.reloptions,
           ic.reltablespace
    FROM pg_index i
    JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_class c ON c.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'm')
      AND {shard:c.oid}
      AND i.indisvalid
      AND NOT ic.relispartition
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
      -- Hashed NOT IN lists rather than anti-joins: their cost does not
      -- depend on the planner's (often stale) catalog statistics.
      AND i.indexrelid NOT IN (SELECT con.conindid FROM pg_constraint con
                               WHERE con.contype IN ('p', 'u', 'x'))
      AND i.indexrelid NOT IN (SELECT dep.objid FROM pg_depend dep
                               WHERE dep.refclassid = 'pg_extension'::regclass
                                 AND dep.classid = 'pg_class'::regclass
                                 AND dep.deptype = 'e')
), keys AS (
    SELECT k.indexrelid,
           array_agg(a.attname::text ORDER BY k.ord) AS columns,
           array_agg(k.opt ORDER BY k.ord) AS options,
           array_agg(co.collname::text ORDER BY k.ord) AS collations,
           bool_and(k.ord > k.indnkeyatts
                    OR (opc.opcdefault AND opc.opcintype = a.atttypid)) AS default_opclasses
    FROM (SELECT idx.indexrelid, idx.indrelid, idx.indnkeyatts, u.*
          FROM idx, unnest(idx.indkey, idx.indclass, idx.indcollation, idx.indoption)
                    WITH ORDINALITY u(attnum, opclass, coll, opt, ord)) k
    -- LATERAL with LIMIT (which keeps it from being flattened into a join):
    -- one index probe per key column, never a hash of all of pg_attribute
    -- (which the planner picks when it misjudges the counts).
    LEFT JOIN LATERAL (SELECT att.attname, att.atttypid, att.attcollation
                       FROM pg_attribute att
                       WHERE att.attrelid = k.indrelid AND att.attnum = k.attnum
                       LIMIT 1) a ON true
    LEFT JOIN pg_opclass opc ON opc.oid = k.opclass
    -- pg_get_indexdef prints a key's collation only when it differs from
    -- its column's.
    LEFT JOIN pg_collation co ON co.oid = k.coll AND k.coll <> a.attcollation
    GROUP BY k.indexrelid
), described AS (
    SELECT idx.*, keys.columns, keys.options, keys.collations,
           {deparse_all} OR NOT (idx.column_keys AND keys.default_opclasses) AS deparse
    FROM idx JOIN keys ON keys.indexrelid = idx.indexrelid
)
SELECT x.nspname::text AS schema,
       x.relname::text AS table_name,
       x.index_name::text AS name,
       am.amname::text AS method,
       x.indisunique AS is_unique,
       x.nulls_not_distinct,
       x.indnkeyatts::int4 AS key_count,
       x.columns,
       x.options::int2[] AS options,
       x.collations,
       CASE WHEN NOT x.deparse AND x.has_predicate
            THEN pg_get_expr(i.indpred, i.indrelid) END AS predicate,
       CASE WHEN x.deparse THEN pg_get_indexdef(x.indexrelid) END AS definition,
       x.reloptions::text[] AS storage,
       ts.spcname::text AS tablespace,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = x.indexrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0) AS comment
FROM described x
JOIN pg_index i ON i.indexrelid = x.indexrelid
JOIN pg_am am ON am.oid = x.relam
LEFT JOIN pg_tablespace ts ON ts.oid = x.reltablespace
