//! The step loop: advisory lock, history, transaction groups,
//! non-transactional steps, retries, interruption and verification.
//!
//! Invariants:
//! - Groups run exactly as [`Plan::transaction_groups`] gives them: a
//!   transactional group is one `BEGIN` ... `COMMIT` with `SET LOCAL`
//!   timeouts and its history rows inside; a non-transactional step runs
//!   alone between a session `SET` and `RESET` of the timeouts.
//! - A step recorded `done` for this plan id is never run again; a
//!   transactional group is all done or not at all.
//! - Before a concurrent index build runs (again), an INVALID index of the
//!   same name, left by an interrupted or failed build, is dropped
//!   concurrently; a build recorded `running` whose index exists and is
//!   valid had completed and is recorded done without running.
//! - On every exit the open transaction is rolled back, the timeouts are
//!   reset and the advisory lock is released.
//! - What a step does (a concurrent index build or drop, a concurrent
//!   detach) is read from its [`crate::plan::Action`], and what an earlier
//!   run did from the history's recorded action; step SQL is only executed,
//!   never parsed.

use super::history::{self, database_error, Outcome};
use super::progress::Event;
use super::retry::{self, is_lock_timeout};
use super::{advisory_lock, verify, ApplyError, ApplyOptions, ApplyReport, Interrupt};
use crate::live::Tls;
use crate::plan::saved::plan_id;
use crate::plan::{Action, Plan, Step};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::ops::Range;
use std::pin::Pin;
use std::time::{Duration, Instant};
use tokio_postgres::Client;

/// Runs the plan (hazards already checked).
pub(super) async fn run(
    plan: &Plan,
    client: &mut Client,
    options: &ApplyOptions<'_>,
) -> Result<ApplyReport, ApplyError> {
    let client: &Client = client;
    let mut run = Run {
        client,
        plan,
        options,
        plan_id: plan_id(plan, options.fingerprint.as_deref().unwrap_or("")),
        key: None,
        interrupt: InterruptWatch::new(options.interrupt),
        recorded: BTreeMap::new(),
        done: BTreeSet::new(),
        report: ApplyReport::default(),
        backend_pid: None,
    };
    run.report.plan_id = run.plan_id.clone();
    // Polling once installs the Ctrl-C handler before any work starts.
    if run.interrupt.check().await {
        return Err(run.interrupted());
    }
    let res = match run.acquire_lock().await {
        Ok(waited_for) => {
            run.report.waited_for_pid = waited_for;
            let res = run.run_locked().await;
            run.finish_run(&res).await;
            // A failed unlock leaves nothing behind: the lock ends with the
            // session at the latest.
            let _ = advisory_lock::unlock(client).await;
            res
        }
        Err(err) => Err(err),
    };
    options.progress.report(&Event::Finished);
    res.map(|()| run.report)
}

/// Takes the advisory lock for a caller that plans under it (the CLI),
/// waiting for another apply up to `options.wait_timeout`. Returns the pid
/// waited for. The lock is re-entrant: [`super::apply`] on the same
/// session takes it again at once. Release it with
/// [`advisory_lock::unlock`].
pub async fn lock(client: &Client, options: &ApplyOptions<'_>) -> Result<Option<i32>, ApplyError> {
    let mut interrupt = InterruptWatch::new(options.interrupt);
    match wait_for_lock(client, options, &mut interrupt).await {
        Ok(pid) => Ok(pid),
        Err(LockWaitError::Apply(err)) => Err(err),
        Err(LockWaitError::Interrupted) => Err(ApplyError::Interrupted {
            plan_id: "(none yet)".to_string(),
            done: 0,
            total: 0,
        }),
    }
}

/// Drops the INVALID indexes that interrupted or failed concurrent builds
/// recorded in the history (of any plan) left behind, so that a fresh
/// introspection does not mistake them for built indexes. Call with the
/// advisory lock held: a build in progress is INVALID too.
pub async fn drop_invalid_leftovers(
    client: &Client,
    options: &ApplyOptions<'_>,
) -> Result<Vec<String>, ApplyError> {
    let mut res = Vec::new();
    for action in history::unfinished_actions(client).await? {
        let Some((table, name)) = action.concurrent_index_build() else {
            continue;
        };
        let (schema, name) = (table.schema.as_str(), name.as_str());
        if index_validity(client, schema, name).await? != Some(false) {
            continue;
        }
        let qualified = crate::model::QualifiedName::new(schema, name);
        client
            .batch_execute(&format!("DROP INDEX CONCURRENTLY IF EXISTS {qualified}"))
            .await
            .map_err(|source| database_error("dropping an INVALID leftover index", source))?;
        let note = format!("dropped INVALID index {qualified} left by an interrupted build");
        options.progress.report(&Event::Note(&note));
        res.push(qualified.to_string());
    }
    Ok(res)
}

