//! The `.sql` frontend: PostgreSQL DDL (as written by hand or printed by
//! `pg_dump --schema-only`) -> Model.
//!
//! Pipeline: [`split`] cuts the file into statements (keeping byte offsets);
//! [`dispatch`] classifies each statement by its leading keywords and hands
//! it to sqlparser (through [`lower`] and [`objects`]), to a targeted
//! recognizer for the forms sqlparser 0.63 cannot read ([`forms`]), or to
//! [`skipped`] (noted, not modelled). Work that needs the whole file (ATTACH
//! PARTITION, ALTER INDEX ... ATTACH PARTITION, OWNED BY, COMMENT ON,
//! Citus distribution calls) is queued and applied at the end by [`pgdump`],
//! so statement order inside the file does not matter for it.
//!
//! Invariants: never panics and never stops at the first problem; every
//! diagnostic points at the statement (or the token inside it) it is about;
//! a statement is either modelled, skipped with an Info `skipped-statement`,
//! counted into the one data-statement note, or reported (Warning
//! `unsupported-statement`, Error `syntax-error` / `unknown-reference`),
//! never silently dropped.

pub(crate) mod aggregate;
mod comment;
mod dispatch;
mod forms;
mod grant;
mod index;
mod like;
mod lower;
mod objects;
mod pgdump;
mod rename_hint;
mod role;
mod rule;
mod search_path;
mod sequence;
mod skipped;
pub(crate) mod split;
mod statistics;
mod table_objects;
mod types;

use crate::diagnostics::{Diagnostic, Parsed};
use crate::model::{Ident, Meta, Model, QualifiedName};
use crate::source::{SourceFile, Span};
pub(crate) use objects::quote_bare_alias_keywords;
pub(crate) use split::Stmt;
use sqlparser::ast::ObjectName;
use sqlparser::parser::{Parser, ParserError};

/// The Model of one `.sql` text (file `t.sql`), for unit tests elsewhere
/// in the crate.
#[cfg(test)]
pub(crate) fn test_model(sql: &str) -> Model {
    let file = SourceFile::new(
        crate::source::FileId(0),
        "t.sql".into(),
        sql.to_string(),
        crate::source::Language::Sql,
    );
    load_file(&file).value
}

/// Parses one `.sql` file into a Model (see the module doc).
pub fn load_file(file: &SourceFile) -> Parsed<Model> {
    load_file_on(file, crate::frontend::threads())
}

/// Files smaller than this are split and read on one thread.
const PIPELINE_MIN_BYTES: usize = 512 * 1024;

/// Reads one `.sql` file on at most `threads` threads: with two or more and
/// a large file, one thread splits the file into statements while another
/// reads them, in file order, as they come (the same statements in the
/// same order as on one thread).
pub fn load_file_on(file: &SourceFile, threads: usize) -> Parsed<Model> {
    if threads < 2 || file.text.len() < PIPELINE_MIN_BYTES {
        let mut reader = Reader::new(file);
        split::split_in_batches(&file.text, |batch| {
            batch.into_iter().for_each(|split| reader.read(split))
        });
        return reader.finish();
    }
    std::thread::scope(|scope| {
        // One batch in flight (a run of about 64 KB and its tokens) bounds
        // the memory; the splitter and the reader take about as long.
        let (batches, statements) = std::sync::mpsc::sync_channel::<Vec<split::Split<'_>>>(1);
        let splitter = scope.spawn(move || {
            split::split_in_batches(&file.text, |batch| {
                // The reader only stops early by panicking; nothing is left
                // to do then.
                let _ = batches.send(batch);
            });
        });
        let mut reader = Reader::new(file);
        statements
            .into_iter()
            .flatten()
            .for_each(|split| reader.read(split));
        let parsed = reader.finish();
        if let Err(panic) = splitter.join() {
            std::panic::resume_unwind(panic);
        }
        parsed
    })
}

/// Reads a file's statements, in file order, into its Model.
struct Reader<'a> {
    ctx: Ctx<'a>,
    hints: Vec<rename_hint::Hint>,
    previous_end: usize,
    /// Offsets of invalid bytes inside statements schemac models.
    in_modelled: std::collections::BTreeSet<usize>,
    default_path: Vec<Ident>,
}

