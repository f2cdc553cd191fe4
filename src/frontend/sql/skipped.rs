//! Statements the `.sql` frontend does not model: session settings,
//! ownership, transaction control (Info `skipped-statement`),
//! DDL for object kinds outside the Model (Warning
//! `unsupported-statement`), DROP and `DO` blocks (Warning
//! `skipped-statement`: a DO block may create objects, which are then not
//! modelled), and data and maintenance statements (`INSERT`, `COPY`,
//! `SELECT setval(...)`, `ANALYZE`, ...).
//!
//! Invariants: nothing is dropped silently; a statement that is not even
//! valid SQL is a `syntax-error`, whatever its first word; data statements
//! (a Rails structure.sql ends with one INSERT per migration, a plain dump
//! has a COPY per table) are counted, not reported one by one: the file
//! gets ONE Info note naming each kind and target with its count.

use super::{ident, parser, Ctx, Stmt};
use crate::diagnostics::Diagnostic;
use crate::source::Span;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;
use std::collections::BTreeMap;

/// A data statement seen in the file: its label (`INSERT INTO
/// schema_migrations`) and where it is.
#[derive(Debug, Clone)]
pub(crate) struct SkippedData {
    pub label: String,
    pub span: Span,
}

/// The one note about no-op drops (a pg_dump `--clean` prologue): their
/// count, at the first of them.
fn summarize_no_ops(ctx: &mut Ctx<'_>) {
    let Some(first) = ctx.skipped_no_ops.first().map(|skipped| skipped.span) else {
        return;
    };
    let total = ctx.skipped_no_ops.len();
    let noun = if total == 1 {
        "statement"
    } else {
        "statements"
    };
    let example = &ctx.skipped_no_ops[0].label;
    ctx.diagnostics.push(
        Diagnostic::info(
            "skipped-statement",
            first,
            format!(
                "{total} {noun} change nothing the file declares (first: {example}); PostgreSQL runs them as no-ops too"
            ),
        )
        .with_label("first of them")
        .with_help("a pg_dump --clean file drops each object before creating it; only what the file creates is the schema"),
    );
}

/// Handles a statement no modelling code claimed; `words` are its leading
/// keywords, upper-cased.
pub(crate) fn other(ctx: &mut Ctx<'_>, stmt: Stmt<'_>, words: &[String]) {
    let word = |idx: usize| words.get(idx).map(String::as_str).unwrap_or("");
    let kind = statement_kind(words);
    match word(0) {
        "SET" | "RESET" if super::search_path::set_statement(ctx, &stmt) => ctx.info(
            "skipped-statement",
            &stmt,
            format!(
                "{kind}: unqualified names below are created in and resolved through {}",
                super::search_path::describe(&ctx.search_path)
            ),
        ),
        "SET" | "RESET" if super::role::set_statement(ctx, &stmt) => ctx.info(
            "skipped-statement",
            &stmt,
            match &ctx.role {
                Some(role) => format!(
                    "{kind}: objects created below are created (and owned) by role {role}"
                ),
                None => format!("{kind}: objects created below are created by the applying role"),
            },
        ),
        "SET" | "RESET" => ctx.info(
            "skipped-statement",
            &stmt,
            format!("{kind} skipped (session setting, not part of the schema)"),
        ),
        "BEGIN" | "COMMIT" | "START" | "END" | "ROLLBACK" | "SAVEPOINT" | "RELEASE" => ctx.info(
            "skipped-statement",
            &stmt,
            format!("{kind} skipped (transaction control)"),
        ),
        "INSERT" | "UPDATE" | "DELETE" | "COPY" | "TRUNCATE" | "MERGE" | "ANALYZE"
        | "ANALYSE" | "VACUUM" | "CLUSTER" | "REINDEX" | "REFRESH" | "CHECKPOINT" => {
            let label = data_label(stmt.text, word(0));
            data(ctx, &stmt, label)
        }
        "DO" => verbatim(
            ctx,
            &stmt,
            "DO block not modelled: with a database, the shadow database runs it as written and what it creates is read from the catalog; offline, whatever it creates or changes is not modelled",
        ),
        "DROP" if drop_declared(ctx, &stmt) => {}
        "DROP" => ctx.warning(
            "skipped-statement",
            &stmt,
            format!("{kind} skipped: a schema file declares the desired objects, drops are planned by schemac"),
        ),
        "ALTER" if word(1) == "DEFAULT" && word(2) == "PRIVILEGES" => {
            super::grant::alter_default_privileges(ctx, stmt)
        }
        "ALTER" if is_owner_to(stmt.text) => ctx.info(
            "skipped-statement",
            &stmt,
            format!("{kind} ... OWNER TO skipped (ownership is not managed by schemac)"),
        ),
        _ => unknown(ctx, stmt, &kind),
    }
}

