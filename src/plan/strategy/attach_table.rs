//! An existing standalone table that the desired schema declares as a
//! partition of an existing partitioned table: attached with its rows,
//! never dropped and created again.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-ATTACH-PARTITION,
//! https://www.postgresql.org/docs/current/ddl-partitioning.html#DDL-PARTITIONING-DECLARATIVE-MAINTENANCE):
//! the table must have exactly the parent's columns with the same types,
//! and the parent's NOT NULL and CHECK constraints. `ATTACH PARTITION`
//! takes SHARE UPDATE EXCLUSIVE on the parent and ACCESS EXCLUSIVE on the
//! table, and scans the table for rows outside the bound unless a valid
//! CHECK constraint proves the bound. So a CHECK equal to the bound is
//! added NOT VALID (brief ACCESS EXCLUSIVE, no scan), validated in its own
//! transaction (SHARE UPDATE EXCLUSIVE: reads and writes go on during the
//! scan), the table attached (no scan) and the helper dropped. ATTACH
//! adopts an index of the table equal to each parent index and builds the
//! missing ones under its ACCESS EXCLUSIVE lock, so the missing plain
//! indexes are built concurrently first.
//!
//! Ordering invariant: the table is attached after the parent's column
//! layout is final; the helper check is named `<table>_bound`, as for new
//! partitions. A table whose columns do not match the parent's is an
//! error naming the column: its rows are never dropped to make it fit.

use super::attach_partition::bound_check;
use super::create_index::{child_index_name, concurrent_step};
use super::{expr_keys, Cx};
use crate::model::{sql, ConstraintKind, Ident, Index, PartitionBound, Table};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, ConstraintAction, Hazard, LockMode, PlanError, Step};

pub(super) fn attach_table(
    cx: &Cx<'_>,
    current: &Table,
    desired: &Table,
) -> Result<Vec<Node>, PlanError> {
    let name = &desired.name;
    let unsupported = |reason: String| PlanError::Unsupported {
        object: format!("table {name}"),
        action: "attaching as a partition".to_string(),
        reason,
    };
    let Some(of) = &desired.partition_of else {
        return Err(unsupported("it is not declared as a partition".to_string()));
    };
    let parent = &of.parent;
    let Some(parent_table) = cx.ctx.desired.tables.get(parent) else {
        return Err(unsupported(format!("its parent {parent} is not declared")));
    };
    check_columns(current, parent_table).map_err(unsupported)?;

    let mut steps = Vec::new();
    // Parent indexes the table lacks: built concurrently, so ATTACH only
    // adopts them.
    for parent_index in parent_table.indexes.values() {
        if current
            .indexes
            .values()
            .any(|own| same_index(own, parent_index))
        {
            continue;
        }
        let mut index = parent_index.clone();
        index.name = child_index_name(parent, name, &parent_index.name);
        index.comment = None;
        steps.push(concurrent_step(cx, name, &index));
    }
    let check = bound_check(parent_table, &of.bound);
    let check_name = Ident::new(truncate(format!("{}_bound", name.name.as_str())));
    if let Some(check) = &check {
        steps.push(
            cx.step(
                Action::AddConstraint {
                    table: name.clone(),
                    name: check_name.clone(),
                    kind: ConstraintAction::Check {
                        expr: check.clone(),
                    },
                    not_valid: true,
                    using_index: None,
                },
                format!("add check {check_name} matching the partition bound (not valid)"),
                format!("ALTER TABLE {name} ADD CONSTRAINT {check_name} CHECK ({check}) NOT VALID"),
            )
            .on(name, LockMode::AccessExclusive),
        );
        steps.push(
            cx.step(
                Action::ValidateConstraint {
                    table: name.clone(),
                    name: check_name.clone(),
                },
                format!("validate check {check_name} (rows outside the bound fail it)"),
                format!("ALTER TABLE {name} VALIDATE CONSTRAINT {check_name}"),
            )
            .on(name, LockMode::ShareUpdateExclusive)
            .scanning(),
        );
    }
    steps.push(attach_step(
        cx,
        desired,
        parent_table,
        current,
        check.clone(),
    ));
    if check.is_some() {
        steps.push(
            cx.step(
                Action::DropConstraint {
                    table: name.clone(),
                    name: check_name.clone(),
                },
                format!("drop check {check_name}"),
                format!("ALTER TABLE {name} DROP CONSTRAINT {check_name}"),
            )
            .on(name, LockMode::AccessExclusive)
            .joining(),
        );
    }
    let mut requires = vec![
        Key::Relation(parent.clone()),
        Key::Layout(parent.clone()),
        Key::Relation(name.clone()),
        Key::Layout(name.clone()),
    ];
    for constraint in parent_table.constraints.values() {
        if let ConstraintKind::Check { expr, .. } = &constraint.kind {
            requires.extend(expr_keys(cx.ctx.desired, None, &expr.sql));
        }
    }
    Ok(vec![cx
        .node(Phase::AttachPartition, steps)
        .requires(requires)])
}

