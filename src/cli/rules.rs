//! `schemac rules [ID]`: the lint rules, from the registry (the same source
//! as the README's rule table).

use super::{CliError, ExitStatus};
use crate::lint::registry::{self, RULES};
use clap::Args;
use std::io::{self, Write};

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Explain one rule (its id, as in `schemac:allow <id>`).
    pub id: Option<String>,

    /// Print the rule table as Markdown (what the README contains).
    #[arg(long, conflicts_with = "id")]
    pub markdown: bool,
}

/// An unknown rule id.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("unknown rule `{id}`")]
#[diagnostic(
    code("unknown-rule"),
    help("{suggestion}run `schemac rules` for the list of rule ids")
)]
pub struct UnknownRule {
    pub id: String,
    /// "did you mean `x`? " or empty.
    pub suggestion: String,
}

impl UnknownRule {
    pub fn new(id: &str) -> UnknownRule {
        UnknownRule {
            id: id.to_string(),
            suggestion: crate::config::rule_suggestion(id),
        }
    }
}

pub fn run(args: &RulesArgs) -> Result<ExitStatus, CliError> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if args.markdown {
        out.write_all(registry::markdown_table().as_bytes())?;
        return Ok(ExitStatus::Success);
    }
    match &args.id {
        Some(id) => {
            let Some(rule) = registry::find(id) else {
                return Err(CliError::UnknownRule(UnknownRule::new(id)));
            };
            writeln!(out, "{}: {}", rule.id, rule.summary)?;
            writeln!(
                out,
                "family: {}, group: {}, default severity: {}\n",
                rule.family.as_str(),
                rule.group.as_str(),
                rule.default_severity
            )?;
            writeln!(out, "{}", rule.docs)?;
        }
        None => {
            let width = RULES.iter().map(|rule| rule.id.len()).max().unwrap_or(0);
            for rule in RULES {
                writeln!(
                    out,
                    "{:width$}  {:9}  {:7}  {}",
                    rule.id,
                    rule.family.as_str(),
                    rule.default_severity.as_str(),
                    rule.summary
                )?;
            }
        }
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}