enum LockWaitError {
    Apply(ApplyError),
    Interrupted,
}

impl From<ApplyError> for LockWaitError {
    fn from(err: ApplyError) -> LockWaitError {
        LockWaitError::Apply(err)
    }
}

/// Polls the advisory lock until it is taken, the wait times out or the
/// apply is interrupted.
async fn wait_for_lock(
    client: &Client,
    options: &ApplyOptions<'_>,
    interrupt: &mut InterruptWatch,
) -> Result<Option<i32>, LockWaitError> {
    let start = Instant::now();
    let mut announced: Option<Option<i32>> = None;
    loop {
        if advisory_lock::try_lock(client).await? {
            return Ok(announced.flatten());
        }
        let holder = advisory_lock::holder(client).await?;
        if announced != Some(holder) {
            options
                .progress
                .report(&Event::WaitingForApply { pid: holder });
            announced = Some(holder);
        }
        let waited = start.elapsed();
        if waited >= options.wait_timeout {
            return Err(LockWaitError::Apply(ApplyError::AnotherApplyRunning {
                pid: holder
                    .map(|pid| pid.to_string())
                    .unwrap_or_else(|| "unknown".to_string()),
                waited_secs: waited.as_secs(),
            }));
        }
        let pause = options
            .wait_poll_interval
            .min(options.wait_timeout.saturating_sub(waited))
            .max(Duration::from_millis(10));
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = interrupt.wait() => return Err(LockWaitError::Interrupted),
        }
    }
}

/// `Some(indisvalid)` when an index `schema.name` exists.
pub(super) async fn index_validity(
    client: &Client,
    schema: &str,
    name: &str,
) -> Result<Option<bool>, ApplyError> {
    let rows = client
        .query(
            "SELECT i.indisvalid FROM pg_index i
             JOIN pg_class c ON c.oid = i.indexrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND c.relname = $2",
            &[&schema, &name],
        )
        .await
        .map_err(|source| database_error("reading the index's state", source))?;
    Ok(rows.first().and_then(|row| row.try_get(0).ok()))
}

/// The state of one apply.
struct Run<'a> {
    client: &'a Client,
    plan: &'a Plan,
    options: &'a ApplyOptions<'a>,
    plan_id: String,
    /// This run in the history (set once the history table exists).
    key: Option<history::RunKey>,
    interrupt: InterruptWatch,
    /// The history of this run when the apply started.
    recorded: BTreeMap<usize, Outcome>,
    /// Steps done (before or by this apply).
    done: BTreeSet<usize>,
    report: ApplyReport,
    /// The applying session's backend, once a watched step asked for it.
    backend_pid: Option<i32>,
}

/// Why a statement did not succeed.
enum StatementError {
    Db(tokio_postgres::Error),
    Interrupted,
}

/// Why a transactional group did not commit.
enum GroupError {
    /// The statement of step `idx` failed.
    Statement {
        idx: usize,
        source: tokio_postgres::Error,
    },
    /// Writing the history failed.
    History(tokio_postgres::Error),
    Interrupted,
}

/// How to (re)run a non-transactional step that an earlier apply left
/// `running` or `failed`.
enum Resume {
    /// It had completed: record it, do not run it.
    Complete,
    /// Run this statement instead (finalize a pending detach).
    Instead(String),
    /// Run it as planned.
    AsPlanned,
}

impl<'a> Run<'a> {
    /// This run's history key: [`Run::run_locked`] sets it before any step.
    fn key(&self) -> &history::RunKey {
        self.key
            .as_ref()
            .expect("invariant: the run is begun before its steps")
    }

