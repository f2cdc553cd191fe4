//! `--skip-preflight LIST|all` and `--preflight-large-table-rows N`,
//! shared by `plan --db` and `apply`: which data checks run before the
//! first step ([`crate::apply::preflight`]); and the findings of `plan
//! --db` as error-level diagnostics.
//!
//! Invariant: a finding is an error (exit 1), as apply refuses the plan.

use crate::apply::{PreflightReport, PreflightRule, PreflightSettings};
use crate::diagnostics::Diagnostic;
use crate::plan::Plan;
use clap::Args;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Default, Args)]
pub struct PreflightArgs {
    /// Data checks not to run before the first step: comma-separated ids
    /// (unique, not-null, check, foreign-key, type-cast, enum-value,
    /// partition-bound) or `all`. A step that still fails is undone.
    #[arg(long, value_name = "LIST|all", value_parser = PreflightSettings::parse_skip)]
    pub skip_preflight: Option<BTreeSet<PreflightRule>>,

    /// A checked table with more rows than this (live statistics) is named
    /// as a long scan [default: 10000000].
    #[arg(long, value_name = "N")]
    pub preflight_large_table_rows: Option<i64>,
}

impl PreflightArgs {
    pub fn settings(&self) -> PreflightSettings {
        let defaults = PreflightSettings::default();
        PreflightSettings {
            skip: self.skip_preflight.clone().unwrap_or_default(),
            large_table_rows: self
                .preflight_large_table_rows
                .unwrap_or(defaults.large_table_rows),
        }
    }
}

/// One error per step that would fail on the data, at the step's origin.
pub fn findings(plan: &Plan, report: &PreflightReport) -> Vec<Diagnostic> {
    report
        .findings
        .iter()
        .map(|finding| {
            let span = plan
                .steps
                .get(finding.step)
                .and_then(|step| step.origin.span)
                .unwrap_or_default();
            Diagnostic::error(finding.rule.code(), span, finding.to_string())
                .with_label(format!("needs {}", finding.requirement))
                .with_help(format!(
                    "apply refuses this plan: fix the offending rows of {} (or the schema), or \
                     skip the check with --skip-preflight {}",
                    finding.table, finding.rule
                ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        preflight: PreflightArgs,
    }

    #[test]
    fn flags_choose_the_checks() {
        let parse = |flags: &[&str]| {
            Wrapper::try_parse_from(std::iter::once("plan").chain(flags.iter().copied()))
                .map(|w| w.preflight.settings())
        };
        assert_eq!(parse(&[]).expect("no flags"), PreflightSettings::default());
        let settings = parse(&[
            "--skip-preflight",
            "unique,check",
            "--preflight-large-table-rows",
            "5",
        ])
        .expect("valid");
        assert_eq!(settings.large_table_rows, 5);
        assert!(settings.skip.contains(&PreflightRule::Check));
        assert!(!settings.skip.contains(&PreflightRule::NotNull));
        assert!(parse(&["--skip-preflight", "nope"]).is_err());
    }
}
