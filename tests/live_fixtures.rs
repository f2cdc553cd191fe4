//! Live PostgreSQL: the SQL schemac prints must run.
//!
//! For every fixture case (except those whose `case.toml` says
//! `[live] skip = "reason"`, printed when skipped), in a fresh database:
//! the plan `empty -> from` runs, then the plan `from -> to` runs, both with
//! `psql -v ON_ERROR_STOP=1` exactly as printed by `schemac plan --format sql`.
//! The same for the reference schema (`schemas/`, from empty), every example
//! version (`examples/<name>/vN/`, from empty) and every example's chain
//! `v1 -> v2 -> v3 ...` applied in sequence on one database.
//!
//! Citus: plain PostgreSQL cannot run `create_distributed_table`. A fixture
//! or example that needs Citus must say so with `[live] skip` in its
//! `case.toml` (`examples/<name>/case.toml` for examples). The reference
//! schema declares shard distribution as documentation of the production
//! layout; when the server has no `citus` extension its distribution is
//! removed before planning, and the test prints that it did. Nothing else is
//! ever skipped.
//!
//! Needs a server: `SCHEMAC_TEST_DATABASE_URL` (default
//! `postgresql://postgres@127.0.0.1:5432/postgres`); fails with instructions
//! when none answers. Jobs run on three threads: most of their time is
//! spent waiting for the server.

mod common;

use common::{load_model, load_side, note, panic_message, rel, Failures, TestDb};
use schemac::model::Model;
use schemac::plan::{plan_models, PlanOptions};
use std::path::PathBuf;
use std::sync::Mutex;

/// One database's worth of work.
enum Job {
    Fixture(common::Case),
    Reference(PathBuf),
    ExampleVersion(PathBuf),
    ExampleChain(String, Vec<PathBuf>),
}

