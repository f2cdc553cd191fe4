//! `schemac fmt [--check | --diff | --write] [PATHS]`: canonical formatting of
//! `.schema` files through the one printer, `frontend::dsl::fmt`.
//!
//! By default the formatted text goes to stdout (several files are each
//! preceded by a `// ==> path <==` comment line, so the output stays valid
//! `.schema` text); `--write` rewrites changed files in place; `--check`
//! lists the files that would change and exits 1 if there are any; `--diff`
//! prints a unified diff of every file that would change (exit 1 if any,
//! like `--check`). `.sql`
//! files are left alone. A file that does not parse is reported on stderr
//! and never rewritten; the exit status is then 1.

use super::{load_sources, report_to_stderr, CliError, ExitStatus};
use crate::config::Options;
use crate::frontend::dsl::fmt::format_source;
use crate::source::Language;
use clap::Args;
use std::io::{self, Write};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// .schema files or directories [default: `paths` in schemac.toml, else .].
    pub paths: Vec<PathBuf>,

    /// List files whose formatting would change; exit 1 if any would.
    #[arg(long, conflicts_with = "write")]
    pub check: bool,

    /// Print a unified diff of the changes formatting would make; exit 1 if
    /// there are any.
    #[arg(long, conflicts_with_all = ["write", "check"])]
    pub diff: bool,

    /// Rewrite files in place.
    #[arg(long)]
    pub write: bool,
}

pub fn run(options: &Options, args: &FmtArgs) -> Result<ExitStatus, CliError> {
    let sources = load_sources(&options.paths, 0)?;
    let schema_files: Vec<_> = sources
        .files
        .iter()
        .filter(|file| file.language == Language::Schema)
        .collect();
    if schema_files.is_empty() {
        writeln!(
            io::stderr(),
            "no .schema files to format (.sql files are left alone)"
        )?;
        return Ok(ExitStatus::Success);
    }
    let several = schema_files.len() > 1;
    let mut failed = false;
    let mut changed = Vec::new();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    for file in schema_files {
        let formatted = match format_source(file) {
            Ok(formatted) => formatted,
            Err(diagnostics) => {
                report_to_stderr(options, &diagnostics, &sources)?;
                failed = true;
                continue;
            }
        };
        let differs = formatted != file.text;
        if args.diff {
            if differs {
                let path = file.display_path();
                let diff = similar::TextDiff::from_lines(file.text.as_str(), formatted.as_str());
                write!(
                    out,
                    "{}",
                    diff.unified_diff()
                        .context_radius(3)
                        .header(&format!("a/{path}"), &format!("b/{path}"))
                )?;
                changed.push(path);
            }
        } else if args.check {
            if differs {
                writeln!(out, "would reformat {}", file.display_path())?;
                changed.push(file.display_path());
            }
        } else if args.write {
            if differs {
                std::fs::write(&file.path, &formatted).map_err(|source| CliError::WriteFile {
                    path: file.display_path(),
                    source,
                })?;
                changed.push(file.display_path());
            }
        } else {
            if several {
                writeln!(out, "// ==> {} <==", file.display_path())?;
            }
            out.write_all(formatted.as_bytes())?;
        }
    }
    out.flush()?;
    drop(out);
    if args.write {
        report_written(&changed)?;
    }
    Ok(
        if failed || ((args.check || args.diff) && !changed.is_empty()) {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        },
    )
}

fn report_written(changed: &[String]) -> Result<(), CliError> {
    let mut err = io::stderr().lock();
    match changed.len() {
        0 => writeln!(err, "all files already formatted")?,
        1 => writeln!(err, "formatted 1 file")?,
        n => writeln!(err, "formatted {n} files")?,
    }
    Ok(())
}
