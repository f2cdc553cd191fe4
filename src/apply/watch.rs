//! Progress of a long step while it runs, read on a second connection from
//! what PostgreSQL reports about the apply's session: the
//! `pg_stat_progress_create_index` view for `CREATE INDEX CONCURRENTLY`
//! (phase, blocks or tuples done of total), and for a batched backfill the
//! counters its DO block writes into its own `application_name`
//! (`schemac:backfill:ROWS:TOTAL:PAGE:PAGES`, see
//! `plan::strategy::add_column`).
//!
//! Invariants: read only, and never in the way of the step: the watch
//! connects only once the step has run for [`FIRST_POLL`], polls every
//! [`POLL`], and any failure (no privilege, a pooler, a lost connection)
//! ends the watch silently while the step runs on. PostgreSQL has no
//! progress view for `VALIDATE CONSTRAINT`; such steps show their elapsed
//! time only.

use super::progress::{Event, Progress, StepProgress};
use crate::live::ConnParams;
use crate::plan::{Action, Step};
use std::time::Duration;
use tokio_postgres::Client;

/// The first poll, after the step has run this long.
pub const FIRST_POLL: Duration = Duration::from_secs(1);
/// Between polls.
pub const POLL: Duration = Duration::from_secs(1);

const CREATE_INDEX_PROGRESS: &str = "SELECT phase, blocks_done, blocks_total, tuples_done, \
     tuples_total, partitions_done, partitions_total \
     FROM pg_stat_progress_create_index WHERE pid = $1";

const APPLICATION_NAME: &str = "SELECT application_name FROM pg_stat_activity WHERE pid = $1";

/// What can be watched of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watched {
    IndexBuild,
    Backfill,
}

/// The kind of progress `step` reports, if any.
pub fn watched(step: &Step) -> Option<Watched> {
    match &step.action {
        Action::CreateIndex { .. } => Some(Watched::IndexBuild),
        Action::Backfill { .. } => Some(Watched::Backfill),
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
    tokio::time::sleep(FIRST_POLL).await;
    let Ok((client, task)) = conn.connect().await else {
        return;
    };
    let mut last = None;
    loop {
        let Ok(Some(now)) = poll(&client, pid, what).await else {
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

/// One reading; `Ok(None)` when there is nothing to show (yet).
async fn poll(
    client: &Client,
    pid: i32,
    what: Watched,
) -> Result<Option<StepProgress>, tokio_postgres::Error> {
    match what {
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
