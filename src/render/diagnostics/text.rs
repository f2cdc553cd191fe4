//! Diagnostics for people: miette's graphical reports (source excerpt,
//! labels, help) through [`crate::diagnostics::TextReports`].
//!
//! A rule that fires thousands of times (a naming rule over a generated
//! schema) would bury everything else, so by default only the first
//! [`SHOWN_PER_CODE`] findings of each code are shown in full, in their
//! place in the order given; the others of that code are counted in one
//! line each after the reports ([`Shown::FirstPerCode`]). `--all-findings`
//! shows every one ([`Shown::All`]). The machine formats (json, sarif,
//! github, gitlab, gcc) always carry every finding.
//!
//! Invariants: with `color == false` the output has no escape codes; the
//! caller decides colour (terminal and `NO_COLOR`), this module never looks.
//! The cost is linear in the number of findings, and only the findings
//! shown are rendered as reports.

use crate::diagnostics::{Diagnostic, Severity, TextReports};
use crate::source::SourceSet;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

/// Findings of one code shown in full before the rest are counted.
pub const SHOWN_PER_CODE: usize = 3;

/// Which findings are shown as full reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Every finding.
    All,
    /// The first N of each code; the rest are counted per code.
    FirstPerCode(usize),
}

impl Shown {
    /// The default for people, unless `all` (`--all-findings`).
    pub fn grouped_unless(all: bool) -> Shown {
        if all {
            Shown::All
        } else {
            Shown::FirstPerCode(SHOWN_PER_CODE)
        }
    }
}

/// Writes the diagnostics as graphical reports, grouped as `shown` says:
/// the reports, then one line per code with findings left out.
pub fn render(
    diagnostics: &[Diagnostic],
    sources: &SourceSet,
    color: bool,
    shown: Shown,
    out: &mut impl Write,
) -> io::Result<()> {
    let (kept, left_out) = select(diagnostics, shown);
    let reports = TextReports::new(color);
    let mut report = String::new();
    for diagnostic in kept {
        report.clear();
        reports.render(diagnostic, sources, &mut report);
        out.write_all(report.as_bytes())?;
    }
    for (code, group) in &left_out {
        writeln!(out, "{}", group.summary_line(code))?;
    }
    Ok(())
}

/// The findings of one code that were not shown.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct LeftOut {
    shown: usize,
    hidden: usize,
    /// The highest severity among all findings of the code.
    severity: Option<Severity>,
}

impl LeftOut {
    /// `fk-without-index: 3 of 10000 warnings shown; --all-findings shows every one`
    fn summary_line(&self, code: &str) -> String {
        let total = self.shown + self.hidden;
        let noun = match self.severity {
            Some(Severity::Error) => "error",
            Some(Severity::Warning) => "warning",
            Some(Severity::Info) | None => "note",
        };
        format!(
            "{code}: {} of {} shown; --all-findings shows every one",
            self.shown,
            super::super::plural(total, noun)
        )
    }
}

/// The diagnostics to show in full, in the order given, and per code
/// (sorted) what was left out. One pass, one hash lookup per finding.
fn select(
    diagnostics: &[Diagnostic],
    shown: Shown,
) -> (Vec<&Diagnostic>, BTreeMap<&'static str, LeftOut>) {
    let Shown::FirstPerCode(limit) = shown else {
        return (diagnostics.iter().collect(), BTreeMap::new());
    };
    let mut counts: HashMap<&'static str, LeftOut> = HashMap::new();
    let mut kept = Vec::new();
    for diagnostic in diagnostics {
        let group = counts.entry(diagnostic.code).or_default();
        group.severity = group.severity.max(Some(diagnostic.severity));
        if group.shown < limit {
            group.shown += 1;
            kept.push(diagnostic);
        } else {
            group.hidden += 1;
        }
    }
    let left_out = counts
        .into_iter()
        .filter(|(_, group)| group.hidden > 0)
        .collect();
    (kept, left_out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::diagnostics::sample;
    use crate::source::{FileId, Span};

    fn to_string(diagnostics: &[Diagnostic], sources: &SourceSet, shown: Shown) -> String {
        let mut out = Vec::new();
        render(diagnostics, sources, false, shown, &mut out).expect("writing to a Vec cannot fail");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn plain_reports_have_no_escapes() {
        let text = to_string(&sample::diagnostics(), &sample::sources(), Shown::All);
        assert!(!text.contains('\x1b'));
        assert!(text.contains("unknown-reference"));
        assert!(text.contains("no such table"));
        assert!(text.contains("did you mean accounts?"));
    }

    /// Ten findings of one rule on ten lines, and one of another rule.
    fn repeated() -> (SourceSet, Vec<Diagnostic>) {
        let text: String = (0..10).map(|idx| format!("column_{idx} int\n")).collect();
        let sources = SourceSet::single("many.schema", &text);
        let mut diagnostics: Vec<Diagnostic> = (0..10)
            .map(|idx| {
                let start = text.find(&format!("column_{idx} ")).expect("line");
                Diagnostic::warning(
                    "mixed-case-identifier",
                    Span::new(FileId(0), start, start + 8),
                    format!("column column_{idx} is flagged"),
                )
            })
            .collect();
        diagnostics.push(Diagnostic::error(
            "syntax-error",
            Span::new(FileId(0), 0, 1),
            "one error",
        ));
        (sources, diagnostics)
    }

    #[test]
    fn repeated_findings_of_one_code_are_counted_after_the_first_few() {
        let (sources, diagnostics) = repeated();
        let text = to_string(&diagnostics, &sources, Shown::FirstPerCode(3));
        for idx in 0..3 {
            assert!(
                text.contains(&format!("column column_{idx} is flagged")),
                "{text}"
            );
        }
        for idx in 3..10 {
            assert!(!text.contains(&format!("column column_{idx} is")), "{text}");
        }
        assert!(text.contains("one error"), "{text}");
        assert!(
            text.contains(
                "mixed-case-identifier: 3 of 10 warnings shown; --all-findings shows every one"
            ),
            "{text}"
        );
        assert!(!text.contains("syntax-error: "), "{text}");
    }

    #[test]
    fn all_shows_every_finding_and_no_summary() {
        let (sources, diagnostics) = repeated();
        let text = to_string(&diagnostics, &sources, Shown::All);
        for idx in 0..10 {
            assert!(
                text.contains(&format!("column column_{idx} is flagged")),
                "{text}"
            );
        }
        assert!(!text.contains("--all-findings"), "{text}");
    }
}
