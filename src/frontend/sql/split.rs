//! Splitting a `.sql` file into statements.
//!
//! Invariants: the splitter never fails and never panics; every statement is
//! a byte range of the file that starts at its first token (leading
//! whitespace and comments are not part of it) and ends before its `;`.
//! Semicolons inside single quotes (also `E'...'` with backslash escapes),
//! double quotes, dollar quotes (`$tag$...$tag$`), `--` comments and nested
//! `/* */` comments do not end a statement. psql meta-commands (`\restrict`,
//! `\connect`, ...) at the start of a statement run to the end of their line
//! and are returned as statements of their own.
//!
//! Two forms carry semicolons that do not end the statement: a SQL-standard
//! function body `BEGIN ATOMIC ... END` (its `END` is found by counting the
//! `CASE ... END` pairs inside it), and the data block after `COPY ...
//! FROM stdin;`, which runs up to a line `\.` and is never returned as a
//! statement (the COPY statement itself is, without its data).

/// One statement: `text` is exactly `file[start..start + text.len()]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stmt<'a> {
    pub text: &'a str,
    pub start: usize,
}

impl<'a> Stmt<'a> {
    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }

    /// Byte offset in the file of a 1-based line and character column
    /// counted from the start of the statement (sqlparser's locations).
    pub fn offset_of(&self, line: u64, col: u64) -> usize {
        let mut current_line = 1u64;
        let mut current_col = 1u64;
        for (idx, ch) in self.text.char_indices() {
            if current_line == line && current_col >= col {
                return self.start + idx;
            }
            if current_line > line {
                return self.start + idx;
            }
            if ch == '\n' {
                current_line += 1;
                current_col = 1;
            } else {
                current_col += 1;
            }
        }
        self.end()
    }
}

/// Splits `text` into statements (see the module doc).
pub(crate) fn split(text: &str) -> Vec<Stmt<'_>> {
    let bytes = text.as_bytes();
    let mut statements = Vec::new();
    let mut idx = 0;
    let mut start: Option<usize> = None;
    // Inside `BEGIN ATOMIC`: the number of open `CASE`s.
    let mut atomic: Option<usize> = None;
    while idx < bytes.len() {
        let byte = bytes[idx];
        if start.is_none() {
            if byte.is_ascii_whitespace() || byte == b';' {
                idx += 1;
                continue;
            }
            if let Some(after) = skip_comment(bytes, idx) {
                idx = after;
                continue;
            }
            if byte == b'\\' {
                let line_end = text[idx..].find('\n').map_or(text.len(), |n| idx + n);
                let meta = text[idx..line_end].trim_end();
                statements.push(Stmt {
                    text: meta,
                    start: idx,
                });
                idx = line_end;
                continue;
            }
            start = Some(idx);
        }
        if let Some(after) = skip_comment(bytes, idx) {
            idx = after;
            continue;
        }
        match byte {
            b'\'' => {
                let escapes = idx > 0
                    && matches!(bytes[idx - 1], b'e' | b'E')
                    && (idx < 2 || !is_ident_byte(bytes[idx - 2]));
                idx = skip_quoted(bytes, idx, b'\'', escapes);
            }
            b'"' => idx = skip_quoted(bytes, idx, b'"', false),
            b'$' => idx = skip_dollar(text, idx),
            b';' if atomic.is_some() => idx += 1,
            b';' => {
                let mut after = idx + 1;
                if let Some(begin) = start.take() {
                    if is_copy_from_stdin(&text[begin..idx]) {
                        after = skip_copy_data(text, after);
                    }
                    push_trimmed(text, begin, idx, &mut statements);
                }
                idx = after;
            }
            byte if byte.is_ascii_alphabetic() && (idx == 0 || !is_ident_byte(bytes[idx - 1])) => {
                let end = word_end(bytes, idx);
                let word = &text[idx..end];
                atomic = match atomic {
                    None if word.eq_ignore_ascii_case("BEGIN")
                        && next_word_is(text, end, "ATOMIC") =>
                    {
                        Some(0)
                    }
                    Some(cases) if word.eq_ignore_ascii_case("CASE") => Some(cases + 1),
                    Some(0) if word.eq_ignore_ascii_case("END") => None,
                    Some(cases) if word.eq_ignore_ascii_case("END") => Some(cases - 1),
                    other => other,
                };
                idx = end;
            }
            _ => idx += 1,
        }
    }
    if let Some(begin) = start {
        push_trimmed(text, begin, text.len(), &mut statements);
    }
    statements
}

