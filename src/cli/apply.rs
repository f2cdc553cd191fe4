//! `schemac apply --db URL [PATHS]` and `schemac apply --db URL --plan FILE
//! [PATHS]`: plan against the live database (or load a saved plan), show
//! the plan, ask, and run it with the safe executor ([`crate::apply`]).
//!
//! Invariants:
//! - stdout gets the plan; the question, progress and the summary go to
//!   stderr. Without `--yes` apply asks, and refuses outright when stdin
//!   is not a terminal (a pipeline must say `--yes`).
//! - Hazards are checked before the question: a refused plan never asks.
//! - Planning happens under the advisory lock, so no other apply can
//!   change the database between the plan and its execution.
//! - A saved plan is applied only to the database it was made against
//!   (its fingerprint), unless its own history shows it is being resumed;
//!   with PATHS the result is verified against them.
//! - The connection string is never printed (`DATABASE_URL`'s value is
//!   hidden from `--help` too).

use crate::apply::progress::{Bars, Lines, Progress};
use crate::apply::{
    self, advisory_lock, check_hazards, ApplyError, ApplyOptions, Freshness, Interrupt,
    VerifyTarget,
};
use crate::cli::plan::{invalid_index_notes, normalize_desired, read_live, LiveError, ShadowArgs};
use crate::cli::{compile, load_sources, report_to_stderr, use_color, ExitStatus};
use crate::config::{parse_duration, AllowedHazards, ConfigError, Options};
use crate::introspect::{Filter, IntrospectError};
use crate::model::Model;
use crate::plan::saved::{self, SavedPlanError};
use crate::plan::{plan_models, Plan, PlanError, PlanOptions};
use crate::render;
use crate::source::SourceError;
use clap::Args;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio_postgres::Client;

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The desired schema's files or directories [default: `paths` in
    /// schemac.toml, else .]. With --plan, only used to verify the result.
    pub paths: Vec<PathBuf>,

    /// The database: a postgres:// URL or a key=value string.
    #[arg(long, value_name = "URL", env = "DATABASE_URL", hide_env_values = true)]
    pub db: Option<String>,

    /// Apply a plan saved with `schemac plan --out FILE` instead of
    /// planning now; refused when the database changed since.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,

    #[command(flatten)]
    pub shadow: ShadowArgs,

    /// Apply without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Hazards the plan may contain: comma-separated ids, or `all`
    /// (overrides `[plan] allow-hazards` in schemac.toml).
    #[arg(long, value_name = "LIST|all")]
    pub allow_hazards: Option<String>,

    /// How long a step may wait for a lock before it is retried
    /// (`lock_timeout`) [default: `[apply] lock-timeout`, else 3s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub lock_timeout: Option<Duration>,

    /// How long one statement may run (`statement_timeout`) [default:
    /// `[apply] statement-timeout`, else 30min].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub statement_timeout: Option<Duration>,

    /// Attempts per step when it times out waiting for a lock [default:
    /// `[apply] lock-attempts`, else 5].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub lock_attempts: Option<u32>,

    /// How long to wait for another schemac apply on the same database
    /// [default: `[apply] wait-timeout`, else 10min].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub wait_timeout: Option<Duration>,
}

/// Failures of `schemac apply`.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ApplyCommandError {
    #[error("no database to apply to")]
    #[diagnostic(code("no-database"), help("pass --db URL or set DATABASE_URL"))]
    NoDatabase,

    #[error("refusing to apply without confirmation: stdin is not a terminal")]
    #[diagnostic(
        code("confirmation-required"),
        help("read the plan, then re-run with --yes to apply it without asking")
    )]
    NotConfirmed,

    #[error("cannot read the plan file {path}: {source}")]
    #[diagnostic(code("read-error"), help("check the path given to --plan"))]
    ReadPlan {
        path: String,
        #[source]
        source: io::Error,
    },

    #[error("cannot start the async runtime: {0}")]
    #[diagnostic(code("runtime-error"))]
    Runtime(#[source] io::Error),

    #[error("cannot write output: {0}")]
    #[diagnostic(code("write-error"))]
    Output(#[from] io::Error),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Source(#[from] SourceError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    SavedPlan(#[from] SavedPlanError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] PlanError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Introspect(#[from] IntrospectError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Apply(#[from] ApplyError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Live(#[from] LiveError),
}

/// Runs `schemac apply`.
pub fn run(options: &Options, args: &ApplyArgs) -> Result<ExitStatus, ApplyCommandError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ApplyCommandError::Runtime)?;
    runtime.block_on(run_async(options, args))
}

