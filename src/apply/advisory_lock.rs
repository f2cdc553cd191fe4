//! The advisory lock that keeps two applies on one database from running
//! at once: a session-level `pg_try_advisory_lock` on a constant key
//! ([`APPLY_LOCK_KEY`]). Advisory locks are per
//! database, so applies to different databases never wait for each other.
//!
//! Invariants:
//! - The lock is taken with the *try* form and polled, never queued with
//!   `pg_advisory_lock`: waiting stays interruptible and bounded, and the
//!   waiting apply names the pid it waits for.
//! - The lock is session-level (a non-transactional step commits on its
//!   own, so no transaction spans the whole apply). The caller releases it
//!   at the end, on success and on error; a lost connection releases it
//!   too. Behind a transaction-mode pooler (PgBouncer) session state is
//!   unreliable: connect to the server directly to apply.

use super::history::database_error;
use super::ApplyError;
use tokio_postgres::Client;

/// The advisory lock key of schemac applies: the FNV-1a 64 hash of
/// `schemac`, kept as a literal so that every schemac version, past and
/// future, takes the same lock.
pub const APPLY_LOCK_KEY: i64 = 0x0527_9c15_f9a2_6eef;

/// Tries once to take the lock. `true`: this session holds it now.
pub async fn try_lock(client: &Client) -> Result<bool, ApplyError> {
    let row = client
        .query_one(
            "SELECT pg_try_advisory_lock($1) AS locked",
            &[&APPLY_LOCK_KEY],
        )
        .await
        .map_err(|source| database_error("taking the schemac advisory lock", source))?;
    Ok(row.try_get("locked").unwrap_or(false))
}

/// The pid of the session holding the lock, if any (another apply).
pub async fn holder(client: &Client) -> Result<Option<i32>, ApplyError> {
    let rows = client
        .query(
            "SELECT pid FROM pg_locks
             WHERE locktype = 'advisory' AND granted AND objsubid = 1
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND ((classid::int8 << 32) | objid::int8) = $1
               AND pid <> pg_backend_pid()",
            &[&APPLY_LOCK_KEY],
        )
        .await
        .map_err(|source| database_error("looking for the other schemac apply", source))?;
    Ok(rows.first().and_then(|row| row.try_get("pid").ok()))
}

/// Releases the lock. Returns whether this session held it.
pub async fn unlock(client: &Client) -> Result<bool, ApplyError> {
    let row = client
        .query_one(
            "SELECT pg_advisory_unlock($1) AS released",
            &[&APPLY_LOCK_KEY],
        )
        .await
        .map_err(|source| database_error("releasing the schemac advisory lock", source))?;
    Ok(row.try_get("released").unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_never_changes() {
        // Changing it would let two schemac versions apply at once.
        assert_eq!(APPLY_LOCK_KEY, 371_437_112_477_773_551);
    }
}
