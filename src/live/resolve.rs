//! The names the schema files use without declaring them (roles in
//! policies, built-in and extension functions of triggers, types a `DO`
//! block may create: [`crate::model::validate::Unresolved`]), checked
//! against the target's own catalogs when a database is given (DESIGN.md
//! §1: PostgreSQL is the judge).
//!
//! One query per kind of name, each taking every name of its kind as an
//! array (`pg_roles`, `pg_proc` with `pg_namespace`, `to_regtype` over
//! `pg_type`), sent together on one connection; the catalogs and functions
//! read exist in PostgreSQL 13 to 17.
//!
//! Invariants: reads the catalog only; a name the server has is never
//! reported; a name the server lacks is a located error (one per name, at
//! its first use, later uses as secondary labels), unless the files run
//! statements schemac cannot model (`DO` blocks), which may create it:
//! then the missing names stay one note, and the shadow database, which
//! runs those statements, decides.

use super::session::Session;
use super::{ConnParams, LiveError};
use crate::diagnostics::Diagnostic;
use crate::model::validate::{unresolved_note, Unresolved, UnresolvedKind, UNRESOLVED};
use crate::model::Model;
use std::collections::{BTreeMap, BTreeSet};

const MISSING_ROLES: &str = "SELECT r FROM unnest($1::text[]) AS r \
     WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r)";

/// A function resolves in the schema the file resolved it to or, as
/// PostgreSQL's implicit search path does, in `pg_catalog`.
const MISSING_FUNCTIONS: &str = "SELECT x.s, x.f FROM unnest($1::text[], $2::text[]) AS x(s, f) \
     WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p \
                       JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
                       WHERE p.proname = x.f AND n.nspname IN (x.s, 'pg_catalog'))";

const MISSING_TYPES: &str =
    "SELECT t FROM unnest($1::text[]) AS t WHERE pg_catalog.to_regtype(t) IS NULL";

/// The diagnostics for `refs` once the server at `conn` has been asked:
/// errors for the names it lacks too (or one note, see the module doc);
/// nothing for the names it has.
pub async fn check_unresolved(
    conn: &ConnParams,
    model: &Model,
    refs: &[Unresolved],
) -> Result<Vec<Diagnostic>, LiveError> {
    if refs.is_empty() {
        return Ok(Vec::new());
    }
    let session = Session::open(conn).await?;
    let missing = missing_names(&session, refs).await;
    // The server's roles, for a "did you mean" under a missing one.
    let mut known_roles: Vec<String> = model.roles.keys().map(|role| role.to_string()).collect();
    if refs.iter().any(|r| r.kind == UnresolvedKind::Role) {
        if let Ok(rows) = session
            .client
            .query("SELECT rolname FROM pg_catalog.pg_roles", &[])
            .await
        {
            known_roles.extend(rows.iter().map(|row| row.get::<_, String>(0)));
        }
    }
    session.close().await;
    let missing = missing?;
    let lacking: Vec<Unresolved> = refs
        .iter()
        .filter(|r| missing.contains(&key(r)))
        .cloned()
        .collect();
    if lacking.is_empty() {
        return Ok(Vec::new());
    }
    if !model.session.verbatim.is_empty() {
        return Ok(unresolved_note(&lacking).into_iter().collect());
    }
    Ok(errors(&lacking, &known_roles))
}

/// What identifies a name for the server: its kind, schema and name.
type Key = (UnresolvedKind, Option<String>, String);

fn key(r: &Unresolved) -> Key {
    (r.kind, r.schema.clone(), r.name.clone())
}

/// The names of `refs` the server does not have.
async fn missing_names(session: &Session, refs: &[Unresolved]) -> Result<BTreeSet<Key>, LiveError> {
    let distinct: BTreeSet<Key> = refs.iter().map(key).collect();
    let of_kind = |kind: UnresolvedKind| -> Vec<&Key> {
        distinct.iter().filter(|(k, _, _)| *k == kind).collect()
    };
    let roles: Vec<String> = of_kind(UnresolvedKind::Role)
        .into_iter()
        .map(|(_, _, name)| name.clone())
        .collect();
    let functions = of_kind(UnresolvedKind::Function);
    let function_schemas: Vec<String> = functions
        .iter()
        .map(|(_, schema, _)| schema.clone().unwrap_or_else(|| "public".to_string()))
        .collect();
    let function_names: Vec<String> = functions.iter().map(|(_, _, name)| name.clone()).collect();
    let types: Vec<String> = of_kind(UnresolvedKind::Type)
        .into_iter()
        .map(|(_, _, name)| name.clone())
        .collect();
    let client = &session.client;
    let query_error = |action: &'static str| {
        move |source: tokio_postgres::Error| LiveError::Database {
            action,
            message: crate::introspect::error_message(&source),
            source,
        }
    };
    // Sent together: the connection pipelines them.
    let (role_rows, function_rows, type_rows) = tokio::try_join!(
        async {
            if roles.is_empty() {
                return Ok(Vec::new());
            }
            client
                .query(MISSING_ROLES, &[&roles])
                .await
                .map_err(query_error("looking up roles"))
        },
        async {
            if function_names.is_empty() {
                return Ok(Vec::new());
            }
            client
                .query(MISSING_FUNCTIONS, &[&function_schemas, &function_names])
                .await
                .map_err(query_error("looking up functions"))
        },
        async {
            if types.is_empty() {
                return Ok(Vec::new());
            }
            client
                .query(MISSING_TYPES, &[&types])
                .await
                .map_err(query_error("looking up types"))
        },
    )?;
    let mut missing = BTreeSet::new();
    for row in role_rows {
        missing.insert((UnresolvedKind::Role, None, row.get::<_, String>(0)));
    }
    for row in function_rows {
        missing.insert((
            UnresolvedKind::Function,
            Some(row.get::<_, String>(0)),
            row.get::<_, String>(1),
        ));
    }
    for row in type_rows {
        missing.insert((UnresolvedKind::Type, None, row.get::<_, String>(0)));
    }
    Ok(missing)
}

/// One error per missing name, at its first use; later uses are
/// secondary labels.
fn errors(lacking: &[Unresolved], known_roles: &[String]) -> Vec<Diagnostic> {
    let mut uses: BTreeMap<Key, Vec<&Unresolved>> = BTreeMap::new();
    for r in lacking {
        uses.entry(key(r)).or_default().push(r);
    }
    let mut res = Vec::new();
    for group in uses.values_mut() {
        group.sort_by_key(|r| (r.span.file.0, r.span.start));
        let first = group[0];
        let what = first.describe();
        let help = match first.kind {
            UnresolvedKind::Role => {
                "roles are cluster-wide and schemac does not create them: create the role on the server (CREATE ROLE), or fix the name"
            }
            UnresolvedKind::Function => {
                "declare the function in these files, create the extension that provides it (CREATE EXTENSION), or fix the name"
            }
            UnresolvedKind::Type => {
                "declare the type in these files, create the extension that provides it, or fix the name"
            }
        };
        let mut diagnostic = Diagnostic::error(
            UNRESOLVED,
            first.span,
            format!("{what} is neither declared in these files nor present in the database"),
        )
        .with_label(format!("unknown {what}"))
        .with_help(match first.kind {
            UnresolvedKind::Role => {
                crate::diagnostics::suggest::with_suggestion(help, &first.name, known_roles)
            }
            UnresolvedKind::Function | UnresolvedKind::Type => help.to_string(),
        });
        for later in group.iter().skip(1) {
            diagnostic = diagnostic.with_secondary(later.span, "also used here");
        }
        res.push(diagnostic);
    }
    res
}
