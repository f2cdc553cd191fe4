//! Live tests of what decides whether a plan may run, on a real server
//! (`SCHEMAC_TEST_DATABASE_URL`, default
//! `postgresql://postgres@127.0.0.1:5432/postgres`), each in its own
//! database ([`common::TestDb`]), through the built binary:
//!
//! - a saved plan whose hazards were removed (with its id recomputed, or
//!   not) is refused and drops nothing;
//! - an error-level lint finding about the plan makes `plan` exit 1 and
//!   `apply --yes` refuse before the first step, unless the rule is
//!   allowed.

mod common;

use common::run::{schemac, stderr, SchemaDir};
use common::TestDb;
use schemac::plan::{saved, Plan};
use tokio_postgres::Client;

async fn connect(url: &str) -> Client {
    let (client, _connection) = schemac::live::connect(url)
        .await
        .unwrap_or_else(|err| panic!("cannot connect to the test database: {err}"));
    client
}

async fn count(client: &Client, sql: &str) -> i64 {
    client
        .query_one(sql, &[])
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
        .get(0)
}

const DATA_FROM: &str = "
CREATE TABLE public.orders (id bigint PRIMARY KEY, total integer NOT NULL);
INSERT INTO public.orders SELECT g, g FROM generate_series(1, 500) AS g;
CREATE TABLE public.legacy (id bigint PRIMARY KEY);
INSERT INTO public.legacy SELECT g FROM generate_series(1, 50) AS g;
";

const DATA_TO: &str = "
CREATE TABLE public.orders (id bigint PRIMARY KEY, total integer NOT NULL);
";

#[tokio::test]
async fn a_saved_plan_whose_hazards_were_removed_is_refused() {
    let db = TestDb::create();
    db.run_sql(DATA_FROM).expect("seed");
    let dir = SchemaDir::new("saved", DATA_TO);
    let schema = dir.schema();
    let out = dir.file("plan.json");
    let out_arg = out.display().to_string();
    let output = schemac(
        &dir,
        &["plan", "--db", db.url(), "--out", &out_arg, &schema],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&out).expect("saved");
    assert!(text.contains("\"data-loss\""), "{text}");

    // Remove the hazards and recompute the id, as an editor could.
    let mut saved_plan: saved::SavedPlan = serde_json::from_str(&text).expect("parses");
    for step in &mut saved_plan.steps {
        step.hazards.clear();
    }
    let loaded = saved::from_json(&text).expect("loads");
    let mut stripped: Plan = loaded.plan.clone();
    for step in &mut stripped.steps {
        step.hazards.clear();
    }
    saved_plan.plan_id = saved::plan_id(&stripped, &saved_plan.fingerprint);
    std::fs::write(
        &out,
        serde_json::to_string_pretty(&saved_plan).expect("json"),
    )
    .expect("edit");

    let output = schemac(
        &dir,
        &["apply", "--db", db.url(), "--plan", &out_arg, "--yes"],
    );
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("lists fewer hazards than its steps have"),
        "{err}"
    );
    assert!(err.contains("lacks data-loss"), "{err}");
    let client = connect(db.url()).await;
    assert_eq!(
        count(&client, "SELECT count(*) FROM public.legacy").await,
        50
    );

    // Edited without recomputing the id: refused as modified.
    let mut edited: saved::SavedPlan = serde_json::from_str(&text).expect("parses");
    edited.steps[0].hazards.clear();
    edited.steps[0].description = "harmless".to_string();
    edited.steps[0].hazards.push(saved::SavedHazard {
        hazard: "index-build".to_string(),
        message: "x".to_string(),
    });
    let implied = edited.steps[0].action.clone();
    assert_eq!(
        serde_json::to_value(&implied).expect("json")["kind"],
        "drop_table"
    );
    std::fs::write(&out, serde_json::to_string_pretty(&edited).expect("json")).expect("edit");
    let output = schemac(
        &dir,
        &["apply", "--db", db.url(), "--plan", &out_arg, "--yes"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        count(&client, "SELECT count(*) FROM public.legacy").await,
        50
    );

    // As written, with the hazard allowed, it runs.
    std::fs::write(&out, &text).expect("restore");
    let output = schemac(
        &dir,
        &[
            "apply",
            "--db",
            db.url(),
            "--plan",
            &out_arg,
            "--yes",
            "--allow-hazards",
            "data-loss",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        count(
            &client,
            "SELECT count(*) FROM pg_class WHERE relname = 'legacy'"
        )
        .await,
        0
    );
}

const LINT_FROM: &str = "
CREATE TABLE public.users (id bigint PRIMARY KEY);
INSERT INTO public.users SELECT g FROM generate_series(1, 20) AS g;
";

const LINT_TO: &str = "
CREATE TABLE public.users (id bigint PRIMARY KEY, tenant integer NOT NULL);
";

fn has_tenant_column(db: &TestDb) -> bool {
    db.query(
        "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.users'::regclass AND attname = 'tenant'",
    )
    .expect("query")
    .concat()
        == "1"
}

#[tokio::test]
async fn error_level_lint_findings_stop_plan_and_apply_unless_allowed() {
    let db = TestDb::create();
    db.run_sql(LINT_FROM).expect("seed");
    let dir = SchemaDir::new("lint", LINT_TO);
    let schema = dir.schema();
    let output = schemac(&dir, &["plan", "--db", db.url(), &schema]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("add-required-column"), "{err}");
    let output = schemac(
        &dir,
        &["plan", "--db", db.url(), "--detailed-exitcode", &schema],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));

    let output = schemac(&dir, &["apply", "--db", db.url(), "--yes", &schema]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the plan has error-level lint findings: add-required-column"),
        "{err}"
    );
    assert!(!has_tenant_column(&db));
    assert_eq!(
        db.query("SELECT to_regclass('schemac.apply_runs') IS NULL")
            .expect("query")
            .concat(),
        "t",
        "no run was started"
    );

    // Allowed: the plan exits 0 and apply runs the step (on an empty table,
    // where it succeeds).
    let output = schemac(
        &dir,
        &[
            "plan",
            "--db",
            db.url(),
            "--allow-hazards",
            "add-required-column",
            &schema,
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    db.run_sql("DELETE FROM public.users").expect("empty");
    let output = schemac(
        &dir,
        &[
            "apply",
            "--db",
            db.url(),
            "--yes",
            "--allow-hazards",
            "add-required-column",
            &schema,
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(has_tenant_column(&db));
}
