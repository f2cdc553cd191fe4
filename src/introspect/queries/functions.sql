-- Functions, procedures and aggregates (window functions excluded):
-- identity argument types, every argument with its mode, name and type,
-- defaults, result, language, body and attributes; for an aggregate, its
-- pg_aggregate row (support functions as [schema, name], operators as
-- [schema, symbol], types in format_type spelling). pg_aggregate has had
-- these columns since PostgreSQL 11.
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
        WHERE d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass AND d.objsubid = 0) AS comment,
       ag.aggkind::text AS agg_kind,
       ag.aggnumdirectargs::int4 AS agg_direct_args,
       (SELECT ARRAY[fn.nspname::text, f.proname::text] FROM pg_proc f
        JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = ag.aggtransfn) AS agg_sfunc,
       (SELECT ARRAY[fn.nspname::text, f.proname::text] FROM pg_proc f
        JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = ag.aggfinalfn) AS agg_finalfunc,
       (SELECT ARRAY[fn.nspname::text, f.proname::text] FROM pg_proc f
        JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = ag.aggcombinefn) AS agg_combinefunc,
       (SELECT ARRAY[fn.nspname::text, f.proname::text] FROM pg_proc f
        JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = ag.aggserialfn) AS agg_serialfunc,
       (SELECT ARRAY[fn.nspname::text, f.proname::text] FROM pg_proc f
        JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = ag.aggdeserialfn) AS agg_deserialfunc,
       (SELECT ARRAY[fn.nspname::text, f.proname::text] FROM pg_proc f
        JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = ag.aggmtransfn) AS agg_msfunc,
       (SELECT ARRAY[fn.nspname::text, f.proname::text] FROM pg_proc f
        JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = ag.aggminvtransfn) AS agg_minvfunc,
       (SELECT ARRAY[fn.nspname::text, f.proname::text] FROM pg_proc f
        JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = ag.aggmfinalfn) AS agg_mfinalfunc,
       ag.aggfinalextra AS agg_finalfunc_extra,
       ag.aggfinalmodify::text AS agg_finalfunc_modify,
       ag.aggmfinalextra AS agg_mfinalfunc_extra,
       ag.aggmfinalmodify::text AS agg_mfinalfunc_modify,
       (SELECT ARRAY[opn.nspname::text, o.oprname::text] FROM pg_operator o
        JOIN pg_namespace opn ON opn.oid = o.oprnamespace WHERE o.oid = ag.aggsortop) AS agg_sortop,
       CASE WHEN ag.aggfnoid IS NOT NULL THEN format_type(ag.aggtranstype, NULL) END AS agg_stype,
       ag.aggtransspace::int4 AS agg_sspace,
       CASE WHEN ag.aggmtranstype <> 0 THEN format_type(ag.aggmtranstype, NULL) END AS agg_mstype,
       ag.aggmtransspace::int4 AS agg_msspace,
       ag.agginitval AS agg_initcond,
       ag.aggminitval AS agg_minitcond
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
LEFT JOIN pg_aggregate ag ON ag.aggfnoid = p.oid
WHERE p.prokind IN ('f', 'p', 'a')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend dep
                  WHERE dep.classid = 'pg_proc'::regclass AND dep.objid = p.oid
                    AND dep.deptype = 'e')
ORDER BY 1, 2, 4
