//! Whole-command benchmark (issue 12, item 4): what a user waits for,
//! with default settings, next to `pg_dump --schema-only` and migra on the
//! same databases in the same run.
//!
//! For each size N (`SCHEMAC_BENCH_SIZES`, default `1000,10000`) the
//! synthetic schema (`schemac::synth`, SQL form) is written to `base.sql`
//! and its 5% variant to `changed.sql`, and loaded with psql into database
//! A (base) and B (changed) on the server of `SCHEMAC_TEST_DATABASE_URL`
//! (default `postgresql://postgres@127.0.0.1:5432/postgres`); loading is
//! not timed. Then each command runs as its own process under
//! `/usr/bin/time` (wall time and peak RSS), stdout and stderr to files:
//!
//! - `schemac plan base.sql` (offline, from empty),
//! - `schemac plan --from base.sql changed.sql`,
//! - `schemac inspect --db A`,
//! - `schemac plan --db A changed.sql` twice (default settings: the first
//!   run creates the shadow schemac keeps for A, the second finds it),
//! - `schemac apply --db C --yes --allow-hazards all changed.sql` on C, a
//!   copy of A (`CREATE DATABASE C TEMPLATE A`, not timed),
//! - `pg_dump --schema-only A`,
//! - `migra --unsafe A B` (`SCHEMAC_MIGRA`, default `migra` on PATH; see
//!   docs/benchmarks.md for the venv), skipped with a note when absent.
//!
//! Each command runs `SCHEMAC_BENCH_RUNS` times (default 1; the median
//! wall time and the largest peak RSS are shown). A command that fails
//! (exit status other than 0, or 2 for migra's "differences found") is
//! shown as failed with its exit status and the first line of its stderr.
//! The schemac binary is the one cargo builds with the bench (release
//! profile), or `SCHEMAC_BIN`. Figures only; nothing here asserts a time.
//!
//! The databases are named `schemac_bench_cmd_<N>_a` and `_b`;
//! `SCHEMAC_BENCH_KEEP=1` keeps them (and the directory), and
//! `SCHEMAC_BENCH_REUSE=1` times the commands again on the kept ones
//! without loading (loading 10,000 tables takes about ten minutes).

use schemac::synth::{self, Form, Variant};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const DEFAULT_URL: &str = "postgresql://postgres@127.0.0.1:5432/postgres";

fn admin_url() -> String {
    std::env::var("SCHEMAC_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_string())
}

/// `url` with its database name replaced (URLs only, as the other benches).
fn url_with_dbname(url: &str, dbname: &str) -> String {
    match url.find("://") {
        Some(scheme_end) => {
            let (base, query) = match url.find('?') {
                Some(q) => (&url[..q], &url[q..]),
                None => (url, ""),
            };
            let after_scheme = scheme_end + 3;
            let host_end = base[after_scheme..]
                .find('/')
                .map(|idx| after_scheme + idx)
                .unwrap_or(base.len());
            format!("{}/{dbname}{query}", &base[..host_end])
        }
        None => format!("{url} dbname={dbname}"),
    }
}

fn psql(url: &str, input: &[u8]) -> Result<(), String> {
    let mut child = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot run psql: {error}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input)
            .map_err(|error| format!("cannot write to psql: {error}"))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|error| format!("psql failed: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// A benchmark database, dropped with the value.
struct BenchDb {
    name: String,
    url: String,
}

impl BenchDb {
    /// The kept database `name` (`SCHEMAC_BENCH_REUSE`), when it exists.
    fn existing(name: String) -> Option<BenchDb> {
        let output = Command::new("psql")
            .args(["-X", "-A", "-t", "-q", "-d", &admin_url(), "-c"])
            .arg(format!(
                "SELECT 1 FROM pg_database WHERE datname = '{name}'"
            ))
            .output()
            .ok()?;
        (output.status.success() && String::from_utf8_lossy(&output.stdout).trim() == "1").then(
            || BenchDb {
                url: url_with_dbname(&admin_url(), &name),
                name,
            },
        )
    }

    fn create(name: String, template: Option<&BenchDb>) -> Result<BenchDb, String> {
        let template = template
            .map(|db| format!(" TEMPLATE {}", db.name))
            .unwrap_or_default();
        psql(
            &admin_url(),
            format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE); CREATE DATABASE {name}{template};"
            )
            .as_bytes(),
        )
        .map_err(|error| {
            format!(
                "cannot create {name}: {error}\nstart PostgreSQL with \
                 `pg_ctlcluster --skip-systemctl-redirect 15 main start`"
            )
        })?;
        Ok(BenchDb {
            url: url_with_dbname(&admin_url(), &name),
            name,
        })
    }
}

