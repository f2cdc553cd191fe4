//! Live convergence with data: every fixture pair, applied over seeded rows
//! with the real `schemac apply`, must land exactly on `to`.
//!
//! Per fixture case (Citus cases, marked `[live] skip` in `case.toml`, are
//! skipped with their reason printed), in a fresh database:
//! 1. `schemac apply --db URL --yes --allow-hazards all <from>` (the built
//!    binary, so the CLI's own code path runs: plan under the advisory
//!    lock, execute, verify);
//! 2. rows are seeded in every leaf table of `from` (`seed.sql` of the case
//!    first, when it has one, then the generic generator of
//!    `convergence::seed` for the tables still empty), every leaf table is
//!    checked to hold at least one row, and all rows are recorded;
//! 3. `schemac apply ... <to>` (the binary's verification must pass).
//!    An apply whose steps all ran but whose own verification reports
//!    `not-converged` is a failure, and the case goes on so the checks
//!    below still run;
//! 4. checks:
//!    - (a) `schemac plan --db URL --detailed-exitcode <to>` on the migrated
//!      database finds no change, and the migrated database and one built
//!      from `to` introspect to Models that plan empty against each other;
//!    - (b) `pg_dump --schema-only` of the migrated database equals that of
//!      a second database built by applying `to` from empty, column order
//!      and comments aside (`convergence::dump`); a case where they
//!      legitimately differ says why with `[convergence] pg_dump_differs =
//!      "reason"`, and then must differ (a stale exception fails);
//!    - (c) every seeded row of every table the change did not drop is still
//!      there, on the columns the change did not drop or retype, under
//!      their `to` names (`convergence::rows`).
//!
//! Every failure of every case is reported at the end, with a unified diff
//! for a pg_dump mismatch. A summary (cases, exact dumps, exceptions, rows)
//! is printed on stderr. Needs a server (`SCHEMAC_TEST_DATABASE_URL`,
//! default `postgresql://postgres@127.0.0.1:5432/postgres`) and the
//! PostgreSQL client tools (`psql`, `pg_dump`).

mod common;
mod convergence;

use common::{load_side, note, panic_message, redact, rel, Case, Failures, TestDb};
use convergence::{dump, rows, seed, ConvergenceMeta};
use schemac::apply;
use schemac::introspect::Filter;
use schemac::model::Model;
use schemac::plan::{plan_models, Plan, PlanOptions};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Instant;

/// Worker threads: most of a case's time is spent waiting for the server.
const THREADS: usize = 3;

#[test]
fn fixtures_converge_with_data() {
    // Fail early, with instructions, when no server answers.
    drop(TestDb::create());
    let started = Instant::now();
    let mut failures = Failures::default();
    let mut cases = Vec::new();
    let mut skipped = Vec::new();
    for entry in common::fixture_cases() {
        match entry {
            Ok(case) => match &case.meta.live_skip {
                Some(reason) => {
                    note(&format!("skipping fixture {}: {reason}", case.name));
                    skipped.push(case.name.clone());
                }
                None => cases.push(case),
            },
            Err((name, message)) => failures.add(format!("fixture {name}"), message),
        }
    }
    assert!(!cases.is_empty(), "no fixture cases found");

    let results = run_parallel(cases, THREADS);
    let mut n_exact = 0;
    let mut exceptions = Vec::new();
    let (mut n_rows, mut n_tables) = (0, 0);
    for (name, result) in &results {
        failures.checked();
        match result {
            Ok(outcome) => {
                note(&outcome.summary(name));
                n_rows += outcome.rows.rows_checked;
                n_tables += outcome.rows.tables_checked;
                match &outcome.dump {
                    DumpOutcome::Exact => n_exact += 1,
                    DumpOutcome::DiffersAsDeclared(reason) => {
                        exceptions.push(format!("{name}: {reason}"))
                    }
                    DumpOutcome::Differs | DumpOutcome::EqualDespiteDeclaration => {}
                }
                for problem in &outcome.problems {
                    failures.add(format!("fixture {name}"), problem.clone());
                }
            }
            Err(message) => failures.add(format!("fixture {name}"), message.clone()),
        }
    }
    note(&format!(
        "live convergence: {} case(s) ran ({} skipped), {} seeded row(s) checked in {} table(s); \
         pg_dump equal for {n_exact}, declared different for {}{}; {:.1}s",
        results.len(),
        skipped.len(),
        n_rows,
        n_tables,
        exceptions.len(),
        if exceptions.is_empty() {
            String::new()
        } else {
            format!(":\n  {}", exceptions.join("\n  "))
        },
        started.elapsed().as_secs_f64()
    ));
    failures.assert_none("live convergence");
}

