//! Plan snapshots: every fixture case `tests/fixtures/<case>/` is loaded
//! through the frontends, planned `from -> to`, and the plan is compared
//! with `snapshots/plan/<case>.text.snap` and `<case>.sql.snap`.
//!
//! What this proves, per case:
//! - both sides load without error diagnostics (failures show them rendered);
//! - the plan's text and SQL renderings equal the reviewed snapshots
//!   (`cargo insta review` after a change; read every diff);
//! - the hazards the plan raises are **exactly** the `hazards` listed in
//!   `case.toml` (absent means none). Exact rather than "at least": a hazard
//!   the fixture does not expect is either an over-cautious planner or a
//!   fixture that does not say what it tests, and both deserve a failure;
//! - planning `to -> to` (and `from -> from`) yields an empty plan: a schema
//!   compared with itself never produces spurious changes. The same holds
//!   for the reference schema in `schemas/`;
//! - the hazards recomputed from the typed steps
//!   (`plan::implied_hazards`, what `apply --plan FILE` checks) are all
//!   raised by the strategies, in online and in direct mode.
//!
//! All cases run in one test and every failure is reported at the end.

mod common;

use common::{load_side, Case, Failures};
use schemac::model::Model;
use schemac::plan::{plan_models, Plan, PlanOptions};
use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};

#[test]
fn fixture_plans_match_snapshots() {
    let mut failures = Failures::default();
    let cases = common::fixture_cases();
    for entry in cases {
        failures.checked();
        match entry {
            Ok(case) => check_case(&case, &mut failures),
            Err((name, message)) => failures.add(format!("case {name}"), message),
        }
    }
    failures.assert_none("plan snapshots");
}

#[test]
fn reference_schema_plans_empty_against_itself() {
    let schemas = common::root().join("schemas");
    if !schemas.is_dir() {
        panic!(
            "the reference schema directory {} is missing",
            schemas.display()
        );
    }
    let model = common::load_model(&[schemas])
        .unwrap_or_else(|diagnostics| panic!("the reference schema does not load:\n{diagnostics}"));
    let plan = plan_or_panic(&model, &model, "schemas/ -> schemas/");
    assert!(
        plan.is_empty(),
        "planning the reference schema against itself produced steps:\n{}",
        render_text(&plan)
    );
    let from_empty = plan_or_panic(&Model::default(), &model, "empty -> schemas/");
    assert!(
        !from_empty.is_empty(),
        "planning the reference schema from an empty database produced no steps"
    );
}

