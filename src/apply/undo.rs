//! Undoing a logical change whose step failed: the database is left as it
//! was before that change, and the error says exactly what was undone and
//! what was not.
//!
//! A logical change is the steps one strategy built for one change of the
//! diff (`Step::origin.change`); a strategy puts steps that must stand or
//! fall together in one transaction where their locks allow it (a column
//! default dropped for a type change), so a failed transaction needs no
//! undo. What an earlier, committed step of the change did is undone from
//! its typed [`Action`]:
//! - a concurrent index build that failed leaves an INVALID index: dropped
//!   (`DROP INDEX CONCURRENTLY`);
//! - an index built by an earlier step of the change: dropped;
//! - a constraint added by an earlier step (the `NOT VALID` helper of SET
//!   NOT NULL or of a partition attach, a CHECK or FOREIGN KEY waiting for
//!   its VALIDATE): dropped, which also takes back its validation;
//! - anything else that committed (an added column, a set default, a
//!   detached partition) is named as not undone.
//!
//! Invariants: undo statements are built from actions, never from step
//! SQL; every undone step is recorded `failed` in the history, so running
//! apply again runs it again; an undo that fails is reported, never hidden.

use super::history;
use crate::model::{Ident, QualifiedName};
use crate::plan::{Action, Plan};
use std::collections::BTreeSet;
use std::time::Duration;
use tokio_postgres::Client;

/// One statement that takes back part of a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undo {
    /// The failed concurrent build's INVALID index, when it is there.
    DropInvalidIndex { index: QualifiedName },
    /// An index an earlier step of the change built.
    DropIndex { index: QualifiedName },
    /// A constraint an earlier step of the change added.
    DropConstraint { table: QualifiedName, name: Ident },
}

impl Undo {
    /// The statement (run outside a transaction for indexes, which are
    /// dropped concurrently).
    pub fn sql(&self) -> String {
        match self {
            Undo::DropInvalidIndex { index } | Undo::DropIndex { index } => {
                format!("DROP INDEX CONCURRENTLY IF EXISTS {index}")
            }
            Undo::DropConstraint { table, name } => {
                format!("ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
            }
        }
    }

    /// What was undone, for the message.
    pub fn describe(&self) -> String {
        match self {
            Undo::DropInvalidIndex { index } => {
                format!("dropped the INVALID index {index} the failed build left")
            }
            Undo::DropIndex { index } => format!("dropped index {index}"),
            Undo::DropConstraint { table, name } => {
                format!("dropped constraint {name} on {table}")
            }
        }
    }
}

/// What to do after step `failed` failed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UndoPlan {
    /// In order: (the earlier step it takes back, 0-based, if any; the
    /// statement).
    pub undo: Vec<(Option<usize>, Undo)>,
    /// Earlier committed steps of the change that cannot be undone: (step,
    /// description).
    pub kept: Vec<(usize, String)>,
}

/// The undo of the logical change of step `failed`, given the steps that
/// are committed (`done`, by this run or an earlier one).
pub fn plan_undo(plan: &Plan, failed: usize, done: &BTreeSet<usize>) -> UndoPlan {
    let mut res = UndoPlan::default();
    let failed_step = &plan.steps[failed];
    if !failed_step.transactional {
        if let Some((table, name)) = failed_step.action.concurrent_index_build() {
            res.undo.push((
                None,
                Undo::DropInvalidIndex {
                    index: QualifiedName::new(table.schema.as_str(), name.as_str()),
                },
            ));
        }
    }
    let change = failed_step.origin.change;
    let earlier: Vec<usize> = (0..failed)
        .rev()
        .filter(|idx| done.contains(idx) && plan.steps[*idx].origin.change == change)
        .collect();
    // Constraints an earlier step of the change already dropped again.
    let mut dropped: BTreeSet<(QualifiedName, Ident)> = BTreeSet::new();
    for idx in earlier {
        let step = &plan.steps[idx];
        match &step.action {
            Action::CreateIndex { table, name, .. } => res.undo.push((
                Some(idx),
                Undo::DropIndex {
                    index: QualifiedName::new(table.schema.as_str(), name.as_str()),
                },
            )),
            Action::AddConstraint { table, name, .. } => {
                if !dropped.contains(&(table.clone(), name.clone())) {
                    res.undo.push((
                        Some(idx),
                        Undo::DropConstraint {
                            table: table.clone(),
                            name: name.clone(),
                        },
                    ));
                }
            }
            Action::DropConstraint { table, name } => {
                dropped.insert((table.clone(), name.clone()));
            }
            // Validation belongs to the constraint: dropping it (above)
            // takes it back; validating an existing constraint changes
            // nothing to undo.
            Action::ValidateConstraint { .. } => {}
            _ => res.kept.push((idx, step.description.clone())),
        }
    }
    res
}

