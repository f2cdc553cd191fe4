//! Statements the `.sql` frontend does not model: session settings,
//! privileges, ownership, transaction control (Info `skipped-statement`),
//! DDL for object kinds outside the Model (Warning
//! `unsupported-statement`), DROP (Warning `skipped-statement`) and data
//! statements (Error `data-statement`).
//!
//! Invariant: nothing is dropped silently; a statement that is not even
//! valid SQL is a `syntax-error`, whatever its first word.

use super::{parser, Ctx, Stmt};

/// Handles a statement no modelling code claimed; `words` are its leading
/// keywords, upper-cased.
pub(crate) fn other(ctx: &mut Ctx<'_>, stmt: Stmt<'_>, words: &[String]) {
    let word = |idx: usize| words.get(idx).map(String::as_str).unwrap_or("");
    let kind = statement_kind(words);
    match word(0) {
        "SET" | "RESET" => ctx.info(
            "skipped-statement",
            &stmt,
            format!("{kind} skipped (session setting, not part of the schema)"),
        ),
        "GRANT" | "REVOKE" => ctx.info(
            "skipped-statement",
            &stmt,
            format!("{kind} skipped (privileges are not managed by schemac)"),
        ),
        "BEGIN" | "COMMIT" | "START" | "END" | "ROLLBACK" | "SAVEPOINT" | "RELEASE" => ctx.info(
            "skipped-statement",
            &stmt,
            format!("{kind} skipped (transaction control)"),
        ),
        "INSERT" | "UPDATE" | "DELETE" | "COPY" | "TRUNCATE" | "MERGE" => ctx.error(
            "data-statement",
            &stmt,
            format!("{kind}: data statements are not part of a schema"),
        ),
        "DROP" => ctx.warning(
            "skipped-statement",
            &stmt,
            format!("{kind} skipped: a schema file declares the desired objects, drops are planned by schemac"),
        ),
        "ALTER" if word(1) == "DEFAULT" && word(2) == "PRIVILEGES" => ctx.info(
            "skipped-statement",
            &stmt,
            "ALTER DEFAULT PRIVILEGES skipped (privileges are not managed by schemac)",
        ),
        "ALTER" if is_owner_to(stmt.text) => ctx.info(
            "skipped-statement",
            &stmt,
            format!("{kind} ... OWNER TO skipped (ownership is not managed by schemac)"),
        ),
        _ => unknown(ctx, stmt, &kind),
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
        _ => ctx.warning(
            "unsupported-statement",
            &stmt,
            format!("{kind} is not modelled by schemac; the statement was skipped"),
        ),
    }
}

#[cfg(test)]
mod tests {
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
            "SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\nGRANT ALL ON TABLE t TO bob;\nALTER SCHEMA app OWNER TO postgres;\nALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO bob;",
        );
        assert_eq!(found.len(), 5, "{found:?}");
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
    fn data_statements_are_errors() {
        let found = check("INSERT INTO t VALUES (1);\nDELETE FROM t");
        assert_eq!(found.len(), 2);
        assert!(found
            .iter()
            .all(|(severity, code, message)| *severity == Severity::Error
                && *code == "data-statement"
                && message.contains("data statements are not part of a schema")));
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
