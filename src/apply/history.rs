//! The apply history: schemac's own schema `schemac` and its two tables.
//! `schemac.apply_runs` has one row per run of a plan (an apply from its
//! first step, or a later apply resuming it), `schemac.apply_history` one
//! row per step of a run:
//!
//! ```sql
//! CREATE TABLE schemac.apply_runs (
//!     run_id            bigserial PRIMARY KEY,
//!     plan_id           text        NOT NULL,  -- crate::plan::saved::plan_id of the plan
//!     start_fingerprint text        NOT NULL,  -- the database state the plan was made for
//!     backend_pid       int         NOT NULL,  -- the session that runs (or last ran) it
//!     started_at        timestamptz NOT NULL,
//!     finished_at       timestamptz,
//!     status            text        NOT NULL
//!         CHECK (status IN ('running', 'done', 'failed', 'interrupted'))
//! );
//! CREATE TABLE schemac.apply_history (
//!     plan_id     text        NOT NULL,  -- the run's plan id
//!     step_index  int         NOT NULL,  -- 0-based position of the step in the plan
//!     step_sql    text        NOT NULL,  -- the statement, as executed
//!     description text        NOT NULL,  -- the step's one-line description
//!     started_at  timestamptz NOT NULL,  -- clock_timestamp() when the step started
//!     finished_at timestamptz,           -- when it ended (NULL while running)
//!     outcome     text        NOT NULL CHECK (outcome IN ('running', 'done', 'failed')),
//!     error       text,                  -- the server's message when it failed
//!     action      text,                  -- the step's typed action (JSON, see below)
//!     run_id      bigint                 -- the run (NULL for rows of schemac before runs)
//! );
//! CREATE UNIQUE INDEX apply_history_run_step ON schemac.apply_history (run_id, step_index);
//! ```
//!
//! `action` is the step's [`crate::plan::ActionRecord`] as JSON, the same
//! object the JSON plan shows. `action` and `run_id` were added after the
//! first release: an existing table gains them through `ADD COLUMN IF NOT
//! EXISTS` (and loses its old primary key on `(plan_id, step_index)`), and
//! rows written before have NULL there.
//!
//! Invariants:
//! - A run is keyed by its plan id and the state it started from (the
//!   plan id covers the fingerprint of that state). Only a run that did
//!   not finish is resumed ([`begin_run`]); a plan applied to completion
//!   and later applied again (schema a, b, a, b) starts a new run and runs
//!   every step again.
//! - Runs are begun only under the advisory lock, which a live apply holds
//!   for its whole session: a run still `running` then belongs to a session
//!   that is gone (a killed process, a lost connection), so it is marked
//!   `interrupted` and may be resumed.
//! - A transactional group writes its rows inside its own transaction, so
//!   a committed step always has its `done` row and a rolled-back one has
//!   none (a failure is recorded afterwards, outside the transaction).
//! - A non-transactional step is recorded `running` before it starts and
//!   `done` after it ends; a `running` row found later means the apply was
//!   interrupted during (or right after) that step.
//! - The schema is schemac's own: introspection leaves it out
//!   ([`exclude_own_schema`], [`strip_own_schema`]) so that a plan never
//!   proposes to drop it.
//! - Rows are only written while the apply holds the advisory lock.
//! - What a recorded step did is read from `action`, never from `step_sql`
//!   ([`unfinished_actions`]).

use super::ApplyError;
use crate::introspect::Filter;
use crate::model::Model;
use crate::plan::{Action, ActionRecord, Step};
use std::collections::BTreeMap;
use tokio_postgres::Client;

/// schemac's own schema.
pub const HISTORY_SCHEMA: &str = crate::introspect::OWN_SCHEMA;

/// The history table, schema-qualified.
pub const HISTORY_TABLE: &str = "schemac.apply_history";

/// What the history says about one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Running,
    Done,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Running => "running",
            Outcome::Done => "done",
            Outcome::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Option<Outcome> {
        [Outcome::Running, Outcome::Done, Outcome::Failed]
            .into_iter()
            .find(|outcome| outcome.as_str() == text)
    }
}

/// Leaves schemac's own schema out of an introspection filter.
pub fn exclude_own_schema(filter: &mut Filter) {
    if !filter
        .exclude_schemas
        .iter()
        .any(|schema| schema == HISTORY_SCHEMA)
    {
        filter.exclude_schemas.push(HISTORY_SCHEMA.to_string());
    }
}

