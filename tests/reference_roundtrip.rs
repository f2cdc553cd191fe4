//! Live round trip through PostgreSQL and `pg_dump` (issue 2, acceptance
//! item 3): the `.sql` frontend reads back what the `.schema` frontend
//! described.
//!
//! For the reference schema (`schemas/`), every example version
//! (`examples/<name>/vN/`) without Citus constructs, and the `to` side of
//! every fixture (`tests/fixtures/<case>/`, except those whose `case.toml`
//! says `[live] skip`), each in a fresh database:
//!
//! 1. `desired` = the schema loaded through `frontend::load` (and
//!    validation), with no error diagnostics;
//! 2. the plan `empty -> desired` (`plan_models`, default options), rendered
//!    by `render::sql`, runs with `psql -v ON_ERROR_STOP=1`, after
//!    `SET check_function_bodies = off` (as in pg_dump's own scripts; works
//!    around a planner bug, see `round_trip`);
//! 3. `pg_dump --schema-only --no-owner` of that database (privileges
//!    included: they are part of the Model) is
//!    loaded by the `.sql` frontend as `dump.sql`, with no error diagnostics;
//! 4. both Models, after the normalizations below, must be equal; on a
//!    difference the test prints, per object, a diff of the two objects'
//!    `Debug` forms.
//!
//! Citus: plain PostgreSQL cannot run `create_distributed_table`. The
//! reference schema (and any fixture `to` side without `[live] skip`)
//! declares `shard by ...` as documentation of the production layout, so
//! distribution is removed from `desired` before planning (every
//! `table.distribution = None`) and the test says so; example versions that
//! declare distribution are skipped (their whole point is Citus).
//!
//! The dump's default-privileges entries of the role that ran the plan
//! are keyed as the schema's entries without `FOR ROLE` (the applying
//! role): pg_dump always prints `FOR ROLE`.
//!
//! Normalizations applied to BOTH Models before comparing ([`comparable`]),
//! each because the information is not in a `pg_dump` of one database:
//! - `roles` cleared: roles are cluster-wide; `pg_dump` of a database never
//!   prints `CREATE ROLE`.
//! - `external` cleared: external patterns are schemac's instructions for
//!   the diff, not database objects.
//! - a view's `query` and `columns` cleared: PostgreSQL stores the query
//!   rewritten (`pg_get_viewdef` qualifies columns with their relation,
//!   casts literals, folds an explicit column list into the SELECT's
//!   aliases); only a shadow database can compare them (DESIGN.md,
//!   "Normalization"). Name, kind, options, dependencies, indexes and
//!   comment are still compared.
//! - an extension's `version` cleared: `pg_dump` prints `CREATE EXTENSION`
//!   without `VERSION`.
//! - quotes removed from function `SET` values. Works around a bug of the
//!   `.schema` frontend (`frontend/dsl/lower/function.rs` keeps the value
//!   as written, `'pg_catalog'`, where the `.sql` frontend and the
//!   introspector store PostgreSQL's `proconfig` form, `pg_catalog`).
//!
//! Needs a server: `SCHEMAC_TEST_DATABASE_URL` (default
//! `postgresql://postgres@127.0.0.1:5432/postgres`); fails with
//! instructions when none answers. Jobs run on two threads.

mod common;

use common::{load_model, note, panic_message, rel, Failures, TestDb};
use schemac::diagnostics::{render_text, Diagnostic, Severity};
use schemac::model::{Model, SqlExpr};
use schemac::plan::{plan_models, PlanOptions};
use schemac::source::{Language, SourceSet};
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::PathBuf;
use std::sync::Mutex;

/// One schema to round-trip.
struct Job {
    title: String,
    path: PathBuf,
    /// Example versions that declare Citus distribution are skipped;
    /// elsewhere distribution is stripped.
    skip_if_distributed: bool,
}

