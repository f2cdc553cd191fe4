//! The safe executor: runs a [`Plan`] against a live database.
//!
//! What apply guarantees (DESIGN.md §4):
//! - **Hazards first.** A plan whose hazards are not all allowed is refused
//!   before the database is touched ([`check_hazards`]).
//! - **One apply at a time.** A session-level advisory lock
//!   ([`advisory_lock`]) serialises applies on a database; a second apply
//!   waits (saying for which pid) and fails cleanly after a timeout.
//! - **Exact grouping.** Steps run in the transactions
//!   [`Plan::transaction_groups`] gives (the same grouping `render::sql`
//!   prints); non-transactional steps (`CREATE INDEX CONCURRENTLY`, `DROP
//!   INDEX CONCURRENTLY`, `DETACH PARTITION ... CONCURRENTLY`, batched
//!   backfills) run on their own, outside any transaction.
//! - **Short lock waits, long statements.** Every step runs with a short
//!   `lock_timeout` and a separate, long `statement_timeout` (`SET LOCAL`
//!   inside transactions; session `SET` then `RESET` around
//!   non-transactional steps); a lock timeout is retried with exponential
//!   backoff and finally reported with the session holding the lock.
//! - **Recorded and resumable.** Every run and every step is recorded in
//!   `schemac.apply_runs` and `schemac.apply_history` ([`history`]); for a
//!   transactional group the record commits atomically with the steps.
//!   Running a plan whose earlier run did not finish resumes that run and
//!   skips its finished steps, so nothing is applied twice; a run left
//!   `running` by a killed process is marked interrupted by the next
//!   apply. A plan applied to completion and applied again later (schema
//!   a, b, a, b) is a new run.
//! - **Interruptible.** Ctrl-C cancels the running statement, rolls back
//!   the open transaction and leaves a resumable history.
//! - **Verified.** After the last step the database is introspected again
//!   and compared with the desired Model ([`verify`]).
//!
//! Boundary: the database (writes). `introspect` reads it (also here, to
//! verify and to check a saved plan's fingerprint) and `live` owns the
//! session around an apply; this module depends on neither `live` nor
//! the command line. It never prints a connection string; progress goes through
//! the [`progress::Progress`] sink the caller chooses.

pub mod advisory_lock;
mod executor;
pub mod history;
pub mod preflight;
pub mod progress;
pub mod retry;
pub mod undo;
pub mod verify;
pub mod watch;

pub use executor::{drop_invalid_leftovers, lock};
pub use history::{exclude_own_schema, HISTORY_SCHEMA, HISTORY_TABLE};
pub use preflight::{PreflightReport, PreflightRule, PreflightSettings};
pub use progress::{Event, Progress};

use crate::config::{AllowedHazards, ApplySettings};
use crate::introspect::{Filter, IntrospectError};
use crate::model::Model;
use crate::plan::{Hazard, Plan};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio_postgres::Client;

