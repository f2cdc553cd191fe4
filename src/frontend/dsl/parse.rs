//! Text -> pest parse trees, one top-level object (an `entry`) at a time.
//!
//! Owns: the pest parser for grammar/schema.pest, error recovery between
//! top-level objects, and turning pest errors into readable `syntax-error`
//! diagnostics (rule names are mapped to words; pest's names never reach
//! the user).
//!
//! Invariant: every byte of the input is covered by exactly one parsed
//! entry or one skipped (erroneous) region, and [`parse_entries`] never
//! panics, whatever the input.

use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};
use pest::iterators::Pair;
use pest::Parser;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/schema.pest"]
pub struct SchemaParser;

/// One successfully parsed top-level entry: its pest tree and the byte
/// offset of the slice it was parsed from (pest positions are relative to
/// that slice).
pub struct Entry<'i> {
    pub base: usize,
    pub pair: Pair<'i, Rule>,
}

/// Parses every entry of `text`, which must already be clean (see
/// [`recover`]); entries that still fail are reported and skipped up to the
/// next line that starts a top-level object.
pub fn parse_entries<'i>(text: &'i str, file: FileId) -> (Vec<Entry<'i>>, Vec<Diagnostic>) {
    let mut entries = Entries::new(text, file);
    let parsed: Vec<Entry<'i>> = entries.by_ref().collect();
    (parsed, entries.diagnostics)
}