/// `ALTER TABLE parent ATTACH PARTITION table bound`, with the locks and
/// hazards of what ATTACH still does itself.
fn attach_step(
    cx: &Cx<'_>,
    desired: &Table,
    parent_table: &Table,
    current: &Table,
    check: Option<String>,
) -> Step {
    let name = &desired.name;
    let parent = &parent_table.name;
    let bound = desired
        .partition_of
        .as_ref()
        .map(|of| of.bound.clone())
        .unwrap_or(PartitionBound::Default);
    let default_partition = cx.lookups.current_partitions_of(parent).find(|p| {
        p.name != *name
            && p.partition_of
                .as_ref()
                .is_some_and(|of| of.bound == PartitionBound::Default)
    });
    let mut attach = cx
        .step(
            Action::AttachPartition {
                parent: parent.clone(),
                partition: name.clone(),
                bound: sql::partition_bound(&bound),
                bound_check: check.clone(),
                scans_default: default_partition.map(|p| p.name.clone()),
            },
            format!("attach existing table {name} to {parent} (its rows stay)"),
            format!(
                "ALTER TABLE {parent} ATTACH PARTITION {name} {}",
                sql::partition_bound(&bound)
            ),
        )
        .on(name, LockMode::AccessExclusive)
        .lock(parent, LockMode::ShareUpdateExclusive);
    if check.is_none() {
        attach = attach
            .scanning()
            .hazard(
                Hazard::FullScan,
                format!("{name} is scanned for rows outside the partition bound (no CHECK can prove this bound)"),
            )
            .hazard(
                Hazard::LongLock,
                format!("ACCESS EXCLUSIVE on {name} while it is scanned"),
            );
    }
    if let Some(default_partition) = default_partition {
        attach =
            super::attach_partition::scans_default_partition(attach, &default_partition.name, name);
    }
    for constraint in parent_table.constraints.values() {
        match &constraint.kind {
            ConstraintKind::ForeignKey(fk) => {
                attach = attach.lock(&fk.ref_table, LockMode::ShareRowExclusive);
                let own = current
                    .constraints
                    .values()
                    .any(|c| c.kind == constraint.kind);
                if !own {
                    attach = attach.scanning().hazard(
                        Hazard::FullScan,
                        format!(
                            "foreign key {} of {parent} is checked on the rows of {name} while it is attached",
                            constraint.name
                        ),
                    );
                }
            }
            ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. } => {
                let own = current
                    .constraints
                    .values()
                    .any(|c| c.kind == constraint.kind);
                if !own {
                    attach = attach.hazard(
                        Hazard::IndexBuild,
                        format!(
                            "{name} has no key equal to {} of {parent}: ATTACH builds its index under ACCESS EXCLUSIVE",
                            constraint.name
                        ),
                    );
                }
            }
            ConstraintKind::Check { .. } | ConstraintKind::Exclude { .. } => {}
        }
    }
    attach
}

/// The table has exactly the parent's columns, with the same types, and
/// NOT NULL wherever the parent has it; otherwise why not.
fn check_columns(current: &Table, parent: &Table) -> Result<(), String> {
    for column in &parent.columns {
        let Some(own) = current.column(&column.name) else {
            return Err(format!(
                "it has no column {} (the parent {} has one); add it to the table first",
                column.name, parent.name
            ));
        };
        if own.ty != column.ty {
            return Err(format!(
                "its column {} is {} but {} in the parent {}; change the column type first",
                column.name, own.ty, column.ty, parent.name
            ));
        }
        if own.collation != column.collation {
            return Err(format!(
                "its column {} has another collation than in the parent {}; change it first",
                column.name, parent.name
            ));
        }
        if column.not_null && !own.not_null {
            return Err(format!(
                "its column {} allows NULL but is NOT NULL in the parent {}; set it NOT NULL first",
                column.name, parent.name
            ));
        }
    }
    if let Some(extra) = current
        .columns
        .iter()
        .find(|column| parent.column(&column.name).is_none())
    {
        return Err(format!(
            "its column {} is not a column of the parent {}; drop it or add it to the parent first",
            extra.name, parent.name
        ));
    }
    for constraint in parent.constraints.values() {
        if let ConstraintKind::Check {
            no_inherit: false, ..
        } = &constraint.kind
        {
            if !current
                .constraints
                .values()
                .any(|own| own.kind == constraint.kind)
            {
                return Err(format!(
                    "it lacks the parent's CHECK constraint {}; add it to the table first",
                    constraint.name
                ));
            }
        }
    }
    Ok(())
}

/// Equal definitions, names and comments aside.
fn same_index(own: &Index, parent: &Index) -> bool {
    let mut own = own.clone();
    own.name = parent.name.clone();
    own.comment = parent.comment.clone();
    own == *parent
}

fn truncate(mut name: String) -> String {
    while name.len() > 63 {
        name.pop();
    }
    name
}
