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
//! Three forms carry semicolons that do not end the statement: a
//! rule's list of actions, `CREATE RULE ... DO (command; command)`
//! (inside parentheses, as psql splits it), a SQL-standard
//! function body `BEGIN ATOMIC ... END` (its `END` is found by counting the
//! `CASE ... END` pairs inside it), and the data block after `COPY ...
//! FROM stdin;`, which runs up to a line `\.` and is never returned as a
//! statement (the COPY statement itself is, without its data).

use crate::sql_lex;
use sqlparser::tokenizer::{Location, Span, Token, TokenWithSpan, Word};

/// One statement: `text` is exactly `file[start..start + text.len()]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stmt<'a> {
    pub text: &'a str,
    pub start: usize,
}

/// A statement with the tokens the splitter lexed it into.
pub(crate) struct Split<'a> {
    pub stmt: Stmt<'a>,
    /// Exactly what lexing `stmt.text` alone gives (whitespace and comments
    /// included, locations counted from the statement's start), so that
    /// the statement's parser need not lex it again; `None` for a statement
    /// that did not end with a `;` inside its run (a meta-command, the
    /// file's last statement, text that does not lex).
    pub tokens: Option<Vec<TokenWithSpan>>,
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
///
/// The text is lexed by [`sql_lex::lex_range`] in runs that end before a
/// line starting with `\` (where a psql meta-command or the end of a COPY
/// data block can be) or, in a large file, at a line start about
/// [`RUN_BYTES`] on, so COPY data, which is not SQL, is never lexed past
/// the run holding its COPY statement, and no statement is lexed twice
/// unless a statement, quoted run or comment spans such a line (then its
/// run grows to at least twice its length, so the split stays near-linear
/// however many such lines one statement spans).
pub(crate) fn split(text: &str) -> Vec<Stmt<'_>> {
    let mut statements = Vec::new();
    split_in_batches(text, |batch| {
        statements.extend(batch.into_iter().map(|split| split.stmt))
    });
    statements
}

/// Bytes a run holds at most, besides the statement it ends in: the
/// lexemes of one run are alive at a time, so a large file is lexed in
/// bounded memory, and its statements come out in batches as it goes.
const RUN_BYTES: usize = 64 * 1024;

/// [`split`], handing the statements with their tokens to `sink` in file
/// order, one batch per run (see [`split`]), as soon as the run is scanned.
pub(crate) fn split_in_batches<'a>(text: &'a str, sink: impl FnMut(Vec<Split<'a>>)) {
    split_in_runs_of(text, RUN_BYTES, sink);
}

/// [`split_in_batches`] with runs of about `run_bytes`.
fn split_in_runs_of<'a>(text: &'a str, run_bytes: usize, mut sink: impl FnMut(Vec<Split<'a>>)) {
    let mut pos = 0;
    let mut run_end = bounded_run_end(text, 0, run_bytes);
    let mut buffers = sql_lex::LexBuffers::default();
    while pos < text.len() {
        let mut batch = Vec::new();
        let next = scan_run(text, pos, run_end, &mut buffers, &mut batch);
        if !batch.is_empty() {
            sink(batch);
        }
        match next {
            Next::At(next) => {
                pos = next;
                run_end = bounded_run_end(text, pos, run_bytes);
            }
            Next::Grow(from) => {
                // At least double the run, so that a statement spanning
                // many lines that start with `\` is lexed O(log n) times,
                // not once per such line (a quadratic split).
                let target = run_end.max(from + 2 * (run_end - from));
                pos = from;
                run_end = bounded_run_end(text, target, run_bytes);
            }
        }
    }
}

/// Where a run that goes at least to `after` ends: before the next line
/// starting with `\`, and at most about `run_bytes` further, at a line
/// start (a run may end anywhere between statements: one that ends inside
/// a statement, literal or comment grows, see [`scan_run`]).
fn bounded_run_end(text: &str, after: usize, run_bytes: usize) -> usize {
    let bytes = text.as_bytes();
    let after = after.min(bytes.len());
    let limit = after.saturating_add(run_bytes);
    let end = if limit >= bytes.len() {
        bytes.len()
    } else {
        memchr::memchr(b'\n', &bytes[limit..]).map_or(bytes.len(), |newline| limit + newline + 1)
    };
    // Only the run's own bytes are searched: a search to the end of the
    // file from every run made the split quadratic in the file's size.
    next_backslash_line(bytes, after, end)
}

/// Where [`scan_run`] leaves off.
enum Next {
    /// Go on at this offset with a new run (no statement is open there).
    At(usize),
    /// The run cut a statement, a literal or a comment short: scan again
    /// from this offset with a longer run.
    Grow(usize),
}