/// How the pg_dump comparison ended.
enum DumpOutcome {
    Exact,
    DiffersAsDeclared(String),
    /// Differs without a declared reason: a failure.
    Differs,
    /// Equal although the case declares a difference: a failure.
    EqualDespiteDeclaration,
}

/// What a case did; `problems` are failures found after the apply
/// succeeded (each check runs even when another failed).
struct Outcome {
    seeded: seed::SeedReport,
    used_seed_sql: bool,
    rows: rows::RowsReport,
    dump: DumpOutcome,
    problems: Vec<String>,
}

impl Outcome {
    fn summary(&self, name: &str) -> String {
        let mut res = format!(
            "{name}: {} leaf table(s) seeded ({} by the generator{}), {} row(s) checked in {} table(s)",
            self.seeded.leaves.len(),
            self.seeded.generated.len(),
            if self.used_seed_sql { ", rest by seed.sql" } else { "" },
            self.rows.rows_checked,
            self.rows.tables_checked,
        );
        for (table, n_rows) in &self.rows.dropped {
            res.push_str(&format!("; {table} dropped by the change ({n_rows} rows)"));
        }
        if !self.rows.left_out.is_empty() {
            res.push_str(&format!(
                "; not compared: {}",
                self.rows.left_out.join(", ")
            ));
        }
        for table in &self.seeded.no_leaves {
            res.push_str(&format!("; {table} has no partitions to seed"));
        }
        match &self.dump {
            DumpOutcome::Exact => res.push_str("; pg_dump equal"),
            DumpOutcome::DiffersAsDeclared(_) => {
                res.push_str("; pg_dump differs as declared in case.toml")
            }
            DumpOutcome::Differs => res.push_str("; pg_dump DIFFERS"),
            DumpOutcome::EqualDespiteDeclaration => {
                res.push_str("; pg_dump equal DESPITE the declared difference")
            }
        }
        res
    }
}

fn run_case(case: &Case) -> Result<Outcome, String> {
    let meta = convergence::read_meta(&case.dir)?;
    let from = load_side(case.from.as_ref()).map_err(|d| format!("`from` does not load:\n{d}"))?;
    let to = load_side(Some(&case.to)).map_err(|d| format!("`to` does not load:\n{d}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start a tokio runtime: {err}"))?;

    // 1-3: from, seeded rows, the change. An apply whose steps all ran but
    // whose own verification failed is a problem, not the end of the case:
    // the other checks still say what they can.
    let mut problems = Vec::new();
    let migrated = TestDb::create();
    migrated.ensure_roles(&from)?;
    migrated.ensure_roles(&to)?;
    if let Some(from_path) = &case.from {
        problems.extend(schemac_apply(
            &migrated,
            &from_path.primary,
            "empty -> from",
        )?);
    }
    let seed_sql = case.dir.join("seed.sql");
    let used_seed_sql = seed_sql.is_file();
    if used_seed_sql {
        migrated
            .run_sql_file(&seed_sql)
            .map_err(|err| format!("{} failed: {err}", rel(&seed_sql)))?;
    }
    let seeded = seed::seed(&migrated, &from, &to)?;
    let snapshot = rows::record(&migrated, &from)?;
    problems.extend(schemac_apply(
        &migrated,
        &case.to.primary,
        "from -> to, over the seeded rows",
    )?);

    // The same schema built directly.
    let built = TestDb::create();
    problems.extend(schemac_apply(&built, &case.to.primary, "empty -> to")?);

    // (a) Converged: `schemac plan --db` (the user's second look, with its
    // shadow database) finds nothing to do, and the two databases
    // introspect to the same Model (catalog against catalog; objects the
    // schema declares external exist only in the migrated one).
    problems.extend(schemac_plan_again(&migrated, &case.to.primary)?);
    let options = plan_options(&migrated)?;
    let migrated_model = runtime.block_on(introspect_db(&migrated))?;
    let mut built_model = runtime.block_on(introspect_db(&built))?;
    built_model.external = to.external.clone();
    problems.extend(non_empty_plan(
        &migrated_model,
        &built_model,
        &options,
        "planning the Model of the database built from `to` on the migrated database",
    ));

    // (b) The oracle.
    let dump = compare_dumps(&built, &migrated, &meta, &mut problems)?;

    // (c) The rows.
    let rows = match rows::check_intact(&migrated, &snapshot, &from, &to) {
        Ok(report) => report,
        Err(problem) => {
            problems.push(format!("seeded rows are not intact:\n{problem}"));
            rows::RowsReport::default()
        }
    };
    Ok(Outcome {
        seeded,
        used_seed_sql,
        rows,
        dump,
        problems,
    })
}

