//! Every lint rule against its fixtures: `bad` must raise the rule at least
//! once, `good` must not raise it. The diagnostics of `bad` are snapshotted
//! in gcc form and in no-colour graphical form (snapshots/lint/<rule>.snap).
//!
//! Schema rules: tests/lint/<rule>/{bad,good}.schema (or .sql).
//! Migration rules: tests/lint/<rule>/{bad,good}/{from,to}.schema, with an
//! optional case.toml (`[plan] online = false` selects the direct strategy).
//! An optional tests/lint/<rule>/schemac.toml holds `[lint]` settings.

use schemac::diagnostics::{render_text, Diagnostic};
use schemac::lint::{self, registry::RULES, Family, LintConfig};
use schemac::model::Model;
use schemac::plan::PlanOptions;
use schemac::source::SourceSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint")
}

fn load(path: &Path) -> (SourceSet, Model) {
    let sources = SourceSet::load(&[path.to_path_buf()])
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    let parsed = schemac::frontend::load(&sources);
    let errors: Vec<&Diagnostic> = parsed.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(
        errors.is_empty(),
        "{} does not parse:\n{}",
        path.display(),
        render_text(&parsed.diagnostics, &sources, false)
    );
    (sources, parsed.value)
}

fn config_for(rule_dir: &Path) -> LintConfig {
    let file = rule_dir.join("schemac.toml");
    if file.exists() {
        let options = schemac::config::Options::load(Some(&file), Default::default())
            .unwrap_or_else(|err| panic!("{}: {err:?}", file.display()));
        options.lint
    } else {
        LintConfig::default()
    }
}

fn plan_options(case_dir: &Path) -> PlanOptions {
    let mut options = PlanOptions::default();
    let file = case_dir.join("case.toml");
    if let Ok(text) = std::fs::read_to_string(&file) {
        let value: toml::Table = text
            .parse()
            .unwrap_or_else(|err| panic!("{}: {err}", file.display()));
        if let Some(online) = value
            .get("plan")
            .and_then(|plan| plan.get("online"))
            .and_then(toml::Value::as_bool)
        {
            options.online = online;
        }
    }
    options
}

/// Lints one case and returns the sources and diagnostics.
fn run_case(rule_dir: &Path, case: &str, family: Family) -> (SourceSet, Vec<Diagnostic>) {
    let config = config_for(rule_dir);
    match family {
        Family::Schema => {
            let path = ["schema", "sql"]
                .iter()
                .map(|ext| rule_dir.join(format!("{case}.{ext}")))
                .find(|path| path.exists())
                .unwrap_or_else(|| panic!("{} has no {case} fixture", rule_dir.display()));
            let (sources, model) = load(&path);
            let diagnostics = lint::run(&sources, &model, None, &config);
            (sources, diagnostics)
        }
        Family::Migration => {
            let case_dir = rule_dir.join(case);
            let find = |stem: &str| {
                ["schema", "sql"]
                    .iter()
                    .map(|ext| case_dir.join(format!("{stem}.{ext}")))
                    .find(|path| path.exists())
                    .unwrap_or_else(|| panic!("{} has no {stem} file", case_dir.display()))
            };
            let (_, current) = load(&find("from"));
            let (sources, desired) = load(&find("to"));
            let plan = schemac::plan::plan_models(&current, &desired, &plan_options(&case_dir))
                .unwrap_or_else(|err| panic!("{}: plan failed: {err:?}", case_dir.display()));
            let diagnostics = lint::run(&sources, &desired, Some((&plan, &current)), &config);
            (sources, diagnostics)
        }
    }
}

#[test]
fn every_rule_fires_on_bad_and_not_on_good() {
    let mut failures = Vec::new();
    for rule in RULES {
        let dir = root().join(rule.id);
        let family = if dir.join("bad").is_dir() {
            Family::Migration
        } else {
            Family::Schema
        };
        let (bad_sources, bad) = run_case(&dir, "bad", family);
        let hits: Vec<&Diagnostic> = bad.iter().filter(|d| d.code == rule.id).collect();
        if hits.is_empty() {
            failures.push(format!(
                "{}: `bad` raised no {} diagnostic; it raised: {:?}",
                rule.id,
                rule.id,
                bad.iter().map(|d| d.code).collect::<Vec<_>>()
            ));
        } else {
            let gcc: Vec<String> = hits.iter().map(|d| d.to_gcc_line(&bad_sources)).collect();
            let owned: Vec<Diagnostic> = hits.iter().map(|d| (*d).clone()).collect();
            let graphical = render_text(&owned, &bad_sources, false);
            let root_text = format!("{}/", env!("CARGO_MANIFEST_DIR"));
            let snapshot = format!("{}\n\n{}", gcc.join("\n"), graphical).replace(&root_text, "");
            insta::with_settings!({
                snapshot_path => "../snapshots/lint",
                prepend_module_to_snapshot => false,
                omit_expression => true,
            }, {
                insta::assert_snapshot!(rule.id, snapshot);
            });
        }
        let (_, good) = run_case(&dir, "good", family);
        let false_hits: Vec<String> = good
            .iter()
            .filter(|d| d.code == rule.id)
            .map(|d| d.message.clone())
            .collect();
        if !false_hits.is_empty() {
            failures.push(format!("{}: `good` raised it: {false_hits:?}", rule.id));
        }
    }
    assert!(
        failures.is_empty(),
        "lint fixture failures:\n{}",
        failures.join("\n")
    );
}