/// The entries of `text` one at a time, as [`parse_entries`] returns them
/// all; a caller that handles each entry before asking for the next holds
/// only one entry's parse tree at a time. Syntax errors met on the way are
/// collected in `diagnostics`.
pub struct Entries<'i> {
    text: &'i str,
    file: FileId,
    pos: usize,
    /// Stop at the first syntax error (the caller starts over with
    /// [`recover`]): a file with thousands of broken entries, each of
    /// which pest reads to the end of the file (an unclosed parenthesis),
    /// would otherwise cost time quadratic in its length.
    stop_at_first_error: bool,
    /// No entry starts at or after this offset (the end of a chunk, see
    /// [`Entries::chunk`]); the last entry may end past it.
    stop: usize,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'i> Entries<'i> {
    pub fn new(text: &'i str, file: FileId) -> Entries<'i> {
        Entries {
            text,
            file,
            pos: 0,
            stop_at_first_error: false,
            stop: text.len(),
            diagnostics: Vec::new(),
        }
    }

    /// The entries that start in `start..stop`, ending at the first syntax
    /// error. `start` must be where an entry starts; whether `stop` is one
    /// too shows in [`Entries::position`] once the iterator is exhausted
    /// (equal to `stop` exactly when it is).
    pub fn chunk(text: &'i str, file: FileId, start: usize, stop: usize) -> Entries<'i> {
        Entries {
            pos: start.min(text.len()),
            stop: stop.min(text.len()),
            ..Entries::until_first_error(text, file)
        }
    }

    /// Where the next entry would start.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Like [`Entries::new`], but ends at the first syntax error.
    pub fn until_first_error(text: &'i str, file: FileId) -> Entries<'i> {
        Entries {
            stop_at_first_error: true,
            ..Entries::new(text, file)
        }
    }
}

impl<'i> Iterator for Entries<'i> {
    type Item = Entry<'i>;

    fn next(&mut self) -> Option<Entry<'i>> {
        while self.pos < self.stop {
            let rest = &self.text[self.pos..];
            match SchemaParser::parse(Rule::entry, rest) {
                Ok(mut pairs) => {
                    let pair = pairs.next()?;
                    let consumed = pair.as_span().end();
                    let entry = Entry {
                        base: self.pos,
                        pair,
                    };
                    // An entry that consumed nothing ends the input (as at
                    // its end); it is still returned.
                    self.pos = if consumed == 0 {
                        self.text.len()
                    } else {
                        self.pos + consumed
                    };
                    return Some(entry);
                }
                Err(error) => {
                    let (diagnostic, error_pos) = syntax_error(&error, rest, self.pos, self.file);
                    self.diagnostics.push(diagnostic);
                    if self.stop_at_first_error {
                        self.pos = self.text.len();
                        return None;
                    }
                    self.pos = next_top_level_line(self.text, error_pos.max(self.pos));
                }
            }
        }
        None
    }
}

/// Finds every syntax error of `text` and returns a copy in which the
/// offending regions are blanked out (same length, same line breaks, so
/// byte offsets stay valid), together with the diagnostics.
///
/// An error on an indented line (inside a block or a continuation) blanks
/// only that line, so the rest of the object is still checked and lowered;
/// an error on a line starting in column 0 skips to the next top-level
/// object.
pub fn recover(text: &str, file: FileId) -> (String, Vec<Diagnostic>) {
    const MAX_ERRORS: usize = 100;
    let mut work: Vec<u8> = text.as_bytes().to_vec();
    let mut diagnostics = Vec::new();
    let mut pos = 0;
    while pos < work.len() && diagnostics.len() < MAX_ERRORS {
        // Blanking only ever writes ASCII spaces over whole lines, so the
        // buffer stays valid UTF-8; the fallback is unreachable.
        let Ok(current) = std::str::from_utf8(&work) else {
            break;
        };
        let rest = &current[pos..];
        match SchemaParser::parse(Rule::entry, rest) {
            Ok(mut pairs) => {
                let consumed = pairs.next().map_or(0, |pair| pair.as_span().end());
                if consumed == 0 {
                    break;
                }
                pos += consumed;
            }
            Err(error) => {
                let (diagnostic, error_pos) = syntax_error(&error, rest, pos, file);
                diagnostics.push(diagnostic);
                let line_start = current[..error_pos].rfind('\n').map_or(0, |idx| idx + 1);
                let line_end = current[error_pos..]
                    .find('\n')
                    .map_or(current.len(), |idx| error_pos + idx);
                let line = &current[line_start..line_end];
                let indented = line.starts_with([' ', '\t']) && !line.trim().is_empty();
                let blank_from = if indented && line_start > pos {
                    line_start
                } else {
                    pos
                };
                let blank_to = if indented && line_start > pos {
                    line_end
                } else {
                    next_top_level_line(current, error_pos.max(pos))
                };
                blank(&mut work[blank_from..blank_to]);
            }
        }
    }
    // Past the error limit the rest is not checked: blanked, so that the
    // clean text has no error left to find (each costs a parse that may
    // read to the end of the file).
    if diagnostics.len() >= MAX_ERRORS && pos < work.len() {
        blank(&mut work[pos..]);
    }
    let clean = String::from_utf8(work).unwrap_or_else(|_| String::new());
    (clean, diagnostics)
}

/// Replaces every byte except line breaks with a space.
fn blank(bytes: &mut [u8]) {
    for byte in bytes {
        if *byte != b'\n' && *byte != b'\r' {
            *byte = b' ';
        }
    }
}

/// The start of the first line after `from`'s line that begins (in column
/// 0) with something that can start a top-level object.
fn next_top_level_line(text: &str, from: usize) -> usize {
    let mut idx = from.min(text.len());
    loop {
        match text[idx..].find('\n') {
            None => return text.len(),
            Some(rel) => {
                idx += rel + 1;
                let starts_object = text[idx..]
                    .chars()
                    .next()
                    .is_some_and(|ch| ch.is_ascii_alphabetic() || ch == '/');
                if starts_object {
                    return idx;
                }
            }
        }
    }
}

fn syntax_error(
    error: &pest::error::Error<Rule>,
    input: &str,
    base: usize,
    file: FileId,
) -> (Diagnostic, usize) {
    let rel = match error.location {
        pest::error::InputLocation::Pos(pos) => pos,
        pest::error::InputLocation::Span((start, _)) => start,
    };
    let rel = rel.min(input.len());
    // An opener that is never closed, at or before where pest stopped, is
    // the cause; pest itself can only say where it ran out of text.
    if let Some((pos, opener)) = unclosed_opener(input).filter(|&(pos, _)| pos <= rel) {
        let span = Span::new(file, base + pos, base + pos + opener.len_utf8());
        let (what, close) = match opener {
            '(' => ("parenthesis", ")"),
            '\'' => ("string literal", "'"),
            '"' => ("quoted identifier", "\""),
            _ => ("comment", "*/"),
        };
        let diagnostic = Diagnostic::error(
            "syntax-error",
            span,
            format!("unclosed {what}: the text ends before its closing {close}"),
        )
        .with_label("opened here")
        .with_help(format!("add the missing {close}"));
        return (diagnostic, base + pos);
    }
    let found_len = found_token_len(&input[rel..]);
    let found = describe_found(&input[rel..], found_len);
    // Rules ("a type") read better than the keywords inside them, so the
    // literal tokens pest tried are used only when no rule says more.
    let mut expected: Vec<String> = Vec::new();
    if let pest::error::ErrorVariant::ParsingError { positives, .. } = &error.variant {
        for rule in positives {
            if let Some(word) = describe_rule(*rule) {
                push_unique(&mut expected, word);
            }
        }
    }
    if expected.is_empty() {
        // pest records the literal tokens it tried only in detail mode,
        // which doubles parse time; it is switched on (for good) at the
        // first error that needs it, and the entry is parsed again.
        pest::set_error_detail(true);
        let detailed = SchemaParser::parse(Rule::entry, input).err();
        if let Some(attempts) = detailed.as_ref().and_then(|error| error.parse_attempts()) {
            for token in attempts.expected_tokens() {
                if let Some(word) = describe_token(&token) {
                    push_unique(&mut expected, word);
                }
            }
        }
    }
    expected.retain(|word| *word != found);
    let message = match expected.len() {
        0 => format!("unexpected {found}"),
        _ => format!("expected {}, found {found}", join_alternatives(&expected)),
    };
    let span = Span::new(file, base + rel, base + rel + found_len);
    let mut diagnostic = Diagnostic::error("syntax-error", span, message).with_label("here");
    if let Some(help) = expression_key_help(input, rel) {
        diagnostic = diagnostic.with_help(help);
    }
    (diagnostic, base + rel)
}

/// Help for a key list written as in SQL, `index (lower(email))`: a
/// function call right after `(` or `,` of an index, unique or primary key
/// column list, where the `.schema` language wants an expression in its own
/// parentheses.
fn expression_key_help(input: &str, rel: usize) -> Option<String> {
    if !input[rel..].starts_with('(') {
        return None;
    }
    let before = &input[..rel];
    let name_start = before
        .rfind(|ch: char| !(ch.is_alphanumeric() || ch == '_' || ch == '.'))
        .map_or(0, |idx| idx + 1);
    let name = &before[name_start..];
    if name.is_empty() {
        return None;
    }
    let opener = before[..name_start].trim_end();
    if !(opener.ends_with('(') || opener.ends_with(',')) {
        return None;
    }
    let line = &before[before.rfind('\n').map_or(0, |idx| idx + 1)..];
    let words: Vec<String> = line
        .split(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
        .map(str::to_ascii_lowercase)
        .collect();
    if !words
        .iter()
        .any(|word| matches!(word.as_str(), "index" | "unique" | "key"))
    {
        return None;
    }
    let close = matching_paren(&input[rel..]).map_or(rel + 1, |len| rel + len);
    let call = &input[name_start..close];
    Some(format!(
        "an expression key needs its own parentheses in a .schema key list: write `({call})` \
         where SQL would write `{call}`"
    ))
}

/// The length of the parenthesised group at the start of `text` (through
/// its closing parenthesis), if it closes on the same line.
fn matching_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (idx, ch) in text.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(idx + 1);
                }
            }
            '\n' => return None,
            _ => {}
        }
    }
    None
}