/// Compares the two dumps; a difference is a problem unless the case
/// declares it, and a declared difference must exist.
fn compare_dumps(
    built: &TestDb,
    migrated: &TestDb,
    meta: &ConvergenceMeta,
    problems: &mut Vec<String>,
) -> Result<DumpOutcome, String> {
    let expected = dump::normalize(&dump::schema_dump(built.url())?);
    let actual = dump::normalize(&dump::schema_dump(migrated.url())?);
    let diff = (expected != actual).then(|| {
        dump::unified_diff(
            &expected,
            &actual,
            "built from `to`",
            "migrated from `from`",
        )
    });
    Ok(match (diff, &meta.pg_dump_differs) {
        (None, None) => DumpOutcome::Exact,
        (Some(diff), None) => {
            problems.push(format!(
                "pg_dump --schema-only of the migrated database differs from that of a database \
                 built from `to` (column order and comments aside):\n{diff}"
            ));
            DumpOutcome::Differs
        }
        (Some(_), Some(reason)) => DumpOutcome::DiffersAsDeclared(reason.clone()),
        (None, Some(reason)) => {
            problems.push(format!(
                "case.toml says `pg_dump_differs = \"{reason}\"`, but the dumps are equal: \
                 remove the exception"
            ));
            DumpOutcome::EqualDespiteDeclaration
        }
    })
}

/// `Some(message)` when planning `current -> desired` is not empty.
fn non_empty_plan(
    current: &Model,
    desired: &Model,
    options: &PlanOptions,
    what: &str,
) -> Option<String> {
    match plan_models(current, desired, options) {
        Ok(plan) if plan.is_empty() => None,
        Ok(plan) => Some(format!("{what} is not empty:\n{}", render_text(&plan))),
        Err(err) => Some(format!("{what} failed: {err}")),
    }
}

/// Runs the built `schemac apply` exactly as a user would. `Ok(Some(_))`:
/// every step ran but apply's own verification found the database still
/// differing from the schema (exit 1 with `not-converged`).
fn schemac_apply(db: &TestDb, schema: &Path, what: &str) -> Result<Option<String>, String> {
    let output = schemac(db, schema, &["apply", "--yes"])?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let finished =
        stderr.contains("the database matches the schema") || stderr.contains("nothing to apply");
    if output.status.success() && finished {
        return Ok(None);
    }
    let message = redact(&format!(
        "`schemac apply` ({what}, {}) failed ({}):\n{}\n--- the plan it printed ---\n{}",
        rel(schema),
        output.status,
        stderr.trim_end(),
        stdout.trim_end()
    ));
    if stderr.contains("not-converged") {
        Ok(Some(message))
    } else {
        Err(message)
    }
}

/// `schemac plan --db URL --detailed-exitcode <schema>`: `Some(problem)`
/// when it finds changes (exit 2) or fails.
fn schemac_plan_again(db: &TestDb, schema: &Path) -> Result<Option<String>, String> {
    let output = schemac(db, schema, &["plan", "--detailed-exitcode"])?;
    if output.status.code() == Some(0) {
        return Ok(None);
    }
    Ok(Some(redact(&format!(
        "`schemac plan --db` on the migrated database is not empty ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout).trim_end(),
        String::from_utf8_lossy(&output.stderr).trim_end()
    ))))
}

