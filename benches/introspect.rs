//! Introspection benchmark: for synthetic schemas of N tables
//! (`schemac::synth`, 1,000 and 10,000 by default; override with
//! `SCHEMAC_BENCH_SIZES=100,1000`), creates a database on the server of
//! `SCHEMAC_TEST_DATABASE_URL` (default
//! `postgresql://postgres@127.0.0.1:5432/postgres`), then times
//! introspection over one connection (`introspect::introspect_with_stats`)
//! and over two (`introspect::introspect_sharded`, what `schemac plan --db`
//! does) against `pg_dump --schema-only` on the same database, prints a
//! table, and drops the databases.
//!
//! Introspection is timed three times each after one warm-up run (the
//! median is reported, with each catalog query's share of the two-connection
//! run); pg_dump once after a warm-up. Each run opens its own connections
//! (not timed; `schemac plan --db` opens both at once); pg_dump's time includes starting the process and
//! connecting (a few milliseconds).
//!
//! pg_dump takes `LOCK TABLE ... IN ACCESS SHARE MODE` on every table in one
//! transaction, so it needs `max_locks_per_transaction * max_connections`
//! lock slots; when it runs out ("out of shared memory") the table says so:
//! that is the finding, and introspection (which locks no table) is
//! unaffected. `max_locks_per_transaction` is a postmaster setting (a
//! server restart changes it), so the bench prints the server's value; to
//! time pg_dump at sizes it cannot dump, raise it (`ALTER SYSTEM SET
//! max_locks_per_transaction = 1024;` and a restart: 10,000 synthetic
//! tables are 22,000 relations, so `max_locks_per_transaction *
//! max_connections` must exceed that) or point
//! `SCHEMAC_TEST_DATABASE_URL` at a server started with a larger one.
//!
//! `SCHEMAC_BENCH_KEEP=1` leaves the databases in place (their names are
//! printed) for `EXPLAIN ANALYZE`; `SCHEMAC_BENCH_REUSE=1` then times them
//! again without loading them anew. Figures and target verdicts only;
//! nothing here asserts a time.

use schemac::introspect::{self, Filter, IntrospectOptions, QueryTiming};
use schemac::live::connect;
use schemac::synth::{self, Form, Variant};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DEFAULT_URL: &str = "postgresql://postgres@127.0.0.1:5432/postgres";

fn admin_url() -> String {
    std::env::var("SCHEMAC_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_string())
}

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

fn psql(url: &str, sql: &str) -> Result<(), String> {
    let mut child = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot run psql: {error}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(sql.as_bytes())
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

/// A benchmark database, dropped when the value is dropped.
struct BenchDb {
    name: String,
    url: String,
}

impl BenchDb {
    /// A fresh database, or with `SCHEMAC_BENCH_REUSE=1` the one an
    /// earlier `SCHEMAC_BENCH_KEEP=1` run left (then `reused` is true and
    /// the schema is not loaded again).
    fn create(n_tables: usize) -> Result<(BenchDb, bool), String> {
        let reuse = env_flag("SCHEMAC_BENCH_REUSE");
        let name = if reuse || env_flag("SCHEMAC_BENCH_KEEP") {
            format!("schemac_bench_introspect_{n_tables}")
        } else {
            format!("schemac_bench_introspect_{n_tables}_{}", std::process::id())
        };
        let db = BenchDb {
            url: url_with_dbname(&admin_url(), &name),
            name,
        };
        if reuse && psql(&db.url, "SELECT 1").is_ok() {
            return Ok((db, true));
        }
        let name = &db.name;
        psql(
            &admin_url(),
            &format!("DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name};"),
        )
        .map_err(|error| {
            format!(
                "cannot create {name}: {error}\nstart PostgreSQL with \
                     `pg_ctlcluster --skip-systemctl-redirect 15 main start`"
            )
        })?;
        Ok((db, false))
    }
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|value| value == "1")
}

impl Drop for BenchDb {
    fn drop(&mut self) {
        if env_flag("SCHEMAC_BENCH_KEEP") || env_flag("SCHEMAC_BENCH_REUSE") {
            eprintln!("kept database {} (SCHEMAC_BENCH_KEEP=1)", self.name);
            return;
        }
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE);", self.name);
        if let Err(error) = psql(&admin_url(), &sql) {
            eprintln!("could not drop {}: {error}", self.name);
        }
    }
}

struct Row {
    n_tables: usize,
    n_relations: usize,
    /// `None` when an earlier run's database was reused.
    load: Option<Duration>,
    /// Over one connection.
    single: Result<IntrospectRun, String>,
    /// Over two connections, as `schemac plan --db` reads.
    introspect: Result<IntrospectRun, String>,
    pg_dump: Result<Duration, String>,
}

