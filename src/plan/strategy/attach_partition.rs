//! A new partition of an existing partitioned table.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-ATTACH-PARTITION,
//! https://www.postgresql.org/docs/current/ddl-partitioning.html#DDL-PARTITIONING-DECLARATIVE-MAINTENANCE):
//! `CREATE TABLE ... PARTITION OF` would take ACCESS EXCLUSIVE on the
//! parent, while `ATTACH PARTITION` takes only SHARE UPDATE EXCLUSIVE on
//! the parent (ACCESS EXCLUSIVE on the table being attached and on the
//! parent's DEFAULT partition, which it scans). So the partition is created
//! standalone with `LIKE parent INCLUDING DEFAULTS INCLUDING CONSTRAINTS
//! INCLUDING GENERATED` (the parent's CHECKs must be present to attach;
//! indexes, unique keys and foreign keys are created or cloned by ATTACH
//! itself, on the still empty table), a CHECK equal to the partition bound
//! is added NOT VALID and validated (so ATTACH can skip its own scan), the
//! table is attached, and the helper check dropped.
//!
//! Ordering invariant: the partition is attached after the parent's
//! column layout is final, and before indexes of the parent that are
//! built per partition. The helper check is named `<partition>_bound`.

use super::add_constraint::add_action;
use super::create_index::index_action;
use super::{expr_keys, Cx};
use crate::model::{sql, BoundValue, ConstraintKind, PartitionBound, QualifiedName, Table};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, ConstraintAction, Hazard, LockMode, PlanError, Step};

pub(super) fn attach_partition(cx: &Cx<'_>, table: &Table) -> Result<Vec<Node>, PlanError> {
    let Some(of) = &table.partition_of else {
        return Err(PlanError::Unsupported {
            object: format!("table {}", table.name),
            action: "attaching".to_string(),
            reason: "it is not declared as a partition".to_string(),
        });
    };
    let name = &table.name;
    let parent = &of.parent;
    let mut like = format!(
        "CREATE TABLE {name} (LIKE {parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)"
    );
    if let Some(by) = &table.partition_by {
        like.push_str(&format!(" {}", sql::partition_by(by)));
    }
    let mut steps = vec![cx
        .step(
            Action::CreateTable {
                table: name.clone(),
                partition_of: None,
                like: Some(parent.clone()),
            },
            format!("create table {name} for partition of {parent}"),
            like,
        )
        .on(name, LockMode::AccessExclusive)
        .lock(parent, LockMode::AccessShare)];
    let mut requires = vec![Key::Relation(parent.clone()), Key::Layout(parent.clone())];
    let mut provides = vec![Key::Relation(name.clone())];
    // The partition's own constraints and indexes, on the empty table.
    for constraint in table.constraints.values() {
        if let ConstraintKind::Check { expr, .. } = &constraint.kind {
            requires.extend(expr_keys(cx.ctx.desired, None, &expr.sql));
        }
        provides.push(Key::Constraint(name.clone(), constraint.name.clone()));
        steps.push(
            cx.step(
                add_action(name, constraint, false),
                format!("add constraint {} on new partition {name}", constraint.name),
                format!("ALTER TABLE {name} ADD {}", sql::constraint_def(constraint)),
            )
            .on(name, LockMode::AccessExclusive)
            .joining(),
        );
    }
    for index in table.indexes.values() {
        provides.push(Key::Index(name.clone(), index.name.clone()));
        steps.push(
            cx.step(
                index_action(name, index, false, false),
                format!("create index {} on new partition {name}", index.name),
                sql::create_index(name, index, sql::IndexForm::default()),
            )
            .on(name, LockMode::Share)
            .joining(),
        );
    }
    let parent_table = cx.ctx.desired.tables.get(parent);
    let check = parent_table.and_then(|p| bound_check(p, &of.bound));
    let check_name = crate::model::Ident::new(truncate(format!("{}_bound", name.name.as_str())));
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
            .on(name, LockMode::AccessExclusive)
            .joining(),
        );
        steps.push(
            cx.step(
                Action::ValidateConstraint {
                    table: name.clone(),
                    name: check_name.clone(),
                },
                format!("validate check {check_name}"),
                format!("ALTER TABLE {name} VALIDATE CONSTRAINT {check_name}"),
            )
            .on(name, LockMode::ShareUpdateExclusive)
            .joining(),
        );
    }
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
                bound: sql::partition_bound(&of.bound),
                bound_check: check.clone(),
                scans_default: default_partition.map(|p| p.name.clone()),
            },
            format!("attach partition {name} to {parent}"),
            format!(
                "ALTER TABLE {parent} ATTACH PARTITION {name} {}",
                sql::partition_bound(&of.bound)
            ),
        )
        .on(parent, LockMode::ShareUpdateExclusive)
        .lock(name, LockMode::AccessExclusive);
    if let Some(default_partition) = default_partition {
        attach = scans_default_partition(attach, &default_partition.name, name);
    }
    if let Some(parent_table) = parent_table {
        for constraint in parent_table.constraints.values() {
            if let ConstraintKind::ForeignKey(fk) = &constraint.kind {
                attach = attach.lock(&fk.ref_table, LockMode::ShareRowExclusive);
            }
        }
    }
    steps.push(attach);
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
    requires.retain(|key| !provides.contains(key));
    Ok(vec![cx
        .node(Phase::AttachPartition, steps)
        .provides(provides)
        .requires(requires)])
}