impl Job {
    fn title(&self) -> String {
        match self {
            Job::Fixture(case) => format!("fixture {}", case.name),
            Job::Reference(_) => "reference schema (schemas/), from empty".to_string(),
            Job::ExampleVersion(path) => format!("example {}, from empty", rel(path)),
            Job::ExampleChain(name, versions) => format!(
                "example {name}, chain {}",
                versions
                    .iter()
                    .filter_map(|path| path.file_name())
                    .map(|name| name.to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join(" -> ")
            ),
        }
    }
}

#[test]
fn plans_run_on_a_live_server() {
    // Fail early, with instructions, when no server answers.
    drop(TestDb::create());
    let citus = citus_available();

    let mut failures = Failures::default();
    let mut jobs = Vec::new();
    for entry in common::fixture_cases() {
        match entry {
            Ok(case) => match &case.meta.live_skip {
                Some(reason) => note(&format!("skipping fixture {}: {reason}", case.name)),
                None => jobs.push(Job::Fixture(case)),
            },
            Err((name, message)) => failures.add(format!("fixture {name}"), message),
        }
    }
    let schemas = common::root().join("schemas");
    if schemas.is_dir() {
        jobs.push(Job::Reference(schemas));
    } else {
        failures.add("reference schema", "schemas/ is missing");
    }
    for (name, versions) in common::examples() {
        match example_skip(&name) {
            Ok(Some(reason)) => {
                note(&format!("skipping example {name}: {reason}"));
                continue;
            }
            Ok(None) => {}
            Err(message) => {
                failures.add(format!("example {name}"), message);
                continue;
            }
        }
        if versions.is_empty() {
            failures.add(
                format!("example {name}"),
                "has no v1/, v2/, ... directories",
            );
            continue;
        }
        // v1 from empty is the first step of the chain.
        for version in versions.iter().skip(1) {
            jobs.push(Job::ExampleVersion(version.clone()));
        }
        jobs.push(Job::ExampleChain(name, versions));
    }

    let results = run_parallel(jobs, 3, citus);
    for (title, result) in results {
        failures.checked();
        if let Err(message) = result {
            failures.add(title, message);
        }
    }
    failures.assert_none("live plans");
}

/// A finished job: its position, title and outcome.
type Finished = (usize, String, Result<(), String>);

/// Runs jobs on `n_threads` threads; results come back in job order.
fn run_parallel(
    jobs: Vec<Job>,
    n_threads: usize,
    citus: bool,
) -> Vec<(String, Result<(), String>)> {
    let queue: Mutex<Vec<(usize, Job)>> = Mutex::new(jobs.into_iter().enumerate().rev().collect());
    let results: Mutex<Vec<Finished>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..n_threads {
            scope.spawn(|| loop {
                let next = queue.lock().map(|mut queue| queue.pop()).unwrap_or(None);
                let Some((idx, job)) = next else {
                    break;
                };
                let title = job.title();
                let result =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_job(&job, citus)))
                        .unwrap_or_else(|panic| Err(panic_message(&panic)));
                if let Ok(mut results) = results.lock() {
                    results.push((idx, title, result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(idx, _, _)| *idx);
    results
        .into_iter()
        .map(|(_, title, result)| (title, result))
        .collect()
}

fn run_job(job: &Job, citus: bool) -> Result<(), String> {
    match job {
        Job::Fixture(case) => {
            let current =
                load_side(case.from.as_ref()).map_err(|d| format!("`from` does not load:\n{d}"))?;
            let desired =
                load_side(Some(&case.to)).map_err(|d| format!("`to` does not load:\n{d}"))?;
            let db = TestDb::create();
            db.ensure_roles(&current)?;
            db.ensure_roles(&desired)?;
            apply(&db, &Model::default(), &current, "empty -> from")?;
            apply(&db, &current, &desired, "from -> to")
        }
        Job::Reference(path) => {
            let model = load_for_live(path, citus, "the reference schema")?;
            let db = TestDb::create();
            db.ensure_roles(&model)?;
            apply(&db, &Model::default(), &model, "empty -> schemas/")
        }
        Job::ExampleVersion(path) => {
            let model = load_for_live(path, citus, &rel(path))?;
            let db = TestDb::create();
            db.ensure_roles(&model)?;
            apply(
                &db,
                &Model::default(),
                &model,
                &format!("empty -> {}", rel(path)),
            )
        }
        Job::ExampleChain(_, versions) => {
            let db = TestDb::create();
            let mut current = Model::default();
            let mut current_name = "empty".to_string();
            for version in versions {
                let desired = load_for_live(version, citus, &rel(version))?;
                db.ensure_roles(&desired)?;
                let step = format!("{current_name} -> {}", rel(version));
                apply(&db, &current, &desired, &step)?;
                current = desired;
                current_name = rel(version);
            }
            Ok(())
        }
    }
}

/// Plans `current -> desired` and runs the SQL on `db`.
fn apply(db: &TestDb, current: &Model, desired: &Model, what: &str) -> Result<(), String> {
    let plan = plan_models(current, desired, &PlanOptions::default())
        .map_err(|err| format!("planning {what} failed: {err}"))?;
    let mut sql = Vec::new();
    schemac::render::sql::render(&plan, &mut sql)
        .map_err(|err| format!("rendering the SQL of {what} failed: {err}"))?;
    let sql = String::from_utf8_lossy(&sql);
    db.run_sql(&sql)
        .map_err(|err| format!("the SQL of {what} failed on PostgreSQL:\n{err}"))
}

/// Loads a schema for a live run; without Citus, shard distribution is
/// removed (and the removal printed).
fn load_for_live(path: &PathBuf, citus: bool, what: &str) -> Result<Model, String> {
    let mut model = load_model(std::slice::from_ref(path))
        .map_err(|d| format!("{what} does not load:\n{d}"))?;
    if !citus {
        let distributed: Vec<String> = model
            .tables
            .values_mut()
            .filter_map(|table| table.distribution.take().map(|_| table.name.to_string()))
            .collect();
        if !distributed.is_empty() {
            note(&format!(
                "{what}: the server has no Citus; shard distribution of {} table(s) is not applied ({}{})",
                distributed.len(),
                distributed.iter().take(3).cloned().collect::<Vec<_>>().join(", "),
                if distributed.len() > 3 { ", ..." } else { "" }
            ));
        }
    }
    Ok(model)
}

/// `[live] skip` of `examples/<name>/case.toml`, when present.
fn example_skip(name: &str) -> Result<Option<String>, String> {
    let path = common::root().join("examples").join(name).join("case.toml");
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|err| format!("cannot read {}: {err}", rel(&path)))?;
    let meta = common::parse_case_meta(&text).map_err(|err| format!("{}: {err}", rel(&path)))?;
    Ok(meta.live_skip)
}

/// Whether the server can run Citus: the extension is installed *and*
/// loaded (`shared_preload_libraries`); an installed but unloaded Citus
/// (the local server once the Citus tests have built it) cannot create the
/// extension.
fn citus_available() -> bool {
    let db = TestDb::create();
    db.query(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'citus' \
         AND current_setting('shared_preload_libraries') ~ '(^|[, ])citus($|[, ])'",
    )
    .is_ok_and(|rows| rows.iter().any(|row| row.trim() == "1"))
}

#[test]
fn urls_are_rewritten_and_redacted() {
    use common::{redact, with_database};
    assert_eq!(
        with_database("postgresql://postgres@127.0.0.1:5432/postgres", "x"),
        "postgresql://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/db?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgresql://h:5", "x"), "postgresql://h:5/x");
    assert_eq!(
        redact("cannot connect to postgres://u:secret@h:5/db: refused"),
        "cannot connect to postgres://u:***@h:5/db: refused"
    );
    assert_eq!(redact("postgresql://u@h/db"), "postgresql://u@h/db");
}

#[test]
fn test_databases_are_created_and_dropped() {
    let name;
    {
        let db = TestDb::create();
        name = db.name().to_string();
        db.run_sql("CREATE TABLE t (id int); INSERT INTO t VALUES (1);")
            .expect("a trivial script runs");
        assert_eq!(db.query("SELECT count(*) FROM t").expect("query"), ["1"]);
        let err = db
            .run_sql("SELECT 1;\nSELECT no_such_column FROM t;\nSELECT 2;")
            .expect_err("ON_ERROR_STOP makes a failing script fail");
        assert!(err.contains("no_such_column"), "{err}");
        assert!(err.contains("   2 | SELECT no_such_column"), "{err}");
    }
    let admin = TestDb::create();
    let rows = admin
        .query(&format!(
            "SELECT count(*) FROM pg_database WHERE datname = '{name}'"
        ))
        .expect("query");
    assert_eq!(rows, ["0"], "database {name} was not dropped");
}
