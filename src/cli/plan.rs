//! `schemac plan [--from PATHS | --db URL] [PATHS]`: the migration from one
//! schema to another. With `--from` the current schema is read from files
//! (offline); with `--db URL` (or `DATABASE_URL` when `--from` is not
//! given) it is introspected from a live database; with neither the plan
//! starts from an empty database.
//!
//! Against a live database ([`crate::live::plan_against_db`]) the desired
//! schema is normalised in a shadow database
//! ([`crate::live::shadow`]): `--shadow-db URL` names an
//! empty one; by default schemac uses its kept shadow of the target on
//! the target's server when the role may create databases (created once,
//! emptied after each run, one run at a time), or a throwaway database it
//! always drops (also on error or Ctrl-C) when the kept one is busy or
//! the schema has statements kept as written; with `--no-shadow`, or without the privilege, the offline
//! normaliser decides and the plan notes the expressions it could not
//! prove equal. Steps carry live table statistics, and `--out FILE` saves
//! the plan with the fingerprint of the introspected database.
//!
//! Invariants: stdout gets only the rendered plan; diagnostics, lint
//! findings (schema rules and migration rules on this plan), notes and
//! warnings about hazards go to stderr. A source with errors is reported
//! and nothing is planned (exit 1); an error-level lint finding about the
//! plan that `--allow-hazards` does not name exits 1 after the plan is
//! printed. With `--detailed-exitcode`: 0 no changes, 2 changes, 1 error.
//! Planning never changes the target database, and a connection string is
//! never printed: it is resolved once (`Options::database`) and parsed
//! once, here, before the call.

mod output;
mod preflight;
mod shadow;

use super::{
    block_on, compile, compile_for_live, load_sources, report_compiled_live, report_to_stderr,
    CliError, ExitStatus,
};
use crate::config::{Citus, Database, Options};
use crate::diagnostics::Parsed;
use crate::live::{self, LiveOptions};
use crate::live::{ConnParams, ConnString};
use crate::model::{citus_off, Model};
use crate::plan::{plan_models, PlanOptions};
use crate::render;
use crate::source::SourceSet;
use clap::{Args, ValueEnum};
use output::{finish, Output};
pub use preflight::PreflightArgs;
pub use shadow::ShadowArgs;
use std::io::{self, Write};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The desired schema's files or directories [default: `paths` in
    /// schemac.toml, else .].
    pub paths: Vec<PathBuf>,

    /// The current schema's files or directories (repeat for several);
    /// without it (and without --db) the plan starts from an empty database.
    #[arg(long, value_name = "PATH", conflicts_with = "db")]
    pub from: Vec<PathBuf>,

    /// Plan against this live database: a postgres:// URL or a key=value
    /// string [default: $DATABASE_URL when --from is not given].
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,

    /// Plan every database of the target NAME (`[targets.NAME]` in
    /// schemac.toml), at most `parallel` at a time, and print each
    /// distinct plan once with the databases that get it (drift).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["db", "from", "out"])]
    pub target: Option<String>,

    #[command(flatten)]
    pub shadow: ShadowArgs,

    #[command(flatten)]
    pub preflight: PreflightArgs,

    /// Also save the plan to FILE (JSON, for `schemac apply --plan FILE`)
    /// with the fingerprint of the database it was made against.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Output format of the plan.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,

    /// Exit 0 when there are no changes, 2 when there are, 1 on error
    /// (an error-level lint finding about the plan that is not allowed is
    /// an error, with or without this flag).
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Text format: print every step in full (by default a transaction
    /// that only creates new objects is folded into a few lines).
    #[arg(long)]
    pub all_steps: bool,

    /// Plain DDL without the online strategies (no CONCURRENTLY, no NOT
    /// VALID + VALIDATE, no backfill): for empty or development databases.
    #[arg(long)]
    pub direct: bool,

    /// Hazards the plan may contain: comma-separated ids, or `all`
    /// (overrides `[plan] allow-hazards` in schemac.toml). A lint rule id
    /// in the list lets its error-level findings about the plan pass.
    #[arg(long, value_name = "LIST|all")]
    pub allow_hazards: Option<String>,

    /// Whether the target runs Citus: `auto` refuses a schema that
    /// distributes tables against a database without the citus extension,
    /// `off` leaves shard distribution out (development databases), `on`
    /// plans it regardless, `if-installed` decides per database (on where
    /// it has the citus extension, off where not) [default: `[plan] citus`
    /// in schemac.toml (or the `--target`'s `citus`), else auto].
    #[arg(long, value_enum, value_name = "MODE")]
    pub citus: Option<Citus>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// For a terminal.
    Text,
    /// A script psql can run: exactly what apply executes.
    Sql,
    /// Versioned JSON (docs/plan-json.md).
    Json,
    /// A pull-request comment.
    Markdown,
}

