//! The role the file's session runs as: `SET [SESSION|LOCAL] ROLE name`,
//! `SET ROLE NONE`, `RESET ROLE`, `SET SESSION AUTHORIZATION name|DEFAULT`
//! and `RESET SESSION AUTHORIZATION` change it for every statement after
//! them.
//!
//! PostgreSQL makes the current role the owner of what a statement creates
//! ([CREATE TABLE](https://www.postgresql.org/docs/current/sql-createtable.html):
//! "the table will be owned by the user issuing the command"), and the
//! role's default privileges (`ALTER DEFAULT PRIVILEGES FOR ROLE ...`)
//! decide the object's initial grants. A file such as pgstac's, which says
//! `SET ROLE pgstac_admin` before its objects, builds objects owned by
//! that role. Each object remembers the role its statement ran under
//! (`Meta::role`), and the plan creates it under the same role
//! (`plan::step::Step::role`).
//!
//! Invariant: a statement this module does not recognise completely leaves
//! the role unchanged and returns false (it is then a plain session
//! setting for the caller to note).

use super::{Ctx, Stmt};
use crate::model::Ident;
use sqlparser::tokenizer::Token;

/// `SET ROLE ...` and its relatives: updates [`Ctx::role`] and returns
/// true; false for any other statement.
pub(crate) fn set_statement(ctx: &mut Ctx<'_>, stmt: &Stmt<'_>) -> bool {
    let Some(tokens) = super::tokens(stmt.text) else {
        return false;
    };
    let tokens: Vec<Token> = tokens
        .into_iter()
        .map(|(token, _)| token)
        .filter(|token| !matches!(token, Token::EOF | Token::SemiColon))
        .collect();
    match role_after(&tokens) {
        Some(role) => {
            ctx.role = role;
            true
        }
        None => false,
    }
}

/// The role in effect after the statement (`Some(None)`: the session
/// user's own), or `None` when the statement does not set the role.
fn role_after(tokens: &[Token]) -> Option<Option<Ident>> {
    let word = |idx: usize| match tokens.get(idx) {
        Some(Token::Word(word)) if word.quote_style.is_none() => Some(word.value.to_lowercase()),
        _ => None,
    };
    let first = word(0)?;
    if first == "reset" {
        let rest: Vec<Option<String>> = (1..tokens.len()).map(word).collect();
        return match rest.as_slice() {
            [Some(role)] if role == "role" => Some(None),
            [Some(session), Some(auth)] if session == "session" && auth == "authorization" => {
                Some(None)
            }
            _ => None,
        };
    }
    if first != "set" {
        return None;
    }
    let mut idx = 1;
    let scope = word(idx);
    // SET SESSION AUTHORIZATION: the session user and the current role.
    if scope.as_deref() == Some("session") && word(idx + 1).as_deref() == Some("authorization") {
        return role_name(&tokens[idx + 2..], "default");
    }
    if matches!(scope.as_deref(), Some("session" | "local")) {
        idx += 1;
    }
    if word(idx).as_deref() != Some("role") {
        return None;
    }
    role_name(&tokens[idx + 1..], "none")
}

/// One role name (an identifier folded as PostgreSQL folds it, or a string
/// literal taken as written); the keyword `reset_word` (`NONE`, `DEFAULT`)
/// means the session user's own role.
fn role_name(tokens: &[Token], reset_word: &str) -> Option<Option<Ident>> {
    match tokens {
        [Token::Word(word)] if word.quote_style.is_none() => {
            let folded = word.value.to_lowercase();
            if folded == reset_word {
                Some(None)
            } else {
                Some(Some(Ident::new(folded)))
            }
        }
        [Token::Word(word)] => Some(Some(Ident::new(word.value.clone()))),
        [Token::SingleQuotedString(text)] => Some(Some(Ident::new(text.clone()))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::frontend::sql::load_file;
    use crate::model::{Ident, QualifiedName};
    use crate::source::{FileId, Language, SourceFile};

    fn roles(sql: &str) -> Vec<(String, Option<String>)> {
        let file = SourceFile::new(
            FileId(0),
            "roles.sql".into(),
            sql.to_string(),
            Language::Sql,
        );
        let model = load_file(&file).value;
        model
            .tables
            .values()
            .map(|table| {
                (
                    table.name.name.as_str().to_string(),
                    table
                        .meta
                        .role
                        .as_ref()
                        .map(|role| role.as_str().to_string()),
                )
            })
            .collect()
    }

    #[test]
    fn objects_remember_the_role_their_statement_ran_under() {
        let sql = "CREATE TABLE a (x int);\n\
                   SET ROLE app_admin;\n\
                   CREATE TABLE b (x int);\n\
                   RESET ROLE;\n\
                   CREATE TABLE c (x int);\n\
                   SET SESSION ROLE \"Owner\";\n\
                   CREATE TABLE d (x int);\n\
                   SET ROLE NONE;\n\
                   CREATE TABLE e (x int);\n\
                   SET SESSION AUTHORIZATION 'dba';\n\
                   CREATE TABLE f (x int);\n\
                   RESET SESSION AUTHORIZATION;\n\
                   CREATE TABLE g (x int);\n\
                   SET statement_timeout = 0;\n\
                   SET LOCAL ROLE Loud;\n\
                   CREATE TABLE h (x int);";
        let seen = roles(sql);
        let expected: Vec<(String, Option<String>)> = [
            ("a", None),
            ("b", Some("app_admin")),
            ("c", None),
            ("d", Some("Owner")),
            ("e", None),
            ("f", Some("dba")),
            ("g", None),
            ("h", Some("loud")),
        ]
        .iter()
        .map(|(table, role)| (table.to_string(), role.map(str::to_string)))
        .collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn a_role_never_makes_models_differ() {
        let file = SourceFile::new(
            FileId(0),
            "a.sql".into(),
            "SET ROLE app_admin;\nCREATE TABLE t (x int);".to_string(),
            Language::Sql,
        );
        let plain = SourceFile::new(
            FileId(0),
            "b.sql".into(),
            "CREATE TABLE t (x int);".into(),
            Language::Sql,
        );
        let with_role = load_file(&file).value;
        assert_eq!(
            with_role.tables[&QualifiedName::public("t")]
                .meta
                .role
                .as_deref(),
            Some(&Ident::new("app_admin"))
        );
        assert_eq!(with_role, load_file(&plain).value);
    }
}