/// Removes schemac's own schema and everything in it from a Model (for
/// Models introspected with a filter that did not leave it out).
pub fn strip_own_schema(model: &mut Model) {
    let own = |schema: &crate::model::Ident| schema.as_str() == HISTORY_SCHEMA;
    model.schemas.retain(|name, _| !own(name));
    model.enums.retain(|name, _| !own(&name.schema));
    model.domains.retain(|name, _| !own(&name.schema));
    model.composites.retain(|name, _| !own(&name.schema));
    model.sequences.retain(|name, _| !own(&name.schema));
    model.functions.retain(|id, _| !own(&id.name.schema));
    model.tables.retain(|name, _| !own(&name.schema));
    model.views.retain(|name, _| !own(&name.schema));
}

/// Citus with `citus.enable_schema_based_sharding` on distributes every
/// schema `CREATE SCHEMA` makes (or names, with `IF NOT EXISTS`): schemac's
/// own schema stays a plain one (the setting is turned off for this
/// statement's transaction, where Citus knows it).
pub(crate) const NO_SCHEMA_SHARDING: &str =
    "SELECT set_config('citus.enable_schema_based_sharding', 'off', true) \
     WHERE current_setting('citus.enable_schema_based_sharding', true) IS NOT NULL;";

const CREATE_HISTORY: &str = "CREATE SCHEMA IF NOT EXISTS schemac;
CREATE TABLE IF NOT EXISTS schemac.apply_runs (
    run_id bigserial PRIMARY KEY,
    plan_id text NOT NULL,
    start_fingerprint text NOT NULL,
    backend_pid int NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    status text NOT NULL CHECK (status IN ('running', 'done', 'failed', 'interrupted'))
);
CREATE TABLE IF NOT EXISTS schemac.apply_history (
    plan_id text NOT NULL,
    step_index int NOT NULL,
    step_sql text NOT NULL,
    description text NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    outcome text NOT NULL CHECK (outcome IN ('running', 'done', 'failed')),
    error text
);
ALTER TABLE schemac.apply_history ADD COLUMN IF NOT EXISTS action text;
ALTER TABLE schemac.apply_history ADD COLUMN IF NOT EXISTS run_id bigint;
ALTER TABLE schemac.apply_history DROP CONSTRAINT IF EXISTS apply_history_pkey;
CREATE UNIQUE INDEX IF NOT EXISTS apply_history_run_step
    ON schemac.apply_history (run_id, step_index)";

/// One run of a plan: the key of its rows in `schemac.apply_history`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunKey {
    pub plan_id: String,
    pub run_id: i64,
}

/// How a run ended (`schemac.apply_runs.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Done,
    Failed,
    Interrupted,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Done => "done",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
        }
    }
}

/// A run found `running` whose session is gone, now marked `interrupted`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleRun {
    pub run_id: i64,
    pub plan_id: String,
    pub backend_pid: i32,
}

/// What [`begin_run`] found and started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunStart {
    pub key: RunKey,
    /// An unfinished earlier run of the same plan is continued.
    pub resumed: bool,
    /// Runs left `running` by a session that is gone.
    pub interrupted: Vec<StaleRun>,
}

/// Creates the schema and table when missing. Call with the advisory lock
/// held (two concurrent `CREATE ... IF NOT EXISTS` may still collide).
pub async fn ensure_table(client: &Client) -> Result<(), ApplyError> {
    client
        .batch_execute(&format!("{NO_SCHEMA_SHARDING}\n{CREATE_HISTORY}"))
        .await
        .map_err(|source| database_error("creating schemac.apply_history", source))
}

/// Starts a run of `plan_id` (made for the database state `fingerprint`).
/// Call with the advisory lock held, after [`ensure_table`]: runs left
/// `running` are marked `interrupted` first (their session is gone, or it
/// would hold the lock), then the latest unfinished run of this plan is
/// resumed, or a new run begins.
pub async fn begin_run(
    client: &Client,
    plan_id: &str,
    fingerprint: &str,
) -> Result<RunStart, ApplyError> {
    let interrupted = mark_interrupted(client).await?;
    begin_after_marking(client, plan_id, fingerprint, interrupted).await
}