#[test]
fn schemas_round_trip_through_pg_dump() {
    // Fail early, with instructions, when no server answers.
    drop(TestDb::create());

    let mut failures = Failures::default();
    let mut jobs = Vec::new();
    let schemas = common::root().join("schemas");
    if schemas.is_dir() {
        jobs.push(Job {
            title: "reference schema (schemas/)".to_string(),
            path: schemas,
            skip_if_distributed: false,
        });
    } else {
        failures.add("reference schema", "schemas/ is missing");
    }
    for (name, versions) in common::examples() {
        if versions.is_empty() {
            failures.add(
                format!("example {name}"),
                "has no v1/, v2/, ... directories",
            );
        }
        for version in versions {
            jobs.push(Job {
                title: format!("example {}", rel(&version)),
                path: version,
                skip_if_distributed: true,
            });
        }
    }
    for entry in common::fixture_cases() {
        match entry {
            Ok(case) => match &case.meta.live_skip {
                Some(reason) => note(&format!("skipping fixture {}: {reason}", case.name)),
                None => jobs.push(Job {
                    title: format!("fixture {} (to)", case.name),
                    path: case.to.primary.clone(),
                    skip_if_distributed: false,
                }),
            },
            Err((name, message)) => failures.add(format!("fixture {name}"), message),
        }
    }

    // `SCHEMAC_ROUNDTRIP_ONLY=text` keeps the jobs whose title contains it
    // (for iterating on one schema).
    if let Ok(only) = std::env::var("SCHEMAC_ROUNDTRIP_ONLY") {
        jobs.retain(|job| job.title.contains(only.as_str()));
    }
    let n_jobs = jobs.len();
    let results = run_parallel(jobs, 2);
    let mut n_exact = 0;
    let mut n_skipped = 0;
    for (title, result) in results {
        match result {
            Ok(Outcome::Equal) => {
                failures.checked();
                n_exact += 1;
            }
            Ok(Outcome::Skipped(reason)) => {
                n_skipped += 1;
                note(&format!("skipping {title}: {reason}"));
            }
            Err(message) => {
                failures.checked();
                failures.add(title, message);
            }
        }
    }
    note(&format!(
        "{n_exact} of {} schema(s) round-trip through pg_dump ({n_skipped} skipped)",
        n_jobs - n_skipped
    ));
    assert!(n_exact > 0 || !failures.is_empty(), "no schema was checked");
    failures.assert_none("pg_dump round trip");
}

enum Outcome {
    Equal,
    Skipped(String),
}

/// A finished job: its position, title and outcome.
type Finished = (usize, String, Result<Outcome, String>);

