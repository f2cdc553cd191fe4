//! Diff of sequences. Runs after the table diff: a sequence owned by a
//! dropped table or column is dropped by PostgreSQL with it, so no
//! `DropSequence` is emitted for it.

use super::{Change, DiffCtx};
use crate::model::ObjectId;

pub(super) fn diff_sequences(ctx: &mut DiffCtx<'_>) {
    for (name, desired) in &ctx.desired.sequences {
        if ctx.skip_external("sequence", name) {
            continue;
        }
        let current = ctx.current.sequences.get(name);
        match current {
            None => ctx.push(Change::CreateSequence(desired.clone())),
            Some(current)
                if current.options != desired.options || current.owned_by != desired.owned_by =>
            {
                ctx.push(Change::AlterSequence {
                    current: current.clone(),
                    desired: desired.clone(),
                })
            }
            Some(_) => {}
        }
        ctx.diff_comment(
            current.and_then(|s| s.comment.as_ref()),
            desired.comment.as_ref(),
            desired.meta.span,
            || (ObjectId::Sequence(name.clone()), format!("SEQUENCE {name}")),
        );
    }
    for (name, current) in &ctx.current.sequences {
        if ctx.desired.sequences.contains_key(name) || ctx.skip_external("sequence", name) {
            continue;
        }
        let dropped_with_owner = current.owned_by.as_ref().is_some_and(|(table, column)| {
            ctx.dropped_tables.contains(table)
                || ctx
                    .dropped_columns
                    .contains(&(table.clone(), column.clone()))
        });
        if !dropped_with_owner {
            ctx.push(Change::DropSequence(current.clone()));
        }
    }
}
