//! GRANT and REVOKE: an object's privileges (owner aside) brought from the
//! current ACL to the desired one.
//!
//! PostgreSQL behaviour relied on: GRANT and REVOKE only update the
//! object's ACL in its catalog row (`relacl`, `proacl`, `nspacl`,
//! `typacl`); no lock on the relation is taken and nothing is scanned
//! (https://www.postgresql.org/docs/current/sql-grant.html). A superuser's
//! GRANT is recorded as made by the owner. `ROUTINE` names functions and
//! procedures alike (PostgreSQL 11+).
//!
//! Ordering invariants: the steps come after the object exists (they
//! require its key, so a new object gets its grants after its CREATE);
//! REVOKEs come before GRANTs, so an entry that only loses its grant
//! option is revoked (`REVOKE GRANT OPTION FOR`) and never re-granted. A
//! schema's privileges provide [`Key::SchemaPrivileges`], which every step
//! that runs as another role (`SET ROLE` in the schema file) requires for
//! its schema: that role may need the grant to create there.

use super::Cx;
use crate::model::privilege::Acl;
use crate::model::{AclTarget, DefaultAclKey, Grantee, Privilege};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::Action;
use std::collections::BTreeMap;

/// What turns `current` into `desired`: the REVOKEs (grantee, option
/// only) and the GRANTs (grantee, with grant option), each with its
/// privileges.
type Revisions<'a> = (
    BTreeMap<(&'a Grantee, bool), Vec<Privilege>>,
    BTreeMap<(&'a Grantee, bool), Vec<Privilege>>,
);

fn revisions<'a>(current: &'a Acl, desired: &'a Acl) -> Revisions<'a> {
    let mut revokes: BTreeMap<(&Grantee, bool), Vec<Privilege>> = BTreeMap::new();
    let mut grants: BTreeMap<(&Grantee, bool), Vec<Privilege>> = BTreeMap::new();
    for ((grantee, privilege), current_option) in current {
        match desired.get(&(grantee.clone(), *privilege)) {
            None => revokes
                .entry((grantee, false))
                .or_default()
                .push(*privilege),
            Some(false) if *current_option => {
                revokes.entry((grantee, true)).or_default().push(*privilege)
            }
            Some(_) => {}
        }
    }
    for ((grantee, privilege), desired_option) in desired {
        let held = current.get(&(grantee.clone(), *privilege)).copied();
        if held.is_none() || (*desired_option && held == Some(false)) {
            grants
                .entry((grantee, *desired_option))
                .or_default()
                .push(*privilege);
        }
    }
    (revokes, grants)
}

fn list(privileges: &[Privilege]) -> Vec<String> {
    privileges.iter().map(|p| p.as_sql().to_string()).collect()
}

pub(super) fn set_privileges(
    cx: &Cx<'_>,
    target: &AclTarget,
    current: &Acl,
    desired: &Acl,
) -> Vec<Node> {
    let object = target.sql();
    let (revokes, grants) = revisions(current, desired);
    let mut steps = Vec::new();
    for ((grantee, option_only), privileges) in &revokes {
        let names = list(privileges);
        let sql = format!(
            "REVOKE {}{} ON {object} FROM {grantee}",
            if *option_only {
                "GRANT OPTION FOR "
            } else {
                ""
            },
            names.join(", ")
        );
        steps.push(cx.step(
            Action::Revoke {
                object: object.clone(),
                privileges: names.clone(),
                grantee: grantee.to_string(),
                grant_option_only: *option_only,
            },
            format!(
                "revoke {}{} on {target} from {grantee}",
                if *option_only {
                    "grant option for "
                } else {
                    ""
                },
                names.join(", ").to_lowercase()
            ),
            sql,
        ));
    }
    for ((grantee, with_option), privileges) in &grants {
        let names = list(privileges);
        let sql = format!(
            "GRANT {} ON {object} TO {grantee}{}",
            names.join(", "),
            if *with_option {
                " WITH GRANT OPTION"
            } else {
                ""
            }
        );
        steps.push(cx.step(
            Action::Grant {
                object: object.clone(),
                privileges: names.clone(),
                grantee: grantee.to_string(),
                with_grant_option: *with_option,
            },
            format!(
                "grant {} on {target} to {grantee}{}",
                names.join(", ").to_lowercase(),
                if *with_option {
                    " with grant option"
                } else {
                    ""
                }
            ),
            sql,
        ));
    }
    if steps.is_empty() {
        return Vec::new();
    }
    for step in steps.iter_mut().skip(1) {
        step.joins_previous = true;
    }
    let (requires, provides) = match target {
        AclTarget::Schema(name) => (
            vec![Key::Schema(name.clone())],
            vec![Key::SchemaPrivileges(name.clone())],
        ),
        AclTarget::Table(name) => (vec![Key::Relation(name.clone())], Vec::new()),
        AclTarget::Sequence(name) => (vec![Key::Sequence(name.clone())], Vec::new()),
        AclTarget::Function(id) => (vec![Key::Function(id.name.clone())], Vec::new()),
        AclTarget::Type(name) => (vec![Key::Type(name.clone())], Vec::new()),
    };
    vec![cx
        .node(Phase::Privileges, steps)
        .requires(requires)
        .provides(provides)]
}

/// `ALTER DEFAULT PRIVILEGES`: one `pg_default_acl` entry brought from
/// `current` to `desired`. The steps come after every other step of the
/// plan (their phase is the last and they provide nothing): the objects
/// the plan creates get the database's default privileges as they were
/// (which the diff started their ACLs from), and the new defaults apply
/// to what is created after the plan.
pub(super) fn set_default_privileges(
    cx: &Cx<'_>,
    key: &DefaultAclKey,
    current: &Acl,
    desired: &Acl,
) -> Vec<Node> {
    let scope = key.scope_sql();
    let prefix = if scope.is_empty() {
        "ALTER DEFAULT PRIVILEGES".to_string()
    } else {
        format!("ALTER DEFAULT PRIVILEGES {scope}")
    };
    let objects = key.kind.objects_sql();
    let (revokes, grants) = revisions(current, desired);
    let action = |grant: bool, grantee: &Grantee, names: &[String], option: bool| {
        Action::AlterDefaultPrivileges {
            role: key.role.as_ref().map(|role| role.as_str().to_string()),
            schema: key
                .schema
                .as_ref()
                .map(|schema| schema.as_str().to_string()),
            objects: objects.to_string(),
            grant,
            privileges: names.to_vec(),
            grantee: grantee.to_string(),
            grant_option: option,
        }
    };
    let mut steps = Vec::new();
    for ((grantee, option_only), privileges) in &revokes {
        let names = list(privileges);
        let option = if *option_only {
            "GRANT OPTION FOR "
        } else {
            ""
        };
        steps.push(cx.step(
            action(false, grantee, &names, *option_only),
            format!(
                "revoke {}{} from {grantee}: {key}",
                option.to_lowercase(),
                names.join(", ").to_lowercase()
            ),
            format!(
                "{prefix} REVOKE {option}{} ON {objects} FROM {grantee}",
                names.join(", ")
            ),
        ));
    }
    for ((grantee, with_option), privileges) in &grants {
        let names = list(privileges);
        let option = if *with_option {
            " WITH GRANT OPTION"
        } else {
            ""
        };
        steps.push(cx.step(
            action(true, grantee, &names, *with_option),
            format!(
                "grant {} to {grantee}{}: {key}",
                names.join(", ").to_lowercase(),
                option.to_lowercase()
            ),
            format!(
                "{prefix} GRANT {} ON {objects} TO {grantee}{option}",
                names.join(", ")
            ),
        ));
    }
    if steps.is_empty() {
        return Vec::new();
    }
    for step in steps.iter_mut().skip(1) {
        step.joins_previous = true;
    }
    let requires: Vec<Key> = key.schema.iter().cloned().map(Key::Schema).collect();
    vec![cx.node(Phase::DefaultPrivileges, steps).requires(requires)]
}
