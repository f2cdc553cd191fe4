//! Tables that keep their rows while they move in or out of a
//! partitioned table: a standalone table the desired schema declares as a
//! partition of an existing partitioned table is attached
//! (`Change::AttachTable`), and a partition the desired schema declares
//! as a standalone table is detached (`Change::DetachTable`). Neither is
//! ever dropped and created again.
//!
//! After the change the table's own objects are diffed as usual, against
//! what PostgreSQL leaves behind: an attached table's indexes and
//! constraints equal to its parent's become the parent's (ATTACH adopts
//! them) and its columns are the parent's; a detached partition keeps the
//! parent's columns, CHECK and foreign-key constraints, and the indexes
//! and keys it had through the parent.
//!
//! Invariant: only a table whose own partitioning (`partition_by`) is
//! unchanged and whose parent exists on both sides and is not rebuilt is
//! moved this way; everything else is left to the rebuild of `table`.

use super::{constraint, index, table, Change, DiffCtx};
use crate::model::{ConstraintKind, QualifiedName, Table};
use std::collections::BTreeSet;

/// How a paired table moves relative to a partitioned table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Move {
    Attach,
    Detach,
}

/// The move of a table present on both sides, when it is one: `parents`
/// tells whether a desired parent name exists on both sides and is kept
/// (neither rebuilt nor re-bound); `current_parent_kept` the same for the
/// current parent name.
pub(super) fn table_move(
    current: &Table,
    desired: &Table,
    desired_parent_kept: impl Fn(&QualifiedName) -> bool,
    current_parent_kept: impl Fn(&QualifiedName) -> bool,
) -> Option<Move> {
    if current.partition_by.is_some() || desired.partition_by.is_some() {
        return None;
    }
    match (&current.partition_of, &desired.partition_of) {
        (None, Some(of)) if desired_parent_kept(&of.parent) => Some(Move::Attach),
        (Some(of), None) if current_parent_kept(&of.parent) => Some(Move::Detach),
        _ => None,
    }
}

/// A standalone table becomes a partition of `desired`'s parent.
pub(super) fn diff_attached<'a>(ctx: &mut DiffCtx<'a>, current: &'a Table, desired: &'a Table) {
    ctx.push(Change::AttachTable { current, desired });
    let parent = desired
        .partition_of
        .as_ref()
        .and_then(|of| ctx.desired.tables.get(&of.parent));
    let mut after = current.clone();
    after.columns.clear();
    after.partition_of = desired.partition_of.clone();
    if let Some(parent) = parent {
        after.indexes.retain(|_, own| {
            !parent
                .indexes
                .values()
                .any(|p| index::same_definition(p, own))
        });
        after.constraints.retain(|_, own| {
            !parent
                .constraints
                .values()
                .any(|p| constraint::same_definition(p, own))
        });
    }
    table::diff_table(ctx, &after, desired, false);
}

/// A partition becomes a standalone table.
pub(super) fn diff_detached<'a>(ctx: &mut DiffCtx<'a>, current: &'a Table, desired: &'a Table) {
    ctx.push(Change::DetachTable { current, desired });
    let parent = current
        .partition_of
        .as_ref()
        .and_then(|of| ctx.current.tables.get(&of.parent));
    let mut after = current.clone();
    after.partition_of = None;
    if let Some(parent) = parent {
        after.columns = parent.columns.clone();
        // CHECKs and foreign keys stay on the detached table under the
        // parent's names.
        for (name, parent_constraint) in &parent.constraints {
            let kept = match &parent_constraint.kind {
                ConstraintKind::Check { no_inherit, .. } => !no_inherit,
                ConstraintKind::ForeignKey(_) => true,
                ConstraintKind::PrimaryKey { .. }
                | ConstraintKind::Unique { .. }
                | ConstraintKind::Exclude { .. } => false,
            };
            if kept {
                after
                    .constraints
                    .entry(name.clone())
                    .or_insert_with(|| parent_constraint.clone());
            }
        }
        // Keys and indexes the partition had through the parent stay under
        // the partition's own names, which the current Model does not
        // hold: a desired key or index equal to a parent's is taken as kept.
        let mut taken: BTreeSet<_> = BTreeSet::new();
        for (name, wanted) in &desired.constraints {
            let inherited = parent.constraints.values().any(|p| {
                matches!(
                    p.kind,
                    ConstraintKind::PrimaryKey { .. }
                        | ConstraintKind::Unique { .. }
                        | ConstraintKind::Exclude { .. }
                ) && constraint::same_definition(p, wanted)
            });
            if inherited && !after.constraints.contains_key(name) {
                after.constraints.insert(name.clone(), wanted.clone());
                taken.insert(name.clone());
            }
        }
        for (name, wanted) in &desired.indexes {
            let inherited = parent
                .indexes
                .values()
                .any(|p| index::same_definition(p, wanted));
            if inherited && !after.indexes.contains_key(name) && !taken.contains(name) {
                after.indexes.insert(name.clone(), wanted.clone());
            }
        }
    }
    table::diff_table(ctx, &after, desired, false);
}

