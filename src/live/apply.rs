//! `schemac apply`'s session: connect, take the advisory lock, plan (or
//! check a saved plan), let the caller show and confirm it, run it with
//! the safe executor ([`crate::apply`]) and release the lock.
//!
//! Invariants:
//! - Planning happens under the advisory lock, so no other apply can
//!   change the database between the plan and its execution; the lock is
//!   released and the connection closed on every path.
//! - Lint findings (the caller's [`Review::lint`]), hazards and the data
//!   (preflight) are checked after the plan is shown and before the caller
//!   is asked: a refused plan never asks and never runs a step.
//! - The executor gets the fingerprint of the state the plan was made for,
//!   so its plan id (and history run) is that of a saved plan made there.
//! - A saved plan is applied only to the database it was made against
//!   (its fingerprint), unless its own history shows it is being resumed.
//! - The desired schema is normalised exactly as `plan --db` normalises
//!   it, for the plan and for the check after the last step.
//!
//! Boundary: the database; what the user sees and answers goes through
//! the caller's [`Review`].

use super::model::{invalid_index_notes, read_live, LiveModel};
use super::plan::{normalize_desired, NormalizedDesired};
use super::session::Session;
use super::{LiveError, LiveOptions};
use crate::apply::{
    self, advisory_lock, check_hazards, ApplyOptions, ApplyReport, Freshness, VerifyTarget,
};
use crate::introspect::Filter;
use crate::live::ConnParams;
use crate::model::Model;
use crate::plan::saved::LoadedPlan;
use crate::plan::{plan_models, Plan, PlanOptions};
use std::time::{Duration, Instant};
use tokio_postgres::Client;

/// What to apply.
#[derive(Debug)]
pub enum ApplySource<'a> {
    /// Plan now, from the live database to this schema.
    Desired(&'a Model),
    /// A plan saved by `plan --out`; with a schema, the result is verified
    /// against it.
    Saved {
        plan: LoadedPlan,
        verify_against: Option<&'a Model>,
    },
}

/// The caller's side of an apply: showing the plan and asking.
pub trait Review {
    type Error: From<LiveError>;

    /// Shows the notes (what was left out, which shadow, a resumed plan)
    /// and the plan, before hazards are checked or anything is asked.
    fn show(&mut self, notes: &[String], plan: &Plan) -> Result<(), Self::Error>;

    /// Lints `plan` (made from `current` towards `desired` on a server of
    /// major version `server_version`); an error refuses it before
    /// anything runs (see [`crate::lint::gate`]).
    fn lint(
        &mut self,
        plan: &Plan,
        current: &Model,
        desired: &Model,
        server_version: u32,
    ) -> Result<(), Self::Error>;

    /// Whether to run `plan`, whose hazards are all allowed; `false`
    /// cancels without changing anything.
    fn confirm(&mut self, plan: &Plan) -> Result<bool, Self::Error>;

    /// Waits, after the confirmation, until `plan` may run; the [`Turn`]
    /// is held while it runs. A fleet rollout runs the concurrent Citus
    /// distributions of databases on one server one at a time; by default
    /// a plan runs at once.
    fn wait_turn(&mut self, plan: &Plan) -> impl std::future::Future<Output = Turn> {
        let _ = plan;
        std::future::ready(Turn::default())
    }
}

/// What [`Review::wait_turn`] holds while a plan runs (dropped after).
#[derive(Default)]
pub struct Turn {
    _held: Option<Box<dyn std::any::Any + Send>>,
}

impl Turn {
    /// A turn that holds `guard` until the plan has run.
    pub fn holding(guard: impl std::any::Any + Send) -> Turn {
        Turn {
            _held: Some(Box::new(guard)),
        }
    }
}

/// How an apply ended, when it did not fail.
#[derive(Debug, Clone)]
pub enum ApplyOutcome {
    /// The database already matches the schema.
    NothingToApply,
    /// The caller did not confirm; nothing was changed.
    Cancelled,
    Applied {
        report: ApplyReport,
        /// Steps in the plan.
        steps: usize,
        /// From the start of planning (after the lock) to the end.
        elapsed: Duration,
    },
}

/// Applies `source` to the database `conn` names (see the module
/// documentation for the order of events).
pub async fn apply_to_db<R: Review>(
    conn: &ConnParams,
    source: ApplySource<'_>,
    live_options: &LiveOptions,
    options: &ApplyOptions<'_>,
    review: &mut R,
) -> Result<ApplyOutcome, R::Error> {
    let mut session = Session::open(conn).await.map_err(LiveError::from)?;
    if let Err(err) = apply::lock(&session.client, options).await {
        session.close().await;
        return Err(LiveError::from(err).into());
    }
    let locked = Locked {
        conn,
        live_options,
        options,
        filter: super::filter(),
    };
    let res = locked
        .plan_and_apply(&mut session.client, source, review)
        .await;
    let _ = advisory_lock::unlock(&session.client).await;
    session.close().await;
    res
}

/// What the session holds while the advisory lock is taken.
struct Locked<'s, 'o> {
    conn: &'s ConnParams,
    live_options: &'s LiveOptions,
    options: &'s ApplyOptions<'o>,
    filter: Filter,
}

