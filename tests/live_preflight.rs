//! Live tests of preflight and undo (`schemac::apply`) on a real server
//! (`SCHEMAC_TEST_DATABASE_URL`, default
//! `postgresql://postgres@127.0.0.1:5432/postgres`).
//!
//! For each change that fails on the rows already in a table (a UNIQUE
//! over duplicates, SET NOT NULL over NULLs, a type change with values
//! that do not cast, a FOREIGN KEY over orphans, a CHECK over violating
//! rows), apply is refused by preflight, naming the table, the rule and
//! the offending rows; with preflight skipped, the failing step is undone.
//! Both times the catalog (`pg_dump --schema-only`, schemac's own history
//! schema left out) and the data (a checksum of every row) are exactly as
//! before. Also: a check that an earlier step of the plan makes
//! unjudgeable is skipped with its reason (no false refusal), and
//! `schemac plan --db` reports the findings as errors and exits 1.

mod common;

use common::TestDb;
use schemac::apply::{self, ApplyError, ApplyOptions, PreflightSettings};
use schemac::config::AllowedHazards;
use schemac::introspect::Filter;
use schemac::model::Model;
use schemac::plan::{plan_models, Plan, PlanOptions};
use schemac::source::{FileId, Language, SourceFile, SourceSet};
use std::path::PathBuf;
use std::process::Command;
use tokio_postgres::Client;

/// The current schema of every case.
const FROM: &str = "
CREATE TABLE public.r (id integer PRIMARY KEY);
CREATE TABLE public.t (
    id integer PRIMARY KEY,
    code text,
    a integer,
    b text DEFAULT '1',
    c integer,
    p integer
);
";

/// Rows every change accepts.
const GOOD_ROWS: &str = "
INSERT INTO public.r (id) VALUES (1), (2);
INSERT INTO public.t (id, code, a, b, c, p) VALUES
    (1, 'x1', 1, '10', 1, 1),
    (2, 'x2', 2, '20', 2, 2),
    (3, NULL, 3, '30', NULL, NULL);
";

/// One change that fails on `bad_rows`.
struct Case {
    name: &'static str,
    /// The desired table `t` (replaces the one of FROM).
    desired_t: &'static str,
    bad_rows: &'static str,
    rule: &'static str,
    /// Text the refusal must contain (an offending row or key).
    offending: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "unique over duplicates",
        desired_t: "code text, a integer, b text DEFAULT '1', c integer, p integer, \
                    CONSTRAINT t_code_key UNIQUE (code)",
        bad_rows: "INSERT INTO public.t (id, code) VALUES (10, 'dup'), (11, 'dup'), (12, 'dup')",
        rule: "unique",
        offending: r#"["dup"] occurs 3 times"#,
    },
    Case {
        name: "set not null over nulls",
        desired_t: "code text, a integer NOT NULL, b text DEFAULT '1', c integer, p integer",
        bad_rows: "INSERT INTO public.t (id, a) VALUES (10, NULL)",
        rule: "not-null",
        offending: r#""id":10"#,
    },
    Case {
        name: "type change with values that do not cast",
        desired_t: "code text, a integer, b integer DEFAULT 1, c integer, p integer",
        bad_rows: "INSERT INTO public.t (id, b) VALUES (10, 'ten'), (11, '11')",
        rule: "type-cast",
        offending: r#""b":"ten""#,
    },
    Case {
        name: "foreign key over orphans",
        desired_t: "code text, a integer, b text DEFAULT '1', c integer, \
                    p integer REFERENCES public.r (id)",
        bad_rows: "INSERT INTO public.t (id, p) VALUES (10, 99)",
        rule: "foreign-key",
        offending: r#""p":99"#,
    },
    Case {
        name: "check over violating rows",
        desired_t: "code text, a integer, b text DEFAULT '1', c integer CHECK (c > 0), p integer",
        bad_rows: "INSERT INTO public.t (id, c) VALUES (10, -5)",
        rule: "check",
        offending: r#""c":-5"#,
    },
];

fn desired_sql(desired_t: &str) -> String {
    format!(
        "CREATE TABLE public.r (id integer PRIMARY KEY);\n\
         CREATE TABLE public.t (id integer PRIMARY KEY, {desired_t});\n"
    )
}

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

async fn plan_to(client: &Client, desired: &Model) -> Plan {
    let current = apply::current_model(client, &filter())
        .await
        .unwrap_or_else(|err| panic!("introspection failed: {err:?}"));
    plan_models(&current, desired, &PlanOptions::default())
        .unwrap_or_else(|err| panic!("planning failed: {err}"))
}

