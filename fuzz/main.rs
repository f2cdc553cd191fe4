//! A fuzz harness for both frontends and for `check`/`fmt`/`plan` that runs
//! on stable Rust: a seeded mutation loop over the seed corpus (every
//! `.schema` and `.sql` file under `tests/` and `examples/`).
//!
//! ```text
//! cargo run --release --example fuzz -- --execs 1000000 [--seed 1] [--start 0]
//!     [--timeout-ms 1000] [--wall-timeout-ms 10000] [--out target/fuzz-found]
//! cargo run --release --example fuzz -- --replay FILE...
//! ```
//!
//! How it works: the harness (the supervisor) starts itself again as a
//! worker process. The worker generates input number `n` from `(seed, n)`
//! alone (`mutate::input`), announces it on its stdout, runs it through
//! `target::exercise` under `catch_unwind`, and reports the outcome with
//! the CPU time its thread spent on it. The supervisor watches: an input
//! that took more than `--timeout-ms` of CPU time is a hang, and so is one
//! that has not finished after `--wall-timeout-ms` of wall-clock time (the
//! worker is killed and a new one continues after it); a worker that dies
//! mid-input (an abort, a stack overflow) is a crash; a caught panic is a
//! panic. CPU time, not wall-clock time, is the limit because it measures
//! the input's own cost: on a machine busy with other work (a build, a
//! test run) wall-clock times of ordinary inputs grow several times over. Each finding is regenerated from its number
//! and written to `--out` as `<kind>-s<seed>-n<number>.<schema|sql>`;
//! copy it to `tests/data/fuzz/` to keep it as a regression test
//! (`tests/fuzz_regressions.rs`). The exit status is 1 when anything was
//! found.

mod mutate;
mod target;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
struct Args {
    execs: u64,
    seed: u64,
    start: u64,
    timeout: Duration,
    wall_timeout: Option<Duration>,
    out: PathBuf,
    worker: bool,
    replay: Vec<PathBuf>,
}

const USAGE: &str = "usage: fuzz [--execs N] [--seed S] [--start N] [--timeout-ms MS] [--wall-timeout-ms MS] [--out DIR] | --replay FILE...";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        execs: 100_000,
        seed: 1,
        start: 0,
        timeout: Duration::from_millis(1_000),
        wall_timeout: None,
        out: root().join("target").join("fuzz-found"),
        worker: false,
        replay: Vec::new(),
    };
    let mut iter = std::env::args().skip(1);
    while let Some(arg) = iter.next() {
        let mut value = |name: &str| {
            iter.next()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        let number = |text: String, name: &str| {
            text.replace('_', "")
                .parse::<u64>()
                .map_err(|err| format!("{name} {text}: {err}"))
        };
        match arg.as_str() {
            "--execs" => args.execs = number(value("--execs")?, "--execs")?,
            "--seed" => args.seed = number(value("--seed")?, "--seed")?,
            "--start" => args.start = number(value("--start")?, "--start")?,
            "--timeout-ms" => {
                args.timeout =
                    Duration::from_millis(number(value("--timeout-ms")?, "--timeout-ms")?)
            }
            "--wall-timeout-ms" => {
                args.wall_timeout = Some(Duration::from_millis(number(
                    value("--wall-timeout-ms")?,
                    "--wall-timeout-ms",
                )?))
            }
            "--out" => args.out = PathBuf::from(value("--out")?),
            "--worker" => args.worker = true,
            "--replay" => {
                args.replay.extend(iter.by_ref().map(PathBuf::from));
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(args)
}

impl Args {
    /// How long an input may run by the wall clock before its worker is
    /// killed: ten times the CPU limit unless given.
    fn wall_timeout(&self) -> Duration {
        self.wall_timeout.unwrap_or(self.timeout * 10)
    }
}

/// The CPU time this thread has used so far.
fn thread_cpu_time() -> Duration {
    let mut spec = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `spec` is a valid, writable timespec for the call's duration.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut spec) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(
        u64::try_from(spec.tv_sec).unwrap_or(0),
        u32::try_from(spec.tv_nsec).unwrap_or(0),
    )
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn main() -> std::process::ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return std::process::ExitCode::from(2);
        }
    };
    let res = if !args.replay.is_empty() {
        replay(&args.replay)
    } else if args.worker {
        worker(&args)
    } else {
        supervise(&args)
    };
    match res {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::from(1),
        Err(message) => {
            eprintln!("fuzz: {message}");
            std::process::ExitCode::from(2)
        }
    }
}