#[cfg(test)]
mod tests {
    use crate::model::*;
    use crate::plan::strategy::test_support::{column, model, not_null, plan_text, table};

    fn parent() -> Table {
        let mut parent = table(
            "events",
            vec![not_null(column("at", "date")), column("kind", "text")],
        );
        parent.partition_by = Some(PartitionBy {
            strategy: PartitionStrategy::Range,
            key: vec![SqlExpr::raw("at")],
        });
        parent
    }

    fn partition(name: &str, from: &str, to: &str) -> Table {
        let mut part = Table::new(QualifiedName::public(name));
        part.partition_of = Some(PartitionOf {
            parent: QualifiedName::public("events"),
            bound: PartitionBound::Range {
                from: vec![BoundValue::Literal(SqlExpr::raw(from))],
                to: vec![BoundValue::Literal(SqlExpr::raw(to))],
            },
        });
        part
    }

    fn standalone(name: &str, columns: Vec<Column>) -> Table {
        table(name, columns)
    }

    #[test]
    fn an_existing_table_is_attached_with_a_validated_bound_check() {
        let current = model(vec![
            parent(),
            standalone(
                "events_2026",
                vec![not_null(column("at", "date")), column("kind", "text")],
            ),
        ]);
        let desired = model(vec![
            parent(),
            partition("events_2026", "'2026-01-01'", "'2027-01-01'"),
        ]);
        insta::assert_snapshot!(plan_text(&current, &desired), @r"
        tx ALTER TABLE public.events_2026 ADD CONSTRAINT events_2026_bound CHECK (at IS NOT NULL AND at >= '2026-01-01' AND at < '2027-01-01') NOT VALID
        tx ALTER TABLE public.events_2026 VALIDATE CONSTRAINT events_2026_bound
        tx ALTER TABLE public.events ATTACH PARTITION public.events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')
        +tx ALTER TABLE public.events_2026 DROP CONSTRAINT events_2026_bound
        ");
    }

    #[test]
    fn a_table_whose_columns_differ_is_refused_naming_the_column() {
        let current = model(vec![
            parent(),
            standalone(
                "events_2026",
                vec![not_null(column("at", "timestamp")), column("kind", "text")],
            ),
        ]);
        let desired = model(vec![
            parent(),
            partition("events_2026", "'2026-01-01'", "'2027-01-01'"),
        ]);
        insta::assert_snapshot!(plan_text(&current, &desired), @"error: cannot plan attaching as a partition of table public.events_2026: its column at is timestamp but date in the parent public.events; change the column type first");
        let nullable = model(vec![
            parent(),
            standalone(
                "events_2026",
                vec![column("at", "date"), column("kind", "text")],
            ),
        ]);
        assert!(plan_text(&nullable, &desired).contains("set it NOT NULL first"));
    }

    #[test]
    fn a_partition_declared_standalone_is_detached_not_dropped() {
        let current = model(vec![
            parent(),
            partition("events_2025", "'2025-01-01'", "'2026-01-01'"),
        ]);
        let desired = model(vec![
            parent(),
            standalone(
                "events_2025",
                vec![not_null(column("at", "date")), column("kind", "text")],
            ),
        ]);
        insta::assert_snapshot!(plan_text(&current, &desired), @r"
        no-tx ALTER TABLE public.events DETACH PARTITION public.events_2025 CONCURRENTLY
        tx ALTER TABLE public.events_2025 DROP CONSTRAINT IF EXISTS events_2025_at_check
        ");
    }
}
