//! Live tests of the safe executor (`schemac::apply`) on a real server
//! (`SCHEMAC_TEST_DATABASE_URL`, default
//! `postgresql://postgres@127.0.0.1:5432/postgres`).
//!
//! Each test creates its own uniquely named database ([`common::TestDb`],
//! dropped on `Drop` even when an assertion fails) and applies plans with
//! the real executor: from empty, then a change over seeded rows; an
//! interruption after every step followed by a resume; two applies at
//! once; a step blocked by another session's lock; a failed concurrent
//! index build; a stale saved plan; an interrupt during a statement; and
//! objects created under the role the file sets (`SET ROLE`).

mod common;

use common::TestDb;
use schemac::apply::{
    self, ApplyError, ApplyOptions, ApplyReport, Freshness, Interrupt, VerifyTarget,
};
use schemac::config::AllowedHazards;
use schemac::introspect::Filter;
use schemac::model::Model;
use schemac::plan::{plan_models, saved, Plan, PlanOptions, Step};
use schemac::source::{FileId, Language, SourceFile, SourceSet};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;
use tokio_postgres::Client;

/// The first version: two tables in their own schema.
const V1: &str = "
CREATE SCHEMA app;
CREATE TABLE app.customers (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    code text
);
CREATE TABLE app.orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    amount integer NOT NULL,
    status text NOT NULL DEFAULT 'new'
);
CREATE INDEX orders_status_idx ON app.orders (status);
";

/// The second version: new indexes (built concurrently on existing
/// tables), a unique constraint, a check and a foreign key, a new column,
/// a new table, and a dropped index.
const V2: &str = "
CREATE SCHEMA app;
CREATE TABLE app.customers (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    code text,
    note text,
    CONSTRAINT customers_code_key UNIQUE (code)
);
CREATE TABLE app.orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES app.customers (id),
    amount integer NOT NULL CHECK (amount >= 0),
    status text NOT NULL DEFAULT 'new'
);
CREATE INDEX orders_customer_idx ON app.orders (customer_id);
CREATE INDEX customers_email_idx ON app.customers (email);
CREATE TABLE app.audit (
    id bigint PRIMARY KEY,
    happened_at timestamptz NOT NULL DEFAULT now()
);
";

const SEED: &str = "
INSERT INTO app.customers (id, email, code) SELECT g, 'c' || g || '@example.com', 'code' || g FROM generate_series(1, 50) AS g;
INSERT INTO app.orders (id, customer_id, amount) SELECT g, 1 + g % 50, g FROM generate_series(1, 200) AS g;
";

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

async fn connect(db: &TestDb) -> Client {
    let (client, _connection) = schemac::live::connect(db.url())
        .await
        .unwrap_or_else(|err| panic!("cannot connect to the test database: {err}"));
    client
}

fn filter() -> Filter {
    let mut filter = Filter::default();
    apply::exclude_own_schema(&mut filter);
    filter
}

async fn current(client: &Client) -> Model {
    apply::current_model(client, &filter())
        .await
        .unwrap_or_else(|err| panic!("introspection failed: {err:?}"))
}

async fn plan_to(client: &Client, desired: &Model) -> Plan {
    plan_models(&current(client).await, desired, &PlanOptions::default())
        .unwrap_or_else(|err| panic!("planning failed: {err}"))
}

fn options<'a>(desired: Option<&'a Model>, filter: &'a Filter) -> ApplyOptions<'a> {
    ApplyOptions {
        allowed_hazards: AllowedHazards::All,
        verify: desired.map(|desired| VerifyTarget {
            desired,
            filter,
            offline: false,
        }),
        wait_poll_interval: Duration::from_millis(50),
        ..ApplyOptions::default()
    }
}

async fn apply_ok(client: &mut Client, plan: &Plan, desired: &Model) -> ApplyReport {
    let filter = filter();
    let report = apply::apply(plan, client, &options(Some(desired), &filter))
        .await
        .unwrap_or_else(|err| panic!("apply failed: {err}\n{err:?}"));
    assert!(report.verified, "apply did not verify");
    report
}

async fn count(client: &Client, sql: &str) -> i64 {
    client
        .query_one(sql, &[])
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
        .get(0)
}

