//! Stage timings, for finding where a whole command's time goes:
//! with `SCHEMAC_TIMINGS=1` in the environment, each command prints on
//! stderr, when it ends, the wall time of each stage it ran (parse,
//! validate, introspection, the shadow database, diff and plan, lint,
//! rendering), in the order the stages ended. Benchmarks time whole
//! commands (docs/benchmarks.md); these figures only split them.
//!
//! Owns: the process-wide list of finished stages and its printing.
//!
//! Invariants: without the variable a stage costs one relaxed load of a
//! cached flag; nothing is recorded or printed, and no output changes.

use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

static STAGES: Mutex<Vec<(&'static str, Duration)>> = Mutex::new(Vec::new());

/// True when `SCHEMAC_TIMINGS` is set to anything but `0` or empty.
pub fn enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| {
        std::env::var_os("SCHEMAC_TIMINGS").is_some_and(|value| !value.is_empty() && value != "0")
    })
}

/// A running stage; recorded when dropped.
#[must_use = "a stage is timed until the guard is dropped"]
pub struct Stage {
    name: &'static str,
    started: Option<Instant>,
}

/// Starts timing `name` until the returned guard is dropped.
pub fn stage(name: &'static str) -> Stage {
    Stage {
        name,
        started: enabled().then(Instant::now),
    }
}

/// Runs `f` as the stage `name`.
pub fn time<T>(name: &'static str, f: impl FnOnce() -> T) -> T {
    let _stage = stage(name);
    f()
}

impl Drop for Stage {
    fn drop(&mut self) {
        if let Some(started) = self.started {
            if let Ok(mut stages) = STAGES.lock() {
                stages.push((self.name, started.elapsed()));
            }
        }
    }
}

/// The recorded stages as lines (`stage <name> <ms> ms`), in the order
/// they ended; empty unless enabled.
pub fn report() -> Vec<String> {
    let Ok(stages) = STAGES.lock() else {
        return Vec::new();
    };
    stages
        .iter()
        .map(|(name, took)| format!("timing: {name:<28} {:>9.1} ms", took.as_secs_f64() * 1000.0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_line_names_the_stage_and_its_milliseconds() {
        if let Ok(mut stages) = STAGES.lock() {
            stages.push(("unit-test-stage", Duration::from_micros(12_345)));
        }
        let lines = report();
        assert!(
            lines.iter().any(
                |line| line.starts_with("timing: unit-test-stage") && line.ends_with("12.3 ms")
            ),
            "{lines:?}"
        );
    }
}