/// For an apply that finds nothing to do: runs left `running` by a killed
/// apply are marked `interrupted` all the same (when the history table
/// exists; nothing is created). Call with the advisory lock held.
pub async fn mark_stale_runs(client: &Client) -> Result<Vec<StaleRun>, ApplyError> {
    let exists: bool = client
        .query_one("SELECT to_regclass('schemac.apply_runs') IS NOT NULL", &[])
        .await
        .map_err(|source| database_error("looking for schemac.apply_runs", source))?
        .get(0);
    if !exists {
        return Ok(Vec::new());
    }
    mark_interrupted(client).await
}

/// Marks every run left `running` as `interrupted` (with the advisory lock
/// held, its session is gone), sorted by run id.
async fn mark_interrupted(client: &Client) -> Result<Vec<StaleRun>, ApplyError> {
    let stale = client
        .query(
            "UPDATE schemac.apply_runs SET status = 'interrupted', finished_at = clock_timestamp()
             WHERE status = 'running'
             RETURNING run_id, plan_id, backend_pid",
            &[],
        )
        .await
        .map_err(|source| {
            database_error("marking interrupted runs in schemac.apply_runs", source)
        })?;
    let mut interrupted: Vec<StaleRun> = stale
        .iter()
        .map(|row| StaleRun {
            run_id: row.try_get("run_id").unwrap_or_default(),
            plan_id: row.try_get("plan_id").unwrap_or_default(),
            backend_pid: row.try_get("backend_pid").unwrap_or_default(),
        })
        .collect();
    interrupted.sort_by_key(|run| run.run_id);
    Ok(interrupted)
}

async fn begin_after_marking(
    client: &Client,
    plan_id: &str,
    fingerprint: &str,
    interrupted: Vec<StaleRun>,
) -> Result<RunStart, ApplyError> {
    let resumed = client
        .query_opt(
            "UPDATE schemac.apply_runs SET status = 'running', finished_at = NULL,
                    backend_pid = pg_backend_pid()
             WHERE run_id = (SELECT max(run_id) FROM schemac.apply_runs
                             WHERE plan_id = $1 AND status <> 'done')
             RETURNING run_id",
            &[&plan_id],
        )
        .await
        .map_err(|source| database_error("resuming a run in schemac.apply_runs", source))?;
    let (row, resumed) = match resumed {
        Some(row) => (row, true),
        None => {
            let row = client
                .query_one(
                    "INSERT INTO schemac.apply_runs
                         (plan_id, start_fingerprint, backend_pid, started_at, status)
                     VALUES ($1, $2, pg_backend_pid(), clock_timestamp(), 'running')
                     RETURNING run_id",
                    &[&plan_id, &fingerprint],
                )
                .await
                .map_err(|source| database_error("starting a run in schemac.apply_runs", source))?;
            (row, false)
        }
    };
    let run_id: i64 = row
        .try_get("run_id")
        .map_err(|err| ApplyError::HistoryInconsistent {
            plan_id: plan_id.to_string(),
            message: err.to_string(),
        })?;
    Ok(RunStart {
        key: RunKey {
            plan_id: plan_id.to_string(),
            run_id,
        },
        resumed,
        interrupted,
    })
}

/// Records how a run ended.
pub async fn finish_run(
    client: &Client,
    key: &RunKey,
    status: RunStatus,
) -> Result<(), ApplyError> {
    client
        .execute(
            "UPDATE schemac.apply_runs SET status = $2, finished_at = clock_timestamp()
             WHERE run_id = $1",
            &[&key.run_id, &status.as_str()],
        )
        .await
        .map(|_| ())
        .map_err(|source| {
            database_error("recording the end of the run in schemac.apply_runs", source)
        })
}

