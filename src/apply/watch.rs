//! Progress of a long step while it runs, read on a second connection from
//! what PostgreSQL reports about the apply's session: the
//! `pg_stat_progress_create_index` view for `CREATE INDEX CONCURRENTLY`
//! (phase, blocks or tuples done of total), and for a batched backfill the
//! counters its DO block writes into its own `application_name`
//! (`schemac:backfill:ROWS:TOTAL:PAGE:PAGES`, see
//! `plan::strategy::add_column`).
//!
//!
//! `ALTER TABLE ... VALIDATE CONSTRAINT` has no progress view in
//! PostgreSQL 13-17, and nothing else a second session can read moves
//! while it runs: measured on PostgreSQL 15 with a 4,000,000-row table
//! (322 MB) whose CHECK took 30 s to validate and an FK, every
//! `pg_stat_progress_*` view was empty for the backend, and the table's
//! `pg_statio_user_tables` / `pg_stat_user_tables` counters stayed at 0
//! until the transaction ended (a backend publishes its statistics only
//! then); `pg_buffercache` showed the table's cached pages, not the scan's
//! position. So a validation reports what is true and useful instead of a
//! percent: the size of the table it scans (`pg_relation_size`, the
//! planner's row estimate), whether the backend is scanning, reading from
//! disk or waiting for a lock (`pg_stat_activity.wait_event`), and the
//! time so far (docs/apply.md, "Progress").
//!
//! Invariants: read only, and never in the way of the step: the watch
//! connects only once the step has run for [`FIRST_POLL`], polls every
//! [`POLL`], never waits for a lock longer than [`WATCH_LOCK_TIMEOUT`],
//! and any failure (no privilege, a pooler, a lost connection) ends the
//! watch silently while the step runs on.

use super::progress::{Event, Progress, StepProgress};
use crate::live::ConnParams;
use crate::model::{Ident, QualifiedName};
use crate::plan::{Action, Step, TableSize};
use std::time::{Duration, Instant};
use tokio_postgres::Client;

/// The first poll, after the step has run this long.
pub const FIRST_POLL: Duration = Duration::from_secs(1);
/// Between polls.
pub const POLL: Duration = Duration::from_secs(1);

const CREATE_INDEX_PROGRESS: &str = "SELECT phase, blocks_done, blocks_total, tuples_done, \
     tuples_total, partitions_done, partitions_total \
     FROM pg_stat_progress_create_index WHERE pid = $1";

const APPLICATION_NAME: &str = "SELECT application_name FROM pg_stat_activity WHERE pid = $1";

/// What the validating backend waits for, if anything.
const WAIT_EVENT: &str = "SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE pid = $1";

/// The size of the table a validation scans: pages, the planner's row
/// estimate (-1: never analysed) and bytes on disk.
const TABLE_SIZE: &str = "SELECT c.relpages::bigint, c.reltuples::bigint, \
     pg_relation_size(c.oid) FROM pg_class c WHERE c.oid = to_regclass($1)";

/// The same without `pg_relation_size`, which waits for a lock on the
/// table: bytes from the page count of the last VACUUM or ANALYZE.
const TABLE_SIZE_UNLOCKED: &str = "SELECT c.relpages::bigint, c.reltuples::bigint, \
     c.relpages::bigint * current_setting('block_size')::bigint \
     FROM pg_class c WHERE c.oid = to_regclass($1)";

/// The longest the watch's own queries wait for a lock.
pub const WATCH_LOCK_TIMEOUT: Duration = Duration::from_millis(200);

/// What can be watched of a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Watched {
    IndexBuild,
    Backfill,
    /// `ALTER TABLE table VALIDATE CONSTRAINT constraint`.
    Validate {
        table: QualifiedName,
        constraint: Ident,
    },
}

/// The kind of progress `step` reports, if any.
pub fn watched(step: &Step) -> Option<Watched> {
    match &step.action {
        Action::CreateIndex { .. } => Some(Watched::IndexBuild),
        Action::Backfill { .. } => Some(Watched::Backfill),
        Action::ValidateConstraint { table, name } => Some(Watched::Validate {
            table: table.clone(),
            constraint: name.clone(),
        }),
        _ => None,
    }
}

