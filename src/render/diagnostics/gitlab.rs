//! Diagnostics as a GitLab Code Quality report: a JSON array of issues
//! (`artifacts: reports: codequality:` in `.gitlab-ci.yml`), which GitLab
//! shows in the merge request widget and the diff.
//!
//! Severity: error -> `critical`, warning -> `major`, info -> `info`
//! (GitLab's scale is info, minor, major, critical, blocker; `blocker` is
//! kept for nothing schemac reports, `minor` for nothing either, so that an
//! error always sorts above every warning).
//!
//! Invariants:
//! - Positions use `location.positions` (1-based line and character column,
//!   the end column just after the span), which GitLab accepts in place of
//!   `location.lines` and which carries columns.
//! - `fingerprint` is the same line-independent hash as SARIF's
//!   (`sarif::fingerprints`): code, path and message.
//! - A diagnostic whose file is unknown points at `<unknown>` line 1,
//!   column 1, as the gcc format does, because GitLab requires a path.

use super::sarif::{display_path, fingerprints};
use crate::diagnostics::{Diagnostic, Severity};
use crate::source::SourceSet;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeQualityIssue {
    pub description: String,
    pub check_name: String,
    pub fingerprint: String,
    pub severity: &'static str,
    pub location: CodeQualityLocation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeQualityLocation {
    pub path: String,
    pub positions: CodeQualityPositions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CodeQualityPositions {
    pub begin: CodeQualityPosition,
    pub end: CodeQualityPosition,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CodeQualityPosition {
    pub line: usize,
    pub column: usize,
}

/// GitLab's severity for ours.
pub fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

/// The report's issues, one per diagnostic, in order.
pub fn issues(diagnostics: &[Diagnostic], sources: &SourceSet) -> Vec<CodeQualityIssue> {
    diagnostics
        .iter()
        .zip(fingerprints(diagnostics, sources))
        .map(|(diagnostic, fingerprint)| CodeQualityIssue {
            description: diagnostic.message.clone(),
            check_name: diagnostic.code.to_string(),
            fingerprint,
            severity: severity(diagnostic.severity),
            location: location(diagnostic, sources),
        })
        .collect()
}

/// Writes the report as a pretty-printed JSON array and a newline.
pub fn render(
    diagnostics: &[Diagnostic],
    sources: &SourceSet,
    out: &mut impl Write,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &issues(diagnostics, sources))?;
    writeln!(out)
}

fn location(diagnostic: &Diagnostic, sources: &SourceSet) -> CodeQualityLocation {
    let span = diagnostic.primary.span;
    match sources.file(span.file) {
        Some(file) => {
            let start = file.line_col(span.start as usize);
            let end = file.line_col(span.end as usize);
            CodeQualityLocation {
                path: display_path(file),
                positions: CodeQualityPositions {
                    begin: CodeQualityPosition {
                        line: start.line,
                        column: start.col,
                    },
                    end: CodeQualityPosition {
                        line: end.line,
                        column: end.col,
                    },
                },
            }
        }
        None => {
            let first = CodeQualityPosition { line: 1, column: 1 };
            CodeQualityLocation {
                path: "<unknown>".to_string(),
                positions: CodeQualityPositions {
                    begin: first,
                    end: first,
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::diagnostics::sarif::sample;

    #[test]
    fn report_shape() {
        let mut out = Vec::new();
        render(&sample::diagnostics(), &sample::sources(), &mut out)
            .expect("writing to a Vec cannot fail");
        insta::assert_snapshot!(String::from_utf8(out).expect("utf-8"), @r##"
            [
              {
                "description": "foreign key of public.café references unknown table public.acounts",
                "check_name": "unknown-reference",
                "fingerprint": "3b5ef835b1581e82",
                "severity": "critical",
                "location": {
                  "path": "db/my schema.schema",
                  "positions": {
                    "begin": {
                      "line": 3,
                      "column": 26
                    },
                    "end": {
                      "line": 3,
                      "column": 33
                    }
                  }
                }
              },
              {
                "description": "foreign key columns (prénom) of public.café lead no index",
                "check_name": "fk-without-index",
                "fingerprint": "a2afe42fa518bb30",
                "severity": "major",
                "location": {
                  "path": "db/my schema.schema",
                  "positions": {
                    "begin": {
                      "line": 3,
                      "column": 3
                    },
                    "end": {
                      "line": 3,
                      "column": 9
                    }
                  }
                }
              },
              {
                "description": "a note",
                "check_name": "note-only",
                "fingerprint": "aeac84408ded916f",
                "severity": "info",
                "location": {
                  "path": "db/my schema.schema",
                  "positions": {
                    "begin": {
                      "line": 2,
                      "column": 3
                    },
                    "end": {
                      "line": 2,
                      "column": 12
                    }
                  }
                }
              }
            ]
            "##);
    }

    #[test]
    fn unknown_file_points_at_first_line() {
        let issues = issues(&sample::diagnostics(), &SourceSet::default());
        assert_eq!(issues[0].location.path, "<unknown>");
        assert_eq!(issues[0].location.positions.begin.line, 1);
        assert_eq!(issues[0].severity, "critical");
    }

    #[test]
    fn empty_report_is_an_empty_array() {
        let mut out = Vec::new();
        render(&[], &SourceSet::default(), &mut out).expect("writing to a Vec cannot fail");
        assert_eq!(out, b"[]\n");
    }
}
