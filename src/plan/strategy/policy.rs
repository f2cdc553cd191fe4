//! Creating, changing, renaming and dropping row-level-security policies.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-alterpolicy.html):
//! `ALTER POLICY` can change the roles, USING and WITH CHECK expressions in
//! place, but not the command or PERMISSIVE/RESTRICTIVE, and cannot remove
//! a clause; those changes drop and create the policy in ONE transaction,
//! so no other session sees the table without it. Policy DDL takes ACCESS
//! EXCLUSIVE on the table, briefly.
//!
//! Direct mode (`online = false`): a changed policy is `DROP POLICY` then
//! `CREATE POLICY` in separate transactions (`rls-lockout` when RLS is on),
//! and policies come after the table's RLS ALTER steps.
//!
//! Ordering invariant: policies come after the columns and functions their
//! expressions use (a changed policy before the functions only its old
//! expressions use are dropped) and before RLS is enabled; a dropped policy goes after
//! RLS is disabled on its table (see `rls`).

use super::{dep_keys, expr_keys, replaced_uses, Cx};
use crate::graph::deps;
use crate::model::{sql, Ident, Policy, QualifiedName};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, Hazard, LockMode};

fn expression_keys(
    cx: &Cx<'_>,
    model: &crate::model::Model,
    table: &QualifiedName,
    policy: &Policy,
) -> Vec<Key> {
    let _ = cx;
    match model.tables.get(table) {
        Some(relation) => dep_keys(deps::policy(model, relation, policy)),
        None => policy
            .using
            .iter()
            .chain(policy.with_check.iter())
            .flat_map(|expr| expr_keys(model, None, &expr.sql))
            .collect(),
    }
}

pub(super) fn create_policy(cx: &Cx<'_>, table: &QualifiedName, policy: &Policy) -> Vec<Node> {
    let step = cx
        .step(
            Action::CreatePolicy {
                table: table.clone(),
                name: policy.name.clone(),
            },
            format!("create policy {} on {table}", policy.name),
            sql::create_policy(table, policy),
        )
        .on(table, LockMode::AccessExclusive);
    vec![Node::new(
        Phase::CreatePolicy,
        format!("policy {table}.{}", policy.name),
        vec![step],
    )
    .provides([Key::Policy(table.clone(), policy.name.clone())])
    .requires([Key::Relation(table.clone())])
    .requires(direct_keys(cx, table))
    .requires(expression_keys(cx, cx.ctx.desired, table, policy))]
}

/// Direct mode: policies come after the table's RLS ALTER steps.
fn direct_keys(cx: &Cx<'_>, table: &QualifiedName) -> Vec<Key> {
    if cx.online() {
        Vec::new()
    } else {
        vec![Key::RlsOn(table.clone())]
    }
}

pub(super) fn alter_policy(
    cx: &Cx<'_>,
    table: &QualifiedName,
    current: &Policy,
    desired: &Policy,
) -> Vec<Node> {
    let name = &desired.name;
    let alterable = current.permissive == desired.permissive
        && current.command == desired.command
        && (current.using.is_none() || desired.using.is_some())
        && (current.with_check.is_none() || desired.with_check.is_some());
    let rls_on = [cx.ctx.current, cx.ctx.desired]
        .iter()
        .any(|model| model.tables.get(table).is_some_and(|t| t.rls.enabled));
    let steps = if !cx.online() {
        // Direct mode: each statement in its own transaction.
        let mut drop = cx
            .step(
                Action::DropPolicy {
                    table: table.clone(),
                    name: current.name.clone(),
                },
                format!("drop policy {name} on {table} to recreate it"),
                format!("DROP POLICY {} ON {table}", current.name),
            )
            .on(table, LockMode::AccessExclusive);
        if rls_on {
            drop = drop.hazard(
                Hazard::RlsLockout,
                format!("between DROP POLICY and CREATE POLICY {name}, the rows it grants on {table} are not visible"),
            );
        }
        vec![
            drop,
            cx.step(
                Action::CreatePolicy {
                    table: table.clone(),
                    name: name.clone(),
                },
                format!("create policy {name} on {table}"),
                sql::create_policy(table, desired),
            )
            .on(table, LockMode::AccessExclusive),
        ]
    } else if alterable {
        let mut sql = format!(
            "ALTER POLICY {name} ON {table} TO {}",
            sql::policy_roles(desired)
        );
        if let Some(using) = &desired.using {
            sql.push_str(&format!(" USING ({using})"));
        }
        if let Some(check) = &desired.with_check {
            sql.push_str(&format!(" WITH CHECK ({check})"));
        }
        vec![cx
            .step(
                Action::AlterPolicy {
                    table: table.clone(),
                    name: name.clone(),
                },
                format!("alter policy {name} on {table}"),
                sql,
            )
            .on(table, LockMode::AccessExclusive)]
    } else {
        vec![
            cx.step(
                Action::DropPolicy {
                    table: table.clone(),
                    name: name.clone(),
                },
                format!("drop policy {name} on {table} to recreate it"),
                format!("DROP POLICY {name} ON {table}"),
            )
            .on(table, LockMode::AccessExclusive),
            cx.step(
                Action::CreatePolicy {
                    table: table.clone(),
                    name: name.clone(),
                },
                format!("create policy {name} on {table}"),
                sql::create_policy(table, desired),
            )
            .on(table, LockMode::AccessExclusive)
            .joining(),
        ]
    };
    vec![
        Node::new(Phase::CreatePolicy, format!("policy {table}.{name}"), steps)
            .provides([Key::Policy(table.clone(), name.clone())])
            .requires([Key::Relation(table.clone())])
            .requires(direct_keys(cx, table))
            .requires(expression_keys(cx, cx.ctx.desired, table, desired))
            .releases(replaced_uses(expression_keys(
                cx,
                cx.ctx.current,
                table,
                current,
            ))),
    ]
}

pub(super) fn drop_policy(cx: &Cx<'_>, table: &QualifiedName, policy: &Policy) -> Vec<Node> {
    let step = cx
        .step(
            Action::DropPolicy {
                table: table.clone(),
                name: policy.name.clone(),
            },
            format!("drop policy {} on {table}", policy.name),
            format!("DROP POLICY {} ON {table}", policy.name),
        )
        .on(table, LockMode::AccessExclusive);
    vec![Node::new(
        Phase::DropPolicy,
        format!("policy {table}.{}", policy.name),
        vec![step],
    )
    .removes([Key::Policy(table.clone(), policy.name.clone())])
    .requires([Key::Relation(table.clone()), Key::RlsOff(table.clone())])
    .releases(expression_keys(cx, cx.ctx.current, table, policy))]
}

pub(super) fn rename_policy(
    cx: &Cx<'_>,
    table: &QualifiedName,
    from: &Ident,
    to: &Ident,
) -> Vec<Node> {
    let step = cx
        .step(
            Action::RenamePolicy {
                table: table.clone(),
                from: from.clone(),
                to: to.clone(),
            },
            format!("rename policy {from} on {table} to {to}"),
            format!("ALTER POLICY {from} ON {table} RENAME TO {to}"),
        )
        .on(table, LockMode::AccessExclusive);
    vec![
        Node::new(Phase::Rename, format!("policy {table}.{to}"), vec![step])
            .requires([Key::Relation(table.clone())])
            .removes([Key::Policy(table.clone(), from.clone())])
            .provides([Key::Policy(table.clone(), to.clone())]),
    ]
}
