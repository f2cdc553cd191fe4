//! `schemac graph [--format dot|mermaid] [PATHS]`: the dependency graph of
//! the desired schema, for Graphviz or a Mermaid block in Markdown.
//!
//! A schema with errors is reported on stderr and no graph is printed
//! (exit 1).

use super::{compile, load_sources, report_to_stderr, CliError, ExitStatus};
use crate::config::Options;
use crate::graph::DepGraph;
use clap::{Args, ValueEnum};
use std::io::{self, Write};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Schema files or directories [default: `paths` in schemac.toml, else .].
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT (`schemac graph | dot -Tsvg > schema.svg`).
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

pub fn run(options: &Options, args: &GraphArgs) -> Result<ExitStatus, CliError> {
    let sources = load_sources(&options.paths, 0)?;
    let parsed = compile(&sources);
    report_to_stderr(options, &parsed.diagnostics, &sources)?;
    if parsed.has_errors() {
        return Ok(ExitStatus::Failure);
    }
    let graph = DepGraph::build(&parsed.value);
    let text = match args.format {
        GraphFormat::Dot => graph.to_dot(),
        GraphFormat::Mermaid => graph.to_mermaid(),
    };
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}