fn options(preflight: Option<PreflightSettings>) -> ApplyOptions<'static> {
    ApplyOptions {
        allowed_hazards: AllowedHazards::All,
        preflight,
        ..ApplyOptions::default()
    }
}

/// The catalog as pg_dump prints it (schemac's history schema left out;
/// a refusal by preflight creates nothing, not even that schema)
/// and a checksum of every row of the user tables.
fn snapshot_with(db: &TestDb, exclude_history: &[&str], tables: &[&str]) -> (String, Vec<String>) {
    let output = Command::new("pg_dump")
        .args(["--schema-only", "--no-owner"])
        .args(exclude_history)
        .arg(db.url())
        .output()
        .unwrap_or_else(|err| panic!("cannot run pg_dump: {err}"));
    assert!(
        output.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // `\restrict KEY` lines carry a random key per run.
    let schema = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| !line.starts_with("\\restrict") && !line.starts_with("\\unrestrict"))
        .collect::<Vec<_>>()
        .join("\n");
    let data = tables
        .iter()
        .flat_map(|table| {
            db.query(&format!(
                "SELECT '{table} ' || count(*) || ' ' || \
                 coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') FROM {table} AS x"
            ))
            .unwrap_or_else(|err| panic!("checksum of {table}: {err}"))
        })
        .collect();
    (schema, data)
}

/// [`snapshot_with`] of `t` and `r`, the history schema left out.
fn snapshot(db: &TestDb) -> (String, Vec<String>) {
    snapshot_with(db, &["--exclude-schema=schemac"], &["public.t", "public.r"])
}

fn setup(case: &Case) -> TestDb {
    let db = TestDb::create();
    db.run_sql(FROM).expect("the current schema");
    db.run_sql(GOOD_ROWS).expect("good rows");
    db.run_sql(case.bad_rows).expect("bad rows");
    db
}

#[tokio::test]
async fn doomed_plans_are_refused_before_anything_changes() {
    for case in CASES {
        let db = setup(case);
        let mut client = connect(&db).await;
        let desired = model(case.name, &desired_sql(case.desired_t));
        let plan = plan_to(&client, &desired).await;
        assert!(!plan.is_empty(), "{}: nothing planned", case.name);
        let before = snapshot(&db);
        let err = apply::apply(
            &plan,
            &mut client,
            &options(Some(PreflightSettings::default())),
        )
        .await
        .expect_err(case.name);
        let text = err.to_string();
        assert!(
            matches!(err, ApplyError::PreflightFailed { .. }),
            "{}: {text}",
            case.name
        );
        assert!(
            text.contains("public.t") && text.contains(&format!("[{}]", case.rule)),
            "{}: the refusal names the table and the rule: {text}",
            case.name
        );
        assert!(
            text.contains(case.offending),
            "{}: the refusal shows the offending row {}: {text}",
            case.name,
            case.offending
        );
        assert_eq!(snapshot(&db), before, "{}: the database changed", case.name);
    }
}

#[tokio::test]
async fn a_failed_step_is_undone_when_preflight_is_skipped() {
    for case in CASES {
        let db = setup(case);
        let mut client = connect(&db).await;
        let desired = model(case.name, &desired_sql(case.desired_t));
        let plan = plan_to(&client, &desired).await;
        let before = snapshot(&db);
        let err = apply::apply(&plan, &mut client, &options(None))
            .await
            .expect_err(case.name);
        let text = err.to_string();
        assert!(
            matches!(err, ApplyError::StepFailed { .. }),
            "{}: {text}",
            case.name
        );
        assert!(text.contains("undone: "), "{}: {text}", case.name);
        assert!(
            !text.contains("not undone") && !text.contains("NOT undone"),
            "{}: everything is undone: {text}",
            case.name
        );
        assert_eq!(snapshot(&db), before, "{}: the database changed", case.name);
        // Once the data is fixed, the same plan runs to the end.
        client
            .batch_execute("DELETE FROM public.t WHERE id >= 10")
            .await
            .expect("fix the data");
        apply::apply(
            &plan,
            &mut client,
            &options(Some(PreflightSettings::default())),
        )
        .await
        .unwrap_or_else(|err| panic!("{}: the fixed data applies: {err}", case.name));
    }
}

