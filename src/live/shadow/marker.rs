//! What schemac creates in a user's `--shadow-db`, recorded there before
//! the build (`schemac.shadow_objects`, one row per top-level object of
//! the desired schema) and removed after the shadow is emptied again. A
//! run killed during the build leaves both the half-built schema and this
//! record; the next run empties the shadow when everything in it is
//! recorded, and refuses (naming the object) when something is not: an
//! object schemac did not create is never dropped.
//!
//! Invariants: the record commits before the first statement of the
//! build; it is replaced, never merged, by each build; schemac's own
//! schema is left out of introspection, so the record never counts as
//! content of the shadow.

use super::{exec, ShadowError};
use crate::introspect::error_message;
use crate::model::Model;
use std::collections::BTreeSet;
use tokio_postgres::Client;

/// The top-level objects of `model`, one string each (`table public.t`).
/// Objects inside a table (columns, constraints, indexes, policies,
/// triggers) go with it; functions are named without argument types.
pub(super) fn objects(model: &Model) -> BTreeSet<String> {
    let mut res = BTreeSet::new();
    res.extend(model.schemas.keys().map(|name| format!("schema {name}")));
    res.extend(
        model
            .extensions
            .keys()
            .map(|name| format!("extension {name}")),
    );
    res.extend(model.enums.keys().map(|name| format!("type {name}")));
    res.extend(model.domains.keys().map(|name| format!("domain {name}")));
    res.extend(
        model
            .sequences
            .keys()
            .map(|name| format!("sequence {name}")),
    );
    res.extend(model.tables.keys().map(|name| format!("table {name}")));
    res.extend(model.views.keys().map(|name| format!("view {name}")));
    res.extend(
        model
            .functions
            .keys()
            .map(|id| format!("function {}", id.name)),
    );
    res
}

/// The first object of `existing` that `recorded` does not list.
pub(super) fn unrecorded(existing: &Model, recorded: &BTreeSet<String>) -> Option<String> {
    objects(existing)
        .into_iter()
        .find(|object| !recorded.contains(object))
}

/// Records `objects` as what the coming build creates (committed).
pub(super) async fn record(client: &Client, objects: &BTreeSet<String>) -> Result<(), ShadowError> {
    exec(
        client,
        &format!(
            "{}
         CREATE SCHEMA IF NOT EXISTS schemac;
         CREATE TABLE IF NOT EXISTS schemac.shadow_objects (object text PRIMARY KEY);
         DELETE FROM schemac.shadow_objects",
            crate::apply::history::NO_SCHEMA_SHARDING
        ),
        "recording what schemac builds in the shadow database",
    )
    .await?;
    let list: Vec<&str> = objects.iter().map(String::as_str).collect();
    client
        .execute(
            "INSERT INTO schemac.shadow_objects SELECT unnest($1::text[])",
            &[&list],
        )
        .await
        .map_err(|source| ShadowError::Database {
            action: "recording what schemac builds in the shadow database",
            message: error_message(&source),
            source,
        })?;
    Ok(())
}

/// What an earlier build recorded (None when there is no record).
pub(super) async fn recorded(client: &Client) -> Result<Option<BTreeSet<String>>, ShadowError> {
    let database_error = |source: tokio_postgres::Error| ShadowError::Database {
        action: "reading what schemac built in the shadow database",
        message: error_message(&source),
        source,
    };
    let present = client
        .query_one(
            "SELECT to_regclass('schemac.shadow_objects') IS NOT NULL AS present",
            &[],
        )
        .await
        .map_err(database_error)?;
    if !present.try_get::<_, bool>("present").unwrap_or(false) {
        return Ok(None);
    }
    let rows = client
        .query("SELECT object FROM schemac.shadow_objects", &[])
        .await
        .map_err(database_error)?;
    Ok(Some(
        rows.iter()
            .filter_map(|row| row.try_get::<_, String>(0).ok())
            .collect(),
    ))
}

/// Removes the record (after the shadow was emptied).
pub(super) async fn clear(client: &Client) -> Result<(), ShadowError> {
    exec(
        client,
        "DROP TABLE IF EXISTS schemac.shadow_objects",
        "removing schemac's record from the shadow database",
    )
    .await?;
    // The schema goes too when nothing else is in it.
    let _ = client
        .batch_execute("DROP SCHEMA IF EXISTS schemac RESTRICT")
        .await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Ident, QualifiedName, Schema, Table};

    #[test]
    fn only_recorded_objects_may_be_dropped() {
        let mut desired = Model::default();
        desired.schemas.insert(
            Ident::new("app"),
            Schema {
                name: Ident::new("app"),
                comment: None,
                distributed: false,
                meta: Default::default(),
            },
        );
        for name in [QualifiedName::new("app", "a"), QualifiedName::public("b")] {
            desired.tables.insert(name.clone(), Table::new(name));
        }
        let recorded = objects(&desired);
        assert_eq!(
            recorded.iter().map(String::as_str).collect::<Vec<_>>(),
            vec!["schema app", "table app.a", "table public.b"]
        );
        let mut left = desired.clone();
        left.tables.remove(&QualifiedName::public("b"));
        assert_eq!(unrecorded(&left, &recorded), None);
        let user = QualifiedName::public("users");
        left.tables.insert(user.clone(), Table::new(user));
        assert_eq!(
            unrecorded(&left, &recorded).as_deref(),
            Some("table public.users")
        );
    }
}
