//! The live Model: what `plan --db`, `apply` and `inspect` compare with.
//!
//! Invariants: one introspection snapshot, split over two connections
//! when a second one can be opened (see
//! [`crate::introspect::introspect_sharded`]); the helper connection is
//! closed before [`read_live`] returns. schemac's own schema is never
//! part of the Model. INVALID indexes (a failed or running `CREATE INDEX
//! CONCURRENTLY`) are in the Model marked `invalid` (the plan rebuilds
//! the ones the schema wants and leaves the others alone) and named in
//! notes; nothing here changes the database (apply drops the ones it
//! left itself).

use super::session::Session;
use super::LiveError;
use crate::introspect::{self, Filter, IntrospectError, IntrospectOptions};
use crate::live::ConnParams;
use crate::model::Model;
use tokio_postgres::Client;

/// The introspected database.
#[derive(Debug, Clone)]
pub struct LiveModel {
    /// [`crate::plan::saved::fingerprint`] of everything read (schemac's
    /// own schema left out), as `apply --plan` computes it; only when
    /// asked for (it plans the whole database from empty: 0.8 s at 10,000
    /// tables).
    pub fingerprint: Option<String>,
    /// The current schema to plan from (INVALID indexes marked
    /// `invalid`).
    pub current: Model,
    /// INVALID indexes, as `schema.table.index`.
    pub invalid_indexes: Vec<String>,
    /// Major version of the server (e.g. 15).
    pub server_version: u32,
}

/// Introspects through `client` (schemac's own schema left out) and
/// names the INVALID indexes.
///
/// A second connection to `conn` is opened for the catalog queries to be
/// split over both and closed again; when it cannot be opened, `client`
/// reads alone.
pub async fn read_live(
    client: &Client,
    conn: &ConnParams,
    filter: &Filter,
    fingerprint: bool,
) -> Result<LiveModel, LiveError> {
    let helper = Session::open(conn).await.ok();
    let read = introspect::introspect_sharded(
        client,
        helper.as_ref().map(|helper| &helper.client),
        filter,
        IntrospectOptions::default(),
    )
    .await;
    if let Some(helper) = helper {
        helper.close().await;
    }
    let (mut current, stats) = read?;
    crate::apply::history::strip_own_schema(&mut current);
    let fingerprint = fingerprint.then(|| crate::plan::saved::fingerprint(&current));
    let mut invalid_indexes = Vec::new();
    let invalid = introspect::invalid_indexes(client)
        .await
        .map_err(|err| match err {
            IntrospectError::Query {
                message, source, ..
            } => LiveError::Database {
                action: "reading INVALID indexes",
                message,
                source,
            },
            other => other.into(),
        })?;
    for (table, index) in invalid {
        let found = current
            .tables
            .get(&table)
            .map(|table| table.indexes.contains_key(&index))
            .or_else(|| {
                current
                    .views
                    .get(&table)
                    .map(|view| view.indexes.contains_key(&index))
            })
            .unwrap_or(false);
        if found {
            invalid_indexes.push(format!("{table}.{index}"));
        }
    }
    let server_version = u32::try_from(stats.server_version / 10000).unwrap_or(15);
    Ok(LiveModel {
        fingerprint,
        current,
        invalid_indexes,
        server_version,
    })
}

/// Notes about the INVALID indexes [`read_live`] found.
pub fn invalid_index_notes(live: &LiveModel) -> Vec<String> {
    live.invalid_indexes
        .iter()
        .map(|index| {
            format!(
                "index {index} is INVALID (a failed or still running CREATE INDEX CONCURRENTLY): \
                 rebuilt when the schema declares it, else left alone"
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_indexes_are_noted() {
        let live = LiveModel {
            fingerprint: None,
            current: Model::default(),
            invalid_indexes: vec!["public.t.t_c_idx".to_string()],
            server_version: 15,
        };
        let notes = invalid_index_notes(&live);
        insta::assert_snapshot!(notes.join("\n"), @"index public.t.t_c_idx is INVALID (a failed or still running CREATE INDEX CONCURRENTLY): rebuilt when the schema declares it, else left alone");
    }
}