async fn run_async(options: &Options, args: &ApplyArgs) -> Result<ExitStatus, ApplyCommandError> {
    let url = args
        .db
        .as_deref()
        .filter(|url| !url.trim().is_empty())
        .ok_or(ApplyCommandError::NoDatabase)?;
    let allowed = match &args.allow_hazards {
        Some(flag) => AllowedHazards::parse_flag(flag)?,
        None => options.allow_hazards.clone(),
    };
    let stderr_is_terminal = io::stderr().is_terminal();
    let progress: Box<dyn Progress> = if stderr_is_terminal {
        Box::new(Bars::stderr())
    } else {
        Box::new(Lines::new(io::stderr()))
    };
    let conn = crate::live::ConnParams::parse(url).map_err(IntrospectError::from)?;
    let apply_options = ApplyOptions {
        allowed_hazards: allowed,
        lock_timeout: args.lock_timeout.unwrap_or(options.apply.lock_timeout),
        statement_timeout: args
            .statement_timeout
            .unwrap_or(options.apply.statement_timeout),
        lock_attempts: args.lock_attempts.unwrap_or(options.apply.lock_attempts),
        wait_timeout: args.wait_timeout.unwrap_or(options.apply.wait_timeout),
        progress: progress.as_ref(),
        interrupt: Interrupt::CtrlC,
        tls: Some(conn.tls().map_err(IntrospectError::from)?),
        ..ApplyOptions::default()
    };

    let (mut client, connection) = conn.connect().await.map_err(IntrospectError::from)?;
    let mut filter = Filter::default();
    apply::exclude_own_schema(&mut filter);

    // Plan under the advisory lock: nobody changes the database between
    // this plan and its execution.
    apply::lock(&client, &apply_options).await?;
    let res = plan_and_apply(options, args, url, &mut client, &filter, &apply_options).await;
    let _ = advisory_lock::unlock(&client).await;
    drop(client);
    // The connection task ends with the client; its error, if any, is the
    // same one the last query already reported.
    let _ = connection.await;
    res
}

async fn plan_and_apply(
    options: &Options,
    args: &ApplyArgs,
    url: &str,
    client: &mut Client,
    filter: &Filter,
    apply_options: &ApplyOptions<'_>,
) -> Result<ExitStatus, ApplyCommandError> {
    let started = Instant::now();
    let desired = match desired_model(options, args)? {
        Ok(desired) => desired,
        Err(status) => return Ok(status),
    };
    let saved_plan = match &args.plan {
        Some(path) => Some(load_saved_plan(client, filter, path).await?),
        None if desired.is_none() => return Err(ApplyCommandError::NoDatabase),
        None => {
            apply::drop_invalid_leftovers(client, apply_options).await?;
            None
        }
    };
    // The desired schema as the server stores it, exactly as `plan --db`
    // normalises it: what a fresh plan is made from and what the result is
    // verified against.
    let normalized = match &desired {
        Some(desired) => {
            let live = read_live(client, url, filter).await?;
            let normalized =
                normalize_desired(client, &args.shadow, url, desired, &live, filter).await?;
            for note in invalid_index_notes(&live).iter().chain(&normalized.notes) {
                eprintln!("note: {note}");
            }
            Some((live, normalized))
        }
        None => None,
    };
    let plan = match (saved_plan, &normalized) {
        (Some(plan), _) => plan,
        (None, Some((live, normalized))) => {
            let plan_options = PlanOptions {
                server_version: live.server_version,
                ..PlanOptions::default()
            };
            let mut plan = plan_models(&live.current, &normalized.model, &plan_options)?;
            plan.notes.extend(normalized.unproven.iter().cloned());
            plan
        }
        (None, None) => return Err(ApplyCommandError::NoDatabase),
    };
    let normalized = normalized.map(|(_, normalized)| normalized);

    show_plan(options, &plan)?;
    if plan.is_empty() {
        eprintln!("nothing to apply: the database already matches the schema");
        return Ok(ExitStatus::Success);
    }
    check_hazards(&plan, &apply_options.allowed_hazards)?;
    if !args.yes && !confirm(&plan)? {
        eprintln!("apply cancelled: nothing was changed");
        return Ok(ExitStatus::Failure);
    }
    let run_options = ApplyOptions {
        verify: normalized.as_ref().map(|normalized| VerifyTarget {
            desired: &normalized.model,
            filter,
            offline: normalized.offline,
        }),
        ..apply_options.clone()
    };
    let report = apply::apply(&plan, client, &run_options).await?;
    let mut summary = format!(
        "applied {} of {} steps in {:.1}s",
        report.executed.len() + report.recovered.len(),
        plan.steps.len(),
        started.elapsed().as_secs_f64()
    );
    if !report.skipped.is_empty() {
        summary.push_str(&format!(
            " ({} already applied by an earlier run)",
            report.skipped.len()
        ));
    }
    if report.verified {
        summary.push_str("; the database matches the schema");
    } else {
        summary.push_str("; not verified (pass the schema PATHS with --plan to verify)");
    }
    eprintln!("{summary}");
    Ok(ExitStatus::Success)
}