fn truncate(mut name: String) -> String {
    while name.len() > 63 {
        name.pop();
    }
    name
}

/// A CHECK expression equal to PostgreSQL's partition constraint, for a
/// parent partitioned on one plain column by range or list; `None`
/// otherwise (ATTACH then scans the new, empty table itself).
pub(crate) fn bound_check(parent: &Table, bound: &PartitionBound) -> Option<String> {
    let by = parent.partition_by.as_ref()?;
    let [key] = by.key.as_slice() else {
        return None;
    };
    if !sql::is_plain_identifier(&key.sql) {
        return None;
    }
    let column = key.sql.trim();
    match bound {
        PartitionBound::Range { from, to } => {
            let mut parts = vec![format!("{column} IS NOT NULL")];
            if let Some(BoundValue::Literal(value)) = from.first() {
                parts.push(format!("{column} >= {value}"));
            }
            if let Some(BoundValue::Literal(value)) = to.first() {
                parts.push(format!("{column} < {value}"));
            }
            Some(parts.join(" AND "))
        }
        PartitionBound::List(values) => {
            let literals: Vec<String> = values
                .iter()
                .filter_map(|value| match value {
                    BoundValue::Literal(expr) => Some(expr.to_string()),
                    BoundValue::MinValue | BoundValue::MaxValue | BoundValue::Null => None,
                })
                .collect();
            let has_null = values.iter().any(|value| matches!(value, BoundValue::Null));
            let in_list = format!("{column} = ANY (ARRAY[{}])", literals.join(", "));
            match (has_null, literals.is_empty()) {
                (false, false) => Some(format!("{column} IS NOT NULL AND {in_list}")),
                (true, false) => Some(format!("{column} IS NULL OR {in_list}")),
                (true, true) => Some(format!("{column} IS NULL")),
                (false, true) => None,
            }
        }
        PartitionBound::Hash { .. } | PartitionBound::Default => None,
    }
}

/// Used by other strategies: is `parent` a table that exists before the plan?
pub(crate) fn parent_exists(cx: &Cx<'_>, parent: &QualifiedName) -> bool {
    !cx.is_new(parent) && cx.ctx.current.tables.contains_key(parent)
}

/// An ATTACH that scans the parent's default partition for rows that
/// belong in `partition`: its lock and hazards.
pub(super) fn scans_default_partition(
    attach: Step,
    default_partition: &QualifiedName,
    partition: &QualifiedName,
) -> Step {
    attach
        .lock(default_partition, LockMode::AccessExclusive)
        .scanning()
        .hazard(
            Hazard::FullScan,
            format!("default partition {default_partition} is scanned for rows that belong in {partition}"),
        )
        .hazard(
            Hazard::LongLock,
            format!("ACCESS EXCLUSIVE on default partition {default_partition} while it is scanned"),
        )
}