impl<'a> Reader<'a> {
    fn new(file: &'a SourceFile) -> Reader<'a> {
        Reader {
            ctx: Ctx::new(file),
            hints: Vec::new(),
            previous_end: 0,
            in_modelled: std::collections::BTreeSet::new(),
            default_path: search_path::default_path(),
        }
    }

    /// Reads the next statement.
    fn read(&mut self, split: split::Split<'a>) {
        let (stmt, ctx) = (split.stmt, &mut self.ctx);
        self.hints.extend(rename_hint::find(
            &ctx.file.text,
            self.previous_end..stmt.start,
            stmt.start,
        ));
        self.previous_end = stmt.end();
        let invalid = invalid_bytes_in(ctx.file, stmt.start..stmt.end());
        let data_before = ctx.skipped_data.len();
        ctx.tokens = split.tokens.map(|tokens| (stmt.start, tokens));
        dispatch::statement(ctx, stmt);
        ctx.tokens = None;
        if let Some(first) = invalid.first() {
            if ctx.skipped_data.len() == data_before {
                invalid_byte_error(ctx, first);
                self.in_modelled
                    .extend(invalid.iter().map(|byte| byte.offset));
            }
        }
        // The session's path for the shadow and apply: the last one the
        // file set that is neither empty nor the default.
        if !ctx.search_path.is_empty() && ctx.search_path != self.default_path {
            ctx.model.session.search_path = Some(ctx.search_path.clone());
        }
    }

    fn finish(self) -> Parsed<Model> {
        let mut ctx = self.ctx;
        grant::apply_default_privileges(&mut ctx);
        pgdump::finish(&mut ctx);
        rename_hint::apply(&mut ctx, self.hints);
        skipped::summarize(&mut ctx);
        invalid_bytes_note(&mut ctx, &self.in_modelled);
        Parsed::new(ctx.model, ctx.diagnostics)
    }
}

/// The file's bytes invalid in its encoding (`source::encoding`) inside
/// `range`.
fn invalid_bytes_in(
    file: &SourceFile,
    range: std::ops::Range<usize>,
) -> Vec<crate::source::encoding::InvalidByte> {
    let first = file
        .invalid_bytes
        .partition_point(|byte| byte.offset < range.start);
    file.invalid_bytes[first..]
        .iter()
        .take_while(|byte| byte.offset < range.end)
        .copied()
        .collect()
}

/// A byte the file's encoding does not allow inside a statement schemac
/// models: PostgreSQL refuses the statement, and reading it on would
/// mis-read it.
fn invalid_byte_error(ctx: &mut Ctx<'_>, byte: &crate::source::encoding::InvalidByte) {
    let span = Span::new(
        ctx.file.id,
        byte.offset,
        byte.offset + char::REPLACEMENT_CHARACTER.len_utf8(),
    );
    ctx.diagnostics.push(
        Diagnostic::error(
            "invalid-encoding",
            span,
            format!(
                "invalid byte sequence for encoding \"{}\": 0x{:02x}",
                ctx.file.encoding, byte.byte
            ),
        )
        .with_label("PostgreSQL refuses the statement holding this byte")
        .with_help(
            "declare the file's encoding at its top (SET client_encoding = 'LATIN1'), as psql needs it too, or save the file as UTF-8",
        ),
    );
}

/// One warning for the bytes invalid in the file's encoding that sit
/// outside the statements schemac models (data statements, which it
/// skips, and comments): the schema is read, but PostgreSQL would refuse
/// the statements that hold them.
fn invalid_bytes_note(ctx: &mut Ctx<'_>, in_modelled: &std::collections::BTreeSet<usize>) {
    let outside: Vec<crate::source::encoding::InvalidByte> = ctx
        .file
        .invalid_bytes
        .iter()
        .filter(|byte| !in_modelled.contains(&byte.offset))
        .copied()
        .collect();
    let Some(first) = outside.first() else {
        return;
    };
    let span = Span::new(
        ctx.file.id,
        first.offset,
        first.offset + char::REPLACEMENT_CHARACTER.len_utf8(),
    );
    ctx.diagnostics.push(
        Diagnostic::warning(
            "invalid-encoding",
            span,
            format!(
                "{} bytes are not valid {} (first: 0x{:02x}) outside the statements schemac models (data statements, comments); PostgreSQL would refuse the statements that hold them",
                outside.len(),
                ctx.file.encoding,
                first.byte
            ),
        )
        .with_label("first of them")
        .with_help(
            "declare the file's encoding at its top (SET client_encoding = 'LATIN1') so that psql loads it too, or save the file as UTF-8",
        ),
    );
}

/// State shared by the lowering functions of one file.
pub(crate) struct Ctx<'a> {
    pub file: &'a SourceFile,
    pub model: Model,
    pub diagnostics: Vec<Diagnostic>,
    pub deferred: Vec<pgdump::Deferred>,
    /// Data statements, summarised in one note at the end.
    pub skipped_data: Vec<skipped::SkippedData>,
    /// Statements that change nothing the file declared (see
    /// [`skipped::no_op_drop`]).
    pub skipped_no_ops: Vec<skipped::SkippedData>,
    /// The session's `search_path` at the current statement, without the
    /// implicit `pg_catalog` (see [`search_path`]).
    pub search_path: Vec<Ident>,
    /// The role the session has taken with `SET ROLE` at the current
    /// statement (`None`: the applying user's own; see [`role`]).
    pub role: Option<Ident>,
    /// `ALTER DEFAULT PRIVILEGES` read so far, in file order.
    pub default_privileges: Vec<grant::DefaultPrivilege>,
    /// Objects whose ACL was started (the kind's default with the default
    /// privileges that applied at their creation) by a GRANT or REVOKE.
    pub acl_started: std::collections::BTreeSet<crate::model::AclTarget>,
    /// The tokens of the statement being read, keyed by its start, when the
    /// splitter kept them (see [`Ctx::parser`]).
    tokens: Option<(usize, Vec<sqlparser::tokenizer::TokenWithSpan>)>,
}