/// Runs the built binary: `schemac <args> --db URL --allow-hazards all
/// <schema>`, in the schema's directory, without colour.
fn schemac(db: &TestDb, schema: &Path, args: &[&str]) -> Result<std::process::Output, String> {
    Command::new(env!("CARGO_BIN_EXE_schemac"))
        .args(args)
        .args(["--db", db.url(), "--allow-hazards", "all"])
        .arg(schema)
        .current_dir(schema.parent().unwrap_or(Path::new(".")))
        .env_remove("DATABASE_URL")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .map_err(|err| format!("cannot run schemac: {err}"))
}

/// The Model of a database, read as `schemac apply` reads it.
async fn introspect_db(db: &TestDb) -> Result<Model, String> {
    let (client, connection) = schemac::live::connect(db.url())
        .await
        .map_err(|err| format!("cannot connect to {}: {err}", db.name()))?;
    let mut filter = Filter::default();
    apply::exclude_own_schema(&mut filter);
    let res = apply::current_model(&client, &filter)
        .await
        .map_err(|err| format!("introspecting {} failed: {err}", db.name()));
    drop(client);
    let _ = connection.await;
    res
}

/// Plan options for the server the tests run on.
fn plan_options(db: &TestDb) -> Result<PlanOptions, String> {
    let rows = db.query("SELECT current_setting('server_version_num')::int / 10000")?;
    let server_version = rows
        .first()
        .and_then(|row| row.trim().parse().ok())
        .ok_or_else(|| format!("cannot read the server version: {rows:?}"))?;
    Ok(PlanOptions {
        server_version,
        ..PlanOptions::default()
    })
}

fn render_text(plan: &Plan) -> String {
    let mut out = Vec::new();
    schemac::render::text::render(plan, &mut out, false)
        .expect("invariant: writing to a Vec cannot fail");
    String::from_utf8_lossy(&out).into_owned()
}

/// A finished case: its position, name and outcome.
type Finished = (usize, String, Result<Outcome, String>);

