//! `schemac check [PATHS]`: load and validate the desired schema, print the
//! findings on stdout in the chosen format.
//!
//! Exit status: 0 clean or warnings only, 1 when there are errors (or
//! warnings with `--deny-warnings`).

use super::{compile, load_sources, use_color, CliError, ExitStatus};
use crate::config::Options;
use crate::diagnostics::Diagnostic;
use crate::render::diagnostics::{self as render_diagnostics, Counts};
use crate::source::SourceSet;
use clap::{Args, ValueEnum};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Schema files or directories [default: `paths` in schemac.toml, else .].
    pub paths: Vec<PathBuf>,

    /// Output format of the findings.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Text)]
    pub format: DiagnosticFormat,

    /// Exit with status 1 when there are warnings.
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagnosticFormat {
    /// Graphical reports with source excerpts.
    Text,
    /// Versioned JSON (docs/plan-json.md).
    Json,
    /// `path:line:col: severity[code]: message`.
    Gcc,
    /// GitHub Actions annotations.
    Github,
}

pub fn run(options: &Options, args: &CheckArgs) -> Result<ExitStatus, CliError> {
    let sources = load_sources(&options.paths, 0)?;
    let mut diagnostics = compile(&sources).diagnostics;
    render_diagnostics::sort(&mut diagnostics);
    let stdout = io::stdout();
    let color = use_color(options, stdout.is_terminal());
    let mut out = stdout.lock();
    write_findings(args.format, &diagnostics, &sources, color, &mut out)?;
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
    out: &mut impl Write,
) -> io::Result<()> {
    match format {
        DiagnosticFormat::Text => {
            render_diagnostics::text::render(diagnostics, sources, color, out)?;
            writeln!(out, "{}", Counts::of(diagnostics).summary())
        }
        DiagnosticFormat::Json => render_diagnostics::json::render(diagnostics, sources, out),
        DiagnosticFormat::Gcc => render_diagnostics::gcc::render(diagnostics, sources, out),
        DiagnosticFormat::Github => render_diagnostics::github::render(diagnostics, sources, out),
    }
}
