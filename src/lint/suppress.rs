//! Inline suppressions: `// schemac:allow <rule-id> <reason>` in `.schema`
//! files and `-- schemac:allow <rule-id> <reason>` in `.sql` files silence
//! that rule for the next object (the next item at the same nesting level:
//! a whole block `{ ... }`, a line, or an SQL statement up to `;`).
//! `schemac:allow-file <rule-id> <reason>` silences it for the whole file.
//! A suppression that silences nothing is itself reported
//! (`unused-suppression`).

use crate::diagnostics::{Diagnostic, Severity};
use crate::frontend::sql::split::{split, Stmt};
use crate::source::{FileId, Language, SourceFile, SourceSet, Span};
use crate::sql_lex;
use sqlparser::tokenizer::Token;
use std::cell::Cell;

#[derive(Debug)]
pub struct Suppression {
    pub rule: String,
    pub reason: Option<String>,
    /// The comment itself.
    pub span: Span,
    /// What it covers.
    pub file: FileId,
    pub covers: std::ops::Range<u32>,
    pub used: Cell<bool>,
}

/// Every suppression comment of every file.
pub fn collect(sources: &SourceSet) -> Vec<Suppression> {
    let mut res = Vec::new();
    for file in &sources.files {
        collect_file(file, &mut res);
    }
    res
}

fn collect_file(file: &SourceFile, out: &mut Vec<Suppression>) {
    let marker = match file.language {
        Language::Schema => "//",
        Language::Sql => "--",
    };
    let text = &file.text;
    // The statements of an SQL file, split once when a suppression needs them.
    let mut statements: Option<Vec<Stmt>> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let Some(comment_idx) = line.find(marker) else {
            continue;
        };
        let comment = line[comment_idx + marker.len()..]
            .trim_start_matches('/')
            .trim();
        let (whole_file, rest) = if let Some(rest) = comment.strip_prefix("schemac:allow-file") {
            (true, rest)
        } else if let Some(rest) = comment.strip_prefix("schemac:allow") {
            (false, rest)
        } else {
            continue;
        };
        if !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let mut words = rest.split_whitespace();
        let Some(rule) = words.next() else {
            continue;
        };
        let reason: Vec<&str> = words.collect();
        let comment_span = Span::new(
            file.id,
            line_start + comment_idx,
            line_start + line.trim_end().len(),
        );
        let covers = if whole_file {
            0..text.len() as u32
        } else {
            let start = line_start + line.len();
            let end = match file.language {
                Language::Schema => schema_item_end(text, start),
                Language::Sql => {
                    sql_item_end(text, start, statements.get_or_insert_with(|| split(text)))
                }
            };
            start as u32..end as u32
        };
        out.push(Suppression {
            rule: rule.to_string(),
            reason: (!reason.is_empty()).then(|| reason.join(" ")),
            span: comment_span,
            file: file.id,
            covers,
            used: Cell::new(false),
        });
    }
}

/// End offset of the item starting at `start` (after blank lines and
/// comments): up to the matching `}` when the item opens a block, to the
/// end of its line otherwise.
fn schema_item_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut idx = start;
    // Skip blank and comment-only lines.
    loop {
        let line_end = text[idx..].find('\n').map_or(text.len(), |n| idx + n + 1);
        let line = text[idx..line_end].trim();
        let is_comment = line.starts_with("//") || line.starts_with("--");
        if (line.is_empty() || is_comment) && line_end < text.len() {
            idx = line_end;
        } else {
            break;
        }
    }
    let mut depth: i32 = 0;
    let mut in_string: Option<u8> = None;
    let mut opened_block = false;
    while idx < bytes.len() {
        let byte = bytes[idx];
        if let Some(quote) = in_string {
            if byte == quote {
                in_string = None;
            }
            idx += 1;
            continue;
        }
        match byte {
            b'\'' | b'"' => in_string = Some(byte),
            b'$' if text[idx..].starts_with("$$") => {
                if let Some(end) = dollar_quote_end(text, idx) {
                    idx = end;
                    continue;
                }
            }
            b'(' | b'{' | b'[' => {
                if byte == b'{' && depth == 0 {
                    opened_block = true;
                }
                depth += 1;
            }
            b')' | b'}' | b']' => {
                depth -= 1;
                if depth < 0 {
                    return idx;
                }
                if depth == 0 && byte == b'}' && opened_block {
                    return idx + 1;
                }
            }
            b';' if depth == 0 => return idx + 1,
            b'\n' if depth == 0 && !opened_block => {
                return idx;
            }
            _ => {}
        }
        idx += 1;
    }
    bytes.len()
}

