//! Diagnostics as SARIF 2.1.0, the format GitHub code scanning uploads
//! (`github/codeql-action/upload-sarif`), validated in `tests/sarif_schema.rs`
//! against the OASIS schema vendored in `tests/data/`.
//!
//! One run whose `tool.driver.rules` lists every rule passed in (in the order
//! given, the registry's sorted order) followed by one generated entry per
//! diagnostic code that is not a rule (`syntax-error`, `unknown-reference`,
//! sorted by code), so every result has a `ruleId` and a `ruleIndex`.
//!
//! Invariants:
//! - Positions are 1-based; columns count characters (`run.columnKind` is
//!   `unicodeCodePoints`) and `endColumn` is the column just after the span,
//!   as SARIF defines it.
//! - Relative paths become relative URIs against `%SRCROOT%` (forward
//!   slashes, percent-encoded); absolute paths become `file://` URIs. The
//!   renderer never looks at the working directory: callers that want
//!   repository-relative URIs pass relative paths.
//! - `partialFingerprints` hash the code, the path and the message, never a
//!   line number, so a finding keeps its identity when lines move above it.
//! - Same input, same bytes: explicit structs, no maps with random order.

use crate::diagnostics::{Diagnostic, Label, Severity};
use crate::source::{SourceFile, SourceSet};
use serde::Serialize;
use sha2::Digest;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};

/// The schema URI written in `$schema` (the one the vendored schema names
/// as its `id`).
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The key of our fingerprint in `partialFingerprints`; bump the version
/// when the hashed input changes.
pub const FINGERPRINT_KEY: &str = "schemacFingerprint/v2";

/// What SARIF needs to know about a lint rule (built from
/// `crate::lint::Rule` with [`RuleInfo::from_rule`] or [`RuleInfo::registry`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    pub id: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Markdown with `### What it does`, `### Why is this bad?`, ... sections.
    pub docs: &'static str,
    pub default_severity: Severity,
}

impl RuleInfo {
    pub fn from_rule(rule: &crate::lint::Rule) -> RuleInfo {
        RuleInfo {
            id: rule.id,
            summary: rule.summary,
            docs: rule.docs,
            default_severity: rule.default_severity,
        }
    }

