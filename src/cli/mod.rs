//! The command line (clap derive). Only `cli` knows clap, stdout/stderr,
//! exit codes and terminals.
//!
//! Each command file is argument handling plus one library call (the live
//! commands call [`crate::live`]); [`CliError`] is the one error type of
//! every command, wrapping the library errors transparently so that each
//! keeps its code and help.
//!
//! Invariants: stdout carries only a command's product (a plan, formatted
//! text, a graph, check's findings); progress, warnings and errors go to
//! stderr. Settings are resolved once into [`Options`] before a command
//! runs (the database flag and `DATABASE_URL`, `--allow-hazards` and the
//! apply timeouts included). A closed stdout (`schemac plan | head`) ends
//! the command quietly with success, except for `apply`, where it is an
//! error: nothing was applied.

pub mod apply;
pub mod check;
pub mod exit;
mod fleet;
pub mod fmt;
pub mod graph;
pub mod inspect;
pub mod lsp;
pub mod plan;
pub mod rules;
pub mod shell;

pub use exit::ExitStatus;

use crate::config::{ApplyOverrides, ColorMode, ConfigError, Environment, Options, Overrides};
use crate::diagnostics::{Diagnostic, Parsed};
use crate::frontend;
use crate::introspect::IntrospectError;
use crate::live::shadow::ShadowError;
use crate::live::LiveError;
use crate::model::validate::validate;
use crate::model::Model;
use crate::plan::saved::SavedPlanError;
use crate::plan::PlanError;
use crate::render;
use crate::source::{FileId, SourceError, SourceFile, SourceSet};
use clap::{Parser, Subcommand};
use std::future::Future;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

/// Declarative schema-as-code compiler and zero-downtime migration planner
/// for PostgreSQL.
#[derive(Debug, Parser)]
#[command(name = "schemac", version, about, max_term_width = 100)]
pub struct Cli {
    /// Read settings from this file instead of ./schemac.toml.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Colour: auto (on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE
    /// forces it), always or never.
    #[arg(long, global = true, value_enum, value_name = "WHEN")]
    pub color: Option<ColorMode>,
    /// Show every finding in text output. By default the first 3 findings
    /// of each rule are shown in full and the rest are counted in one line
    /// per rule; json, sarif, github, gitlab and gcc output always carry
    /// every finding.
    #[arg(long, global = true)]
    pub all_findings: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse, validate and lint the desired schema.
    Check(check::CheckArgs),
    /// Plan the migration from one schema (files, a live database or
    /// nothing) to another.
    Plan(plan::PlanArgs),
    /// Apply the plan to a live database (asks unless --yes).
    Apply(apply::ApplyArgs),
    /// Print .schema files in canonical formatting.
    Fmt(fmt::FmtArgs),
    /// Print the dependency graph as DOT or Mermaid.
    Graph(graph::GraphArgs),
    /// Print a live database as .schema source (or SQL).
    Inspect(inspect::InspectArgs),
    /// List the lint rules, or explain one.
    Rules(rules::RulesArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(shell::CompletionsArgs),
    /// Print a man page (roff): `schemac man [COMMAND] | man -l -`.
    Man(shell::ManArgs),
    /// Run the language server for editors (LSP over stdio).
    Lsp(lsp::LspArgs),
}

/// Failures of a command (findings about the schema are diagnostics, not
/// errors): the command line's own, and the library's, wrapped
/// transparently.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CliError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Connect(#[from] crate::live::ConnectError),
    #[error("cannot write output: {0}")]
    #[diagnostic(code("write-error"))]
    Output(#[from] io::Error),
    #[error(transparent)]
    #[diagnostic(transparent)]
    UnknownRule(#[from] rules::UnknownRule),
    #[error("cannot write {path}: {source}")]
    #[diagnostic(code("write-error"), help("check that the file is writable"))]
    WriteFile {
        path: String,
        #[source]
        source: io::Error,
    },

    #[error("there is no command `{name}`")]
    #[diagnostic(code("unknown-command"), help("the commands are: {known}"))]
    UnknownCommand { name: String, known: String },

    #[error("--{flag} needs a live database")]
    #[diagnostic(code("no-database"), help("{help}"))]
    NeedsDatabase {
        flag: &'static str,
        help: &'static str,
    },
    #[error("--db is empty")]
    #[diagnostic(
        code("no-database"),
        help("pass the connection string, e.g. --db postgresql://user@host/dbname (is the variable you expanded set?)")
    )]
    EmptyDb,
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
    #[error("interrupted")]
    #[diagnostic(
        code("interrupted"),
        help(
            "nothing was changed in the target database; the shadow database, if any, was dropped"
        )
    )]
    Interrupted,

    #[error(transparent)]
    #[diagnostic(transparent)]
    SavedPlan(#[from] SavedPlanError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Introspect(#[from] IntrospectError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Shadow(#[from] ShadowError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Live(#[from] LiveError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    LintRefused(#[from] crate::lint::gate::LintRefused),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Lsp(Box<crate::lsp::LspError>),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Fleet(#[from] crate::fleet::FleetError),
    #[error("--{flag} cannot be used with --target")]
    #[diagnostic(code("not-for-fleet"), help("{help}"))]
    NotForFleet {
        flag: &'static str,
        help: &'static str,
    },
}

