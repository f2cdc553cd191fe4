-- What the client needs to describe index keys from pg_index's columns:
-- each default operator class with the exact type it is the default for,
-- and the name of every collation (outside pg_catalog and public prefixed
-- with its schema and a unit separator, E'\x1f': model::Collation::from_catalog).
SELECT 'opclass' AS kind, opc.oid, opc.opcintype AS type_oid, NULL::text AS name
FROM pg_opclass opc
WHERE opc.opcdefault
UNION ALL
SELECT 'collation', co.oid, 0::oid, (SELECT CASE WHEN cn.nspname IN ('pg_catalog', 'public') THEN '' ELSE cn.nspname || E'\x1f' END FROM pg_namespace cn WHERE cn.oid = co.collnamespace) || co.collname::text
FROM pg_collation co
