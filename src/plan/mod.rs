//! ChangeSet + context -> Plan: ordered, lock-aware, zero-downtime steps.
//!
//! Invariants:
//! - Pure: no IO, no clock, no randomness; temporary object names derive
//!   from object names.
//! - Every step is decided here (SQL, transaction, locks, rewrites, scans,
//!   hazards, origin); renderers and apply only read it.
//! - Each change is planned by one strategy (`strategy/`), which returns
//!   nodes of contiguous steps; `order` sorts the nodes by dependency.
//! - Hazards are raised where a step is built, never inferred from SQL.
//! - Every step carries its [`Action`], set where it is built; consumers
//!   read the action, never the SQL text.
//!
//! # Online and direct mode
//!
//! By default (`PlanOptions::online = true`) every strategy keeps the
//! table available: indexes are built and dropped `CONCURRENTLY` (a changed
//! index is built under a temporary name first), CHECK and FOREIGN KEY
//! constraints are added `NOT VALID` and validated separately, UNIQUE and
//! PRIMARY KEY constraints are attached to a concurrently built index, SET
//! NOT NULL goes through a validated CHECK, a volatile default is
//! backfilled in batches, policies exist before RLS is enabled, a changed
//! policy is replaced in one transaction, and Citus tables are distributed
//! with `create_distributed_table_concurrently`.
//!
//! With `online = false` (direct mode, for development and empty
//! databases where speed matters more than locks) the planner emits what a
//! naive diff tool would: plain `CREATE INDEX` / `DROP INDEX` (a changed
//! index is dropped, then created), constraints added valid in one step
//! (`ADD CONSTRAINT ... UNIQUE (cols)` included), `SET NOT NULL` directly,
//! `ADD COLUMN ... DEFAULT volatile()` directly, `ENABLE`/`FORCE ROW LEVEL
//! SECURITY` with the table's ALTER steps before its policies, a changed
//! policy that ALTER POLICY cannot express as `DROP POLICY` and `CREATE
//! POLICY` in separate transactions, and `create_distributed_table`. The
//! steps carry the hazards these forms raise on a table that exists
//! (`long-lock`, `full-scan`, `table-rewrite`, `index-build`,
//! `rls-lockout`, `shard-data-movement`), besides those the online plan
//! would have; on tables created by the plan both modes are the same.

pub mod action;
pub mod action_record;
mod group;
pub mod hazard;
pub mod implied_hazards;
pub mod lock;
mod lookup;
pub(crate) mod order;
pub mod saved;
pub mod step;
pub(crate) mod strategy;

pub use action::{Action, AttributeChange, ConstraintAction, DomainChange, IdentityChange};
pub use action_record::ActionRecord;
pub use hazard::Hazard;
pub use lock::{Lock, LockMode};
pub use step::{HazardNote, Origin, Plan, Step, TableSize};

use crate::diff::{self, Change, ChangeSet};
use crate::model::{Ident, Index, Model, QualifiedName};
use std::collections::{BTreeMap, BTreeSet};

/// Options that change how changes are planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    /// Major version of the target server (e.g. 15).
    pub server_version: u32,
    /// Rows per batch of a backfill.
    pub backfill_batch_size: u32,
    /// Zero-downtime strategies (the default). `false` selects the direct
    /// mode described in the module docs.
    pub online: bool,
}

impl Default for PlanOptions {
    fn default() -> PlanOptions {
        PlanOptions {
            server_version: 15,
            backfill_batch_size: 10_000,
            online: true,
        }
    }
}

/// Everything a strategy may look at besides the change itself.
#[derive(Debug, Clone)]
pub struct PlanCtx<'a> {
    pub current: &'a Model,
    pub desired: &'a Model,
    pub options: PlanOptions,
}

