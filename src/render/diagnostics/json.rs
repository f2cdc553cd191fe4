//! Diagnostics as JSON: explicit, versioned structs, documented in
//! docs/plan-json.md ("Diagnostics JSON").
//!
//! Invariants: `format_version` changes whenever a field is removed or its
//! meaning changes; positions are 1-based with an exclusive end; a span whose
//! file is unknown gives `null` positions rather than a guess; output is
//! pretty-printed with a final newline.

use super::Counts;
use crate::diagnostics::{Diagnostic, Label};
use crate::render::SourceRange;
use crate::source::SourceSet;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

/// The version of this format.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnosticsJson {
    pub format_version: u32,
    pub summary: CountsJson,
    pub diagnostics: Vec<DiagnosticJson>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountsJson {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnosticJson {
    pub code: String,
    pub severity: String,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    /// The primary label's text (may be empty).
    pub label: String,
    pub help: Option<String>,
    pub secondary: Vec<LabelJson>,
    /// Migration findings: the 1-based number of the plan step they
    /// concern (as `schemac plan` numbers steps); `null` otherwise.
    #[serde(default)]
    pub step: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelJson {
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
}

impl DiagnosticsJson {
    pub fn new(diagnostics: &[Diagnostic], sources: &SourceSet) -> DiagnosticsJson {
        let counts = Counts::of(diagnostics);
        DiagnosticsJson {
            format_version: FORMAT_VERSION,
            summary: CountsJson {
                errors: counts.errors,
                warnings: counts.warnings,
                infos: counts.infos,
            },
            diagnostics: diagnostics
                .iter()
                .map(|diagnostic| diagnostic_json(diagnostic, sources))
                .collect(),
        }
    }
}

fn diagnostic_json(diagnostic: &Diagnostic, sources: &SourceSet) -> DiagnosticJson {
    let primary = label_json(&diagnostic.primary, sources);
    DiagnosticJson {
        code: diagnostic.code.to_string(),
        severity: diagnostic.severity.as_str().to_string(),
        message: diagnostic.message.clone(),
        file: primary.file,
        line: primary.line,
        column: primary.column,
        end_line: primary.end_line,
        end_column: primary.end_column,
        label: primary.message,
        help: diagnostic.help.clone(),
        secondary: diagnostic
            .secondary
            .iter()
            .map(|label| label_json(label, sources))
            .collect(),
        step: diagnostic.step,
    }
}

fn label_json(label: &Label, sources: &SourceSet) -> LabelJson {
    let range = SourceRange::resolve(sources, label.span);
    LabelJson {
        message: label.text.clone(),
        file: range.as_ref().map(|r| r.file.clone()),
        line: range.as_ref().map(|r| r.line),
        column: range.as_ref().map(|r| r.column),
        end_line: range.as_ref().map(|r| r.end_line),
        end_column: range.as_ref().map(|r| r.end_column),
    }
}

/// Writes the diagnostics as pretty-printed JSON followed by a newline.
pub fn render(
    diagnostics: &[Diagnostic],
    sources: &SourceSet,
    out: &mut impl Write,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &DiagnosticsJson::new(diagnostics, sources))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::diagnostics::sample;

    #[test]
    fn shape() {
        let mut out = Vec::new();
        render(&sample::diagnostics()[..1], &sample::sources(), &mut out)
            .expect("writing to a Vec cannot fail");
        insta::assert_snapshot!(String::from_utf8(out).expect("utf-8"), @r#"
            {
              "format_version": 1,
              "summary": {
                "errors": 1,
                "warnings": 0,
                "infos": 0
              },
              "diagnostics": [
                {
                  "code": "unknown-reference",
                  "severity": "error",
                  "message": "foreign key of public.orders references unknown table public.acounts",
                  "file": "db/orders, main.schema",
                  "line": 3,
                  "column": 30,
                  "end_line": 3,
                  "end_column": 37,
                  "label": "no such table",
                  "help": "declare table acounts, or fix the name: did you mean accounts?",
                  "secondary": [
                    {
                      "message": "in this table",
                      "file": "db/orders, main.schema",
                      "line": 1,
                      "column": 7,
                      "end_line": 1,
                      "end_column": 13
                    }
                  ],
                  "step": null
                }
              ]
            }
            "#);
    }

    #[test]
    fn unknown_files_give_null_positions() {
        let diagnostics = sample::diagnostics();
        let json = DiagnosticsJson::new(&diagnostics, &SourceSet::default());
        assert_eq!(json.diagnostics[0].line, None);
        assert_eq!(json.summary.errors, 1);
    }

    #[test]
    fn migration_findings_carry_their_step() {
        let mut diagnostics = sample::diagnostics();
        diagnostics[0].step = Some(4);
        let json = DiagnosticsJson::new(&diagnostics, &sample::sources());
        assert_eq!(json.diagnostics[0].step, Some(4));
        assert_eq!(json.diagnostics[0].line, Some(3));
        let text = serde_json::to_string(&json).expect("serializes");
        assert!(text.contains("\"step\":4"), "{text}");
    }
}