fn check_case(case: &Case, failures: &mut Failures) {
    let what = format!("case {}", case.name);
    let current = match load_side(case.from.as_ref()) {
        Ok(model) => model,
        Err(diagnostics) => {
            failures.add(&what, format!("`from` does not load:\n{diagnostics}"));
            return;
        }
    };
    let desired = match load_side(Some(&case.to)) {
        Ok(model) => model,
        Err(diagnostics) => {
            failures.add(&what, format!("`to` does not load:\n{diagnostics}"));
            return;
        }
    };

    let plan = match plan_models(&current, &desired, &PlanOptions::default()) {
        Ok(plan) => plan,
        Err(err) => {
            failures.add(&what, format!("planning from -> to failed: {err}"));
            return;
        }
    };

    // Snapshots. insta panics on a mismatch or a new snapshot (after
    // writing `.snap.new`); catch it so the other format and the remaining
    // cases still run.
    let text = render_text(&plan);
    let sql = render_sql(&plan);
    for (format, rendered) in [("text", &text), ("sql", &sql)] {
        let name = format!("{}.{format}", case.name);
        let snapshot = catch_unwind(AssertUnwindSafe(|| {
            let mut settings = insta::Settings::clone_current();
            settings.set_snapshot_path("../snapshots/plan");
            settings.set_prepend_module_to_snapshot(false);
            settings.set_omit_expression(true);
            if !case.meta.description.is_empty() {
                settings.set_description(case.meta.description.clone());
            }
            settings.bind(|| insta::assert_snapshot!(name.clone(), rendered));
        }));
        if snapshot.is_err() {
            failures.add(
                &what,
                format!(
                    "snapshots/plan/{name}.snap is new or differs (diff printed above); \
                     review with `cargo insta review`"
                ),
            );
        }
    }

    // Hazards: exactly the declared set.
    let raised: BTreeSet<String> = plan
        .hazards()
        .into_iter()
        .map(|hazard| hazard.id().to_string())
        .collect();
    if raised != case.meta.hazards {
        let missing: Vec<&String> = case.meta.hazards.difference(&raised).collect();
        let unexpected: Vec<&String> = raised.difference(&case.meta.hazards).collect();
        failures.add(
            &what,
            format!(
                "hazards differ from case.toml: expected {:?}, plan raises {:?} \
                 (missing {missing:?}, unexpected {unexpected:?})\n{}",
                case.meta.hazards,
                raised,
                render_text(&plan)
            ),
        );
    }

    // Hazards recomputed from the typed steps (what `apply --plan` checks)
    // are all raised by the strategies, online and direct.
    let direct = plan_models(
        &current,
        &desired,
        &PlanOptions {
            online: false,
            ..PlanOptions::default()
        },
    );
    for (mode, plan) in [("online", Ok(plan.clone())), ("direct", direct)] {
        let Ok(plan) = plan else {
            continue;
        };
        let unrecorded = schemac::plan::implied_hazards::unrecorded(&plan);
        if !unrecorded.is_empty() {
            failures.add(
                &what,
                format!(
                    "{mode} steps lack hazards their actions imply: {unrecorded:?}\n{}",
                    render_text(&plan)
                ),
            );
        }
    }

    // No spurious changes: each side against itself.
    for (side, model) in [("to", &desired), ("from", &current)] {
        match plan_models(model, model, &PlanOptions::default()) {
            Ok(plan) if plan.is_empty() => {}
            Ok(plan) => failures.add(
                &what,
                format!(
                    "planning {side} -> {side} is not empty:\n{}",
                    render_text(&plan)
                ),
            ),
            Err(err) => failures.add(&what, format!("planning {side} -> {side} failed: {err}")),
        }
    }
}

fn plan_or_panic(current: &Model, desired: &Model, what: &str) -> Plan {
    plan_models(current, desired, &PlanOptions::default())
        .unwrap_or_else(|err| panic!("planning {what} failed: {err}"))
}

fn render_text(plan: &Plan) -> String {
    let mut out = Vec::new();
    schemac::render::text::render(plan, &mut out, false)
        .expect("invariant: writing to a Vec cannot fail");
    String::from_utf8_lossy(&out).into_owned()
}

fn render_sql(plan: &Plan) -> String {
    let mut out = Vec::new();
    schemac::render::sql::render(plan, &mut out).expect("invariant: writing to a Vec cannot fail");
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn case_meta_parses_and_rejects_unknown_hazards() {
    let meta = common::parse_case_meta(
        "description = \"d\"\nhazards = [\"data-loss\"]\n[live]\nskip = \"needs Citus\"\n",
    )
    .expect("valid case.toml");
    assert_eq!(meta.description, "d");
    assert!(meta.hazards.contains("data-loss"));
    assert_eq!(meta.live_skip.as_deref(), Some("needs Citus"));
    assert!(common::parse_case_meta("hazards = [\"dataloss\"]").is_err());
    assert!(common::parse_case_meta("[live]\nskip = \"\"").is_err());
}

/// The README's hazard table is generated from `Hazard::ALL` and must stay
/// equal to it.
#[test]
fn readme_lists_every_hazard() {
    let readme =
        std::fs::read_to_string(common::root().join("README.md")).expect("README.md is readable");
    let expected: Vec<String> = schemac::plan::Hazard::ALL
        .iter()
        .map(|hazard| format!("| `{}` | {} |", hazard.id(), hazard.doc()))
        .collect();
    let found: Vec<&str> = readme
        .lines()
        // Two-column rows only: the lint rule table shares some ids.
        .filter(|line| line.starts_with("| `") && line.matches('|').count() == 3)
        .filter(|line| {
            let id = line
                .trim_start_matches("| `")
                .split('`')
                .next()
                .unwrap_or("");
            schemac::plan::Hazard::from_id(id).is_some()
        })
        .collect();
    assert_eq!(
        found,
        expected,
        "README.md's hazard table differs from Hazard::ALL; replace it with:\n| hazard | meaning |\n|---|---|\n{}",
        expected.join("\n")
    );
}