/// If a dollar quote opens at `start`, the offset just after its end.
fn dollar_quote_end(text: &str, start: usize) -> Option<usize> {
    let rest = &text[start + 1..];
    let tag_len = rest.find('$')?;
    let tag = &rest[..tag_len];
    if !tag.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let delimiter = format!("${tag}$");
    let body_start = start + delimiter.len();
    let end = text[body_start..].find(&delimiter)?;
    Some(body_start + end + delimiter.len())
}

/// End offset of what a suppression before `start` covers in an SQL file:
/// the rest of the statement holding `start` up to its `;`, or up to the
/// `)` that closes the list `start` is in (a column or a constraint of a
/// `CREATE TABLE`); the next statement when `start` is between statements.
fn sql_item_end(text: &str, start: usize, statements: &[Stmt]) -> usize {
    let holding = statements.partition_point(|stmt| stmt.end() <= start);
    let Some(statement) = statements.get(holding) else {
        return text.len();
    };
    let stop = statements
        .get(holding + 1)
        .map_or(text.len(), |next| next.start);
    let (lexemes, _) = sql_lex::lex_range(text, start.max(statement.start).min(stop), stop);
    let mut depth = 0usize;
    for lexeme in lexemes {
        match lexeme.token {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket if depth == 0 => return lexeme.start,
            Token::RParen | Token::RBracket => depth -= 1,
            Token::SemiColon if depth == 0 => return lexeme.end,
            _ => {}
        }
    }
    stop
}

/// Drops the diagnostics a suppression covers and marks it used.
pub fn apply(suppressions: &[Suppression], diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .filter(|diagnostic| {
            let span = diagnostic.primary.span;
            let suppressed = suppressions.iter().find(|suppression| {
                suppression.rule == diagnostic.code
                    && suppression.file == span.file
                    && suppression.covers.contains(&span.start)
            });
            match suppressed {
                Some(suppression) => {
                    suppression.used.set(true);
                    false
                }
                None => true,
            }
        })
        .collect()
}

/// `unused-suppression` diagnostics for suppressions that silenced nothing.
pub fn unused(suppressions: &[Suppression], severity: Severity) -> Vec<Diagnostic> {
    suppressions
        .iter()
        .filter(|suppression| !suppression.used.get())
        .map(|suppression| {
            let known = super::registry::find(&suppression.rule).is_some();
            let message = if known {
                format!("suppression of {} silences nothing", suppression.rule)
            } else {
                format!("suppression names an unknown rule `{}`", suppression.rule)
            };
            Diagnostic::new(severity, "unused-suppression", suppression.span, message)
                .with_label("nothing to suppress here")
                .with_help(if known {
                    "remove the comment, or move it right above the object the finding points at"
                } else {
                    "run `schemac rules` for the list of rule ids"
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn covered(text: &str, language: Language) -> Vec<String> {
        let mut set = SourceSet::default();
        let name = match language {
            Language::Schema => "a.schema",
            Language::Sql => "a.sql",
        };
        set.add(PathBuf::from(name), text.to_string(), language);
        collect(&set)
            .iter()
            .map(|s| {
                format!(
                    "{}: {}",
                    s.rule,
                    &text[s.covers.start as usize..s.covers.end as usize]
                )
            })
            .collect()
    }

    #[test]
    fn schema_suppression_covers_next_block_or_line() {
        let text = "// schemac:allow table-without-primary-key legacy\ntable t {\n  a int\n}\ntable u {\n  // schemac:allow timestamp-without-time-zone ok\n  b timestamp\n  c timestamp\n}\n";
        assert_eq!(
            covered(text, Language::Schema),
            vec![
                "table-without-primary-key: table t {\n  a int\n}".to_string(),
                "timestamp-without-time-zone:   b timestamp".to_string()
            ]
        );
    }

    #[test]
    fn sql_suppression_covers_next_statement() {
        let text = "-- schemac:allow drop-table\n\nCREATE TABLE t (a int, b text DEFAULT ';');\nCREATE TABLE u ();\n";
        assert_eq!(
            covered(text, Language::Sql),
            vec!["drop-table: \nCREATE TABLE t (a int, b text DEFAULT ';');".to_string()]
        );
    }

    #[test]
    fn file_suppression_covers_everything() {
        let text = "-- schemac:allow-file json-type\nCREATE TABLE t (a json);\n";
        let res = covered(text, Language::Sql);
        assert_eq!(res.len(), 1);
        assert!(res[0].ends_with("CREATE TABLE t (a json);\n"));
    }

    #[test]
    fn not_a_suppression() {
        assert!(covered("// schemac:allowed x\n", Language::Schema).is_empty());
        assert!(covered("// schemac:allow\n", Language::Schema).is_empty());
    }
}
