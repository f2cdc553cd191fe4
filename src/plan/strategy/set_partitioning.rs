//! A table whose partitioning changed (partitioned or not, strategy, key,
//! or parent): PostgreSQL cannot alter this in place, so the table is
//! dropped and created again from the desired definition.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/ddl-partitioning.html): the
//! partitioning of an existing table is fixed at CREATE TABLE; DROP TABLE
//! of a partitioned table drops its partitions.
//!
//! Ordering invariant: the drop comes before the create of the same name
//! (remover before provider), and the rows are not copied: the data-loss
//! hazard says so, naming the table.

use super::attach_partition::{attach_partition, parent_exists};
use super::{create_table, drop, Cx};
use crate::model::Table;
use crate::plan::order::Node;
use crate::plan::Hazard;

pub(super) fn set_partitioning(cx: &Cx<'_>, current: &Table, desired: &Table) -> Vec<Node> {
    let mut nodes = drop::drop_table(cx, current);
    for node in &mut nodes {
        for step in &mut node.steps {
            step.hazards.retain(|note| note.hazard != Hazard::DataLoss);
            step.hazards.push(crate::plan::HazardNote {
                hazard: Hazard::DataLoss,
                message: format!(
                    "the partitioning of {} changed: the table is dropped and created again without its rows",
                    current.name
                ),
            });
        }
    }
    let attach = desired
        .partition_of
        .as_ref()
        .is_some_and(|of| parent_exists(cx, &of.parent));
    if attach {
        if let Ok(attached) = attach_partition(cx, desired) {
            nodes.extend(attached);
            return nodes;
        }
    }
    nodes.extend(create_table::create_table(cx, desired));
    nodes
}
