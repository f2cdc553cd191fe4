//! `schemac plan [--from PATHS] [PATHS]`: the migration from one schema
//! source to another, offline. Without `--from` the plan starts from an
//! empty database.
//!
//! Invariants: stdout gets only the rendered plan; diagnostics, lint
//! findings (schema rules and migration rules on this plan) and notes about
//! hazards go to stderr. A source with errors is reported and nothing
//! is planned (exit 1). With `--detailed-exitcode`: 0 no changes, 2
//! changes, 1 error.

use super::{compile, load_sources, report_to_stderr, use_color, CliError, ExitStatus};
use crate::config::Options;
use crate::model::Model;
use crate::plan::{plan_models, Plan, PlanOptions};
use crate::render;
use crate::source::SourceSet;
use clap::{Args, ValueEnum};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The desired schema's files or directories [default: `paths` in
    /// schemac.toml, else .].
    pub paths: Vec<PathBuf>,

    /// The current schema's files or directories (repeat for several);
    /// without it the plan starts from an empty database.
    #[arg(long, value_name = "PATH")]
    pub from: Vec<PathBuf>,

    /// Output format of the plan.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,

    /// Exit 0 when there are no changes, 2 when there are, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Hazards the plan may contain: comma-separated ids, or `all`
    /// (overrides `[plan] allow-hazards` in schemac.toml).
    #[arg(long, value_name = "LIST|all")]
    pub allow_hazards: Option<String>,
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

    let desired = compile(&desired_sources);
    let current = if args.from.is_empty() {
        crate::diagnostics::Parsed::new(Model::default(), Vec::new())
    } else {
        compile(&current_sources)
    };
    let mut diagnostics = current.diagnostics.clone();
    diagnostics.extend(desired.diagnostics.iter().cloned());
    render::diagnostics::sort(&mut diagnostics);
    report_to_stderr(options, &diagnostics, &all_sources)?;
    if desired.has_errors() || current.has_errors() {
        return Ok(ExitStatus::Failure);
    }

    let plan = plan_models(&current.value, &desired.value, &PlanOptions::default())?;
    let mut findings = crate::lint::run(
        &desired_sources,
        &desired.value,
        Some((&plan, &current.value)),
        &options.lint,
    );
    render::diagnostics::sort(&mut findings);
    report_to_stderr(options, &findings, &all_sources)?;
    let stdout = io::stdout();
    let color = use_color(options, stdout.is_terminal());
    let mut out = stdout.lock();
    write_plan(args.format, &plan, &all_sources, color, &mut out)?;
    out.flush()?;
    drop(out);
    warn_refused_hazards(options, &plan)?;
    Ok(if args.detailed_exitcode && !plan.is_empty() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    })
}

fn write_plan(
    format: PlanFormat,
    plan: &Plan,
    sources: &SourceSet,
    color: bool,
    out: &mut impl Write,
) -> io::Result<()> {
    match format {
        PlanFormat::Text => render::text::render(plan, out, color),
        PlanFormat::Sql => render::sql::render(plan, out),
        PlanFormat::Json => render::json::render(plan, sources, out),
        PlanFormat::Markdown => render::markdown::render(plan, out),
    }
}

/// Tells (on stderr) which hazards `apply` would refuse.
fn warn_refused_hazards(options: &Options, plan: &Plan) -> Result<(), CliError> {
    let refused = options.allow_hazards.refused(plan);
    if refused.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = refused.iter().map(|hazard| hazard.id()).collect();
    let list = ids.join(",");
    writeln!(
        io::stderr(),
        "warning: the plan has hazards that are not allowed: {list}\n  \
         apply will refuse it; after reading the plan, re-run with --allow-hazards {list} \
         or add them to [plan] allow-hazards in schemac.toml"
    )?;
    Ok(())
}
