//! `schemac apply --target NAME`: the rollout. The first `canary`
//! databases are applied first; then the rest in waves of `wave-size`
//! (one wave by default), at most `parallel` databases at a time; a wave
//! starts when the one before it has finished. Each database is applied
//! with [`crate::live::apply_to_db`] (its advisory lock, plan under the
//! lock, lint gate, hazards, preflight, history, verification).
//!
//! Invariants:
//! - After a failure in the canary, or any failure under `on-failure =
//!   "stop"`, or Ctrl-C, no database starts: those running finish, the
//!   rest are [`MemberState::NotStarted`]. Every database ends in exactly
//!   one state.
//! - When the plans were shown and confirmed, a database is applied only
//!   with the plan shown for it (its [`super::plan_key`]); a database
//!   whose plan changed since fails with both keys and runs nothing.
//! - Re-running resumes: converged databases plan empty and are
//!   [`MemberState::Unchanged`]; an interrupted one resumes its own run
//!   from its history.
//! - Databases of one server (`host:port`) whose plans distribute tables
//!   with `create_distributed_table_concurrently` run those plans one at a
//!   time ([`ServerTurns`]), whatever `parallel` says: Citus names the
//!   replication slots of that call per node and table owner, not per
//!   database, so two databases of one cluster distributing at once
//!   collide ("replication slot ... already exists"). Other plans run in
//!   parallel as configured.

use super::plan::{first_line, plan_key};
use super::progress::{FleetEvent, FleetProgress};
use super::Member;
use crate::apply::progress::{Event, Progress};
use crate::apply::{ApplyOptions, Interrupt};
use crate::config::{AllowedLint, OnFailure, RolloutSettings};
use crate::lint::gate::LintRefused;
use crate::lint::LintConfig;
use crate::live::{self, ApplyOutcome, ApplySource, LiveError, LiveOptions, Review, Turn};
use crate::model::Model;
use crate::plan::{Action, Plan};
use crate::source::SourceSet;
use futures_util::stream::{self, StreamExt};
use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How one database ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberState {
    Applied {
        /// Steps run now (and recovered).
        steps: usize,
        /// Steps an earlier, interrupted run had finished.
        resumed: usize,
        elapsed: Duration,
    },
    /// Already matched the schema: nothing ran.
    Unchanged,
    Failed {
        /// Redacted; may span several lines (the first one says what).
        reason: String,
    },
    NotStarted,
}

impl MemberState {
    /// `applied`, `unchanged`, `failed`, `not started`.
    pub fn as_str(&self) -> &'static str {
        match self {
            MemberState::Applied { .. } => "applied",
            MemberState::Unchanged => "unchanged",
            MemberState::Failed { .. } => "failed",
            MemberState::NotStarted => "not started",
        }
    }
}

/// What the rollout did.
#[derive(Debug, Clone)]
pub struct RolloutReport {
    pub members: Vec<Member>,
    /// One per member, same order.
    pub states: Vec<MemberState>,
    /// The phase of each member: "canary", "wave 1", ...
    pub phases: Vec<String>,
    /// Why no database was started after some point.
    pub stopped: Option<String>,
    pub elapsed: Duration,
}

impl RolloutReport {
    /// Every database applied or unchanged.
    pub fn converged(&self) -> bool {
        self.states
            .iter()
            .all(|state| matches!(state, MemberState::Applied { .. } | MemberState::Unchanged))
    }
}

/// The lint gate each database's plan passes (as `schemac apply` lints
/// its plan): migration rules, judged for the server's own version.
#[derive(Clone, Copy)]
pub struct LintGate<'a> {
    pub sources: &'a SourceSet,
    pub lint: &'a LintConfig,
    pub allow: &'a AllowedLint,
}

/// Everything a rollout needs besides its databases.
pub struct RolloutCtx<'a> {
    pub desired: &'a Model,
    pub live_options: &'a LiveOptions,
    /// The template of each database's apply (its `progress` and `tls`
    /// are replaced per database).
    pub apply_options: &'a ApplyOptions<'a>,
    pub lint: LintGate<'a>,
    pub settings: RolloutSettings,
    /// The plan key shown for each member, when the plans were shown and
    /// confirmed ([`super::FleetPlan::keys`]).
    pub expected: Option<&'a [Option<String>]>,
    pub progress: &'a dyn FleetProgress,
}