    /// Records how the run ended: done when every step is, interrupted or
    /// failed otherwise. A simulated kill (`stop_after_step`) leaves it
    /// `running`, as a killed process would.
    async fn finish_run(&self, res: &Result<(), ApplyError>) {
        let Some(key) = &self.key else {
            return;
        };
        let status = if self.done.len() == self.total() {
            history::RunStatus::Done
        } else if matches!(res, Err(ApplyError::Interrupted { .. })) {
            if self.options.stop_after_step.is_some() {
                return;
            }
            history::RunStatus::Interrupted
        } else {
            history::RunStatus::Failed
        };
        // A failed record leaves the run `running`; the next apply marks it
        // interrupted.
        let _ = history::finish_run(self.client, key, status).await;
    }

    fn total(&self) -> usize {
        self.plan.steps.len()
    }

    fn interrupted(&self) -> ApplyError {
        ApplyError::Interrupted {
            plan_id: self.plan_id.clone(),
            done: self.done.len(),
            total: self.total(),
        }
    }

    fn report(&self, event: Event<'_>) {
        self.options.progress.report(&event);
    }

    async fn acquire_lock(&mut self) -> Result<Option<i32>, ApplyError> {
        match wait_for_lock(self.client, self.options, &mut self.interrupt).await {
            Err(LockWaitError::Interrupted) => Err(self.interrupted()),
            Err(LockWaitError::Apply(err)) => Err(err),
            Ok(pid) => Ok(pid),
        }
    }

    async fn run_locked(&mut self) -> Result<(), ApplyError> {
        // A fresh plan is checked before anything is written (not even the
        // history table); a resumed one once its finished steps are known.
        let resumed = history::count_done(self.client, &self.plan_id).await? > 0;
        if !resumed {
            self.preflight().await?;
        }
        history::ensure_table(self.client).await?;
        let fingerprint = self.options.fingerprint.as_deref().unwrap_or("");
        let start = history::begin_run(self.client, &self.plan_id, fingerprint).await?;
        for stale in &start.interrupted {
            let note = format!(
                "run {} of plan {} (pid {}) was interrupted: its session is gone; marked interrupted",
                stale.run_id, stale.plan_id, stale.backend_pid
            );
            self.report(Event::Note(&note));
        }
        self.recorded = history::load(self.client, &start.key, &self.plan.steps).await?;
        self.key = Some(start.key);
        self.done = self
            .recorded
            .iter()
            .filter(|(_, outcome)| **outcome == Outcome::Done)
            .map(|(idx, _)| *idx)
            .collect();
        if resumed {
            self.preflight().await?;
        }
        self.report(Event::Started {
            plan_id: &self.plan_id,
            total: self.total(),
            done: self.done.len(),
        });
        let plan = self.plan;
        let mut first = 0;
        for group in plan.transaction_groups() {
            let range = first..first + group.len();
            first = range.end;
            if range.clone().all(|idx| self.done.contains(&idx)) {
                for idx in range {
                    self.report.skipped.push(idx);
                    self.report(Event::StepSkipped {
                        number: idx + 1,
                        total: self.total(),
                        step: &plan.steps[idx],
                    });
                }
                continue;
            }
            if self.interrupt.check().await {
                return Err(self.interrupted());
            }
            let transactional = group.first().is_some_and(|step| step.transactional);
            if transactional {
                if let Some(idx) = range.clone().find(|idx| self.done.contains(idx)) {
                    return Err(ApplyError::HistoryInconsistent {
                        plan_id: self.plan_id.clone(),
                        message: format!(
                            "step {} is recorded done but the rest of its transaction is not",
                            idx + 1
                        ),
                    });
                }
                self.run_group(range).await?;
            } else {
                self.run_outside(range.start).await?;
            }
        }
        if let Some(target) = &self.options.verify {
            self.report(Event::Verifying);
            verify::verify(self.client, target).await?;
            self.report.verified = true;
        }
        Ok(())
    }

