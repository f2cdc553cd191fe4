-- Indexes of tables and materialized views, except those backing a
-- constraint (PRIMARY KEY, UNIQUE, EXCLUDE) and those attached to a
-- parent's partitioned index (relispartition: they are created by the
-- parent's). INVALID indexes (indisvalid or indisready false: a failed or
-- interrupted CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY, one still
-- being built, or a partitioned index some partition has no index for)
-- are read and marked `invalid`: the database cannot use them, so a plan
-- rebuilds the ones the schema wants.
--
-- Most indexes are described by the catalog's columns, without deparsing:
-- key positions, operator classes, collations and sort options from
-- pg_index, the method from pg_am, storage parameters from reloptions; the
-- client names the keys from the columns query and checks that each
-- operator class is the default for its column's exact type, and only the
-- predicate is deparsed here. `pg_get_indexdef` (a dozen catalog lookups
-- per index in a fresh session) is called for the indexes the client could
-- not describe that way: expression keys, a non-default operator class,
-- materialized views and partitions (whose columns are not read), and for
-- every index when {deparse_all} is true (the reference the built
-- definitions are tested against). The client asks for the remaining ones
-- (an operator class that is the default only for a binary-coercible type,
-- such as text_ops on varchar) in a second query.
SELECT n.nspname::text AS schema,
       c.relname::text AS table_name,
       ic.relname::text AS name,
       i.indexrelid AS oid,
       am.amname::text AS method,
       i.indisunique AS is_unique,
       NOT (i.indisvalid AND i.indisready) AS invalid,
       {indnullsnotdistinct} AS nulls_not_distinct,
       i.indnkeyatts::int4 AS key_count,
       i.indkey::int2[] AS positions,
       i.indclass::oid[] AS opclasses,
       i.indcollation::oid[] AS collations,
       i.indoption::int2[] AS options,
       CASE WHEN NOT x.deparse AND i.indpred IS NOT NULL
            THEN pg_get_expr(i.indpred, i.indrelid) END AS predicate,
       CASE WHEN x.deparse THEN pg_get_indexdef(i.indexrelid) END AS definition,
       ic.reloptions::text[] AS storage,
       ts.spcname::text AS tablespace,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = i.indexrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0) AS comment
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = ic.relam
LEFT JOIN pg_tablespace ts ON ts.oid = ic.reltablespace
CROSS JOIN LATERAL (
    -- The list of default operator classes is computed once (an InitPlan).
    SELECT {deparse_all} OR i.indexprs IS NOT NULL OR c.relispartition OR c.relkind = 'm'
           OR NOT (i.indclass::oid[] <@ (SELECT array_agg(opc.oid) FROM pg_opclass opc
                                         WHERE opc.opcdefault)) AS deparse
) x
WHERE c.relkind IN ('r', 'p', 'm')
  AND {shard:c.oid}
  AND NOT ic.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
  -- Hashed NOT IN lists rather than anti-joins: their cost does not depend
  -- on the planner's (often stale) catalog statistics.
  AND i.indexrelid NOT IN (SELECT con.conindid FROM pg_constraint con
                           WHERE con.contype IN ('p', 'u', 'x'))
  AND i.indexrelid NOT IN (SELECT dep.objid FROM pg_depend dep
                           WHERE dep.refclassid = 'pg_extension'::regclass
                             AND dep.classid = 'pg_class'::regclass
                             AND dep.deptype = 'e')