/// The recorded outcome of each step of the run (0-based index).
/// Rows whose SQL differs from the plan's step are inconsistent.
pub async fn load(
    client: &Client,
    key: &RunKey,
    steps: &[Step],
) -> Result<BTreeMap<usize, Outcome>, ApplyError> {
    let rows = client
        .query(
            "SELECT step_index, step_sql, outcome FROM schemac.apply_history WHERE run_id = $1",
            &[&key.run_id],
        )
        .await
        .map_err(|source| database_error("reading schemac.apply_history", source))?;
    let plan_id = key.plan_id.as_str();
    let mut res = BTreeMap::new();
    for row in rows {
        let inconsistent = |message: String| ApplyError::HistoryInconsistent {
            plan_id: plan_id.to_string(),
            message,
        };
        let index: i32 = row
            .try_get("step_index")
            .map_err(|err| inconsistent(err.to_string()))?;
        let sql: String = row
            .try_get("step_sql")
            .map_err(|err| inconsistent(err.to_string()))?;
        let outcome: String = row
            .try_get("outcome")
            .map_err(|err| inconsistent(err.to_string()))?;
        let step = usize::try_from(index)
            .ok()
            .and_then(|idx| steps.get(idx).map(|step| (idx, step)));
        let Some((idx, step)) = step else {
            return Err(inconsistent(format!(
                "step index {index} is outside the plan's {} steps",
                steps.len()
            )));
        };
        if step.sql != sql {
            return Err(inconsistent(format!(
                "step {} was recorded with other SQL",
                idx + 1
            )));
        }
        let outcome = Outcome::parse(&outcome)
            .ok_or_else(|| inconsistent(format!("unknown outcome `{outcome}`")))?;
        res.insert(idx, outcome);
    }
    Ok(res)
}

/// Steps recorded as done by the latest unfinished run of `plan_id`: the
/// run a new apply of this plan resumes (0 when there is none, or no
/// history yet). A finished run does not count: applying the plan again
/// later is a new run.
pub async fn count_done(client: &Client, plan_id: &str) -> Result<usize, ApplyError> {
    let row = client
        .query_one(
            "SELECT to_regclass('schemac.apply_runs') IS NOT NULL AS present",
            &[],
        )
        .await
        .map_err(|source| database_error("looking for schemac.apply_runs", source))?;
    let present: bool = row.try_get("present").unwrap_or(false);
    if !present {
        return Ok(0);
    }
    let row = client
        .query_one(
            "SELECT count(*) AS n FROM schemac.apply_history
             WHERE outcome = 'done' AND run_id = (SELECT max(run_id) FROM schemac.apply_runs
                                                  WHERE plan_id = $1 AND status <> 'done')",
            &[&plan_id],
        )
        .await
        .map_err(|source| database_error("reading schemac.apply_history", source))?;
    let count: i64 = row.try_get("n").unwrap_or(0);
    Ok(usize::try_from(count).unwrap_or(0))
}

/// Records `running` (replacing an earlier attempt's row).
pub async fn mark_running(
    client: &Client,
    key: &RunKey,
    idx: usize,
    step: &Step,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "INSERT INTO schemac.apply_history
                 (plan_id, step_index, step_sql, description, started_at, finished_at, outcome, error, action, run_id)
             VALUES ($1, $2, $3, $4, clock_timestamp(), NULL, 'running', NULL, $5, $6)
             ON CONFLICT (run_id, step_index) DO UPDATE
             SET step_sql = EXCLUDED.step_sql, description = EXCLUDED.description,
                 started_at = EXCLUDED.started_at, finished_at = NULL,
                 outcome = 'running', error = NULL, action = EXCLUDED.action",
            &[
                &key.plan_id,
                &index(idx),
                &step.sql,
                &step.description,
                &action_json(step),
                &key.run_id,
            ],
        )
        .await
        .map(|_| ())
}

/// Records `done` for a step recorded `running`.
pub async fn mark_done(
    client: &Client,
    key: &RunKey,
    idx: usize,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE schemac.apply_history
             SET finished_at = clock_timestamp(), outcome = 'done', error = NULL
             WHERE run_id = $1 AND step_index = $2",
            &[&key.run_id, &index(idx)],
        )
        .await
        .map(|_| ())
}

/// Records `failed` with the error (outside any transaction).
pub async fn mark_failed(
    client: &Client,
    key: &RunKey,
    idx: usize,
    step: &Step,
    error: &str,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "INSERT INTO schemac.apply_history
                 (plan_id, step_index, step_sql, description, started_at, finished_at, outcome, error, action, run_id)
             VALUES ($1, $2, $3, $4, clock_timestamp(), clock_timestamp(), 'failed', $5, $6, $7)
             ON CONFLICT (run_id, step_index) DO UPDATE
             SET finished_at = clock_timestamp(), outcome = 'failed', error = EXCLUDED.error,
                 action = EXCLUDED.action",
            &[
                &key.plan_id,
                &index(idx),
                &step.sql,
                &step.description,
                &error,
                &action_json(step),
                &key.run_id,
            ],
        )
        .await
        .map(|_| ())
}

