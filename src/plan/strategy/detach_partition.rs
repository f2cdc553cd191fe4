//! Removing a partition: detach, then drop.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DETACH-PARTITION):
//! `DETACH PARTITION ... CONCURRENTLY` (PostgreSQL 14+) takes only SHARE
//! UPDATE EXCLUSIVE on the parent and the partition, runs outside a
//! transaction block, and is refused when the parent has a DEFAULT
//! partition; then the plain form is used, which takes ACCESS EXCLUSIVE on
//! the parent (briefly: no scan). `DROP TABLE` of the detached table then
//! only locks that table.
//!
//! Ordering invariant: the partition is detached after whatever replaces
//! it is attached (creates before drops), and before a partition of the
//! same name is attached again.

use super::Cx;
use crate::model::{PartitionBound, QualifiedName, Table};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, Hazard, LockMode, Step};

pub(super) fn detach_partition(cx: &Cx<'_>, table: &Table) -> Vec<Node> {
    let name = &table.name;
    let Some(of) = &table.partition_of else {
        return super::drop::drop_table(cx, table);
    };
    let parent = &of.parent;
    let detach = detach_step(cx, table, parent);
    let drop = cx
        .step(
            Action::DropTable {
                table: name.clone(),
                partition_of: Some(parent.clone()),
            },
            format!("drop table {name}"),
            format!("DROP TABLE {name}"),
        )
        .on(name, LockMode::AccessExclusive)
        .hazard(
            Hazard::DataLoss,
            format!("partition {name} and its rows are dropped"),
        );
    vec![cx
        .node(Phase::DetachPartition, vec![detach, drop])
        .removes([Key::Relation(name.clone()), Key::Shape(name.clone())])
        .provides([Key::Detached(parent.clone())])]
}

/// `ALTER TABLE parent DETACH PARTITION table [CONCURRENTLY]`:
/// concurrently where PostgreSQL allows it (14+, no DEFAULT partition).
pub(super) fn detach_step(cx: &Cx<'_>, table: &Table, parent: &QualifiedName) -> Step {
    let name = &table.name;
    let has_default = cx.lookups.current_partitions_of(parent).any(|p| {
        p.partition_of
            .as_ref()
            .is_some_and(|of| of.bound == PartitionBound::Default)
    });
    if has_default || cx.version() < 14 {
        let reason = if has_default {
            format!("{parent} has a default partition, so the partition cannot be detached concurrently")
        } else {
            "DETACH PARTITION CONCURRENTLY needs PostgreSQL 14".to_string()
        };
        cx.step(
            Action::DetachPartition {
                parent: parent.clone(),
                partition: name.clone(),
                concurrently: false,
            },
            format!("detach partition {name} from {parent}"),
            format!("ALTER TABLE {parent} DETACH PARTITION {name}"),
        )
        .on(parent, LockMode::AccessExclusive)
        .lock(name, LockMode::AccessExclusive)
        .hazard(
            Hazard::LongLock,
            format!("ACCESS EXCLUSIVE on {parent} while {name} is detached: {reason}"),
        )
    } else {
        cx.step(
            Action::DetachPartition {
                parent: parent.clone(),
                partition: name.clone(),
                concurrently: true,
            },
            format!("detach partition {name} from {parent} concurrently"),
            format!("ALTER TABLE {parent} DETACH PARTITION {name} CONCURRENTLY"),
        )
        .non_transactional()
        .on(parent, LockMode::ShareUpdateExclusive)
        .lock(name, LockMode::ShareUpdateExclusive)
    }
}
