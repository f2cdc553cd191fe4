//! The proportional shadow plans what the full shadow plans (issue 12,
//! item 1): for every fixture case (except `[live] skip` ones), in a fresh
//! database holding `from`, `plan --db` of `to` is made twice, once with a
//! shadow that builds only what differs from the live schema (the default)
//! and once with one that builds the whole desired schema (the hidden
//! `--full-shadow`), and the two plans must be the same steps (SQL,
//! transactions, locks, hazards). The same for the synthetic schema's 5%
//! change, and for a database that already matches (where the proportional
//! shadow builds nothing).
//!
//! Needs a server: `SCHEMAC_TEST_DATABASE_URL` (default
//! `postgresql://postgres@127.0.0.1:5432/postgres`); fails with instructions
//! when none answers.

mod common;

use common::{load_side, note, panic_message, Failures, TestDb};
use schemac::live::{self, ConnParams, LiveOptions, ShadowScope};
use schemac::model::Model;
use schemac::plan::{plan_models, Plan, PlanOptions};
use schemac::synth::{self, Form, Variant};
use std::sync::Mutex;

/// What a plan does, step by step, without the spans it points back to.
fn steps(plan: &Plan) -> Vec<String> {
    plan.steps
        .iter()
        .map(|step| {
            format!(
                "{}\n  sql: {}\n  transactional: {}, joins previous: {}\n  locks: {:?}\n  hazards: {:?}\n  action: {:?}",
                step.description,
                step.sql,
                step.transactional,
                step.joins_previous,
                step.locks,
                step.hazards
                    .iter()
                    .map(|hazard| hazard.hazard)
                    .collect::<Vec<_>>(),
                step.action
            )
        })
        .collect()
}

/// The current and desired Models of a job, or why they do not load.
type Sides = Result<(Model, Model), String>;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn plan_db(db: &TestDb, desired: &Model, scope: ShadowScope) -> Result<Plan, String> {
    let conn = ConnParams::parse(db.url()).map_err(|err| format!("URL: {err}"))?;
    let options = LiveOptions {
        shadow_scope: scope,
        ..LiveOptions::default()
    };
    runtime()
        .block_on(live::plan_against_db(&conn, desired, &options))
        .map(|live| live.plan)
        .map_err(|err| format!("plan --db ({scope:?} shadow) failed: {err}"))
}

/// Builds `current` in a fresh database and compares both shadows' plans
/// of `desired`.
fn compare(current: &Model, desired: &Model) -> Result<(), String> {
    let db = TestDb::create();
    db.ensure_roles(current)?;
    db.ensure_roles(desired)?;
    let plan = plan_models(&Model::default(), current, &PlanOptions::default())
        .map_err(|err| format!("planning `from` failed: {err}"))?;
    let mut sql = Vec::new();
    schemac::render::sql::render(&plan, &mut sql).map_err(|err| err.to_string())?;
    db.run_sql(&String::from_utf8_lossy(&sql))
        .map_err(|err| format!("building `from` failed:\n{err}"))?;
    let full = steps(&plan_db(&db, desired, ShadowScope::Full)?);
    let proportional = steps(&plan_db(&db, desired, ShadowScope::Changed)?);
    if full == proportional {
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(&full.join("\n"), &proportional.join("\n"))
        .unified_diff()
        .header("full shadow", "proportional shadow")
        .to_string();
    Err(format!("the plans differ:\n{diff}"))
}

#[test]
fn the_proportional_shadow_plans_what_the_full_shadow_plans() {
    drop(TestDb::create());
    let mut jobs: Vec<(String, Sides)> = Vec::new();
    let mut failures = Failures::default();
    for entry in common::fixture_cases() {
        match entry {
            Ok(case) => {
                if let Some(reason) = &case.meta.live_skip {
                    note(&format!("skipping fixture {}: {reason}", case.name));
                    continue;
                }
                let sides = load_side(case.from.as_ref())
                    .and_then(|current| Ok((current, load_side(Some(&case.to))?)));
                jobs.push((format!("fixture {}", case.name), sides));
            }
            Err((name, message)) => failures.add(format!("fixture {name}"), message),
        }
    }
    let load = |variant| schemac::frontend::load(&synth::source_set(60, variant, Form::Sql)).value;
    jobs.push((
        "synthetic 60 tables, 5% changed".to_string(),
        Ok((load(Variant::Base), load(Variant::Changed))),
    ));
    jobs.push((
        "synthetic 60 tables, unchanged".to_string(),
        Ok((load(Variant::Base), load(Variant::Base))),
    ));

    let queue = Mutex::new(jobs);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| loop {
                let next = queue.lock().map(|mut queue| queue.pop()).unwrap_or(None);
                let Some((title, sides)) = next else {
                    break;
                };
                let result = sides.and_then(|(current, desired)| {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        compare(&current, &desired)
                    }))
                    .unwrap_or_else(|panic| Err(panic_message(&panic)))
                });
                if let Ok(mut results) = results.lock() {
                    results.push((title, result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by(|a, b| a.0.cmp(&b.0));
    for (title, result) in results {
        failures.checked();
        if let Err(message) = result {
            failures.add(title, message);
        }
    }
    failures.assert_none("proportional shadow");
}