impl<'a> PlanCtx<'a> {
    pub fn new(current: &'a Model, desired: &'a Model, options: PlanOptions) -> PlanCtx<'a> {
        PlanCtx {
            current,
            desired,
            options,
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
pub fn plan(changes: &ChangeSet<'_>, ctx: &PlanCtx<'_>) -> Result<Plan, PlanError> {
    // Slices too small would cost more to start than they save.
    let threads = if changes.changes.len() >= PARALLEL_MIN_CHANGES {
        crate::frontend::threads()
    } else {
        1
    };
    plan_on(changes, ctx, threads)
}

/// [`plan`] with the changes in `threads` consecutive slices, each planned
/// on its own thread (the same plan for any number).
pub(crate) fn plan_on(
    changes: &ChangeSet<'_>,
    ctx: &PlanCtx<'_>,
    threads: usize,
) -> Result<Plan, PlanError> {
    let created = created_tables(changes);
    let replaced = replaced_indexes(changes, ctx, &created);
    let lookups = lookup::Lookups::new(ctx.current, ctx.desired);
    let plan_range = |range: std::ops::Range<usize>| -> Result<Vec<order::Node>, PlanError> {
        let mut nodes = Vec::new();
        for idx in range {
            let change = &changes.changes[idx];
            let cx = strategy::Cx {
                ctx,
                change_idx: idx,
                object: change.object(),
                span: change.span(),
                role: change.creating_role().cloned(),
                created: &created,
                replaced_indexes: &replaced,
                lookups: &lookups,
            };
            let mut planned = strategy::plan_change(&cx, change)?;
            if change.creating_role().is_some() {
                // Steps run as another role wait for the desired privileges
                // of the schema they create in.
                let schema = match change.object() {
                    crate::model::ObjectId::Schema(_) | crate::model::ObjectId::Extension(_) => {
                        None
                    }
                    other => other.schema().cloned(),
                };
                if let Some(schema) = schema {
                    for node in &mut planned {
                        if node.steps.iter().any(|step| step.role.is_some()) {
                            node.requires
                                .push(order::Key::SchemaPrivileges(schema.clone()));
                        }
                    }
                }
            }
            nodes.extend(planned);
        }
        Ok(nodes)
    };
    // Each change is planned on its own: a large change set is planned in
    // consecutive slices, one per core, joined in order (the first error
    // in change order wins, as on one thread).
    let total = changes.changes.len();
    let slices = threads.min(total).max(1);
    let nodes = if slices == 1 {
        plan_range(0..total)?
    } else {
        let per = total.div_ceil(slices);
        let planned: Vec<Result<Vec<order::Node>, PlanError>> = std::thread::scope(|scope| {
            let plan_range = &plan_range;
            let handles: Vec<_> = (0..slices)
                .map(|slice| {
                    let range = (slice * per).min(total)..((slice + 1) * per).min(total);
                    scope.spawn(move || plan_range(range))
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| {
                    handle
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        let mut nodes = Vec::new();
        for slice in planned {
            nodes.extend(slice?);
        }
        nodes
    };
    let mut steps = order::order(nodes);
    group::join_fresh_steps(&mut steps, ctx.current, &created);
    // The file's own search_path (or one derived for the SQL functions
    // table expressions call), which SQL function bodies inlined by the
    // steps resolve names through (model::session, graph::deps).
    let search_path = if steps.is_empty() {
        None
    } else {
        crate::graph::deps::session_search_path(ctx.desired)
    };
    Ok(Plan {
        steps,
        notes: changes.notes.clone(),
        search_path,
    })
}

/// Change sets at least this large are planned on every core (a
/// 1,000-table schema planned from empty has about 3,200 changes).
const PARALLEL_MIN_CHANGES: usize = 2_000;

/// Diff and plan in one call.
pub fn plan_models(
    current: &Model,
    desired: &Model,
    options: &PlanOptions,
) -> Result<Plan, PlanError> {
    let followed = diff::follow_renames(current, desired);
    let current = followed.as_ref().map_or(current, |f| &f.current);
    let mut changes = diff::diff(current, desired);
    if let Some(followed) = &followed {
        changes
            .changes
            .splice(0..0, followed.changes.iter().cloned());
    }
    plan(&changes, &PlanCtx::new(current, desired, options.clone()))
}

/// Indexes dropped and created again under the same name on a table that
/// exists (and is not partitioned): planned as one replacement (build the
/// new index under a temporary name, drop the old, rename), keyed by
/// (table, name), with the current index.
fn replaced_indexes(
    changes: &ChangeSet<'_>,
    ctx: &PlanCtx<'_>,
    created: &BTreeSet<QualifiedName>,
) -> BTreeMap<(QualifiedName, Ident), Index> {
    let partitioned = |table: &QualifiedName| {
        [ctx.current, ctx.desired].iter().any(|model| {
            model
                .tables
                .get(table)
                .is_some_and(|t| t.partition_by.is_some())
        })
    };
    let created_indexes: BTreeSet<(&QualifiedName, &Ident)> = changes
        .changes
        .iter()
        .filter_map(|change| {
            if let Change::CreateIndex { table, index } = change {
                Some((table, &index.name))
            } else {
                None
            }
        })
        .collect();
    let mut res = BTreeMap::new();
    for change in &changes.changes {
        let Change::DropIndex { table, index } = change else {
            continue;
        };
        let recreated = created_indexes.contains(&(table, &index.name));
        if ctx.options.online && recreated && !created.contains(table) && !partitioned(table) {
            res.insert((table.clone(), index.name.clone()), index.clone());
        }
    }
    res
}

/// Tables that exist only after this plan creates them (so they are empty
/// when later steps touch them).
fn created_tables(changes: &ChangeSet<'_>) -> BTreeSet<QualifiedName> {
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

#[cfg(test)]
mod action_tests;