/// Rolls the desired schema out to `members` (see the module
/// documentation).
pub async fn roll_out(members: Vec<Member>, ctx: &RolloutCtx<'_>) -> RolloutReport {
    let started = Instant::now();
    let total = members.len();
    let phases = phases(total, &ctx.settings);
    let mut phase_names = vec![String::new(); total];
    for (name, range) in &phases {
        for slot in &mut phase_names[range.clone()] {
            slot.clone_from(name);
        }
    }
    ctx.progress.report(&FleetEvent::Started {
        action: "apply",
        total,
    });
    let stop = Arc::new(AtomicBool::new(false));
    let stopped: Mutex<Option<String>> = Mutex::new(None);
    let set_stopped = |reason: String| {
        stop.store(true, Ordering::SeqCst);
        let mut stopped = stopped
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if stopped.is_none() {
            ctx.progress
                .report(&FleetEvent::Stopping { reason: &reason });
            *stopped = Some(reason);
        }
    };
    let ctrl_c = (ctx.apply_options.interrupt == Interrupt::CtrlC).then(|| {
        let stop = Arc::clone(&stop);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.store(true, Ordering::SeqCst);
            }
        })
    });
    let turns = ServerTurns::default();
    let mut states = vec![MemberState::NotStarted; total];
    for (name, range) in &phases {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let canary = name == "canary";
        ctx.progress.report(&FleetEvent::Phase {
            name,
            size: range.len(),
        });
        let results: Vec<(usize, MemberState)> = stream::iter(range.clone())
            .map(|idx| {
                let member = &members[idx];
                let stop = &stop;
                let set_stopped = &set_stopped;
                let turns = &turns;
                async move {
                    if stop.load(Ordering::SeqCst) {
                        return (idx, MemberState::NotStarted);
                    }
                    let state = apply_member(ctx, idx, member, turns).await;
                    if let MemberState::Failed { .. } = &state {
                        if canary {
                            set_stopped(format!("the canary {} failed", member.label));
                        } else if ctx.settings.on_failure == OnFailure::Stop {
                            set_stopped(format!("{} failed", member.label));
                        }
                    }
                    (idx, state)
                }
            })
            .buffer_unordered(ctx.settings.parallel.max(1))
            .collect()
            .await;
        for (idx, state) in results {
            states[idx] = state;
        }
    }
    if let Some(listener) = ctrl_c {
        listener.abort();
        let interrupted = stop.load(Ordering::SeqCst)
            && stopped
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .is_none();
        if interrupted {
            set_stopped("interrupted (Ctrl-C)".to_string());
        }
    }
    ctx.progress.report(&FleetEvent::Finished);
    let stopped = stopped
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    RolloutReport {
        members,
        states,
        phases: phase_names,
        stopped,
        elapsed: started.elapsed(),
    }
}

/// The phases of a rollout of `total` databases: the canary (the first
/// `canary`), then waves of `wave_size` (one wave when unset).
fn phases(total: usize, settings: &RolloutSettings) -> Vec<(String, Range<usize>)> {
    let canary = settings.canary.min(total);
    let mut res = Vec::new();
    if canary > 0 {
        res.push(("canary".to_string(), 0..canary));
    }
    let wave_size = settings.wave_size.unwrap_or(usize::MAX).max(1);
    let rest = total - canary;
    let n_waves = rest.div_ceil(wave_size.min(rest.max(1)));
    let mut start = canary;
    let mut number = 1;
    while start < total {
        let end = start.saturating_add(wave_size).min(total);
        let name = if n_waves == 1 {
            "rollout".to_string()
        } else {
            format!("wave {number} of {n_waves}")
        };
        res.push((name, start..end));
        start = end;
        number += 1;
    }
    res
}

/// Applies the schema to one database.
async fn apply_member(
    ctx: &RolloutCtx<'_>,
    idx: usize,
    member: &Member,
    turns: &ServerTurns,
) -> MemberState {
    let started = Instant::now();
    ctx.progress.report(&FleetEvent::MemberStarted {
        index: idx,
        label: &member.label,
    });
    let state = run_member(ctx, idx, member, turns).await;
    let outcome = match &state {
        MemberState::Applied { steps, resumed, .. } if *resumed > 0 => format!(
            "applied {steps} step(s), {resumed} done by an earlier run ({:.1}s)",
            started.elapsed().as_secs_f64()
        ),
        MemberState::Applied { steps, .. } => format!(
            "applied {steps} step(s) ({:.1}s)",
            started.elapsed().as_secs_f64()
        ),
        MemberState::Unchanged => "unchanged: already matches the schema".to_string(),
        MemberState::Failed { reason } => format!("failed: {}", first_line(reason)),
        MemberState::NotStarted => "not started".to_string(),
    };
    ctx.progress.report(&FleetEvent::MemberFinished {
        index: idx,
        label: &member.label,
        outcome: &outcome,
        failed: matches!(state, MemberState::Failed { .. }),
    });
    state
}