impl<'a> Ctx<'a> {
    fn new(file: &'a SourceFile) -> Ctx<'a> {
        Ctx {
            file,
            model: Model::default(),
            diagnostics: Vec::new(),
            deferred: Vec::new(),
            skipped_data: Vec::new(),
            skipped_no_ops: Vec::new(),
            search_path: search_path::default_path(),
            role: None,
            default_privileges: Vec::new(),
            acl_started: std::collections::BTreeSet::new(),
            tokens: None,
        }
    }

    /// A parser over `text`, which is `stmt`'s text or a rewrite of it:
    /// when it is the statement as the splitter lexed it, over the
    /// splitter's tokens (once per statement), otherwise lexing `text`.
    pub fn parser(&mut self, stmt: &Stmt<'_>, text: &str) -> Result<Parser<'static>, ParserError> {
        let kept =
            matches!(&self.tokens, Some((start, _)) if *start == stmt.start) && text == stmt.text;
        match self.tokens.take() {
            Some((_, tokens)) if kept => crate::sql_lex::parser_over(text, tokens),
            other => {
                self.tokens = other;
                parser(text)
            }
        }
    }

    pub fn span(&self, stmt: &Stmt<'_>) -> Span {
        Span::new(self.file.id, stmt.start, stmt.end())
    }

    pub fn meta(&self, stmt: &Stmt<'_>) -> Meta {
        Meta {
            role: self.role.clone().map(Box::new),
            ..Meta::at(self.span(stmt))
        }
    }

    pub fn error(&mut self, code: &'static str, stmt: &Stmt<'_>, message: impl Into<String>) {
        let span = self.span(stmt);
        self.diagnostics
            .push(Diagnostic::error(code, span, message));
    }

    pub fn warning(&mut self, code: &'static str, stmt: &Stmt<'_>, message: impl Into<String>) {
        let span = self.span(stmt);
        self.diagnostics
            .push(Diagnostic::warning(code, span, message));
    }

    pub fn info(&mut self, code: &'static str, stmt: &Stmt<'_>, message: impl Into<String>) {
        let span = self.span(stmt);
        self.diagnostics.push(Diagnostic::info(code, span, message));
    }

    /// A sqlparser error inside `stmt`, pointing at the token it names.
    pub fn syntax_error(&mut self, stmt: &Stmt<'_>, error: &ParserError) {
        if matches!(error, ParserError::RecursionLimitExceeded) {
            if let Some((at, depth)) = deepest_nesting(stmt.text) {
                let start = stmt.start + at;
                let span = Span::new(self.file.id, start, start + 1);
                self.diagnostics.push(
                    Diagnostic::error(
                        "syntax-error",
                        span,
                        format!("expression nested too deeply ({depth} levels of parentheses, brackets or CASE)"),
                    )
                    .with_label("the deepest level starts here")
                    .with_secondary(self.span(stmt), "in this statement")
                    .with_help("write the expression with less nesting"),
                );
                return;
            }
        }
        let message = match error {
            ParserError::TokenizerError(text) | ParserError::ParserError(text) => text.clone(),
            ParserError::RecursionLimitExceeded => "expression nested too deeply".to_string(),
        };
        let (text, start) = match location_in(&message) {
            Some((line, col, at)) => (message[..at].to_string(), stmt.offset_of(line, col)),
            None => (message.clone(), stmt.start),
        };
        let end = stmt.text[start - stmt.start..]
            .find(|c: char| c.is_whitespace())
            .map_or(stmt.end(), |len| start + len.max(1));
        let span = Span::new(self.file.id, start, end.max(start));
        self.diagnostics.push(
            Diagnostic::error("syntax-error", span, lowercase_first(&text))
                .with_label("here")
                .with_secondary(self.span(stmt), "in this statement"),
        );
    }
}

/// The byte offset in `text` of the opener (`(`, `[` or `CASE`) where the
/// nesting is deepest, and that depth; `None` when `text` does not lex.
/// Linear in the text: what locates sqlparser's "nested too deeply".
fn deepest_nesting(text: &str) -> Option<(usize, usize)> {
    use sqlparser::keywords::Keyword;
    use sqlparser::tokenizer::Token;
    let mut depth = 0usize;
    let mut deepest = None;
    let mut max = 0;
    for (token, offset) in tokens(text)? {
        match token {
            Token::LParen | Token::LBracket => depth += 1,
            Token::Word(word) if word.keyword == Keyword::CASE && word.quote_style.is_none() => {
                depth += 1
            }
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            Token::Word(word) if word.keyword == Keyword::END && word.quote_style.is_none() => {
                depth = depth.saturating_sub(1)
            }
            _ => continue,
        }
        if depth > max {
            max = depth;
            deepest = Some(offset);
        }
    }
    deepest.map(|at| (at, max))
}

/// `(line, column, byte index of " at Line: ")` from a sqlparser message.
fn location_in(message: &str) -> Option<(u64, u64, usize)> {
    let at = message.rfind(" at Line: ")?;
    let rest = &message[at + " at Line: ".len()..];
    let (line, col) = rest.split_once(", Column: ")?;
    let col_digits: String = col.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, col_digits.parse().ok()?, at))
}

