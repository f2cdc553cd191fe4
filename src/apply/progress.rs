//! Progress of an apply: the events the executor reports, and three sinks
//! for them: [`Silent`], [`Lines`] (one plain line per event, for logs and
//! CI) and [`Bars`] (indicatif: a bar over the steps and a spinner on the
//! current step, for a terminal).
//!
//! Invariants: a sink never fails the apply (write errors are ignored: the
//! database work matters more than its log), and nothing here prints a
//! connection string. The caller (`cli`) picks the sink and the stream.

use crate::plan::Step;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How far a long step has come, as PostgreSQL reports it (see
/// [`super::watch`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepProgress {
    /// What the server is doing (`building index: scanning table`).
    pub phase: String,
    pub done: u64,
    /// 0 when the server does not know yet.
    pub total: u64,
    /// `blocks`, `tuples`, `rows`, `partitions`.
    pub unit: &'static str,
}

impl StepProgress {
    /// Percent done, when the total is known.
    pub fn percent(&self) -> Option<u64> {
        (self.total > 0).then(|| (self.done.min(self.total) * 100) / self.total)
    }

    /// `building index: scanning table, 1200 of 5000 blocks (24%)`.
    pub fn describe(&self) -> String {
        match self.percent() {
            Some(percent) => format!(
                "{}, {} of {} {} ({percent}%)",
                self.phase, self.done, self.total, self.unit
            ),
            None if self.done > 0 => format!("{}, {} {}", self.phase, self.done, self.unit),
            None => self.phase.clone(),
        }
    }
}

/// How often [`Lines`] writes a progress line for a running step.
pub const PROGRESS_LINE_INTERVAL: Duration = Duration::from_secs(10);

/// What the executor reports, in order.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// Another apply holds the advisory lock; this one waits.
    WaitingForApply { pid: Option<i32> },
    /// The plan starts (or resumes): `done` steps were finished earlier.
    Started {
        plan_id: &'a str,
        total: usize,
        done: usize,
    },
    StepStarted {
        number: usize,
        total: usize,
        step: &'a Step,
    },
    /// The step timed out waiting for a lock and runs again after `wait`.
    StepRetry {
        number: usize,
        total: usize,
        attempt: u32,
        attempts: u32,
        wait: Duration,
    },
    StepDone {
        number: usize,
        total: usize,
        step: &'a Step,
        elapsed: Duration,
    },
    /// Recorded as done by an earlier apply: not run again.
    StepSkipped {
        number: usize,
        total: usize,
        step: &'a Step,
    },
    /// Left `running` by an interrupted apply but found complete.
    StepRecovered {
        number: usize,
        total: usize,
        step: &'a Step,
    },
    /// A long step's progress, polled from PostgreSQL while it runs.
    StepProgress {
        number: usize,
        total: usize,
        progress: &'a StepProgress,
    },
    /// Something the user should know (an INVALID index dropped, ...).
    Note(&'a str),
    /// Introspecting again to compare with the desired schema.
    Verifying,
    /// The apply ended (successfully or not).
    Finished,
}

