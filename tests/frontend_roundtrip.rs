//! Frontend round trips.
//!
//! - `fmt` is idempotent (`fmt(fmt(x)) == fmt(x)`) and preserves meaning
//!   (`parse(fmt(x)) == parse(x)`, as Models) for every `.schema` file of
//!   the fixtures, the reference schema, the examples and the pairs below.
//!   Files are loaded together with the rest of their schema (a fixture
//!   side, `schemas/`, one example version), because a file may refer to
//!   objects of its siblings.
//! - The two notations agree: every `tests/frontend/pairs/<name>/` holds
//!   `a.schema` and `a.sql` describing the same schema, and every fixture
//!   side given both as `.schema` and `.sql` does too; each pair must give
//!   equal Models. Declared roles (`role x`) are left out of that comparison:
//!   roles are cluster-wide, and a `.sql` schema has no statement that
//!   declares a role it merely refers to.
//!
//! - The `.schema` printer (`inspect`) writes the formatter's canonical
//!   layout itself: for every schema above (either notation) and the
//!   synthetic one, formatting the printed text changes nothing.
//!
//! Every failure is collected and reported at the end, with a diff of the
//! two Models.

mod common;

use common::{files_with_extension, load_sources, rel, root, Failures};
use schemac::frontend::dsl::fmt::format_source;
use schemac::model::Model;
use schemac::source::{Language, SourceFile, SourceSet};
use std::path::PathBuf;

/// Groups of paths that form one schema each.
fn schema_groups() -> Vec<(String, Vec<PathBuf>)> {
    let mut groups = Vec::new();
    for case in common::fixture_cases().into_iter().flatten() {
        for (side, path) in [("from", case.from.as_ref()), ("to", Some(&case.to))] {
            if let Some(path) = path {
                groups.push((
                    format!("fixture {} ({side})", case.name),
                    vec![path.primary.clone()],
                ));
            }
        }
    }
    let schemas = root().join("schemas");
    if schemas.is_dir() {
        groups.push(("reference schema".to_string(), vec![schemas]));
    }
    for (_name, versions) in common::examples() {
        for version in versions {
            groups.push((format!("example {}", rel(&version)), vec![version]));
        }
    }
    for pair in pairs() {
        groups.push((format!("pair {}", rel(&pair)), vec![pair.join("a.schema")]));
    }
    groups
}

fn pairs() -> Vec<PathBuf> {
    common::sorted_subdirs(&root().join("tests").join("frontend").join("pairs"))
}

#[test]
fn fmt_is_idempotent_and_preserves_the_model() {
    let mut failures = Failures::default();
    for (what, paths) in schema_groups() {
        failures.checked();
        let original = match SourceSet::load(&paths) {
            Ok(set) => set,
            Err(err) => {
                failures.add(&what, format!("cannot read: {err}"));
                continue;
            }
        };
        if !original
            .files
            .iter()
            .any(|file| file.language == Language::Schema)
        {
            continue;
        }
        let original_model = match load_sources(&original) {
            Ok(model) => model,
            Err(diagnostics) => {
                failures.add(&what, format!("does not load:\n{diagnostics}"));
                continue;
            }
        };
        let mut formatted_set = SourceSet::default();
        let mut ok = true;
        for file in &original.files {
            let text = match file.language {
                Language::Sql => file.text.clone(),
                Language::Schema => match format_twice(file) {
                    Ok(text) => text,
                    Err(message) => {
                        failures.add(format!("{what}: {}", rel(&file.path)), message);
                        ok = false;
                        continue;
                    }
                },
            };
            formatted_set.add(file.path.clone(), text, file.language);
        }
        if !ok {
            continue;
        }
        match load_sources(&formatted_set) {
            Ok(formatted_model) if formatted_model == original_model => {}
            Ok(formatted_model) => failures.add(
                &what,
                format!(
                    "parse(fmt(x)) != parse(x):\n{}",
                    model_diff(
                        &original_model,
                        &formatted_model,
                        "parse(x)",
                        "parse(fmt(x))"
                    )
                ),
            ),
            Err(diagnostics) => failures.add(
                &what,
                format!("the formatted text does not load:\n{diagnostics}"),
            ),
        }
    }
    failures.assert_none("fmt round trip");
}

/// `fmt(x)`, checked to be a fixed point of `fmt`.
fn format_twice(file: &SourceFile) -> Result<String, String> {
    let once = format_source(file).map_err(|diagnostics| {
        let set = single_set(file);
        format!(
            "fmt refused the file:\n{}",
            schemac::diagnostics::render_text(&diagnostics, &set, false)
        )
    })?;
    let reformatted = SourceFile::new(file.id, file.path.clone(), once.clone(), file.language);
    let twice = format_source(&reformatted).map_err(|diagnostics| {
        let set = single_set(&reformatted);
        format!(
            "fmt refused its own output:\n{}\n--- fmt output ---\n{once}",
            schemac::diagnostics::render_text(&diagnostics, &set, false)
        )
    })?;
    if once != twice {
        return Err(format!(
            "fmt is not idempotent:\n{}",
            text_diff(&once, &twice, "fmt(x)", "fmt(fmt(x))")
        ));
    }
    Ok(once)
}