/// A `DO` block (or a call of a function that may create objects, such
/// as `SELECT partman.create_parent(...)`): kept as written for the shadow database, which runs it
/// and reads what it creates back from the catalog (`plan --db`, `apply`);
/// offline, what it creates is not modelled.
pub(crate) fn verbatim(ctx: &mut Ctx<'_>, stmt: &Stmt<'_>, message: &str) {
    keep_verbatim(ctx, stmt, None);
    ctx.warning("skipped-statement", stmt, message);
}

fn keep_verbatim(ctx: &mut Ctx<'_>, stmt: &Stmt<'_>, unmodelled: Option<String>) {
    ctx.model
        .session
        .verbatim
        .push(crate::model::VerbatimStatement {
            sql: stmt.text.trim_end().trim_end_matches(';').to_string(),
            search_path: ctx.search_path.clone(),
            span: ctx.span(stmt),
            unmodelled,
        });
}

/// A statement that creates (or alters) an object of a kind the Model
/// does not hold (`kind`: `CREATE COLLATION`): kept as written for the
/// shadow database, so that the tables, views and functions using the
/// object build there; no step is ever planned for it.
pub(crate) fn unmodelled(ctx: &mut Ctx<'_>, stmt: &Stmt<'_>, kind: &str) {
    keep_verbatim(ctx, stmt, Some(kind.to_string()));
    ctx.warning(
        "unsupported-statement",
        stmt,
        format!(
            "{kind} is not modelled by schemac: with a database, the shadow database builds it as written so that what uses it is compared, but no step is planned for it (a new database needs it created first); offline it is skipped"
        ),
    );
}

/// Counts a statement that PostgreSQL would run as a no-op on the schema
/// the file has built so far (`ALTER TABLE IF EXISTS` of a table not yet
/// created, `DROP CONSTRAINT IF EXISTS` of one that is not there), for the
/// same summary note as data statements.
pub(crate) fn no_op_drop(ctx: &mut Ctx<'_>, stmt: &Stmt<'_>, label: String) {
    let span = ctx.span(stmt);
    ctx.skipped_no_ops.push(SkippedData { label, span });
}

/// `DROP TABLE|VIEW|MATERIALIZED VIEW|INDEX|SEQUENCE [IF EXISTS] name
/// [, ...]` run on what the file declared so far, as PostgreSQL runs it
/// on the database the file builds: a declared object is removed (a
/// pg_dump `--clean` file drops placeholder views before creating the real
/// ones), a missing one under IF EXISTS is a no-op for the summary note.
/// False (the caller warns as before) for other kinds, for text sqlparser
/// does not read, and for a missing object without IF EXISTS (it may be
/// declared in another file).
fn drop_declared(ctx: &mut Ctx<'_>, stmt: &Stmt<'_>) -> bool {
    use sqlparser::ast::{ObjectType, Statement};
    let Ok(Statement::Drop {
        object_type,
        if_exists,
        names,
        ..
    }) = parser(stmt.text).and_then(|mut p| p.parse_statement())
    else {
        return false;
    };
    let names: Vec<_> = names.iter().map(|name| ctx.object(name)).collect();
    let handled = matches!(
        object_type,
        ObjectType::Table
            | ObjectType::View
            | ObjectType::MaterializedView
            | ObjectType::Index
            | ObjectType::Sequence
    );
    if !handled {
        return false;
    }
    let declared = |ctx: &Ctx<'_>, name: &crate::model::QualifiedName| match object_type {
        ObjectType::Table => ctx.model.tables.contains_key(name),
        ObjectType::View | ObjectType::MaterializedView => ctx.model.views.contains_key(name),
        ObjectType::Sequence => ctx.model.sequences.contains_key(name),
        _ => ctx.model.tables.values().any(|table| {
            table.name.schema == name.schema && table.indexes.contains_key(&name.name)
        }),
    };
    if !if_exists && !names.iter().all(|name| declared(ctx, name)) {
        return false;
    }
    for name in &names {
        if !declared(ctx, name) {
            no_op_drop(ctx, stmt, format!("DROP {object_type} IF EXISTS {name}"));
            continue;
        }
        match object_type {
            ObjectType::Table => {
                ctx.model.tables.remove(name);
            }
            ObjectType::View | ObjectType::MaterializedView => {
                ctx.model.views.remove(name);
            }
            ObjectType::Sequence => {
                ctx.model.sequences.remove(name);
            }
            _ => {
                for table in ctx.model.tables.values_mut() {
                    if table.name.schema == name.schema {
                        table.indexes.remove(&name.name);
                    }
                }
            }
        }
    }
    true
}