/// Runs the parsed command line.
/// Parses the command line. clap's own output (help, usage errors)
/// follows `--color`, `NO_COLOR` and `CLICOLOR_FORCE` like the rest:
/// the flag is read before the parse so that even a usage error elsewhere
/// on the line honours it.
pub fn parse() -> Result<Cli, clap::Error> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let color = ColorMode::resolve(color_flag(&args), &Environment::read_color());
    let mut command = <Cli as clap::CommandFactory>::command().color(match color {
        ColorMode::Auto => clap::ColorChoice::Auto,
        ColorMode::Always => clap::ColorChoice::Always,
        ColorMode::Never => clap::ColorChoice::Never,
    });
    let matches = command.try_get_matches_from_mut(args)?;
    <Cli as clap::FromArgMatches>::from_arg_matches(&matches)
        .map_err(|err| err.format(&mut command))
}

/// The value of `--color WHEN` / `--color=WHEN` before a `--`, if valid.
fn color_flag(args: &[std::ffi::OsString]) -> Option<ColorMode> {
    let mut res = None;
    let mut args = args.iter().skip(1).map(|arg| arg.to_str());
    while let Some(arg) = args.next() {
        let value = match arg {
            Some("--") => break,
            Some("--color") => args.next().flatten(),
            Some(arg) => arg.strip_prefix("--color="),
            None => None,
        };
        if let Some(value) = value {
            res = <ColorMode as clap::ValueEnum>::from_str(value, false)
                .ok()
                .or(res);
        }
    }
    res
}

pub fn run(cli: Cli) -> miette::Result<ExitStatus> {
    // A plan cut short by `| head` was still made; an apply whose plan
    // could not be shown was not run, and must not look as if it had.
    let quiet_broken_pipe = !matches!(cli.command, Command::Apply(_));
    let color = ColorMode::resolve(cli.color, &Environment::read_color());
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .color(color.colors(io::stderr().is_terminal()))
                .build(),
        )
    }));
    match dispatch(cli) {
        Ok(status) => Ok(status),
        Err(CliError::Output(err))
            if quiet_broken_pipe && err.kind() == io::ErrorKind::BrokenPipe =>
        {
            Ok(ExitStatus::Success)
        }
        Err(err) => Err(err.into()),
    }
}

fn dispatch(cli: Cli) -> Result<ExitStatus, CliError> {
    let config = cli.config.as_deref();
    let overrides = |paths: &[PathBuf], allow_hazards: Option<String>| Overrides {
        paths: paths.to_vec(),
        allow_hazards,
        color: cli.color,
        all_findings: cli.all_findings,
        ..Overrides::default()
    };
    match &cli.command {
        Command::Check(args) => {
            let options = Options::load(config, overrides(&args.paths, None))?;
            check::run(&options, args)
        }
        Command::Plan(args) => {
            let overrides = Overrides {
                db: args.db.clone(),
                // DATABASE_URL only when the current schema is not files.
                db_from_env: args.from.is_empty() && args.target.is_none(),
                citus: args.citus,
                target: args.target.clone(),
                ..overrides(&args.paths, args.allow_hazards.clone())
            };
            plan::run(&Options::load(config, overrides)?, args)
        }
        Command::Apply(args) => {
            let overrides = Overrides {
                db: args.db.clone(),
                db_from_env: args.target.is_none(),
                target: args.target.clone(),
                apply: ApplyOverrides {
                    lock_timeout: args.lock_timeout,
                    statement_timeout: args.statement_timeout,
                    lock_attempts: args.lock_attempts,
                    wait_timeout: args.wait_timeout,
                },
                citus: args.citus,
                ..overrides(&args.paths, args.allow_hazards.clone())
            };
            apply::run(&Options::load(config, overrides)?, args)
        }
        Command::Fmt(args) => {
            let options = Options::load(config, overrides(&args.paths, None))?;
            fmt::run(&options, args)
        }
        Command::Graph(args) => {
            let options = Options::load(config, overrides(&args.paths, None))?;
            graph::run(&options, args)
        }
        Command::Rules(args) => rules::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(args),
        Command::Lsp(args) => lsp::run(cli.config.clone(), args),
    }
}