/// One introspection run: wall time, queries sent, when each query's rows
/// arrived and the time spent building the Model.
#[derive(Clone)]
struct IntrospectRun {
    elapsed: Duration,
    queries: usize,
    timings: Vec<QueryTiming>,
    rows_to_model: Duration,
}

/// One introspection over `connections` (1, or 2: the way `schemac plan
/// --db` reads, see `introspect::introspect_sharded`).
async fn time_introspect(url: &str, connections: usize) -> Result<IntrospectRun, String> {
    let (client, connection) = connect(url).await.map_err(|error| error.to_string())?;
    let helper = if connections > 1 {
        Some(connect(url).await.map_err(|error| error.to_string())?)
    } else {
        None
    };
    let start = Instant::now();
    let (model, stats) = introspect::introspect_sharded(
        &client,
        helper.as_ref().map(|(helper, _)| helper),
        &Filter::default(),
        IntrospectOptions::default(),
    )
    .await
    .map_err(|error| error.to_string())?;
    let elapsed = start.elapsed();
    drop(client);
    let _ = connection.await;
    if let Some((helper, connection)) = helper {
        drop(helper);
        let _ = connection.await;
    }
    if model.tables.is_empty() {
        return Err("introspection found no tables".to_string());
    }
    if stats.shards != connections {
        return Err(format!(
            "asked for {connections} connections, introspection used {}",
            stats.shards
        ));
    }
    Ok(IntrospectRun {
        elapsed,
        queries: stats.queries,
        timings: stats.query_timings,
        rows_to_model: stats.rows_to_model,
    })
}

/// The median of `runs` introspections (by wall time).
async fn median_introspect(
    url: &str,
    connections: usize,
    runs: usize,
) -> Result<IntrospectRun, String> {
    let mut results = Vec::new();
    for _ in 0..runs {
        results.push(time_introspect(url, connections).await?);
    }
    results.sort_by_key(|run| run.elapsed);
    results
        .get(results.len() / 2)
        .cloned()
        .ok_or_else(|| "no introspection run".to_string())
}

fn time_pg_dump(url: &str) -> Result<Duration, String> {
    let start = Instant::now();
    let output = Command::new("pg_dump")
        .args(["--schema-only", "-d", url, "-f", "/dev/null"])
        .stderr(Stdio::piped())
        .output()
        .map_err(|error| format!("cannot run pg_dump: {error}"))?;
    let elapsed = start.elapsed();
    if output.status.success() {
        Ok(elapsed)
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr
            .lines()
            .find(|line| line.contains("error"))
            .unwrap_or_else(|| stderr.lines().next().unwrap_or("failed"));
        Err(first.trim().to_string())
    }
}

async fn run_size(n_tables: usize) -> Result<Row, String> {
    let (db, reused) = BenchDb::create(n_tables)?;
    let load = if reused {
        None
    } else {
        let ddl = synth::source(n_tables, Variant::Base, Form::Sql);
        let start = Instant::now();
        psql(&db.url, &ddl)
            .map_err(|error| format!("loading {n_tables} tables failed: {error}"))?;
        Some(start.elapsed())
    };
    // One warm-up run of each fills the server's buffers for both tools.
    let _ = time_introspect(&db.url, 2).await;
    let single = median_introspect(&db.url, 1, 3).await;
    let introspect = median_introspect(&db.url, 2, 3).await;
    let _ = time_pg_dump(&db.url);
    let pg_dump = time_pg_dump(&db.url);
    Ok(Row {
        n_tables,
        n_relations: synth::n_relations(n_tables),
        load,
        single,
        introspect,
        pg_dump,
    })
}

fn sizes() -> Vec<usize> {
    std::env::var("SCHEMAC_BENCH_SIZES")
        .ok()
        .map(|text| {
            text.split(',')
                .filter_map(|part| part.trim().parse().ok())
                .collect()
        })
        .filter(|sizes: &Vec<usize>| !sizes.is_empty())
        .unwrap_or_else(|| vec![1_000, 10_000])
}

fn main() {
    // `cargo test --benches` runs bench targets with `--bench` absent; only
    // a real `cargo bench` run does the (slow) work.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("introspect bench: run with `cargo bench --bench introspect`");
        return;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the tokio runtime: {error}");
            std::process::exit(1);
        }
    };
    let mut rows = Vec::new();
    for n_tables in sizes() {
        eprintln!("introspect bench: {n_tables} tables ...");
        match runtime.block_on(run_size(n_tables)) {
            Ok(row) => rows.push(row),
            Err(error) => {
                eprintln!("{error}");
                std::process::exit(1);
            }
        }
    }
    print_report(&rows);
}

