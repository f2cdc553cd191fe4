//! Live tests of what makes an apply trustworthy over time, on a real
//! server (`SCHEMAC_TEST_DATABASE_URL`, default
//! `postgresql://postgres@127.0.0.1:5432/postgres`), each in its own
//! databases ([`common::TestDb`]):
//!
//! - a plan applied to completion and applied again later (schema a, b,
//!   a, b) runs again and converges;
//! - an apply killed (`kill -9`) while a step waits for a lock leaves its
//!   run `running`; the next apply marks it interrupted and converges;
//! - a `--shadow-db` left half built by a killed `plan` is emptied by the
//!   next run, and refused when it also holds something schemac did not
//!   create there.

mod common;

use common::run::{command, schemac, stderr, SchemaDir};
use common::TestDb;
use schemac::apply::{self, ApplyOptions, VerifyTarget};
use schemac::config::AllowedHazards;
use schemac::introspect::Filter;
use schemac::model::Model;
use schemac::plan::{plan_models, saved, PlanOptions};
use schemac::source::{FileId, Language, SourceFile, SourceSet};
use std::path::PathBuf;
use std::process::Child;
use std::time::{Duration, Instant};
use tokio_postgres::Client;

fn model(name: &str, sql: &str) -> Model {
    let sources = SourceSet {
        files: vec![SourceFile::new(
            FileId(0),
            PathBuf::from(format!("{name}.sql")),
            sql.to_string(),
            Language::Sql,
        )],
    };
    common::load_sources(&sources).unwrap_or_else(|err| panic!("{name} does not load:\n{err}"))
}

async fn connect(url: &str) -> Client {
    let (client, _connection) = schemac::live::connect(url)
        .await
        .unwrap_or_else(|err| panic!("cannot connect to the test database: {err}"));
    client
}

fn filter() -> Filter {
    let mut filter = Filter::default();
    apply::exclude_own_schema(&mut filter);
    filter
}

async fn query_strings(client: &Client, sql: &str) -> Vec<String> {
    client
        .query(sql, &[])
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
        .iter()
        .map(|row| row.get::<_, String>(0))
        .collect()
}

async fn count(client: &Client, sql: &str) -> i64 {
    client
        .query_one(sql, &[])
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
        .get(0)
}