async fn run_member(
    ctx: &RolloutCtx<'_>,
    idx: usize,
    member: &Member,
    turns: &ServerTurns,
) -> MemberState {
    let failed = |reason: String| MemberState::Failed {
        reason: crate::live::connect::redact(&reason),
    };
    let expected = match ctx.expected {
        Some(keys) => match keys.get(idx).cloned().flatten() {
            Some(key) => Some(key),
            None => {
                return failed(
                    "it could not be planned when the plans were shown; run schemac plan \
                     --target again"
                        .to_string(),
                )
            }
        },
        None => None,
    };
    let tls = match member.conn.tls() {
        Ok(tls) => tls,
        Err(err) => return failed(err.to_string()),
    };
    let sink = MemberProgress {
        fleet: ctx.progress,
        index: idx,
        label: &member.label,
    };
    let options = ApplyOptions {
        progress: &sink,
        tls: Some(tls),
        ..ctx.apply_options.clone()
    };
    let mut review = MemberReview {
        lint: ctx.lint,
        expected,
        turns,
        server: member.conn.server(),
        progress: &sink,
    };
    let started = Instant::now();
    match live::apply_to_db(
        &member.conn,
        ApplySource::Desired(ctx.desired),
        ctx.live_options,
        &options,
        &mut review,
    )
    .await
    {
        Ok(ApplyOutcome::NothingToApply) => MemberState::Unchanged,
        Ok(ApplyOutcome::Cancelled) => failed("cancelled".to_string()),
        Ok(ApplyOutcome::Applied { report, .. }) => MemberState::Applied {
            steps: report.executed.len() + report.recovered.len(),
            resumed: report.skipped.len(),
            elapsed: started.elapsed(),
        },
        Err(err) => failed(err.to_string()),
    }
}

/// Step events of one database's apply, as fleet events.
struct MemberProgress<'a> {
    fleet: &'a dyn FleetProgress,
    index: usize,
    label: &'a str,
}

impl Progress for MemberProgress<'_> {
    fn report(&self, event: &Event<'_>) {
        if let Event::StepStarted {
            number,
            total,
            step,
        } = event
        {
            let step = format!("step {number}/{total}: {}", step.description);
            self.fleet.report(&FleetEvent::MemberStep {
                index: self.index,
                label: self.label,
                step: &step,
            });
        }
    }
}

/// Why a database's apply was refused before it ran.
#[derive(Debug, thiserror::Error)]
enum MemberError {
    #[error(transparent)]
    Live(#[from] LiveError),
    #[error(transparent)]
    Lint(#[from] LintRefused),
    #[error("its plan changed since it was shown (plan {shown} then, {now} now); nothing was applied: run schemac apply --target again to see it")]
    PlanChanged { shown: String, now: String },
}

/// The servers on which a plan that distributes tables concurrently is
/// running (see the module documentation).
#[derive(Default)]
struct ServerTurns {
    busy: Arc<Mutex<BTreeSet<String>>>,
}

/// A server taken by [`ServerTurns::take`]: freed on drop.
struct ServerTurn {
    busy: Arc<Mutex<BTreeSet<String>>>,
    server: String,
}

impl Drop for ServerTurn {
    fn drop(&mut self) {
        self.busy
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&self.server);
    }
}

impl ServerTurns {
    /// How often a waiting database looks whether its server is free.
    const POLL: Duration = Duration::from_millis(100);

    /// Takes `server`, when no other database of it holds it.
    fn try_take(&self, server: &str) -> Option<ServerTurn> {
        let taken = self
            .busy
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(server.to_string());
        taken.then(|| ServerTurn {
            busy: Arc::clone(&self.busy),
            server: server.to_string(),
        })
    }

    /// Waits until `server` is free and takes it.
    async fn take(&self, server: &str) -> ServerTurn {
        loop {
            if let Some(turn) = self.try_take(server) {
                return turn;
            }
            tokio::time::sleep(Self::POLL).await;
        }
    }
}

/// True when `plan` runs `create_distributed_table_concurrently`.
fn distributes_concurrently(plan: &Plan) -> bool {
    plan.steps.iter().any(|step| {
        matches!(
            step.action,
            Action::Distribute {
                concurrently: true,
                ..
            }
        )
    })
}

/// A database's side of the review: the plan was shown (and confirmed)
/// for the whole fleet; here it is linted and checked to be the one shown,
/// and waits for its server when it distributes tables concurrently.
struct MemberReview<'a> {
    lint: LintGate<'a>,
    expected: Option<String>,
    turns: &'a ServerTurns,
    /// `host:port` of the database.
    server: String,
    progress: &'a MemberProgress<'a>,
}