    /// A transactional group, retried as a whole on lock timeouts.
    async fn run_group(&mut self, range: Range<usize>) -> Result<(), ApplyError> {
        let attempts = self.options.lock_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.try_group(range.clone()).await {
                Ok(elapsed) => {
                    for (idx, elapsed) in range.clone().zip(elapsed) {
                        self.done.insert(idx);
                        self.report.executed.push(idx);
                        self.report(Event::StepDone {
                            number: idx + 1,
                            total: self.total(),
                            step: &self.plan.steps[idx],
                            elapsed,
                        });
                    }
                    return Ok(());
                }
                Err(GroupError::Interrupted) => return Err(self.interrupted()),
                Err(GroupError::History(source)) => {
                    return Err(database_error(
                        "recording the step in schemac.apply_history",
                        source,
                    ))
                }
                Err(GroupError::Statement { idx, source }) => {
                    if is_lock_timeout(&source) {
                        if attempt < attempts {
                            self.pause_before_retry(idx, attempt, attempts).await?;
                            continue;
                        }
                        return Err(self.lock_timeout_error(idx, attempts).await);
                    }
                    return Err(self.step_failed(idx, source).await);
                }
            }
        }
    }

    /// One attempt at a transactional group: the durations of its steps
    /// when it committed.
    async fn try_group(&mut self, range: Range<usize>) -> Result<Vec<Duration>, GroupError> {
        let mut begin = format!(
            "BEGIN; SET LOCAL lock_timeout = {}; SET LOCAL statement_timeout = {}",
            self.options.lock_timeout.as_millis(),
            self.options.statement_timeout.as_millis()
        );
        if let Some(path) = &self.plan.search_path {
            begin.push_str(&format!(
                "; SET LOCAL search_path TO {}",
                crate::model::session::path_sql(path)
            ));
        }
        // As in a pg_dump restore: a SQL function's body may name an
        // overload of its own name created later in the plan (dependencies
        // are known by name only); the shadow built the bodies already.
        begin.push_str("; SET LOCAL check_function_bodies = off");
        if let Err(source) = self.client.batch_execute(&begin).await {
            self.rollback().await;
            return Err(GroupError::History(source));
        }
        let mut elapsed = Vec::new();
        for idx in range.clone() {
            let step = &self.plan.steps[idx];
            self.report(Event::StepStarted {
                number: idx + 1,
                total: self.total(),
                step,
            });
            let start = Instant::now();
            if let Err(source) = history::mark_running(self.client, self.key(), idx, step).await {
                self.rollback().await;
                return Err(GroupError::History(source));
            }
            // The step's role (Step::role) holds for its statement only;
            // a failure rolls the SET ROLE back with the transaction.
            let sql = match (step.set_role_sql(), step.reset_role_sql()) {
                (Some(set), Some(reset)) => format!("{set}; {}; {reset}", step.sql),
                _ => step.sql.clone(),
            };
            // A VALIDATE runs in its own transaction and is watched like
            // a step outside one.
            match self.watched_statement(&sql, idx).await {
                Ok(()) => {}
                Err(StatementError::Db(source)) => {
                    self.rollback().await;
                    return Err(GroupError::Statement { idx, source });
                }
                Err(StatementError::Interrupted) => {
                    self.rollback().await;
                    return Err(GroupError::Interrupted);
                }
            }
            if let Err(source) = history::mark_done(self.client, self.key(), idx).await {
                self.rollback().await;
                return Err(GroupError::History(source));
            }
            elapsed.push(start.elapsed());
            if self.options.stop_after_step == Some(idx + 1) {
                // Test hook: a process killed here loses its transaction.
                self.rollback().await;
                return Err(GroupError::Interrupted);
            }
        }
        match self.statement("COMMIT").await {
            Ok(()) => Ok(elapsed),
            Err(StatementError::Db(source)) => {
                self.rollback().await;
                Err(GroupError::Statement {
                    idx: range.end - 1,
                    source,
                })
            }
            Err(StatementError::Interrupted) => {
                self.rollback().await;
                Err(GroupError::Interrupted)
            }
        }
    }

    /// A non-transactional step, retried on lock timeouts.
    async fn run_outside(&mut self, idx: usize) -> Result<(), ApplyError> {
        let step = &self.plan.steps[idx];
        let mut sql = step.sql.clone();
        if matches!(
            self.recorded.get(&idx),
            Some(Outcome::Running | Outcome::Failed)
        ) {
            match self.resume_state(step).await? {
                Resume::Complete => {
                    history::mark_done(self.client, self.key(), idx)
                        .await
                        .map_err(|source| {
                            database_error("recording the step in schemac.apply_history", source)
                        })?;
                    self.done.insert(idx);
                    self.report.recovered.push(idx);
                    self.report(Event::StepRecovered {
                        number: idx + 1,
                        total: self.total(),
                        step,
                    });
                    return Ok(());
                }
                Resume::Instead(other) => sql = other,
                Resume::AsPlanned => {}
            }
        }
        let attempts = self.options.lock_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.drop_invalid_leftover(step).await?;
            self.report(Event::StepStarted {
                number: idx + 1,
                total: self.total(),
                step,
            });
            let start = Instant::now();
            let mut set = format!(
                "SET lock_timeout = {}; SET statement_timeout = {}",
                self.options.lock_timeout.as_millis(),
                self.options.statement_timeout.as_millis()
            );
            if let Some(search_path) = self.plan.search_path_sql() {
                set.push_str("; ");
                set.push_str(&search_path);
            }

            self.client
                .batch_execute(&set)
                .await
                .map_err(|source| database_error("setting the step's timeouts", source))?;
            if let Err(source) = history::mark_running(self.client, self.key(), idx, step).await {
                self.reset_timeouts().await;
                return Err(database_error(
                    "recording the step in schemac.apply_history",
                    source,
                ));
            }
            // The step's role (Step::role), after the history record
            // (schemac's table is the applying user's); reset_timeouts
            // resets it.
            let res = match step.set_role_sql() {
                Some(set_role) => match self.client.batch_execute(&set_role).await {
                    Ok(()) => self.watched_statement(&sql, idx).await,
                    Err(source) => Err(StatementError::Db(source)),
                },
                None => self.watched_statement(&sql, idx).await,
            };
            self.reset_timeouts().await;
            match res {
                Ok(()) => {
                    if self.options.stop_after_step == Some(idx + 1) {
                        // Test hook: killed after the statement, before
                        // its `done` record.
                        return Err(self.interrupted());
                    }
                    history::mark_done(self.client, self.key(), idx)
                        .await
                        .map_err(|source| {
                            database_error("recording the step in schemac.apply_history", source)
                        })?;
                    if matches!(
                        step.action,
                        Action::Distribute {
                            concurrently: true,
                            ..
                        }
                    ) {
                        self.finish_citus_cleanup().await;
                    }
                    self.done.insert(idx);
                    self.report.executed.push(idx);
                    self.report(Event::StepDone {
                        number: idx + 1,
                        total: self.total(),
                        step,
                        elapsed: start.elapsed(),
                    });
                    return Ok(());
                }
                Err(StatementError::Interrupted) => {
                    let _ = history::mark_failed(
                        self.client,
                        self.key(),
                        idx,
                        step,
                        "interrupted (Ctrl-C)",
                    )
                    .await;
                    return Err(self.interrupted());
                }
                Err(StatementError::Db(source)) => {
                    if is_lock_timeout(&source) {
                        if attempt < attempts {
                            self.pause_before_retry(idx, attempt, attempts).await?;
                            continue;
                        }
                        return Err(self.lock_timeout_error(idx, attempts).await);
                    }
                    return Err(self.step_failed(idx, source).await);
                }
            }
        }
    }

    /// What an earlier, interrupted run of a non-transactional step left.
    async fn resume_state(&mut self, step: &Step) -> Result<Resume, ApplyError> {
        if let Some((schema, name)) = concurrent_index_build(step) {
            return Ok(match self.index_validity(&schema, &name).await? {
                Some(true) => Resume::Complete,
                // An INVALID leftover is dropped before the build runs.
                Some(false) | None => Resume::AsPlanned,
            });
        }
        if let Some((schema, name)) = concurrent_index_drop(step) {
            return Ok(match self.index_validity(&schema, &name).await? {
                None => Resume::Complete,
                Some(_) => Resume::AsPlanned,
            });
        }
        if let Some((parent, child)) = concurrent_detach(step) {
            let rows = self
                .client
                .query(
                    "SELECT inhdetachpending FROM pg_inherits
                     WHERE inhrelid = to_regclass($1) AND inhparent = to_regclass($2)",
                    &[&child, &parent],
                )
                .await
                .map_err(|source| database_error("reading the partition's state", source))?;
            return Ok(match rows.first() {
                None => Resume::Complete,
                Some(row) if row.try_get::<_, bool>(0).unwrap_or(false) => Resume::Instead(
                    format!("ALTER TABLE {parent} DETACH PARTITION {child} FINALIZE"),
                ),
                Some(_) => Resume::AsPlanned,
            });
        }
        Ok(Resume::AsPlanned)
    }

    /// Drops an INVALID index left by an earlier concurrent build of the
    /// same index.
    async fn drop_invalid_leftover(&mut self, step: &Step) -> Result<(), ApplyError> {
        let Some((schema, name)) = concurrent_index_build(step) else {
            return Ok(());
        };
        if self.index_validity(&schema, &name).await? != Some(false) {
            return Ok(());
        }
        let qualified = crate::model::QualifiedName::new(schema, name);
        let sql = format!("DROP INDEX CONCURRENTLY IF EXISTS {qualified}");
        match self.statement(&sql).await {
            Ok(()) => {}
            Err(StatementError::Db(source)) => {
                return Err(database_error("dropping an INVALID leftover index", source))
            }
            Err(StatementError::Interrupted) => return Err(self.interrupted()),
        }
        let note = format!("dropped INVALID index {qualified} left by an earlier build");
        self.report(Event::Note(&note));
        self.report
            .dropped_invalid_indexes
            .push(qualified.to_string());
        Ok(())
    }

    async fn index_validity(
        &mut self,
        schema: &str,
        name: &str,
    ) -> Result<Option<bool>, ApplyError> {
        index_validity(self.client, schema, name).await
    }

    async fn pause_before_retry(
        &mut self,
        idx: usize,
        attempt: u32,
        attempts: u32,
    ) -> Result<(), ApplyError> {
        let wait = retry::backoff(
            attempt,
            self.options.initial_backoff,
            self.options.max_backoff,
        );
        self.report.retries += 1;
        self.report(Event::StepRetry {
            number: idx + 1,
            total: self.total(),
            attempt,
            attempts,
            wait,
        });
        if self.sleep(wait).await {
            return Err(self.interrupted());
        }
        Ok(())
    }

    async fn lock_timeout_error(&mut self, idx: usize, attempts: u32) -> ApplyError {
        let step = &self.plan.steps[idx];
        let blockers = retry::blockers(self.client, step).await.unwrap_or_default();
        let text = retry::describe(&blockers, step);
        let message = format!("lock timeout after {attempts} attempt(s); {text}");
        let _ = history::mark_failed(self.client, self.key(), idx, step, &message).await;
        ApplyError::LockTimeout {
            number: idx + 1,
            total: self.total(),
            description: step.description.clone(),
            attempts,
            lock_timeout_ms: self.options.lock_timeout.as_millis(),
            blockers: text,
            blocking_pids: blockers.iter().map(|blocker| blocker.pid).collect(),
        }
    }

    /// Records the failure and undoes the step's logical change (see
    /// [`super::undo`]).
    async fn step_failed(&mut self, idx: usize, source: tokio_postgres::Error) -> ApplyError {
        let step = &self.plan.steps[idx];
        let message = crate::introspect::error_message(&source);
        let _ = history::mark_failed(self.client, self.key(), idx, step, &message).await;
        let key = self.key().clone();
        let undone = super::undo::run_undo(
            self.client,
            self.plan,
            &key,
            idx,
            &mut self.done,
            self.options.lock_timeout,
        )
        .await;
        let sql = excerpt(&step.sql);
        ApplyError::StepFailed {
            number: idx + 1,
            total: self.total(),
            description: step.description.clone(),
            message: format!("{message}\n  SQL: {sql}\n{undone}"),
            sql,
            source,
        }
    }

    /// Checks the data of the steps still to run (unless the caller did);
    /// refuses when a step would fail on it.
    async fn preflight(&mut self) -> Result<(), ApplyError> {
        let Some(settings) = &self.options.preflight else {
            return Ok(());
        };
        let report = super::check_data(
            self.client,
            self.plan,
            settings,
            &self.done,
            self.options.progress,
        )
        .await?;
        self.report.preflight_checks = report.checked;
        Ok(())
    }

    /// Runs step `idx`'s statement like [`Run::statement`], reporting its
    /// progress from a second connection when the step is one PostgreSQL
    /// reports progress for ([`super::watch`]).
    async fn watched_statement(&mut self, sql: &str, idx: usize) -> Result<(), StatementError> {
        let step = &self.plan.steps[idx];
        let (Some(conn), Some(what)) = (self.options.monitor, super::watch::watched(step)) else {
            return self.statement(sql).await;
        };
        let pid = match self.backend_pid {
            Some(pid) => pid,
            None => match self.client.query_one("SELECT pg_backend_pid()", &[]).await {
                Ok(row) => *self.backend_pid.insert(row.get::<_, i32>(0)),
                // In a failed transaction the statement reports the error.
                Err(_) => return self.statement(sql).await,
            },
        };
        let total = self.total();
        let progress = self.options.progress;
        let watch = super::watch::watch(conn, pid, what, idx + 1, total, progress);
        tokio::pin!(watch);
        let running = self.statement(sql);
        tokio::pin!(running);
        let mut watching = true;
        loop {
            tokio::select! {
                biased;
                res = &mut running => return res,
                () = &mut watch, if watching => watching = false,
            }
        }
    }

    /// Runs one statement; an interrupt cancels it on the server.
    async fn statement(&mut self, sql: &str) -> Result<(), StatementError> {
        let client = self.client;
        let running = client.batch_execute(sql);
        tokio::pin!(running);
        tokio::select! {
            biased;
            res = &mut running => res.map_err(StatementError::Db),
            () = self.interrupt.wait() => {
                let tls = self.options.tls.clone().unwrap_or_else(Tls::unverified);
                let _ = tls.cancel_query(&client.cancel_token()).await;
                match running.await {
                    // Finished before the cancel arrived: it counts; the
                    // apply stops at the next step.
                    Ok(()) => Ok(()),
                    Err(_) => Err(StatementError::Interrupted),
                }
            }
        }
    }

    async fn rollback(&mut self) {
        // Outside a transaction ROLLBACK only warns; a broken connection
        // has rolled back already.
        let _ = self.client.batch_execute("ROLLBACK").await;
    }

    /// After `create_distributed_table_concurrently`: Citus drops the
    /// operation's replication slots, subscriptions and publications on
    /// the workers itself, but one still in use is left to its deferred
    /// cleanup (`pg_dist_cleanup`). Their names repeat across the
    /// databases of a cluster (they carry the database's operation
    /// number), so the next concurrent distribution in another database
    /// of the cluster could meet one ("replication slot ... already
    /// exists"). The cleanup is run now, until only shards are left for
    /// it, for at most 30 s; it never fails the step.
    async fn finish_citus_cleanup(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let _ = self
                .client
                .batch_execute("CALL citus_cleanup_orphaned_resources()")
                .await;
            let left = self
                .client
                .query_one(
                    "SELECT count(*) FROM pg_dist_cleanup WHERE object_type <> 1",
                    &[],
                )
                .await
                .ok()
                .and_then(|row| row.try_get::<_, i64>(0).ok())
                .unwrap_or(0);
            if left == 0 || Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn reset_timeouts(&mut self) {
        let _ = self
            .client
            .batch_execute(
                "RESET lock_timeout; RESET statement_timeout; RESET search_path; RESET ROLE",
            )
            .await;
    }

    /// Sleeps; `true` when interrupted meanwhile.
    async fn sleep(&mut self, duration: Duration) -> bool {
        tokio::select! {
            () = tokio::time::sleep(duration) => false,
            () = self.interrupt.wait() => true,
        }
    }
}