// ---------------------------------------------------------------------------
// Worker
// ---------------------------------------------------------------------------

/// The message and location of the last panic, set by the panic hook.
static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

fn worker(args: &Args) -> Result<bool, String> {
    let corpus = mutate::corpus(&root());
    if corpus.is_empty() {
        return Err("the seed corpus is empty".into());
    }
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = format!("{location}: {message}");
        }
    }));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let end = args.start.saturating_add(args.execs);
    for number in args.start..end {
        let input = mutate::input(&corpus, args.seed, number);
        writeln!(out, "S {number}").map_err(|err| err.to_string())?;
        out.flush().map_err(|err| err.to_string())?;
        let cpu_before = thread_cpu_time();
        let res = std::panic::catch_unwind(|| target::exercise(input.language, &input.text));
        let cpu = thread_cpu_time().saturating_sub(cpu_before);
        match res {
            Ok(_) => writeln!(out, "D {number} {}", cpu.as_micros()),
            Err(_) => {
                let message = LAST_PANIC
                    .lock()
                    .map(|last| last.replace('\n', " "))
                    .unwrap_or_default();
                writeln!(out, "P {number} {message}")
            }
        }
        .map_err(|err| err.to_string())?;
    }
    out.flush().map_err(|err| err.to_string())?;
    Ok(true)
}

// ---------------------------------------------------------------------------
// Supervisor
// ---------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Tally {
    execs: u64,
    panics: Vec<(u64, String)>,
    hangs: Vec<u64>,
    crashes: Vec<(u64, String)>,
}

impl Tally {
    fn summary(&self, elapsed: Duration) -> String {
        format!(
            "{} executions in {:.0} s ({:.0}/s): {} panic(s), {} hang(s) over the limit, {} crash(es)",
            self.execs,
            elapsed.as_secs_f64(),
            self.execs as f64 / elapsed.as_secs_f64().max(0.001),
            self.panics.len(),
            self.hangs.len(),
            self.crashes.len()
        )
    }
}

