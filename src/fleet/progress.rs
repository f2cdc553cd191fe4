//! Progress of a fleet command: the events [`super::plan_fleet`] and
//! [`super::roll_out`] report, and two sinks: [`Lines`] (one plain line
//! per finished database, for logs and CI) and [`Bars`] (indicatif: a bar
//! over the databases and a spinner per running database showing its
//! current step, for a terminal).
//!
//! Invariants: a sink never fails the rollout (write errors are ignored);
//! events carry labels, never connection strings; the caller (`cli`)
//! picks the sink and the stream.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// What a fleet command reports.
#[derive(Debug, Clone, Copy)]
pub enum FleetEvent<'a> {
    /// `action` ("plan" or "apply") starts on `total` databases.
    Started {
        action: &'a str,
        total: usize,
    },
    /// A phase of the rollout starts: "canary", "wave 2 of 3".
    Phase {
        name: &'a str,
        size: usize,
    },
    MemberStarted {
        index: usize,
        label: &'a str,
    },
    /// What a running database is doing now ("step 2/5: ...").
    MemberStep {
        index: usize,
        label: &'a str,
        step: &'a str,
    },
    /// A database waits before running its plan (`reason`: for what).
    MemberWaiting {
        index: usize,
        label: &'a str,
        reason: &'a str,
    },
    /// A database is done: `outcome` is one line ("applied 3 steps").
    MemberFinished {
        index: usize,
        label: &'a str,
        outcome: &'a str,
        failed: bool,
    },
    /// No new database starts, for `reason`.
    Stopping {
        reason: &'a str,
    },
    Finished,
}

