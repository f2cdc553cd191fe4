//! Frontends: text -> Model. `.schema` files go through `dsl`, `.sql` files
//! through `sql`; the per-file Models are merged into one.
//!
//! Invariant: frontends never panic and never stop at the first error; they
//! return a [`Parsed`] Model together with every diagnostic.

pub mod dsl;
pub mod expr;
pub mod resolve;
pub mod sql;

use crate::diagnostics::{Diagnostic, Parsed};
use crate::model::Model;
use crate::source::{Language, SourceSet};

/// Parses every file of the set and merges the results.
pub fn load(sources: &SourceSet) -> Parsed<Model> {
    let mut model = Model::default();
    let mut diagnostics = Vec::new();
    let parse_stage = crate::timings::stage("parse and lower");
    for file in &sources.files {
        let parsed = match file.language {
            Language::Schema => dsl::load_file(file),
            Language::Sql => sql::load_file(file),
        };
        diagnostics.extend(parsed.diagnostics);
        for duplicate in model.merge(parsed.value) {
            diagnostics.push(Diagnostic::error(
                "duplicate-object",
                crate::source::Span::new(file.id, 0, 0),
                format!("{duplicate} is declared more than once"),
            ));
        }
    }
    drop(parse_stage);
    let resolved = crate::timings::time("resolve", || resolve(model));
    diagnostics.extend(resolved.diagnostics);
    Parsed::new(resolved.value, diagnostics)
}

/// Whole-Model fix-ups that need every file: filling in FK referenced
/// columns from the referenced table's primary key, normalising partition
/// bound literals to the key column's type, expanding generated ranges.
pub fn resolve(model: Model) -> Parsed<Model> {
    resolve::resolve(model)
}