/// The server setting that decides whether pg_dump can lock every table.
fn server_setting(name: &str) -> String {
    let output = Command::new("psql")
        .args([
            "-X",
            "-A",
            "-t",
            "-d",
            &admin_url(),
            "-c",
            &format!("SHOW {name}"),
        ])
        .output();
    match output {
        Ok(output) if output.status.success() => {
            String::from_utf8_lossy(&output.stdout).trim().to_string()
        }
        _ => "unknown".to_string(),
    }
}

fn print_report(rows: &[Row]) {
    println!(
        "server: max_locks_per_transaction = {}, max_connections = {}",
        server_setting("max_locks_per_transaction"),
        server_setting("max_connections")
    );
    println!(
        "{:>8} {:>10} {:>10} {:>12} {:>12} {:>8}  pg_dump --schema-only",
        "tables", "relations", "load", "1 conn", "2 conns", "queries"
    );
    let seconds = |run: &Result<IntrospectRun, String>| match run {
        Ok(run) => format!("{:.3} s", run.elapsed.as_secs_f64()),
        Err(error) => format!("failed: {error}"),
    };
    for row in rows {
        let queries = match &row.introspect {
            Ok(run) => run.queries.to_string(),
            Err(_) => "-".to_string(),
        };
        let pg_dump = match &row.pg_dump {
            Ok(elapsed) => format!("{:.3} s", elapsed.as_secs_f64()),
            Err(error) => format!("FAILED: {error}"),
        };
        let load = match row.load {
            Some(load) => format!("{:.1} s", load.as_secs_f64()),
            None => "reused".to_string(),
        };
        println!(
            "{:>8} {:>10} {:>10} {:>12} {:>12} {:>8}  {pg_dump}",
            row.n_tables,
            row.n_relations,
            load,
            seconds(&row.single),
            seconds(&row.introspect),
            queries
        );
    }
    for row in rows {
        if let Ok(run) = &row.introspect {
            print_breakdown(row.n_tables, run);
        }
    }
    println!();
    for row in rows {
        println!("{}", verdict(row));
    }
}

/// Each query's share of the median run. The queries are pipelined and
/// the server runs them in turn, so a query's time is the gap between its
/// last row and the previous query's on the same connection.
fn print_breakdown(n_tables: usize, run: &IntrospectRun) {
    println!();
    println!("{n_tables} tables, per query (server and transfer):");
    let mut previous = [Duration::ZERO; 2];
    for timing in &run.timings {
        let previous = &mut previous[timing.connection.min(1)];
        let took = timing.finished.saturating_sub(*previous);
        *previous = timing.finished;
        println!(
            "  {:<16} conn {} {:>8} rows {:>9.1} ms",
            timing.object_kind,
            timing.connection,
            timing.rows,
            took.as_secs_f64() * 1000.0
        );
    }
    println!(
        "  {:<16} {:>13} {:>9.1} ms",
        "rows -> Model",
        "",
        run.rows_to_model.as_secs_f64() * 1000.0
    );
}

/// The targets: at most half of pg_dump's time at 1,000 tables,
/// under 2 seconds at 10,000.
fn verdict(row: &Row) -> String {
    let Ok(run) = &row.introspect else {
        return format!("{} tables: introspection failed", row.n_tables);
    };
    let introspect = run.elapsed.as_secs_f64();
    let ratio = match &row.pg_dump {
        Ok(pg_dump) => format!(
            "{:.2}x pg_dump's time",
            introspect / pg_dump.as_secs_f64().max(f64::EPSILON)
        ),
        Err(_) => "pg_dump failed".to_string(),
    };
    let target = match row.n_tables {
        1_000 => match &row.pg_dump {
            Ok(pg_dump) => {
                let met = introspect <= pg_dump.as_secs_f64() / 2.0;
                format!(
                    "target at most 0.5x pg_dump: {}",
                    if met { "MET" } else { "MISSED" }
                )
            }
            Err(_) => "target at most 0.5x pg_dump: not measurable (pg_dump failed)".to_string(),
        },
        10_000 => format!(
            "target under 2 s: {}",
            if introspect < 2.0 { "MET" } else { "MISSED" }
        ),
        _ => "no target at this size".to_string(),
    };
    format!(
        "{} tables: introspection {introspect:.3} s, {ratio}; {target}",
        row.n_tables
    )
}