/// The start of the first line after `after` and before `end` whose first
/// byte is `\`, or `end`.
fn next_backslash_line(bytes: &[u8], after: usize, end: usize) -> usize {
    // Bytes, not `str` slicing: `after` may fall inside a multi-byte
    // character (a run grown to twice its length); a byte after `\n` is
    // always a character boundary.
    memchr::memmem::find(&bytes[after..end], b"\n\\").map_or(end, |newline| after + newline + 1)
}

/// Splits the statements of `text[from..run_end]` into `out`.
fn scan_run<'a>(
    text: &'a str,
    from: usize,
    run_end: usize,
    buffers: &mut sql_lex::LexBuffers,
    out: &mut Vec<Split<'a>>,
) -> Next {
    let complete = buffers.lex(text, from, run_end);
    let lexemes = &mut buffers.lexemes;
    let mut statement = Statement::default();
    // Index of the open statement's first lexeme.
    let mut first = 0;
    let mut idx = 0;
    while idx < lexemes.len() {
        let lexeme = &lexemes[idx];
        idx += 1;
        if sql_lex::is_blank(&lexeme.token) {
            continue;
        }
        let Some(begin) = statement.start else {
            if lexeme.token == Token::Backslash {
                let line_end = text[lexeme.start..]
                    .find('\n')
                    .map_or(text.len(), |n| lexeme.start + n);
                push_trimmed(text, lexeme.start, line_end, None, out);
                return Next::At(line_end);
            }
            if lexeme.token == Token::SemiColon {
                continue;
            }
            statement.start = Some(lexeme.start);
            first = idx - 1;
            statement.word(&lexeme.token, next_word(&lexemes[idx..]));
            continue;
        };
        if lexeme.token == Token::SemiColon
            && statement.atomic.is_none()
            && statement.rule_depth == 0
        {
            let (semicolon_end, copy_from_stdin) = (lexeme.end, statement.copy_from_stdin);
            let end = lexeme.start;
            push_trimmed(text, begin, end, Some(&mut lexemes[first..idx - 1]), out);
            if copy_from_stdin {
                return Next::At(skip_copy_data(text, semicolon_end));
            }
            statement = Statement::default();
            continue;
        }
        statement.word(&lexeme.token, next_word(&lexemes[idx..]));
    }
    if run_end < text.len() && (statement.start.is_some() || !complete) {
        // A statement, literal or comment goes on past the run.
        let last_end = lexemes.last().map_or(from, |lexeme| lexeme.end);
        return Next::Grow(statement.start.unwrap_or(last_end));
    }
    if let Some(begin) = statement.start {
        push_trimmed(text, begin, run_end, None, out);
    }
    Next::At(run_end)
}

/// What the splitter knows of the statement it is in.
#[derive(Default)]
struct Statement {
    start: Option<usize>,
    first_word: bool,
    is_copy: bool,
    after_from: bool,
    copy_from_stdin: bool,
    /// Inside `BEGIN ATOMIC`: the number of open `CASE`s.
    atomic: Option<usize>,
    /// How far `CREATE [OR REPLACE] RULE` has been read: 1 after CREATE,
    /// 2 after OR, 3 after REPLACE, [`RULE_READ`] once it is a rule,
    /// [`NOT_RULE`] otherwise.
    rule_lead: u8,
    /// Open parentheses in a `CREATE RULE` statement.
    rule_depth: usize,
}

const RULE_READ: u8 = 4;
const NOT_RULE: u8 = 5;

impl Statement {
    /// Takes in the next token (`next` is the word after it, if any).
    fn word(&mut self, token: &Token, next: Option<&Word>) {
        let Token::Word(word) = token else {
            self.first_word = true;
            self.after_from = false;
            if self.rule_lead == RULE_READ {
                match token {
                    Token::LParen => self.rule_depth += 1,
                    Token::RParen => self.rule_depth = self.rule_depth.saturating_sub(1),
                    _ => {}
                }
            } else {
                self.rule_lead = NOT_RULE;
            }
            return;
        };
        let is = |name: &str| word.quote_style.is_none() && word.value.eq_ignore_ascii_case(name);
        self.rule_lead = match self.rule_lead {
            0 if is("CREATE") => 1,
            1 if is("OR") => 2,
            2 if is("REPLACE") => 3,
            1 | 3 if is("RULE") => RULE_READ,
            RULE_READ => RULE_READ,
            _ => NOT_RULE,
        };
        if !self.first_word {
            self.first_word = true;
            self.is_copy = is("COPY");
        }
        if self.is_copy {
            self.copy_from_stdin |= self.after_from && is("STDIN");
            self.after_from = is("FROM");
        }
        let next_is_atomic = next.is_some_and(|next| {
            next.quote_style.is_none() && next.value.eq_ignore_ascii_case("ATOMIC")
        });
        self.atomic = match self.atomic {
            None if is("BEGIN") && next_is_atomic => Some(0),
            Some(cases) if is("CASE") => Some(cases + 1),
            Some(0) if is("END") => None,
            Some(cases) if is("END") => Some(cases - 1),
            other => other,
        };
    }
}

