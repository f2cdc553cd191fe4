//! Embedded SQL expressions in `.schema` files: parsed with sqlparser via
//! [`crate::model::normalize::expr`]; errors are remapped to the byte span
//! of the `.schema` file.
//!
//! Invariant: a reported span always lies inside the expression's text in
//! the file (sqlparser counts 1-based lines and columns in characters; the
//! conversion to bytes happens here and nowhere else).

use crate::diagnostics::Diagnostic;
use crate::model::normalize::{self, ExprError};
use crate::model::SqlExpr;
use crate::source::{FileId, Span};
use sqlparser::tokenizer::{Token, Whitespace};

/// Normalises the expression `text`, which starts at byte `offset` of
/// `file`. On error returns a `syntax-error` diagnostic pointing at the
/// offending token inside the file.
pub fn lower_expr(text: &str, offset: usize, file: FileId) -> Result<SqlExpr, Box<Diagnostic>> {
    if text.trim().is_empty() {
        let span = Span::new(file, offset, offset + text.len());
        let diagnostic = Diagnostic::error(
            "syntax-error",
            span,
            "expected an SQL expression, found nothing",
        );
        return Err(Box::new(diagnostic.with_label("empty expression")));
    }
    normalize::expr(text).map_err(|error| Box::new(expr_error(text, offset, file, &error)))
}

/// The diagnostic for an [`ExprError`] of `text` (at byte `offset`).
pub fn expr_error(text: &str, offset: usize, file: FileId, error: &ExprError) -> Diagnostic {
    let start = byte_offset(text, error.line, error.col);
    let len = token_len(&text[start..]);
    let span = Span::new(file, offset + start, offset + start + len);
    Diagnostic::error(
        "syntax-error",
        span,
        format!("invalid SQL expression: {}", clean_message(&error.message)),
    )
    .with_label("here")
}

/// Byte offset inside `text` of a 1-based line and character column,
/// clamped to the text.
pub fn byte_offset(text: &str, line: usize, col: usize) -> usize {
    let mut line_start = 0;
    for _ in 1..line.max(1) {
        match text[line_start..].find('\n') {
            Some(rel) => line_start += rel + 1,
            None => return text.len(),
        }
    }
    let line_text = &text[line_start..];
    let line_end = line_text.find('\n').unwrap_or(line_text.len());
    let target = col.max(1) - 1;
    line_text[..line_end]
        .char_indices()
        .nth(target)
        .map_or(line_start + line_end, |(idx, _)| line_start + idx)
}

pub(crate) use crate::sql_lex::split_top_level;

/// Collapses runs of whitespace outside quotes, dollar quotes and comments
/// into one space.
pub fn collapse_whitespace(text: &str) -> String {
    let text = text.trim();
    let (lexemes, _) = crate::sql_lex::lex_range(text, 0, text.len());
    let mut res = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut copied = 0;
    for lexeme in lexemes {
        copied = lexeme.end;
        if matches!(
            lexeme.token,
            Token::Whitespace(Whitespace::Space | Whitespace::Newline | Whitespace::Tab)
        ) {
            pending_space = true;
            continue;
        }
        if pending_space && !res.is_empty() {
            res.push(' ');
        }
        pending_space = false;
        res.push_str(&text[lexeme.start..lexeme.end]);
    }
    // An unterminated literal or comment: kept as written.
    if pending_space && copied < text.len() {
        res.push(' ');
    }
    res.push_str(&text[copied..]);
    res
}

fn token_len(text: &str) -> usize {
    let word: usize = text
        .chars()
        .take_while(|ch| ch.is_alphanumeric() || *ch == '_')
        .map(char::len_utf8)
        .sum();
    if word > 0 {
        word
    } else {
        text.chars()
            .next()
            .filter(|ch| *ch != '\n')
            .map_or(0, char::len_utf8)
    }
}

/// sqlparser's messages end with " at Line: 1, Column: 5"; the span says it.
fn clean_message(message: &str) -> String {
    let message = message
        .strip_prefix("sql parser error: ")
        .unwrap_or(message);
    match message.find(" at Line: ") {
        Some(idx) => message[..idx].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offsets_count_characters() {
        let text = "a = 'é'\n  and ü > 1";
        assert_eq!(byte_offset(text, 1, 1), 0);
        assert_eq!(byte_offset(text, 1, 7), 7);
        assert_eq!(byte_offset(text, 2, 7), 15);
        assert_eq!(&text[byte_offset(text, 2, 7)..], "ü > 1");
        assert_eq!(byte_offset(text, 9, 1), text.len());
        assert_eq!(byte_offset(text, 1, 99), 8);
    }

    #[test]
    fn error_spans_point_into_the_file() {
        let text = "a >\n  = ü";
        let error = ExprError {
            message: "sql parser error: Expected: an expression, found: = at Line: 2, Column: 3"
                .into(),
            line: 2,
            col: 3,
        };
        let diagnostic = expr_error(text, 100, FileId(0), &error);
        assert_eq!(diagnostic.primary.span.start, 106);
        assert_eq!(diagnostic.primary.span.end, 107);
        assert_eq!(
            diagnostic.message,
            "invalid SQL expression: Expected: an expression, found: ="
        );
    }

    #[test]
    fn splits_at_top_level_commas_only() {
        let parts: Vec<&str> = split_top_level("a, lower(b, c), 'x,y', \"q,r\", $$,$$")
            .into_iter()
            .map(|(_, part)| part.trim())
            .collect();
        assert_eq!(parts, ["a", "lower(b, c)", "'x,y'", "\"q,r\"", "$$,$$"]);
        assert_eq!(split_top_level("a,  b")[1].0, 2);
    }

    #[test]
    fn collapses_whitespace_outside_quotes() {
        assert_eq!(
            collapse_whitespace("  select  a,\n\t'x  y'  from t "),
            "select a, 'x  y' from t"
        );
    }

    #[test]
    fn empty_expressions_are_errors() {
        let err = lower_expr("  ", 10, FileId(0)).unwrap_err();
        assert_eq!(err.code, "syntax-error");
        assert_eq!(err.primary.span.start, 10);
    }
}