/// Runs `work` to completion on a fresh runtime; Ctrl-C drops it (and with
/// it any shadow database, see [`crate::live::shadow::ShadowDb`]) and
/// reports an interruption. For `plan --db` and `inspect`, which never
/// change the target database.
pub(crate) fn block_on<T, E>(work: impl Future<Output = Result<T, E>>) -> Result<T, CliError>
where
    CliError: From<E>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    runtime.block_on(async {
        tokio::select! {
            biased;
            _ = tokio::signal::ctrl_c() => Err(CliError::Interrupted),
            res = work => res.map_err(CliError::from),
        }
    })
}

/// Runs `work` on a single-threaded runtime without watching Ctrl-C: for
/// `apply`, whose executor handles Ctrl-C itself (cancels the running
/// statement and leaves a resumable history).
pub(crate) fn block_on_uninterrupted<T>(
    work: impl Future<Output = Result<T, CliError>>,
) -> Result<T, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    runtime.block_on(work)
}

/// Reads `paths` into a set whose file ids start at `first_id`, so that
/// two sets (current and desired) can share one combined set for output.
pub(crate) fn load_sources(paths: &[PathBuf], first_id: u32) -> Result<SourceSet, SourceError> {
    let loaded = SourceSet::load(paths)?;
    let files = loaded
        .files
        .into_iter()
        .enumerate()
        .map(|(idx, file)| {
            SourceFile::new(
                FileId(first_id + idx as u32),
                file.path,
                file.text,
                file.language,
            )
        })
        .collect();
    Ok(SourceSet { files })
}

/// The desired schema of a source set: parse diagnostics and, when parsing
/// found no errors (so a definition that failed to parse is not reported
/// again as a missing reference), the semantic checks.
pub(crate) fn compile(sources: &SourceSet) -> Parsed<Model> {
    let mut parsed = frontend::load(sources);
    if !parsed.has_errors() {
        let findings = crate::timings::time("validate", || validate(&parsed.value));
        parsed.diagnostics.extend(findings);
    }
    parsed
}

/// The desired schema of `sources`, its diagnostics reported on stderr;
/// `None` when it has errors.
pub(crate) fn compile_reported(
    options: &Options,
    sources: &SourceSet,
) -> Result<Option<Model>, CliError> {
    let parsed = compile(sources);
    let mut diagnostics = parsed.diagnostics.clone();
    render::diagnostics::sort(&mut diagnostics);
    report_to_stderr(options, &diagnostics, sources)?;
    Ok((!parsed.has_errors()).then_some(parsed.value))
}

/// [`compile_reported`] against a database: the names the files leave to
/// PostgreSQL (roles, built-in and extension functions and types) are
/// looked up on the server `conn` names instead of making the offline
/// note; the ones it lacks too are located errors.
pub(crate) fn compile_reported_live(
    options: &Options,
    sources: &SourceSet,
    conn: &crate::live::ConnParams,
) -> Result<Option<Model>, CliError> {
    let compiled = compile_for_live(sources);
    block_on(report_compiled_live(options, sources, conn, compiled))
}

/// The offline half of [`compile_reported_live`]: parse, and validate
/// when the files parse; nothing is printed yet. CPU only, so `plan --db`
/// runs it while the target is read.
pub(crate) fn compile_for_live(sources: &SourceSet) -> CompiledForLive {
    let parsed = frontend::load(sources);
    let mut diagnostics = parsed.diagnostics;
    let model = parsed.value;
    let mut refs = None;
    if !diagnostics
        .iter()
        .any(|d| d.severity == crate::diagnostics::Severity::Error)
    {
        let (findings, unresolved) = crate::timings::time("validate", || {
            crate::model::validate::validate_split(&model)
        });
        diagnostics.extend(findings);
        refs = Some(unresolved);
    }
    CompiledForLive {
        model,
        diagnostics,
        refs,
    }
}

/// A parsed and validated desired schema, its diagnostics not yet printed.
pub(crate) struct CompiledForLive {
    model: Model,
    diagnostics: Vec<crate::diagnostics::Diagnostic>,
    /// The names left to the server; `None` when the files had errors.
    refs: Option<Vec<crate::model::validate::Unresolved>>,
}