impl Review for MemberReview<'_> {
    type Error = MemberError;

    fn show(&mut self, _notes: &[String], _plan: &Plan) -> Result<(), MemberError> {
        Ok(())
    }

    fn lint(
        &mut self,
        plan: &Plan,
        current: &Model,
        desired: &Model,
        server_version: u32,
    ) -> Result<(), MemberError> {
        let lint = LintConfig {
            target_version: server_version,
            ..self.lint.lint.clone()
        };
        let findings = crate::lint::run(self.lint.sources, desired, Some((plan, current)), &lint);
        crate::lint::gate::check(&findings, self.lint.allow)?;
        Ok(())
    }

    fn confirm(&mut self, plan: &Plan) -> Result<bool, MemberError> {
        match &self.expected {
            Some(shown) if *shown != plan_key(plan) => Err(MemberError::PlanChanged {
                shown: shown.clone(),
                now: plan_key(plan),
            }),
            _ => Ok(true),
        }
    }

    async fn wait_turn(&mut self, plan: &Plan) -> Turn {
        if !distributes_concurrently(plan) {
            return Turn::default();
        }
        if let Some(turn) = self.turns.try_take(&self.server) {
            return Turn::holding(turn);
        }
        let note = format!(
            "waiting: another database of {} distributes tables concurrently (Citus allows one at a time per cluster)",
            self.server
        );
        self.progress.fleet.report(&FleetEvent::MemberWaiting {
            index: self.progress.index,
            label: self.progress.label,
            reason: &note,
        });
        Turn::holding(self.turns.take(&self.server).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(total: usize, canary: usize, wave_size: Option<usize>) -> Vec<(String, Range<usize>)> {
        phases(
            total,
            &RolloutSettings {
                canary,
                wave_size,
                ..RolloutSettings::default()
            },
        )
    }

    /// One database of a server at a time, until its turn is dropped;
    /// other servers are not held up.
    #[test]
    fn a_server_is_taken_by_one_database_at_a_time() {
        let turns = ServerTurns::default();
        let first = turns.try_take("localhost:9700").expect("free");
        assert!(turns.try_take("localhost:9700").is_none());
        let other = turns.try_take("localhost:5432").expect("another server");
        drop(first);
        assert!(turns.try_take("localhost:9700").is_some());
        drop(other);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let held = turns.try_take("h:1").expect("free");
        let released = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(150));
            drop(held);
        });
        let started = Instant::now();
        let taken = runtime.block_on(turns.take("h:1"));
        assert!(started.elapsed() >= Duration::from_millis(100));
        drop(taken);
        released.join().expect("thread");
    }

    /// Distributing an existing table waits for the server; creating a
    /// distributed table (`create_distributed_table`, no replication
    /// slot) does not.
    #[test]
    fn only_concurrent_distribution_waits_for_the_server() {
        let model =
            |text: &str| crate::frontend::load(&SourceSet::single("app.schema", text)).value;
        let plain = model("table t {\n  id  bigint  primary key\n}\n");
        let sharded =
            model("table t {\n  id  bigint  primary key\n  shard by hash (id) shards 4\n}\n");
        let options = crate::plan::PlanOptions::default();
        let existing = crate::plan::plan_models(&plain, &sharded, &options).expect("plan");
        let new = crate::plan::plan_models(&Model::default(), &sharded, &options).expect("plan");
        assert!(distributes_concurrently(&existing));
        assert!(!distributes_concurrently(&new));
        assert!(!distributes_concurrently(&Plan::default()));
    }

    #[test]
    fn canary_then_waves() {
        let shown = |phases: Vec<(String, Range<usize>)>| {
            phases
                .into_iter()
                .map(|(name, range)| format!("{name} {range:?}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            shown(names(8, 1, Some(3))),
            [
                "canary 0..1",
                "wave 1 of 3 1..4",
                "wave 2 of 3 4..7",
                "wave 3 of 3 7..8"
            ]
        );
        assert_eq!(shown(names(8, 2, None)), ["canary 0..2", "rollout 2..8"]);
        assert_eq!(shown(names(3, 0, None)), ["rollout 0..3"]);
        assert_eq!(shown(names(1, 1, Some(5))), ["canary 0..1"]);
        assert_eq!(shown(names(2, 5, None)), ["canary 0..2"]);
        assert_eq!(shown(names(4, 1, Some(1)))[3], "wave 3 of 3 3..4");
    }
}
