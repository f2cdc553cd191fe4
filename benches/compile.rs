//! Compile benchmark: how long schemac takes to read, validate and plan a
//! large schema, and how much memory it needs.
//!
//! For each size N (default 1,000 and 10,000 tables; override with
//! `SCHEMAC_BENCH_SIZES=500,2000`) and each notation (`.schema`, `.sql`) it
//! measures, on the synthetic schema of `schemac::synth` (files of
//! `synth::TABLES_PER_FILE` tables, as a project would keep them):
//! - parse + validate: `frontend::load` and `model::validate::validate`;
//! - lint: `lint::check_schema` with the default configuration, on the
//!   loaded Model (time beyond parsing);
//! - plan from empty: `plan::plan_models(empty, desired)`;
//! - diff + plan: `plan::plan_models(base, changed)` where 5% of the tables
//!   differ (both Models already loaded);
//! - peak RSS of `schemac plan DIR` (the figure compared with the 500 MB
//!   target): `VmHWM` of a child process (`compile --cli-plan N FORM`) that
//!   does exactly what `schemac plan DIR` does for a plan from an empty
//!   database, in the same order and holding the same values alive: the
//!   source set (plus the copy the CLI keeps for spans), `frontend::load`,
//!   `validate`, `plan_models(empty, desired)`, `lint::run` (schema and
//!   migration rules, suppressions) and `render::text` (to a sink, as
//!   stdout would take it). Its wall time is shown as "cli plan";
//! - peak RSS of the measuring child: `VmHWM` of the process that takes the
//!   timings above, which also holds the second (5% changed) Model and its
//!   plan, so it is higher than what any one command needs;
//! - pre-parse: `VmRSS` of that child after generating both source sets,
//!   before any parsing (the baseline the peaks include).
//!
//! Run with `cargo bench --bench compile`. Each (N, form) runs in its own
//! child processes of this binary (`compile --child N FORM` and
//! `compile --cli-plan N FORM`), so each peak is that process's own.
//! `compile --phases N FORM` instead runs each stage once and prints, per
//! stage, its time and `VmRSS` / `VmHWM` right after it (per-file frontend,
//! merge, resolve, validate, lint, diff and plan from empty, then the 5%
//! variant's frontend, diff and plan), for finding where time and memory go.
//! RSS after a stage includes memory the allocator keeps after freeing, so
//! read the growth of `VmHWM` as the stage's peak cost.
//! `compile --write N schema|sql PATH [changed]` writes the synthetic schema
//! as one file, to time whole commands on it (`schemac plan --format sql
//! PATH`).

use schemac::lint::LintConfig;
use schemac::model::Model;
use schemac::plan::{plan_models, PlanOptions};
use schemac::synth::{self, Form, Variant};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

const DEFAULT_SIZES: &[usize] = &[1_000, 10_000];
const TARGET_TABLES: usize = 10_000;
const TARGET_PLAN: Duration = Duration::from_secs(1);
const TARGET_PEAK_MB: f64 = 500.0;
const TARGET_LINT: Duration = Duration::from_millis(300);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|arg| arg == "--child") {
        return child(&args[pos + 1..]);
    }
    if let Some(pos) = args.iter().position(|arg| arg == "--cli-plan") {
        return cli_plan(&args[pos + 1..]);
    }
    if let Some(pos) = args.iter().position(|arg| arg == "--phases") {
        return phases(&args[pos + 1..]);
    }
    if let Some(pos) = args.iter().position(|arg| arg == "--write") {
        return write(&args[pos + 1..]);
    }
    parent()
}

/// One measured (size, form) pair, as printed by a child.
struct Row {
    n_tables: usize,
    form: String,
    relations: usize,
    parse: Duration,
    errors: usize,
    lint: Duration,
    findings: usize,
    plan_from_empty: Duration,
    steps_from_empty: usize,
    diff_plan: Duration,
    steps_diff: usize,
    baseline_kb: Option<u64>,
    peak_kb: Option<u64>,
    /// Wall time and peak RSS of the `schemac plan DIR` child.
    cli_plan: Option<Duration>,
    cli_peak_kb: Option<u64>,
}