/// `SCHEMAC_BENCH_KEEP=1` (or `SCHEMAC_BENCH_REUSE=1`): the databases
/// and the directory with the schemas and every command's output stay,
/// for a closer look or another run.
fn keep() -> bool {
    env_flag("SCHEMAC_BENCH_KEEP") || env_flag("SCHEMAC_BENCH_REUSE")
}

fn env_flag(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|value| !value.is_empty() && value != "0")
}

impl Drop for BenchDb {
    fn drop(&mut self) {
        if keep() {
            eprintln!("kept database {} (SCHEMAC_BENCH_KEEP)", self.name);
            return;
        }
        // With the shadow schemac keeps for it (`plan --db`, `apply`).
        let sql = format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE);\nDROP DATABASE IF EXISTS \"{}\" WITH (FORCE);",
            self.name,
            schemac::live::shadow::kept_name(&self.name)
        );
        if let Err(error) = psql(&admin_url(), sql.as_bytes()) {
            eprintln!("could not drop {}: {error}", self.name);
        }
    }
}

/// One timed run: wall time and peak RSS, or why it failed.
#[derive(Clone)]
struct Measure {
    wall: Duration,
    peak_kb: u64,
}

/// Runs `program args` in `dir` under `/usr/bin/time`; `ok_codes` are the
/// exit statuses that mean success.
fn measure(
    dir: &Path,
    label: &str,
    program: &str,
    args: &[&str],
    ok_codes: &[i32],
) -> Result<Measure, String> {
    let time_file = dir.join(format!("{label}.time"));
    let stdout = std::fs::File::create(dir.join(format!("{label}.out")))
        .map_err(|error| error.to_string())?;
    let stderr_path = dir.join(format!("{label}.err"));
    let stderr = std::fs::File::create(&stderr_path).map_err(|error| error.to_string())?;
    let status = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%e %M %x")
        .arg("-o")
        .arg(&time_file)
        .arg(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .status()
        .map_err(|error| format!("cannot run /usr/bin/time {program}: {error}"))?;
    let timing = std::fs::read_to_string(&time_file).map_err(|error| error.to_string())?;
    // The last line; earlier ones say "Command exited with non-zero status".
    let last = timing.lines().last().unwrap_or_default();
    let fields: Vec<&str> = last.split_whitespace().collect();
    let (Some(wall), Some(peak), Some(code)) = (fields.first(), fields.get(1), fields.get(2))
    else {
        return Err(format!("unreadable /usr/bin/time output: {timing}"));
    };
    let code: i32 = code.parse().unwrap_or(-1);
    if !ok_codes.contains(&code) {
        let err = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        let first = err
            .lines()
            .find(|line| !line.trim().is_empty())
            .unwrap_or("")
            .chars()
            .take(120)
            .collect::<String>();
        return Err(format!("exit {code} ({status}): {first}"));
    }
    Ok(Measure {
        wall: Duration::from_secs_f64(wall.parse().unwrap_or(0.0)),
        peak_kb: peak.parse().unwrap_or(0),
    })
}

/// `runs` runs: median wall time, largest peak RSS.
fn measure_runs(
    runs: usize,
    before_each: &mut dyn FnMut() -> Result<(), String>,
    dir: &Path,
    label: &str,
    program: &str,
    args: &[&str],
    ok_codes: &[i32],
) -> Result<Measure, String> {
    let mut measured = Vec::new();
    for _ in 0..runs {
        before_each()?;
        measured.push(measure(dir, label, program, args, ok_codes)?);
    }
    measured.sort_by_key(|m| m.wall);
    let peak_kb = measured.iter().map(|m| m.peak_kb).max().unwrap_or(0);
    let mut res = measured[measured.len() / 2].clone();
    res.peak_kb = peak_kb;
    Ok(res)
}

struct Row {
    command: &'static str,
    result: Result<Measure, String>,
    /// The row this one is compared with (`schemac / other`).
    versus: Option<&'static str>,
}

fn run_size(n_tables: usize, runs: usize, schemac: &str, migra: Option<&str>) -> Vec<Row> {
    let dir = std::env::temp_dir().join(format!(
        "schemac_bench_commands_{n_tables}_{}",
        std::process::id()
    ));
    let _ = std::fs::create_dir_all(&dir);
    let base_sql = synth::source(n_tables, Variant::Base, Form::Sql);
    let changed_sql = synth::source(n_tables, Variant::Changed, Form::Sql);
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).map(|_| path)
    };
    let (Ok(_), Ok(_)) = (
        write("base.sql", &base_sql),
        write("changed.sql", &changed_sql),
    ) else {
        eprintln!("cannot write the schemas to {}", dir.display());
        return Vec::new();
    };
    let prefix = format!("schemac_bench_cmd_{n_tables}");
    let reused = env_flag("SCHEMAC_BENCH_REUSE")
        .then(|| {
            Some((
                BenchDb::existing(format!("{prefix}_a"))?,
                BenchDb::existing(format!("{prefix}_b"))?,
            ))
        })
        .flatten();
    if reused.is_some() {
        eprintln!("N = {n_tables}: reusing the kept databases (SCHEMAC_BENCH_REUSE)");
    } else {
        eprintln!("N = {n_tables}: loading the base and changed schemas with psql (not timed)");
    }
    let dbs = reused.map(Ok).unwrap_or_else(|| {
        BenchDb::create(format!("{prefix}_a"), None).and_then(|a| {
            psql(&a.url, base_sql.as_bytes())?;
            let b = BenchDb::create(format!("{prefix}_b"), None)?;
            psql(&b.url, changed_sql.as_bytes())?;
            // Settle the catalog statistics, as a long-lived database has them.
            for db in [&a, &b] {
                psql(&db.url, b"ANALYZE;")?;
            }
            // And flush the load: `DROP DATABASE` (the throwaway shadow of
            // `plan --db`, the copies) forces an immediate checkpoint, which
            // would otherwise write and fsync the whole fresh load inside the
            // first timed command (89 s of a 96 s `plan --db` on this machine).
            psql(&a.url, b"CHECKPOINT;")?;
            Ok((a, b))
        })
    });
    let (a, b) = match dbs {
        Ok(dbs) => dbs,
        Err(error) => {
            eprintln!("N = {n_tables}: {error}");
            return Vec::new();
        }
    };
    let mut rows = Vec::new();
    let mut nothing = || Ok(());
    let mut time = |label: &str, program: &str, args: &[&str], ok: &[i32]| {
        eprintln!("N = {n_tables}: {label}");
        measure_runs(runs, &mut nothing, &dir, label, program, args, ok)
    };
    rows.push(Row {
        command: "schemac plan FILE (offline, from empty)",
        result: time("plan-empty", schemac, &["plan", "base.sql"], &[0]),
        versus: None,
    });
    rows.push(Row {
        command: "schemac plan --from A B (offline)",
        result: time(
            "plan-from",
            schemac,
            &["plan", "--from", "base.sql", "changed.sql"],
            &[0],
        ),
        versus: None,
    });
    rows.push(Row {
        command: "schemac inspect --db",
        result: time("inspect", schemac, &["inspect", "--db", &a.url], &[0]),
        versus: Some("pg_dump --schema-only"),
    });
    rows.push(Row {
        command: "pg_dump --schema-only",
        result: time("pg_dump", "pg_dump", &["--schema-only", "-d", &a.url], &[0]),
        versus: None,
    });
    // The first `plan --db` against a database creates the shadow
    // schemac keeps for it; the runs after it find it there, empty.
    let kept = schemac::live::shadow::kept_name(&a.name);
    if let Err(error) = psql(
        &admin_url(),
        format!("DROP DATABASE IF EXISTS \"{kept}\" WITH (FORCE);\nCHECKPOINT;").as_bytes(),
    ) {
        eprintln!("N = {n_tables}: cannot drop {kept}: {error}");
    }
    rows.push(Row {
        command: "schemac plan --db URL FILE (first run)",
        result: time(
            "plan-db-first",
            schemac,
            &["plan", "--db", &a.url, "changed.sql"],
            &[0],
        ),
        versus: Some("migra A B"),
    });
    rows.push(Row {
        command: "schemac plan --db URL FILE (shadow on)",
        result: time(
            "plan-db",
            schemac,
            &["plan", "--db", &a.url, "changed.sql"],
            &[0],
        ),
        versus: Some("migra A B"),
    });
    rows.push(Row {
        command: "migra A B",
        result: match migra {
            Some(migra) => time("migra", migra, &["--unsafe", &a.url, &b.url], &[0, 2]),
            None => Err("not run: no migra (set SCHEMAC_MIGRA)".to_string()),
        },
        versus: None,
    });
    // apply needs a fresh copy of A for every run.
    let copy_name = format!("{prefix}_c");
    let mut copy: Option<BenchDb> = None;
    let copy_url = url_with_dbname(&admin_url(), &copy_name);
    let mut fresh_copy = || -> Result<(), String> {
        copy = None;
        copy = Some(BenchDb::create(copy_name.clone(), Some(&a))?);
        Ok(())
    };
    eprintln!("N = {n_tables}: apply");
    rows.push(Row {
        command: "schemac apply (the 5% change)",
        result: measure_runs(
            runs,
            &mut fresh_copy,
            &dir,
            "apply",
            schemac,
            &[
                "apply",
                "--db",
                &copy_url,
                "--yes",
                "--allow-hazards",
                "all",
                "changed.sql",
            ],
            &[0],
        ),
        versus: None,
    });
    drop(copy);
    drop((a, b));
    if keep() {
        eprintln!("kept {} (SCHEMAC_BENCH_KEEP)", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    rows
}

fn fmt_measure(result: &Result<Measure, String>) -> (String, String) {
    match result {
        Ok(m) => (
            format!("{:.2} s", m.wall.as_secs_f64()),
            format!("{} MB", m.peak_kb / 1024),
        ),
        Err(error) => (format!("failed: {error}"), String::new()),
    }
}

fn print_table(n_tables: usize, rows: &[Row]) {
    println!(
        "\nN = {n_tables} tables ({} relations), 5% changed",
        synth::n_relations(n_tables)
    );
    println!("| command | wall | peak RSS | ratio |");
    println!("|---|---:|---:|---|");
    for row in rows {
        let (wall, peak) = fmt_measure(&row.result);
        let ratio = match (&row.result, row.versus) {
            (Ok(mine), Some(other_name)) => rows
                .iter()
                .find(|other| other.command == other_name)
                .and_then(|other| other.result.as_ref().ok())
                .map(|other| {
                    format!(
                        "{:.2}x the time of {other_name}",
                        mine.wall.as_secs_f64() / other.wall.as_secs_f64().max(0.001)
                    )
                })
                .unwrap_or_default(),
            _ => String::new(),
        };
        println!("| {} | {wall} | {peak} | {ratio} |", row.command);
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read from argv.
    let sizes: Vec<usize> = std::env::var("SCHEMAC_BENCH_SIZES")
        .unwrap_or_else(|_| "1000,10000".to_string())
        .split(',')
        .filter_map(|size| size.trim().parse().ok())
        .collect();
    let runs: usize = std::env::var("SCHEMAC_BENCH_RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
        .unwrap_or(1)
        .max(1);
    let schemac =
        std::env::var("SCHEMAC_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_schemac").to_string());
    let migra = std::env::var("SCHEMAC_MIGRA").unwrap_or_else(|_| "migra".to_string());
    let migra_found = Command::new(&migra)
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !migra_found {
        eprintln!(
            "migra not found ({migra}); its rows say so. See docs/benchmarks.md for the venv."
        );
    }
    for n_tables in sizes {
        let rows = run_size(
            n_tables,
            runs,
            &schemac,
            migra_found.then_some(migra.as_str()),
        );
        print_table(n_tables, &rows);
    }
    println!(
        "\nschemac: {}; runs per command: {runs}; wall time is the median, peak RSS the largest",
        PathBuf::from(&schemac).display()
    );
}
