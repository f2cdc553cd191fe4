-- Privileges and owners: one row per entry of the ACL of every schema,
-- relation (tables, partitions, views, materialized views, sequences,
-- foreign tables), function or procedure, and enum, domain or composite
-- type, without the owner's own entries (the owner is not modelled). An
-- object whose ACL is NULL (the kind's default) or holds only the
-- owner's entries gives one row with a NULL privilege; has_acl tells
-- the two apart. grantee NULL is PUBLIC.
WITH acls AS (
    SELECT 'schema'::text AS kind, n.nspname::text AS schema, n.nspname::text AS name,
           NULL::text[] AS arg_types, n.nspacl AS acl, n.nspowner AS owner
    FROM pg_namespace n
    UNION ALL
    SELECT CASE WHEN c.relkind = 'S' THEN 'sequence' ELSE 'table' END,
           n.nspname::text, c.relname::text, NULL::text[], c.relacl, c.relowner
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    UNION ALL
    SELECT 'function', n.nspname::text, p.proname::text,
           ARRAY(SELECT format_type(a.oid, NULL)
                 FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY a(oid, ord)
                 ORDER BY a.ord),
           p.proacl, p.proowner
    FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prokind IN ('f', 'p', 'a')
    UNION ALL
    SELECT 'type', n.nspname::text, t.typname::text, NULL::text[], t.typacl, t.typowner
    FROM pg_type t
    JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE t.typtype IN ('e', 'd')
       OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c
                                       WHERE c.oid = t.typrelid AND c.relkind = 'c'))
)
SELECT a.kind, a.schema, a.name, a.arg_types,
       a.acl IS NOT NULL AS has_acl,
       pg_get_userbyid(a.owner)::text AS owner,
       e.grantee, e.privilege_type, e.is_grantable
FROM acls a
LEFT JOIN LATERAL (
    SELECT CASE WHEN x.grantee = 0 THEN NULL ELSE pg_get_userbyid(x.grantee)::text END AS grantee,
           x.privilege_type::text AS privilege_type,
           x.is_grantable
    FROM aclexplode(a.acl) x
    WHERE x.grantee <> a.owner
) e ON true
WHERE a.schema NOT IN ('pg_catalog', 'information_schema')
  AND a.schema !~ '^pg_toast' AND a.schema !~ '^pg_temp_'
ORDER BY 1, 2, 3
