//! The fuzz target: what `schemac check`, `schemac fmt` and `schemac plan`
//! (offline) do with one file, every output format included. Shared by the
//! fuzz harness (`fuzz/main.rs`) and the regression test of every input
//! that ever crashed or hung it (`tests/fuzz_regressions.rs`).
//!
//! Invariant: the function returns for every input; a panic inside is a
//! defect of schemac, never of the harness.

use schemac::diagnostics::Diagnostic;
use schemac::model::validate::validate;
use schemac::model::Model;
use schemac::plan::{plan_models, PlanOptions};
use schemac::render::diagnostics as formats;
use schemac::source::{Language, SourceSet};
use std::path::PathBuf;

/// The language an input is read as, from its file extension.
pub fn language_of(path: &std::path::Path) -> Option<Language> {
    match path.extension()?.to_str()? {
        "schema" => Some(Language::Schema),
        "sql" => Some(Language::Sql),
        _ => None,
    }
}

/// Runs one input through both frontends' shared pipeline: load, validate,
/// lint (schema and migration rules), plan from empty and back to empty,
/// render the plans in every format, format the `.schema` source and
/// print the Model in both notations, render the findings in every
/// diagnostics format. Returns the number of findings.
pub fn exercise(language: Language, text: &str) -> usize {
    let mut sources = SourceSet::default();
    let path = match language {
        Language::Schema => "fuzz.schema",
        Language::Sql => "fuzz.sql",
    };
    sources.add(PathBuf::from(path), text.to_string(), language);
    let mut parsed = schemac::frontend::load(&sources);
    let mut diagnostics: Vec<Diagnostic> = std::mem::take(&mut parsed.diagnostics);
    if language == Language::Schema {
        // `schemac fmt`: formatting either succeeds or reports findings.
        if let Some(file) = sources.files.first() {
            let _ = schemac::frontend::dsl::format_source(file);
        }
    }
    if !diagnostics.iter().any(Diagnostic::is_error) {
        let model = parsed.value;
        diagnostics.extend(validate(&model));
        let config = schemac::lint::LintConfig::default();
        let empty = Model::default();
        let options = PlanOptions::default();
        if let Ok(plan) = plan_models(&empty, &model, &options) {
            diagnostics.extend(schemac::lint::run(
                &sources,
                &model,
                Some((&plan, &empty)),
                &config,
            ));
            render_plan(&plan, &sources);
        }
        if let Ok(plan) = plan_models(&model, &empty, &options) {
            render_plan(&plan, &sources);
        }
        // `schemac inspect` prints a Model in both notations.
        let _ = schemac::frontend::dsl::print_model(&model);
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

fn render_plan(plan: &schemac::plan::Plan, sources: &SourceSet) {
    let mut out = Vec::new();
    schemac::render::text::render(plan, &mut out, false).expect("writing to a Vec");
    schemac::render::sql::render(plan, &mut out).expect("writing to a Vec");
    schemac::render::json::render(plan, sources, &mut out).expect("writing to a Vec");
    schemac::render::markdown::render(plan, &mut out).expect("writing to a Vec");
}
