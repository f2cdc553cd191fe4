-- Functions and procedures (aggregates and window functions excluded):
-- identity argument types, every argument with its mode, name and type,
-- defaults, result, language, body and attributes.
SELECT n.nspname::text AS schema,
       p.proname::text AS name,
       p.prokind::text AS kind,
       ARRAY(SELECT format_type(a.oid, NULL)
             FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY a(oid, ord)
             ORDER BY a.ord) AS identity_types,
       ARRAY(SELECT format_type(a.oid, NULL)
             FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY a(oid, ord)
             ORDER BY a.ord) AS arg_types,
       p.proargmodes::text[] AS arg_modes,
       p.proargnames::text[] AS arg_names,
       pg_get_expr(p.proargdefaults, 0) AS arg_defaults,
       CASE WHEN p.prokind <> 'p' THEN pg_get_function_result(p.oid) END AS returns,
       l.lanname::text AS language,
       p.prosrc AS body,
       {sqlbody} AS sql_body,
       p.provolatile::text AS volatility,
       p.proisstrict AS strict,
       p.prosecdef AS security_definer,
       p.proparallel::text AS parallel,
       p.proconfig AS config,
       p.procost::text AS cost,
       p.prorows::text AS rows,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass AND d.objsubid = 0) AS comment
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE p.prokind IN ('f', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend dep
                  WHERE dep.classid = 'pg_proc'::regclass AND dep.objid = p.oid
                    AND dep.deptype = 'e')
ORDER BY 1, 2, 4