pub fn run(options: &Options, args: &PlanArgs) -> Result<ExitStatus, CliError> {
    if let Some(target) = &options.target {
        return super::fleet::plan(options, args, target);
    }
    match &options.database {
        Database::Blank => return Err(CliError::EmptyDb),
        Database::Url(url) => return run_live(options, args, url),
        Database::Absent => {}
    }
    for (given, flag) in [
        (args.out.is_some(), "out"),
        (args.shadow.shadow_db.is_some(), "shadow-db"),
        (args.shadow.no_shadow, "no-shadow"),
        (args.preflight.skip_preflight.is_some(), "skip-preflight"),
    ] {
        if given {
            return Err(CliError::NeedsDatabase {
                flag,
                help: "pass --db URL (DATABASE_URL counts only when --from is not given)",
            });
        }
    }
    // Desired files first, then current ones with ids after them, so one
    // combined set resolves the spans of both sides.
    let desired_sources = load_sources(&options.paths, 0)?;
    let current_sources = if args.from.is_empty() {
        SourceSet::default()
    } else {
        load_sources(&args.from, desired_sources.files.len() as u32)?
    };
    let mut all_sources = desired_sources.clone();
    all_sources
        .files
        .extend(current_sources.files.iter().cloned());

    // The two sides are independent: with `--from`, each is compiled on
    // a thread of its own.
    let (mut desired, mut current) = if args.from.is_empty() {
        (
            compile(&desired_sources),
            Parsed::new(Model::default(), Vec::new()),
        )
    } else {
        std::thread::scope(|scope| {
            let current = scope.spawn(|| compile(&current_sources));
            let desired = compile(&desired_sources);
            match current.join() {
                Ok(current) => (desired, current),
                Err(panicked) => std::panic::resume_unwind(panicked),
            }
        })
    };
    let mut diagnostics = current.diagnostics.clone();
    diagnostics.extend(desired.diagnostics.iter().cloned());
    render::diagnostics::sort(&mut diagnostics);
    report_to_stderr(options, &diagnostics, &all_sources)?;
    if desired.has_errors() || current.has_errors() {
        return Ok(ExitStatus::Failure);
    }

    let written = (options.citus == Citus::Off).then(|| desired.value.clone());
    let citus_note = (options.citus == Citus::Off)
        .then(|| citus_off(&mut current.value, &mut desired.value))
        .flatten();
    let plan_stage = crate::timings::stage("diff and plan");
    let mut plan = plan_models(
        &current.value,
        &desired.value,
        &PlanOptions {
            // Offline, the configured target version stands in for the
            // server's (strategies such as DETACH CONCURRENTLY depend on it).
            server_version: options.lint.target_version,
            online: !args.direct,
            ..PlanOptions::default()
        },
    )?;
    drop(plan_stage);
    plan.notes.extend(citus_note);
    let output = Output {
        desired_sources: &desired_sources,
        all_sources: &all_sources,
        desired: &desired.value,
        written: written.as_ref().unwrap_or(&desired.value),
        current: &current.value,
        target: None,
    };
    let status = finish(options, &options.lint, args, &output, &plan);
    // The command ends here: the memory goes back with the process, and
    // freeing these trees node by node would only add time (about a tenth
    // of a second for 10,000 tables).
    std::mem::forget((desired, current, written, plan, all_sources));
    status
}

