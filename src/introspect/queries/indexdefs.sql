-- The definitions of the indexes (oids in $1) whose keys the catalog
-- columns did not describe.
SELECT x.oid, pg_get_indexdef(x.oid) AS definition
FROM unnest($1::oid[]) x(oid)