fn push_trimmed<'a>(text: &'a str, begin: usize, end: usize, out: &mut Vec<Stmt<'a>>) {
    let end = end.min(text.len());
    let slice = text[begin..end].trim_end();
    if !slice.is_empty() {
        out.push(Stmt {
            text: slice,
            start: begin,
        });
    }
}

fn word_end(bytes: &[u8], idx: usize) -> usize {
    let mut end = idx;
    while end < bytes.len() && is_ident_byte(bytes[end]) {
        end += 1;
    }
    end
}

/// True when the first word at or after `idx` (after whitespace) is `word`.
fn next_word_is(text: &str, idx: usize, word: &str) -> bool {
    let rest = text[idx..].trim_start();
    let end = word_end(rest.as_bytes(), 0);
    rest[..end].eq_ignore_ascii_case(word)
}

/// `COPY ... FROM stdin` (what pg_dump prints before a data block).
fn is_copy_from_stdin(statement: &str) -> bool {
    let words: Vec<String> = statement
        .split_whitespace()
        .map(str::to_ascii_uppercase)
        .collect();
    words.first().is_some_and(|first| first == "COPY")
        && words
            .windows(2)
            .any(|pair| pair[0] == "FROM" && pair[1].trim_end_matches(';') == "STDIN")
}

/// Offset just after the line `\.` that ends the data block starting after
/// `idx` (the rest of the line holding the COPY's `;` is not data), or the
/// end of the text when the block is not terminated.
fn skip_copy_data(text: &str, idx: usize) -> usize {
    let mut line_start = match text[idx..].find('\n') {
        Some(n) => idx + n + 1,
        None => return text.len(),
    };
    while line_start < text.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |n| line_start + n);
        if text[line_start..line_end].trim_end_matches('\r') == "\\." {
            return line_end;
        }
        line_start = line_end + 1;
    }
    text.len()
}

fn is_ident_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

/// If a comment starts at `idx`, the offset just after it.
fn skip_comment(bytes: &[u8], idx: usize) -> Option<usize> {
    if bytes[idx..].starts_with(b"--") {
        let mut end = idx;
        while end < bytes.len() && bytes[end] != b'\n' {
            end += 1;
        }
        return Some(end);
    }
    if bytes[idx..].starts_with(b"/*") {
        let mut depth = 0usize;
        let mut end = idx;
        while end < bytes.len() {
            if bytes[end..].starts_with(b"/*") {
                depth += 1;
                end += 2;
            } else if bytes[end..].starts_with(b"*/") {
                depth -= 1;
                end += 2;
                if depth == 0 {
                    return Some(end);
                }
            } else {
                end += 1;
            }
        }
        return Some(bytes.len());
    }
    None
}

/// Offset just after the quoted run opening at `idx` (doubled quotes stay
/// inside; with `escapes`, a backslash escapes the next byte).
fn skip_quoted(bytes: &[u8], idx: usize, quote: u8, escapes: bool) -> usize {
    let mut end = idx + 1;
    while end < bytes.len() {
        if escapes && bytes[end] == b'\\' {
            end += 2;
            continue;
        }
        if bytes[end] == quote {
            if bytes.get(end + 1) == Some(&quote) {
                end += 2;
                continue;
            }
            return end + 1;
        }
        end += 1;
    }
    bytes.len()
}

