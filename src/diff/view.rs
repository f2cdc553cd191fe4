//! Diff of views and materialized views.
//!
//! A plain view whose query changed is replaced (`CREATE OR REPLACE VIEW`)
//! when PostgreSQL allows it: the existing output columns keep their
//! names, types and order, and new ones come last. Both sides' output
//! columns come from a catalog when a database (and its shadow) is read;
//! offline, a replace needs the old select list to be, item by item, the
//! start of the new one (so names and types are known to stay). A
//! materialized view that changed, a view whose explicit column list
//! changed or whose output columns change otherwise, and every view that
//! reads (directly or through other views) a relation whose columns are
//! dropped, renamed or retyped, or that is rebuilt, is dropped and created
//! again: PostgreSQL refuses to change a column a view depends on. So is
//! a view calling a routine that is dropped and created again (an
//! aggregate CREATE OR REPLACE cannot change): PostgreSQL refuses to drop
//! what a view calls.

use super::{index, Change, DiffCtx};
use crate::graph::deps::{self, Dep};
use crate::model::{sql, ObjectId, QualifiedName, View};
use crate::sql_lex;
use sqlparser::ast::{Expr, SelectItem, SetExpr, Statement};
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
                    || !replaceable(current, desired)
                {
                    recreate.insert(name.clone());
                } else {
                    replace.insert(name.clone());
                }
            }
        }
    }
    // A view calling a routine that is dropped and created again (an
    // aggregate whose kind, arguments or result change): PostgreSQL
    // refuses to drop what a view uses, so the view goes first and
    // comes back after.
    let rebuilt_routines: Vec<&crate::model::FunctionId> = ctx
        .desired
        .functions
        .iter()
        .filter(|(id, desired)| {
            ctx.current
                .functions
                .get(*id)
                .is_some_and(|current| current != *desired && !current.replaceable_by(desired))
        })
        .map(|(id, _)| id)
        .collect();
    if !rebuilt_routines.is_empty() {
        for (name, current) in &ctx.current.views {
            if !ctx.desired.views.contains_key(name) || recreate.contains(name) {
                continue;
            }
            let calls_rebuilt = deps::expr(ctx.current, None, &current.query.sql)
                .iter()
                .any(|dep| match dep {
                    Dep::Overload(id) => rebuilt_routines.contains(&id),
                    Dep::Function(called) => rebuilt_routines.iter().any(|id| &id.name == called),
                    _ => false,
                });
            if calls_rebuilt {
                recreate.insert(name.clone());
                replace.remove(name);
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
                // A renamed table is reshaped under its new name.
                let renamed = ctx.renames.tables.get(relation);
                ctx.reshaped.contains(relation)
                    || renamed.is_some_and(|to| ctx.reshaped.contains(to))
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

/// Whether `CREATE OR REPLACE VIEW` can turn `current` into `desired`
/// (both plain views with the same explicit column list).
fn replaceable(current: &View, desired: &View) -> bool {
    let (old, new) = (&current.output.0, &desired.output.0);
    if !old.is_empty() && !new.is_empty() {
        return new.len() >= old.len() && new[..old.len()] == old[..];
    }
    // Offline: the old select list must start the new one, item by item.
    match (
        select_items(&current.query.canonical),
        select_items(&desired.query.canonical),
    ) {
        (Some(old), Some(new)) => new.len() >= old.len() && new[..old.len()] == old[..],
        _ => false,
    }
}

/// The items of a query's (first) select list as text, `None` when the
/// query does not parse or an item's output column cannot be told from
/// its text (`*` expands to whatever the relation has).
fn select_items(query: &str) -> Option<Vec<String>> {
    let statements = sql_lex::parse_statements(query).ok()?;
    let [Statement::Query(query)] = statements.as_slice() else {
        return None;
    };
    let mut body = query.body.as_ref();
    while let SetExpr::SetOperation { left, .. } = body {
        body = left.as_ref();
    }
    let SetExpr::Select(select) = body else {
        return None;
    };
    select
        .projection
        .iter()
        .map(|item| match item {
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => None,
            SelectItem::UnnamedExpr(Expr::Wildcard(_) | Expr::QualifiedWildcard(..)) => None,
            other => Some(other.to_string()),
        })
        .collect()
}
