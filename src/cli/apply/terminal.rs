//! The terminal's side of `schemac apply` ([`crate::live::Review`]): notes
//! on stderr, the plan as text on stdout, lint findings that refuse the
//! plan, the question on stderr and the answer from stdin.

use crate::cli::{use_color, CliError};
use crate::config::Options;
use crate::live::Review;
use crate::model::Model;
use crate::plan::Plan;
use crate::render;
use crate::source::SourceSet;
use std::io::{self, BufRead, IsTerminal, Write};

/// The terminal's side of an apply: notes on stderr, the plan as text on
/// stdout, the question on stderr and the answer from stdin.
pub(super) struct Terminal<'a> {
    pub options: &'a Options,
    /// The desired schema's files (their `schemac:allow` comments apply);
    /// empty for a saved plan applied without PATHS.
    pub sources: &'a SourceSet,
    /// `--yes`: apply without asking.
    pub yes: bool,
}

impl Review for Terminal<'_> {
    type Error = CliError;

    fn show(&mut self, notes: &[String], plan: &Plan) -> Result<(), CliError> {
        for note in notes {
            eprintln!("note: {note}");
        }
        let stdout = io::stdout();
        let color = use_color(self.options, stdout.is_terminal());
        let mut out = stdout.lock();
        render::text::render(plan, &mut out, color)?;
        out.flush()?;
        Ok(())
    }

    /// Migration rules on the plan, judging the server's own version as
    /// `plan --db` does; an error-level finding not allowed refuses it
    /// ([`crate::lint::gate`]).
    fn lint(
        &mut self,
        plan: &Plan,
        current: &Model,
        desired: &Model,
        server_version: u32,
    ) -> Result<(), CliError> {
        let (lint, _) = self.options.lint_for_server(server_version);
        let findings = crate::lint::run(self.sources, desired, Some((plan, current)), &lint);
        crate::lint::gate::check(&findings, &self.options.allow_lint)?;
        Ok(())
    }

    /// Asks on stderr, reads stdin. Refuses when stdin is not a terminal.
    fn confirm(&mut self, plan: &Plan) -> Result<bool, CliError> {
        if self.yes {
            return Ok(true);
        }
        let stdin = io::stdin();
        if !stdin.is_terminal() {
            return Err(CliError::NotConfirmed);
        }
        let mut stderr = io::stderr();
        write!(
            stderr,
            "apply these {} steps? type `yes` to continue: ",
            plan.steps.len()
        )?;
        stderr.flush()?;
        let mut answer = String::new();
        stdin.lock().read_line(&mut answer)?;
        Ok(matches!(
            answer.trim().to_ascii_lowercase().as_str(),
            "yes" | "y"
        ))
    }
}
