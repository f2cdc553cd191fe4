//! Error-level findings about a plan stop it: `plan` exits 1 on them and
//! `apply` refuses the plan before its first step, unless the rule is
//! allowed like a hazard (its id in `--allow-hazards` or `[plan]
//! allow-hazards`, see [`AllowedLint`]).
//!
//! Invariants: only findings of migration rules (about the steps that will
//! run) at error severity (after `[lint]` configuration and inline
//! `schemac:allow` suppressions) stop a plan; schema findings are
//! `check`'s business; pure.

use super::{registry, Family};
use crate::config::AllowedLint;
use crate::diagnostics::{Diagnostic, Severity};

/// Error-level findings of migration rules that `allowed` does not allow.
pub fn blocking<'a>(findings: &'a [Diagnostic], allowed: &AllowedLint) -> Vec<&'a Diagnostic> {
    findings
        .iter()
        .filter(|finding| finding.severity == Severity::Error)
        .filter(|finding| {
            registry::find(finding.code).is_some_and(|rule| rule.family == Family::Migration)
        })
        .filter(|finding| !allowed.allows(finding.code))
        .collect()
}

/// The distinct rule ids of `findings`, comma-separated, sorted.
pub fn rule_list(findings: &[&Diagnostic]) -> String {
    let mut ids: Vec<&str> = findings.iter().map(|finding| finding.code).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.join(",")
}

/// A plan refused for error-level lint findings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("the plan has error-level lint findings: {rules}\n{details}\nnothing was applied")]
#[diagnostic(
    code("lint-not-allowed"),
    help("change the schema so the step cannot fail, or after reading the findings re-run with --allow-hazards {rules} (or add them to [plan] allow-hazards in schemac.toml)")
)]
pub struct LintRefused {
    pub rules: String,
    pub details: String,
}

/// `Err` naming every blocking finding (with its step) when there is one.
pub fn check(findings: &[Diagnostic], allowed: &AllowedLint) -> Result<(), LintRefused> {
    let blocking = blocking(findings, allowed);
    if blocking.is_empty() {
        return Ok(());
    }
    let details = blocking
        .iter()
        .map(|finding| match finding.step {
            Some(step) => format!("  {}: step {step}: {}", finding.code, finding.message),
            None => format!("  {}: {}", finding.code, finding.message),
        })
        .collect::<Vec<_>>()
        .join("\n");
    Err(LintRefused {
        rules: rule_list(&blocking),
        details,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    fn finding(code: &'static str, severity: Severity) -> Diagnostic {
        let span = Span {
            file: FileId(0),
            start: 0,
            end: 1,
        };
        let mut res = Diagnostic::new(severity, code, span, format!("{code} here"));
        res.step = Some(2);
        res
    }

    #[test]
    fn only_unallowed_migration_errors_block() {
        let findings = vec![
            finding("add-required-column", Severity::Error),
            finding("add-required-column", Severity::Warning),
            finding("char-type", Severity::Error),
            finding("syntax-error", Severity::Error),
        ];
        let err = check(&findings, &AllowedLint::None).expect_err("blocked");
        insta::assert_snapshot!(err.to_string(), @r"
        the plan has error-level lint findings: add-required-column
          add-required-column: step 2: add-required-column here
        nothing was applied
        ");
        assert!(check(&findings, &AllowedLint::All).is_ok());
        let allowed = AllowedLint::parse(["add-required-column"]);
        assert!(check(&findings, &allowed).is_ok());
    }
}