/// Reads a plan saved by `plan --out` and checks that it was made against
/// this database (or is being resumed).
async fn load_saved_plan(
    client: &Client,
    filter: &Filter,
    path: &std::path::Path,
) -> Result<Plan, ApplyCommandError> {
    let text = std::fs::read_to_string(path).map_err(|source| ApplyCommandError::ReadPlan {
        path: path.display().to_string(),
        source,
    })?;
    let loaded = saved::from_json(&text)?;
    match apply::check_fingerprint(client, &loaded.plan_id, &loaded.fingerprint, filter).await? {
        Freshness::Fresh => {}
        Freshness::Resuming { done } => eprintln!(
            "note: plan {} was interrupted with {done} of {} steps applied; resuming it",
            loaded.plan_id,
            loaded.plan.steps.len()
        ),
    }
    Ok(loaded.plan)
}

/// The desired Model: `Ok(None)` for `--plan` without PATHS;
/// `Err(status)` when the sources have errors (already reported).
fn desired_model(
    options: &Options,
    args: &ApplyArgs,
) -> Result<Result<Option<Model>, ExitStatus>, ApplyCommandError> {
    if args.plan.is_some() && args.paths.is_empty() {
        return Ok(Ok(None));
    }
    let sources = load_sources(&options.paths, 0)?;
    let parsed = compile(&sources);
    let mut diagnostics = parsed.diagnostics.clone();
    render::diagnostics::sort(&mut diagnostics);
    report_to_stderr(options, &diagnostics, &sources).map_err(cli_error)?;
    if parsed.has_errors() {
        return Ok(Err(ExitStatus::Failure));
    }
    Ok(Ok(Some(parsed.value)))
}

/// The plan as text on stdout.
fn show_plan(options: &Options, plan: &Plan) -> Result<(), ApplyCommandError> {
    let stdout = io::stdout();
    let color = use_color(options, stdout.is_terminal());
    let mut out = stdout.lock();
    render::text::render(plan, &mut out, color)?;
    out.flush()?;
    Ok(())
}

/// Asks on stderr, reads stdin. Refuses when stdin is not a terminal.
fn confirm(plan: &Plan) -> Result<bool, ApplyCommandError> {
    let stdin = io::stdin();
    if !stdin.is_terminal() {
        return Err(ApplyCommandError::NotConfirmed);
    }
    let mut stderr = io::stderr();
    write!(
        stderr,
        "apply these {} steps? type `yes` to continue: ",
        plan.steps.len()
    )?;
    stderr.flush()?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "yes" | "y"
    ))
}

fn cli_error(err: crate::cli::CliError) -> ApplyCommandError {
    match err {
        crate::cli::CliError::Output(err) => ApplyCommandError::Output(err),
        other => ApplyCommandError::Output(io::Error::other(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: ApplyArgs,
    }

    #[test]
    fn flags_parse_with_defaults() {
        let parsed = Wrapper::try_parse_from([
            "apply",
            "--db",
            "postgresql://u:secret@h/db",
            "--yes",
            "--allow-hazards",
            "all",
            "--lock-timeout",
            "250ms",
            "schema",
        ])
        .expect("valid flags");
        let args = parsed.args;
        assert!(args.yes);
        assert_eq!(args.lock_timeout, Some(Duration::from_millis(250)));
        assert_eq!(args.statement_timeout, None);
        assert_eq!(args.lock_attempts, None);
        assert_eq!(args.wait_timeout, None);
        assert_eq!(args.paths, vec![PathBuf::from("schema")]);
        assert!(Wrapper::try_parse_from(["apply", "--lock-attempts", "0"]).is_err());
    }
}
