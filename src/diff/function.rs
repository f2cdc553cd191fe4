//! Diff of functions and procedures, keyed by name and argument types. A
//! changed definition with the same key is a `ReplaceFunction` (the planner
//! chooses CREATE OR REPLACE or drop + create); a changed signature is a
//! drop and a create.

use super::{Change, DiffCtx};
use crate::model::{sql, ObjectId};

pub(super) fn diff_functions(ctx: &mut DiffCtx<'_>) {
    for (id, desired) in &ctx.desired.functions {
        if ctx.skip_external("function", &id.name) {
            continue;
        }
        let current = ctx.current.functions.get(id);
        match current {
            None => ctx.push(Change::CreateFunction(desired.clone())),
            Some(current) => {
                let mut current_sans_comment = current.clone();
                current_sans_comment.comment = desired.comment.clone();
                if &current_sans_comment != desired {
                    ctx.push(Change::ReplaceFunction {
                        current: current.clone(),
                        desired: desired.clone(),
                    });
                }
            }
        }
        let kind = sql::routine_keyword(desired);
        ctx.diff_comment(
            current.and_then(|f| f.comment.as_ref()),
            desired.comment.as_ref(),
            desired.meta.span,
            || {
                (
                    ObjectId::Function(id.clone()),
                    format!("{kind} {}", sql::routine_signature(desired)),
                )
            },
        );
    }
    for (id, current) in &ctx.current.functions {
        if !ctx.desired.functions.contains_key(id) && !ctx.skip_external("function", &id.name) {
            ctx.push(Change::DropFunction(current.clone()));
        }
    }
}
