//! `schemac check [PATHS]`: load, validate and lint the desired schema,
//! print the findings on stdout in the chosen format. With `--from` the
//! plan from that schema to the desired one is linted too (migration rules).
//!
//! Exit status: 0 clean or warnings only, 1 when there are errors (or
//! warnings with `--deny-warnings`).

use super::{compile, load_sources, use_color, CliError, ExitStatus};
use crate::config::Options;
use crate::diagnostics::Diagnostic;
use crate::lint;
use crate::model::Model;
use crate::plan::{plan_models, PlanOptions};
use crate::render::diagnostics::{self as render_diagnostics, Counts};
use crate::source::SourceSet;
use clap::{Args, ValueEnum};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Schema files or directories [default: `paths` in schemac.toml, else .].
    pub paths: Vec<PathBuf>,

    /// Output format of the findings (text shows the first 3 of each rule
    /// unless --all-findings; the other formats carry every finding).
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Text)]
    pub format: DiagnosticFormat,

    /// Exit with status 1 when there are warnings.
    #[arg(long)]
    pub deny_warnings: bool,

    /// Also lint the plan from this current schema (repeat for several
    /// paths): migration rules judge the steps that would run.
    #[arg(long, value_name = "PATH")]
    pub from: Vec<PathBuf>,

    /// Run only these rules (comma-separated rule or group ids, e.g.
    /// `--select security,fk-without-index`); overrides schemac.toml's choice.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub select: Vec<String>,

    /// Do not run these rules (comma-separated rule or group ids).
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub ignore: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagnosticFormat {
    /// Graphical reports with source excerpts.
    Text,
    /// Versioned JSON (docs/diagnostics-formats.md).
    Json,
    /// `path:line:col: severity[code]: message`.
    Gcc,
    /// GitHub Actions annotations.
    Github,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitLab Code Quality report.
    Gitlab,
}

pub fn run(options: &Options, args: &CheckArgs) -> Result<ExitStatus, CliError> {
    let mut selected;
    let options = if args.select.is_empty() && args.ignore.is_empty() {
        options
    } else {
        selected = options.clone();
        crate::config::select_rules(&mut selected.lint, &args.select, &args.ignore)?;
        &selected
    };
    let desired_sources = load_sources(&options.paths, 0)?;
    let current_sources = load_sources_if(&args.from, desired_sources.files.len() as u32)?;
    let mut sources = desired_sources.clone();
    sources.files.extend(current_sources.files.iter().cloned());
    let from = (!args.from.is_empty()).then_some(&current_sources);
    let diagnostics = findings(options, &desired_sources, from)?;
    let stdout = io::stdout();
    let color = use_color(options, stdout.is_terminal());
    let mut out = stdout.lock();
    let shown = render_diagnostics::text::Shown::grouped_unless(options.all_findings);
    write_findings(args.format, &diagnostics, &sources, color, shown, &mut out)?;
    out.flush()?;
    let counts = Counts::of(&diagnostics);
    let failed = counts.errors > 0 || (args.deny_warnings && counts.warnings > 0);
    Ok(if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn write_findings(
    format: DiagnosticFormat,
    diagnostics: &[Diagnostic],
    sources: &SourceSet,
    color: bool,
    shown: render_diagnostics::text::Shown,
    out: &mut impl Write,
) -> io::Result<()> {
    match format {
        DiagnosticFormat::Text => {
            render_diagnostics::text::render(diagnostics, sources, color, shown, out)?;
            writeln!(out, "{}", Counts::of(diagnostics).summary())
        }
        DiagnosticFormat::Json => render_diagnostics::json::render(diagnostics, sources, out),
        DiagnosticFormat::Gcc => render_diagnostics::gcc::render(diagnostics, sources, out),
        DiagnosticFormat::Github => render_diagnostics::github::render(diagnostics, sources, out),
        DiagnosticFormat::Sarif => {
            let rules = render_diagnostics::sarif::RuleInfo::registry();
            render_diagnostics::sarif::render_sarif(diagnostics, sources, &rules, out)
        }
        DiagnosticFormat::Gitlab => render_diagnostics::gitlab::render(diagnostics, sources, out),
    }
}

/// What `check` reports, sorted: parse and validation diagnostics of the
/// desired schema (and of the current one, when `current_sources` is
/// given), then, when the desired schema has no errors, the lint findings:
/// schema rules, and migration rules on the plan from the current schema.
/// The language server (`crate::lsp`) reports the same.
pub(crate) fn findings(
    options: &Options,
    desired_sources: &SourceSet,
    current_sources: Option<&SourceSet>,
) -> Result<Vec<Diagnostic>, CliError> {
    let desired = compile(desired_sources);
    let mut diagnostics = desired.diagnostics.clone();
    if !desired.has_errors() {
        let current = current_sources.and_then(|current_sources| {
            let current = compile(current_sources);
            diagnostics.extend(current.diagnostics.iter().cloned());
            (!current.has_errors()).then_some(current.value)
        });
        diagnostics.extend(lint_findings(
            options,
            desired_sources,
            &desired.value,
            current.as_ref(),
            current_sources.is_some(),
        )?);
    }
    render_diagnostics::sort(&mut diagnostics);
    Ok(diagnostics)
}

fn load_sources_if(paths: &[PathBuf], first_id: u32) -> Result<SourceSet, CliError> {
    if paths.is_empty() {
        Ok(SourceSet::default())
    } else {
        Ok(load_sources(paths, first_id)?)
    }
}

/// Schema rules on the desired Model and, when a current schema is given
/// (and parsed cleanly), migration rules on the plan between them.
fn lint_findings(
    options: &Options,
    desired_sources: &SourceSet,
    desired: &Model,
    current: Option<&Model>,
    migration: bool,
) -> Result<Vec<Diagnostic>, CliError> {
    if !migration {
        return Ok(lint::run(desired_sources, desired, None, &options.lint));
    }
    let Some(current) = current else {
        return Ok(Vec::new());
    };
    let plan_options = PlanOptions {
        server_version: options.lint.target_version,
        ..PlanOptions::default()
    };
    let plan = plan_models(current, desired, &plan_options)?;
    Ok(lint::run(
        desired_sources,
        desired,
        Some((&plan, current)),
        &options.lint,
    ))
}