#[tokio::test]
async fn skipping_one_rule_and_earlier_steps_never_refuse_falsely() {
    let case = &CASES[4];
    let db = setup(case);
    let mut client = connect(&db).await;
    // The skipped rule is not checked, and the step fails and is undone.
    let desired = model(case.name, &desired_sql(case.desired_t));
    let plan = plan_to(&client, &desired).await;
    let skip_check = PreflightSettings {
        skip: PreflightSettings::parse_skip("check").expect("a rule id"),
        ..PreflightSettings::default()
    };
    let err = apply::apply(&plan, &mut client, &options(Some(skip_check)))
        .await
        .expect_err("the check fails");
    assert!(matches!(err, ApplyError::StepFailed { .. }), "{err}");
    // A CHECK on a column the same plan adds (with a default) is not
    // judged on rows that do not hold the column yet.
    client
        .batch_execute("DELETE FROM public.t WHERE id >= 10")
        .await
        .expect("fix the data");
    let added = model(
        "added",
        &desired_sql(
            "code text, a integer, b text DEFAULT '1', c integer, p integer, \
             d integer NOT NULL DEFAULT 0 CHECK (d >= 0)",
        ),
    );
    let plan = plan_to(&client, &added).await;
    let report = apply::apply(
        &plan,
        &mut client,
        &options(Some(PreflightSettings::default())),
    )
    .await
    .unwrap_or_else(|err| panic!("no false refusal: {err}"));
    assert_eq!(report.executed.len(), plan.steps.len());
}

#[test]
fn plan_db_reports_the_findings_and_exits_1() {
    let case = &CASES[0];
    let db = setup(case);
    let dir = std::env::temp_dir().join(format!("schemac_preflight_{}", db.name()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("schema.sql");
    std::fs::write(&file, desired_sql(case.desired_t)).expect("schema file");
    let output = Command::new(env!("CARGO_BIN_EXE_schemac"))
        .args(["plan", "--no-shadow", "--db", db.url()])
        .arg(&file)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs schemac");
    let skipped = Command::new(env!("CARGO_BIN_EXE_schemac"))
        .args([
            "plan",
            "--no-shadow",
            "--skip-preflight",
            "all",
            "--db",
            db.url(),
        ])
        .arg(&file)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs schemac");
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("preflight-unique"), "{stderr}");
    assert!(stderr.contains(r#"["dup"] occurs 3 times"#), "{stderr}");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("t_code_key"),
        "the plan is still printed"
    );
    let stderr = String::from_utf8_lossy(&skipped.stderr);
    assert_eq!(skipped.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("skipped by --skip-preflight"), "{stderr}");
}

#[tokio::test]
async fn removed_enum_values_and_default_partition_rows_are_found() {
    let db = TestDb::create();
    db.run_sql(
        "CREATE TYPE public.mood AS ENUM ('a', 'b', 'c');
         CREATE TABLE public.m (id integer PRIMARY KEY, v public.mood);
         INSERT INTO public.m VALUES (1, 'a'), (2, 'c');
         CREATE TABLE public.ev (id integer, at date) PARTITION BY RANGE (at);
         CREATE TABLE public.ev_default PARTITION OF public.ev DEFAULT;
         INSERT INTO public.ev VALUES (1, '2023-06-01'), (2, '2024-03-01');",
    )
    .expect("the current schema");
    let mut client = connect(&db).await;
    let desired = model(
        "enum and partition",
        "CREATE TYPE public.mood AS ENUM ('a', 'b');
         CREATE TABLE public.m (id integer PRIMARY KEY, v public.mood);
         CREATE TABLE public.ev (id integer, at date) PARTITION BY RANGE (at);
         CREATE TABLE public.ev_default PARTITION OF public.ev DEFAULT;
         CREATE TABLE public.ev_2024 PARTITION OF public.ev
             FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
    );
    let plan = plan_to(&client, &desired).await;
    let tables = ["public.m", "public.ev"];
    // Nothing is written by a refusal: not even schemac's history schema.
    let before = snapshot_with(&db, &[], &tables);
    let err = apply::apply(
        &plan,
        &mut client,
        &options(Some(PreflightSettings::default())),
    )
    .await
    .expect_err("refused");
    let text = err.to_string();
    assert!(
        matches!(err, ApplyError::PreflightFailed { count: 2, .. }),
        "{text}"
    );
    assert!(
        text.contains("[enum-value]") && text.contains(r#"public.m: {"id":2,"v":"c"}"#),
        "{text}"
    );
    assert!(
        text.contains("[partition-bound]: public.ev_default")
            && text.contains(r#"{"id":2,"at":"2024-03-01"}"#)
            && !text.contains("2023-06-01"),
        "{text}"
    );
    assert_eq!(
        snapshot_with(&db, &[], &tables),
        before,
        "the database changed"
    );
    // Skipped, the failing steps' transactions roll back: still as before.
    let err = apply::apply(&plan, &mut client, &options(None))
        .await
        .expect_err("the conversion fails");
    assert!(matches!(err, ApplyError::StepFailed { .. }), "{err}");
    assert_eq!(
        snapshot_with(&db, &["--exclude-schema=schemac"], &tables),
        before,
        "the database changed"
    );
}