/// Counts a data statement for the file's summary note ([`summarize`]).
pub(crate) fn data(ctx: &mut Ctx<'_>, stmt: &Stmt<'_>, label: String) {
    let span = ctx.span(stmt);
    ctx.skipped_data.push(SkippedData { label, span });
}

/// The one note about the file's data statements: `skipped 4 data
/// statements (not part of a schema): COPY app.tags (1), INSERT INTO
/// schema_migrations (3)`, at the first of them.
pub(crate) fn summarize(ctx: &mut Ctx<'_>) {
    summarize_no_ops(ctx);
    let Some(first) = ctx.skipped_data.first().map(|skipped| skipped.span) else {
        return;
    };
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for skipped in &ctx.skipped_data {
        *counts.entry(skipped.label.as_str()).or_default() += 1;
    }
    let total = ctx.skipped_data.len();
    let listed: Vec<String> = counts
        .iter()
        .take(8)
        .map(|(label, count)| format!("{label} ({count})"))
        .collect();
    let more = if counts.len() > listed.len() {
        format!(" and {} more", counts.len() - listed.len())
    } else {
        String::new()
    };
    let noun = if total == 1 {
        "statement"
    } else {
        "statements"
    };
    let message = format!(
        "skipped {total} data {noun} (not part of a schema): {}{more}",
        listed.join(", ")
    );
    ctx.diagnostics.push(
        Diagnostic::info("skipped-statement", first, message)
            .with_label("first data statement")
            .with_help(
                "data, COPY blocks and maintenance commands are not modelled; load data separately",
            ),
    );
}

/// `INSERT INTO schema_migrations`, `COPY app.tags`, `ANALYZE`: the
/// statement's kind and, where it names one, its target table.
fn data_label(text: &str, first: &str) -> String {
    let kind = match first {
        "INSERT" => "INSERT INTO",
        "DELETE" => "DELETE FROM",
        "MERGE" => "MERGE INTO",
        "ANALYSE" => "ANALYZE",
        other => other,
    };
    let target = parser(text).ok().and_then(|mut p| {
        let _ = p.next_token();
        loop {
            match p.peek_token().token {
                Token::Word(word)
                    if word.quote_style.is_none()
                        && matches!(
                            word.keyword,
                            Keyword::INTO
                                | Keyword::FROM
                                | Keyword::TABLE
                                | Keyword::ONLY
                                | Keyword::VERBOSE
                                | Keyword::MATERIALIZED
                                | Keyword::VIEW
                                | Keyword::CONCURRENTLY
                        ) =>
                {
                    let _ = p.next_token();
                }
                _ => break,
            }
        }
        p.parse_object_name(false).ok()
    });
    match target {
        Some(name) if !name.0.is_empty() => {
            let parts: Vec<String> = name
                .0
                .iter()
                .filter_map(|part| part.as_ident().map(|id| ident(id).0))
                .collect();
            format!("{kind} {}", parts.join("."))
        }
        _ => kind.to_string(),
    }
}

/// A statement kind for messages: `CREATE COLLATION`, `ALTER TYPE`, `SET`.
pub(crate) fn statement_kind(words: &[String]) -> String {
    let word = |idx: usize| words.get(idx).map(String::as_str).unwrap_or("");
    match word(0) {
        "CREATE" | "ALTER" | "DROP" => {
            let mut parts = vec![word(0)];
            let mut idx = 1;
            if word(1) == "OR" && word(2) == "REPLACE" {
                idx = 3;
            }
            while let Some(part) = words.get(idx) {
                parts.push(part);
                let is_modifier = matches!(
                    part.as_str(),
                    "UNIQUE"
                        | "UNLOGGED"
                        | "TEMP"
                        | "TEMPORARY"
                        | "MATERIALIZED"
                        | "FOREIGN"
                        | "TEXT"
                        | "SEARCH"
                        | "EVENT"
                        | "DEFAULT"
                        | "OPERATOR"
                        | "ACCESS"
                        | "CONSTRAINT"
                        | "GLOBAL"
                        | "LOCAL"
                );
                if !is_modifier || parts.len() >= 4 {
                    break;
                }
                idx += 1;
            }
            parts.join(" ")
        }
        "" => "empty statement".to_string(),
        first => first.to_string(),
    }
}