/// A progress sink.
pub trait FleetProgress: Send + Sync {
    fn report(&self, event: &FleetEvent<'_>);
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl FleetProgress for Silent {
    fn report(&self, _event: &FleetEvent<'_>) {}
}

/// One plain line per phase and per finished database.
#[derive(Debug)]
pub struct Lines<W: Write + Send> {
    out: Mutex<W>,
    total: AtomicUsize,
    done: AtomicUsize,
}

impl<W: Write + Send> Lines<W> {
    pub fn new(out: W) -> Lines<W> {
        Lines {
            out: Mutex::new(out),
            total: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
        }
    }

    /// The writer back (tests read what was written).
    pub fn into_inner(self) -> W {
        match self.out.into_inner() {
            Ok(out) => out,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn write(&self, line: &str) {
        let mut out = match self.out.lock() {
            Ok(out) => out,
            Err(poisoned) => poisoned.into_inner(),
        };
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

impl<W: Write + Send> FleetProgress for Lines<W> {
    fn report(&self, event: &FleetEvent<'_>) {
        match event {
            FleetEvent::Started { action, total } => {
                self.total.store(*total, Ordering::SeqCst);
                self.done.store(0, Ordering::SeqCst);
                self.write(&format!("{action}: {total} database(s)"));
            }
            FleetEvent::Phase { name, size } => {
                self.write(&format!("{name}: {size} database(s)"));
            }
            FleetEvent::MemberFinished { label, outcome, .. } => {
                let done = self.done.fetch_add(1, Ordering::SeqCst) + 1;
                let total = self.total.load(Ordering::SeqCst);
                self.write(&format!("[{done}/{total}] {label}: {outcome}"));
            }
            FleetEvent::Stopping { reason } => self.write(&format!("stopping: {reason}")),
            FleetEvent::MemberWaiting { label, reason, .. } => {
                self.write(&format!("{label}: {reason}"));
            }
            FleetEvent::MemberStarted { .. }
            | FleetEvent::MemberStep { .. }
            | FleetEvent::Finished => {}
        }
    }
}

/// indicatif bars: the databases, and a spinner per running database.
pub struct Bars {
    multi: MultiProgress,
    overall: ProgressBar,
    running: Mutex<BTreeMap<usize, ProgressBar>>,
}

impl Bars {
    /// Bars drawn on stderr (the caller checks that it is a terminal).
    pub fn stderr() -> Bars {
        Bars::with_target(ProgressDrawTarget::stderr())
    }

    /// Bars drawn on `target` (hidden targets for tests).
    pub fn with_target(target: ProgressDrawTarget) -> Bars {
        let multi = MultiProgress::with_draw_target(target);
        let overall = multi.add(ProgressBar::new(0));
        overall.set_style(
            ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} databases, {elapsed}")
                .expect("invariant: the template is valid")
                .progress_chars("=> "),
        );
        Bars {
            multi,
            overall,
            running: Mutex::new(BTreeMap::new()),
        }
    }

    fn running(&self) -> std::sync::MutexGuard<'_, BTreeMap<usize, ProgressBar>> {
        match self.running.lock() {
            Ok(running) => running,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

impl FleetProgress for Bars {
    fn report(&self, event: &FleetEvent<'_>) {
        match event {
            FleetEvent::Started { action, total } => {
                self.overall.set_prefix(action.to_string());
                self.overall.set_length(*total as u64);
                self.overall.set_position(0);
                self.overall.reset_elapsed();
            }
            FleetEvent::Phase { name, size } => {
                let _ = self.multi.println(format!("{name}: {size} database(s)"));
            }
            FleetEvent::MemberStarted { index, label } => {
                let spinner = self.multi.add(ProgressBar::new_spinner());
                spinner.set_style(
                    ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                        .expect("invariant: the template is valid"),
                );
                spinner.set_message(label.to_string());
                spinner.enable_steady_tick(Duration::from_millis(120));
                self.running().insert(*index, spinner);
            }
            FleetEvent::MemberStep {
                index,
                label,
                step: text,
            }
            | FleetEvent::MemberWaiting {
                index,
                label,
                reason: text,
            } => {
                if let Some(spinner) = self.running().get(index) {
                    spinner.set_message(format!("{label}: {text}"));
                }
            }
            FleetEvent::MemberFinished {
                index,
                label,
                outcome,
                ..
            } => {
                if let Some(spinner) = self.running().remove(index) {
                    spinner.finish_and_clear();
                    self.multi.remove(&spinner);
                }
                self.overall.inc(1);
                let _ = self.multi.println(format!("{label}: {outcome}"));
            }
            FleetEvent::Stopping { reason } => {
                let _ = self.multi.println(format!("stopping: {reason}"));
            }
            FleetEvent::Finished => {
                for (_, spinner) in std::mem::take(&mut *self.running()) {
                    spinner.finish_and_clear();
                }
                self.overall.finish_and_clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(sink: &dyn FleetProgress) {
        for event in [
            FleetEvent::Started {
                action: "apply",
                total: 2,
            },
            FleetEvent::Phase {
                name: "canary",
                size: 1,
            },
            FleetEvent::MemberStarted {
                index: 0,
                label: "app@db/a",
            },
            FleetEvent::MemberStep {
                index: 0,
                label: "app@db/a",
                step: "step 1/2: create table",
            },
            FleetEvent::MemberFinished {
                index: 0,
                label: "app@db/a",
                outcome: "applied 2 steps (0.1s)",
                failed: false,
            },
            FleetEvent::Stopping {
                reason: "interrupted",
            },
        ] {
            sink.report(&event);
        }
    }

    #[test]
    fn plain_lines() {
        let lines = Lines::new(Vec::new());
        events(&lines);
        lines.report(&FleetEvent::Finished);
        let text = String::from_utf8(lines.into_inner()).expect("utf-8");
        insta::assert_snapshot!(text, @r"
        apply: 2 database(s)
        canary: 1 database(s)
        [1/2] app@db/a: applied 2 steps (0.1s)
        stopping: interrupted
        ");
    }

    #[test]
    fn bars_accept_every_event_when_hidden() {
        let bars = Bars::with_target(ProgressDrawTarget::hidden());
        events(&bars);
        assert_eq!(bars.overall.position(), 1);
        assert!(bars.running().is_empty());
        bars.report(&FleetEvent::Finished);
        assert!(bars.overall.is_finished());
    }
}