/// Runs the undo of step `failed` (0-based) and returns what to tell the
/// user: one line per thing undone, not undone, or failed to undo.
pub(super) async fn run_undo(
    client: &Client,
    plan: &Plan,
    key: &history::RunKey,
    failed: usize,
    done: &mut BTreeSet<usize>,
    lock_timeout: Duration,
) -> String {
    let step = &plan.steps[failed];
    let mut lines = Vec::new();
    if step.transactional {
        lines.push("undone: the failed step's transaction was rolled back".to_string());
    } else if step.action.concurrent_index_build().is_none() {
        lines.push(
            "not undone: the failed step ran outside a transaction; what it committed stays"
                .to_string(),
        );
    }
    let undo = plan_undo(plan, failed, done);
    let _ = client
        .batch_execute(&format!(
            "SET lock_timeout = {}",
            lock_timeout.as_millis().max(1)
        ))
        .await;
    for (earlier, action) in &undo.undo {
        if let Undo::DropInvalidIndex { index } = action {
            let validity =
                super::executor::index_validity(client, index.schema.as_str(), index.name.as_str())
                    .await;
            match validity {
                Ok(Some(false)) => {}
                // No index, or a valid one that was there before: nothing
                // of this step to drop.
                Ok(_) => continue,
                Err(err) => {
                    lines.push(format!("not undone: could not read index {index}: {err}"));
                    continue;
                }
            }
        }
        let by = earlier
            .map(|idx| format!(" (added by step {})", idx + 1))
            .unwrap_or_default();
        match client.batch_execute(&action.sql()).await {
            Ok(()) => {
                lines.push(format!("undone: {}{by}", action.describe()));
                if let Some(idx) = earlier {
                    done.remove(idx);
                    let message = format!("undone after step {} failed", failed + 1);
                    let _ =
                        history::mark_failed(client, key, *idx, &plan.steps[*idx], &message).await;
                }
            }
            Err(err) => lines.push(format!(
                "NOT undone: {}{by} failed: {}; run `{}` by hand",
                action.describe(),
                crate::introspect::error_message(&err),
                action.sql()
            )),
        }
    }
    let _ = client.batch_execute("RESET lock_timeout").await;
    for (idx, description) in &undo.kept {
        lines.push(format!(
            "not undone: step {} ({description}) stays applied",
            idx + 1
        ));
    }
    lines
        .iter()
        .map(|line| format!("  {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{ConstraintAction, Origin, Step};

    fn step(action: Action, change: usize, transactional: bool) -> Step {
        Step {
            role: None,
            description: action.kind().to_string(),
            action,
            sql: "SELECT 1".to_string(),
            transactional,
            joins_previous: false,
            locks: Vec::new(),
            rewrites: false,
            scans: false,
            hazards: Vec::new(),
            table: None,
            table_size: None,
            origin: Origin {
                change,
                object: crate::model::ObjectId::Table(QualifiedName::public("t")),
                span: None,
            },
        }
    }

    fn t() -> QualifiedName {
        QualifiedName::public("t")
    }

    #[test]
    fn a_failed_validate_drops_the_helper_of_its_change_only() {
        let add = |name: &str, change| {
            step(
                Action::AddConstraint {
                    table: t(),
                    name: Ident::new(name),
                    kind: ConstraintAction::NotNullCheck {
                        column: Ident::new("a"),
                    },
                    not_valid: true,
                    using_index: None,
                },
                change,
                true,
            )
        };
        let plan = Plan {
            search_path: None,
            steps: vec![
                add("other_not_null", 0),
                add("a_not_null", 1),
                step(
                    Action::ValidateConstraint {
                        table: t(),
                        name: Ident::new("a_not_null"),
                    },
                    1,
                    true,
                ),
            ],
            notes: Vec::new(),
        };
        let undo = plan_undo(&plan, 2, &BTreeSet::from([0, 1]));
        assert_eq!(
            undo.undo,
            vec![(
                Some(1),
                Undo::DropConstraint {
                    table: t(),
                    name: Ident::new("a_not_null")
                }
            )]
        );
        assert!(undo.kept.is_empty());
        assert_eq!(
            undo.undo[0].1.sql(),
            "ALTER TABLE public.t DROP CONSTRAINT IF EXISTS a_not_null"
        );
    }

    #[test]
    fn a_failed_concurrent_build_drops_its_invalid_index_and_names_what_stays() {
        let build = step(
            Action::CreateIndex {
                table: t(),
                name: Ident::new("t_a_key"),
                unique: true,
                concurrently: true,
                on_only: false,
                columns: vec![Ident::new("a")],
                expressions: Vec::new(),
                predicate: None,
                nulls_not_distinct: false,
            },
            3,
            false,
        );
        let added = step(
            Action::SetDefault {
                table: t(),
                column: Ident::new("a"),
                default: "0".to_string(),
            },
            3,
            true,
        );
        let plan = Plan {
            search_path: None,
            steps: vec![added, build],
            notes: Vec::new(),
        };
        let undo = plan_undo(&plan, 1, &BTreeSet::from([0]));
        assert_eq!(
            undo.undo[0].1.sql(),
            "DROP INDEX CONCURRENTLY IF EXISTS public.t_a_key"
        );
        assert_eq!(undo.kept, vec![(0, "set_default".to_string())]);
    }
}
