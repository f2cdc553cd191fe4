-- Default privileges (ALTER DEFAULT PRIVILEGES): one row per entry of the
-- ACL of every pg_default_acl row, without the role's own entries in a
-- global row (its full ACL holds the owner's privileges, which are not
-- modelled; a per-schema row holds only what was granted, the role's own
-- grants included). A row left with no entry gives one row with a NULL
-- privilege.
-- grantee NULL is PUBLIC; schema NULL is a global entry; is_current marks
-- the role this session runs as. kind is defaclobjtype: r tables,
-- S sequences, f functions, T types, n schemas; one last row of kind '-'
-- names the role this session runs as, entries or not.
SELECT pg_get_userbyid(d.defaclrole)::text AS role,
       d.defaclrole = (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user) AS is_current,
       n.nspname::text AS schema,
       d.defaclobjtype::text AS kind,
       e.grantee, e.privilege_type, e.is_grantable
FROM pg_default_acl d
LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
LEFT JOIN LATERAL (
    SELECT CASE WHEN x.grantee = 0 THEN NULL ELSE pg_get_userbyid(x.grantee)::text END AS grantee,
           x.privilege_type::text AS privilege_type,
           x.is_grantable
    FROM aclexplode(d.defaclacl) x
    WHERE x.grantee <> d.defaclrole OR d.defaclnamespace <> 0
) e ON true
UNION ALL
SELECT current_user::text, true, NULL, '-', NULL, NULL, NULL
ORDER BY 1, 3, 4
