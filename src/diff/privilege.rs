//! Privileges: one [`Change::SetPrivileges`] per object whose ACL (owner
//! aside) differs.
//!
//! Invariants:
//! - Only objects the desired Model declares are compared: a dropped
//!   object's privileges go with it (a REVOKE before a DROP is pointless).
//! - An object the plan creates, or drops and creates again, starts from
//!   what PostgreSQL gives a new object: its kind's default ACL as the
//!   current database's default privileges (`pg_default_acl`) for the
//!   creating role change it, so its grants and revokes follow its
//!   CREATE. The plan alters default privileges after every CREATE.
//! - Default privileges are compared per `pg_default_acl` entry
//!   ([`diff_default_privileges`]); a desired `FOR ROLE` of the role the
//!   catalog was read as is that role's entry (`None`).
//! - External objects are never diffed.
//! - A desired grant to the object's current owner (as introspection
//!   read it, `Model::owners`) is left out: the owner's own entries are
//!   never part of the current ACL either.

use super::{Change, DiffCtx};
use crate::model::privilege::Acl;
use crate::model::{AclTarget, DefaultAclKey, Grantee, Ident, Model, ObjectId};
use std::collections::{BTreeMap, BTreeSet};

pub(crate) fn diff_privileges(ctx: &mut DiffCtx<'_>) {
    let created: BTreeSet<ObjectId> = ctx
        .out
        .changes
        .iter()
        .filter(|change| creates(change))
        .map(Change::object)
        .collect();
    let targets: BTreeSet<&AclTarget> = ctx
        .current
        .privileges
        .keys()
        .chain(ctx.desired.privileges.keys())
        .collect();
    for target in targets {
        let Some(meta) = ctx.desired.acl_target_meta(target) else {
            continue;
        };
        let object = object_id(ctx.desired, target);
        let external = match target {
            AclTarget::Schema(_) => false,
            AclTarget::Table(name) | AclTarget::Sequence(name) | AclTarget::Type(name) => {
                ctx.current.is_external(name) || ctx.desired.is_external(name)
            }
            AclTarget::Function(id) => {
                ctx.current.is_external(&id.name) || ctx.desired.is_external(&id.name)
            }
        };
        if external {
            continue;
        }
        let current = if created.contains(&object) || !ctx.current.has_acl_target(target) {
            // What PostgreSQL gives the new object: the database's default
            // privileges for its creating role (the plan alters them
            // after every CREATE, see `diff_default_privileges`).
            let role = connected_as(ctx.current, meta.role.as_deref());
            ctx.current
                .acl_at_creation(target.kind(), role.as_ref(), target.schema())
        } else {
            ctx.current.acl(target)
        };
        let mut desired = ctx.desired.acl(target);
        // A grant to the object's current owner is the owner's own entry,
        // which the catalog side never lists (the owner is not modelled).
        if let Some(owner) = ctx.current.owners.0.get(target) {
            desired
                .retain(|(grantee, _), _| !matches!(grantee, Grantee::Role(role) if role == owner));
        }
        if current != desired {
            let span = meta.span;
            ctx.push(Change::SetPrivileges {
                object,
                target: target.clone(),
                current,
                desired,
                span,
            });
        }
    }
}

/// `role` as the diff keys default privileges: `None` for the role the
/// catalog was read as (`Model::connected_role`), which is the role
/// schemac runs as.
fn connected_as(current: &Model, role: Option<&Ident>) -> Option<Ident> {
    match (role, &current.connected_role.0) {
        (Some(role), Some(connected)) if role == connected => None,
        (role, _) => role.cloned(),
    }
}

/// Default privileges (`pg_default_acl`): one
/// [`Change::SetDefaultPrivileges`] per entry that differs.
///
/// Scope: an entry `IN SCHEMA s` is compared when the desired schema sets
/// it or declares `s` (as every object's privileges are); a global entry only
/// when the desired schema sets default privileges at all, so a schema
/// file that never mentions them leaves the database's global defaults
/// (often set by its administrators) alone.
pub(crate) fn diff_default_privileges(ctx: &mut DiffCtx<'_>) {
    let desired: BTreeMap<DefaultAclKey, Acl> = ctx
        .desired
        .default_privileges
        .iter()
        .map(|(key, acl)| {
            let key = DefaultAclKey {
                role: connected_as(ctx.current, key.role.as_ref()),
                ..key.clone()
            };
            (key, acl.clone())
        })
        .collect();
    let manages_global = !desired.is_empty();
    let keys: BTreeSet<&DefaultAclKey> = ctx
        .current
        .default_privileges
        .keys()
        .chain(desired.keys())
        .collect();
    for key in keys {
        let in_scope = match &key.schema {
            Some(schema) => desired.contains_key(key) || ctx.desired.schemas.contains_key(schema),
            None => manages_global,
        };
        if !in_scope {
            continue;
        }
        let current = ctx.current.default_acl_entry(key);
        let wanted = desired.get(key).cloned().unwrap_or_else(|| key.base());
        if current != wanted {
            ctx.push(Change::SetDefaultPrivileges {
                key: key.clone(),
                current,
                desired: wanted,
            });
        }
    }
}

