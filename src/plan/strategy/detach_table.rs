//! A partition that the desired schema declares as a standalone table:
//! detached with its rows, never dropped and created again.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DETACH-PARTITION):
//! a detached partition keeps its rows, its columns (with their NOT NULL),
//! the CHECK and foreign-key constraints it had through the parent, and
//! its indexes (they stop being partitions of the parent's indexes). The
//! detach itself is `DETACH PARTITION ... CONCURRENTLY` where allowed (see
//! `detach_partition::detach_step`): no scan, SHARE UPDATE EXCLUSIVE only.
//!
//! `DETACH ... CONCURRENTLY` leaves a CHECK constraint that duplicates
//! the partition bound, named as PostgreSQL names an unnamed CHECK
//! (`<table>_<key column>_check`); unless the desired table declares a
//! constraint of that name, it is dropped in the next step (`IF EXISTS`:
//! dropping it is only tidying, never a reason to fail).
//!
//! Ordering invariant: the table is detached before any other change of
//! the now standalone table (its node provides the relation those changes
//! require).

use super::detach_partition::detach_step;
use super::Cx;
use crate::model::normalize::choose_object_name;
use crate::model::{sql, Ident, QualifiedName, Table};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, LockMode};

pub(super) fn detach_table(cx: &Cx<'_>, current: &Table, desired: &Table) -> Vec<Node> {
    let Some(of) = &current.partition_of else {
        return Vec::new();
    };
    let name = &desired.name;
    let mut detach = detach_step(cx, current, &of.parent);
    detach.description = format!(
        "{} (it stays as a standalone table with its rows)",
        detach.description
    );
    let concurrently = matches!(
        detach.action,
        Action::DetachPartition {
            concurrently: true,
            ..
        }
    );
    let mut steps = vec![detach];
    if concurrently {
        let check = bound_check_name(cx, current, &of.parent);
        if !desired.constraints.contains_key(&check) {
            steps.push(
                cx.step(
                    Action::DropConstraint {
                        table: name.clone(),
                        name: check.clone(),
                    },
                    format!("drop check {check} that the concurrent detach added"),
                    format!("ALTER TABLE {name} DROP CONSTRAINT IF EXISTS {check}"),
                )
                .on(name, LockMode::AccessExclusive),
            );
        }
    }
    vec![cx
        .node(Phase::AttachPartition, steps)
        .requires([Key::Relation(of.parent.clone())])
        .provides([
            Key::Relation(desired.name.clone()),
            Key::Layout(desired.name.clone()),
            Key::Detached(of.parent.clone()),
        ])]
}

/// The name PostgreSQL gives the CHECK that a concurrent detach adds: an
/// unnamed CHECK over one column is `<table>_<column>_check`, otherwise
/// `<table>_check`, numbered past the names the table already has.
fn bound_check_name(cx: &Cx<'_>, partition: &Table, parent: &QualifiedName) -> Ident {
    let key_column = cx
        .ctx
        .current
        .tables
        .get(parent)
        .and_then(|p| p.partition_by.as_ref())
        .and_then(|by| match by.key.as_slice() {
            [key] if sql::is_plain_identifier(&key.sql) => Some(key.sql.trim().to_string()),
            _ => None,
        });
    let inherited = cx.ctx.current.tables.get(parent).map(|p| &p.constraints);
    choose_object_name(
        partition.name.name.as_str(),
        key_column.as_deref(),
        "check",
        |candidate| {
            let candidate = Ident::new(candidate);
            partition.constraints.contains_key(&candidate)
                || inherited.is_some_and(|c| c.contains_key(&candidate))
        },
    )
}