impl Locked<'_, '_> {
    async fn plan_and_apply<R: Review>(
        &self,
        client: &mut Client,
        source: ApplySource<'_>,
        review: &mut R,
    ) -> Result<ApplyOutcome, R::Error> {
        let started = Instant::now();
        let mut notes = Vec::new();
        let mut resuming = false;
        let (plan, normalized, live, fingerprint) = match source {
            ApplySource::Saved {
                plan,
                verify_against,
            } => {
                let fingerprint = plan.fingerprint.clone();
                let (plan, resumed) = self.check_saved(client, plan, &mut notes).await?;
                resuming = resumed;
                let (live, normalized) = match verify_against {
                    Some(desired) => {
                        let (live, normalized) =
                            self.normalize(client, desired, &mut notes).await?;
                        (live, Some(normalized))
                    }
                    None => (
                        read_live(client, self.conn, &self.filter, true).await?,
                        None,
                    ),
                };
                (plan, normalized, live, fingerprint)
            }
            ApplySource::Desired(desired) => {
                apply::drop_invalid_leftovers(client, self.options)
                    .await
                    .map_err(LiveError::from)?;
                let (live, normalized) = self.normalize(client, desired, &mut notes).await?;
                let plan_options = PlanOptions {
                    server_version: live.server_version,
                    ..PlanOptions::default()
                };
                let mut plan = plan_models(&live.current, &normalized.model, &plan_options)
                    .map_err(LiveError::from)?;
                plan.notes.extend(normalized.unproven.iter().cloned());
                // Read with the fingerprint (`normalize` asks for it).
                let fingerprint = live.fingerprint.clone().unwrap_or_default();
                (plan, Some(normalized), live, fingerprint)
            }
        };

        review.show(&notes, &plan)?;
        if plan.is_empty() {
            // A run killed after its last step left the history `running`.
            let stale = crate::apply::history::mark_stale_runs(client)
                .await
                .map_err(LiveError::from)?;
            for run in stale {
                let note = format!(
                    "run {} of plan {} (pid {}) was interrupted: its session is gone; marked interrupted",
                    run.run_id, run.plan_id, run.backend_pid
                );
                self.options
                    .progress
                    .report(&crate::apply::Event::Note(&note));
            }
            return Ok(ApplyOutcome::NothingToApply);
        }
        // A saved plan applied without the schema is linted against the
        // database it runs on (migration rules read the current Model).
        let desired = normalized
            .as_ref()
            .map_or(&live.current, |normalized| &normalized.model);
        review.lint(&plan, &live.current, desired, live.server_version)?;
        check_hazards(&plan, &self.options.allowed_hazards).map_err(LiveError::from)?;
        // The data is checked before asking, and the executor need not
        // check it again; a resumed plan is checked by the executor, which
        // knows the steps already done.
        let mut preflight = self.options.preflight.clone();
        if let (Some(settings), false) = (&preflight, resuming) {
            let done = std::collections::BTreeSet::new();
            apply::check_data(client, &plan, settings, &done, self.options.progress)
                .await
                .map_err(LiveError::from)?;
            preflight = None;
        }
        if !review.confirm(&plan)? {
            return Ok(ApplyOutcome::Cancelled);
        }
        let turn = review.wait_turn(&plan).await;
        let run_options = ApplyOptions {
            preflight,
            verify: normalized.as_ref().map(|normalized| VerifyTarget {
                desired: &normalized.model,
                filter: &self.filter,
                offline: normalized.offline,
            }),
            fingerprint: Some(fingerprint),
            ..self.options.clone()
        };
        let report = apply::apply(&plan, client, &run_options).await;
        drop(turn);
        let report = report.map_err(LiveError::from)?;
        Ok(ApplyOutcome::Applied {
            report,
            steps: plan.steps.len(),
            elapsed: started.elapsed(),
        })
    }

    /// The saved plan, when it was made against this database or is being
    /// resumed (noted, and `true`).
    async fn check_saved(
        &self,
        client: &Client,
        loaded: LoadedPlan,
        notes: &mut Vec<String>,
    ) -> Result<(Plan, bool), LiveError> {
        let freshness =
            apply::check_fingerprint(client, &loaded.plan_id, &loaded.fingerprint, &self.filter)
                .await?;
        let resuming = match freshness {
            Freshness::Fresh => false,
            Freshness::Resuming { done } => {
                notes.push(format!(
                    "plan {} was interrupted with {done} of {} steps applied; resuming it",
                    loaded.plan_id,
                    loaded.plan.steps.len()
                ));
                true
            }
        };
        Ok((loaded.plan, resuming))
    }

    /// The live Model and the desired schema as the server stores it,
    /// exactly as `plan --db` normalises it; notes what was left out.
    async fn normalize(
        &self,
        client: &Client,
        desired: &Model,
        notes: &mut Vec<String>,
    ) -> Result<(LiveModel, NormalizedDesired), LiveError> {
        let mut live = read_live(client, self.conn, &self.filter, true).await?;
        let settled = super::citus::settle(self.live_options.citus, &mut live, desired)?;
        let normalized = normalize_desired(
            client,
            &self.live_options.shadow,
            self.live_options.shadow_scope,
            self.conn,
            &settled.desired,
            &live,
            &self.filter,
        )
        .await?;
        super::citus::align(client, &mut live, &normalized.model).await?;
        notes.extend(invalid_index_notes(&live));
        notes.extend(settled.note);
        notes.extend(normalized.notes.iter().cloned());
        Ok((live, normalized))
    }
}
