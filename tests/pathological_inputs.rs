//! No panic and no hang on any input (issue 11, item 7): every hostile
//! input of `synth::pathological` (about 100 KB each, both frontends) goes
//! through what `schemac check` and `schemac plan` do with a file (load,
//! validate, lint, plan from empty) and every diagnostics format, and
//! none may panic or take long.
//!
//! The time budget is a loose guard against exponential or quadratic
//! blow-ups, not a benchmark: 1 s per input in a release build, 30 s in a
//! debug build (unoptimised pest and sqlparser are 10 to 30 times slower).
//! `cargo bench --bench stress` prints the release timings.

use schemac::diagnostics::Diagnostic;
use schemac::model::validate::validate;
use schemac::model::Model;
use schemac::plan::{plan_models, PlanOptions};
use schemac::render::diagnostics as formats;
use schemac::source::{Language, SourceSet};
use schemac::synth::pathological::{self, Input};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn budget() -> Duration {
    if cfg!(debug_assertions) {
        Duration::from_secs(30)
    } else {
        Duration::from_secs(1)
    }
}

/// What `schemac check` and `schemac plan` do with one file, every output
/// format included; returns the number of diagnostics.
fn check_and_render(input: &Input) -> usize {
    let mut sources = SourceSet::default();
    let path = match input.language {
        Language::Schema => "hostile.schema",
        Language::Sql => "hostile.sql",
    };
    sources.add(PathBuf::from(path), input.text.clone(), input.language);
    let mut parsed = schemac::frontend::load(&sources);
    let mut diagnostics: Vec<Diagnostic> = std::mem::take(&mut parsed.diagnostics);
    if !diagnostics.iter().any(Diagnostic::is_error) {
        diagnostics.extend(validate(&parsed.value));
        let config = schemac::lint::LintConfig::default();
        if let Ok(plan) = plan_models(&Model::default(), &parsed.value, &PlanOptions::default()) {
            let empty = Model::default();
            diagnostics.extend(schemac::lint::run(
                &sources,
                &parsed.value,
                Some((&plan, &empty)),
                &config,
            ));
            let mut out = Vec::new();
            schemac::render::sql::render(&plan, &mut out).expect("writing to a Vec");
        }
    }
    formats::sort(&mut diagnostics);
    let mut out = Vec::new();
    for shown in [
        formats::text::Shown::All,
        formats::text::Shown::grouped_unless(false),
    ] {
        formats::text::render(&diagnostics, &sources, false, shown, &mut out)
            .expect("writing to a Vec");
    }
    formats::json::render(&diagnostics, &sources, &mut out).expect("writing to a Vec");
    formats::gcc::render(&diagnostics, &sources, &mut out).expect("writing to a Vec");
    formats::github::render(&diagnostics, &sources, &mut out).expect("writing to a Vec");
    formats::gitlab::render(&diagnostics, &sources, &mut out).expect("writing to a Vec");
    let rules = formats::sarif::RuleInfo::registry();
    formats::sarif::render_sarif(&diagnostics, &sources, &rules, &mut out)
        .expect("writing to a Vec");
    diagnostics.len()
}

#[test]
fn hostile_inputs_neither_panic_nor_hang() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for input in pathological::inputs(pathological::SIZE) {
        let start = Instant::now();
        let res = catch_unwind(AssertUnwindSafe(|| check_and_render(&input)));
        let elapsed = start.elapsed();
        match res {
            Ok(_) if elapsed > budget() => failures.push(format!(
                "{} ({} bytes) took {elapsed:?}, over the {:?} budget",
                input.name,
                input.text.len(),
                budget()
            )),
            Ok(_) => checked += 1,
            Err(_) => failures.push(format!(
                "{} ({} bytes) panicked",
                input.name,
                input.text.len()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} hostile inputs failed:\n{}",
        failures.len(),
        failures.len() + checked,
        failures.join("\n")
    );
}

/// Every hostile input in both languages reports at least one problem or
/// loads cleanly; a syntax error is located inside the file.
#[test]
fn hostile_inputs_report_positions_inside_the_file() {
    for input in pathological::inputs(2_000) {
        let mut sources = SourceSet::default();
        sources.add(PathBuf::from("hostile"), input.text.clone(), input.language);
        let parsed = schemac::frontend::load(&sources);
        for diagnostic in &parsed.diagnostics {
            assert!(
                (diagnostic.primary.span.end as usize) <= input.text.len(),
                "{}: {} ends past the file ({} bytes)",
                input.name,
                diagnostic.message,
                input.text.len()
            );
        }
    }
}