/// The server half of [`compile_reported_live`]: names left to
/// PostgreSQL are looked up on the server, then every diagnostic is
/// printed; `None` when there are errors.
pub(crate) async fn report_compiled_live(
    options: &Options,
    sources: &SourceSet,
    conn: &crate::live::ConnParams,
    compiled: CompiledForLive,
) -> Result<Option<Model>, CliError> {
    let CompiledForLive {
        model,
        mut diagnostics,
        refs,
    } = compiled;
    if let Some(refs) = refs {
        let _stage = crate::timings::stage("check names on the server");
        diagnostics.extend(crate::live::check_unresolved(conn, &model, &refs).await?);
    }
    render::diagnostics::sort(&mut diagnostics);
    report_to_stderr(options, &diagnostics, sources)?;
    let failed = diagnostics
        .iter()
        .any(|d| d.severity == crate::diagnostics::Severity::Error);
    Ok((!failed).then_some(model))
}

/// Colour for a stream (see [`crate::config::ColorMode`]).
pub(crate) fn use_color(options: &Options, is_terminal: bool) -> bool {
    options.color.colors(is_terminal)
}

/// Writes diagnostics to stderr as graphical reports.
pub(crate) fn report_to_stderr(
    options: &Options,
    diagnostics: &[Diagnostic],
    sources: &SourceSet,
) -> Result<(), CliError> {
    if diagnostics.is_empty() {
        return Ok(());
    }
    let stderr = io::stderr();
    let color = use_color(options, stderr.is_terminal());
    let mut out = stderr.lock();
    let shown = render::diagnostics::text::Shown::grouped_unless(options.all_findings);
    render::diagnostics::text::render(diagnostics, sources, color, shown, &mut out)?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_color_flag_is_read_before_the_parse() {
        let flag = |args: &[&str]| {
            let args: Vec<std::ffi::OsString> = std::iter::once("schemac")
                .chain(args.iter().copied())
                .map(Into::into)
                .collect();
            color_flag(&args)
        };
        assert_eq!(
            flag(&["--color", "never", "--help"]),
            Some(ColorMode::Never)
        );
        assert_eq!(flag(&["plan", "--color=always"]), Some(ColorMode::Always));
        assert_eq!(flag(&["plan", "--color", "nope"]), None);
        assert_eq!(flag(&["plan", "--", "--color", "never"]), None);
        assert_eq!(flag(&["plan"]), None);
    }

    #[test]
    fn parses_plan_flags() {
        let cli = Cli::try_parse_from([
            "schemac",
            "plan",
            "--from",
            "old",
            "--from",
            "older.sql",
            "--format",
            "sql",
            "--detailed-exitcode",
            "--allow-hazards",
            "data-loss,index-build",
            "new",
        ])
        .expect("valid command line");
        let Command::Plan(args) = cli.command else {
            panic!("expected plan, got {:?}", cli.command);
        };
        assert_eq!(
            args.from,
            vec![PathBuf::from("old"), PathBuf::from("older.sql")]
        );
        assert_eq!(args.paths, vec![PathBuf::from("new")]);
        assert!(args.detailed_exitcode);
        assert_eq!(args.format, plan::PlanFormat::Sql);
        assert_eq!(args.allow_hazards.as_deref(), Some("data-loss,index-build"));
    }

    #[test]
    fn fmt_check_and_write_conflict() {
        assert!(Cli::try_parse_from(["schemac", "fmt", "--check", "--write"]).is_err());
        assert!(Cli::try_parse_from(["schemac", "fmt", "--check", "a.schema"]).is_ok());
    }

    #[test]
    fn color_flag_then_no_color_then_clicolor_force() {
        use crate::config::{ColorMode, Environment};
        let options = |flag: Option<ColorMode>, no_color: bool, clicolor_force: bool| {
            let env = Environment {
                no_color,
                clicolor_force,
                ..Environment::default()
            };
            let overrides = Overrides {
                color: flag,
                ..Overrides::default()
            };
            Options::resolve(None, &env, overrides).expect("defaults")
        };
        let auto = options(None, false, false);
        assert!(use_color(&auto, true));
        assert!(!use_color(&auto, false));
        assert!(!use_color(&options(None, true, false), true));
        assert!(use_color(&options(None, false, true), false));
        assert!(!use_color(&options(None, true, true), true));
        assert!(use_color(
            &options(Some(ColorMode::Always), true, false),
            false
        ));
        assert!(!use_color(
            &options(Some(ColorMode::Never), false, true),
            true
        ));
    }
}
