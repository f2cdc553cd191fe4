//! Enabling, disabling and forcing row-level security.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/ddl-rowsecurity.html): with RLS
//! enabled and no policy, non-owner roles see no rows (default deny);
//! `ALTER TABLE ... ENABLE/DISABLE/FORCE ROW LEVEL SECURITY` takes ACCESS
//! EXCLUSIVE briefly.
//!
//! Ordering invariant, chosen so that no window denies all rows:
//! - policies are created BEFORE `ENABLE ROW LEVEL SECURITY` (enable
//!   requires every desired policy of the table);
//! - when RLS is turned off, `DISABLE ROW LEVEL SECURITY` runs BEFORE the
//!   policies are dropped (policies require `RlsOff`): dropping policies
//!   first would leave RLS on with no policy, denying every row, while
//!   disabling first only reaches the desired (unrestricted) state early.
//! - while RLS stays on, new policies are created before old ones are
//!   dropped (creates before drops), so the window allows the union of the
//!   two, never nothing.
//!
//! Enabling (or forcing) RLS on a table with no desired policy raises
//! `rls-lockout`.
//!
//! Direct mode (`online = false`): ENABLE/FORCE are table ALTER steps that
//! run BEFORE the table's policy steps (policies require `RlsOn`), with
//! `rls-lockout` on an existing table; disabling is ordered as online.

use super::Cx;
use crate::model::QualifiedName;
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, Hazard, LockMode};

fn policy_keys(cx: &Cx<'_>, table: &QualifiedName) -> Vec<Key> {
    cx.ctx
        .desired
        .tables
        .get(table)
        .map(|t| {
            t.policies
                .keys()
                .map(|name| Key::Policy(table.clone(), name.clone()))
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn enable(cx: &Cx<'_>, table: &QualifiedName) -> Vec<Node> {
    let policies = policy_keys(cx, table);
    let mut step = cx
        .step(
            Action::EnableRls {
                table: table.clone(),
            },
            format!("enable row level security on {table}"),
            format!("ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"),
        )
        .on(table, LockMode::AccessExclusive);
    if policies.is_empty() {
        step = step.hazard(
            Hazard::RlsLockout,
            format!("row level security is enabled on {table}, which has no policy: roles other than the owner see no rows"),
        );
    } else if !cx.online() && !cx.is_new(table) {
        step = step.hazard(
            Hazard::RlsLockout,
            format!("row level security is enabled on {table} before its policies are created: until then roles other than the owner see no rows"),
        );
    }
    if !cx.online() {
        return vec![
            Node::new(Phase::AlterTable, format!("rls {table}"), vec![step])
                .requires([Key::Relation(table.clone())])
                .provides([Key::RlsOn(table.clone())]),
        ];
    }
    vec![
        Node::new(Phase::EnableRls, format!("rls {table}"), vec![step])
            .requires([Key::Relation(table.clone())])
            .requires(policies),
    ]
}

pub(super) fn disable(cx: &Cx<'_>, table: &QualifiedName) -> Vec<Node> {
    let step = cx
        .step(
            Action::DisableRls {
                table: table.clone(),
            },
            format!("disable row level security on {table}"),
            format!("ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"),
        )
        .on(table, LockMode::AccessExclusive)
        .hazard(
            Hazard::RlsLockout,
            format!("row level security is disabled on {table}: every role with table privileges sees every row"),
        );
    vec![
        Node::new(Phase::DisableRls, format!("rls {table}"), vec![step])
            .requires([Key::Relation(table.clone())])
            .provides([Key::RlsOff(table.clone())]),
    ]
}

pub(super) fn force(cx: &Cx<'_>, table: &QualifiedName, forced: bool) -> Vec<Node> {
    let policies = policy_keys(cx, table);
    let (verb, phase) = if forced {
        ("FORCE", Phase::EnableRls)
    } else {
        ("NO FORCE", Phase::DisableRls)
    };
    let mut step = cx
        .step(
            if forced {
                Action::ForceRls {
                    table: table.clone(),
                }
            } else {
                Action::NoForceRls {
                    table: table.clone(),
                }
            },
            format!("{} row level security on {table}", verb.to_lowercase()),
            format!("ALTER TABLE {table} {verb} ROW LEVEL SECURITY"),
        )
        .on(table, LockMode::AccessExclusive);
    if forced && policies.is_empty() {
        step = step.hazard(
            Hazard::RlsLockout,
            format!("row level security is forced on {table}, which has no policy: the owner sees no rows either"),
        );
    } else if forced && !cx.online() && !cx.is_new(table) {
        step = step.hazard(
            Hazard::RlsLockout,
            format!("row level security is forced on {table} before its policies are created: until then the owner sees no rows either"),
        );
    }
    if !cx.online() {
        return vec![
            Node::new(Phase::AlterTable, format!("rls {table} force"), vec![step])
                .requires([Key::Relation(table.clone())])
                .provides([Key::RlsOn(table.clone())]),
        ];
    }
    vec![Node::new(phase, format!("rls {table} force"), vec![step])
        .requires([Key::Relation(table.clone())])
        .requires(policies)]
}