/// The first opening parenthesis, quote or block comment of `text` that is
/// never closed (strings, quoted identifiers and comments are skipped as
/// the grammar skips them), as (byte offset, opening character; `*` for a
/// block comment). Linear in the text.
fn unclosed_opener(text: &str) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    let mut open_parens: Vec<usize> = Vec::new();
    let mut idx = 0;
    while idx < bytes.len() {
        match bytes[idx] {
            b'(' => open_parens.push(idx),
            b')' => {
                open_parens.pop();
            }
            quote @ (b'\'' | b'"') => {
                let start = idx;
                idx += 1;
                loop {
                    match bytes.get(idx) {
                        None => return Some((start, char::from(quote))),
                        Some(&byte) if byte == quote => {
                            if bytes.get(idx + 1) == Some(&quote) {
                                idx += 1;
                            } else {
                                break;
                            }
                        }
                        Some(_) => {}
                    }
                    idx += 1;
                }
            }
            b'$' => {
                // `$tag$ ... $tag$`; a `$` that opens no tag ($1) is text.
                let tag_len = text[idx + 1..]
                    .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                    .filter(|&len| text[idx + 1 + len..].starts_with('$'));
                if let Some(len) = tag_len {
                    let tag = &text[idx..idx + len + 2];
                    let body = idx + tag.len();
                    match text[body..].find(tag) {
                        Some(rel) => idx = body + rel + tag.len() - 1,
                        None => return None,
                    }
                }
            }
            b'-' if bytes.get(idx + 1) == Some(&b'-') => {
                idx = text[idx..].find('\n').map_or(bytes.len(), |rel| idx + rel);
            }
            b'/' if bytes.get(idx + 1) == Some(&b'/') => {
                idx = text[idx..].find('\n').map_or(bytes.len(), |rel| idx + rel);
            }
            b'/' if bytes.get(idx + 1) == Some(&b'*') => match text[idx + 2..].find("*/") {
                Some(rel) => idx += rel + 3,
                None => return Some((idx, '*')),
            },
            _ => {}
        }
        idx += 1;
    }
    open_parens.first().map(|&pos| (pos, '('))
}

