-- Extended statistics objects (pg_statistic_ext) of tables, with their
-- definition as pg_get_statisticsobjdef prints it (PostgreSQL 13 to 17)
-- and the statistics target (-1 or, from PostgreSQL 17, NULL: the default).
SELECT n.nspname::text AS table_schema,
       c.relname::text AS table_name,
       pg_get_statisticsobjdef(s.oid) AS definition,
       s.stxstattarget::int4 AS target
FROM pg_statistic_ext s
JOIN pg_class c ON c.oid = s.stxrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
ORDER BY 1, 2, s.stxname
