//! The `.schema` language: pest grammar (grammar/schema.pest) -> parse
//! trees -> Model, the canonical formatter used by `schemac fmt`, and the
//! Model printer used by `schemac inspect`.
//!
//! Layout: [`parse`] drives pest one top-level object at a time and, when a
//! file has syntax errors, blanks out the offending lines so the rest of the
//! file (even the rest of the same table) is still checked and lowered;
//! [`lower`] walks the trees into the Model; [`fmt`] re-prints the trees in
//! the canonical style; [`print`] prints any Model as `.schema` text
//! (through [`fmt`]).
//!
//! Invariants: never panics on any input; every syntax error becomes a
//! `syntax-error` diagnostic with the exact span; `parse(fmt(x)) == parse(x)`.

pub mod fmt;
pub mod lower;
pub mod parse;
pub mod print;
mod tree;

pub use fmt::format_source;
pub use print::print_model;

use crate::diagnostics::Parsed;
use crate::model::Model;
use crate::source::SourceFile;

/// Parses and lowers one `.schema` file.
pub fn load_file(file: &SourceFile) -> Parsed<Model> {
    // The common case, a file without syntax errors, is parsed once, each
    // entry lowered as soon as it is parsed (so one entry's parse tree is
    // alive at a time); otherwise the errors are found and blanked out
    // first, and the clean text is parsed and lowered instead (what was
    // lowered on the first pass is dropped).
    let mut entries = parse::Entries::until_first_error(&file.text, file.id);
    let lowered = lower::lower_entries(file, &mut entries);
    let (lowered, mut diagnostics) = if entries.diagnostics.is_empty() {
        (lowered, Vec::new())
    } else {
        drop(lowered);
        let (clean, mut found) = parse::recover(&file.text, file.id);
        let mut clean_entries = parse::Entries::new(&clean, file.id);
        let lowered = lower::lower_entries(file, &mut clean_entries);
        found.extend(clean_entries.diagnostics);
        (lowered, found)
    };
    diagnostics.extend(lowered.diagnostics);
    diagnostics.sort_by_key(|d| d.primary.span.start);
    Parsed::new(lowered.value, diagnostics)
}

#[cfg(test)]
mod tests;