/// A progress sink. Implementations must be cheap: they run between
/// statements.
pub trait Progress: Send + Sync {
    fn report(&self, event: &Event<'_>);
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn report(&self, _event: &Event<'_>) {}
}

/// One plain line per event: `step 3/12: create index ... done (1.2s)`.
#[derive(Debug)]
pub struct Lines<W: Write + Send> {
    out: Mutex<W>,
    /// When the last progress line was written (one per `interval` at
    /// most).
    last_progress: Mutex<Option<Instant>>,
    interval: Duration,
}

impl<W: Write + Send> Lines<W> {
    pub fn new(out: W) -> Lines<W> {
        Lines {
            out: Mutex::new(out),
            last_progress: Mutex::new(None),
            interval: PROGRESS_LINE_INTERVAL,
        }
    }

    /// At most one progress line per `interval` for a running step.
    pub fn with_interval(mut self, interval: Duration) -> Lines<W> {
        self.interval = interval;
        self
    }

    /// The writer back (tests read what was written).
    pub fn into_inner(self) -> W {
        match self.out.into_inner() {
            Ok(out) => out,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

impl<W: Write + Send> Progress for Lines<W> {
    fn report(&self, event: &Event<'_>) {
        {
            let mut last = match self.last_progress.lock() {
                Ok(last) => last,
                Err(poisoned) => poisoned.into_inner(),
            };
            match event {
                Event::StepProgress { .. } => {
                    if last.is_some_and(|at| at.elapsed() < self.interval) {
                        return;
                    }
                    *last = Some(Instant::now());
                }
                // A new step's first progress line comes after the interval.
                Event::StepStarted { .. } => *last = Some(Instant::now()),
                _ => {}
            }
        }
        let Some(line) = line(event) else {
            return;
        };
        let mut out = match self.out.lock() {
            Ok(out) => out,
            Err(poisoned) => poisoned.into_inner(),
        };
        // A closed stderr must not stop the apply.
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

/// The line [`Lines`] writes for an event (`None`: nothing to say).
pub fn line(event: &Event<'_>) -> Option<String> {
    let res = match event {
        Event::WaitingForApply { pid } => match pid {
            Some(pid) => format!("waiting for another schemac apply (pid {pid}) to finish"),
            None => "waiting for another schemac apply to finish".to_string(),
        },
        Event::Started {
            plan_id,
            total,
            done,
        } => {
            if *done > 0 {
                format!("resuming plan {plan_id}: {done} of {total} steps already applied")
            } else {
                format!("applying plan {plan_id}: {total} steps")
            }
        }
        Event::StepStarted { .. } => return None,
        Event::StepRetry {
            number,
            total,
            attempt,
            attempts,
            wait,
        } => format!(
            "step {number}/{total}: lock timeout, attempt {} of {attempts} in {}",
            attempt + 1,
            seconds(*wait)
        ),
        Event::StepDone {
            number,
            total,
            step,
            elapsed,
        } => format!(
            "step {number}/{total}: {} done ({})",
            step.description,
            seconds(*elapsed)
        ),
        Event::StepSkipped {
            number,
            total,
            step,
        } => format!(
            "step {number}/{total}: {} already applied, skipped",
            step.description
        ),
        Event::StepRecovered {
            number,
            total,
            step,
        } => format!(
            "step {number}/{total}: {} had completed before the interruption",
            step.description
        ),
        Event::StepProgress {
            number,
            total,
            progress,
        } => format!("step {number}/{total}: {}", progress.describe()),
        Event::Note(note) => (*note).to_string(),
        Event::Verifying => "verifying: introspecting the database again".to_string(),
        Event::Finished => return None,
    };
    Some(res)
}

/// `1.2s`.
pub fn seconds(duration: Duration) -> String {
    format!("{:.1}s", duration.as_secs_f64())
}

/// indicatif bars on stderr: the steps, and a spinner on the current one.
pub struct Bars {
    multi: MultiProgress,
    steps: ProgressBar,
    current: Mutex<Option<ProgressBar>>,
}

impl Bars {
    /// Bars drawn on stderr (the caller checks that it is a terminal).
    pub fn stderr() -> Bars {
        Bars::with_target(ProgressDrawTarget::stderr())
    }

    /// Bars drawn on `target` (hidden targets for tests).
    pub fn with_target(target: ProgressDrawTarget) -> Bars {
        let multi = MultiProgress::with_draw_target(target);
        let steps = multi.add(ProgressBar::new(0));
        steps.set_style(
            ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} steps, {elapsed}")
                .expect("invariant: the template is valid")
                .progress_chars("=> "),
        );
        steps.set_prefix("apply");
        Bars {
            multi,
            steps,
            current: Mutex::new(None),
        }
    }

    fn set_current(&self, bar: Option<ProgressBar>) {
        let mut current = match self.current.lock() {
            Ok(current) => current,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(previous) = current.take() {
            previous.finish_and_clear();
            self.multi.remove(&previous);
        }
        *current = bar;
    }

    fn println(&self, line: &str) {
        let _ = self.multi.println(line);
    }
}

impl Progress for Bars {
    fn report(&self, event: &Event<'_>) {
        match event {
            Event::Started { total, done, .. } => {
                self.steps.set_length(*total as u64);
                self.steps.set_position(*done as u64);
                if let Some(line) = line(event) {
                    self.println(&line);
                }
            }
            Event::StepStarted {
                number,
                total,
                step,
            } => {
                let spinner = self.multi.add(ProgressBar::new_spinner());
                spinner.set_style(
                    ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                        .expect("invariant: the template is valid"),
                );
                spinner.set_message(format!("step {number}/{total}: {}", step.description));
                spinner.enable_steady_tick(Duration::from_millis(120));
                self.set_current(Some(spinner));
            }
            Event::StepDone { .. } | Event::StepSkipped { .. } | Event::StepRecovered { .. } => {
                self.set_current(None);
                self.steps.inc(1);
                if let Some(line) = line(event) {
                    self.println(&line);
                }
            }
            Event::StepProgress {
                number,
                total,
                progress,
            } => {
                let current = match self.current.lock() {
                    Ok(current) => current,
                    Err(poisoned) => poisoned.into_inner(),
                };
                if let Some(spinner) = current.as_ref() {
                    spinner.set_message(format!("step {number}/{total}: {}", progress.describe()));
                }
            }
            Event::WaitingForApply { .. }
            | Event::StepRetry { .. }
            | Event::Note(_)
            | Event::Verifying => {
                if let Some(line) = line(event) {
                    self.println(&line);
                }
            }
            Event::Finished => {
                self.set_current(None);
                self.steps.finish_and_clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ObjectId, QualifiedName};
    use crate::plan::Origin;

    fn step() -> Step {
        Step {
            role: None,
            description: "create index i on public.t concurrently".to_string(),
            action: crate::plan::Action::CreateIndex {
                table: crate::model::QualifiedName::public("t"),
                name: crate::model::Ident::new("i"),
                unique: false,
                concurrently: true,
                on_only: false,
                columns: vec![crate::model::Ident::new("a")],
                expressions: Vec::new(),
                predicate: None,
                nulls_not_distinct: false,
            },
            sql: "CREATE INDEX CONCURRENTLY i ON public.t (a)".to_string(),
            transactional: false,
            joins_previous: false,
            locks: Vec::new(),
            rewrites: false,
            scans: true,
            hazards: Vec::new(),
            table: None,
            table_size: None,
            origin: Origin {
                change: 0,
                object: ObjectId::Table(QualifiedName::public("t")),
                span: None,
            },
        }
    }

    #[test]
    fn plain_lines() {
        let step = step();
        let lines = Lines::new(Vec::new());
        let events = [
            Event::WaitingForApply { pid: Some(42) },
            Event::Started {
                plan_id: "abc",
                total: 12,
                done: 2,
            },
            Event::StepSkipped {
                number: 1,
                total: 12,
                step: &step,
            },
            Event::StepStarted {
                number: 3,
                total: 12,
                step: &step,
            },
            Event::StepRetry {
                number: 3,
                total: 12,
                attempt: 1,
                attempts: 3,
                wait: Duration::from_millis(500),
            },
            Event::StepDone {
                number: 3,
                total: 12,
                step: &step,
                elapsed: Duration::from_millis(1234),
            },
            Event::Note("dropped INVALID index public.i"),
            Event::Verifying,
            Event::Finished,
        ];
        for event in &events {
            lines.report(event);
        }
        let text = String::from_utf8(lines.into_inner()).expect("utf-8");
        insta::assert_snapshot!(text, @r"
        waiting for another schemac apply (pid 42) to finish
        resuming plan abc: 2 of 12 steps already applied
        step 1/12: create index i on public.t concurrently already applied, skipped
        step 3/12: lock timeout, attempt 2 of 3 in 0.5s
        step 3/12: create index i on public.t concurrently done (1.2s)
        dropped INVALID index public.i
        verifying: introspecting the database again
        ");
    }

    #[test]
    fn bars_accept_every_event_when_hidden() {
        let step = step();
        let bars = Bars::with_target(ProgressDrawTarget::hidden());
        bars.report(&Event::Started {
            plan_id: "abc",
            total: 2,
            done: 0,
        });
        bars.report(&Event::StepStarted {
            number: 1,
            total: 2,
            step: &step,
        });
        bars.report(&Event::StepDone {
            number: 1,
            total: 2,
            step: &step,
            elapsed: Duration::from_millis(5),
        });
        assert_eq!(bars.steps.position(), 1);
        bars.report(&Event::Finished);
        assert!(bars.steps.is_finished());
    }
}