/// Polls the progress of backend `pid` running step `number` and reports
/// it; returns only when the watch gives up (the caller races it against
/// the step, so the step's end drops it).
pub async fn watch(
    conn: &ConnParams,
    pid: i32,
    what: Watched,
    number: usize,
    total: usize,
    progress: &dyn Progress,
) {
    let started = Instant::now();
    tokio::time::sleep(FIRST_POLL).await;
    let Ok((client, task)) = conn.connect().await else {
        return;
    };
    let lock_timeout = format!("SET lock_timeout = {}", WATCH_LOCK_TIMEOUT.as_millis());
    if client.batch_execute(&lock_timeout).await.is_err() {
        task.abort();
        return;
    }
    let size = match &what {
        Watched::Validate { table, .. } => table_size(&client, table).await,
        Watched::IndexBuild | Watched::Backfill => None,
    };
    let mut last = None;
    loop {
        let Ok(Some(now)) = poll(&client, pid, &what, size, started.elapsed()).await else {
            break;
        };
        if last.as_ref() != Some(&now) {
            progress.report(&Event::StepProgress {
                number,
                total,
                progress: &now,
            });
            last = Some(now);
        }
        tokio::time::sleep(POLL).await;
    }
    drop(client);
    task.abort();
}

/// The size of `table` now (its planner statistics when its size cannot
/// be read without waiting for a lock); `None` when it cannot be read.
async fn table_size(client: &Client, table: &QualifiedName) -> Option<TableSize> {
    let name = table.to_string();
    let row = match client.query_opt(TABLE_SIZE, &[&name]).await {
        Ok(row) => row,
        Err(_) => client.query_opt(TABLE_SIZE_UNLOCKED, &[&name]).await.ok()?,
    }?;
    let rows: i64 = row.get(1);
    Some(TableSize {
        rows: (rows >= 0).then_some(rows),
        bytes: row.get(2),
    })
}

/// One reading; `Ok(None)` when there is nothing to show (yet).
async fn poll(
    client: &Client,
    pid: i32,
    what: &Watched,
    size: Option<TableSize>,
    elapsed: Duration,
) -> Result<Option<StepProgress>, tokio_postgres::Error> {
    match what {
        Watched::Validate { table, constraint } => {
            let rows = client.query(WAIT_EVENT, &[&pid]).await?;
            let Some(row) = rows.first() else {
                return Ok(None);
            };
            let wait = (
                row.get::<_, Option<String>>(0),
                row.get::<_, Option<String>>(1),
            );
            Ok(Some(validate_progress(
                table, constraint, size, wait, elapsed,
            )))
        }
        Watched::IndexBuild => {
            let rows = client.query(CREATE_INDEX_PROGRESS, &[&pid]).await?;
            Ok(Some(match rows.first() {
                Some(row) => index_progress(
                    row.get(0),
                    [
                        row.get(1),
                        row.get(2),
                        row.get(3),
                        row.get(4),
                        row.get(5),
                        row.get(6),
                    ],
                ),
                None => StepProgress {
                    phase: "waiting to start the index build".to_string(),
                    done: 0,
                    total: 0,
                    unit: "blocks",
                },
            }))
        }
        Watched::Backfill => {
            let rows = client.query(APPLICATION_NAME, &[&pid]).await?;
            Ok(rows
                .first()
                .and_then(|row| row.get::<_, Option<String>>(0))
                .map(|name| backfill_progress(&name)))
        }
    }
}

/// What a validation reports: the table it scans and its size, what the
/// backend does (scanning, reading from disk, waiting for a lock) and for
/// how long. No done-of-total: PostgreSQL has none for VALIDATE.
fn validate_progress(
    table: &QualifiedName,
    constraint: &Ident,
    size: Option<TableSize>,
    wait: (Option<String>, Option<String>),
    elapsed: Duration,
) -> StepProgress {
    let size = size.map_or_else(
        || "size unknown".to_string(),
        crate::render::describe_table_size,
    );
    let doing = match (wait.0.as_deref(), wait.1.as_deref()) {
        (Some("Lock"), Some(event)) => format!("waiting for a lock ({event})"),
        (Some("Lock"), None) => "waiting for a lock".to_string(),
        (Some("IO"), _) => "scanning, reading from disk".to_string(),
        _ => "scanning".to_string(),
    };
    StepProgress {
        phase: format!(
            "validating {constraint} on {table} ({size}): {doing}, {} so far \
             (PostgreSQL reports no progress for VALIDATE)",
            super::progress::seconds(elapsed)
        ),
        done: 0,
        total: 0,
        unit: "rows",
    }
}