fn spawn_worker(args: &Args, from: u64, end: u64) -> Result<Child, String> {
    let exe = std::env::current_exe().map_err(|err| err.to_string())?;
    Command::new(exe)
        .args([
            "--worker",
            "--seed",
            &args.seed.to_string(),
            "--start",
            &from.to_string(),
            "--execs",
            &(end - from).to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|err| format!("cannot start a worker: {err}"))
}

fn supervise(args: &Args) -> Result<bool, String> {
    let corpus = mutate::corpus(&root());
    if corpus.is_empty() {
        return Err("the seed corpus is empty".into());
    }
    std::fs::create_dir_all(&args.out)
        .map_err(|err| format!("cannot create {}: {err}", args.out.display()))?;
    eprintln!(
        "fuzz: {} seed files, seed {}, executions {}..{}, limit {:?} of CPU time ({:?} by the wall clock) per input, findings to {}",
        corpus.len(),
        args.seed,
        args.start,
        args.start + args.execs,
        args.timeout,
        args.wall_timeout(),
        args.out.display()
    );
    let started = Instant::now();
    let mut last_report = Instant::now();
    let mut tally = Tally::default();
    let end = args.start.saturating_add(args.execs);
    let mut next = args.start;
    while next < end {
        let mut child = spawn_worker(args, next, end)?;
        let stdout = child.stdout.take().expect("invariant: stdout is piped");
        let (sender, receiver) = channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut current: Option<(u64, Instant)> = None;
        loop {
            let wait = match current {
                Some((_, since)) => args.wall_timeout().saturating_sub(since.elapsed()),
                None => Duration::from_secs(60),
            };
            match receiver.recv_timeout(wait) {
                Ok(line) => {
                    let mut parts = line.splitn(3, ' ');
                    let kind = parts.next().unwrap_or_default();
                    let number: u64 = parts.next().and_then(|n| n.parse().ok()).unwrap_or(next);
                    match kind {
                        "S" => current = Some((number, Instant::now())),
                        "D" | "P" => {
                            current = None;
                            tally.execs += 1;
                            next = number + 1;
                            let rest = parts.next().unwrap_or_default();
                            if kind == "P" {
                                let message = rest.to_string();
                                record(args, &corpus, "panic", number, &message)?;
                                tally.panics.push((number, message));
                            } else if let Ok(micros) = rest.parse::<u64>() {
                                let cpu = Duration::from_micros(micros);
                                if cpu > args.timeout {
                                    let message = format!(
                                        "took {cpu:?} of CPU time (limit {:?})",
                                        args.timeout
                                    );
                                    record(args, &corpus, "hang", number, &message)?;
                                    tally.hangs.push(number);
                                }
                            }
                        }
                        _ => {}
                    }
                }
                Err(RecvTimeoutError::Timeout) => match current {
                    Some((number, since)) => {
                        let _ = child.kill();
                        let _ = child.wait();
                        tally.execs += 1;
                        let message = format!(
                            "still running after {:?} by the wall clock",
                            since.elapsed()
                        );
                        record(args, &corpus, "hang", number, &message)?;
                        tally.hangs.push(number);
                        next = number + 1;
                        break;
                    }
                    None => {
                        let _ = child.kill();
                        let _ = child.wait();
                        return Err("the worker stopped reporting".into());
                    }
                },
                Err(RecvTimeoutError::Disconnected) => {
                    let status = child.wait().map_err(|err| err.to_string())?;
                    if let Some((number, _)) = current {
                        tally.execs += 1;
                        let message = format!("the worker died: {status}");
                        record(args, &corpus, "crash", number, &message)?;
                        tally.crashes.push((number, message));
                        next = number + 1;
                    } else if next < end {
                        return Err(format!("the worker exited early: {status}"));
                    }
                    break;
                }
            }
            if last_report.elapsed() > Duration::from_secs(30) {
                eprintln!("fuzz: {}", tally.summary(started.elapsed()));
                last_report = Instant::now();
            }
        }
        let _ = reader.join();
    }
    eprintln!("fuzz: done: {}", tally.summary(started.elapsed()));
    for (number, message) in &tally.panics {
        eprintln!("  panic  #{number}: {message}");
    }
    for number in &tally.hangs {
        eprintln!("  hang   #{number}");
    }
    for (number, message) in &tally.crashes {
        eprintln!("  crash  #{number}: {message}");
    }
    Ok(tally.panics.is_empty() && tally.hangs.is_empty() && tally.crashes.is_empty())
}

/// Writes finding `number` (regenerated from its seed) to the output
/// directory and appends a line to its `findings.txt`.
fn record(
    args: &Args,
    corpus: &[mutate::Seed],
    kind: &str,
    number: u64,
    message: &str,
) -> Result<(), String> {
    let input = mutate::input(corpus, args.seed, number);
    let ext = match input.language {
        schemac::source::Language::Schema => "schema",
        schemac::source::Language::Sql => "sql",
    };
    let path = args
        .out
        .join(format!("{kind}-s{}-n{number}.{ext}", args.seed));
    std::fs::write(&path, &input.text)
        .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
    let mut log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(args.out.join("findings.txt"))
        .map_err(|err| err.to_string())?;
    writeln!(log, "{} ({}): {message}", path.display(), input.origin)
        .map_err(|err| err.to_string())?;
    eprintln!("fuzz: {kind} #{number} ({}): {message}", input.origin);
    Ok(())
}

// ---------------------------------------------------------------------------
// Replay
// ---------------------------------------------------------------------------

/// Runs the given files through the target in this process, printing the
/// wall-clock and CPU time each took (a panic propagates, so its backtrace is shown).
fn replay(paths: &[PathBuf]) -> Result<bool, String> {
    for path in paths {
        let language = target::language_of(path)
            .ok_or_else(|| format!("{}: not a .schema or .sql file", path.display()))?;
        let text = read(path)?;
        let started = Instant::now();
        let cpu_before = thread_cpu_time();
        let findings = target::exercise(language, &text);
        let cpu = thread_cpu_time().saturating_sub(cpu_before);
        eprintln!(
            "{}: {} bytes, {findings} finding(s), {:?} ({cpu:?} of CPU time)",
            path.display(),
            text.len(),
            started.elapsed()
        );
    }
    Ok(true)
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read(path)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .map_err(|err| format!("cannot read {}: {err}", path.display()))
}