/// Watches for an interruption (Ctrl-C or the test timer).
struct InterruptWatch {
    signal: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
    fired: bool,
}

impl InterruptWatch {
    fn new(interrupt: Interrupt) -> InterruptWatch {
        let signal: Option<Pin<Box<dyn Future<Output = ()> + Send>>> = match interrupt {
            Interrupt::Never => None,
            Interrupt::CtrlC => Some(Box::pin(async {
                // Without a handler there is no Ctrl-C to wait for.
                if tokio::signal::ctrl_c().await.is_err() {
                    std::future::pending::<()>().await;
                }
            })),
            Interrupt::After(delay) => Some(Box::pin(tokio::time::sleep(delay))),
        };
        InterruptWatch {
            signal,
            fired: false,
        }
    }

    /// Completes when interrupted (at once when it already was).
    async fn wait(&mut self) {
        if self.fired {
            return;
        }
        match self.signal.as_mut() {
            Some(signal) => {
                signal.as_mut().await;
                self.fired = true;
                self.signal = None;
            }
            None => std::future::pending::<()>().await,
        }
    }

    /// True when interrupted by now (polls the signal once).
    async fn check(&mut self) -> bool {
        tokio::select! {
            biased;
            () = self.wait() => true,
            () = std::future::ready(()) => false,
        }
    }
}

