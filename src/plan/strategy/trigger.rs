//! Creating, replacing and dropping triggers.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-createtrigger.html,
//! https://www.postgresql.org/docs/current/explicit-locking.html):
//! `CREATE TRIGGER` takes SHARE ROW EXCLUSIVE on the table; `DROP TRIGGER`
//! takes ACCESS EXCLUSIVE. A changed trigger is dropped and created in one
//! transaction, so no write escapes it.
//!
//! Ordering invariant: a trigger comes after its function and the columns
//! it names; a dropped trigger, and a changed one (its old function may be
//! dropped once it is recreated on another), goes before its function is
//! dropped.

use super::{dep_keys, replaced_uses, Cx};
use crate::graph::deps;
use crate::model::{sql, QualifiedName, Trigger};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, LockMode};

fn uses(
    cx: &Cx<'_>,
    model: &crate::model::Model,
    table: &QualifiedName,
    trigger: &Trigger,
) -> Vec<Key> {
    let _ = cx;
    dep_keys(deps::trigger(model, table, trigger))
}

pub(super) fn create_trigger(cx: &Cx<'_>, table: &QualifiedName, trigger: &Trigger) -> Vec<Node> {
    let step = cx
        .step(
            Action::CreateTrigger {
                table: table.clone(),
                name: trigger.name.clone(),
            },
            format!("create trigger {} on {table}", trigger.name),
            sql::create_trigger(table, trigger),
        )
        .on(table, LockMode::ShareRowExclusive);
    vec![Node::new(
        Phase::CreateTrigger,
        format!("trigger {table}.{}", trigger.name),
        vec![step],
    )
    .provides([Key::Trigger(table.clone(), trigger.name.clone())])
    .requires([Key::Relation(table.clone())])
    .requires(uses(cx, cx.ctx.desired, table, trigger))]
}

pub(super) fn replace_trigger(
    cx: &Cx<'_>,
    table: &QualifiedName,
    current: &Trigger,
    desired: &Trigger,
) -> Vec<Node> {
    let steps = vec![
        cx.step(
            Action::DropTrigger {
                table: table.clone(),
                name: current.name.clone(),
            },
            format!("drop trigger {} on {table} to recreate it", current.name),
            format!("DROP TRIGGER {} ON {table}", current.name),
        )
        .on(table, LockMode::AccessExclusive),
        cx.step(
            Action::CreateTrigger {
                table: table.clone(),
                name: desired.name.clone(),
            },
            format!("create trigger {} on {table}", desired.name),
            sql::create_trigger(table, desired),
        )
        .on(table, LockMode::ShareRowExclusive)
        .joining(),
    ];
    vec![Node::new(
        Phase::CreateTrigger,
        format!("trigger {table}.{}", desired.name),
        steps,
    )
    .provides([Key::Trigger(table.clone(), desired.name.clone())])
    .requires([Key::Relation(table.clone())])
    .requires(uses(cx, cx.ctx.desired, table, desired))
    .releases(replaced_uses(uses(cx, cx.ctx.current, table, current)))]
}

pub(super) fn drop_trigger(cx: &Cx<'_>, table: &QualifiedName, trigger: &Trigger) -> Vec<Node> {
    let step = cx
        .step(
            Action::DropTrigger {
                table: table.clone(),
                name: trigger.name.clone(),
            },
            format!("drop trigger {} on {table}", trigger.name),
            format!("DROP TRIGGER {} ON {table}", trigger.name),
        )
        .on(table, LockMode::AccessExclusive);
    vec![Node::new(
        Phase::DropTrigger,
        format!("trigger {table}.{}", trigger.name),
        vec![step],
    )
    .requires([Key::Relation(table.clone())])
    .removes([Key::Trigger(table.clone(), trigger.name.clone())])
    .releases(uses(cx, cx.ctx.current, table, trigger))]
}