fn lowercase_first(text: &str) -> String {
    let text = text.strip_prefix("sql parser error: ").unwrap_or(text);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A sqlparser parser over `text` (PostgreSQL dialect).
pub(crate) fn parser(text: &str) -> Result<Parser<'static>, ParserError> {
    crate::sql_lex::parser(text)
}

/// The statement's tokens (whitespace and comments left out) with the byte
/// offset of each inside `text`; `None` when `text` does not tokenize (the
/// caller's parse then reports the error). The lexer is `sql_lex`'s.
pub(crate) fn tokens(text: &str) -> Option<Vec<(sqlparser::tokenizer::Token, usize)>> {
    crate::sql_lex::tokens_with_offsets(text)
}

/// `text` with the bytes of `range` replaced by spaces (newlines kept), so
/// every offset outside the range is unchanged.
pub(crate) fn blank(text: &str, range: std::ops::Range<usize>) -> String {
    let mut out = String::with_capacity(text.len());
    for (idx, ch) in text.char_indices() {
        if range.contains(&idx) && ch != '\n' {
            out.extend(std::iter::repeat_n(' ', ch.len_utf8()));
        } else {
            out.push(ch);
        }
    }
    out
}

/// An identifier as PostgreSQL stores it.
pub(crate) fn ident(id: &sqlparser::ast::Ident) -> Ident {
    if id.quote_style.is_some() {
        Ident::new(id.value.clone())
    } else {
        Ident::folded(&id.value)
    }
}

/// `[catalog.]schema.name`, or `name` in `schema`. Statements pick the
/// schema through the file's search_path ([`Ctx::qualified`],
/// [`Ctx::relation`]).
pub(crate) fn qualified_in(name: &ObjectName, schema: &Ident) -> QualifiedName {
    let parts: Vec<Ident> = name
        .0
        .iter()
        .map(|part| match part.as_ident() {
            Some(id) => ident(id),
            None => Ident::new(part.to_string()),
        })
        .collect();
    match parts.as_slice() {
        [] => QualifiedName::public(""),
        [name] => QualifiedName {
            schema: schema.clone(),
            name: name.clone(),
        },
        [.., schema, name] => QualifiedName {
            schema: schema.clone(),
            name: name.clone(),
        },
    }
}

/// The last part of a possibly qualified name (collations, operator classes).
pub(crate) fn last_ident(name: &ObjectName) -> Ident {
    name.0
        .last()
        .and_then(|part| part.as_ident())
        .map(ident)
        .unwrap_or_default()
}

