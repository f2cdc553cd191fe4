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
//! - The connection string is never printed.
//!
//! - Error-level lint findings about the plan refuse it before anything
//!   runs, unless their rule ids are in `--allow-hazards` (as for `plan`).
//!
//! The session (lock, plan, fingerprint, executor) is
//! [`crate::live::apply_to_db`]; this file turns the flags into its
//! arguments, and [`terminal`] is its [`crate::live::Review`]: it prints
//! the plan, lints it and asks.

mod terminal;

use crate::apply::progress::{Bars, Lines, Progress};
use crate::apply::{ApplyOptions, Interrupt};
use crate::cli::plan::{PreflightArgs, ShadowArgs};
use crate::cli::{
    block_on_uninterrupted, compile_reported_live, load_sources, CliError, ExitStatus,
};
use crate::config::{parse_duration, Options};
use crate::live::ConnParams;
use crate::live::{self, ApplyOutcome, ApplySource, LiveOptions};
use crate::model::Model;
use crate::plan::saved::{self, LoadedPlan};
use crate::source::SourceSet;
use clap::Args;
use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::time::Duration;
use terminal::Terminal;

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The desired schema's files or directories [default: `paths` in
    /// schemac.toml, else .]. With --plan, only used to verify the result.
    pub paths: Vec<PathBuf>,

    /// The database: a postgres:// URL or a key=value string [default:
    /// $DATABASE_URL].
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,

    /// Apply to every database of the target NAME (`[targets.NAME]` in
    /// schemac.toml): a canary first, then waves, at most `parallel` at a
    /// time, stopping on the first failure; prints a table per database.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["db", "plan"])]
    pub target: Option<String>,

    /// Apply a plan saved with `schemac plan --out FILE` instead of
    /// planning now; refused when the database changed since.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,

    #[command(flatten)]
    pub shadow: ShadowArgs,

    #[command(flatten)]
    pub preflight: PreflightArgs,

    /// Apply without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Hazards the plan may contain: comma-separated ids, or `all`
    /// (overrides `[plan] allow-hazards` in schemac.toml). A lint rule id
    /// in the list lets its error-level findings about the plan pass.
    #[arg(long, value_name = "LIST|all")]
    pub allow_hazards: Option<String>,

    /// Whether the target runs Citus: auto, on, off or if-installed (as for
    /// `plan`).
    #[arg(long, value_enum, value_name = "MODE")]
    pub citus: Option<crate::config::Citus>,

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

    /// Without a terminal: how often a long step writes a progress line
    /// [default: 10s]. Index builds and backfills show done of total and
    /// percent; a VALIDATE shows its table's size and the time so far
    /// (PostgreSQL reports no progress for it; docs/apply.md).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub progress_interval: Option<Duration>,
}

/// Runs `schemac apply`.
pub fn run(options: &Options, args: &ApplyArgs) -> Result<ExitStatus, CliError> {
    if let Some(target) = &options.target {
        return super::fleet::apply(options, args, target);
    }
    let url = options.database.url().ok_or(CliError::NoDatabase)?;
    let progress: Box<dyn Progress> = if io::stderr().is_terminal() {
        Box::new(Bars::stderr())
    } else {
        Box::new(
            Lines::new(io::stderr()).with_interval(
                args.progress_interval
                    .unwrap_or(crate::apply::progress::PROGRESS_LINE_INTERVAL),
            ),
        )
    };
    let conn = ConnParams::parse(url.expose_secret())?;
    let apply_options = ApplyOptions {
        progress: progress.as_ref(),
        interrupt: Interrupt::CtrlC,
        tls: Some(conn.tls()?),
        preflight: Some(args.preflight.settings()),
        monitor: Some(&conn),
        ..ApplyOptions::from_settings(&options.apply, options.allow_hazards.clone())
    };
    let live_options = LiveOptions {
        shadow: args.shadow.choice()?,
        shadow_scope: args.shadow.scope(),
        citus: options.citus,
        preflight: args.preflight.settings(),
        // apply reads the fingerprint itself, for its history.
        fingerprint: false,
    };
    let Some((desired, sources)) = desired_model(options, args, &conn)? else {
        return Ok(ExitStatus::Failure);
    };
    let source = match &args.plan {
        Some(path) => ApplySource::Saved {
            plan: read_saved_plan(path)?,
            verify_against: desired.as_ref(),
        },
        None => ApplySource::Desired(desired.as_ref().ok_or(CliError::NoDatabase)?),
    };
    let mut review = Terminal {
        options,
        sources: &sources,
        yes: args.yes,
    };
    let outcome = block_on_uninterrupted(live::apply_to_db(
        &conn,
        source,
        &live_options,
        &apply_options,
        &mut review,
    ))?;
    match outcome {
        ApplyOutcome::NothingToApply => {
            eprintln!("nothing to apply: the database already matches the schema");
            Ok(ExitStatus::Success)
        }
        ApplyOutcome::Cancelled => {
            eprintln!("apply cancelled: nothing was changed");
            Ok(ExitStatus::Failure)
        }
        ApplyOutcome::Applied {
            report,
            steps,
            elapsed,
        } => {
            let mut summary = format!(
                "applied {} of {steps} steps in {:.1}s",
                report.executed.len() + report.recovered.len(),
                elapsed.as_secs_f64()
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
    }
}

/// The desired Model and its sources: no Model for `--plan` without
/// PATHS; `None` when the sources have errors (already reported).
fn desired_model(
    options: &Options,
    args: &ApplyArgs,
    conn: &ConnParams,
) -> Result<Option<(Option<Model>, SourceSet)>, CliError> {
    if args.plan.is_some() && args.paths.is_empty() {
        return Ok(Some((None, SourceSet::default())));
    }
    let sources = load_sources(&options.paths, 0)?;
    Ok(compile_reported_live(options, &sources, conn)?.map(|model| (Some(model), sources)))
}

/// Reads a plan saved by `plan --out`.
fn read_saved_plan(path: &std::path::Path) -> Result<LoadedPlan, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::ReadPlan {
        path: path.display().to_string(),
        source,
    })?;
    Ok(saved::from_json(&text)?)
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