/// `plan --db`: the current schema is the live database.
fn run_live(options: &Options, args: &PlanArgs, url: &ConnString) -> Result<ExitStatus, CliError> {
    let desired_sources = load_sources(&options.paths, 0)?;
    let conn = ConnParams::parse(url.expose_secret())?;
    let live_options = LiveOptions {
        shadow: args.shadow.choice()?,
        shadow_scope: args.shadow.scope(),
        citus: options.citus,
        preflight: args.preflight.settings(),
        fingerprint: args.out.is_some(),
    };
    let planned = block_on(async {
        // The files are parsed while the target is read: one waits on the
        // CPU, the other mostly on the server.
        let sources = desired_sources.clone();
        let compiling = tokio::task::spawn_blocking(move || compile_for_live(&sources));
        let target = live::read_target(&conn, live_options.fingerprint).await;
        let compiled = match compiling.await {
            Ok(compiled) => compiled,
            Err(panicked) => std::panic::resume_unwind(panicked.into_panic()),
        };
        // The files' errors come first, as when they were read alone.
        let desired = match report_compiled_live(options, &desired_sources, &conn, compiled).await {
            Ok(Some(desired)) => desired,
            other => {
                if let Ok(target) = target {
                    target.close().await;
                }
                return other.map(|_| None);
            }
        };
        let live = live::plan_against_read(target?, &conn, &desired, &live_options).await?;
        Ok::<_, CliError>(Some((desired, live)))
    })?;
    let Some((desired, live)) = planned else {
        return Ok(ExitStatus::Failure);
    };
    let mut stderr = io::stderr();
    let (lint, lint_note) = options.lint_for_server(live.server_version);
    for note in live.notes.iter().chain(&lint_note) {
        writeln!(stderr, "note: {note}")?;
    }
    let output = Output {
        desired_sources: &desired_sources,
        all_sources: &desired_sources,
        desired: &desired,
        written: &desired,
        current: &live.current,
        target: Some(crate::render::Target {
            database: conn.target(),
            server_version: live.server_version,
        }),
    };
    let mut status = finish(options, &lint, args, &output, &live.plan)?;
    let refusals = preflight::findings(&live.plan, &live.preflight);
    report_to_stderr(options, &refusals, &desired_sources)?;
    if !refusals.is_empty() {
        status = ExitStatus::Failure;
    }
    if let Some(path) = &args.out {
        output::save(path, &live.to_saved_json())?;
    }
    // As in `run`: the memory goes back with the process.
    std::mem::forget((desired, live, desired_sources));
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::ShadowChoice;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: PlanArgs,
    }

    #[test]
    fn db_and_from_conflict() {
        assert!(
            Wrapper::try_parse_from(["plan", "--db", "postgres://h/d", "--from", "x"]).is_err()
        );
        assert!(Wrapper::try_parse_from(["plan", "--shadow-db", "u", "--no-shadow"]).is_err());
        let parsed = Wrapper::try_parse_from([
            "plan",
            "--db",
            "postgres://h/d",
            "--shadow-db",
            "postgres://h/s",
            "--out",
            "plan.json",
            "schema",
        ])
        .expect("valid flags");
        assert_eq!(parsed.args.db.as_deref(), Some("postgres://h/d"));
        assert_eq!(parsed.args.out, Some(PathBuf::from("plan.json")));
        match parsed.args.shadow.choice().expect("valid shadow URL") {
            ShadowChoice::Provided(conn) => assert_eq!(conn.config().get_dbname(), Some("s")),
            other => panic!("expected the provided shadow, got {other:?}"),
        }
    }
}