/// Runs jobs on `n_threads` threads; results come back in job order.
fn run_parallel(jobs: Vec<Job>, n_threads: usize) -> Vec<(String, Result<Outcome, String>)> {
    let queue: Mutex<Vec<(usize, Job)>> = Mutex::new(jobs.into_iter().enumerate().rev().collect());
    let results: Mutex<Vec<Finished>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..n_threads {
            scope.spawn(|| loop {
                let next = queue.lock().map(|mut queue| queue.pop()).unwrap_or(None);
                let Some((idx, job)) = next else {
                    break;
                };
                let result =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| round_trip(&job)))
                        .unwrap_or_else(|panic| Err(panic_message(&panic)));
                if let Ok(mut results) = results.lock() {
                    results.push((idx, job.title, result));
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

/// Steps 1-4 of the module doc for one schema.
fn round_trip(job: &Job) -> Result<Outcome, String> {
    let mut desired = load_model(std::slice::from_ref(&job.path))
        .map_err(|d| format!("{} does not load:\n{d}", rel(&job.path)))?;
    if comparable(desired.clone()) == Model::default() {
        // Equality of two empty Models would prove nothing.
        return Err(format!("{} declares no database object", rel(&job.path)));
    }
    let distributed: Vec<String> = desired
        .tables
        .values()
        .filter(|table| table.distribution.is_some())
        .map(|table| table.name.to_string())
        .collect();
    if !distributed.is_empty() {
        if job.skip_if_distributed {
            return Ok(Outcome::Skipped(format!(
                "declares Citus distribution ({})",
                distributed.join(", ")
            )));
        }
        // No Citus here: `create_distributed_table` cannot run.
        for table in desired.tables.values_mut() {
            table.distribution = None;
        }
        note(&format!(
            "{}: shard distribution of {} table(s) removed (no Citus)",
            job.title,
            distributed.len()
        ));
    }

    let db = TestDb::create();
    db.ensure_roles(&desired)?;
    let plan = plan_models(&Model::default(), &desired, &PlanOptions::default())
        .map_err(|err| format!("planning empty -> desired failed: {err}"))?;
    let mut sql = Vec::new();
    schemac::render::sql::render(&plan, &mut sql)
        .map_err(|err| format!("rendering the plan's SQL failed: {err}"))?;
    // Planner bug (src/plan, reported): a `LANGUAGE sql` function or
    // procedure whose body names a table is created before that table, and
    // PostgreSQL validates SQL bodies at creation. pg_dump's own scripts
    // turn the check off the same way.
    let script = format!(
        "SET check_function_bodies = off;\n{}",
        String::from_utf8_lossy(&sql)
    );
    db.run_sql(&script)
        .map_err(|err| format!("the plan's SQL failed on PostgreSQL:\n{err}"))?;

    let dump = pg_dump(&db)?;
    let mut dumped = load_dump(&dump)?;
    // pg_dump names the role of every default-privileges entry; the
    // schema's entries without `FOR ROLE` are the applying role's.
    let applying = db
        .query("SELECT current_user")?
        .into_iter()
        .next()
        .unwrap_or_default();
    dumped.default_privileges = std::mem::take(&mut dumped.default_privileges)
        .into_iter()
        .map(|(mut key, acl)| {
            if key
                .role
                .as_ref()
                .is_some_and(|role| role.as_str() == applying)
            {
                key.role = None;
            }
            (key, acl)
        })
        .collect();
    let differences = differences(&comparable(desired), &comparable(dumped));
    if differences.is_empty() {
        Ok(Outcome::Equal)
    } else {
        Err(format!(
            "the dump's Model differs from the desired one in {} object(s) \
             (- desired, + dump):\n\n{}",
            differences.len(),
            differences.join("\n\n")
        ))
    }
}

fn pg_dump(db: &TestDb) -> Result<String, String> {
    let output = std::process::Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "-d"])
        .arg(db.url())
        .env("PGCONNECT_TIMEOUT", "5")
        .output()
        .map_err(|err| format!("cannot run pg_dump: {err}"))?;
    if !output.status.success() {
        return Err(format!(
            "pg_dump failed: {}",
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    String::from_utf8(output.stdout).map_err(|err| format!("pg_dump printed non-UTF-8: {err}"))
}

/// The dump through the `.sql` frontend; any error diagnostic fails.
fn load_dump(dump: &str) -> Result<Model, String> {
    let mut sources = SourceSet::default();
    sources.add(PathBuf::from("dump.sql"), dump.to_string(), Language::Sql);
    let parsed = schemac::frontend::load(&sources);
    let warnings: Vec<String> = parsed
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.severity == Severity::Warning)
        .map(|diagnostic| diagnostic.to_gcc_line(&sources))
        .collect();
    if !warnings.is_empty() {
        note(&format!(
            "the .sql frontend warns on a dump:\n{}",
            warnings.join("\n")
        ));
    }
    let errors: Vec<Diagnostic> = parsed
        .diagnostics
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    if errors.is_empty() {
        Ok(parsed.value)
    } else {
        Err(format!(
            "the .sql frontend reports errors on the dump:\n{}\n--- dump ---\n{}",
            render_text(&errors, &sources, false),
            common::numbered(dump)
        ))
    }
}

/// The Model with the documented normalizations (module doc) applied.
fn comparable(mut model: Model) -> Model {
    model.roles.clear();
    model.external.clear();
    for view in model.views.values_mut() {
        view.query = SqlExpr::raw("");
        view.columns.clear();
    }
    for extension in model.extensions.values_mut() {
        extension.version = None;
    }
    for function in model.functions.values_mut() {
        for (_, value) in &mut function.config {
            *value = value
                .split(',')
                .map(|item| item.trim().trim_matches('\''))
                .collect::<Vec<_>>()
                .join(", ");
        }
    }
    model
}

/// One entry per differing object, each with a diff of the `Debug` forms.
fn differences(desired: &Model, dumped: &Model) -> Vec<String> {
    let mut out = Vec::new();
    compare("schema", &desired.schemas, &dumped.schemas, &mut out);
    compare(
        "extension",
        &desired.extensions,
        &dumped.extensions,
        &mut out,
    );
    compare("role", &desired.roles, &dumped.roles, &mut out);
    compare("enum", &desired.enums, &dumped.enums, &mut out);
    compare("domain", &desired.domains, &dumped.domains, &mut out);
    compare("sequence", &desired.sequences, &dumped.sequences, &mut out);
    compare("function", &desired.functions, &dumped.functions, &mut out);
    compare("table", &desired.tables, &dumped.tables, &mut out);
    compare("view", &desired.views, &dumped.views, &mut out);
    if desired.external != dumped.external {
        out.push(debug_diff(
            "external patterns",
            &desired.external,
            &dumped.external,
        ));
    }
    if out.is_empty() && desired != dumped {
        out.push(debug_diff("Model", desired, dumped));
    }
    out
}

fn compare<K: Ord + Debug, V: PartialEq + Debug>(
    kind: &str,
    desired: &BTreeMap<K, V>,
    dumped: &BTreeMap<K, V>,
    out: &mut Vec<String>,
) {
    for (key, value) in desired {
        match dumped.get(key) {
            None => out.push(format!(
                "{kind} {key:?} is missing from the dump's Model:\n{value:#?}"
            )),
            Some(other) if other != value => {
                out.push(debug_diff(&format!("{kind} {key:?}"), value, other));
            }
            Some(_) => {}
        }
    }
    for (key, value) in dumped.iter().filter(|(key, _)| !desired.contains_key(key)) {
        out.push(format!(
            "{kind} {key:?} is only in the dump's Model:\n{value:#?}"
        ));
    }
}

/// A unified diff of two objects' pretty `Debug` forms. Spans are in
/// `Meta`, which equality ignores, so they are left out of the diff.
fn debug_diff(what: &str, desired: &impl Debug, dumped: &impl Debug) -> String {
    let desired = without_meta(&format!("{desired:#?}"));
    let dumped = without_meta(&format!("{dumped:#?}"));
    let diff = similar::TextDiff::from_lines(&desired, &dumped);
    format!("{what} differs:\n{}", diff.unified_diff().context_radius(4))
}

/// Drops `meta: Meta { ... }` blocks from a pretty `Debug` form.
fn without_meta(debug: &str) -> String {
    let mut out = String::new();
    let mut skip_until: Option<usize> = None;
    for line in debug.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(meta_indent) = skip_until {
            if indent == meta_indent && line.trim_start().starts_with('}') {
                skip_until = None;
            }
            continue;
        }
        if line.trim_start().starts_with("meta: Meta {") {
            skip_until = Some(indent);
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn meta_blocks_are_left_out_of_diffs() {
    let debug = "Table {\n    name: x,\n    meta: Meta {\n        span: None,\n    },\n    comment: None,\n}";
    assert_eq!(
        without_meta(debug),
        "Table {\n    name: x,\n    comment: None,\n}\n"
    );
}
