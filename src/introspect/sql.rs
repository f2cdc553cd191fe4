//! Small readers for the text the catalog's `pg_get_*` functions print:
//! balanced parentheses, top-level comma lists, `name=value` options, and
//! sqlparser identifiers -> Model identifiers.
//!
//! Invariant: every reader is total (returns `None` or the input unchanged
//! on text it does not understand); none of them panics on any input.

use crate::model::Ident;
use crate::sql_lex;
use sqlparser::tokenizer::Token;

/// Removes parentheses that wrap the whole text: `((a > 0))` -> `a > 0`,
/// but `(a) AND (b)` is left alone.
pub(crate) fn strip_outer_parens(text: &str) -> &str {
    let mut current = text.trim();
    while current.starts_with('(') && current.ends_with(')') {
        let closes_at_end = sql_lex::nested(current)
            .into_iter()
            .find(|(lexeme, depth)| lexeme.token == Token::RParen && *depth == 0)
            .is_some_and(|(lexeme, _)| lexeme.start == current.len() - 1);
        if !closes_at_end {
            break;
        }
        current = current[1..current.len() - 1].trim();
    }
    current
}

/// Splits at commas outside parentheses, brackets and quotes; trims parts.
pub(crate) fn split_top_level(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    sql_lex::split_top_level(text)
        .into_iter()
        .map(|(_, part)| part.trim().to_string())
        .collect()
}

/// The text inside the parentheses that open at byte `open` (which must be
/// a top-level `(`), or `None` when they do not close.
pub(crate) fn parenthesised_at(text: &str, open: usize) -> Option<&str> {
    let tokens = sql_lex::nested(text);
    let open_depth = tokens
        .iter()
        .find(|(lexeme, _)| lexeme.start == open && lexeme.token == Token::LParen)
        .map(|(_, depth)| *depth)?;
    let close = tokens
        .iter()
        .find(|(lexeme, depth)| {
            lexeme.start > open && lexeme.token == Token::RParen && *depth == open_depth
        })?
        .0
        .start;
    Some(&text[open + 1..close])
}

/// Byte index of `keyword` (e.g. `" WHEN ("`) at parenthesis depth 0,
/// outside quotes; it must start where a token starts.
pub(crate) fn find_top_level(text: &str, keyword: &str) -> Option<usize> {
    sql_lex::nested(text)
        .into_iter()
        .filter(|(_, depth)| *depth == 0)
        .map(|(lexeme, _)| lexeme.start)
        .find(|&idx| text[idx..].starts_with(keyword))
}

/// `reloptions` entries (`fillfactor=70`) as `(name, value)`; a value
/// printed with quotes (`fillfactor='70'`) loses them.
pub(crate) fn option_pair(entry: &str) -> (String, String) {
    match entry.split_once('=') {
        Some((name, value)) => (name.trim().to_lowercase(), unquote(value.trim())),
        None => (entry.trim().to_lowercase(), "true".to_string()),
    }
}

/// `'70'` -> `70`, `'it''s'` -> `it's`; other text unchanged.
pub(crate) fn unquote(text: &str) -> String {
    if text.len() >= 2 && text.starts_with('\'') && text.ends_with('\'') {
        text[1..text.len() - 1].replace("''", "'")
    } else {
        text.to_string()
    }
}

/// A sqlparser identifier as PostgreSQL stores it: quoted verbatim,
/// unquoted folded to lower case.
pub(crate) fn ident(ident: &sqlparser::ast::Ident) -> Ident {
    if ident.quote_style.is_some() {
        Ident::new(ident.value.clone())
    } else {
        Ident::folded(&ident.value)
    }
}

/// The last part of a possibly qualified sqlparser name (`pg_catalog."C"`
/// -> `C`).
pub(crate) fn last_ident(name: &sqlparser::ast::ObjectName) -> Option<Ident> {
    match name.0.last()? {
        sqlparser::ast::ObjectNamePart::Identifier(part) => Some(ident(part)),
        sqlparser::ast::ObjectNamePart::Function(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_only_wrapping_parens() {
        assert_eq!(strip_outer_parens("((a > 0))"), "a > 0");
        assert_eq!(strip_outer_parens("(a) AND (b)"), "(a) AND (b)");
        assert_eq!(strip_outer_parens("(x = ')')"), "x = ')'");
        assert_eq!(strip_outer_parens("lower(a)"), "lower(a)");
        assert_eq!(strip_outer_parens("("), "(");
        assert_eq!(strip_outer_parens(""), "");
    }

    #[test]
    fn splits_at_top_level_commas() {
        assert_eq!(
            split_top_level("'a, b', lower(x, y), \"c,d\", ARRAY[1, 2]"),
            vec!["'a, b'", "lower(x, y)", "\"c,d\"", "ARRAY[1, 2]"]
        );
        assert_eq!(split_top_level("'it''s, ok', 2"), vec!["'it''s, ok'", "2"]);
        assert!(split_top_level("").is_empty());
    }

    #[test]
    fn finds_parenthesised_clauses() {
        let def = "CREATE TRIGGER t AFTER UPDATE ON a.b FOR EACH ROW WHEN ((new.x = ')')) EXECUTE FUNCTION f('WHEN (')";
        let at = find_top_level(def, " WHEN (").expect("WHEN clause");
        assert_eq!(parenthesised_at(def, at + 6), Some("(new.x = ')')"));
        assert_eq!(find_top_level("f('x WHEN (')", " WHEN ("), None);
        assert_eq!(parenthesised_at("(unclosed", 0), None);
    }

    #[test]
    fn reads_options() {
        assert_eq!(
            option_pair("fillfactor='70'"),
            ("fillfactor".into(), "70".into())
        );
        assert_eq!(
            option_pair("security_barrier=true"),
            ("security_barrier".into(), "true".into())
        );
        assert_eq!(option_pair("Flag"), ("flag".into(), "true".into()));
        assert_eq!(unquote("'it''s'"), "it's");
    }
}
