-- What the client needs to describe index keys from pg_index's columns:
-- each default operator class with the exact type it is the default for,
-- and the name of every collation.
SELECT 'opclass' AS kind, opc.oid, opc.opcintype AS type_oid, NULL::text AS name
FROM pg_opclass opc
WHERE opc.opcdefault
UNION ALL
SELECT 'collation', co.oid, 0::oid, co.collname::text
FROM pg_collation co
