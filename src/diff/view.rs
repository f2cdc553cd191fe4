//! Diff of views and materialized views.
//!
//! A plain view whose query changed is replaced (`CREATE OR REPLACE VIEW`).
//! A materialized view that changed, a view whose explicit column list
//! changed, and every view that reads (directly or through other views) a
//! relation whose columns are dropped, renamed or retyped, or that is
//! rebuilt, is dropped and created again: PostgreSQL refuses to change a
//! column a view depends on.

use super::{index, Change, DiffCtx};
use crate::model::{sql, ObjectId, QualifiedName, View};
use std::collections::BTreeSet;

fn same_definition(a: &View, b: &View) -> bool {
    a.materialized == b.materialized
        && a.columns == b.columns
        && a.query == b.query
        && a.options == b.options
}

pub(super) fn diff_views(ctx: &mut DiffCtx<'_>) {
    // Views present on both sides that must be dropped and created again.
    let mut recreate: BTreeSet<QualifiedName> = BTreeSet::new();
    let mut replace: BTreeSet<QualifiedName> = BTreeSet::new();
    for (name, desired) in &ctx.desired.views {
        if ctx.current.is_external(name) || ctx.desired.is_external(name) {
            continue;
        }
        if let Some(current) = ctx.current.views.get(name) {
            if !same_definition(current, desired) {
                if current.materialized
                    || desired.materialized
                    || current.columns != desired.columns
                {
                    recreate.insert(name.clone());
                } else {
                    replace.insert(name.clone());
                }
            }
        }
    }
    // Propagate to dependents until nothing changes.
    loop {
        let mut grew = false;
        for (name, current) in &ctx.current.views {
            if recreate.contains(name) || !ctx.desired.views.contains_key(name) {
                continue;
            }
            let depends_on_changed = current.depends_on.iter().any(|relation| {
                ctx.reshaped.contains(relation)
                    || recreate.contains(relation)
                    || (ctx.current.views.contains_key(relation)
                        && !ctx.desired.views.contains_key(relation))
            });
            if depends_on_changed {
                recreate.insert(name.clone());
                replace.remove(name);
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }

    for (name, desired) in &ctx.desired.views {
        if ctx.skip_external("view", name) {
            continue;
        }
        let current = ctx.current.views.get(name);
        let created = match current {
            None => true,
            Some(current) if recreate.contains(name) => {
                ctx.push(Change::DropView(current.clone()));
                true
            }
            Some(current) => {
                if replace.contains(name) {
                    ctx.push(Change::ReplaceView {
                        current: current.clone(),
                        desired: desired.clone(),
                    });
                }
                false
            }
        };
        if created {
            ctx.push(Change::CreateView(desired.clone()));
        } else if let Some(current) = current {
            index::diff_indexes(ctx, name, &current.indexes, &desired.indexes, false);
        }
        let current_comment = if created {
            None
        } else {
            current.and_then(|v| v.comment.as_ref())
        };
        ctx.diff_comment(
            current_comment,
            desired.comment.as_ref(),
            desired.meta.span,
            || {
                (
                    ObjectId::View(name.clone()),
                    format!("{} {name}", sql::view_kind(desired)),
                )
            },
        );
        if created {
            for index in desired.indexes.values() {
                ctx.diff_comment(None, index.comment.as_ref(), index.meta.span, || {
                    (
                        ObjectId::Index(name.clone(), index.name.clone()),
                        index::comment_target(name, &index.name),
                    )
                });
            }
        }
    }
    for (name, current) in &ctx.current.views {
        if !ctx.desired.views.contains_key(name) && !ctx.skip_external("view", name) {
            ctx.push(Change::DropView(current.clone()));
        }
    }
}
