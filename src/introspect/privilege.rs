//! Privileges: the non-default ACLs of the objects already introspected,
//! and their owners (`Model::owners`, outside equality).
//!
//! Invariants: entries whose grantee is the object's owner are left out
//! (the query does it; the owner is not modelled, see
//! [`crate::model::privilege`]); an ACL equal to the kind's default is no
//! entry ([`Model::set_acl`]), so a NULL ACL and a spelled-out default
//! compare equal; only objects the Model holds get privileges, so what
//! the filter, the extension and system exclusions leave out stays out.

use super::{catalog_type, get, IntrospectError};
use crate::model::privilege::{Acl, AclKind};
use crate::model::{
    AclTarget, DefaultAclKey, FunctionId, Grantee, Ident, Model, Privilege, QualifiedName,
};
use std::collections::BTreeMap;
use tokio_postgres::Row;

pub(super) const PRIVILEGES: &str = include_str!("queries/privileges.sql");
pub(super) const DEFAULT_PRIVILEGES: &str = include_str!("queries/default_privileges.sql");

pub(crate) fn introspect_privileges(
    rows: Vec<Row>,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    const KIND: &str = "privileges";
    let mut acls: BTreeMap<AclTarget, Acl> = BTreeMap::new();
    for row in rows {
        let kind: String = get(&row, KIND, "kind")?;
        let schema: String = get(&row, KIND, "schema")?;
        let name: String = get(&row, KIND, "name")?;
        let qualified = || QualifiedName::new(schema.clone(), name.clone());
        let target = match kind.as_str() {
            "schema" => AclTarget::Schema(Ident::new(name.clone())),
            "table" => AclTarget::Table(qualified()),
            "sequence" => AclTarget::Sequence(qualified()),
            "type" => AclTarget::Type(qualified()),
            "function" => {
                let arg_types: Vec<String> = get(&row, KIND, "arg_types")?;
                AclTarget::Function(FunctionId {
                    name: qualified(),
                    arg_types: arg_types.iter().map(|ty| catalog_type(ty)).collect(),
                })
            }
            other => {
                return Err(IntrospectError::Row {
                    object_kind: KIND,
                    message: format!("unknown kind {other}"),
                })
            }
        };
        if !model.has_acl_target(&target) {
            continue;
        }
        let owner: String = get(&row, KIND, "owner")?;
        model.owners.0.insert(target.clone(), Ident::new(owner));
        let has_acl: bool = get(&row, KIND, "has_acl")?;
        if !has_acl {
            continue;
        }
        let acl = acls.entry(target).or_default();
        if let Some((entry, grantable)) = acl_entry(&row, KIND)? {
            acl.insert(entry, grantable);
        }
    }
    for (target, mut acl) in acls {
        if target.kind() == AclKind::Table {
            fold_maintain(&mut acl);
        }
        model.set_acl(target, acl);
    }
    Ok(())
}

/// `pg_default_acl` -> `Model::default_privileges`, and the role the
/// catalog is read as (`Model::connected_role`), whose entries are keyed
/// `None` (the role schemac runs as).
pub(crate) fn introspect_default_privileges(
    rows: Vec<Row>,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    const KIND: &str = "default privileges";
    let mut entries: BTreeMap<DefaultAclKey, Acl> = BTreeMap::new();
    for row in rows {
        let role: String = get(&row, KIND, "role")?;
        let is_current: bool = get(&row, KIND, "is_current")?;
        if is_current {
            model.connected_role.0 = Some(Ident::new(role.clone()));
        }
        let kind = match get::<String>(&row, KIND, "kind")?.as_str() {
            // Only names the session's role.
            "-" => continue,
            "r" => AclKind::Table,
            "S" => AclKind::Sequence,
            "f" => AclKind::Function,
            "T" => AclKind::Type,
            "n" => AclKind::Schema,
            // A kind this schemac does not know (a newer server's, e.g.
            // large objects): left out rather than misread.
            _ => continue,
        };
        let key = DefaultAclKey {
            role: (!is_current).then(|| Ident::new(role)),
            schema: get::<Option<String>>(&row, KIND, "schema")?.map(Ident::new),
            kind,
        };
        let acl = entries.entry(key).or_default();
        if let Some((entry, grantable)) = acl_entry(&row, KIND)? {
            acl.insert(entry, grantable);
        }
    }
    for (key, mut acl) in entries {
        if key.kind == AclKind::Table {
            fold_maintain(&mut acl);
        }
        model.set_default_acl_entry(key, acl);
    }
    Ok(())
}

/// The ACL entry of a row (`grantee`, `privilege_type`, `is_grantable`):
/// `None` for a row without one, or with a privilege this schemac does
/// not know (a newer server's), left out rather than misread.
#[allow(clippy::type_complexity)]
fn acl_entry(
    row: &Row,
    kind: &'static str,
) -> Result<Option<((Grantee, Privilege), bool)>, IntrospectError> {
    let Some(privilege) = get::<Option<String>>(row, kind, "privilege_type")? else {
        return Ok(None);
    };
    let Some(privilege) = Privilege::parse(&privilege) else {
        return Ok(None);
    };
    let grantee = match get::<Option<String>>(row, kind, "grantee")? {
        Some(role) => Grantee::Role(Ident::new(role)),
        None => Grantee::Public,
    };
    let grantable: bool = get(row, kind, "is_grantable")?;
    Ok(Some(((grantee, privilege), grantable)))
}

/// PostgreSQL 17's `GRANT ALL` on a table also grants MAINTAIN, which
/// schemac's `ALL` (PostgreSQL 13 to 16) does not name: a grantee holding
/// every other table privilege with the same grant option got MAINTAIN
/// from `ALL`, and it is left out so the file's `GRANT ALL` matches.
fn fold_maintain(acl: &mut Acl) {
    let grantees: Vec<(Grantee, bool)> = acl
        .iter()
        .filter(|((_, privilege), _)| *privilege == Privilege::Maintain)
        .map(|((grantee, _), grantable)| (grantee.clone(), *grantable))
        .collect();
    for (grantee, grantable) in grantees {
        let from_all = AclKind::Table
            .all_privileges()
            .iter()
            .all(|privilege| acl.get(&(grantee.clone(), *privilege)) == Some(&grantable));
        if from_all {
            acl.remove(&(grantee, Privilege::Maintain));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fold_maintain;
    use crate::model::privilege::{Acl, AclKind};
    use crate::model::{Grantee, Ident, Privilege};

    #[test]
    fn maintain_from_grant_all_on_postgresql_17_is_left_out() {
        let all = Grantee::Role(Ident::new("writer"));
        let some = Grantee::Role(Ident::new("vacuumer"));
        let mut acl = Acl::new();
        for privilege in AclKind::Table.all_privileges() {
            acl.insert((all.clone(), *privilege), false);
        }
        acl.insert((all.clone(), Privilege::Maintain), false);
        acl.insert((some.clone(), Privilege::Select), false);
        acl.insert((some.clone(), Privilege::Maintain), false);
        fold_maintain(&mut acl);
        assert!(!acl.contains_key(&(all, Privilege::Maintain)));
        // Granted on its own (not by ALL): kept.
        assert!(acl.contains_key(&(some, Privilege::Maintain)));
    }
}