fn push_unique(list: &mut Vec<String>, word: String) {
    if !list.contains(&word) {
        list.push(word);
    }
}

fn join_alternatives(words: &[String]) -> String {
    const MAX: usize = 8;
    let shown: Vec<&str> = words.iter().take(MAX).map(String::as_str).collect();
    let mut res = match shown.len() {
        1 => shown[0].to_string(),
        n => format!("{} or {}", shown[..n - 1].join(", "), shown[n - 1]),
    };
    if words.len() > MAX {
        res.push_str(", ...");
    }
    res
}

/// Length in bytes of the token starting the text (a word, or one char).
fn found_token_len(text: &str) -> usize {
    let word: usize = text
        .chars()
        .take_while(|ch| ch.is_alphanumeric() || *ch == '_' || *ch == '$')
        .map(char::len_utf8)
        .sum();
    if word > 0 {
        word
    } else {
        text.chars().next().map_or(0, char::len_utf8)
    }
}

fn describe_found(text: &str, len: usize) -> String {
    match text.chars().next() {
        None => "end of file".to_string(),
        Some('\n') | Some('\r') => "end of line".to_string(),
        Some(_) => format!("`{}`", &text[..len]),
    }
}

/// A literal token pest expected (printed by pest's `Display`: the token
/// itself, upper-cased when case-insensitive; ranges as `a..z`).
fn describe_token(token: &impl std::fmt::Display) -> Option<String> {
    let token = token.to_string();
    if token == "BUILTIN_RULE" || (token.chars().count() == 4 && token.contains("..")) {
        return None;
    }
    let token = token.to_lowercase();
    match token.as_str() {
        "\n" | "\r\n" | "\r" => Some("end of line".to_string()),
        "\"" | "'" | "$" | "e'" | "--" | "/*" | "///" | "//" | "\u{feff}" | " " | "\t" | "\"\""
        | "''" | "\\" | "-" | "+" | "_" | "." | "/" => None,
        _ => Some(format!("`{token}`")),
    }
}

