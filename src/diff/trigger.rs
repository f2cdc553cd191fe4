//! Diff of the triggers of one table. A changed trigger is replaced (drop
//! and create in one transaction: PostgreSQL 15 has no CREATE OR REPLACE
//! for constraint triggers, and ALTER TRIGGER only renames).

use super::{Change, DiffCtx};
use crate::model::{ObjectId, Table};

pub(super) fn diff_triggers(ctx: &mut DiffCtx<'_>, current: &Table, desired: &Table) {
    let table = &desired.name;
    for (name, desired_trigger) in &desired.triggers {
        let current_trigger = current.triggers.get(name);
        match current_trigger {
            None => ctx.push(Change::CreateTrigger {
                table: table.clone(),
                trigger: desired_trigger.clone(),
            }),
            Some(current_trigger) => {
                let mut comparable = current_trigger.clone();
                comparable.comment = desired_trigger.comment.clone();
                if &comparable != desired_trigger {
                    ctx.push(Change::ReplaceTrigger {
                        table: table.clone(),
                        current: current_trigger.clone(),
                        desired: desired_trigger.clone(),
                    });
                }
            }
        }
        let replaced = current_trigger.is_some_and(|c| {
            let mut comparable = c.clone();
            comparable.comment = desired_trigger.comment.clone();
            &comparable != desired_trigger
        });
        ctx.diff_comment(
            if replaced {
                None
            } else {
                current_trigger.and_then(|t| t.comment.as_ref())
            },
            desired_trigger.comment.as_ref(),
            desired_trigger.meta.span,
            || {
                (
                    ObjectId::Trigger(table.clone(), name.clone()),
                    format!("TRIGGER {name} ON {table}"),
                )
            },
        );
    }
    for (name, current_trigger) in &current.triggers {
        if !desired.triggers.contains_key(name) {
            ctx.push(Change::DropTrigger {
                table: table.clone(),
                trigger: current_trigger.clone(),
            });
        }
    }
}
