//! What the live session reads besides the schema: table sizes for the
//! planner's statistics, and the INVALID indexes a failed or running
//! `CREATE INDEX CONCURRENTLY` leaves behind.
//!
//! Invariants: read only, like the rest of `introspect`. The size query
//! touches only the tables it is given (the size functions take `ACCESS
//! SHARE` on each relation they measure, and thousands of them would
//! exhaust the lock table), in a read-only transaction with a short
//! `lock_timeout` so that it never queues behind DDL. Failures name the
//! object kind and carry the server's message as `IntrospectError::Query`
//! (never `LockTimeout`), so callers can show that message as it is.

use super::{error_message, IntrospectError};
use crate::model::{Ident, QualifiedName};
use std::collections::BTreeMap;
use tokio_postgres::Client;

/// Estimated rows and total size of named tables.
const TABLE_STATS: &str = include_str!("queries/table_stats.sql");

/// INVALID indexes outside the system schemas.
const INVALID_INDEXES: &str = include_str!("queries/invalid_indexes.sql");

/// Estimated rows (`reltuples`) and total size in bytes
/// (`pg_total_relation_size`, indexes and TOAST included) of one table; a
/// partitioned table sums its leaves. `rows` is `None` when PostgreSQL
/// has no estimate (a table never vacuumed or analysed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableStats {
    pub rows: Option<i64>,
    pub bytes: i64,
}

/// The statistics of `tables` (those that exist), in one query. Rows that
/// cannot be read are left out rather than failing the whole read.
pub async fn table_stats(
    client: &Client,
    tables: &[&QualifiedName],
) -> Result<BTreeMap<QualifiedName, TableStats>, IntrospectError> {
    if tables.is_empty() {
        return Ok(BTreeMap::new());
    }
    let schemas: Vec<&str> = tables.iter().map(|name| name.schema.as_str()).collect();
    let names: Vec<&str> = tables.iter().map(|name| name.name.as_str()).collect();
    client
        .batch_execute("BEGIN READ ONLY; SET LOCAL lock_timeout = '2s'")
        .await
        .map_err(stats_error)?;
    let rows = client.query(TABLE_STATS, &[&schemas, &names]).await;
    let end = if rows.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let ended = client.batch_execute(end).await;
    let rows = rows.map_err(stats_error)?;
    ended.map_err(stats_error)?;
    let mut res = BTreeMap::new();
    for row in rows {
        let (Ok(schema), Ok(name), Ok(rows), Ok(bytes)) = (
            row.try_get::<_, String>(0),
            row.try_get::<_, String>(1),
            row.try_get::<_, Option<i64>>(2),
            row.try_get::<_, i64>(3),
        ) else {
            continue;
        };
        res.insert(QualifiedName::new(schema, name), TableStats { rows, bytes });
    }
    Ok(res)
}

/// INVALID indexes outside the system schemas, as `(table, index)`,
/// sorted. The caller's filter is not applied: an INVALID index is left
/// out of a Model only if that Model has it.
pub async fn invalid_indexes(
    client: &Client,
) -> Result<Vec<(QualifiedName, Ident)>, IntrospectError> {
    let rows =
        client
            .query(INVALID_INDEXES, &[])
            .await
            .map_err(|source| IntrospectError::Query {
                object_kind: "INVALID indexes",
                message: error_message(&source),
                source,
            })?;
    Ok(rows
        .iter()
        .map(|row| {
            let column = |idx: usize| row.try_get::<_, String>(idx).unwrap_or_default();
            (
                QualifiedName::new(column(0), column(1)),
                Ident::new(column(2)),
            )
        })
        .collect())
}

fn stats_error(source: tokio_postgres::Error) -> IntrospectError {
    IntrospectError::Query {
        object_kind: "table statistics",
        message: error_message(&source),
        source,
    }
}