/// Runs the cases on `n_threads` threads; results come back in case order.
fn run_parallel(cases: Vec<Case>, n_threads: usize) -> Vec<(String, Result<Outcome, String>)> {
    let queue: Mutex<Vec<(usize, Case)>> =
        Mutex::new(cases.into_iter().enumerate().rev().collect());
    let results: Mutex<Vec<Finished>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..n_threads {
            scope.spawn(|| loop {
                let next = queue.lock().map(|mut queue| queue.pop()).unwrap_or(None);
                let Some((idx, case)) = next else {
                    break;
                };
                let result =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_case(&case)))
                        .unwrap_or_else(|panic| Err(panic_message(&panic)));
                if let Ok(mut results) = results.lock() {
                    results.push((idx, case.name.clone(), result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(idx, _, _)| *idx);
    results
        .into_iter()
        .map(|(_, name, result)| (name, result))
        .collect()
}

#[test]
fn convergence_meta_parses_and_rejects_unknown_keys() {
    let meta = convergence::parse_meta(
        "description = \"d\"\n[convergence]\npg_dump_differs = \"identity sequence keeps its name\"\n",
    )
    .expect("valid");
    assert_eq!(
        meta.pg_dump_differs.as_deref(),
        Some("identity sequence keeps its name")
    );
    assert_eq!(
        convergence::parse_meta("description = \"d\"\n").expect("valid"),
        ConvergenceMeta::default()
    );
    assert!(convergence::parse_meta("[convergence]\npg_dump_differ = \"x\"\n").is_err());
    assert!(convergence::parse_meta("[convergence]\npg_dump_differs = \" \"\n").is_err());
}

/// Every kind of leaf the generator knows: hash, list and range partitions
/// (MINVALUE and MAXVALUE bounds, default partitions of each, a range
/// under a list), foreign keys to a plain and from a partitioned table, a
/// nullable self-reference, enums, domains, arrays and length-limited
/// strings. Seeding must fill every leaf, and the rows must compare intact
/// with themselves.
#[test]
fn generator_fills_every_kind_of_leaf() {
    const SCHEMA: &str = "
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
        CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
        CREATE TABLE accounts (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            code char(2) NOT NULL UNIQUE,
            mood mood NOT NULL,
            score positive NOT NULL,
            tags text[] NOT NULL,
            born date,
            during tstzrange,
            payload jsonb,
            ip inet,
            external_id uuid UNIQUE,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE sessions (
            account_id bigint NOT NULL REFERENCES accounts (id),
            token bytea NOT NULL,
            PRIMARY KEY (account_id, token)
        ) PARTITION BY HASH (token);
        CREATE TABLE sessions_h0 PARTITION OF sessions FOR VALUES WITH (MODULUS 3, REMAINDER 0);
        CREATE TABLE sessions_h1 PARTITION OF sessions FOR VALUES WITH (MODULUS 3, REMAINDER 1);
        CREATE TABLE sessions_h2 PARTITION OF sessions FOR VALUES WITH (MODULUS 3, REMAINDER 2);
        CREATE TABLE events (
            id bigint NOT NULL,
            region text NOT NULL,
            at timestamptz NOT NULL,
            account_id bigint REFERENCES accounts (id),
            PRIMARY KEY (id, region, at)
        ) PARTITION BY LIST (region);
        CREATE TABLE events_eu PARTITION OF events FOR VALUES IN ('de', 'fr') PARTITION BY RANGE (at);
        CREATE TABLE events_eu_2025 PARTITION OF events_eu FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE TABLE events_eu_other PARTITION OF events_eu DEFAULT;
        CREATE TABLE events_us PARTITION OF events FOR VALUES IN ('us');
        CREATE TABLE events_other PARTITION OF events DEFAULT;
        CREATE TABLE readings (n integer NOT NULL, note varchar(3)) PARTITION BY RANGE (n);
        CREATE TABLE readings_low PARTITION OF readings FOR VALUES FROM (MINVALUE) TO (0);
        CREATE TABLE readings_high PARTITION OF readings FOR VALUES FROM (0) TO (MAXVALUE);
        CREATE TABLE nodes (id integer PRIMARY KEY, parent_id integer REFERENCES nodes (id));
        CREATE TABLE audit (event_id bigint NOT NULL, region text NOT NULL, at timestamptz NOT NULL,
            FOREIGN KEY (event_id, region, at) REFERENCES events (id, region, at));
    ";
    let sources = schemac::source::SourceSet {
        files: vec![schemac::source::SourceFile::new(
            schemac::source::FileId(0),
            "generator.sql".into(),
            SCHEMA.to_string(),
            schemac::source::Language::Sql,
        )],
    };
    let model = common::load_sources(&sources)
        .unwrap_or_else(|err| panic!("the schema does not load:\n{err}"));
    let db = TestDb::create();
    let plan = plan_models(&Model::default(), &model, &PlanOptions::default())
        .unwrap_or_else(|err| panic!("planning failed: {err}"));
    let mut sql = Vec::new();
    schemac::render::sql::render(&plan, &mut sql).expect("invariant: writing to a Vec");
    db.run_sql(&String::from_utf8_lossy(&sql))
        .unwrap_or_else(|err| panic!("the schema does not build:\n{err}"));

    let report = seed::seed(&db, &model, &model).unwrap_or_else(|err| panic!("{err}"));
    let leaves: Vec<String> = report.leaves.iter().map(|leaf| leaf.to_string()).collect();
    assert_eq!(
        leaves,
        [
            "public.accounts",
            "public.events_eu_2025",
            "public.events_eu_other",
            "public.events_other",
            "public.events_us",
            "public.audit",
            "public.nodes",
            "public.readings_high",
            "public.readings_low",
            "public.sessions_h0",
            "public.sessions_h1",
            "public.sessions_h2",
        ]
    );
    assert_eq!(report.generated, report.leaves);
    for leaf in &report.leaves {
        assert_eq!(
            seed::count_rows(&db, leaf).expect("count"),
            seed::ROWS_PER_LEAF,
            "{leaf}"
        );
    }
    let snapshot = rows::record(&db, &model).expect("record");
    let checked = rows::check_intact(&db, &snapshot, &model, &model)
        .unwrap_or_else(|err| panic!("rows compare unequal with themselves:\n{err}"));
    assert_eq!(
        checked.rows_checked,
        report.leaves.len() * seed::ROWS_PER_LEAF
    );
    assert!(checked.dropped.is_empty() && checked.left_out.is_empty());
    // Rows a change removes are noticed.
    db.run_sql("DELETE FROM public.nodes WHERE id = 2")
        .expect("delete");
    let err = rows::check_intact(&db, &snapshot, &model, &model).expect_err("a row is gone");
    assert!(
        err.contains("public.nodes (was public.nodes): 1 of 3"),
        "{err}"
    );
}