/// True for a change that creates its object anew (with the default ACL).
fn creates(change: &Change<'_>) -> bool {
    if let Change::ReplaceFunction { current, desired } = change {
        // A routine PostgreSQL cannot replace in place is dropped and
        // created again.
        return !current.replaceable_by(desired);
    }
    matches!(
        change,
        Change::CreateSchema(_)
            | Change::CreateEnum(_)
            | Change::RecreateEnum { .. }
            | Change::CreateDomain(_)
            | Change::CreateCompositeType(_)
            | Change::CreateSequence(_)
            | Change::CreateFunction(_)
            | Change::CreateTable(_)
            | Change::CreateView(_)
    )
}

/// The id of the object that carries the ACL.
fn object_id(model: &Model, target: &AclTarget) -> ObjectId {
    match target {
        AclTarget::Schema(name) => ObjectId::Schema(name.clone()),
        AclTarget::Table(name) if model.views.contains_key(name) => ObjectId::View(name.clone()),
        AclTarget::Table(name) => ObjectId::Table(name.clone()),
        AclTarget::Sequence(name) => ObjectId::Sequence(name.clone()),
        AclTarget::Function(id) => ObjectId::Function(id.clone()),
        AclTarget::Type(name) if model.domains.contains_key(name) => ObjectId::Domain(name.clone()),
        AclTarget::Type(name) if model.composites.contains_key(name) => {
            ObjectId::CompositeType(name.clone())
        }
        AclTarget::Type(name) => ObjectId::Enum(name.clone()),
    }
}

#[cfg(test)]
mod tests {
    use crate::diff::{diff, Change};
    use crate::frontend::sql::test_model as sql_model;
    use crate::model::privilege::apply_grant;
    use crate::model::{AclTarget, Grantee, Ident, Meta, Model, Privilege, Schema};

    fn with_schema(grant_to: Option<&str>) -> Model {
        let mut model = Model::default();
        let name = Ident::new("app");
        model.schemas.insert(
            name.clone(),
            Schema {
                name: name.clone(),
                comment: None,
                distributed: false,
                meta: Meta::default(),
            },
        );
        if let Some(role) = grant_to {
            let target = AclTarget::Schema(name);
            let mut acl = model.acl(&target);
            let grantee = Grantee::Role(Ident::new(role));
            apply_grant(&mut acl, true, false, &[Privilege::Usage], &grantee, false);
            model.set_acl(target, acl);
        }
        model
    }

    fn privilege_changes(current: &Model, desired: &Model) -> Vec<String> {
        diff(current, desired)
            .changes
            .iter()
            .filter_map(|change| match change {
                Change::SetPrivileges {
                    target,
                    current,
                    desired,
                    ..
                } => Some(format!("{target}: {current:?} -> {desired:?}")),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn grants_and_revokes_are_one_change_per_object() {
        let bare = with_schema(None);
        let granted = with_schema(Some("reader"));
        assert_eq!(privilege_changes(&bare, &granted).len(), 1);
        assert_eq!(privilege_changes(&granted, &bare).len(), 1);
        assert!(privilege_changes(&granted, &granted).is_empty());
    }

    #[test]
    fn a_grant_to_the_current_owner_is_no_change() {
        let mut current = with_schema(None);
        current
            .owners
            .0
            .insert(AclTarget::Schema(Ident::new("app")), Ident::new("admin"));
        let desired = with_schema(Some("admin"));
        assert!(privilege_changes(&current, &desired).is_empty());
        // Owned by someone else: the grant is a change.
        current
            .owners
            .0
            .insert(AclTarget::Schema(Ident::new("app")), Ident::new("other"));
        assert_eq!(privilege_changes(&current, &desired).len(), 1);
    }

    /// A function whose result changes is dropped and created again, so
    /// it starts from the default ACL and its grant is given again (pgstac
    /// 021 -> 022: the grant was taken as kept and the apply did not
    /// converge); one replaced in place keeps its ACL.
    #[test]
    fn a_routine_created_again_gets_its_grants_again() {
        let grant = "GRANT EXECUTE ON FUNCTION f(integer) TO app;";
        let old = sql_model(&format!(
            "CREATE FUNCTION f(a integer) RETURNS integer LANGUAGE sql AS $$ SELECT a $$;\n{grant}"
        ));
        let new_result = sql_model(&format!(
            "CREATE FUNCTION f(a integer) RETURNS bigint LANGUAGE sql AS $$ SELECT a $$;\n{grant}"
        ));
        let new_body = sql_model(&format!(
            "CREATE FUNCTION f(a integer) RETURNS integer LANGUAGE sql AS $$ SELECT a + 1 $$;\n{grant}"
        ));
        let changes = privilege_changes(&old, &new_result);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert!(changes[0].contains("Role(Ident(\"app\"))"), "{changes:?}");
        assert!(privilege_changes(&old, &new_body).is_empty());
    }

    #[test]
    fn a_dropped_object_takes_its_privileges_along() {
        let granted = with_schema(Some("reader"));
        let empty = Model::default();
        assert!(privilege_changes(&granted, &empty).is_empty());
    }
}