/// `ALTER <kind> name ... OWNER TO role` (pg_dump prints one per object).
fn is_owner_to(text: &str) -> bool {
    let upper = text.to_uppercase();
    upper
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .any(|pair| pair == ["OWNER", "TO"])
}

/// Neither modelled nor on the skip list: a syntax error if sqlparser cannot
/// read it, otherwise a warning that it is not modelled.
fn unknown(ctx: &mut Ctx<'_>, stmt: Stmt<'_>, kind: &str) {
    let parsed = parser(stmt.text).and_then(|mut p| p.parse_statement());
    match parsed {
        Err(error) if !kind.starts_with("CREATE") && !kind.starts_with("ALTER") => {
            ctx.syntax_error(&stmt, &error)
        }
        _ if buildable_unmodelled(kind) || altered_unmodelled(ctx, kind) => {
            unmodelled(ctx, &stmt, kind)
        }
        _ => ctx.warning(
            "unsupported-statement",
            &stmt,
            format!("{kind} is not modelled by schemac; the statement was skipped"),
        ),
    }
}

/// The kinds of database objects outside the Model that the shadow
/// database may build as written: they live inside the database and
/// change nothing else by existing (not roles, databases, tablespaces,
/// subscriptions, servers, event triggers or languages).
fn buildable_unmodelled(kind: &str) -> bool {
    let Some(object_kind) = kind.strip_prefix("CREATE ") else {
        return false;
    };
    [
        "COLLATION",
        "TEXT SEARCH",
        "OPERATOR",
        "CAST",
        "CONVERSION",
        "TYPE",
        "TRANSFORM",
        "AGGREGATE",
    ]
    .iter()
    .any(|allowed| object_kind == *allowed || object_kind.starts_with(&format!("{allowed} ")))
}

/// `ALTER TEXT SEARCH CONFIGURATION` after the file created one: an
/// ALTER of an object kind the file created as written goes with it.
fn altered_unmodelled(ctx: &Ctx<'_>, kind: &str) -> bool {
    let Some(object_kind) = kind.strip_prefix("ALTER ") else {
        return false;
    };
    ctx.model.session.verbatim.iter().any(|statement| {
        statement
            .unmodelled
            .as_deref()
            .and_then(|created| created.strip_prefix("CREATE "))
            .is_some_and(|created| created == object_kind)
    })
}

#[cfg(test)]
mod tests {

