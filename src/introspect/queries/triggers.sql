-- User triggers on tables (internal ones, such as FK triggers, and those a
-- partition inherits from its parent, tgparentid <> 0, are left out).
-- tgtype bits: 1 ROW, 2 BEFORE, 4 INSERT, 8 DELETE, 16 UPDATE, 32 TRUNCATE,
-- 64 INSTEAD.
SELECT n.nspname::text AS schema,
       c.relname::text AS table_name,
       t.tgname::text AS name,
       t.tgtype::int4 AS tgtype,
       ARRAY(SELECT a.attname::text
             FROM unnest(t.tgattr::int2[]) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = k.attnum
             ORDER BY k.ord) AS update_columns,
       t.tgnargs::int4 AS nargs,
       t.tgargs AS args,
       pg_get_triggerdef(t.oid, true) AS definition,
       fn.nspname::text AS function_schema,
       p.proname::text AS function_name,
       t.tgconstraint <> 0 AS is_constraint,
       t.tgdeferrable AS deferrable,
       t.tginitdeferred AS initially_deferred,
       t.tgoldtable::text AS old_table,
       t.tgnewtable::text AS new_table,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = t.oid AND d.classoid = 'pg_trigger'::regclass AND d.objsubid = 0) AS comment
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_proc p ON p.oid = t.tgfoid
JOIN pg_namespace fn ON fn.oid = p.pronamespace
WHERE NOT t.tgisinternal
  AND t.tgparentid = 0
  AND c.relkind IN ('r', 'p')
  AND {shard:c.oid}
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
ORDER BY 1, 2, 3