/// A collation name: `pg_catalog."C"` and `"C"` are the same collation.
pub(crate) fn collation(name: &ObjectName) -> crate::model::Collation {
    crate::model::Collation::from_object_name(name).unwrap_or_default()
}

/// An operator class name as text: lower case unless quoted, without the
/// `pg_catalog.` qualification.
pub(crate) fn opclass(name: &ObjectName) -> String {
    let parts: Vec<Ident> = name
        .0
        .iter()
        .filter_map(|part| part.as_ident().map(ident))
        .collect();
    match parts.as_slice() {
        [schema, name] if schema.as_str() != "pg_catalog" => {
            format!("{}.{}", schema.as_str(), name.as_str())
        }
        [.., name] => name.0.clone(),
        [] => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Language};

    fn file(text: &str) -> SourceFile {
        SourceFile::new(FileId(0), "t.sql".into(), text.to_string(), Language::Sql)
    }

    #[test]
    fn a_large_file_split_on_another_thread_reads_the_same() {
        // pg_dump's order (tables, then constraints, indexes, comments and
        // grants that name them), a search_path change midway, data and an
        // error late in the file.
        let mut text = String::from("SET search_path = app, public;\nCREATE SCHEMA app;\n");
        text.push_str(&crate::synth::source(
            600,
            crate::synth::Variant::Base,
            crate::synth::Form::Sql,
        ));
        text.push_str("SET search_path = public;\nCOPY t00001 (id) FROM stdin;\n1\n\\.\n");
        text.push_str(
            "ALTER TABLE ONLY public.t00002 ADD CONSTRAINT t00002_name_key UNIQUE (name);\n",
        );
        text.push_str("CREATE INDEX late_idx ON t00003 USING btree (note);\nCOMMENT ON COLUMN public.t00004.note IS 'late';\n");
        text.push_str("CREATE TABLE broken (id bigint NOT NOT NULL);\nGRANT SELECT ON public.t00005 TO PUBLIC;\n");
        assert!(text.len() > PIPELINE_MIN_BYTES);
        let source = file(&text);
        let one = load_file_on(&source, 1);
        let two = load_file_on(&source, 2);
        assert!(
            format!("{:?}", two.value) == format!("{:?}", one.value),
            "the Model read with a splitter thread differs from one thread's"
        );
        assert!(format!("{:?}", two.diagnostics) == format!("{:?}", one.diagnostics));
        assert!(one.diagnostics.iter().any(|d| d.code == "syntax-error"));
        assert!(one.value.tables[&QualifiedName::public("t00002")]
            .constraints
            .contains_key(&Ident::new("t00002_name_key")));
    }

    /// A file read from bytes as `SourceSet` reads a `.sql` file.
    fn file_from_bytes(bytes: &[u8]) -> SourceFile {
        let decoded = crate::source::encoding::decode_sql(bytes);
        let mut res = file(&decoded.text);
        res.encoding = decoded.encoding;
        res.invalid_bytes = decoded.invalid;
        res
    }

    #[test]
    fn bytes_invalid_in_the_encoding_are_judged_where_they_stand() {
        // Only in data statements (chinook's Latin-1 versions): the schema
        // is read, with one warning.
        let data = file_from_bytes(
            b"CREATE TABLE artist (name text);
INSERT INTO artist VALUES ('Ant\xf4nio');
INSERT INTO artist VALUES ('Jo\xe3o');
",
        );
        let parsed = load_file(&data);
        let found: Vec<_> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.code == "invalid-encoding")
            .collect();
        assert_eq!(found.len(), 1, "{:?}", parsed.diagnostics);
        assert!(!found[0].is_error());
        assert!(found[0]
            .message
            .starts_with("2 bytes are not valid UTF8 (first: 0xf4)"));
        assert!(parsed
            .value
            .tables
            .contains_key(&QualifiedName::public("artist")));
        // In a statement schemac models: an error at the byte.
        let comment = file_from_bytes(
            b"CREATE TABLE t (a int);
COMMENT ON TABLE t IS 'Ant\xf4nio';
",
        );
        let parsed = load_file(&comment);
        let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 1, "{:?}", parsed.diagnostics);
        assert_eq!(
            errors[0].message,
            "invalid byte sequence for encoding \"UTF8\": 0xf4"
        );
        let at = comment.line_col(errors[0].primary.span.start as usize);
        assert_eq!((at.line, at.col), (2, 27));
        // Declared, it is read as PostgreSQL reads it.
        let declared = file_from_bytes(
            b"SET client_encoding = 'LATIN1';
CREATE TABLE t (a int);
COMMENT ON TABLE t IS 'Ant\xf4nio';
",
        );
        let parsed = load_file(&declared);
        assert!(!parsed
            .diagnostics
            .iter()
            .any(|d| d.code == "invalid-encoding"));
    }

    #[test]
    fn syntax_errors_point_into_the_file() {
        let source = file("CREATE SCHEMA ok;\n\nCREATE TABLE t (\n  id integer,,\n);\n");
        let parsed = load_file(&source);
        let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 1, "{:?}", parsed.diagnostics);
        let at = source.line_col(errors[0].primary.span.start as usize);
        assert_eq!((at.line, at.col), (4, 14));
        assert_eq!(errors[0].code, "syntax-error");
        assert!(parsed.value.schemas.contains_key(&Ident::new("ok")));
    }

    /// sqlparser only says "nested too deeply"; the error points at the
    /// deepest opener, not at the start of the statement (2,000 brackets
    /// inside the table's parenthesis: 2,001 levels).
    #[test]
    fn too_deep_nesting_points_at_the_deepest_level() {
        let text = format!(
            "CREATE TABLE t (id int DEFAULT {}1{});\n",
            "ARRAY[".repeat(2_000),
            "]".repeat(2_000)
        );
        let parsed = load_file(&file(&text));
        let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 1, "{:?}", parsed.diagnostics);
        assert!(
            errors[0].message.contains("nested too deeply (2001 levels"),
            "{}",
            errors[0].message
        );
        let deepest = text.find("[1]").expect("the innermost bracket");
        assert_eq!(errors[0].primary.span.start as usize, deepest);
    }

    #[test]
    fn names_fold_like_postgres() {
        let mut p = parser("Foo.\"Bar\"").expect("tokenizes");
        let name = p.parse_object_name(false).expect("parses");
        assert_eq!(
            qualified_in(&name, &Ident::new("public")),
            QualifiedName::new("foo", "Bar")
        );
        let mut p = parser("pg_catalog.\"C\"").expect("tokenizes");
        let name = p.parse_object_name(false).expect("parses");
        assert_eq!(collation(&name), crate::model::Collation::new("C"));
        // A collation of another schema keeps it (printed `app.ci`, never
        // the one identifier "app.ci"); public's is found by every session.
        let mut p = parser("app.ci").expect("tokenizes");
        let name = p.parse_object_name(false).expect("parses");
        assert_eq!(collation(&name).to_string(), "app.ci");
        let mut p = parser("public.ci").expect("tokenizes");
        let name = p.parse_object_name(false).expect("parses");
        assert_eq!(collation(&name), crate::model::Collation::new("ci"));
        assert_eq!(
            crate::model::Collation::from_catalog("app\u{1f}en_US.utf8").to_string(),
            "app.\"en_US.utf8\""
        );
    }

    #[test]
    fn garbage_never_panics() {
        let inputs = [
            "",
            ";;;",
            "CREATE",
            "CREATE TABLE",
            "CREATE TABLE t (",
            "ALTER TABLE ONLY",
            "ALTER TABLE t ATTACH PARTITION",
            "ALTER INDEX i ATTACH",
            "COMMENT ON",
            "COMMENT ON COLUMN t IS",
            "CREATE SEQUENCE s START",
            "CREATE DOMAIN d AS",
            "CREATE TYPE t AS ENUM (",
            "SELECT create_distributed_table(",
            "\\",
            "$$",
            "CREATE FUNCTION f(",
            "CREATE POLICY p ON",
            "CREATE TRIGGER",
            "ALTER SEQUENCE s OWNED BY",
            "CREATE INDEX ON ONLY",
            "CREATE VIEW v AS",
            "ALTER TABLE t ALTER COLUMN c ADD GENERATED",
            "\u{feff}CREATE TABLE é (",
            "CREATE TABLE t (a int) PARTITION BY",
            "INSERT INTO",
        ];
        for input in inputs {
            let parsed = load_file(&file(input));
            for diagnostic in &parsed.diagnostics {
                assert!(diagnostic.primary.span.end as usize <= input.len());
            }
        }
        let rich = include_str!("../../../tests/frontend/sql/rich.sql");
        for cut in (0..rich.len()).step_by(97) {
            if rich.is_char_boundary(cut) {
                let _ = load_file(&file(&rich[..cut]));
            }
        }
    }
}
