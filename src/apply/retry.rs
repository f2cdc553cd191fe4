//! Lock timeouts: recognising them, the backoff between attempts, and,
//! when the last attempt fails, finding who holds the lock.
//!
//! A step runs with a short `lock_timeout`, so it never queues behind a
//! long transaction while everyone else queues behind it
//! (https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT).
//! A timeout (SQLSTATE 55P03, `lock_not_available`) is retried after an
//! exponentially growing pause; after the last attempt the sessions that
//! hold a conflicting lock on the step's relations are looked up in
//! `pg_locks` and `pg_stat_activity` and named in the error.
//!
//! Which held locks block a step is [`LockMode::conflicts_with`], the
//! table-level conflict matrix.

use super::history::database_error;
use super::ApplyError;
use crate::plan::{LockMode, Step};
use std::time::Duration;
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

/// True for a lock timeout (55P03).
pub fn is_lock_timeout(error: &tokio_postgres::Error) -> bool {
    error.code() == Some(&SqlState::LOCK_NOT_AVAILABLE)
}

/// The pause after failed attempt `attempt` (1-based): `initial`, doubled
/// per attempt, at most `max`.
pub fn backoff(attempt: u32, initial: Duration, max: Duration) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
    initial.saturating_mul(factor).min(max)
}

/// A session holding a lock that conflicts with a step's.
#[derive(Debug, Clone, PartialEq)]
pub struct Blocker {
    pub pid: i32,
    /// `idle in transaction`, `active`, ...
    pub state: String,
    /// The start of its current statement (one line, at most 120 chars).
    pub query: String,
    /// Seconds since its transaction (or statement) began.
    pub seconds: f64,
    /// `AccessExclusiveLock`, as pg_locks spells it.
    pub mode: String,
    /// The locked relation.
    pub relation: String,
}

impl std::fmt::Display for Blocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {} holds {} on {} ({}, for {:.0}s): {}",
            self.pid, self.mode, self.relation, self.state, self.seconds, self.query
        )
    }
}

/// The sessions holding a lock that conflicts with what `step` needs on
/// its relations, longest-running first. A step without recorded locks
/// is taken to need ACCESS EXCLUSIVE on its table.
pub async fn blockers(client: &Client, step: &Step) -> Result<Vec<Blocker>, ApplyError> {
    let mut wanted: Vec<(String, LockMode)> = step
        .locks
        .iter()
        .map(|lock| (lock.relation.to_string(), lock.mode))
        .collect();
    if wanted.is_empty() {
        if let Some(table) = &step.table {
            wanted.push((table.to_string(), LockMode::AccessExclusive));
        }
    }
    let relations: Vec<String> = wanted.iter().map(|(name, _)| name.clone()).collect();
    let rows = client
        .query(BLOCKERS, &[&relations])
        .await
        .map_err(|source| database_error("looking for the blocking lock", source))?;
    let mut res = Vec::new();
    for row in rows {
        let blocker = Blocker {
            pid: row.try_get("pid").unwrap_or(0),
            state: row
                .try_get::<_, Option<String>>("state")
                .ok()
                .flatten()
                .unwrap_or_default(),
            query: one_line(
                &row.try_get::<_, Option<String>>("query")
                    .ok()
                    .flatten()
                    .unwrap_or_default(),
            ),
            seconds: row.try_get("seconds").unwrap_or(0.0),
            mode: row.try_get("mode").unwrap_or_default(),
            relation: row.try_get("relation").unwrap_or_default(),
        };
        let input: String = row.try_get("input").unwrap_or_default();
        let conflicts = wanted.iter().any(|(relation, mode)| {
            *relation == input
                && pg_lock_mode(&blocker.mode).is_some_and(|held| mode.conflicts_with(held))
        });
        if conflicts && !res.iter().any(|other: &Blocker| other.pid == blocker.pid) {
            res.push(blocker);
        }
    }
    Ok(res)
}

/// One line per blocker, or what was looked at when none is left.
pub fn describe(blockers: &[Blocker], step: &Step) -> String {
    if blockers.is_empty() {
        let relations: Vec<String> = step
            .locks
            .iter()
            .map(|lock| lock.relation.to_string())
            .collect();
        return format!(
            "no session holds a conflicting lock on {} any more",
            if relations.is_empty() {
                "the step's relations".to_string()
            } else {
                relations.join(", ")
            }
        );
    }
    blockers
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Granted relation locks of other sessions on the given relations
/// (names as printed by `QualifiedName`, resolved with `to_regclass`).
const BLOCKERS: &str = "SELECT r.input, l.pid, a.state, left(a.query, 300) AS query,
       extract(epoch FROM clock_timestamp() - coalesce(a.xact_start, a.query_start, a.backend_start))::float8 AS seconds,
       l.mode, l.relation::regclass::text AS relation
FROM unnest($1::text[]) AS r(input)
JOIN pg_locks l ON l.locktype = 'relation' AND l.relation = to_regclass(r.input)
JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.granted AND l.pid <> pg_backend_pid()
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY seconds DESC, l.pid";

/// A `pg_locks.mode` as a [`LockMode`].
pub fn pg_lock_mode(mode: &str) -> Option<LockMode> {
    let res = match mode {
        "AccessShareLock" => LockMode::AccessShare,
        "RowShareLock" => LockMode::RowShare,
        "RowExclusiveLock" => LockMode::RowExclusive,
        "ShareUpdateExclusiveLock" => LockMode::ShareUpdateExclusive,
        "ShareLock" => LockMode::Share,
        "ShareRowExclusiveLock" => LockMode::ShareRowExclusive,
        "ExclusiveLock" => LockMode::Exclusive,
        "AccessExclusiveLock" => LockMode::AccessExclusive,
        _ => return None,
    };
    Some(res)
}

/// The first line of a statement, at most 120 characters.
fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 120 {
        let cut: String = line.chars().take(117).collect();
        format!("{cut}...")
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let initial = Duration::from_millis(500);
        let max = Duration::from_secs(3);
        let waits: Vec<u128> = (1..=5)
            .map(|attempt| backoff(attempt, initial, max).as_millis())
            .collect();
        assert_eq!(waits, vec![500, 1000, 2000, 3000, 3000]);
        assert_eq!(backoff(200, initial, max), max);
    }

    #[test]
    fn pg_lock_modes_parse() {
        assert_eq!(
            pg_lock_mode("AccessExclusiveLock"),
            Some(LockMode::AccessExclusive)
        );
        assert_eq!(
            pg_lock_mode("ShareUpdateExclusiveLock"),
            Some(LockMode::ShareUpdateExclusive)
        );
        assert_eq!(pg_lock_mode("SIReadLock"), None);
    }

    #[test]
    fn blockers_print_on_one_line() {
        let blocker = Blocker {
            pid: 4242,
            state: "idle in transaction".to_string(),
            query: one_line("LOCK TABLE t\n   IN ACCESS EXCLUSIVE MODE"),
            seconds: 12.4,
            mode: "AccessExclusiveLock".to_string(),
            relation: "t".to_string(),
        };
        insta::assert_snapshot!(blocker.to_string(), @"pid 4242 holds AccessExclusiveLock on t (idle in transaction, for 12s): LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
        assert_eq!(one_line(&"x".repeat(200)).chars().count(), 120);
    }
}