/// Words for the rules a user may be told were expected; `None` for
/// internal rules.
fn describe_rule(rule: Rule) -> Option<String> {
    let name = format!("{rule:?}");
    if let Some(keyword) = name.strip_prefix("kw_") {
        return Some(format!("`{keyword}`"));
    }
    let word = match rule {
        // The guards (`*_word`) stand for the rules they guard.
        Rule::type_ref | Rule::type_base | Rule::t_named | Rule::type_word => "a type",
        Rule::ident | Rule::unquoted_ident | Rule::quoted_ident | Rule::arg_name => "a name",
        Rule::qname | Rule::dotted_name => "a name",
        Rule::paren_expr => "a parenthesized SQL expression",
        Rule::default_expr | Rule::arg_default_expr => "an SQL expression",
        Rule::string | Rule::sq_string | Rule::e_string => "a string",
        Rule::int | Rule::number => "a number",
        Rule::dollar_quoted => "a dollar-quoted body ($$ ... $$)",
        Rule::view_query => "a SELECT query",
        Rule::column_opt | Rule::column_opt_word => "a column option",
        Rule::column => "a column",
        Rule::item => "a top-level object (table, enum, view, ...)",
        Rule::table_item | Rule::item_word => "a column, constraint, index or other table item",
        Rule::doc_comment => "a doc comment",
        Rule::seq_opt => "a sequence option",
        Rule::func_attr => "a function attribute",
        Rule::policy_clause => "a policy clause",
        Rule::trg_clause => "a trigger clause",
        Rule::index_key => "an index key",
        Rule::index_tail => "an index option",
        Rule::fk_tail | Rule::fk_action => "a foreign key option",
        Rule::every_unit => "a unit (day, week, month, year)",
        Rule::bound_literal => "a bound ('2025-01-01' or a number)",
        Rule::pattern => "a name pattern",
        Rule::enum_value => "an enum value",
        Rule::option_kv => "an option",
        Rule::exclude_op => "an operator",
        Rule::table_constraint => "a table constraint",
        _ => return None,
    };
    Some(word.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(input: &str) -> Vec<String> {
        let (_, diagnostics) = recover(input, FileId(0));
        diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{}..{}: {}",
                    d.primary.span.start, d.primary.span.end, d.message
                )
            })
            .collect()
    }

    #[test]
    fn parses_entries_one_by_one() {
        let (entries, diagnostics) =
            parse_entries("extension pgcrypto\n\nschema app\n// done\n", FileId(0));
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(entries.len(), 3);
    }

    #[test]
    fn recovers_after_an_error() {
        let errs = errors("table t {\n  id 42\n}\ntable u {\n  x int nope\n}\n");
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    /// An opener inside a block comment always nests: 200 unclosed `/*`
    /// in a table are one error, not 2^200 ways to read them (20 took 27 s
    /// in a debug build before).
    #[test]
    fn unclosed_nested_comments_fail_once() {
        let text = format!("table t {{\n  id int {}\n}}\n", "/* ".repeat(200));
        let errs = errors(&text);
        assert_eq!(errs.len(), 1, "{errs:?}");
        let (_, errs) = parse_entries("table t {\n  id int /* a /* b */ c */\n}\n", FileId(0));
        assert!(errs.is_empty(), "{errs:?}");
    }

    #[test]
    fn recovers_inside_a_block() {
        let errs = errors("table t {\n  id 42\n  ok int\n  x int nope\n}\n");
        assert_eq!(errs.len(), 2, "{errs:?}");
        let (clean, _) = recover("table t {\n  id 42\n  ok int\n}\n", FileId(0));
        assert_eq!(clean, "table t {\n       \n  ok int\n}\n");
        assert!(parse_entries(&clean, FileId(0)).1.is_empty());
    }

    #[test]
    fn messages_use_words_not_rule_names() {
        let errs = errors("table t {\n  id integer not nul\n}\n");
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].contains("found `not`") || errs[0].contains("found `nul`"),
            "{errs:?}"
        );
        assert!(!errs[0].contains("kw_"), "{errs:?}");
        assert!(!errs[0].contains("opt_"), "{errs:?}");
    }

    #[test]
    fn missing_type_is_reported_at_the_end_of_line() {
        let errs = errors("table t {\n  id\n}\n");
        assert_eq!(errs.len(), 1);
        assert!(errs[0].starts_with("14..15: expected"), "{errs:?}");
        assert!(errs[0].contains("a type"), "{errs:?}");
    }
}