    /// Every registered lint rule, in registry order.
    pub fn registry() -> Vec<RuleInfo> {
        crate::lint::registry::RULES
            .iter()
            .map(|rule| RuleInfo::from_rule(rule))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SarifLog {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<SarifRun>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifRun {
    pub tool: SarifTool,
    pub column_kind: &'static str,
    pub results: Vec<SarifResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SarifTool {
    pub driver: SarifDriver,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifDriver {
    pub name: &'static str,
    pub version: &'static str,
    pub semantic_version: &'static str,
    /// From Cargo.toml's `repository` (or `homepage`); absent while neither
    /// is set, since the schema requires an absolute URI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub information_uri: Option<&'static str>,
    pub rules: Vec<SarifRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifRule {
    pub id: String,
    pub name: String,
    pub short_description: SarifText,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_description: Option<SarifText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<SarifHelp>,
    pub default_configuration: SarifConfiguration,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SarifText {
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SarifHelp {
    pub text: String,
    pub markdown: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SarifConfiguration {
    pub level: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub rule_id: String,
    pub rule_index: usize,
    pub level: &'static str,
    pub message: SarifText,
    pub locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_locations: Vec<SarifLocation>,
    pub partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<SarifResultProperties>,
}

/// Extra facts about a result (a SARIF property bag).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResultProperties {
    /// 1-based number of the plan step a migration finding concerns.
    pub plan_step: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifLocation {
    /// Set on related locations (unique within the result).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<usize>,
    pub physical_location: SarifPhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<SarifText>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifPhysicalLocation {
    pub artifact_location: SarifArtifactLocation,
    pub region: SarifRegion,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifArtifactLocation {
    pub uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifRegion {
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl SarifLog {
    pub fn new(diagnostics: &[Diagnostic], sources: &SourceSet, rules: &[RuleInfo]) -> SarifLog {
        let rules = rule_entries(diagnostics, rules);
        let rule_index: HashMap<&str, usize> = rules
            .iter()
            .enumerate()
            .map(|(idx, rule)| (rule.id.as_str(), idx))
            .collect();
        let fingerprints = fingerprints(diagnostics, sources);
        let results = diagnostics
            .iter()
            .zip(fingerprints)
            .map(|(diagnostic, fingerprint)| {
                let index = rule_index
                    .get(diagnostic.code)
                    .copied()
                    .expect("invariant: rule_entries lists every diagnostic code");
                result(diagnostic, sources, index, fingerprint)
            })
            .collect();
        SarifLog {
            schema: SCHEMA_URI,
            version: "2.1.0",
            runs: vec![SarifRun {
                tool: SarifTool {
                    driver: SarifDriver {
                        name: "schemac",
                        version: env!("CARGO_PKG_VERSION"),
                        semantic_version: env!("CARGO_PKG_VERSION"),
                        information_uri: information_uri(),
                        rules,
                    },
                },
                column_kind: "unicodeCodePoints",
                results,
            }],
        }
    }
}

/// Writes the diagnostics as one pretty-printed SARIF log and a newline.
pub fn render_sarif(
    diagnostics: &[Diagnostic],
    sources: &SourceSet,
    rules: &[RuleInfo],
    out: &mut impl Write,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &SarifLog::new(diagnostics, sources, rules))?;
    writeln!(out)
}

/// SARIF's `level` for a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The file's path as output formats show it: forward slashes, without a
/// leading `./`, otherwise as the user gave it.
pub fn display_path(file: &SourceFile) -> String {
    let path = file.display_path().replace('\\', "/");
    let mut rest = path.as_str();
    while let Some(stripped) = rest.strip_prefix("./") {
        rest = stripped;
    }
    rest.to_string()
}

/// One fingerprint per diagnostic, in order: the first 16 hex digits of the
/// SHA-256 of
/// code, path and message. The n-th repetition of the same triple (n >= 1)
/// also hashes n, so repeated findings stay distinct without line numbers.
pub fn fingerprints(diagnostics: &[Diagnostic], sources: &SourceSet) -> Vec<String> {
    let mut seen: HashMap<(&str, String, &str), usize> = HashMap::new();
    diagnostics
        .iter()
        .map(|diagnostic| {
            let path = sources
                .file(diagnostic.primary.span.file)
                .map(display_path)
                .unwrap_or_default();
            let mut input = format!("{}\0{path}\0{}", diagnostic.code, diagnostic.message);
            let occurrence = seen
                .entry((diagnostic.code, path, diagnostic.message.as_str()))
                .or_insert(0);
            if *occurrence > 0 {
                input.push('\0');
                input.push_str(&occurrence.to_string());
            }
            *occurrence += 1;
            let digest = sha2::Sha256::digest(input.as_bytes());
            digest[..8]
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect()
        })
        .collect()
}

/// `fk-without-index` -> `FkWithoutIndex` (SARIF's readable rule name).
pub fn pascal_case(id: &str) -> String {
    id.split(['-', '_'])
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<Vec<char>>())
                .unwrap_or_default()
        })
        .collect()
}

/// Percent-encodes a path for a URI: everything but RFC 3986's unreserved
/// characters and `/`.
pub fn percent_encode_path(path: &str) -> String {
    let mut res = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            res.push(char::from(byte));
        } else {
            res.push_str(&format!("%{byte:02X}"));
        }
    }
    res
}

fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|uri| uri.starts_with("https://") || uri.starts_with("http://"))
}

/// The given rules (first of each id wins), then one generated entry per
/// other code found in the diagnostics, sorted by code.
fn rule_entries(diagnostics: &[Diagnostic], rules: &[RuleInfo]) -> Vec<SarifRule> {
    let mut res = Vec::new();
    let mut known = BTreeSet::new();
    for rule in rules {
        if known.insert(rule.id) {
            res.push(rule_entry(rule));
        }
    }
    let mut others: BTreeMap<&str, Severity> = BTreeMap::new();
    for diagnostic in diagnostics {
        if known.contains(diagnostic.code) {
            continue;
        }
        let severity = others.entry(diagnostic.code).or_insert(diagnostic.severity);
        *severity = (*severity).max(diagnostic.severity);
    }
    for (code, severity) in others {
        res.push(SarifRule {
            id: code.to_string(),
            name: pascal_case(code),
            short_description: SarifText {
                text: code_in_words(code),
            },
            full_description: None,
            help: None,
            default_configuration: SarifConfiguration {
                level: level(severity),
            },
        });
    }
    res
}

fn rule_entry(rule: &RuleInfo) -> SarifRule {
    let full_description = docs_section(rule.docs, "What it does")
        .filter(|text| !text.is_empty())
        .unwrap_or_else(|| rule.summary.to_string());
    let help = (!rule.docs.trim().is_empty()).then(|| SarifHelp {
        text: markdown_to_text(rule.docs),
        markdown: rule.docs.to_string(),
    });
    SarifRule {
        id: rule.id.to_string(),
        name: pascal_case(rule.id),
        short_description: SarifText {
            text: rule.summary.to_string(),
        },
        full_description: Some(SarifText {
            text: full_description,
        }),
        help,
        default_configuration: SarifConfiguration {
            level: level(rule.default_severity),
        },
    }
}

fn result(
    diagnostic: &Diagnostic,
    sources: &SourceSet,
    rule_index: usize,
    fingerprint: String,
) -> SarifResult {
    let mut text = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let locations = location(&diagnostic.primary, sources, None)
        .into_iter()
        .collect();
    let related_locations = diagnostic
        .secondary
        .iter()
        .enumerate()
        .filter_map(|(idx, label)| location(label, sources, Some(idx + 1)))
        .collect();
    SarifResult {
        rule_id: diagnostic.code.to_string(),
        rule_index,
        level: level(diagnostic.severity),
        message: SarifText { text },
        locations,
        related_locations,
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint)]),
        properties: diagnostic
            .step
            .map(|plan_step| SarifResultProperties { plan_step }),
    }
}

/// The label's location; `None` when its file is not in the set (nothing
/// honest to point at).
fn location(label: &Label, sources: &SourceSet, id: Option<usize>) -> Option<SarifLocation> {
    let file = sources.file(label.span.file)?;
    let start = file.line_col(label.span.start as usize);
    let end = file.line_col(label.span.end as usize);
    Some(SarifLocation {
        id,
        physical_location: SarifPhysicalLocation {
            artifact_location: artifact_location(file),
            region: SarifRegion {
                start_line: start.line,
                start_column: start.col,
                end_line: end.line,
                end_column: end.col,
            },
        },
        message: (!label.text.is_empty()).then(|| SarifText {
            text: label.text.clone(),
        }),
    })
}

fn artifact_location(file: &SourceFile) -> SarifArtifactLocation {
    let path = display_path(file);
    let drive_letter = path.as_bytes().get(1) == Some(&b':')
        && path.as_bytes().first().is_some_and(u8::is_ascii_alphabetic);
    if path.starts_with('/') {
        SarifArtifactLocation {
            uri: format!("file://{}", percent_encode_path(&path)),
            uri_base_id: None,
        }
    } else if drive_letter {
        // `C:/x` on Windows: keep the colon after the drive letter.
        SarifArtifactLocation {
            uri: format!("file:///{}:{}", &path[..1], percent_encode_path(&path[2..])),
            uri_base_id: None,
        }
    } else {
        SarifArtifactLocation {
            uri: percent_encode_path(&path),
            uri_base_id: Some("%SRCROOT%"),
        }
    }
}

/// `syntax-error` -> `Syntax error`.
fn code_in_words(code: &str) -> String {
    let words = code.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The body of a `### <title>` section of a rule's docs, trimmed.
fn docs_section(docs: &str, title: &str) -> Option<String> {
    let heading = format!("### {title}");
    let mut lines = docs.lines().skip_while(|line| line.trim() != heading);
    lines.next()?;
    let body: Vec<&str> = lines.take_while(|line| !line.starts_with('#')).collect();
    Some(body.join("\n").trim().to_string())
}

/// Rule docs as plain text: headings lose their `#` marks.
fn markdown_to_text(docs: &str) -> String {
    docs.lines()
        .map(|line| line.trim_start_matches('#').trim_start())
        .collect::<Vec<&str>>()
        .join("\n")
}

#[cfg(test)]
pub(crate) mod sample {
    //! A sample with a multi-byte character before the spans, shared by the
    //! SARIF and GitLab tests.

    use crate::diagnostics::{Diagnostic, Severity};
    use crate::source::{FileId, SourceSet, Span};

    use super::RuleInfo;

    pub const SCHEMA: &str = "table café {\n  id bigint\n  prénom text references acounts\n}\n";

    pub fn sources() -> SourceSet {
        SourceSet::single("db/my schema.schema", SCHEMA)
    }

    fn span(needle: &str) -> Span {
        let start = SCHEMA.find(needle).expect("invariant: sample text");
        Span::new(FileId(0), start, start + needle.len())
    }

    pub fn diagnostics() -> Vec<Diagnostic> {
        let mut migration = Diagnostic::warning(
            "fk-without-index",
            span("prénom"),
            "foreign key columns (prénom) of public.café lead no index",
        )
        .with_label("not indexed");
        migration.step = Some(2);
        vec![
            Diagnostic::error(
                "unknown-reference",
                span("acounts"),
                "foreign key of public.café references unknown table public.acounts",
            )
            .with_label("no such table")
            .with_secondary(span("café"), "in this table")
            .with_help("did you mean accounts?"),
            migration,
            Diagnostic::new(Severity::Info, "note-only", span("id bigint"), "a note"),
        ]
    }

    pub fn rules() -> Vec<RuleInfo> {
        vec![RuleInfo {
            id: "fk-without-index",
            summary: "foreign key columns are not covered by an index",
            docs: "### What it does\nFlags foreign keys without an index.\n### Why is this bad?\nDeletes scan.\n### Safe alternative\nIndex them.\n### Example\n```sql\nCREATE INDEX ON t (a);\n```",
            default_severity: Severity::Warning,
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    fn render(diagnostics: &[Diagnostic], sources: &SourceSet, rules: &[RuleInfo]) -> String {
        let mut out = Vec::new();
        render_sarif(diagnostics, sources, rules, &mut out).expect("writing to a Vec cannot fail");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn log_shape() {
        let text = render(&sample::diagnostics(), &sample::sources(), &sample::rules());
        let text = text.replace(env!("CARGO_PKG_VERSION"), "[version]");
        insta::assert_snapshot!(text, @r####"
            {
              "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
              "version": "2.1.0",
              "runs": [
                {
                  "tool": {
                    "driver": {
                      "name": "schemac",
                      "version": "[version]",
                      "semanticVersion": "[version]",
                      "rules": [
                        {
                          "id": "fk-without-index",
                          "name": "FkWithoutIndex",
                          "shortDescription": {
                            "text": "foreign key columns are not covered by an index"
                          },
                          "fullDescription": {
                            "text": "Flags foreign keys without an index."
                          },
                          "help": {
                            "text": "What it does\nFlags foreign keys without an index.\nWhy is this bad?\nDeletes scan.\nSafe alternative\nIndex them.\nExample\n```sql\nCREATE INDEX ON t (a);\n```",
                            "markdown": "### What it does\nFlags foreign keys without an index.\n### Why is this bad?\nDeletes scan.\n### Safe alternative\nIndex them.\n### Example\n```sql\nCREATE INDEX ON t (a);\n```"
                          },
                          "defaultConfiguration": {
                            "level": "warning"
                          }
                        },
                        {
                          "id": "note-only",
                          "name": "NoteOnly",
                          "shortDescription": {
                            "text": "Note only"
                          },
                          "defaultConfiguration": {
                            "level": "note"
                          }
                        },
                        {
                          "id": "unknown-reference",
                          "name": "UnknownReference",
                          "shortDescription": {
                            "text": "Unknown reference"
                          },
                          "defaultConfiguration": {
                            "level": "error"
                          }
                        }
                      ]
                    }
                  },
                  "columnKind": "unicodeCodePoints",
                  "results": [
                    {
                      "ruleId": "unknown-reference",
                      "ruleIndex": 2,
                      "level": "error",
                      "message": {
                        "text": "foreign key of public.café references unknown table public.acounts\nhelp: did you mean accounts?"
                      },
                      "locations": [
                        {
                          "physicalLocation": {
                            "artifactLocation": {
                              "uri": "db/my%20schema.schema",
                              "uriBaseId": "%SRCROOT%"
                            },
                            "region": {
                              "startLine": 3,
                              "startColumn": 26,
                              "endLine": 3,
                              "endColumn": 33
                            }
                          },
                          "message": {
                            "text": "no such table"
                          }
                        }
                      ],
                      "relatedLocations": [
                        {
                          "id": 1,
                          "physicalLocation": {
                            "artifactLocation": {
                              "uri": "db/my%20schema.schema",
                              "uriBaseId": "%SRCROOT%"
                            },
                            "region": {
                              "startLine": 1,
                              "startColumn": 7,
                              "endLine": 1,
                              "endColumn": 11
                            }
                          },
                          "message": {
                            "text": "in this table"
                          }
                        }
                      ],
                      "partialFingerprints": {
                        "schemacFingerprint/v2": "3b5ef835b1581e82"
                      }
                    },
                    {
                      "ruleId": "fk-without-index",
                      "ruleIndex": 0,
                      "level": "warning",
                      "message": {
                        "text": "foreign key columns (prénom) of public.café lead no index"
                      },
                      "locations": [
                        {
                          "physicalLocation": {
                            "artifactLocation": {
                              "uri": "db/my%20schema.schema",
                              "uriBaseId": "%SRCROOT%"
                            },
                            "region": {
                              "startLine": 3,
                              "startColumn": 3,
                              "endLine": 3,
                              "endColumn": 9
                            }
                          },
                          "message": {
                            "text": "not indexed"
                          }
                        }
                      ],
                      "partialFingerprints": {
                        "schemacFingerprint/v2": "a2afe42fa518bb30"
                      },
                      "properties": {
                        "planStep": 2
                      }
                    },
                    {
                      "ruleId": "note-only",
                      "ruleIndex": 1,
                      "level": "note",
                      "message": {
                        "text": "a note"
                      },
                      "locations": [
                        {
                          "physicalLocation": {
                            "artifactLocation": {
                              "uri": "db/my%20schema.schema",
                              "uriBaseId": "%SRCROOT%"
                            },
                            "region": {
                              "startLine": 2,
                              "startColumn": 3,
                              "endLine": 2,
                              "endColumn": 12
                            }
                          }
                        }
                      ],
                      "partialFingerprints": {
                        "schemacFingerprint/v2": "aeac84408ded916f"
                      }
                    }
                  ]
                }
              ]
            }
            "####);
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let log = SarifLog::new(&sample::diagnostics(), &sample::sources(), &[]);
        let result = &log.runs[0].results[0];
        let region = result.locations[0].physical_location.region;
        // "  prénom text references " is 25 characters but 26 bytes.
        assert_eq!(
            region,
            SarifRegion {
                start_line: 3,
                start_column: 26,
                end_line: 3,
                end_column: 33,
            }
        );
        let related = result.related_locations[0].physical_location.region;
        assert_eq!((related.start_column, related.end_column), (7, 11));
    }

    #[test]
    fn unknown_codes_get_generated_rules_and_every_result_an_index() {
        let log = SarifLog::new(&sample::diagnostics(), &sample::sources(), &sample::rules());
        let run = &log.runs[0];
        let ids: Vec<&str> = run
            .tool
            .driver
            .rules
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(ids, ["fk-without-index", "note-only", "unknown-reference"]);
        for result in &run.results {
            assert_eq!(run.tool.driver.rules[result.rule_index].id, result.rule_id);
        }
        let generated = &run.tool.driver.rules[2];
        assert_eq!(generated.short_description.text, "Unknown reference");
        assert_eq!(generated.default_configuration.level, "error");
    }

    #[test]
    fn same_input_same_bytes() {
        let first = render(&sample::diagnostics(), &sample::sources(), &sample::rules());
        let second = render(&sample::diagnostics(), &sample::sources(), &sample::rules());
        assert_eq!(first, second);
    }

    #[test]
    fn fingerprints_ignore_lines_but_separate_repeats() {
        let diagnostic = |start: usize| {
            Diagnostic::warning("x-rule", Span::new(FileId(0), start, start + 1), "same")
        };
        let sources = SourceSet::single("a.schema", "a\nb\nc\n");
        let moved = fingerprints(&[diagnostic(0)], &sources);
        let original = fingerprints(&[diagnostic(4)], &sources);
        assert_eq!(moved, original);
        let repeated = fingerprints(&[diagnostic(0), diagnostic(4)], &sources);
        assert_ne!(repeated[0], repeated[1]);
        assert_eq!(repeated[0], original[0]);
    }

    #[test]
    fn uris() {
        let uri = |path: &str| {
            let sources = SourceSet::single(path, "x");
            artifact_location(sources.file(FileId(0)).expect("one file"))
        };
        assert_eq!(uri("./db/a b.schema").uri, "db/a%20b.schema");
        assert_eq!(uri("db\\naïve.sql").uri, "db/na%C3%AFve.sql");
        assert_eq!(uri("db/a.sql").uri_base_id, Some("%SRCROOT%"));
        let absolute = uri("/srv/app/db.schema");
        assert_eq!(absolute.uri, "file:///srv/app/db.schema");
        assert_eq!(absolute.uri_base_id, None);
        assert_eq!(uri("C:\\app\\db.sql").uri, "file:///C:/app/db.sql");
    }

    #[test]
    fn names_and_words() {
        assert_eq!(pascal_case("fk-without-index"), "FkWithoutIndex");
        assert_eq!(pascal_case("syntax-error"), "SyntaxError");
        assert_eq!(code_in_words("syntax-error"), "Syntax error");
    }

    #[test]
    fn registry_rules_have_docs() {
        let rules = RuleInfo::registry();
        assert!(!rules.is_empty());
        let log = SarifLog::new(&[], &SourceSet::default(), &rules);
        let driver = &log.runs[0].tool.driver;
        assert_eq!(driver.rules.len(), rules.len());
        for rule in &driver.rules {
            let full = rule.full_description.as_ref().expect("rules have docs");
            assert!(!full.text.is_empty(), "{} has no description", rule.id);
            assert!(!full.text.starts_with('#'), "{}", rule.id);
        }
    }
}
