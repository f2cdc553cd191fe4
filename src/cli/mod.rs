//! The command line (clap derive). Only `cli` knows clap, stdout/stderr,
//! exit codes and terminals.
//!
//! Invariants: stdout carries only a command's product (a plan, formatted
//! text, a graph, check's findings); progress, warnings and errors go to
//! stderr. Settings are resolved once into [`Options`] before a command
//! runs. A closed stdout (`schemac plan | head`) ends the command quietly
//! with success.

pub mod apply;
pub mod check;
pub mod exit;
pub mod fmt;
pub mod graph;
pub mod inspect;
pub mod plan;
pub mod rules;

pub use exit::ExitStatus;

use crate::config::{ConfigError, Options, Overrides};
use crate::diagnostics::{Diagnostic, Parsed};
use crate::frontend;
use crate::model::validate::validate;
use crate::model::Model;
use crate::plan::PlanError;
use crate::render;
use crate::source::{FileId, SourceError, SourceFile, SourceSet};
use clap::{Parser, Subcommand};
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

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and validate the desired schema.
    Check(check::CheckArgs),
    /// Plan the migration from one schema to another (offline).
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
}

/// Failures of a command (findings about the schema are diagnostics, not
/// errors).
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
    #[error("cannot write output: {0}")]
    #[diagnostic(code("write-error"))]
    Output(#[from] io::Error),
    #[error(transparent)]
    #[diagnostic(transparent)]
    UnknownRule(#[from] rules::UnknownRule),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Apply(#[from] apply::ApplyCommandError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Live(#[from] plan::LiveError),
    #[error("cannot write {path}: {source}")]
    #[diagnostic(code("write-error"), help("check that the file is writable"))]
    WriteFile {
        path: String,
        #[source]
        source: io::Error,
    },
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> miette::Result<ExitStatus> {
    match dispatch(cli) {
        Ok(status) => Ok(status),
        Err(CliError::Output(err)) if err.kind() == io::ErrorKind::BrokenPipe => {
            Ok(ExitStatus::Success)
        }
        Err(err) => Err(err.into()),
    }
}

fn dispatch(cli: Cli) -> Result<ExitStatus, CliError> {
    let config = cli.config.as_deref();
    match &cli.command {
        Command::Check(args) => {
            let options = Options::load(config, overrides(&args.paths, None))?;
            check::run(&options, args)
        }
        Command::Plan(args) => {
            let overrides = overrides(&args.paths, args.allow_hazards.clone());
            plan::run(&Options::load(config, overrides)?, args)
        }
        Command::Apply(args) => {
            let overrides = overrides(&args.paths, args.allow_hazards.clone());
            apply::run(&Options::load(config, overrides)?, args).map_err(CliError::from)
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
    }
}

fn overrides(paths: &[PathBuf], allow_hazards: Option<String>) -> Overrides {
    Overrides {
        paths: paths.to_vec(),
        allow_hazards,
    }
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
        let findings = validate(&parsed.value);
        parsed.diagnostics.extend(findings);
    }
    parsed
}

/// Colour for a stream: a terminal, and `NO_COLOR` not set.
pub(crate) fn use_color(options: &Options, is_terminal: bool) -> bool {
    is_terminal && !options.no_color
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
    render::diagnostics::text::render(diagnostics, sources, color, &mut out)?;
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
    fn no_color_wins_over_a_terminal() {
        let mut options = Options::resolve(None, false, Overrides::default()).expect("defaults");
        assert!(use_color(&options, true));
        assert!(!use_color(&options, false));
        options.no_color = true;
        assert!(!use_color(&options, true));
    }
}