/// The actions of steps (of any plan) recorded `running` or `failed`:
/// what interrupted or failed applies may have left half done. Rows
/// written before the `action` column existed, or whose action this build
/// cannot read, are skipped. Empty when the table does not exist.
pub async fn unfinished_actions(client: &Client) -> Result<Vec<Action>, ApplyError> {
    let present = client
        .query_one(
            "SELECT to_regclass('schemac.apply_history') IS NOT NULL AS present",
            &[],
        )
        .await
        .map_err(|source| database_error("looking for schemac.apply_history", source))?;
    if !present.try_get::<_, bool>("present").unwrap_or(false) {
        return Ok(Vec::new());
    }
    let has_action = client
        .query_one(
            "SELECT EXISTS (SELECT FROM pg_attribute
                 WHERE attrelid = 'schemac.apply_history'::regclass
                   AND attname = 'action' AND NOT attisdropped) AS has_action",
            &[],
        )
        .await
        .map_err(|source| database_error("reading schemac.apply_history", source))?;
    if !has_action.try_get::<_, bool>("has_action").unwrap_or(false) {
        return Ok(Vec::new());
    }
    let rows = client
        .query(
            "SELECT DISTINCT action FROM schemac.apply_history
             WHERE outcome <> 'done' AND action IS NOT NULL ORDER BY action",
            &[],
        )
        .await
        .map_err(|source| database_error("reading schemac.apply_history", source))?;
    Ok(rows
        .iter()
        .filter_map(|row| row.try_get::<_, String>(0).ok())
        .filter_map(|text| parse_action(&text))
        .collect())
}

/// The history's form of a step's action.
fn action_json(step: &Step) -> String {
    serde_json::to_string(&ActionRecord::from(&step.action))
        .expect("invariant: action records serialise to JSON")
}

/// An action read back from the history (None when unreadable).
fn parse_action(text: &str) -> Option<Action> {
    serde_json::from_str::<ActionRecord>(text)
        .ok()
        .map(Action::from)
}

fn index(idx: usize) -> i32 {
    i32::try_from(idx).unwrap_or(i32::MAX)
}

pub(crate) fn database_error(action: &'static str, source: tokio_postgres::Error) -> ApplyError {
    ApplyError::Database {
        action,
        message: crate::introspect::error_message(&source),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Ident, QualifiedName, Schema, Table};

    #[test]
    fn own_schema_is_excluded_once() {
        let mut filter = Filter::default();
        exclude_own_schema(&mut filter);
        exclude_own_schema(&mut filter);
        assert_eq!(filter.exclude_schemas, vec!["schemac".to_string()]);
        assert!(!filter.keeps_schema("schemac"));
        assert!(filter.keeps_schema("public"));
    }

    #[test]
    fn own_schema_is_stripped_from_models() {
        let mut model = Model::default();
        for schema in ["public", "schemac"] {
            model.schemas.insert(
                Ident::new(schema),
                Schema {
                    name: Ident::new(schema),
                    comment: None,
                    distributed: false,
                    meta: Default::default(),
                },
            );
            let name = QualifiedName::new(schema, "t");
            model.tables.insert(name.clone(), Table::new(name));
        }
        strip_own_schema(&mut model);
        let schemas: Vec<&str> = model.schemas.keys().map(Ident::as_str).collect();
        assert_eq!(schemas, vec!["public"]);
        let tables: Vec<String> = model.tables.keys().map(ToString::to_string).collect();
        assert_eq!(tables, vec!["public.t"]);
    }

    #[test]
    fn actions_round_trip_through_the_history_form() {
        let action = Action::CreateIndex {
            table: QualifiedName::new("App", "orders"),
            name: Ident::new("orders_idx"),
            unique: false,
            concurrently: true,
            on_only: false,
            columns: vec![Ident::new("a")],
            expressions: Vec::new(),
            predicate: None,
            nulls_not_distinct: false,
        };
        let text = serde_json::to_string(&ActionRecord::from(&action)).expect("serialises");
        assert_eq!(parse_action(&text), Some(action));
        assert_eq!(parse_action("CREATE INDEX CONCURRENTLY i ON t (a)"), None);
    }

    #[test]
    fn outcomes_round_trip() {
        for outcome in [Outcome::Running, Outcome::Done, Outcome::Failed] {
            assert_eq!(Outcome::parse(outcome.as_str()), Some(outcome));
        }
        assert_eq!(Outcome::parse("other"), None);
    }
}
