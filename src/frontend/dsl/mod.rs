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

/// Parses and lowers one `.schema` file, on as many threads as the
/// machine has cores when the file is large.
pub fn load_file(file: &SourceFile) -> Parsed<Model> {
    load_file_on(file, crate::frontend::threads())
}

/// Parses and lowers one `.schema` file on at most `threads` threads.
pub fn load_file_on(file: &SourceFile, threads: usize) -> Parsed<Model> {
    // The common case, a file without syntax errors, is parsed once, each
    // entry lowered as soon as it is parsed (so one entry's parse tree is
    // alive at a time); otherwise the errors are found and blanked out
    // first, and the clean text is parsed and lowered instead (what was
    // lowered on the first pass is dropped).
    let lowered = match load_chunks(file, threads) {
        Some(lowered) => Some(lowered),
        None => {
            let mut entries = parse::Entries::until_first_error(&file.text, file.id);
            let lowered = lower::lower_entries(file, &mut entries);
            entries.diagnostics.is_empty().then_some(lowered)
        }
    };
    let (lowered, mut diagnostics) = match lowered {
        Some(lowered) => (lowered, Vec::new()),
        None => {
            let (clean, mut found) = parse::recover(&file.text, file.id);
            let mut clean_entries = parse::Entries::new(&clean, file.id);
            let lowered = lower::lower_entries(file, &mut clean_entries);
            found.extend(clean_entries.diagnostics);
            (lowered, found)
        }
    };
    diagnostics.extend(lowered.diagnostics);
    diagnostics.sort_by_key(|d| d.primary.span.start);
    Parsed::new(lowered.value, diagnostics)
}

/// Files smaller than this are read on one thread (a thread costs more
/// than it saves).
const CHUNK_MIN_BYTES: usize = 256 * 1024;

/// Reads a large file as `threads` runs of entries on as many threads:
/// each run starts after a line that is a lone `}` (where, in practice, one
/// object ends and the next begins). A run's start is an entry's start
/// exactly when the run before it ends there (each run's parse is what one
/// parse of the whole file does from that point), so the result equals
/// reading the file on one thread. `None` when that is not so, when the
/// file has a syntax error, when runs declare the same object (the file's
/// order decides which declaration is the duplicate), or when the file is
/// small: the caller reads it on one thread.
fn load_chunks(file: &SourceFile, threads: usize) -> Option<Parsed<Model>> {
    let text = file.text.as_str();
    if threads < 2 || text.len() < CHUNK_MIN_BYTES {
        return None;
    }
    let mut bounds = vec![0];
    for part in 1..threads {
        let start = (text.len() * part / threads).max(*bounds.last()?);
        let after_brace = text.as_bytes()[start..]
            .windows(3)
            .position(|window| window == b"\n}\n");
        match after_brace {
            Some(at) if start + at + 3 < text.len() => bounds.push(start + at + 3),
            _ => break,
        }
    }
    bounds.dedup();
    if bounds.len() < 2 {
        return None;
    }
    bounds.push(text.len());
    let runs: Vec<Option<lower::Part<'_>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = bounds
            .windows(2)
            .map(|run| {
                let (start, stop) = (run[0], run[1]);
                scope.spawn(move || {
                    let mut entries = parse::Entries::chunk(text, file.id, start, stop);
                    let part = lower::lower_part(file, &mut entries);
                    (entries.diagnostics.is_empty() && entries.position() == stop).then_some(part)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().ok().flatten())
            .collect()
    });
    let mut runs = runs.into_iter();
    let mut whole = runs.next()??;
    for run in runs {
        if !whole.absorb(run?) {
            return None;
        }
    }
    Some(whole.finish())
}

#[cfg(test)]
mod tests;
