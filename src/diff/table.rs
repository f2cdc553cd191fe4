//! Diff of tables: pairing by name or explicit rename hint, creates, drops,
//! partition changes, and the per-table diff of columns, constraints,
//! indexes, RLS, policies, triggers, distribution and comments.
//!
//! A table whose partitioning changed (or a partition whose parent
//! changed) cannot be altered in place: it becomes `SetPartitioning`, and
//! its partitions are created again under the rebuilt parent. A partition
//! whose bound changed is detached and attached again. A standalone table
//! that becomes a partition of a kept parent (or the reverse) keeps its
//! rows (`partition`), and so does a table whose inheritance parents
//! changed (`SetInherits`).

use super::partition::{self, Move};
use super::rename::Renames;
use super::{
    adopt_index, column, constraint, index, policy, rule, statistics, trigger, Change, DiffCtx,
};
use crate::model::{ObjectId, QualifiedName, Table};
use std::collections::{BTreeMap, BTreeSet};

pub(super) fn diff_tables(ctx: &mut DiffCtx<'_>) {
    // desired name -> current name, for tables present on both sides.
    let mut pairs: BTreeMap<QualifiedName, QualifiedName> = BTreeMap::new();
    let mut renamed: BTreeSet<QualifiedName> = BTreeSet::new();
    for (name, desired) in &ctx.desired.tables {
        if ctx.skip_external("table", name) {
            continue;
        }
        if ctx.current.tables.contains_key(name) {
            pairs.insert(name.clone(), name.clone());
            continue;
        }
        if let Some(old) = &desired.meta.renamed_from {
            let old_name = name.with_name(crate::model::Ident::clone(old));
            if ctx.current.tables.contains_key(&old_name)
                && !ctx.desired.tables.contains_key(&old_name)
            {
                ctx.push(Change::RenameTable {
                    from: old_name.clone(),
                    to: name.clone(),
                    span: desired.meta.span,
                });
                pairs.insert(name.clone(), old_name);
                renamed.insert(name.clone());
            }
        }
    }
    let matched_current: BTreeSet<QualifiedName> = pairs.values().cloned().collect();
    ctx.renames = Renames::collect(ctx.current, ctx.desired, &pairs);

    // Tables rebuilt because their partitioning changed, and partitions of
    // rebuilt tables (they go with their parent), to a fixpoint.
    let mut rebuilt: BTreeSet<QualifiedName> = BTreeSet::new();
    let mut rebound: BTreeSet<QualifiedName> = BTreeSet::new();
    loop {
        let mut grew = false;
        for (desired_name, current_name) in &pairs {
            if rebuilt.contains(desired_name) || rebound.contains(desired_name) {
                continue;
            }
            let current = &ctx.current.tables[current_name];
            let desired = &ctx.desired.tables[desired_name];
            let parent_rebuilt = current
                .partition_of
                .as_ref()
                .is_some_and(|of| rebuilt.contains(&of.parent) || rebound.contains(&of.parent));
            let kept = |parent: &QualifiedName| {
                pairs.get(parent) == Some(parent)
                    && !rebuilt.contains(parent)
                    && !rebound.contains(parent)
            };
            if partition::table_move(current, desired, kept, kept).is_some() {
                // Attached or detached with its rows (decided below).
                continue;
            }
            let only_bound_changed = match (&current.partition_of, &desired.partition_of) {
                (Some(c), Some(d)) => c.parent == d.parent && c.bound != d.bound,
                _ => false,
            } && current.partition_by == desired.partition_by;
            if only_bound_changed && !parent_rebuilt {
                rebound.insert(desired_name.clone());
                grew = true;
            } else if parent_rebuilt
                || current.partition_by != desired.partition_by
                || current.partition_of != desired.partition_of
            {
                rebuilt.insert(desired_name.clone());
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }

    // Tables that move into or out of a kept partitioned table.
    let moves: BTreeMap<QualifiedName, Move> = pairs
        .iter()
        .filter_map(|(desired_name, current_name)| {
            let kept = |parent: &QualifiedName| {
                pairs.get(parent) == Some(parent)
                    && !rebuilt.contains(parent)
                    && !rebound.contains(parent)
            };
            partition::table_move(
                &ctx.current.tables[current_name],
                &ctx.desired.tables[desired_name],
                kept,
                kept,
            )
            .map(|kind| (desired_name.clone(), kind))
        })
        .collect();

    // Drops of tables that are no longer wanted.
    let unmatched: BTreeSet<QualifiedName> = ctx
        .current
        .tables
        .keys()
        .filter(|name| !matched_current.contains(*name))
        .cloned()
        .collect();
    for name in &unmatched {
        if ctx.skip_external("table", name) {
            continue;
        }
        let current = &ctx.current.tables[name];
        ctx.dropped_tables.insert(name.clone());
        ctx.reshaped.insert(name.clone());
        let goes_with_parent = current.partition_of.as_ref().is_some_and(|of| {
            unmatched.contains(&of.parent)
                || rebuilt.contains(&of.parent)
                || rebound.contains(&of.parent)
        });
        if goes_with_parent {
            continue;
        }
        if current.partition_of.is_some() {
            ctx.push(Change::DetachPartition(current));
        } else {
            ctx.push(Change::DropTable(current));
        }
    }

    // Creates, rebuilds and in-place diffs.
    for (name, desired) in &ctx.desired.tables {
        if ctx.current.is_external(name) || ctx.desired.is_external(name) {
            continue;
        }
        match pairs.get(name) {
            None => {
                let parent_exists = desired.partition_of.as_ref().is_some_and(|of| {
                    pairs.contains_key(&of.parent)
                        && !rebuilt.contains(&of.parent)
                        && !rebound.contains(&of.parent)
                });
                if parent_exists {
                    ctx.push(Change::AttachPartition(desired));
                } else {
                    ctx.push(Change::CreateTable(desired));
                }
                statistics::diff_statistics(ctx, None, desired);
                rule::diff_rules(ctx, None, desired);
                comments_of_new_table(ctx, desired);
            }
            Some(current_name) => {
                let current = &ctx.current.tables[current_name];
                if rebuilt.contains(name) {
                    ctx.dropped_tables.insert(current_name.clone());
                    ctx.reshaped.insert(name.clone());
                    let parent_rebuilt = current.partition_of.as_ref().is_some_and(|of| {
                        rebuilt.contains(&of.parent) || rebound.contains(&of.parent)
                    });
                    if parent_rebuilt {
                        // Dropped with its parent; created again under it.
                        ctx.push(Change::CreateTable(desired));
                    } else {
                        ctx.push(Change::SetPartitioning { current, desired });
                    }
                    // What went with the dropped table comes again.
                    statistics::diff_statistics(ctx, None, desired);
                    rule::diff_rules(ctx, None, desired);
                    comments_of_new_table(ctx, desired);
                } else if rebound.contains(name) {
                    ctx.dropped_tables.insert(current_name.clone());
                    ctx.reshaped.insert(name.clone());
                    ctx.push(Change::DetachPartition(current));
                    ctx.push(Change::AttachPartition(desired));
                    comments_of_new_table(ctx, desired);
                } else if let Some(kind) = moves.get(name) {
                    match kind {
                        Move::Attach => partition::diff_attached(ctx, current, desired),
                        Move::Detach => partition::diff_detached(ctx, current, desired),
                    }
                } else {
                    diff_table(ctx, current, desired, renamed.contains(name));
                }
            }
        }
    }
}

/// Diff of one table present on both sides (`desired.name` is its name
/// after any rename).
pub(super) fn diff_table(ctx: &mut DiffCtx<'_>, current: &Table, desired: &Table, renamed: bool) {
    column::diff_columns(ctx, current, desired);
    // Unique indexes that UNIQUE constraints of the same name adopt are
    // neither dropped nor built again.
    let adopted = adopt_index::adopted_indexes(current, desired);
    constraint::diff_constraints(ctx, current, desired, renamed, &adopted);
    let remaining_indexes;
    let current_indexes = if adopted.is_empty() {
        &current.indexes
    } else {
        remaining_indexes = current
            .indexes
            .iter()
            .filter(|(name, _)| !adopted.contains(name))
            .map(|(name, index)| (name.clone(), index.clone()))
            .collect();
        &remaining_indexes
    };
    index::diff_indexes(
        ctx,
        &desired.name,
        current_indexes,
        &desired.indexes,
        renamed,
    );
    policy::diff_policies(ctx, current, desired);
    trigger::diff_triggers(ctx, current, desired);
    statistics::diff_statistics(ctx, Some(current), desired);
    rule::diff_rules(ctx, Some(current), desired);
    diff_rls(ctx, current, desired);
    if current.inherits != desired.inherits {
        ctx.push(Change::SetInherits {
            table: desired.name.clone(),
            current: current.inherits.clone(),
            desired: desired.inherits.clone(),
            span: desired.meta.span,
        });
    }
    if current.distribution != desired.distribution {
        match &desired.distribution {
            Some(distribution) => ctx.push(Change::Distribute {
                table: desired.name.clone(),
                current: current.distribution.clone(),
                desired: distribution.clone(),
                span: desired.meta.span,
            }),
            None => {
                if let Some(distribution) = &current.distribution {
                    ctx.push(Change::Undistribute {
                        table: desired.name.clone(),
                        current: distribution.clone(),
                        span: desired.meta.span,
                    })
                }
            }
        }
    }
    let (set, reset) = desired.options.changes_from(&current.options);
    if !set.is_empty() || !reset.is_empty() {
        ctx.push(Change::SetTableOptions {
            table: desired.name.clone(),
            set,
            reset,
            span: desired.meta.span,
        });
    }
    if current.unlogged != desired.unlogged {
        ctx.out.notes.push(format!(
            "table {} changes between LOGGED and UNLOGGED: not planned (it rewrites the table); run ALTER TABLE ... SET {} by hand",
            desired.name,
            if desired.unlogged { "UNLOGGED" } else { "LOGGED" }
        ));
    }
    ctx.diff_comment(
        current.comment.as_ref(),
        desired.comment.as_ref(),
        desired.meta.span,
        || {
            (
                ObjectId::Table(desired.name.clone()),
                format!("TABLE {}", desired.name),
            )
        },
    );
}

fn diff_rls(ctx: &mut DiffCtx<'_>, current: &Table, desired: &Table) {
    let table = desired.name.clone();
    let span = desired.meta.span;
    if !current.rls.enabled && desired.rls.enabled {
        ctx.push(Change::EnableRls {
            table: table.clone(),
            span,
        });
    }
    if current.rls.enabled && !desired.rls.enabled {
        ctx.push(Change::DisableRls {
            table: table.clone(),
            span,
        });
    }
    if !current.rls.forced && desired.rls.forced {
        ctx.push(Change::ForceRls {
            table: table.clone(),
            span,
        });
    }
    if current.rls.forced && !desired.rls.forced {
        ctx.push(Change::NoForceRls { table, span });
    }
}

/// `SetComment`s for every commented part of a table created by the plan.
fn comments_of_new_table(ctx: &mut DiffCtx<'_>, table: &Table) {
    let name = &table.name;
    ctx.diff_comment(None, table.comment.as_ref(), table.meta.span, || {
        (ObjectId::Table(name.clone()), format!("TABLE {name}"))
    });
    for column in &table.columns {
        ctx.diff_comment(None, column.comment.as_ref(), column.meta.span, || {
            (
                ObjectId::Column(name.clone(), column.name.clone()),
                column::comment_target(name, &column.name),
            )
        });
    }
    for constraint in table.constraints.values() {
        ctx.diff_comment(
            None,
            constraint.comment.as_ref(),
            constraint.meta.span,
            || {
                (
                    ObjectId::Constraint(name.clone(), constraint.name.clone()),
                    constraint::comment_target(name, &constraint.name),
                )
            },
        );
    }
    for index in table.indexes.values() {
        ctx.diff_comment(None, index.comment.as_ref(), index.meta.span, || {
            (
                ObjectId::Index(name.clone(), index.name.clone()),
                index::comment_target(name, &index.name),
            )
        });
    }
    for policy in table.policies.values() {
        ctx.diff_comment(None, policy.comment.as_ref(), policy.meta.span, || {
            (
                ObjectId::Policy(name.clone(), policy.name.clone()),
                format!("POLICY {} ON {name}", policy.name),
            )
        });
    }
    for trigger in table.triggers.values() {
        ctx.diff_comment(None, trigger.comment.as_ref(), trigger.meta.span, || {
            (
                ObjectId::Trigger(name.clone(), trigger.name.clone()),
                format!("TRIGGER {} ON {name}", trigger.name),
            )
        });
    }
}