/// The reading of `pg_stat_progress_create_index`: blocks while the table
/// is scanned, tuples while they are sorted or loaded, partitions of a
/// partitioned index.
fn index_progress(phase: String, counters: [i64; 6]) -> StepProgress {
    let [blocks_done, blocks_total, tuples_done, tuples_total, parts_done, parts_total] =
        counters.map(|value| u64::try_from(value).unwrap_or(0));
    let (done, total, unit) = if blocks_total > 0 {
        (blocks_done, blocks_total, "blocks")
    } else if tuples_total > 0 {
        (tuples_done, tuples_total, "tuples")
    } else if parts_total > 0 {
        (parts_done, parts_total, "partitions")
    } else {
        (0, 0, "blocks")
    };
    StepProgress {
        phase,
        done,
        total,
        unit,
    }
}

/// The backfill's own report, `schemac:backfill:ROWS:TOTAL:PAGE:PAGES`:
/// rows done of the estimated total, and percent by pages. Any other name
/// (the block has not written one yet, or has finished) reads as the
/// second pass over rows the first one missed.
fn backfill_progress(application_name: &str) -> StepProgress {
    let numbers: Option<Vec<u64>> =
        application_name
            .strip_prefix("schemac:backfill:")
            .map(|rest| {
                rest.split(':')
                    .filter_map(|part| part.parse().ok())
                    .collect()
            });
    match numbers.as_deref() {
        Some(&[rows, estimate, page, pages]) => StepProgress {
            phase: format!("backfill: {rows} of about {estimate} rows updated"),
            done: page,
            total: pages,
            unit: "pages",
        },
        _ => StepProgress {
            phase: "backfill: updating the remaining rows".to_string(),
            done: 0,
            total: 0,
            unit: "rows",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_progress_prefers_blocks_then_tuples() {
        let scanning = index_progress(
            "building index: scanning table".to_string(),
            [250, 1000, 0, 0, 0, 0],
        );
        assert_eq!(
            scanning.describe(),
            "building index: scanning table, 250 of 1000 blocks (25%)"
        );
        let loading = index_progress(
            "building index: loading tuples in tree".to_string(),
            [0, 0, 30, 60, 0, 0],
        );
        assert_eq!(
            loading.describe(),
            "building index: loading tuples in tree, 30 of 60 tuples (50%)"
        );
        let waiting = index_progress("waiting for old snapshots".to_string(), [0; 6]);
        assert_eq!(waiting.describe(), "waiting for old snapshots");
    }

    #[test]
    fn validate_progress_says_size_state_and_time_but_no_percent() {
        let table = QualifiedName::public("big");
        let constraint = Ident::new("big_check");
        let size = Some(TableSize {
            rows: Some(4_000_086),
            bytes: 337_821_696,
        });
        let scanning = validate_progress(
            &table,
            &constraint,
            size,
            (None, None),
            Duration::from_millis(12_300),
        );
        assert_eq!(
            scanning.describe(),
            "validating big_check on public.big (about 4,000,086 rows, 322.2 MiB): scanning, \
             12.3s so far (PostgreSQL reports no progress for VALIDATE)"
        );
        assert_eq!(scanning.percent(), None);
        let waiting = validate_progress(
            &table,
            &constraint,
            Some(TableSize {
                rows: None,
                bytes: 8192,
            }),
            (Some("Lock".to_string()), Some("relation".to_string())),
            Duration::from_secs(2),
        );
        assert_eq!(
            waiting.describe(),
            "validating big_check on public.big (rows unknown (never analysed), 8.0 KiB): waiting \
             for a lock (relation), 2.0s so far (PostgreSQL reports no progress for VALIDATE)"
        );
        let reading = validate_progress(
            &table,
            &constraint,
            None,
            (Some("IO".to_string()), Some("DataFileRead".to_string())),
            Duration::from_secs(1),
        );
        assert!(
            reading
                .describe()
                .contains("(size unknown): scanning, reading from disk"),
            "{}",
            reading.describe()
        );
    }

    #[test]
    fn backfill_progress_reads_the_blocks_counters() {
        let progress = backfill_progress("schemac:backfill:1200:5000:64:256");
        assert_eq!(
            progress.describe(),
            "backfill: 1200 of about 5000 rows updated, 64 of 256 pages (25%)"
        );
        assert_eq!(
            backfill_progress("schemac").phase,
            "backfill: updating the remaining rows"
        );
    }
}