/// `(step_index, outcome)` rows of a plan's history.
async fn history(client: &Client, plan_id: &str) -> Vec<(i32, String)> {
    client
        .query(
            "SELECT step_index, outcome FROM schemac.apply_history WHERE plan_id = $1 ORDER BY 1",
            &[&plan_id],
        )
        .await
        .unwrap_or_else(|err| panic!("reading the history: {err}"))
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
}

fn describe(plan: &Plan) -> String {
    plan.steps
        .iter()
        .enumerate()
        .map(|(idx, step)| {
            format!(
                "{:>2} {} {}",
                idx + 1,
                if step.transactional { "tx " } else { "out" },
                step.sql.lines().next().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn applies_from_empty_then_a_change_keeping_rows() {
    let db = TestDb::create();
    let mut client = connect(&db).await;
    let v1 = model("v1", V1);
    let v2 = model("v2", V2);

    let plan = plan_to(&client, &v1).await;
    assert!(!plan.is_empty());
    let report = apply_ok(&mut client, &plan, &v1).await;
    assert_eq!(report.executed.len(), plan.steps.len());
    assert!(plan_to(&client, &v1).await.is_empty(), "v1 plans again");

    client.batch_execute(SEED).await.expect("seed rows");
    let plan = plan_to(&client, &v2).await;
    assert!(
        plan.steps.iter().any(|step| !step.transactional),
        "expected concurrent steps:\n{}",
        describe(&plan)
    );
    let report = apply_ok(&mut client, &plan, &v2).await;
    assert_eq!(report.executed.len(), plan.steps.len());
    assert!(report.skipped.is_empty());
    let second = plan_to(&client, &v2).await;
    assert!(second.is_empty(), "second plan:\n{}", describe(&second));

    assert_eq!(
        count(&client, "SELECT count(*) FROM app.customers").await,
        50
    );
    assert_eq!(count(&client, "SELECT count(*) FROM app.orders").await, 200);
    assert_eq!(
        count(&client, "SELECT sum(amount)::int8 FROM app.orders").await,
        20100
    );
    let done = history(&client, &report.plan_id).await;
    assert_eq!(done.len(), plan.steps.len());
    assert!(
        done.iter().all(|(_, outcome)| outcome == "done"),
        "{done:?}"
    );
    // The history schema never shows up in a plan.
    assert!(!describe(&second).contains("schemac"));
}

/// Resets the database to v1 with seeded rows and an empty history.
async fn reset_to_v1(client: &mut Client, v1: &Model) {
    client
        .batch_execute(
            "DROP SCHEMA IF EXISTS app CASCADE;
             DO $$ BEGIN
               IF to_regclass('schemac.apply_history') IS NOT NULL THEN
                 DELETE FROM schemac.apply_history;
               END IF;
             END $$;",
        )
        .await
        .expect("reset");
    let plan = plan_to(client, v1).await;
    apply_ok(client, &plan, v1).await;
    client.batch_execute(SEED).await.expect("seed rows");
}

#[tokio::test]
async fn resumes_after_an_interruption_at_every_step() {
    let db = TestDb::create();
    let mut client = connect(&db).await;
    let v1 = model("v1", V1);
    let v2 = model("v2", V2);
    reset_to_v1(&mut client, &v1).await;
    let plan = plan_to(&client, &v2).await;
    let n = plan.steps.len();
    let listing = describe(&plan);
    assert!(n >= 8, "the plan needs at least 8 steps:\n{listing}");
    assert!(
        plan.steps.iter().any(|step| step.transactional),
        "{listing}"
    );
    assert!(
        plan.steps.iter().filter(|step| !step.transactional).count() >= 2,
        "{listing}"
    );
    let plan_id = saved::plan_id(&plan, "");
    let filter = filter();

    for k in 1..=n {
        if k > 1 {
            reset_to_v1(&mut client, &v1).await;
            assert_eq!(
                plan_to(&client, &v2).await,
                plan,
                "the v1 state is reproducible"
            );
        }
        let stopped = ApplyOptions {
            stop_after_step: Some(k),
            ..options(Some(&v2), &filter)
        };
        let err = apply::apply(&plan, &mut client, &stopped)
            .await
            .expect_err("the test hook stops the apply");
        assert!(
            matches!(err, ApplyError::Interrupted { .. }),
            "k={k}: {err:?}"
        );
        let done_before: BTreeSet<usize> = history(&client, &plan_id)
            .await
            .into_iter()
            .filter(|(_, outcome)| outcome == "done")
            .map(|(idx, _)| idx as usize)
            .collect();
        assert!(
            done_before.iter().all(|idx| *idx < k),
            "k={k}: steps after k recorded done: {done_before:?}"
        );

        let report = apply_ok(&mut client, &plan, &v2).await;
        let ran: BTreeSet<usize> = report
            .executed
            .iter()
            .chain(&report.recovered)
            .copied()
            .collect();
        assert_eq!(
            ran.len(),
            report.executed.len() + report.recovered.len(),
            "k={k}: a step ran twice in one apply"
        );
        assert!(
            ran.is_disjoint(&done_before),
            "k={k}: re-ran finished steps {:?}\n{listing}",
            ran.intersection(&done_before).collect::<Vec<_>>()
        );
        let all: BTreeSet<usize> = ran.union(&done_before).copied().collect();
        assert_eq!(all, (0..n).collect(), "k={k}: steps missing\n{listing}");
        let skipped: BTreeSet<usize> = report.skipped.iter().copied().collect();
        assert_eq!(skipped, done_before, "k={k}");

        let rows = history(&client, &plan_id).await;
        assert_eq!(rows.len(), n, "k={k}: {rows:?}");
        assert!(
            rows.iter().all(|(_, outcome)| outcome == "done"),
            "k={k}: {rows:?}"
        );
        assert_eq!(
            count(&client, "SELECT count(*) FROM app.customers").await,
            50
        );
        assert_eq!(count(&client, "SELECT count(*) FROM app.orders").await, 200);
        let invalid = count(
            &client,
            "SELECT count(*) FROM pg_index WHERE NOT indisvalid",
        )
        .await;
        assert_eq!(invalid, 0, "k={k}: INVALID indexes left");
        assert!(
            plan_to(&client, &v2).await.is_empty(),
            "k={k}: not converged"
        );
    }
}

/// A plan that creates `tables` (empty tables, from empty) plus, when
/// `sleep` is set, a step that holds the apply for a while.
fn tables_plan(tables: &[&str], sleep: Option<f64>) -> Plan {
    let sql: String = tables
        .iter()
        .map(|table| format!("CREATE TABLE public.{table} (id integer PRIMARY KEY);\n"))
        .collect();
    let mut plan = plan_models(
        &Model::default(),
        &model("tables", &sql),
        &PlanOptions::default(),
    )
    .expect("plans");
    if let Some(seconds) = sleep {
        let mut step: Step = plan.steps[0].clone();
        step.description = "sleep".to_string();
        step.sql = format!("SELECT pg_sleep({seconds})");
        step.joins_previous = false;
        step.hazards.clear();
        plan.steps.insert(1, step);
    }
    plan
}

#[tokio::test]
async fn concurrent_applies_never_interleave() {
    let db = TestDb::create();
    let url = db.url().to_string();
    let plan_a = tables_plan(&["a1", "a2", "a3"], Some(0.8));
    let plan_b = tables_plan(&["b1", "b2", "b3"], Some(0.2));
    // Two sessions in one task: concurrent on the server, which is what
    // matters for the advisory lock.
    let run = |plan: Plan| {
        let url = url.clone();
        async move {
            let (mut client, _connection) = schemac::live::connect(&url).await.expect("connects");
            let filter = filter();
            let res = apply::apply(&plan, &mut client, &options(None, &filter)).await;
            let pid: i32 = client
                .query_one("SELECT pg_backend_pid()", &[])
                .await
                .expect("pid")
                .get(0);
            (res.map_err(|err| err.to_string()), pid)
        }
    };
    let ((res_a, pid_a), (res_b, pid_b)) = tokio::join!(run(plan_a.clone()), run(plan_b.clone()));
    let report_a = res_a.expect("apply a");
    let report_b = res_b.expect("apply b");
    // Exactly one waited, and it named the other.
    match (report_a.waited_for_pid, report_b.waited_for_pid) {
        (Some(pid), None) => assert_eq!(pid, pid_b),
        (None, Some(pid)) => assert_eq!(pid, pid_a),
        other => panic!("expected exactly one apply to wait, got {other:?}"),
    }
    let client = connect(&db).await;
    let span = |plan_id: String| {
        let client = &client;
        async move {
            let row = client
                .query_one(
                    "SELECT min(started_at), max(finished_at), count(*) FROM schemac.apply_history WHERE plan_id = $1",
                    &[&plan_id],
                )
                .await
                .expect("history");
            let start: std::time::SystemTime = row.get(0);
            let end: std::time::SystemTime = row.get(1);
            let n: i64 = row.get(2);
            (start, end, n)
        }
    };
    let (start_a, end_a, n_a) = span(report_a.plan_id.clone()).await;
    let (start_b, end_b, n_b) = span(report_b.plan_id.clone()).await;
    assert_eq!(n_a as usize, plan_a.steps.len());
    assert_eq!(n_b as usize, plan_b.steps.len());
    assert!(
        end_a <= start_b || end_b <= start_a,
        "applies interleaved: a {start_a:?}..{end_a:?}, b {start_b:?}..{end_b:?}"
    );
}

#[tokio::test]
async fn a_held_lock_fails_cleanly_naming_the_blocker() {
    let db = TestDb::create();
    let mut client = connect(&db).await;
    let v1 = model("v1", V1);
    let plan = plan_to(&client, &v1).await;
    apply_ok(&mut client, &plan, &v1).await;
    let before = current(&client).await;

    let mut changed = v1.clone();
    let orders = schemac::model::QualifiedName::new("app", "orders");
    changed
        .tables
        .get_mut(&orders)
        .expect("orders exists")
        .columns
        .push(schemac::model::Column::new(
            schemac::model::Ident::new("note"),
            schemac::model::TypeName::new("text"),
        ));
    let plan = plan_to(&client, &changed).await;
    // Planned before the lock is taken: introspection itself would wait
    // behind ACCESS EXCLUSIVE (catalog deparsing opens the relation).
    let blocker = connect(&db).await;
    let blocker_pid: i32 = blocker
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .expect("pid")
        .get(0);
    blocker
        .batch_execute("BEGIN; LOCK TABLE app.orders IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("lock");

    let filter = filter();
    let opts = ApplyOptions {
        lock_timeout: Duration::from_millis(200),
        lock_attempts: 2,
        initial_backoff: Duration::from_millis(100),
        ..options(Some(&changed), &filter)
    };
    let started = std::time::Instant::now();
    let err = apply::apply(&plan, &mut client, &opts)
        .await
        .expect_err("the lock is held");
    assert!(started.elapsed() < Duration::from_secs(10));
    let text = err.to_string();
    match &err {
        ApplyError::LockTimeout {
            attempts,
            blocking_pids,
            ..
        } => {
            assert_eq!(*attempts, 2);
            assert_eq!(blocking_pids, &vec![blocker_pid], "{text}");
        }
        other => panic!("expected a lock timeout, got {other:?}"),
    }
    assert!(
        text.contains(&format!(
            "pid {blocker_pid} holds AccessExclusiveLock on app.orders"
        )),
        "{text}"
    );
    assert!(text.contains("LOCK TABLE app.orders"), "{text}");
    blocker.batch_execute("ROLLBACK").await.expect("release");
    assert_eq!(current(&client).await, before, "the database changed");
    // The failure is recorded, and the lock of schemac is free again.
    let rows = history(&client, &saved::plan_id(&plan, "")).await;
    assert!(
        rows.iter().any(|(_, outcome)| outcome == "failed"),
        "{rows:?}"
    );
    let report = apply_ok(&mut client, &plan, &changed).await;
    assert_eq!(report.waited_for_pid, None);
}

#[tokio::test]
async fn a_failed_concurrent_build_is_cleaned_up_and_retried() {
    let db = TestDb::create();
    let mut client = connect(&db).await;
    let v1 = model("v1", V1);
    let plan = plan_to(&client, &v1).await;
    apply_ok(&mut client, &plan, &v1).await;
    client
        .batch_execute(
            "INSERT INTO app.customers (id, email, code) VALUES (1, 'a', 'dup'), (2, 'b', 'dup')",
        )
        .await
        .expect("duplicates");
    let unique = model(
        "unique",
        &V1.replace(
            "    code text\n",
            "    code text,\n    CONSTRAINT customers_code_key UNIQUE (code)\n",
        ),
    );
    let plan = plan_to(&client, &unique).await;
    assert!(
        plan.steps
            .iter()
            .any(|step| !step.transactional && step.sql.contains("UNIQUE INDEX CONCURRENTLY")),
        "{}",
        describe(&plan)
    );
    let filter = filter();
    // Preflight refuses the plan before the build; skipped, the build runs
    // and fails, and its INVALID index is dropped at once.
    let err = apply::apply(&plan, &mut client, &options(Some(&unique), &filter))
        .await
        .expect_err("preflight finds the duplicates");
    assert!(matches!(err, ApplyError::PreflightFailed { .. }), "{err:?}");
    let skipped = ApplyOptions {
        preflight: None,
        ..options(Some(&unique), &filter)
    };
    let err = apply::apply(&plan, &mut client, &skipped)
        .await
        .expect_err("duplicates make the build fail");
    assert!(matches!(err, ApplyError::StepFailed { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("undone: dropped the INVALID index app.customers_code_key"),
        "{err}"
    );
    let invalid = count(
        &client,
        "SELECT count(*) FROM pg_index WHERE NOT indisvalid",
    )
    .await;
    assert_eq!(invalid, 0, "the failed build's INVALID index is dropped");
    // An INVALID index left behind anyway (here by a build by hand) is
    // dropped before the build runs again.
    client
        .batch_execute(
            "CREATE UNIQUE INDEX CONCURRENTLY customers_code_key ON app.customers (code)",
        )
        .await
        .expect_err("the duplicates make the build by hand fail");
    let invalid = count(
        &client,
        "SELECT count(*) FROM pg_index WHERE NOT indisvalid",
    )
    .await;
    assert_eq!(
        invalid, 1,
        "the failed build by hand leaves an INVALID index"
    );

    client
        .batch_execute("UPDATE app.customers SET code = 'other' WHERE id = 2")
        .await
        .expect("fix data");
    let report = apply_ok(&mut client, &plan, &unique).await;
    assert_eq!(
        report.dropped_invalid_indexes,
        vec!["app.customers_code_key".to_string()]
    );
    assert_eq!(
        count(
            &client,
            "SELECT count(*) FROM pg_index WHERE NOT indisvalid"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn saved_plans_refuse_a_changed_database() {
    let db = TestDb::create();
    let client = connect(&db).await;
    let v1 = model("v1", V1);
    let before = current(&client).await;
    let plan = plan_models(&before, &v1, &PlanOptions::default()).expect("plans");
    let text = saved::to_json(&plan, &saved::fingerprint(&before), None);
    assert!(
        !text.contains("postgres@"),
        "no connection string in saved plans"
    );
    let loaded = saved::from_json(&text).expect("loads");
    // Spans point into source files a saved plan does not carry.
    let mut without_spans = plan.clone();
    for step in &mut without_spans.steps {
        step.origin.span = None;
    }
    assert_eq!(loaded.plan, without_spans);
    let fresh = apply::check_fingerprint(&client, &loaded.plan_id, &loaded.fingerprint, &filter())
        .await
        .expect("unchanged database");
    assert_eq!(fresh, Freshness::Fresh);

    client
        .batch_execute("CREATE TABLE public.surprise (id integer)")
        .await
        .expect("change");
    let err = apply::check_fingerprint(&client, &loaded.plan_id, &loaded.fingerprint, &filter())
        .await
        .expect_err("the database changed");
    assert!(
        err.to_string()
            .starts_with("the database changed since the plan was made: re-run schemac plan"),
        "{err}"
    );
}

#[tokio::test]
async fn an_interrupt_cancels_the_running_statement_and_rolls_back() {
    let db = TestDb::create();
    let mut client = connect(&db).await;
    let mut plan = tables_plan(&["t1", "t2"], Some(30.0));
    // The sleep joins the first table's transaction: both must roll back.
    plan.steps[1].joins_previous = true;
    let filter = filter();
    let opts = ApplyOptions {
        interrupt: Interrupt::After(Duration::from_millis(500)),
        ..options(None, &filter)
    };
    let started = std::time::Instant::now();
    let err = apply::apply(&plan, &mut client, &opts)
        .await
        .expect_err("interrupted");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the sleep was not cancelled"
    );
    match &err {
        ApplyError::Interrupted { done, total, .. } => {
            assert_eq!((*done, *total), (0, plan.steps.len()));
        }
        other => panic!("expected an interruption, got {other:?}"),
    }
    assert!(
        current(&client).await.tables.is_empty(),
        "the transaction was not rolled back"
    );
    let rows = history(&client, &saved::plan_id(&plan, "")).await;
    assert!(
        rows.is_empty(),
        "rolled-back steps left history rows: {rows:?}"
    );
    // The session is usable and unlocked: a resume with a short sleep works.
    let mut quick = plan.clone();
    quick.steps[1].sql = "SELECT pg_sleep(0)".to_string();
    let report = apply::apply(&quick, &mut client, &options(None, &filter))
        .await
        .expect("resumes");
    assert_eq!(report.executed.len(), quick.steps.len());
}

/// A file that says `SET ROLE r` before its objects builds them owned by
/// `r`: apply creates them under the same role (and a kept table stays the
/// applying user's). The role is cluster-wide, so it is named after the
/// test database and dropped at the end.
#[tokio::test]
async fn objects_are_created_owned_by_the_role_the_file_sets() {
    let db = TestDb::create();
    let mut client = connect(&db).await;
    let role = format!("{}_admin", db.name());
    client
        .batch_execute(&format!(
            "CREATE ROLE {role}; GRANT CREATE ON SCHEMA public TO {role}; CREATE TABLE public.kept (a int);"
        ))
        .await
        .expect("create the role");
    let desired = model(
        "roles",
        &format!(
            "CREATE TABLE public.kept (a int, b int);\n\
             SET ROLE {role};\n\
             CREATE TABLE public.made (a int);\n\
             CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n\
             RESET ROLE;"
        ),
    );
    let applying: String = client
        .query_one("SELECT current_user::text", &[])
        .await
        .expect("current_user")
        .get(0);
    let plan = plan_to(&client, &desired).await;
    let res = apply::apply(&plan, &mut client, &options(Some(&desired), &filter())).await;
    let owners = client
        .query(
            "SELECT c.relname::text, pg_get_userbyid(c.relowner)::text FROM pg_class c \
             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' \
             UNION ALL SELECT p.proname::text, pg_get_userbyid(p.proowner)::text FROM pg_proc p \
             WHERE p.pronamespace = 'public'::regnamespace ORDER BY 1",
            &[],
        )
        .await
        .map(|rows| {
            rows.iter()
                .map(|row| (row.get::<_, String>(0), row.get::<_, String>(1)))
                .collect::<Vec<_>>()
        });
    let session_role: Result<String, _> = client
        .query_one("SELECT current_user::text", &[])
        .await
        .map(|row| row.get(0));
    // Drop what the role owns before any assertion can fail.
    let _ = client
        .batch_execute(&format!(
            "DROP TABLE IF EXISTS public.made; DROP FUNCTION IF EXISTS public.f(); \
             REVOKE CREATE ON SCHEMA public FROM {role}; DROP ROLE {role};"
        ))
        .await;
    let report = res.unwrap_or_else(|err| panic!("apply failed: {err}\n{err:?}"));
    assert!(report.verified, "apply did not verify");
    let owners = owners.expect("owners");
    let user = session_role.expect("current_user");
    assert_eq!(user, applying, "the session's role is reset after apply");
    assert_eq!(
        owners,
        vec![
            ("f".to_string(), role.clone()),
            ("kept".to_string(), applying),
            ("made".to_string(), role.clone()),
        ]
    );
}
