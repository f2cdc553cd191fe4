-- Columns of tables that are not partitions (a partition's columns are its
-- parent's). Rows come in no guaranteed order: `position` (attnum) orders
-- them within their table. Identity columns carry their sequence's options
-- (the sequence depends on the column with deptype 'i').
--
-- Every lookup is an index probe gated on the catalog saying there is
-- something to find (atthasdef, attidentity, a table with column comments),
-- so the cost follows what the columns use, not the number of columns
-- times the number of lookups, whatever the planner's catalog statistics.
SELECT n.nspname::text AS schema,
       c.relname::text AS table_name,
       a.attnum AS position,
       a.attname::text AS name,
       format_type(a.atttypid, a.atttypmod) AS type,
       a.atttypid AS type_oid,
       a.attcollation AS collation_oid,
       a.attnotnull AS not_null,
       -- A DEFAULT cannot reference columns, so it is deparsed without the
       -- relation (relid 0): deparsing against a relation opens it.
       CASE WHEN a.atthasdef AND a.attgenerated = '' THEN
           (SELECT pg_get_expr(ad.adbin, 0) FROM pg_attrdef ad
            WHERE ad.adrelid = a.attrelid AND ad.adnum = a.attnum) END AS default_expr,
       CASE WHEN a.atthasdef AND a.attgenerated = 's' THEN
           (SELECT pg_get_expr(ad.adbin, ad.adrelid) FROM pg_attrdef ad
            WHERE ad.adrelid = a.attrelid AND ad.adnum = a.attnum) END AS generated_expr,
       a.attidentity::text AS identity,
       CASE WHEN a.attcollation <> t.typcollation THEN
           (SELECT (SELECT CASE WHEN cn.nspname IN ('pg_catalog', 'public') THEN '' ELSE cn.nspname || E'\x1f' END FROM pg_namespace cn WHERE cn.oid = co.collnamespace) || co.collname::text FROM pg_collation co WHERE co.oid = a.attcollation) END AS collation,
       idseq.data_type AS identity_type,
       idseq.seqstart AS identity_start,
       idseq.seqincrement AS identity_increment,
       idseq.seqmin AS identity_min,
       idseq.seqmax AS identity_max,
       idseq.seqcache AS identity_cache,
       idseq.seqcycle AS identity_cycle,
       CASE WHEN cc.any THEN
           (SELECT d.description FROM pg_description d
            WHERE d.objoid = a.attrelid AND d.classoid = 'pg_class'::regclass
              AND d.objsubid = a.attnum) END AS comment
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL (
    SELECT true AS any FROM pg_description d
    WHERE d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid > 0
    LIMIT 1
) cc ON true
JOIN pg_attribute a ON a.attrelid = c.oid
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN LATERAL (
    SELECT format_type(s.seqtypid, NULL) AS data_type, s.seqstart, s.seqincrement,
           s.seqmin, s.seqmax, s.seqcache, s.seqcycle
    FROM pg_depend dep
    JOIN pg_sequence s ON s.seqrelid = dep.objid
    WHERE a.attidentity <> ''
      AND dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
      AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum AND dep.deptype = 'i'
    LIMIT 1
) idseq ON true
WHERE c.relkind IN ('r', 'p')
  AND {shard:c.oid}
  AND NOT c.relispartition
  AND a.attnum > 0
  AND NOT a.attisdropped
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
