//! Live table statistics for the planner: estimated rows and total size
//! of the tables a plan's steps touch, read through
//! [`crate::introspect::table_stats`].
//!
//! Invariants: only the tables the plan touches are measured (the size
//! functions lock each relation they measure); a failure never fails the
//! plan: the plan is kept without statistics and the caller notes why.

use crate::introspect::{self, IntrospectError};
use crate::model::QualifiedName;
use crate::plan::{Plan, TableSize};
use std::collections::{BTreeMap, BTreeSet};
use tokio_postgres::Client;

/// The sizes of the tables `plan`'s steps touch; `Err` carries the
/// server's message, for a note.
pub(crate) async fn table_sizes(
    client: &Client,
    plan: &Plan,
) -> Result<BTreeMap<QualifiedName, TableSize>, String> {
    let tables: BTreeSet<&QualifiedName> = plan
        .steps
        .iter()
        .filter_map(|step| step.table.as_ref())
        .collect();
    let tables: Vec<&QualifiedName> = tables.into_iter().collect();
    let stats = introspect::table_stats(client, &tables)
        .await
        .map_err(|err| match err {
            IntrospectError::Query { message, .. } => message,
            other => other.to_string(),
        })?;
    Ok(stats
        .into_iter()
        .map(|(name, stats)| {
            let size = TableSize {
                rows: stats.rows,
                bytes: stats.bytes,
            };
            (name, size)
        })
        .collect())
}