/// Offset just after a dollar-quoted string opening at `idx`, or `idx + 1`
/// when the `$` does not open one (`$1` parameters, `a$b` identifiers).
fn skip_dollar(text: &str, idx: usize) -> usize {
    let bytes = text.as_bytes();
    if idx > 0 && is_ident_byte(bytes[idx - 1]) {
        return idx + 1;
    }
    let mut tag_end = idx + 1;
    while tag_end < bytes.len() && bytes[tag_end] != b'$' {
        let byte = bytes[tag_end];
        let valid = byte.is_ascii_alphabetic()
            || byte == b'_'
            || byte >= 0x80
            || (tag_end > idx + 1 && byte.is_ascii_digit());
        if !valid {
            return idx + 1;
        }
        tag_end += 1;
    }
    if tag_end >= bytes.len() {
        return idx + 1;
    }
    let tag = &text[idx..=tag_end];
    match text[tag_end + 1..].find(tag) {
        Some(pos) => tag_end + 1 + pos + tag.len(),
        None => text.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<&str> {
        split(sql).iter().map(|stmt| stmt.text).collect()
    }

    #[test]
    fn splits_on_semicolons_outside_quotes_and_comments() {
        let sql = "-- lead ; comment\nCREATE TABLE a (x text DEFAULT 'a;b');\n/* c ; /* nested ; */ */ SELECT \"x;y\" FROM t;";
        assert_eq!(
            texts(sql),
            vec![
                "CREATE TABLE a (x text DEFAULT 'a;b')",
                "SELECT \"x;y\" FROM t"
            ]
        );
    }

    #[test]
    fn dollar_quotes_and_escape_strings() {
        let sql = "CREATE FUNCTION f() RETURNS int AS $body$ select 1; $$ $body$ LANGUAGE sql;\nSELECT E'it\\'s;' ; SELECT $1;";
        assert_eq!(
            texts(sql),
            vec![
                "CREATE FUNCTION f() RETURNS int AS $body$ select 1; $$ $body$ LANGUAGE sql",
                "SELECT E'it\\'s;'",
                "SELECT $1"
            ]
        );
    }

    #[test]
    fn keeps_offsets_and_meta_commands() {
        let sql = "\\restrict abc\n  SET x = 1 ;\n\nCREATE SCHEMA s";
        let stmts = split(sql);
        assert_eq!(stmts.len(), 3);
        assert_eq!(stmts[0].text, "\\restrict abc");
        assert_eq!(&sql[stmts[1].start..stmts[1].end()], "SET x = 1");
        assert_eq!(stmts[2].text, "CREATE SCHEMA s");
        assert_eq!(stmts[2].offset_of(1, 8), stmts[2].start + 7);
    }

    #[test]
    fn begin_atomic_bodies_keep_their_semicolons() {
        let sql = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END;\nCREATE PROCEDURE p() LANGUAGE sql begin  atomic\n select 1;\nend;\nSELECT 3;";
        assert_eq!(
            texts(sql),
            vec![
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END",
                "CREATE PROCEDURE p() LANGUAGE sql begin  atomic\n select 1;\nend",
                "SELECT 3"
            ]
        );
        assert_eq!(
            texts("DO $$ BEGIN NULL; END $$; SELECT 1;"),
            vec!["DO $$ BEGIN NULL; END $$", "SELECT 1"]
        );
    }

    #[test]
    fn copy_data_is_never_a_statement() {
        let sql = "COPY public.t (a, b) FROM stdin;\n1\tx;y\n2\t\\N\n\\.\nCOPY public.e (a) FROM stdin;\n\\.\n\nCREATE SCHEMA s;\nCOPY t TO stdout;";
        assert_eq!(
            texts(sql),
            vec![
                "COPY public.t (a, b) FROM stdin",
                "COPY public.e (a) FROM stdin",
                "CREATE SCHEMA s",
                "COPY t TO stdout"
            ]
        );
        assert_eq!(
            texts("COPY t FROM stdin;\n1;2\n3"),
            vec!["COPY t FROM stdin"]
        );
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for sql in ["'abc", "$$ abc", "/* abc", "\"abc", "$a", "E'\\", "x $"] {
            let stmts = split(sql);
            assert!(stmts.iter().all(|stmt| stmt.end() <= sql.len()));
        }
    }

    #[test]
    fn line_col_to_offset() {
        let stmt = Stmt {
            text: "ab\nçd e",
            start: 10,
        };
        assert_eq!(stmt.offset_of(1, 1), 10);
        assert_eq!(stmt.offset_of(2, 1), 13);
        assert_eq!(stmt.offset_of(2, 2), 15);
        assert_eq!(stmt.offset_of(9, 9), stmt.end());
    }
}