/// The first word among `lexemes`, if it comes before any other token.
fn next_word(lexemes: &[sql_lex::Lexeme]) -> Option<&Word> {
    match lexemes
        .iter()
        .find(|lexeme| !sql_lex::is_blank(&lexeme.token))
        .map(|lexeme| &lexeme.token)
    {
        Some(Token::Word(word)) => Some(word),
        _ => None,
    }
}

fn push_trimmed<'a>(
    text: &'a str,
    begin: usize,
    end: usize,
    lexemes: Option<&mut [sql_lex::Lexeme]>,
    out: &mut Vec<Split<'a>>,
) {
    let end = end.min(text.len());
    let slice = text[begin..end].trim_end();
    if slice.is_empty() {
        return;
    }
    let stop = begin + slice.len();
    // The blanks after the statement's text are not part of it.
    let tokens = lexemes.map(|lexemes| {
        let kept = lexemes.partition_point(|lexeme| lexeme.start < stop);
        statement_tokens(&mut lexemes[..kept])
    });
    out.push(Split {
        stmt: Stmt {
            text: slice,
            start: begin,
        },
        tokens,
    });
}

/// The tokens of a statement's lexemes (taken out of them), located from
/// the statement's first token as if the statement had been lexed alone:
/// lines count from its first line, and columns on that line from its
/// first column.
fn statement_tokens(lexemes: &mut [sql_lex::Lexeme]) -> Vec<TokenWithSpan> {
    let Some(origin) = lexemes.first().map(|lexeme| lexeme.span.start) else {
        return Vec::new();
    };
    let rebase = |at: Location| {
        if at.line == origin.line {
            Location::new(1, at.column + 1 - origin.column)
        } else {
            Location::new(at.line + 1 - origin.line, at.column)
        }
    };
    lexemes
        .iter_mut()
        .map(|lexeme| {
            let token = std::mem::replace(&mut lexeme.token, Token::EOF);
            let span = Span::new(rebase(lexeme.span.start), rebase(lexeme.span.end));
            TokenWithSpan { token, span }
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<&str> {
        split(sql).iter().map(|stmt| stmt.text).collect()
    }

    #[test]
    fn runs_of_any_size_split_alike() {
        // Statements, literals, comments, rule bodies, BEGIN ATOMIC bodies,
        // COPY data and meta-commands across run ends of every size.
        let mut sql = String::from("\\restrict abc\n");
        for idx in 0..40 {
            sql.push_str(&format!(
                "CREATE TABLE t{idx} (\n  a text DEFAULT 'x;\ny',\n  b int -- c;\n);\n\
                 /* block ;\n /* nested ;\n */ */\n\
                 CREATE FUNCTION f{idx}() RETURNS int AS $body$\nselect 1;\n$$;\n$body$ LANGUAGE sql;\n\
                 CREATE RULE r{idx} AS ON DELETE TO t{idx} DO (DELETE FROM a;\nDELETE FROM b);\n\
                 CREATE FUNCTION g{idx}() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN true THEN 1 END;\n  SELECT 2;\nEND;\n\
                 COPY t{idx} (a) FROM stdin;\nrow;1\n\\.\n\
                 SELECT E'it\\'s;\n';\n"
            ));
        }
        let whole = |run_bytes| {
            let mut out = Vec::new();
            split_in_runs_of(&sql, run_bytes, |batch| {
                out.extend(batch.into_iter().map(|split| split.stmt))
            });
            out
        };
        let reference = whole(usize::MAX);
        assert_eq!(reference.len(), 1 + 40 * 6);
        for run_bytes in [1, 2, 7, 16, 61, 200, 1000, 4096] {
            assert_eq!(whole(run_bytes), reference, "runs of {run_bytes} bytes");
        }
        assert_eq!(split(&sql), reference);
    }

    /// The solid tokens of `text` lexed alone, and whether any token
    /// follows each (whitespace and comments reduced to a marker).
    fn lexed_alone(text: &str) -> Vec<(Option<Token>, Span)> {
        let mut located = Vec::new();
        sqlparser::tokenizer::Tokenizer::new(&sqlparser::dialect::PostgreSqlDialect {}, text)
            .tokenize_with_location_into_buf(&mut located)
            .expect("a statement that ended with `;` lexes");
        solid(located)
    }

    fn solid(tokens: Vec<TokenWithSpan>) -> Vec<(Option<Token>, Span)> {
        tokens
            .into_iter()
            .filter(|token| token.token != Token::EOF)
            .map(|token| match token.token {
                Token::Whitespace(_) => (None, Span::new(token.span.start, token.span.start)),
                other => (Some(other), token.span),
            })
            .collect()
    }

    /// The splitter's tokens of a statement are what lexing the statement
    /// alone gives: the same tokens at the same locations (a comment
    /// before the `;` may keep the line end the statement's text trims),
    /// for every statement of the test files and of runs of any size.
    #[test]
    fn a_statements_tokens_are_those_of_its_text_alone() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = vec![
            "CREATE TABLE a (x int) -- trailing ;\n;\nSELECT 1;".to_string(),
            "  CREATE TABLE\n  b (\n  x text DEFAULT 'a;\nb', y int /* c\n */\n);select E'\\'';\n\tSELECT $$;$$ AS \"q;\";".to_string(),
        ];
        let mut dirs = vec![root.join("tests"), root.join("schemas")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|ext| ext == "sql") {
                    if let Ok(text) = std::fs::read_to_string(&path) {
                        texts.push(text);
                    }
                }
            }
        }
        assert!(texts.len() > 20, "the test files were found");
        let mut checked = 0;
        for text in &texts {
            for run_bytes in [usize::MAX, 64] {
                split_in_runs_of(text, run_bytes, |batch| {
                    for split in batch {
                        let Some(tokens) = split.tokens else { continue };
                        let mut kept = solid(tokens);
                        let mut alone = lexed_alone(split.stmt.text);
                        // The trimmed text loses the line end a trailing
                        // comment holds; both are whitespace.
                        if kept.last().is_some_and(|(token, _)| token.is_none()) {
                            kept.pop();
                            alone.pop();
                        }
                        assert_eq!(kept, alone, "statement {:?}", split.stmt.text);
                        checked += 1;
                    }
                });
            }
        }
        assert!(checked > 1000, "{checked} statements checked");
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
    fn a_rules_action_list_is_one_statement() {
        let sql = "CREATE RULE r AS\n    ON UPDATE TO public.t DO ( INSERT INTO public.log (x)\n  VALUES (old.a);\n NOTIFY t;\n);\nCREATE OR REPLACE RULE s AS ON DELETE TO t DO (DELETE FROM a; DELETE FROM b);\nSELECT (1); SELECT 2;";
        assert_eq!(
            texts(sql),
            vec![
                "CREATE RULE r AS\n    ON UPDATE TO public.t DO ( INSERT INTO public.log (x)\n  VALUES (old.a);\n NOTIFY t;\n)",
                "CREATE OR REPLACE RULE s AS ON DELETE TO t DO (DELETE FROM a; DELETE FROM b)",
                "SELECT (1)",
                "SELECT 2"
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
    fn copy_data_is_not_lexed_as_sql() {
        // Data lines with unbalanced quotes, `\N` at line starts and a `;`.
        let sql = "COPY t (a, b) FROM stdin;\n\\N\tO'Brien;\n2\t$$\n\\.\nCREATE TABLE u (x int);\n";
        assert_eq!(
            texts(sql),
            vec!["COPY t (a, b) FROM stdin", "CREATE TABLE u (x int)"]
        );
        let sql = "copy \"T\" from STDIN;\n/* 1\n\\.\nSELECT 1;";
        assert_eq!(texts(sql), vec!["copy \"T\" from STDIN", "SELECT 1"]);
    }

    #[test]
    fn backslash_lines_inside_literals_and_statements() {
        // A dollar-quoted body whose line starts with a backslash is one
        // statement, and so is a string literal spanning such a line.
        let sql = "CREATE FUNCTION f() RETURNS text AS $$\n\\x; $$ LANGUAGE sql;\nSELECT 'a\n\\b;';\n\\connect db\nSELECT 2;";
        assert_eq!(
            texts(sql),
            vec![
                "CREATE FUNCTION f() RETURNS text AS $$\n\\x; $$ LANGUAGE sql",
                "SELECT 'a\n\\b;'",
                "\\connect db",
                "SELECT 2"
            ]
        );
        // A comment spanning a backslash line before a statement.
        assert_eq!(texts("/* a\n\\b */ SELECT 3;"), vec!["SELECT 3"]);
        // An unterminated literal runs to the end of the file.
        assert_eq!(
            texts("SELECT 1; SELECT 'x\n\\y;"),
            vec!["SELECT 1", "SELECT 'x\n\\y;"]
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