/// How an apply runs. [`ApplyOptions::default`] gives the documented
/// defaults with no progress output, no interruption and no verification.
#[derive(Clone)]
pub struct ApplyOptions<'a> {
    /// Hazards the plan may contain.
    pub allowed_hazards: AllowedHazards,
    /// `lock_timeout` of every step (default 3 s).
    pub lock_timeout: Duration,
    /// `statement_timeout` of every step (default 30 min).
    pub statement_timeout: Duration,
    /// Attempts per step when it times out waiting for a lock (default 5).
    pub lock_attempts: u32,
    /// Wait before the second attempt; doubles each time (default 500 ms).
    pub initial_backoff: Duration,
    /// The longest wait between attempts (default 30 s).
    pub max_backoff: Duration,
    /// How long to wait for another apply to finish (default 10 min).
    pub wait_timeout: Duration,
    /// How often to retry the advisory lock while waiting (default 1 s).
    pub wait_poll_interval: Duration,
    /// Where progress is reported.
    pub progress: &'a dyn Progress,
    /// What interrupts the apply.
    pub interrupt: Interrupt,
    /// Introspect after the last step and compare with this schema.
    pub verify: Option<VerifyTarget<'a>>,
    /// Test-only: simulate an interruption (a killed process) right after
    /// step `k` (1-based) has run: an open transaction is rolled back, and
    /// a non-transactional step is left recorded as `running`.
    pub stop_after_step: Option<usize>,
    /// TLS of the cancel request sent when a step is interrupted: that of
    /// the connection ([`crate::live::ConnParams::tls`]). `None`:
    /// TLS when the connection used it, without checking the certificate.
    pub tls: Option<crate::live::Tls>,
    /// The fingerprint ([`crate::plan::saved::fingerprint`]) of the
    /// database state the plan was made for: part of the plan id, and the
    /// starting state recorded with the run in `schemac.apply_runs`.
    /// `None`: not known (recorded as empty).
    pub fingerprint: Option<String>,
    /// Which data checks run before the first step ([`preflight`]);
    /// `None` when the caller ran them already.
    pub preflight: Option<PreflightSettings>,
    /// Where a second connection may watch a long step's progress
    /// ([`watch`]); `None`: no progress beyond the elapsed time.
    pub monitor: Option<&'a crate::live::ConnParams>,
}

impl Default for ApplyOptions<'_> {
    fn default() -> Self {
        ApplyOptions {
            allowed_hazards: AllowedHazards::default(),
            lock_timeout: Duration::from_secs(3),
            statement_timeout: Duration::from_secs(30 * 60),
            lock_attempts: 5,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            wait_timeout: Duration::from_secs(10 * 60),
            wait_poll_interval: Duration::from_secs(1),
            progress: &progress::Silent,
            interrupt: Interrupt::Never,
            verify: None,
            stop_after_step: None,
            tls: None,
            fingerprint: None,
            preflight: Some(PreflightSettings::default()),
            monitor: None,
        }
    }
}

impl ApplyOptions<'_> {
    /// The settings `schemac apply` resolved once (`[apply]` in
    /// schemac.toml merged with its flags, see [`ApplySettings`]), with the
    /// defaults for everything else.
    pub fn from_settings(settings: &ApplySettings, allowed_hazards: AllowedHazards) -> Self {
        let ApplySettings {
            lock_timeout,
            statement_timeout,
            lock_attempts,
            wait_timeout,
        } = *settings;
        ApplyOptions {
            allowed_hazards,
            lock_timeout,
            statement_timeout,
            lock_attempts,
            wait_timeout,
            ..ApplyOptions::default()
        }
    }
}

/// What interrupts a running apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupt {
    Never,
    /// Ctrl-C (SIGINT), for the command line.
    CtrlC,
    /// Test-only: as if Ctrl-C were pressed this long after the start.
    After(Duration),
}

/// The schema the database must equal after the last step.
#[derive(Debug, Clone, Copy)]
pub struct VerifyTarget<'a> {
    /// The desired schema as the server stores it (normalised by a shadow
    /// database), or the file Model when `offline`.
    pub desired: &'a Model,
    /// The filter used to introspect (schemac's own schema is always left
    /// out, see [`exclude_own_schema`]).
    pub filter: &'a Filter,
    /// No shadow database normalised `desired`: expressions the offline
    /// normaliser cannot prove equal to the introspected ones are settled
    /// the way `plan --db --no-shadow` settles them
    /// ([`crate::model::normalize::unproven_expressions`]) before
    /// comparing.
    pub offline: bool,
}

