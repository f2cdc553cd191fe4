//! Every input that ever made the fuzz harness (`fuzz/main.rs`) panic,
//! crash or hang is kept in `tests/data/fuzz/` (`<kind>-s<seed>-n<number>`,
//! `.schema` or `.sql`) and run here through the same target
//! (`fuzz/target.rs`: load, validate, lint, plan, every output format):
//! none may panic, and none may take long. The time budget is a loose
//! guard, as in `tests/pathological_inputs.rs`: 1 s per input in a release
//! build, 5 s in a debug build (every kept input takes well under 0.2 s
//! in a debug build; the quadratic split of `\.` lines took 18 s).

#[path = "../fuzz/target.rs"]
mod target;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn budget() -> Duration {
    if cfg!(debug_assertions) {
        Duration::from_secs(5)
    } else {
        Duration::from_secs(1)
    }
}

fn inputs() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data")
        .join("fuzz");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| target::language_of(path).is_some())
        .collect();
    paths.sort();
    paths
}

#[test]
fn inputs_that_once_crashed_the_fuzzer_neither_panic_nor_hang() {
    let paths = inputs();
    assert!(!paths.is_empty(), "tests/data/fuzz/ holds no inputs");
    let mut failures = Vec::new();
    for path in &paths {
        let language = target::language_of(path).expect("filtered above");
        let bytes = std::fs::read(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        let text = String::from_utf8_lossy(&bytes);
        let started = Instant::now();
        let res = catch_unwind(AssertUnwindSafe(|| target::exercise(language, &text)));
        let elapsed = started.elapsed();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        match res {
            Err(_) => failures.push(format!("{name} panicked")),
            Ok(_) if elapsed > budget() => failures.push(format!(
                "{name} took {elapsed:?}, over the {:?} budget",
                budget()
            )),
            Ok(_) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} kept fuzz inputs failed:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}
