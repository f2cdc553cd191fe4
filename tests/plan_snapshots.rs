//! Plan snapshots over `tests/fixtures/<case>/`.
//!
//! Interim version: the planner (`schemac::plan::plan_models`) and the plan
//! renderers do not exist yet, so this checks only that every case and the
//! reference schema load without error diagnostics. The full harness
//! (snapshots, hazards, idempotence) replaces it as soon as they land.

mod common;

use common::{load_side, Failures};

#[test]
fn fixture_cases_load() {
    let mut failures = Failures::default();
    for entry in common::fixture_cases() {
        failures.checked();
        match entry {
            Ok(case) => {
                let what = format!("case {}", case.name);
                if let Err(diagnostics) = load_side(case.from.as_ref()) {
                    failures.add(&what, format!("`from` does not load:\n{diagnostics}"));
                }
                if let Err(diagnostics) = load_side(Some(&case.to)) {
                    failures.add(&what, format!("`to` does not load:\n{diagnostics}"));
                }
            }
            Err((name, message)) => failures.add(format!("case {name}"), message),
        }
    }
    failures.assert_none("fixture loading");
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
        .filter(|line| line.starts_with("| `") && !line.contains("` | `"))
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