fn single_set(file: &SourceFile) -> SourceSet {
    let mut set = SourceSet::default();
    set.add(file.path.clone(), file.text.clone(), file.language);
    set
}

#[test]
fn the_printer_writes_what_the_formatter_would() {
    let mut failures = Failures::default();
    let mut models = Vec::new();
    for (what, paths) in schema_groups() {
        match SourceSet::load(&paths)
            .map_err(|err| format!("cannot read: {err}"))
            .and_then(|set| load_sources(&set).map_err(|diagnostics| format!("{diagnostics:?}")))
        {
            Ok(model) => models.push((what, model)),
            Err(message) => failures.add(&what, message),
        }
    }
    for form in [schemac::synth::Form::Schema, schemac::synth::Form::Sql] {
        let set = schemac::synth::source_set(60, schemac::synth::Variant::Changed, form);
        match load_sources(&set) {
            Ok(model) => models.push((format!("synthetic 60 tables ({form:?})"), model)),
            Err(diagnostics) => failures.add("synthetic", format!("{diagnostics:?}")),
        }
    }
    for (what, model) in models {
        failures.checked();
        let printed = schemac::frontend::dsl::print::print_model(&model);
        let formatted = schemac::frontend::dsl::print::print_model_formatted(&model);
        if printed != formatted {
            let diff = similar::TextDiff::from_lines(&formatted, &printed)
                .unified_diff()
                .header("formatted", "printed")
                .to_string();
            failures.add(&what, format!("the printed text is not canonical:\n{diff}"));
        }
    }
    failures.assert_none("printer");
}

#[test]
fn schema_and_sql_spellings_agree() {
    let mut failures = Failures::default();
    let mut compared = Vec::new();
    for pair in pairs() {
        compared.push((
            format!("pair {}", rel(&pair)),
            pair.join("a.schema"),
            pair.join("a.sql"),
        ));
    }
    for case in common::fixture_cases().into_iter().flatten() {
        for (side, path) in [("from", case.from.as_ref()), ("to", Some(&case.to))] {
            if let Some(path) = path {
                if let Some(alternate) = &path.alternate {
                    compared.push((
                        format!("fixture {} ({side})", case.name),
                        path.primary.clone(),
                        alternate.clone(),
                    ));
                }
            }
        }
    }
    assert!(
        !compared.is_empty(),
        "no .schema/.sql pairs found under tests/frontend/pairs/"
    );
    for (what, schema_path, sql_path) in compared {
        failures.checked();
        let schema_model = common::load_model(std::slice::from_ref(&schema_path));
        let sql_model = common::load_model(std::slice::from_ref(&sql_path));
        match (schema_model, sql_model) {
            (Ok(mut schema_model), Ok(mut sql_model)) => {
                schema_model.roles.clear();
                sql_model.roles.clear();
                if schema_model != sql_model {
                    failures.add(
                        &what,
                        format!(
                            "the .schema and .sql spellings give different Models:\n{}",
                            model_diff(
                                &schema_model,
                                &sql_model,
                                &rel(&schema_path),
                                &rel(&sql_path)
                            )
                        ),
                    );
                }
            }
            (Err(diagnostics), _) => failures.add(
                &what,
                format!("{} does not load:\n{diagnostics}", rel(&schema_path)),
            ),
            (_, Err(diagnostics)) => failures.add(
                &what,
                format!("{} does not load:\n{diagnostics}", rel(&sql_path)),
            ),
        }
    }
    failures.assert_none("schema/sql pairs");
}

/// A unified diff of the two Models' debug forms (spans are not part of
/// equality but do show up in `Debug`, so they are scrubbed first).
fn model_diff(left: &Model, right: &Model, left_name: &str, right_name: &str) -> String {
    let left = scrub_spans(&format!("{left:#?}"));
    let right = scrub_spans(&format!("{right:#?}"));
    text_diff(&left, &right, left_name, right_name)
}

/// Drops what never takes part in equality (the `meta: Meta { ... }` blocks
/// with spans and rename hints, `SqlExpr::sql`), so the diff shows only
/// real differences.
fn scrub_spans(debug: &str) -> String {
    let mut out = String::new();
    let mut skipping: Option<usize> = None;
    for line in debug.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(meta_indent) = skipping {
            if indent == meta_indent && line.trim_start().starts_with('}') {
                skipping = None;
            }
            continue;
        }
        if line.trim_start().starts_with("meta: Meta {") && !line.trim_end().ends_with("},") {
            skipping = Some(indent);
            continue;
        }
        // `SqlExpr::sql` is the text as written; only `canonical` counts.
        if line.trim_start().starts_with("sql: \"") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn text_diff(left: &str, right: &str, left_name: &str, right_name: &str) -> String {
    similar::TextDiff::from_lines(left, right)
        .unified_diff()
        .context_radius(4)
        .header(left_name, right_name)
        .to_string()
}

#[test]
fn every_pair_has_both_spellings() {
    for pair in pairs() {
        for file in ["a.schema", "a.sql"] {
            assert!(pair.join(file).is_file(), "{} lacks {file}", rel(&pair));
        }
    }
    let found = files_with_extension(
        &root().join("tests").join("frontend").join("pairs"),
        "schema",
    );
    assert!(
        found.len() >= 3,
        "expected at least three pairs, found {}",
        found.len()
    );
}