/// What an apply did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// [`crate::plan::saved::plan_id`] of the plan and the fingerprint of
    /// [`ApplyOptions::fingerprint`].
    pub plan_id: String,
    /// Steps (0-based) run by this apply.
    pub executed: Vec<usize>,
    /// Steps (0-based) skipped because the history records them as done.
    pub skipped: Vec<usize>,
    /// Non-transactional steps (0-based) recorded as `running` by an
    /// interrupted apply that turned out to have completed (their index
    /// exists and is valid, or is already gone): recorded as done, not run.
    pub recovered: Vec<usize>,
    /// INVALID indexes left by an interrupted concurrent build, dropped.
    pub dropped_invalid_indexes: Vec<String>,
    /// Lock-timeout retries, over all steps.
    pub retries: usize,
    /// The pid of another apply this one waited for.
    pub waited_for_pid: Option<i32>,
    /// The database was introspected and equals the desired schema.
    pub verified: bool,
    /// Preflight data checks run before the first step.
    pub preflight_checks: usize,
}

/// A failure of the apply. Every variant says what to do next.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ApplyError {
    #[error("the plan has hazards that are not allowed: {hazards}\n{details}")]
    #[diagnostic(
        code("hazard-not-allowed"),
        help("read the plan, then re-run with --allow-hazards {hazards} (or add them to [plan] allow-hazards in schemac.toml)")
    )]
    HazardsNotAllowed { hazards: String, details: String },

    #[error("preflight: {count} step(s) would fail on the data now in the database; nothing was changed\n{details}")]
    #[diagnostic(
        code("preflight-failed"),
        help("fix the offending rows (or the schema), then run schemac apply again; to skip a check, pass --skip-preflight RULE[,RULE] or all (a step that still fails is undone)")
    )]
    PreflightFailed { count: usize, details: String },

    #[error("another schemac apply (pid {pid}) is still running on this database after waiting {waited_secs}s")]
    #[diagnostic(
        code("apply-in-progress"),
        help("wait for it to finish, or raise --wait-timeout; two applies never run at once")
    )]
    AnotherApplyRunning { pid: String, waited_secs: u64 },

    #[error("step {number}/{total} ({description}) could not get its lock after {attempts} attempt(s) of {lock_timeout_ms} ms: {blockers}")]
    #[diagnostic(
        code("lock-timeout"),
        help("wait for the blocking transaction to finish (or end it with SELECT pg_terminate_backend(pid)), then run schemac apply again; finished steps are not repeated")
    )]
    LockTimeout {
        number: usize,
        total: usize,
        description: String,
        attempts: u32,
        lock_timeout_ms: u128,
        /// Who holds a conflicting lock, one session per line.
        blockers: String,
        /// Their pids.
        blocking_pids: Vec<i32>,
    },

    #[error("step {number}/{total} ({description}) failed: {message}")]
    #[diagnostic(
        code("step-failed"),
        help("the lines above say what was undone and what was not; fix the cause and run schemac apply again: finished steps are not repeated")
    )]
    StepFailed {
        number: usize,
        total: usize,
        description: String,
        sql: String,
        /// The server's message, the step's SQL, and what was undone of
        /// the step's logical change and what was not (one line each).
        message: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("apply interrupted: {done} of {total} steps are applied")]
    #[diagnostic(
        code("interrupted"),
        help("run the same schemac apply again to resume: finished steps are recorded in schemac.apply_history (plan {plan_id}) and are not repeated")
    )]
    Interrupted {
        plan_id: String,
        done: usize,
        total: usize,
    },

    #[error(
        "after the last step the database still differs from the desired schema:\n{differences}"
    )]
    #[diagnostic(
        code("not-converged"),
        help("someone changed the database during the apply, or schemac planned this change wrongly (please report it); `schemac plan --db` shows what is left")
    )]
    NotConverged { differences: String },

    #[error("the database changed since the plan was made: re-run schemac plan (fingerprint {expected} in the plan file, {found} now)")]
    #[diagnostic(
        code("stale-plan"),
        help("a saved plan is only applied to the database it was made against; run `schemac plan --db URL --out FILE` again")
    )]
    StalePlan { expected: String, found: String },

    #[error("the apply history of plan {plan_id} is inconsistent: {message}")]
    #[diagnostic(
        code("history-inconsistent"),
        help("inspect schemac.apply_history; delete the rows of this plan id to start it afresh only if the database does not contain its changes")
    )]
    HistoryInconsistent { plan_id: String, message: String },

    #[error("{action} failed: {message}")]
    #[diagnostic(
        code("database-error"),
        help("check the connection and that the role may create the schema schemac and take advisory locks")
    )]
    Database {
        action: &'static str,
        message: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Introspect(#[from] IntrospectError),
}

/// Refuses a plan whose hazards are not all allowed, naming each refused
/// hazard and the steps (1-based) that raise it.
pub fn check_hazards(plan: &Plan, allowed: &AllowedHazards) -> Result<(), ApplyError> {
    let refused = allowed.refused(plan);
    if refused.is_empty() {
        return Ok(());
    }
    let mut raised_by: BTreeMap<Hazard, Vec<String>> = BTreeMap::new();
    for (idx, step) in plan.steps.iter().enumerate() {
        for note in &step.hazards {
            if refused.contains(&note.hazard) {
                raised_by.entry(note.hazard).or_default().push(format!(
                    "step {} ({}): {}",
                    idx + 1,
                    step.description,
                    note.message
                ));
            }
        }
    }
    let details = raised_by
        .iter()
        .flat_map(|(hazard, steps)| steps.iter().map(move |step| format!("  {hazard}: {step}")))
        .collect::<Vec<_>>()
        .join("\n");
    let hazards = refused
        .iter()
        .map(|hazard| hazard.id())
        .collect::<Vec<_>>()
        .join(",");
    Err(ApplyError::HazardsNotAllowed { hazards, details })
}

/// Runs the preflight data checks of `plan` (steps recorded done in
/// `done` left out) and refuses the plan when a step would fail on the
/// data; notes go to `progress`.
pub async fn check_data(
    client: &Client,
    plan: &Plan,
    settings: &PreflightSettings,
    done: &std::collections::BTreeSet<usize>,
    progress: &dyn Progress,
) -> Result<PreflightReport, ApplyError> {
    let mut report = preflight::preflight(client, plan, settings).await?;
    report
        .findings
        .retain(|finding| !done.contains(&finding.step));
    for note in report.notes() {
        progress.report(&Event::Note(&note));
    }
    if report.findings.is_empty() {
        return Ok(report);
    }
    Err(ApplyError::PreflightFailed {
        count: report.findings.len(),
        details: report.describe(),
    })
}

/// Applies `plan`: see the module documentation for the guarantees.
pub async fn apply(
    plan: &Plan,
    client: &mut Client,
    options: &ApplyOptions<'_>,
) -> Result<ApplyReport, ApplyError> {
    check_hazards(plan, &options.allowed_hazards)?;
    executor::run(plan, client, options).await
}

/// Whether a saved plan may be applied now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// The database is the one the plan was made against.
    Fresh,
    /// The plan was partly applied before (so the database differs from
    /// the fingerprint by this plan's own steps): `done` steps are recorded.
    Resuming { done: usize },
}

