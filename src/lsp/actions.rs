//! Quick fixes for lint findings: an inline suppression
//! (`// schemac:allow RULE` in `.schema` files, `-- schemac:allow RULE` in
//! `.sql` files, see `crate::lint::suppress`) above the line the finding
//! points at, or a file-wide `schemac:allow-file RULE` on the first line;
//! and the removal of a suppression that silences nothing.
//!
//! Invariant: only lint rules are offered a suppression (a syntax error or
//! an unknown reference cannot be silenced); the inserted comment is
//! indented like the line it covers.

use super::text::LineIndex;
use crate::lint::registry;
use crate::source::Language;
use lsp_types::{
    CodeAction, CodeActionKind, Diagnostic, NumberOrString, Position, Range, TextEdit, Uri,
    WorkspaceEdit,
};
use std::collections::HashMap;

const UNUSED_SUPPRESSION: &str = "unused-suppression";

/// The quick fixes for the diagnostics the editor sent with the request.
pub fn quick_fixes(
    uri: &Uri,
    text: &str,
    language: Language,
    diagnostics: &[Diagnostic],
) -> Vec<CodeAction> {
    let index = LineIndex::new(text);
    let marker = match language {
        Language::Schema => "//",
        Language::Sql => "--",
    };
    let mut res = Vec::new();
    for diagnostic in diagnostics {
        if diagnostic.source.as_deref() != Some(super::SOURCE) {
            continue;
        }
        let Some(NumberOrString::String(code)) = &diagnostic.code else {
            continue;
        };
        if code == UNUSED_SUPPRESSION {
            res.push(remove_line_action(uri, &index, diagnostic, marker));
            continue;
        }
        if registry::find(code).is_none() {
            continue;
        }
        let line = diagnostic.range.start.line;
        let current = index.line(line as usize);
        let indent: String = current
            .chars()
            .take_while(|ch| *ch == ' ' || *ch == '\t')
            .collect();
        res.push(action(
            format!("Suppress {code} here (schemac:allow)"),
            uri,
            diagnostic,
            TextEdit::new(
                Range::new(Position::new(line, 0), Position::new(line, 0)),
                format!("{indent}{marker} schemac:allow {code}\n"),
            ),
            true,
        ));
        res.push(action(
            format!("Suppress {code} in this file (schemac:allow-file)"),
            uri,
            diagnostic,
            TextEdit::new(
                Range::new(Position::new(0, 0), Position::new(0, 0)),
                format!("{marker} schemac:allow-file {code}\n"),
            ),
            false,
        ));
    }
    res
}

/// Deletes an unused suppression: its whole line when the comment is
/// alone on it, else the comment.
fn remove_line_action(
    uri: &Uri,
    index: &LineIndex<'_>,
    diagnostic: &Diagnostic,
    marker: &str,
) -> CodeAction {
    let line = diagnostic.range.start.line;
    let text = index.line(line as usize);
    let range = if text.trim_start().starts_with(marker) {
        Range::new(Position::new(line, 0), Position::new(line + 1, 0))
    } else {
        let end = text.encode_utf16().count() as u32;
        Range::new(diagnostic.range.start, Position::new(line, end))
    };
    action(
        "Remove the unused suppression".to_string(),
        uri,
        diagnostic,
        TextEdit::new(range, String::new()),
        true,
    )
}

fn action(
    title: String,
    uri: &Uri,
    diagnostic: &Diagnostic,
    edit: TextEdit,
    preferred: bool,
) -> CodeAction {
    CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
            ..WorkspaceEdit::default()
        }),
        is_preferred: Some(preferred),
        ..CodeAction::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn finding(code: &str, line: u32, character: u32) -> Diagnostic {
        Diagnostic {
            range: Range::new(
                Position::new(line, character),
                Position::new(line, character + 3),
            ),
            code: Some(NumberOrString::String(code.to_string())),
            source: Some(super::super::SOURCE.to_string()),
            ..Diagnostic::default()
        }
    }

    fn edit_of(action: &CodeAction, uri: &Uri) -> TextEdit {
        action
            .edit
            .as_ref()
            .expect("edit")
            .changes
            .as_ref()
            .expect("changes")[uri][0]
            .clone()
    }

    #[test]
    fn sql_suppressions_use_dashes_and_the_line_indent() {
        let uri = Uri::from_str("file:///s/a.sql").expect("uri");
        let text = "CREATE TABLE t (\n    payload json\n);\n";
        let fixes = quick_fixes(
            &uri,
            text,
            Language::Sql,
            &[finding("json-type", 1, 4), finding("syntax-error", 0, 0)],
        );
        assert_eq!(fixes.len(), 2, "{fixes:?}");
        let here = edit_of(&fixes[0], &uri);
        assert_eq!(here.new_text, "    -- schemac:allow json-type\n");
        assert_eq!(here.range.start, Position::new(1, 0));
        assert_eq!(
            edit_of(&fixes[1], &uri).new_text,
            "-- schemac:allow-file json-type\n"
        );
    }

    #[test]
    fn an_unused_suppression_is_removed_with_its_line() {
        let uri = Uri::from_str("file:///s/a.schema").expect("uri");
        let text = "table t {\n  // schemac:allow json-type\n  id bigint\n}\n";
        let fixes = quick_fixes(
            &uri,
            text,
            Language::Schema,
            &[finding("unused-suppression", 1, 2)],
        );
        let edit = edit_of(&fixes[0], &uri);
        assert_eq!(
            edit.range,
            Range::new(Position::new(1, 0), Position::new(2, 0))
        );
        assert_eq!(edit.new_text, "");
    }
}