fn parent() -> ExitCode {
    let sizes = match std::env::var("SCHEMAC_BENCH_SIZES") {
        Ok(list) => match parse_sizes(&list) {
            Some(sizes) => sizes,
            None => {
                eprintln!("SCHEMAC_BENCH_SIZES must be a comma-separated list of table counts, got {list:?}");
                return ExitCode::FAILURE;
            }
        },
        Err(_) => DEFAULT_SIZES.to_vec(),
    };
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(err) => {
            eprintln!("cannot find the benchmark binary to start children: {err}");
            return ExitCode::FAILURE;
        }
    };
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("schemac compile benchmark: synthetic schema of N tables (15 columns, 3 indexes, 1 FK, 1 CHECK each;");
    println!("every 10th table range-partitioned into {} partitions; every 4th with RLS and 2 policies);", synth::PARTITIONS);
    println!(
        "diff = 5% of the tables changed (added column, changed index, new check). {cpus} CPU(s)."
    );
    if cfg!(debug_assertions) {
        println!("WARNING: debug build; run `cargo bench --bench compile` for release figures.");
    }
    println!();
    println!(
        "{:<7} {:>7} {:>9} {:>15} {:>10} {:>8} {:>16} {:>8} {:>15} {:>7} {:>10} {:>12} {:>12} {:>10}",
        "form",
        "tables",
        "relations",
        "parse+validate",
        "lint",
        "findings",
        "plan from empty",
        "steps",
        "diff+plan (5%)",
        "steps",
        "cli plan",
        "cli peak RSS",
        "bench peak",
        "pre-parse"
    );
    let mut rows = Vec::new();
    let mut failed = false;
    for &n_tables in &sizes {
        for form in [Form::Schema, Form::Sql] {
            let output = Command::new(&exe)
                .args(["--child", &n_tables.to_string(), form.extension()])
                .output();
            let output = match output {
                Ok(output) => output,
                Err(err) => {
                    eprintln!("cannot start the child benchmark: {err}");
                    return ExitCode::FAILURE;
                }
            };
            let stdout = String::from_utf8_lossy(&output.stdout);
            let mut row = output
                .status
                .success()
                .then(|| stdout.lines().find_map(parse_row))
                .flatten();
            if let Some(row) = row.as_mut() {
                match run_cli_plan(&exe, n_tables, form) {
                    Ok((elapsed, peak_kb)) => {
                        row.cli_plan = Some(elapsed);
                        row.cli_peak_kb = peak_kb;
                    }
                    Err(message) => {
                        failed = true;
                        eprintln!("the `schemac plan` child failed: {message}");
                    }
                }
            }
            match row {
                Some(row) => {
                    print_row(&row);
                    rows.push(row);
                }
                None => {
                    failed = true;
                    println!("{:<7} {n_tables:>7} child failed:", form.extension());
                    eprintln!("{}{}", stdout, String::from_utf8_lossy(&output.stderr));
                }
            }
        }
    }
    println!();
    for row in rows.iter().filter(|row| row.n_tables == TARGET_TABLES) {
        let peak_mb = row.cli_peak_kb.map(|kb| kb as f64 / 1024.0);
        let time_ok = row.plan_from_empty < TARGET_PLAN;
        let mem_ok = peak_mb.is_some_and(|mb| mb < TARGET_PEAK_MB);
        let lint_ok = row.lint < TARGET_LINT;
        println!(
            "target ({} tables, .{}): plan from empty {} < {} s: {}; `schemac plan` peak {} < {} MB: {}; lint {} < {} ms: {}",
            TARGET_TABLES,
            row.form,
            fmt_duration(row.plan_from_empty),
            TARGET_PLAN.as_secs(),
            if time_ok { "met" } else { "NOT met" },
            fmt_kb(row.cli_peak_kb),
            TARGET_PEAK_MB,
            if mem_ok { "met" } else { "NOT met" },
            fmt_duration(row.lint),
            TARGET_LINT.as_millis(),
            if lint_ok { "met" } else { "NOT met" },
        );
    }
    for row in rows.iter().filter(|row| row.errors > 0) {
        println!(
            "note: the .{} form of {} tables loaded with {} error diagnostic(s); its figures are not meaningful",
            row.form, row.n_tables, row.errors
        );
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Runs `compile --cli-plan N FORM`; its wall time and peak RSS.
fn run_cli_plan(
    exe: &std::path::Path,
    n_tables: usize,
    form: Form,
) -> Result<(Duration, Option<u64>), String> {
    let output = Command::new(exe)
        .args(["--cli-plan", &n_tables.to_string(), form.extension()])
        .output()
        .map_err(|err| format!("cannot start it: {err}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix("cli "))
        .filter(|_| output.status.success());
    let Some(line) = line else {
        return Err(format!(
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    };
    let field = |key: &str| {
        line.split_whitespace()
            .find_map(|item| item.strip_prefix(key)?.strip_prefix('='))
            .and_then(|value| value.parse::<u64>().ok())
    };
    let elapsed = field("us").map(Duration::from_micros).unwrap_or_default();
    Ok((elapsed, field("peak_kb")))
}

fn parse_sizes(list: &str) -> Option<Vec<usize>> {
    let sizes: Option<Vec<usize>> = list
        .split(',')
        .map(|item| item.trim().replace('_', "").parse().ok())
        .collect();
    sizes.filter(|sizes| !sizes.is_empty() && sizes.iter().all(|&n| n > 0))
}

fn print_row(row: &Row) {
    println!(
        "{:<7} {:>7} {:>9} {:>15} {:>10} {:>8} {:>16} {:>8} {:>15} {:>7} {:>10} {:>12} {:>12} {:>10}",
        row.form,
        row.n_tables,
        row.relations,
        fmt_duration(row.parse),
        fmt_duration(row.lint),
        row.findings,
        fmt_duration(row.plan_from_empty),
        row.steps_from_empty,
        fmt_duration(row.diff_plan),
        row.steps_diff,
        row.cli_plan.map_or("n/a".to_string(), fmt_duration),
        fmt_kb(row.cli_peak_kb),
        fmt_kb(row.peak_kb),
        fmt_kb(row.baseline_kb),
    );
}

fn fmt_duration(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs >= 1.0 {
        format!("{secs:.2} s")
    } else {
        format!("{:.1} ms", secs * 1000.0)
    }
}

fn fmt_kb(kb: Option<u64>) -> String {
    match kb {
        Some(kb) => format!("{:.0} MB", kb as f64 / 1024.0),
        None => "n/a".to_string(),
    }
}

/// The child's one result line: `row <field>=<value> ...`.
fn parse_row(line: &str) -> Option<Row> {
    let rest = line.strip_prefix("row ")?;
    let field = |key: &str| {
        rest.split_whitespace()
            .find_map(|item| item.strip_prefix(key)?.strip_prefix('='))
    };
    let num = |key: &str| field(key)?.parse::<u64>().ok();
    let micros = |key: &str| num(key).map(Duration::from_micros);
    Some(Row {
        n_tables: num("tables")? as usize,
        form: field("form")?.to_string(),
        relations: num("relations")? as usize,
        parse: micros("parse_us")?,
        errors: num("errors")? as usize,
        lint: micros("lint_us")?,
        findings: num("findings")? as usize,
        plan_from_empty: micros("plan_us")?,
        steps_from_empty: num("plan_steps")? as usize,
        diff_plan: micros("diff_us")?,
        steps_diff: num("diff_steps")? as usize,
        baseline_kb: num("baseline_kb"),
        peak_kb: num("peak_kb"),
        cli_plan: None,
        cli_peak_kb: None,
    })
}

/// `N schema|sql` from a child's arguments.
fn size_and_form(args: &[String]) -> Option<(usize, Form)> {
    let n_tables = args.first()?.parse::<usize>().ok()?;
    let form = match args.get(1)?.as_str() {
        "schema" => Form::Schema,
        "sql" => Form::Sql,
        _ => return None,
    };
    Some((n_tables, form))
}

/// `--write N FORM PATH [changed]`: writes the synthetic schema of N
/// tables as one file, for timing whole commands (`schemac plan --format
/// sql PATH`) on it.
fn write(args: &[String]) -> ExitCode {
    let (Some((n_tables, form)), Some(path)) = (size_and_form(args), args.get(2)) else {
        eprintln!("usage: compile --write N schema|sql PATH [changed]");
        return ExitCode::FAILURE;
    };
    let variant = if args.get(3).is_some_and(|arg| arg == "changed") {
        Variant::Changed
    } else {
        Variant::Base
    };
    match std::fs::write(path, synth::source(n_tables, variant, form)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cannot write {path}: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Runs each stage of the pipeline once and prints one line per stage:
/// its time, then `VmRSS` and `VmHWM` right after it.
fn phases(args: &[String]) -> ExitCode {
    let Some((n_tables, form)) = size_and_form(args) else {
        eprintln!("usage: compile --phases N schema|sql");
        return ExitCode::FAILURE;
    };
    let base_sources = synth::source_set(n_tables, Variant::Base, form);
    let changed_sources = synth::source_set(n_tables, Variant::Changed, form);
    println!(
        "{:<24} {:>10} {:>10} {:>10}",
        "stage", "time", "VmRSS", "VmHWM"
    );
    let report = |stage: &str, start: Option<Instant>| {
        let time = start.map_or(String::new(), |start| fmt_duration(start.elapsed()));
        println!(
            "{stage:<24} {time:>10} {:>10} {:>10}",
            fmt_kb(proc_status_kb("VmRSS")),
            fmt_kb(proc_status_kb("VmHWM"))
        );
    };
    report("sources generated", None);
    let start = Instant::now();
    let mut parsed_files = Vec::new();
    for file in &base_sources.files {
        parsed_files.push(match form {
            Form::Schema => schemac::frontend::dsl::load_file(file),
            Form::Sql => schemac::frontend::sql::load_file(file),
        });
    }
    report("frontend (per file)", Some(start));
    let start = Instant::now();
    let mut merged = Model::default();
    for parsed in parsed_files {
        merged.merge(parsed.value);
    }
    report("merge", Some(start));
    let start = Instant::now();
    let base = schemac::frontend::resolve(merged).value;
    report("resolve", Some(start));
    let start = Instant::now();
    let diagnostics = schemac::model::validate::validate(&base);
    report("validate", Some(start));
    let start = Instant::now();
    let findings = schemac::lint::check_schema(&base, &LintConfig::default());
    report("lint", Some(start));
    let empty = Model::default();
    let options = PlanOptions::default();
    let mut changed = None;
    for stage in ["empty", "5% variant"] {
        let from = if stage == "empty" { &empty } else { &base };
        if stage != "empty" {
            let start = Instant::now();
            changed = Some(schemac::frontend::load(&changed_sources).value);
            report("load 5% variant", Some(start));
        }
        let to = changed.as_ref().unwrap_or(&base);
        let start = Instant::now();
        let changes = schemac::diff::diff(from, to);
        report(&format!("diff from {stage}"), Some(start));
        let start = Instant::now();
        let ctx = schemac::plan::PlanCtx::new(from, to, options.clone());
        let plan = schemac::plan::plan(&changes, &ctx);
        report(&format!("plan from {stage}"), Some(start));
        if let Err(err) = plan {
            eprintln!("planning from {stage} failed: {err}");
            return ExitCode::FAILURE;
        }
    }
    println!(
        "{} validation diagnostic(s), {} lint finding(s)",
        diagnostics.len(),
        findings.len(),
    );
    ExitCode::SUCCESS
}

/// Does what `schemac plan DIR` does for a plan from an empty database
/// (`cli::plan::run` without `--from` or `--db`) and prints
/// `cli us=<wall time> peak_kb=<VmHWM>`.
fn cli_plan(args: &[String]) -> ExitCode {
    let Some((n_tables, form)) = size_and_form(args) else {
        eprintln!("usage: compile --cli-plan N schema|sql");
        return ExitCode::FAILURE;
    };
    let start = Instant::now();
    let desired_sources = synth::source_set(n_tables, Variant::Base, form);
    // The CLI keeps a second set (desired and current files) for spans.
    let all_sources = desired_sources.clone();
    let mut desired = schemac::frontend::load(&desired_sources);
    if !desired.has_errors() {
        let findings = schemac::model::validate::validate(&desired.value);
        desired.diagnostics.extend(findings);
    }
    if desired.has_errors() {
        eprintln!("the synthetic schema has errors");
        return ExitCode::FAILURE;
    }
    let current = Model::default();
    let lint_config = LintConfig::default();
    let options = PlanOptions {
        server_version: lint_config.target_version,
        online: true,
        ..PlanOptions::default()
    };
    let plan = match plan_models(&current, &desired.value, &options) {
        Ok(plan) => plan,
        Err(err) => {
            eprintln!("planning from empty failed: {err}");
            return ExitCode::FAILURE;
        }
    };
    let findings = schemac::lint::run(
        &desired_sources,
        &desired.value,
        Some((&plan, &current)),
        &lint_config,
    );
    let mut out = std::io::sink();
    if let Err(err) = schemac::render::text::render(&plan, &mut out, false) {
        eprintln!("rendering the plan failed: {err}");
        return ExitCode::FAILURE;
    }
    let elapsed = start.elapsed();
    let peak_kb = proc_status_kb("VmHWM");
    println!(
        "cli us={} peak_kb={} steps={} findings={} files={}",
        elapsed.as_micros(),
        peak_kb.map_or(String::new(), |kb| kb.to_string()),
        plan.steps.len(),
        findings.len(),
        all_sources.files.len(),
    );
    ExitCode::SUCCESS
}

/// Measures one (size, form) and prints one `row ...` line.
fn child(args: &[String]) -> ExitCode {
    let Some((n_tables, form)) = size_and_form(args) else {
        eprintln!("usage: compile --child N schema|sql");
        return ExitCode::FAILURE;
    };
    // Small sizes are repeated and the median kept; large ones run once.
    let runs = if n_tables <= 2_000 { 5 } else { 1 };

    let base_sources = synth::source_set(n_tables, Variant::Base, form);
    let changed_sources = synth::source_set(n_tables, Variant::Changed, form);
    let baseline_kb = proc_status_kb("VmRSS");

    let mut parse_times = Vec::new();
    let mut errors = 0;
    let mut base = Model::default();
    for _ in 0..runs {
        // Free the previous run's Model so the peak holds only one.
        drop(std::mem::take(&mut base));
        let start = Instant::now();
        let parsed = schemac::frontend::load(&base_sources);
        let diagnostics = schemac::model::validate::validate(&parsed.value);
        parse_times.push(start.elapsed());
        errors = parsed
            .diagnostics
            .iter()
            .chain(&diagnostics)
            .filter(|diagnostic| diagnostic.is_error())
            .count();
        if errors > 0 {
            let first = parsed
                .diagnostics
                .iter()
                .chain(&diagnostics)
                .find(|d| d.is_error());
            if let Some(first) = first {
                eprintln!("first error: {}", first.to_gcc_line(&base_sources));
            }
        }
        base = parsed.value;
    }
    let lint_config = LintConfig::default();
    let mut lint_times = Vec::new();
    let mut findings = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let diagnostics = schemac::lint::check_schema(&base, &lint_config);
        lint_times.push(start.elapsed());
        findings = diagnostics.len();
    }
    let changed = schemac::frontend::load(&changed_sources).value;
    let empty = Model::default();
    let options = PlanOptions::default();

    let mut plan_times = Vec::new();
    let mut plan_steps = 0;
    let mut diff_times = Vec::new();
    let mut diff_steps = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let plan = plan_models(&empty, &base, &options);
        plan_times.push(start.elapsed());
        match plan {
            Ok(plan) => plan_steps = plan.steps.len(),
            Err(err) => {
                eprintln!("planning from empty failed: {err}");
                return ExitCode::FAILURE;
            }
        }
        let start = Instant::now();
        let plan = plan_models(&base, &changed, &options);
        diff_times.push(start.elapsed());
        match plan {
            Ok(plan) => diff_steps = plan.steps.len(),
            Err(err) => {
                eprintln!("planning base -> changed failed: {err}");
                return ExitCode::FAILURE;
            }
        }
    }
    let peak_kb = proc_status_kb("VmHWM");
    let opt = |value: Option<u64>| value.map_or(String::new(), |kb| kb.to_string());
    println!(
        "row tables={n_tables} form={} relations={} parse_us={} errors={errors} lint_us={} findings={findings} plan_us={} plan_steps={plan_steps} diff_us={} diff_steps={diff_steps} baseline_kb={} peak_kb={}",
        form.extension(),
        synth::n_relations(n_tables),
        median(&mut parse_times).as_micros(),
        median(&mut lint_times).as_micros(),
        median(&mut plan_times).as_micros(),
        median(&mut diff_times).as_micros(),
        opt(baseline_kb),
        opt(peak_kb),
    );
    ExitCode::SUCCESS
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// A `kB` figure from /proc/self/status (Linux); `None` elsewhere.
fn proc_status_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let value = line.strip_prefix(key)?.strip_prefix(':')?;
        value.trim().trim_end_matches("kB").trim().parse().ok()
    })
}