/// Polls `sql` (a boolean query) on `client` until it returns true; panics
/// when `child` exits first or after 60 s.
async fn wait_until(what: &str, child: &mut Child, client: &Client, sql: &str) {
    let start = Instant::now();
    loop {
        let ready = client
            .query_one(sql, &[])
            .await
            .map(|row| row.get::<_, bool>(0))
            .unwrap_or(false);
        if ready {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut pipe, &mut err);
            }
            panic!("schemac exited ({status}) before {what}:\n{err}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until no backend other than `client`'s own is connected to the
/// current database (a killed client's backend ends once
/// it notices the closed socket).
async fn wait_for_orphans(client: &Client) {
    let sql = "SELECT count(*) = 0 FROM pg_stat_activity
               WHERE datname = current_database() AND pid <> pg_backend_pid()
                 AND backend_type = 'client backend'";
    let start = Instant::now();
    while !client
        .query_one(sql, &[])
        .await
        .map(|row| row.get::<_, bool>(0))
        .unwrap_or(false)
    {
        if start.elapsed() > Duration::from_secs(60) {
            let left = query_strings(
                client,
                "SELECT pid || ' ' || coalesce(state, '') || ' ' || coalesce(wait_event_type, '')
                        || ' ' || left(query, 60)
                 FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid()
                   AND backend_type = 'client backend'",
            )
            .await;
            panic!("the killed run's sessions did not end: {left:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

const SCHEMA_A: &str = "
CREATE TABLE public.items (
    id bigint PRIMARY KEY,
    name text NOT NULL
);
";

const SCHEMA_B: &str = "
CREATE TABLE public.items (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    note text
);
CREATE INDEX items_name_idx ON public.items (name);
";

#[tokio::test]
async fn an_identical_plan_applied_again_later_runs_again() {
    let db = TestDb::create();
    db.run_sql(SCHEMA_A).expect("schema a");
    let mut client = connect(db.url()).await;
    let a = model("a", SCHEMA_A);
    let b = model("b", SCHEMA_B);
    let filter = filter();
    let mut ids = Vec::new();
    // a (set up), b, a, b, a.
    for (round, desired) in [&b, &a, &b, &a].into_iter().enumerate() {
        let current = apply::current_model(&client, &filter)
            .await
            .expect("introspects");
        let plan = plan_models(&current, desired, &PlanOptions::default()).expect("plans");
        assert!(!plan.is_empty(), "round {round}: nothing to do");
        let fingerprint = saved::fingerprint(&current);
        let options = ApplyOptions {
            allowed_hazards: AllowedHazards::All,
            verify: Some(VerifyTarget {
                desired,
                filter: &filter,
                offline: false,
            }),
            fingerprint: Some(fingerprint.clone()),
            ..ApplyOptions::default()
        };
        let report = apply::apply(&plan, &mut client, &options)
            .await
            .unwrap_or_else(|err| panic!("round {round}: {err}\n{err:?}"));
        assert!(report.verified, "round {round}");
        assert_eq!(report.executed.len(), plan.steps.len(), "round {round}");
        assert!(report.skipped.is_empty(), "round {round}: {report:?}");
        assert_eq!(report.plan_id, saved::plan_id(&plan, &fingerprint));
        ids.push(report.plan_id);
    }
    // The same change from the same state is the same plan, run twice.
    assert_eq!(ids[0], ids[2]);
    assert_eq!(ids[1], ids[3]);
    assert_ne!(ids[0], ids[1]);
    let runs = query_strings(
        &client,
        "SELECT plan_id || ' ' || status FROM schemac.apply_runs ORDER BY run_id",
    )
    .await;
    let expected: Vec<String> = ids.iter().map(|id| format!("{id} done")).collect();
    assert_eq!(runs, expected);
    let empty = plan_models(
        &apply::current_model(&client, &filter).await.expect("reads"),
        &a,
        &PlanOptions::default(),
    )
    .expect("plans");
    assert!(empty.is_empty(), "not converged: {empty:?}");
}

const KILL_FROM: &str = "
CREATE TABLE public.accounts (id bigint PRIMARY KEY, name text NOT NULL);
INSERT INTO public.accounts SELECT g, 'a' || g FROM generate_series(1, 100) AS g;
";

const KILL_TO: &str = "
CREATE TABLE public.accounts (id bigint PRIMARY KEY, name text NOT NULL, note text);
";

#[tokio::test]
async fn a_killed_apply_is_marked_interrupted_and_the_next_run_converges() {
    let db = TestDb::create();
    db.run_sql(KILL_FROM).expect("seed");
    let dir = SchemaDir::new("kill", KILL_TO);
    let client = connect(db.url()).await;
    // Another session holds a lock the step needs, so the step waits.
    let blocker = connect(db.url()).await;
    blocker
        .batch_execute("BEGIN; LOCK TABLE public.accounts IN ACCESS SHARE MODE")
        .await
        .expect("blocker");
    let schema = dir.schema();
    let args = [
        "apply",
        "--db",
        db.url(),
        "--yes",
        "--no-shadow",
        "--lock-timeout",
        "60s",
        schema.as_str(),
    ];
    let mut child = command(&dir, &args).spawn().expect("spawns");
    wait_until(
        "the step waits for the lock",
        &mut child,
        &client,
        "SELECT to_regclass('schemac.apply_runs') IS NOT NULL
         AND EXISTS (SELECT FROM pg_stat_activity
                     WHERE datname = current_database() AND wait_event_type = 'Lock')",
    )
    .await;
    child.kill().expect("kill -9");
    let _ = child.wait();
    let running = query_strings(&client, "SELECT status FROM schemac.apply_runs").await;
    assert_eq!(running, vec!["running".to_string()]);
    blocker.batch_execute("ROLLBACK").await.expect("release");
    drop(blocker);
    wait_for_orphans(&client).await;
    // The killed step's transaction never committed.
    assert_eq!(
        count(
            &client,
            "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.accounts'::regclass AND attname = 'note'"
        )
        .await,
        0
    );

    let output = schemac(&dir, &args);
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    assert!(
        err.contains("was interrupted: its session is gone; marked interrupted"),
        "{err}"
    );
    assert!(err.contains("the database matches the schema"), "{err}");
    assert_eq!(
        count(&client, "SELECT count(*) FROM public.accounts").await,
        100
    );
    let runs = query_strings(&client, "SELECT status FROM schemac.apply_runs").await;
    assert_eq!(runs, vec!["done".to_string()], "the same run was resumed");
    let output = schemac(
        &dir,
        &[
            "plan",
            "--db",
            db.url(),
            "--no-shadow",
            "--detailed-exitcode",
            &schema,
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

/// Two transactions in the shadow build: the new table `aa`, then the
/// materialized view `zz`, which runs its query (a step with a `full-scan`
/// hazard never joins the new objects' transaction). The `DO` block, a
/// statement kept as written, makes the build commit as it goes (without
/// one, the whole build is one transaction that is rolled back: see
/// `a_killed_shadow_build_that_is_rolled_back_leaves_nothing`).
const SHADOW_SCHEMA: &str = "
CREATE TABLE public.aa (id integer PRIMARY KEY);
CREATE MATERIALIZED VIEW public.zz AS SELECT 1 AS x;
DO $$ BEGIN PERFORM 1; END $$;
";

/// The same objects without the `DO` block: the build runs in one
/// transaction, read back and rolled back.
const ROLLED_BACK_SCHEMA: &str = "
CREATE TABLE public.aa (id integer PRIMARY KEY);
CREATE MATERIALIZED VIEW public.zz AS SELECT 1 AS x;
";

/// Runs `plan --shadow-db` and kills it while the build of `public.zz`
/// in the shadow waits for another session creating a table of that name:
/// `public.aa`, committed in the transaction before, is left behind (when
/// `left_behind`; a rolled-back build leaves nothing).
async fn kill_during_the_shadow_build(
    dir: &SchemaDir,
    target: &TestDb,
    shadow: &TestDb,
    left_behind: bool,
) {
    let shadow_client = connect(shadow.url()).await;
    let blocker = connect(shadow.url()).await;
    blocker
        .batch_execute("BEGIN; CREATE TABLE public.zz (x integer)")
        .await
        .expect("blocker");
    let schema = dir.schema();
    let mut child = command(
        dir,
        &[
            "plan",
            "--db",
            target.url(),
            "--shadow-db",
            shadow.url(),
            &schema,
        ],
    )
    .spawn()
    .expect("spawns");
    let waiting = if left_behind {
        "SELECT to_regclass('public.aa') IS NOT NULL
         AND EXISTS (SELECT FROM pg_stat_activity
                     WHERE datname = current_database() AND wait_event_type = 'Lock')"
    } else {
        "SELECT EXISTS (SELECT FROM pg_stat_activity
                        WHERE datname = current_database() AND wait_event_type = 'Lock')"
    };
    wait_until(
        "the shadow build waits",
        &mut child,
        &shadow_client,
        waiting,
    )
    .await;
    child.kill().expect("kill -9");
    let _ = child.wait();
    blocker.batch_execute("ROLLBACK").await.expect("release");
    drop(blocker);
    wait_for_orphans(&shadow_client).await;
    let expected: Vec<String> = if left_behind {
        vec!["aa".to_string()]
    } else {
        Vec::new()
    };
    assert_eq!(
        query_strings(
            &shadow_client,
            "SELECT relname::text FROM pg_class WHERE relname IN ('aa', 'zz') AND relkind = 'r'"
        )
        .await,
        expected,
        "what the killed build left"
    );
}

#[tokio::test]
async fn a_killed_shadow_build_that_is_rolled_back_leaves_nothing() {
    let target = TestDb::create();
    let shadow = TestDb::create();
    let dir = SchemaDir::new("rolled_back", ROLLED_BACK_SCHEMA);
    let schema = dir.schema();
    kill_during_the_shadow_build(&dir, &target, &shadow, false).await;
    let output = schemac(
        &dir,
        &[
            "plan",
            "--db",
            target.url(),
            "--shadow-db",
            shadow.url(),
            schema.as_str(),
        ],
    );
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    assert!(!err.contains("emptied the shadow database"), "{err}");
    let shadow_client = connect(shadow.url()).await;
    assert_eq!(
        count(
            &shadow_client,
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public'"
        )
        .await,
        0,
        "the shadow holds nothing"
    );
}

#[tokio::test]
async fn a_shadow_left_by_a_killed_run_is_emptied_only_when_schemac_built_it() {
    let target = TestDb::create();
    let shadow = TestDb::create();
    let dir = SchemaDir::new("shadow", SHADOW_SCHEMA);
    let schema = dir.schema();
    let plan_args = [
        "plan",
        "--db",
        target.url(),
        "--shadow-db",
        shadow.url(),
        schema.as_str(),
    ];
    kill_during_the_shadow_build(&dir, &target, &shadow, true).await;
    let output = schemac(&dir, &plan_args);
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    assert!(err.contains("emptied the shadow database"), "{err}");
    let shadow_client = connect(shadow.url()).await;
    assert_eq!(
        count(
            &shadow_client,
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname IN ('public', 'schemac')"
        )
        .await,
        0,
        "the shadow is empty again"
    );
    drop(shadow_client);

    // Left behind again, and now also a table of the user's own.
    kill_during_the_shadow_build(&dir, &target, &shadow, true).await;
    let shadow_client = connect(shadow.url()).await;
    shadow
        .run_sql("CREATE TABLE public.mine (id integer); INSERT INTO public.mine VALUES (1);")
        .expect("user table");
    let output = schemac(&dir, &plan_args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("holds table public.mine, which schemac did not create there"),
        "{err}"
    );
    assert_eq!(
        count(&shadow_client, "SELECT count(*) FROM public.mine").await,
        1
    );
    assert_eq!(
        count(&shadow_client, "SELECT count(*) FROM public.aa").await,
        0,
        "nothing was dropped"
    );
}