/// The first line of a statement, for error messages.
fn excerpt(sql: &str) -> String {
    let line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 200 {
        format!("{}...", line.chars().take(197).collect::<String>())
    } else {
        line
    }
}

/// `(schema, index)` of a concurrent index build run outside a
/// transaction. The index lives in its table's schema.
fn concurrent_index_build(step: &Step) -> Option<(String, String)> {
    if step.transactional {
        return None;
    }
    let (table, name) = step.action.concurrent_index_build()?;
    Some((table.schema.0.clone(), name.0.clone()))
}

/// `(schema, index)` of a `DROP INDEX CONCURRENTLY` step.
fn concurrent_index_drop(step: &Step) -> Option<(String, String)> {
    match &step.action {
        Action::DropIndex {
            table,
            name,
            concurrently: true,
        } if !step.transactional => Some((table.schema.0.clone(), name.0.clone())),
        _ => None,
    }
}

/// `(parent, partition)` (printed names, as `to_regclass` reads them) of a
/// `DETACH PARTITION ... CONCURRENTLY` step.
fn concurrent_detach(step: &Step) -> Option<(String, String)> {
    match &step.action {
        Action::DetachPartition {
            parent,
            partition,
            concurrently: true,
        } if !step.transactional => Some((parent.to_string(), partition.to_string())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Ident, ObjectId, QualifiedName};
    use crate::plan::{Lock, LockMode, Origin};

    fn step(action: Action, transactional: bool) -> Step {
        let table = QualifiedName::new("App", "orders");
        Step {
            role: None,
            description: "test".to_string(),
            action,
            // The SQL says something else: only the action counts.
            sql: "SELECT 1".to_string(),
            transactional,
            joins_previous: false,
            locks: vec![Lock {
                relation: table.clone(),
                mode: LockMode::ShareUpdateExclusive,
            }],
            rewrites: false,
            scans: false,
            hazards: Vec::new(),
            table: Some(table.clone()),
            table_size: None,
            origin: Origin {
                change: 0,
                object: ObjectId::Table(table),
                span: None,
            },
        }
    }

    fn create_index(name: &str, concurrently: bool) -> Action {
        Action::CreateIndex {
            table: QualifiedName::new("App", "orders"),
            name: Ident::new(name),
            unique: false,
            concurrently,
            on_only: false,
            columns: vec![Ident::new("a")],
            expressions: Vec::new(),
            predicate: None,
            nulls_not_distinct: false,
        }
    }

    #[test]
    fn finds_concurrent_index_builds_from_the_action() {
        assert_eq!(
            concurrent_index_build(&step(create_index("Odd\"Name", true), false)),
            Some(("App".to_string(), "Odd\"Name".to_string()))
        );
        assert_eq!(
            concurrent_index_build(&step(create_index("orders_idx", false), false)),
            None
        );
        assert_eq!(
            concurrent_index_build(&step(create_index("orders_idx", true), true)),
            None
        );
        assert_eq!(concurrent_index_build(&step(Action::Raw, false)), None);
    }

    #[test]
    fn finds_concurrent_index_drops_and_detaches_from_the_action() {
        let drop = |concurrently| Action::DropIndex {
            table: QualifiedName::new("public", "orders"),
            name: Ident::new("orders_idx"),
            concurrently,
        };
        assert_eq!(
            concurrent_index_drop(&step(drop(true), false)),
            Some(("public".to_string(), "orders_idx".to_string()))
        );
        assert_eq!(concurrent_index_drop(&step(drop(false), true)), None);
        let detach = |concurrently| Action::DetachPartition {
            parent: QualifiedName::new("App", "orders"),
            partition: QualifiedName::new("App", "orders_2020"),
            concurrently,
        };
        assert_eq!(
            concurrent_detach(&step(detach(true), false)),
            Some((
                "\"App\".orders".to_string(),
                "\"App\".orders_2020".to_string()
            ))
        );
        assert_eq!(concurrent_detach(&step(detach(false), true)), None);
        assert_eq!(concurrent_detach(&step(drop(true), false)), None);
    }

    #[test]
    fn excerpts_are_one_short_line() {
        assert_eq!(
            excerpt("ALTER TABLE t\n  ADD COLUMN c int"),
            "ALTER TABLE t ADD COLUMN c int"
        );
        assert_eq!(excerpt(&"x ".repeat(300)).chars().count(), 200);
    }

    #[tokio::test]
    async fn interrupt_watch_fires_once_and_stays_fired() {
        let mut never = InterruptWatch::new(Interrupt::Never);
        assert!(!never.check().await);
        let mut soon = InterruptWatch::new(Interrupt::After(Duration::from_millis(1)));
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(soon.check().await);
        assert!(soon.check().await);
        soon.wait().await;
    }
}