    /// Object kinds outside the Model are kept for the shadow (with the
    /// ALTERs of a kind the file created), cluster objects are not.
    #[test]
    fn unmodelled_kinds_are_kept_for_the_shadow() {
        use crate::source::{FileId, Language, SourceFile};
        let text = concat!(
            "CREATE COLLATION app.nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);\n",
            "CREATE TEXT SEARCH CONFIGURATION public.plain_en (COPY = pg_catalog.english);\n",
            "ALTER TEXT SEARCH CONFIGURATION public.plain_en ALTER MAPPING FOR asciiword WITH simple;\n",
            "CREATE TYPE public.floatrange AS RANGE (subtype = float8);\n",
            "CREATE PUBLICATION everything FOR ALL TABLES;\n",
            "CREATE ROLE reader;\n",
        );
        let file = SourceFile::new(FileId(0), "t.sql".into(), text.to_string(), Language::Sql);
        let parsed = super::super::load_file(&file);
        let kept: Vec<(&str, &str)> = parsed
            .value
            .session
            .verbatim
            .iter()
            .map(|statement| {
                (
                    statement.unmodelled.as_deref().unwrap_or(""),
                    statement.sql.split_whitespace().nth(1).unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(
            kept,
            vec![
                ("CREATE COLLATION", "COLLATION"),
                ("CREATE TEXT SEARCH CONFIGURATION", "TEXT"),
                ("ALTER TEXT SEARCH CONFIGURATION", "TEXT"),
                ("CREATE TYPE (range or base type)", "TYPE"),
            ]
        );
    }

    /// pg_dump --clean: a placeholder view is created, dropped, created
    /// again and replaced; the drops of objects not created yet are one
    /// note; the Model holds what the file finally creates.
    #[test]
    fn drops_run_on_what_the_file_declared() {
        use crate::source::{FileId, Language, SourceFile};
        let text = concat!(
            "DROP INDEX IF EXISTS public.t_idx;\n",
            "CREATE OR REPLACE VIEW public.v AS SELECT NULL::integer AS id;\n",
            "DROP VIEW IF EXISTS public.v;\n",
            "DROP TABLE IF EXISTS public.t;\n",
            "CREATE TABLE public.t (id integer PRIMARY KEY);\n",
            "CREATE VIEW public.v AS SELECT NULL::integer AS id;\n",
            "CREATE OR REPLACE VIEW public.v AS SELECT t.id FROM public.t;\n",
            "DROP TABLE public.gone;\n",
        );
        let file = SourceFile::new(FileId(0), "t.sql".into(), text.to_string(), Language::Sql);
        let parsed = super::super::load_file(&file);
        let messages: Vec<&str> = parsed
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(messages.len(), 2, "{messages:#?}");
        assert!(
            messages.iter().any(|m| m.starts_with("DROP TABLE skipped")),
            "{messages:#?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("2 statements change nothing")),
            "{messages:#?}"
        );
        let view = &parsed.value.views[&crate::model::QualifiedName::public("v")];
        assert!(view.query.sql.contains("public.t"), "{}", view.query.sql);
        assert!(parsed
            .value
            .tables
            .contains_key(&crate::model::QualifiedName::public("t")));
    }

    use super::super::load_file;
    use super::*;
    use crate::diagnostics::Severity;
    use crate::source::{FileId, Language, SourceFile};

    fn check(sql: &str) -> Vec<(Severity, &'static str, String)> {
        let file = SourceFile::new(FileId(0), "t.sql".into(), sql.to_string(), Language::Sql);
        load_file(&file)
            .diagnostics
            .into_iter()
            .map(|d| (d.severity, d.code, d.message))
            .collect()
    }

    #[test]
    fn session_and_privilege_statements_are_noted() {
        let found = check(
            "SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\nGRANT CONNECT ON DATABASE db TO bob;\nALTER SCHEMA app OWNER TO postgres;",
        );
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(
            found
                .iter()
                .all(|(severity, code, _)| *severity == Severity::Info
                    && *code == "skipped-statement")
        );
        assert!(found[0].2.starts_with("SET"));
        assert!(found[3].2.contains("OWNER TO"));
    }

    #[test]
    fn data_statements_are_one_note() {
        let found = check("INSERT INTO \"schema_migrations\" (version) VALUES ('1'), ('2');\nCREATE TABLE t (a int);\nINSERT INTO schema_migrations VALUES ('3');\nDELETE FROM t;\nCOPY app.t (a) FROM stdin;\n1\n\\.\nANALYZE t;\nVACUUM;\nSELECT pg_catalog.setval('public.s', 3, true);");
        assert_eq!(found.len(), 1, "{found:?}");
        let (severity, code, message) = &found[0];
        assert_eq!((*severity, *code), (Severity::Info, "skipped-statement"));
        assert_eq!(message, "skipped 7 data statements (not part of a schema): ANALYZE t (1), COPY app.t (1), DELETE FROM t (1), INSERT INTO schema_migrations (2), SELECT setval (1), VACUUM (1)");
    }

    #[test]
    fn do_blocks_are_named_where_they_are() {
        let sql = "CREATE TABLE t (a int);\nDO $$ BEGIN CREATE TABLE u (); END $$;";
        let file = SourceFile::new(FileId(0), "t.sql".into(), sql.to_string(), Language::Sql);
        let parsed = load_file(&file);
        assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
        let note = &parsed.diagnostics[0];
        assert_eq!(note.severity, Severity::Warning);
        assert!(note.message.contains("not modelled"), "{}", note.message);
        assert_eq!(file.line_col(note.primary.span.start as usize).line, 2);
    }

    #[test]
    fn unknown_kinds_warn_and_garbage_is_a_syntax_error() {
        let found =
            check("CREATE COLLATION german (provider = icu, locale = 'de');\nFROB the table;");
        assert_eq!(found[0].0, Severity::Warning);
        assert!(found[0].2.starts_with("CREATE COLLATION"), "{found:?}");
        assert_eq!(found[1].1, "syntax-error");
    }

    #[test]
    fn kinds() {
        let words = |s: &str| super::super::dispatch::leading_words(s, 6);
        assert_eq!(
            statement_kind(&words("CREATE OR REPLACE TEXT SEARCH CONFIGURATION x")),
            "CREATE TEXT SEARCH CONFIGURATION"
        );
        assert_eq!(statement_kind(&words("drop table x")), "DROP TABLE");
        assert_eq!(statement_kind(&words("set x = 1")), "SET");
    }
}
