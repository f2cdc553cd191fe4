//! ChangeSet + context -> Plan: ordered, lock-aware, zero-downtime steps.
//!
//! Invariants:
//! - Pure: no IO, no clock, no randomness; temporary object names derive
//!   from object names.
//! - Every step is decided here (SQL, transaction, locks, rewrites, scans,
//!   hazards, origin); renderers and apply only read it.
//! - Each change is planned by one strategy (`strategy/`), which returns
//!   nodes of contiguous steps; `order` sorts the nodes by dependency.

pub mod hazard;
pub mod lock;
pub(crate) mod order;
pub mod saved;
pub mod step;
pub(crate) mod strategy;

pub use hazard::Hazard;
pub use lock::{Lock, LockMode};
pub use step::{HazardNote, Origin, Plan, Step, TableSize};

use crate::diff::{self, Change, ChangeSet};
use crate::model::{Model, QualifiedName};
use std::collections::{BTreeMap, BTreeSet};

/// Options that change how changes are planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    /// Major version of the target server (e.g. 15).
    pub server_version: u32,
    /// Rows per batch of a backfill.
    pub backfill_batch_size: u32,
}

impl Default for PlanOptions {
    fn default() -> PlanOptions {
        PlanOptions {
            server_version: 15,
            backfill_batch_size: 10_000,
        }
    }
}

/// Everything a strategy may look at besides the change itself.
#[derive(Debug, Clone)]
pub struct PlanCtx<'a> {
    pub current: &'a Model,
    pub desired: &'a Model,
    pub options: PlanOptions,
    /// Live table statistics; empty offline.
    pub stats: BTreeMap<QualifiedName, TableSize>,
}

impl<'a> PlanCtx<'a> {
    pub fn new(current: &'a Model, desired: &'a Model, options: PlanOptions) -> PlanCtx<'a> {
        PlanCtx {
            current,
            desired,
            options,
            stats: BTreeMap::new(),
        }
    }
}

/// A change that schemac cannot plan safely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum PlanError {
    #[error("cannot plan {action} of {object}: {reason}")]
    #[diagnostic(
        code("unsupported-change"),
        help("make this change by hand (or in two releases), then run schemac plan again")
    )]
    Unsupported {
        object: String,
        action: String,
        reason: String,
    },
}

/// Plans a ChangeSet: every change through its strategy, then ordered.
pub fn plan(changes: &ChangeSet, ctx: &PlanCtx<'_>) -> Result<Plan, PlanError> {
    let created = created_tables(changes);
    let mut nodes = Vec::new();
    for (idx, change) in changes.changes.iter().enumerate() {
        let cx = strategy::Cx {
            ctx,
            change_idx: idx,
            object: change.object(),
            span: change.span(),
            created: &created,
        };
        nodes.extend(strategy::plan_change(&cx, change)?);
    }
    let mut steps = order::order(nodes);
    for step in &mut steps {
        if let Some(table) = &step.table {
            step.table_size = ctx.stats.get(table).copied();
        }
    }
    Ok(Plan {
        steps,
        notes: changes.notes.clone(),
    })
}

/// Diff and plan in one call.
pub fn plan_models(
    current: &Model,
    desired: &Model,
    options: &PlanOptions,
) -> Result<Plan, PlanError> {
    let changes = diff::diff(current, desired);
    plan(&changes, &PlanCtx::new(current, desired, options.clone()))
}

/// Tables that exist only after this plan creates them (so they are empty
/// when later steps touch them).
fn created_tables(changes: &ChangeSet) -> BTreeSet<QualifiedName> {
    let mut res = BTreeSet::new();
    for change in &changes.changes {
        if let Change::CreateTable(table) | Change::AttachPartition(table) = change {
            res.insert(table.name.clone());
        } else if let Change::SetPartitioning { desired, .. } = change {
            res.insert(desired.name.clone());
        }
    }
    res
}

#[cfg(test)]
mod tests;
