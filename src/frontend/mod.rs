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
use crate::source::{Language, SourceFile, SourceSet};

/// Parses every file of the set and merges the results.
pub fn load(sources: &SourceSet) -> Parsed<Model> {
    let mut model = Model::default();
    let mut diagnostics = Vec::new();
    let parse_stage = crate::timings::stage("parse and lower");
    for (file, parsed) in sources.files.iter().zip(load_files(sources)) {
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

/// Threads the frontends read files on: the machine's cores.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |cores| cores.get())
}

/// Each file parsed and lowered on its own, in the order of the set. Files
/// are independent until merged, so several are read at once, one per
/// core; a single file is read as a whole on every core (`.schema`).
fn load_files(sources: &SourceSet) -> Vec<Parsed<Model>> {
    let cores = threads();
    let load_one = |file: &SourceFile, threads: usize| match file.language {
        Language::Schema => dsl::load_file_on(file, threads),
        Language::Sql => sql::load_file_on(file, threads),
    };
    if cores < 2 || sources.files.len() < 2 {
        return sources
            .files
            .iter()
            .map(|file| load_one(file, cores))
            .collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut loaded: Vec<(usize, Parsed<Model>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..cores.min(sources.files.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let idx = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(file) = sources.files.get(idx) else {
                            return done;
                        };
                        done.push((idx, load_one(file, 1)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| match worker.join() {
                Ok(done) => done,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    loaded.sort_by_key(|(idx, _)| *idx);
    loaded.into_iter().map(|(_, parsed)| parsed).collect()
}

/// Whole-Model fix-ups that need every file: filling in FK referenced
/// columns from the referenced table's primary key, normalising partition
/// bound literals to the key column's type, expanding generated ranges.
pub fn resolve(model: Model) -> Parsed<Model> {
    resolve::resolve(model)
}
