//! What the shadow database runs besides the plan: the schema file's own
//! session `search_path`, and the statements the frontend cannot model
//! (`DO` blocks), built as written so that what they create is read back
//! from the catalog (issue 10 item 3; [`crate::model::FileSession`]).
//!
//! Order: each verbatim statement runs once before the plan (a `DO` block
//! that creates an extension must precede the tables using its types);
//! one that fails there (it uses objects of the plan) runs again after the
//! plan, and a failure then is the shadow error naming the statement (for
//! a `CREATE` of an object kind the Model does not hold, such as a
//! collation or a text search configuration, a note).
//!
//! Invariants: each statement runs in its own transaction under the path
//! the file had at that statement, and the session is back on the file's
//! path afterwards. A `DO` block that creates, alters or drops roles,
//! databases or tablespaces is not run: those are cluster objects outside
//! the shadow database, and planning never changes them (a note says so).

use super::ShadowError;
use crate::introspect::error_message;
use crate::model::session::path_sql;
use crate::model::{Ident, Model, VerbatimStatement};
use sqlparser::tokenizer::Token;
use tokio_postgres::Client;

/// Sets the session path the file sets for itself (see
/// [`crate::model::FileSession::search_path`]), or the one derived for
/// the SQL functions its tables call ([`crate::graph::deps::session_search_path`]).
pub(super) async fn set_file_path(client: &Client, desired: &Model) -> Result<(), ShadowError> {
    let Some(path) = crate::graph::deps::session_search_path(desired) else {
        return Ok(());
    };
    set_path(client, &path).await
}

/// Runs the verbatim statements before the plan (`unmodelled`: the
/// `CREATE`s of object kinds outside the Model, which run once the
/// file's schemas and extensions exist; otherwise the `DO` blocks and
/// calls, which run first); returns the ones that failed (to run again
/// after it) and notes about the ones not run.
pub(super) async fn run_before<'m>(
    client: &Client,
    desired: &'m Model,
    unmodelled: bool,
) -> Result<(Vec<&'m VerbatimStatement>, Vec<String>), ShadowError> {
    let mut pending = Vec::new();
    let mut not_run = Vec::new();
    let statements = desired
        .session
        .verbatim
        .iter()
        .filter(|statement| statement.unmodelled.is_some() == unmodelled);
    for statement in statements {
        if let Some(what) = cluster_change(&statement.sql) {
            not_run.push(what);
            continue;
        }
        if run_one(client, desired, statement).await?.is_err() {
            pending.push(statement);
        }
    }
    let mut notes = Vec::new();
    if !not_run.is_empty() {
        not_run.sort_unstable();
        not_run.dedup();
        notes.push(format!(
            "{} of the file's DO blocks change {} (objects of the whole server) and were not run in the shadow database; what else they create is not compared",
            desired
                .session
                .verbatim
                .iter()
                .filter(|statement| cluster_change(&statement.sql).is_some())
                .count(),
            not_run.join(", ")
        ));
    }
    Ok((pending, notes))
}

/// Runs again, after the plan, the statements that failed before it. An
/// object kind the Model does not hold that fails again is a note (the
/// returned notes), since the frontend only skipped it before it was
/// built here; a `DO` block that fails again is the error.
pub(super) async fn run_after(
    client: &Client,
    desired: &Model,
    pending: &[&VerbatimStatement],
) -> Result<Vec<String>, ShadowError> {
    let total = pending.len();
    let mut notes = Vec::new();
    for (idx, statement) in pending.iter().enumerate() {
        if let Err(source) = run_one(client, desired, statement).await? {
            if let Some(kind) = &statement.unmodelled {
                let head: String = statement
                    .sql
                    .split_whitespace()
                    .take(6)
                    .collect::<Vec<_>>()
                    .join(" ");
                notes.push(format!(
                    "{kind} is not modelled and could not be built in the shadow database either (`{head} ...`: {}); it is not compared",
                    error_message(&source)
                ));
                continue;
            }
            return Err(ShadowError::Statement {
                number: idx + 1,
                total,
                description: "a DO block of the schema file, run as written".to_string(),
                sql: statement.sql.clone(),
                message: error_message(&source),
                source,
            });
        }
    }
    Ok(notes)
}

/// One statement in its own transaction under its path; the inner result
/// is the statement's own failure, the outer one a broken session.
async fn run_one(
    client: &Client,
    desired: &Model,
    statement: &VerbatimStatement,
) -> Result<Result<(), tokio_postgres::Error>, ShadowError> {
    set_path(client, &statement.search_path).await?;
    let res = client
        .batch_execute(&format!("BEGIN;\n{};\nCOMMIT", statement.sql))
        .await;
    if res.is_err() {
        let _ = client.batch_execute("ROLLBACK").await;
    }
    match crate::graph::deps::session_search_path(desired) {
        Some(path) => set_path(client, &path).await?,
        None => exec(client, "RESET search_path").await?,
    }
    Ok(res)
}

async fn set_path(client: &Client, path: &[Ident]) -> Result<(), ShadowError> {
    let sql = if path.is_empty() {
        "SELECT pg_catalog.set_config('search_path', '', false)".to_string()
    } else {
        format!("SET search_path TO {}", path_sql(path))
    };
    exec(client, &sql).await
}

async fn exec(client: &Client, sql: &str) -> Result<(), ShadowError> {
    client
        .batch_execute(sql)
        .await
        .map_err(|source| ShadowError::Database {
            action: "setting the schema file's search_path in the shadow",
            message: error_message(&source),
            source,
        })
}

/// `Some("roles")` when the statement's body (a `DO` block's string)
/// creates, alters or drops a role, user, group, database or tablespace.
fn cluster_change(sql: &str) -> Option<&'static str> {
    let tokens = crate::sql_lex::tokens(sql)?;
    let mut words = Vec::new();
    for token in tokens {
        match token {
            Token::DollarQuotedString(body) => words.extend(crate::sql_lex::words(&body.value)),
            Token::SingleQuotedString(body) => words.extend(crate::sql_lex::words(&body)),
            _ => {}
        }
    }
    words.windows(2).find_map(|pair| {
        if !matches!(pair[0].as_str(), "create" | "alter" | "drop") {
            return None;
        }
        match pair[1].as_str() {
            "role" | "user" | "group" => Some("roles"),
            "database" => Some("databases"),
            "tablespace" => Some("tablespaces"),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_changes_are_found_inside_the_body_only() {
        assert_eq!(
            cluster_change("DO $$ BEGIN CREATE ROLE pgstac_admin; EXCEPTION WHEN duplicate_object THEN NULL; END $$"),
            Some("roles")
        );
        assert_eq!(
            cluster_change("DO LANGUAGE plpgsql 'begin alter database x set a = 1; end'"),
            Some("databases")
        );
        assert_eq!(
            cluster_change("DO $$ BEGIN IF NOT EXISTS (SELECT 1) THEN CREATE EXTENSION postgis; END IF; END $$ LANGUAGE plpgsql"),
            None
        );
        // A comment or a literal naming a role is not a change.
        assert_eq!(
            cluster_change("DO $$ BEGIN RAISE NOTICE 'create role later'; END $$"),
            None
        );
    }
}
