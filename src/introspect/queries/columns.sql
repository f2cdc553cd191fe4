-- Columns of tables that are not partitions (a partition's columns are its
-- parent's), table by table in attnum order. Identity columns carry their
-- sequence's options (the sequence depends on the column with deptype 'i').
-- Comments and identity sequences are joined (not looked up per column).
WITH identity_seq AS MATERIALIZED (
    SELECT dep.refobjid AS relid, dep.refobjsubid AS attnum,
           format_type(s.seqtypid, NULL) AS data_type, s.seqstart, s.seqincrement,
           s.seqmin, s.seqmax, s.seqcache, s.seqcycle
    FROM pg_sequence s
    JOIN pg_depend dep ON dep.classid = 'pg_class'::regclass AND dep.objid = s.seqrelid
                      AND dep.refclassid = 'pg_class'::regclass AND dep.deptype = 'i'
)
SELECT n.nspname::text AS schema,
       c.relname::text AS table_name,
       a.attname::text AS name,
       format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, 0) END AS default_expr,
       CASE WHEN a.attgenerated = 's' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS generated_expr,
       a.attidentity::text AS identity,
       CASE WHEN a.attcollation <> t.typcollation THEN co.collname::text END AS collation,
       idseq.data_type AS identity_type,
       idseq.seqstart AS identity_start,
       idseq.seqincrement AS identity_increment,
       idseq.seqmin AS identity_min,
       idseq.seqmax AS identity_max,
       idseq.seqcache AS identity_cache,
       idseq.seqcycle AS identity_cycle,
       d.description AS comment
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> t.typcollation
LEFT JOIN identity_seq idseq ON idseq.relid = a.attrelid AND idseq.attnum = a.attnum
LEFT JOIN pg_description d ON d.objoid = a.attrelid AND d.classoid = 'pg_class'::regclass
                          AND d.objsubid = a.attnum
WHERE c.relkind IN ('r', 'p')
  AND {shard:c.oid}
  AND NOT c.relispartition
  AND a.attnum > 0
  AND NOT a.attisdropped
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
-- Columns in attnum order within each table (the order of tables does not
-- matter, and oids sort faster than names).
ORDER BY a.attrelid, a.attnum