/// Checks a saved plan's fingerprint against the database: introspects
/// (with `filter`, schemac's own schema left out) and compares. A plan
/// whose history shows finished steps is being resumed: its own steps
/// changed the database, so the fingerprint is not compared.
pub async fn check_fingerprint(
    client: &Client,
    plan_id: &str,
    expected: &str,
    filter: &Filter,
) -> Result<Freshness, ApplyError> {
    let done = history::count_done(client, plan_id).await?;
    if done > 0 {
        return Ok(Freshness::Resuming { done });
    }
    let current = current_model(client, filter).await?;
    let found = crate::plan::saved::fingerprint(&current);
    if found == expected {
        Ok(Freshness::Fresh)
    } else {
        Err(ApplyError::StalePlan {
            expected: expected.to_string(),
            found,
        })
    }
}

/// Introspects the database without schemac's own schema.
pub async fn current_model(client: &Client, filter: &Filter) -> Result<Model, ApplyError> {
    let mut filter = filter.clone();
    exclude_own_schema(&mut filter);
    let mut model = crate::introspect::introspect(client, &filter).await?;
    history::strip_own_schema(&mut model);
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ObjectId, QualifiedName};
    use crate::plan::{HazardNote, Origin, Step};

    fn step(description: &str, hazards: &[Hazard]) -> Step {
        Step {
            role: None,
            description: description.to_string(),
            action: crate::plan::Action::Raw,
            sql: format!("-- {description}"),
            transactional: true,
            joins_previous: false,
            locks: Vec::new(),
            rewrites: false,
            scans: false,
            hazards: hazards
                .iter()
                .map(|hazard| HazardNote {
                    hazard: *hazard,
                    message: format!("{description} is {hazard}"),
                })
                .collect(),
            table: None,
            table_size: None,
            origin: Origin {
                change: 0,
                object: ObjectId::Table(QualifiedName::public("t")),
                span: None,
            },
        }
    }

    #[test]
    fn the_history_schema_is_the_one_introspection_leaves_out() {
        assert_eq!(HISTORY_SCHEMA, crate::introspect::OWN_SCHEMA);
    }

    #[test]
    fn resolved_settings_become_options() {
        let settings = ApplySettings {
            lock_timeout: Duration::from_millis(250),
            statement_timeout: Duration::from_secs(60),
            lock_attempts: 2,
            wait_timeout: Duration::from_secs(5),
        };
        let options = ApplyOptions::from_settings(&settings, AllowedHazards::All);
        assert_eq!(options.lock_timeout, Duration::from_millis(250));
        assert_eq!(options.statement_timeout, Duration::from_secs(60));
        assert_eq!(options.lock_attempts, 2);
        assert_eq!(options.wait_timeout, Duration::from_secs(5));
        assert_eq!(options.allowed_hazards, AllowedHazards::All);
        let defaults = ApplyOptions::default();
        assert_eq!(options.initial_backoff, defaults.initial_backoff);
        assert!(options.verify.is_none());
        // The built-in settings are the executor's own defaults.
        let builtin = ApplyOptions::from_settings(&ApplySettings::default(), AllowedHazards::All);
        assert_eq!(builtin.lock_timeout, defaults.lock_timeout);
        assert_eq!(builtin.statement_timeout, defaults.statement_timeout);
        assert_eq!(builtin.lock_attempts, defaults.lock_attempts);
        assert_eq!(builtin.wait_timeout, defaults.wait_timeout);
    }

    #[test]
    fn refused_hazards_name_their_steps() {
        let plan = Plan {
            search_path: None,
            steps: vec![
                step("drop table public.a", &[Hazard::DataLoss]),
                step("create index i", &[Hazard::IndexBuild]),
                step("drop column public.b.c", &[Hazard::DataLoss]),
            ],
            notes: Vec::new(),
        };
        let allowed = AllowedHazards::parse(["index-build"], "test").expect("valid ids");
        let err = check_hazards(&plan, &allowed).expect_err("data-loss is refused");
        insta::assert_snapshot!(err.to_string(), @r"
        the plan has hazards that are not allowed: data-loss
          data-loss: step 1 (drop table public.a): drop table public.a is data-loss
          data-loss: step 3 (drop column public.b.c): drop column public.b.c is data-loss
        ");
        assert!(check_hazards(&plan, &AllowedHazards::All).is_ok());
        let none = AllowedHazards::default();
        let err = check_hazards(&plan, &none).expect_err("nothing allowed");
        assert!(matches!(
            err,
            ApplyError::HazardsNotAllowed { ref hazards, .. } if hazards == "data-loss,index-build"
        ));
        assert!(check_hazards(&Plan::default(), &none).is_ok());
    }
}
