//! Shard distribution on a real Citus cluster (a coordinator and two
//! workers): what `schemac apply` runs on the coordinator is what Citus
//! stores, a second plan is empty, DDL reaches every shard, and the Citus
//! lint rules agree with what Citus itself refuses.
//!
//! Not part of the default `cargo test` run (each test is `#[ignore]`d
//! with the reason): the tests need the cluster, which
//! `scripts/citus-tests.sh` builds (once per machine), starts, runs these
//! tests against (`--ignored`) and stops. `SCHEMAC_CITUS_URL` names the
//! coordinator (default `postgresql://postgres@localhost:9700/postgres`);
//! every test panics, saying how to start the cluster, when none answers.
//!
//! Invariants: each test works in its own database, created on the
//! coordinator and on every worker (Citus 13 does not propagate `CREATE
//! DATABASE`), with the citus extension and the workers registered, and
//! dropped from every node afterwards; schemac is run as a user runs it,
//! through its binary against the coordinator.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const DEFAULT_CITUS_URL: &str = "postgresql://postgres@localhost:9700/postgres";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Databases are set up one at a time: registering the nodes of two new
/// databases at once makes Citus fail with "tuple concurrently updated".
static SETUP: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A database on every node of the cluster, dropped on `Drop`.
struct CitusDb {
    name: String,
    /// Server URLs (database `postgres`) of the coordinator, then the workers.
    servers: Vec<String>,
    dir: PathBuf,
}

impl CitusDb {
    fn coordinator_server() -> String {
        std::env::var("SCHEMAC_CITUS_URL")
            .ok()
            .filter(|url| !url.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_CITUS_URL.to_string())
    }

    fn create() -> CitusDb {
        common::require_psql();
        let _setup = SETUP
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let coordinator = CitusDb::coordinator_server();
        let workers = match query(
            &coordinator,
            "SELECT node_name || ':' || node_port FROM citus_get_active_worker_nodes() ORDER BY 1",
        ) {
            Ok(rows) if !rows.is_empty() => rows,
            Ok(_) => panic!(
                "the Citus coordinator at {} has no active workers; start the cluster with scripts/citus-tests.sh",
                common::redact(&coordinator)
            ),
            Err(err) => panic!(
                "no Citus coordinator answers at {}: {err}\n\
                 Run the Citus tests with `bash scripts/citus-tests.sh` (builds Citus if missing, starts a \
                 coordinator and two workers, runs these tests, stops the cluster), or point \
                 SCHEMAC_CITUS_URL at a coordinator whose workers this user may CREATE DATABASE on.",
                common::redact(&coordinator)
            ),
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "schemac_citus_{}_{}_{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let mut servers = vec![coordinator.clone()];
        servers.extend(
            workers
                .iter()
                .map(|hostport| with_host(&coordinator, hostport)),
        );
        let dir = std::env::temp_dir().join(&name);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let db = CitusDb { name, servers, dir };
        for server in &db.servers {
            common::psql(server, &format!("CREATE DATABASE \"{}\"", db.name)).unwrap_or_else(
                |err| {
                    panic!(
                        "cannot create {} on {}: {err}",
                        db.name,
                        common::redact(server)
                    )
                },
            );
            common::psql(
                &common::with_database(server, &db.name),
                "CREATE EXTENSION citus",
            )
            .unwrap_or_else(|err| panic!("cannot create the citus extension: {err}"));
        }
        let (host, port) = host_port(&coordinator);
        let mut register = format!("SELECT citus_set_coordinator_host('{host}', {port});\n");
        for worker in &workers {
            let (host, port) = worker.rsplit_once(':').expect("host:port");
            register.push_str(&format!("SELECT citus_add_node('{host}', {port});\n"));
        }
        db.run(&register);
        db
    }

    fn url(&self) -> String {
        common::with_database(&self.servers[0], &self.name)
    }

    fn worker_urls(&self) -> Vec<String> {
        self.servers[1..]
            .iter()
            .map(|server| common::with_database(server, &self.name))
            .collect()
    }

    fn run(&self, sql: &str) {
        if let Err(err) = common::psql(&self.url(), sql) {
            panic!(
                "SQL failed on the coordinator: {err}\n{}",
                common::numbered(sql)
            );
        }
    }

    fn try_run(&self, sql: &str) -> Result<(), String> {
        common::psql(&self.url(), sql)
    }

    fn rows(&self, sql: &str) -> Vec<String> {
        query(&self.url(), sql).unwrap_or_else(|err| panic!("query failed: {err}\n{sql}"))
    }

    fn one(&self, sql: &str) -> String {
        self.rows(sql).join("\n")
    }

    /// Writes `files` (name, text) into a fresh schema directory.
    fn schema(&self, tag: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = self.dir.join(tag);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("schema dir");
        for (name, text) in files {
            std::fs::write(dir.join(name), text).expect("schema file");
        }
        dir
    }

    /// `citus_tables` as `name|type|column|shards`, one row per table.
    fn citus_tables(&self) -> Vec<String> {
        self.rows(
            "SELECT table_name::text || '|' || citus_table_type || '|' || distribution_column || '|' || shard_count \
             FROM citus_tables ORDER BY 1",
        )
    }

    /// Tables of each colocation group, `a,b` per group, groups in order.
    fn colocation_groups(&self) -> Vec<String> {
        self.rows(
            "SELECT string_agg(logicalrelid::regclass::text, ',' ORDER BY logicalrelid::regclass::text) \
             FROM pg_dist_partition WHERE partmethod = 'h' GROUP BY colocationid ORDER BY 1",
        )
    }
}

impl Drop for CitusDb {
    fn drop(&mut self) {
        for server in self.servers.iter().rev() {
            let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
            if let Err(err) = common::psql(server, &sql) {
                eprintln!(
                    "warning: could not drop {} on {}: {err}",
                    self.name,
                    common::redact(server)
                );
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn query(url: &str, sql: &str) -> Result<Vec<String>, String> {
    let output = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-w",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            url,
            "-c",
            sql,
        ])
        .env("PGCONNECT_TIMEOUT", "5")
        .stdin(Stdio::null())
        .output()
        .map_err(|err| format!("cannot run psql: {err}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_string)
            .collect())
    } else {
        Err(common::redact(
            String::from_utf8_lossy(&output.stderr).trim_end(),
        ))
    }
}

/// `scheme://user@host:port/db` -> (host, port).
fn host_port(url: &str) -> (String, String) {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or(rest);
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    match hostport.rsplit_once(':') {
        Some((host, port)) => (host.to_string(), port.to_string()),
        None => (hostport.to_string(), "5432".to_string()),
    }
}

/// The URL with its `host:port` replaced.
fn with_host(url: &str, hostport: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgresql", url));
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let user = authority.rsplit_once('@').map(|(user, _)| user);
    match user {
        Some(user) => format!("{scheme}://{user}@{hostport}{path}"),
        None => format!("{scheme}://{hostport}{path}"),
    }
}

fn schemac(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemac"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .expect("the schemac binary runs")
}

fn transcript(args: &[&str], output: &Output) -> String {
    format!(
        "$ schemac {}\nexit: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        common::redact(&args.join(" ")),
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs schemac and panics with the transcript unless it exits `code`.
fn expect_exit(args: &[&str], code: i32) -> Output {
    let output = schemac(args);
    assert_eq!(
        output.status.code(),
        Some(code),
        "{}",
        transcript(args, &output)
    );
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn path(dir: &Path) -> String {
    dir.display().to_string()
}

/// `apply --yes` with the hazards allowed, then a second plan that must be
/// empty (`--detailed-exitcode` 0). Returns apply's output.
fn apply_and_converge(db: &CitusDb, schema: &Path, hazards: &str) -> Output {
    let url = db.url();
    let schema = path(schema);
    let mut args = vec!["apply", "--db", &url, "--yes"];
    if !hazards.is_empty() {
        args.extend(["--allow-hazards", hazards]);
    }
    args.push(&schema);
    let applied = expect_exit(&args, 0);
    expect_exit(&["plan", "--db", &url, "--detailed-exitcode", &schema], 0);
    applied
}

/// The plan's SQL (`plan --db --format sql`).
fn plan_sql(db: &CitusDb, schema: &Path) -> String {
    let url = db.url();
    let schema = path(schema);
    let args = [
        "plan",
        "--db",
        &url,
        "--format",
        "sql",
        "--allow-hazards",
        "all",
        &schema,
    ];
    let output = schemac(&args);
    assert!(
        matches!(output.status.code(), Some(0) | Some(2)),
        "{}",
        transcript(&args, &output)
    );
    stdout(&output)
}

const FROM_EMPTY: &str = r#"
table accounts {
  id          uuid          primary key
  name        text          not null
  country     text          not null references countries (code)
  shard by hash (id) shards 8
}

/// Colocated with accounts: the FK between them joins on the distribution column.
table orders {
  account_id  uuid          not null references accounts (id) on delete cascade
  id          bigint        not null
  total       numeric(12,2) not null check (total >= 0)
  country     text          references countries (code)
  primary key (account_id, id)
  index (account_id, total)
  shard by hash (account_id) colocate with accounts
}

/// No colocation named: Citus's default group for uuid and 8 shards.
table events {
  account_id  uuid          not null
  id          bigint        not null
  primary key (account_id, id)
  shard by hash (account_id) shards 8
}

/// Its own group.
table request_log {
  account_id  uuid          not null
  at          timestamptz   not null default now()
  shard by hash (account_id) colocate with none shards 4
}

table countries {
  code        text          primary key
  name        text          not null
  shard reference
}

table notes {
  id          bigint        primary key
  body        text
}
"#;

/// From empty: the plan applies on the coordinator (the shadow database is
/// built with Citus there), a second plan is empty, the citus extension is
/// never dropped, Citus stores the declared distribution, `inspect` prints
/// it and applying what `inspect` printed changes nothing; shard tables
/// never appear, even for a session that asks Citus to show them.
#[test]
#[ignore = "needs the Citus cluster: bash scripts/citus-tests.sh"]
fn from_empty_applies_converges_and_inspects_the_same_distribution() {
    let db = CitusDb::create();
    let schema = db.schema("v1", &[("app.schema", FROM_EMPTY)]);
    let sql = plan_sql(&db, &schema);
    assert!(!sql.contains("DROP EXTENSION"), "{sql}");
    assert!(
        sql.contains("create_distributed_table('public.accounts', 'id', shard_count => 8)"),
        "{sql}"
    );
    assert!(
        sql.contains("create_reference_table('public.countries')"),
        "{sql}"
    );
    apply_and_converge(&db, &schema, "");
    assert_eq!(
        db.citus_tables(),
        vec![
            "accounts|distributed|id|8",
            "countries|reference|<none>|1",
            "events|distributed|account_id|8",
            "orders|distributed|account_id|8",
            "request_log|distributed|account_id|4",
        ]
    );
    assert_eq!(
        db.colocation_groups(),
        vec!["accounts,events,orders", "request_log"]
    );
    assert_eq!(
        db.one("SELECT count(*) FROM pg_extension WHERE extname = 'citus'"),
        "1"
    );

    // Shard tables stay out of the Model even when the database asks Citus
    // to show them to every application.
    db.run(&format!(
        "ALTER DATABASE \"{}\" SET citus.show_shards_for_app_name_prefixes = '*'",
        db.name
    ));
    let url = db.url();
    let inspected = stdout(&expect_exit(&["inspect", "--db", &url], 0));
    for line in [
        "shard by hash (id) shards 8",
        "shard by hash (account_id) colocate with accounts shards 8",
        "shard by hash (account_id) shards 4",
        "shard reference",
    ] {
        assert!(
            inspected.contains(line),
            "inspect lacks `{line}`:\n{inspected}"
        );
    }
    let tables: Vec<&str> = inspected
        .lines()
        .filter_map(|line| line.strip_prefix("table "))
        .collect();
    assert_eq!(
        tables,
        vec![
            "accounts {",
            "countries {",
            "events {",
            "notes {",
            "orders {",
            "request_log {"
        ],
        "shard tables must never appear as user tables:\n{inspected}"
    );
    // What inspect prints is the same schema: planning it changes nothing.
    let inspected_dir = db.schema("inspected", &[("inspected.schema", &inspected)]);
    expect_exit(
        &[
            "plan",
            "--db",
            &url,
            "--detailed-exitcode",
            &path(&inspected_dir),
        ],
        0,
    );
}

/// Inserts rows one by one until told to stop; records the longest time a
/// single insert took and how many were committed.
struct Writer {
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<Result<(u64, Duration), String>>,
}

impl Writer {
    fn start(url: String, sql: &'static str) -> Writer {
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|err| err.to_string())?;
            runtime.block_on(async move {
                let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .map_err(|err| err.to_string())?;
                tokio::spawn(connection);
                let mut inserted = 0u64;
                let mut longest = Duration::ZERO;
                // Bounded: at most 5 minutes of writes whatever happens.
                let deadline = Instant::now() + Duration::from_secs(300);
                while !stop_flag.load(Ordering::SeqCst) && Instant::now() < deadline {
                    let started = Instant::now();
                    client
                        .execute(sql, &[])
                        .await
                        .map_err(|err| format!("insert {} failed: {err:?}", inserted + 1))?;
                    longest = longest.max(started.elapsed());
                    inserted += 1;
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                Ok((inserted, longest))
            })
        });
        Writer { stop, handle }
    }

    fn finish(self) -> (u64, Duration) {
        self.stop.store(true, Ordering::SeqCst);
        match self.handle.join() {
            Ok(Ok(res)) => res,
            Ok(Err(err)) => panic!("the writer failed: {err}"),
            Err(_) => panic!("the writer thread panicked"),
        }
    }
}

// Ids are uuids drawn on the coordinator: with an identity column, inserts
// through the coordinator after create_distributed_table_concurrently drew
// ids that already existed (Citus 13.2.2), which is not what this test is
// about.
const WRITES_LOCAL: &str = r#"
table events {
  tenant_id   bigint        not null
  id          uuid          not null default gen_random_uuid()
  payload     text          not null
  primary key (tenant_id, id)
}
"#;

const WRITES_DISTRIBUTED: &str = r#"
table events {
  tenant_id   bigint        not null
  id          uuid          not null default gen_random_uuid()
  payload     text          not null
  primary key (tenant_id, id)
  shard by hash (tenant_id) shards 8
}
"#;

const EVENTS_LOCAL: &str = r#"
table events {
  tenant_id   bigint        not null
  id          bigint        generated always as identity
  payload     text          not null
  primary key (tenant_id, id)
}
"#;

const EVENTS_DISTRIBUTED: &str = r#"
table events {
  tenant_id   bigint        not null
  id          bigint        generated always as identity
  payload     text          not null
  primary key (tenant_id, id)
  shard by hash (tenant_id) shards 8
}
"#;

/// A populated table is distributed with
/// `create_distributed_table_concurrently` while a writer inserts rows
/// without pause: no insert fails, every row is kept, and the longest
/// write stall is reported.
#[test]
#[ignore = "needs the Citus cluster: bash scripts/citus-tests.sh"]
fn distributing_a_populated_table_concurrently_keeps_writes_and_rows() {
    let db = CitusDb::create();
    let v1 = db.schema("v1", &[("app.schema", WRITES_LOCAL)]);
    apply_and_converge(&db, &v1, "");
    const SEEDED: u64 = 50_000;
    db.run(&format!(
        "INSERT INTO events (tenant_id, payload) SELECT g % 97, 'seed ' || g FROM generate_series(1, {SEEDED}) g"
    ));
    let v2 = db.schema("v2", &[("app.schema", WRITES_DISTRIBUTED)]);
    let sql = plan_sql(&db, &v2);
    assert!(
        sql.contains(
            "create_distributed_table_concurrently('public.events', 'tenant_id', shard_count => 8)"
        ),
        "{sql}"
    );
    let writer = Writer::start(
        db.url(),
        "INSERT INTO events (tenant_id, payload) VALUES ((random() * 1000)::int8, 'during')",
    );
    // Let the writer reach a steady pace first.
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    apply_and_converge(&db, &v2, "shard-data-movement");
    let took = started.elapsed();
    std::thread::sleep(Duration::from_millis(300));
    let (inserted, longest) = writer.finish();
    let rows: u64 = db
        .one("SELECT count(*) FROM events")
        .parse()
        .expect("count");
    println!(
        "create_distributed_table_concurrently of {SEEDED} rows under a steady writer: apply took {:.2} s, \
         {inserted} inserts meanwhile, longest write stall {:.0} ms",
        took.as_secs_f64(),
        longest.as_secs_f64() * 1000.0
    );
    assert_eq!(
        rows,
        SEEDED + inserted,
        "every seeded and written row is kept"
    );
    assert!(inserted > 0, "the writer wrote during the distribution");
    assert_eq!(db.citus_tables(), vec!["events|distributed|tenant_id|8"]);
}

const ALTER_V1: &str = r#"
table accounts {
  id          bigint        primary key
  shard by hash (id) shards 4
}
table orders {
  account_id  bigint        not null
  id          bigint        not null
  primary key (account_id, id)
  shard by hash (account_id) colocate with accounts
}
table metrics {
  host_id     bigint        not null
  account_id  bigint        not null
  value       float8        not null
  shard by hash (host_id) colocate with none shards 4
}
"#;

// orders leaves the group of accounts; metrics changes its distribution
// column and joins accounts' group; accounts keeps its placement.
const ALTER_V2: &str = r#"
table accounts {
  id          bigint        primary key
  shard by hash (id) shards 4
}
table orders {
  account_id  bigint        not null
  id          bigint        not null
  primary key (account_id, id)
  shard by hash (account_id) colocate with none shards 4
}
table metrics {
  host_id     bigint        not null
  account_id  bigint        not null
  value       float8        not null
  shard by hash (account_id) colocate with accounts
}
"#;

// orders gets more shards.
const ALTER_V3: &str = r#"
table accounts {
  id          bigint        primary key
  shard by hash (id) shards 4
}
table orders {
  account_id  bigint        not null
  id          bigint        not null
  primary key (account_id, id)
  shard by hash (account_id) colocate with none shards 8
}
table metrics {
  host_id     bigint        not null
  account_id  bigint        not null
  value       float8        not null
  shard by hash (account_id) colocate with accounts
}
"#;

/// Colocation, distribution column and shard count changes are planned as
/// `alter_distributed_table` with a `shard-data-movement` hazard (refused
/// until allowed), keep every row, and converge.
#[test]
#[ignore = "needs the Citus cluster: bash scripts/citus-tests.sh"]
fn changing_colocation_column_and_shard_count_uses_alter_distributed_table() {
    let db = CitusDb::create();
    let v1 = db.schema("v1", &[("app.schema", ALTER_V1)]);
    apply_and_converge(&db, &v1, "");
    db.run(
        "INSERT INTO accounts SELECT g FROM generate_series(1, 500) g;
         INSERT INTO orders SELECT g % 500 + 1, g FROM generate_series(1, 5000) g;
         INSERT INTO metrics SELECT g % 13, g % 500 + 1, g FROM generate_series(1, 3000) g;",
    );
    assert_eq!(db.colocation_groups(), vec!["accounts,orders", "metrics"]);

    let v2 = db.schema("v2", &[("app.schema", ALTER_V2)]);
    let sql = plan_sql(&db, &v2);
    assert!(
        sql.contains("alter_distributed_table('public.orders', distribution_column => 'account_id', shard_count => 4, colocate_with => 'none')"),
        "{sql}"
    );
    assert!(
        sql.contains("alter_distributed_table('public.metrics', distribution_column => 'account_id', colocate_with => 'public.accounts')"),
        "{sql}"
    );
    assert!(
        !sql.contains("'public.accounts', distribution_column"),
        "accounts stays:\n{sql}"
    );
    // Not allowed: refused before anything runs, naming the hazard.
    let url = db.url();
    let refused = schemac(&["apply", "--db", &url, "--yes", &path(&v2)]);
    assert_ne!(refused.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("shard-data-movement"),
        "{}",
        transcript(&["apply"], &refused)
    );
    apply_and_converge(&db, &v2, "shard-data-movement,long-lock");
    assert_eq!(db.colocation_groups(), vec!["accounts,metrics", "orders"]);
    assert_eq!(
        db.citus_tables(),
        vec![
            "accounts|distributed|id|4",
            "metrics|distributed|account_id|4",
            "orders|distributed|account_id|4",
        ]
    );

    let v3 = db.schema("v3", &[("app.schema", ALTER_V3)]);
    let sql = plan_sql(&db, &v3);
    assert!(
        sql.contains("alter_distributed_table('public.orders'"),
        "{sql}"
    );
    apply_and_converge(&db, &v3, "shard-data-movement,long-lock");
    assert_eq!(
        db.citus_tables(),
        vec![
            "accounts|distributed|id|4",
            "metrics|distributed|account_id|4",
            "orders|distributed|account_id|8",
        ]
    );
    assert_eq!(
        db.rows("SELECT (SELECT count(*) FROM accounts) || ',' || (SELECT count(*) FROM orders) || ',' || (SELECT count(*) FROM metrics)"),
        vec!["500,5000,3000"]
    );
}

const LOG_LOCAL: &str = r#"
table log {
  tenant_id   bigint        not null
  id          bigint        not null
  payload     text          not null
  primary key (tenant_id, id)
}
"#;

const LOG_DISTRIBUTED: &str = r#"
table log {
  tenant_id   bigint        not null
  id          bigint        not null
  payload     text          not null
  primary key (tenant_id, id)
  shard by hash (tenant_id) shards 4
}
"#;

/// A table the schema no longer shards is undistributed
/// (`undistribute_table`, `shard-data-movement`); its rows come back to the
/// coordinator, and the plan converges. A table with an identity column,
/// which `undistribute_table` refuses, is refused at plan time with the
/// reason, before anything runs.
#[test]
#[ignore = "needs the Citus cluster: bash scripts/citus-tests.sh"]
fn a_table_the_schema_stops_sharding_is_undistributed() {
    let db = CitusDb::create();
    let v1 = db.schema("v1", &[("app.schema", LOG_DISTRIBUTED)]);
    apply_and_converge(&db, &v1, "");
    db.run("INSERT INTO log SELECT g % 7, g, 'x' FROM generate_series(1, 2000) g");
    let v2 = db.schema("v2", &[("app.schema", LOG_LOCAL)]);
    let sql = plan_sql(&db, &v2);
    assert!(
        sql.contains("SELECT undistribute_table('public.log')"),
        "{sql}"
    );
    apply_and_converge(&db, &v2, "shard-data-movement,long-lock");
    assert!(db.citus_tables().is_empty(), "{:?}", db.citus_tables());
    assert_eq!(db.one("SELECT count(*) FROM log"), "2000");

    let with_identity = db.schema(
        "identity",
        &[
            ("app.schema", LOG_LOCAL),
            ("events.schema", EVENTS_DISTRIBUTED),
        ],
    );
    let only_events = db.schema(
        "identity-local",
        &[("app.schema", LOG_LOCAL), ("events.schema", EVENTS_LOCAL)],
    );
    apply_and_converge(&db, &with_identity, "");
    let url = db.url();
    let args = [
        "plan",
        "--db",
        &url,
        "--allow-hazards",
        "all",
        &path(&only_events),
    ];
    let refused = schemac(&args);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(
        refused.status.code(),
        Some(1),
        "{}",
        transcript(&args, &refused)
    );
    assert!(
        stderr.contains("unsupported-change") && stderr.contains("identity column (id)"),
        "{}",
        transcript(&args, &refused)
    );
}

const DDL_V1: &str = r#"
table countries {
  code        text          primary key
  shard reference
}
table accounts {
  id          bigint        primary key
  balance     numeric       not null default 0
  shard by hash (id) shards 4
}
"#;

const DDL_V2: &str = r#"
table countries {
  code        text          primary key
  shard reference
}
table accounts {
  id          bigint        primary key
  balance     numeric       not null default 0
  country     text          references countries (code)
  note        text
  check (balance >= 0)
  index accounts_balance_idx (balance)
  shard by hash (id) shards 4
}
"#;

/// Add column, CHECK (NOT VALID then VALIDATE), CREATE INDEX CONCURRENTLY
/// and an FK to a reference table on a populated distributed table: run
/// through the coordinator, present and valid on every shard.
#[test]
#[ignore = "needs the Citus cluster: bash scripts/citus-tests.sh"]
fn ddl_on_a_distributed_table_reaches_every_shard() {
    let db = CitusDb::create();
    let v1 = db.schema("v1", &[("app.schema", DDL_V1)]);
    apply_and_converge(&db, &v1, "");
    db.run(
        "INSERT INTO countries VALUES ('DE'), ('FR');
         INSERT INTO accounts (id, balance) SELECT g, g FROM generate_series(1, 1000) g;",
    );
    let v2 = db.schema("v2", &[("app.schema", DDL_V2)]);
    let sql = plan_sql(&db, &v2);
    for expected in [
        "ALTER TABLE public.accounts ADD COLUMN country text",
        "CHECK (balance >= (0)::numeric) NOT VALID",
        "VALIDATE CONSTRAINT accounts_balance_check",
        "CREATE INDEX CONCURRENTLY accounts_balance_idx",
        "FOREIGN KEY (country) REFERENCES public.countries (code) NOT VALID",
        "VALIDATE CONSTRAINT accounts_country_fkey",
    ] {
        assert!(sql.contains(expected), "plan lacks `{expected}`:\n{sql}");
    }
    apply_and_converge(&db, &v2, "full-scan,index-build");
    // One row per shard placement, each must say `t`.
    let on_shards = |check: &str| -> Vec<String> {
        db.rows(&format!(
            "SELECT success::text || ':' || result FROM run_command_on_shards('public.accounts', $cmd${check}$cmd$) ORDER BY shardid"
        ))
    };
    let every_shard_true = vec!["true:t"; 4];
    assert_eq!(
        on_shards("SELECT count(*) = 2 FROM pg_attribute WHERE attrelid = '%s'::regclass AND attname IN ('country', 'note') AND NOT attisdropped"),
        every_shard_true,
        "columns on every shard"
    );
    assert_eq!(
        on_shards("SELECT bool_and(convalidated) AND count(*) = 1 FROM pg_constraint WHERE conrelid = '%s'::regclass AND contype = 'c' AND conname LIKE 'accounts_balance_check%%'"),
        every_shard_true,
        "validated CHECK on every shard"
    );
    assert_eq!(
        on_shards("SELECT bool_and(convalidated) AND count(*) = 1 FROM pg_constraint WHERE conrelid = '%s'::regclass AND contype = 'f' AND conname LIKE 'accounts_country_fkey%%'"),
        every_shard_true,
        "validated FK to the reference table on every shard"
    );
    assert_eq!(
        on_shards("SELECT bool_and(i.indisvalid) AND count(*) = 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = '%s'::regclass AND c.relname LIKE 'accounts_balance_idx%%'"),
        every_shard_true,
        "valid index on every shard"
    );
    // The workers hold the shards (two workers, four shards).
    for worker in db.worker_urls() {
        let count = query(
            &worker,
            "SELECT count(*) FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid) \
             JOIN pg_dist_node n USING (groupid) WHERE s.logicalrelid = 'public.accounts'::regclass \
             AND n.nodeport = inet_server_port()",
        )
        .expect("worker answers");
        assert_eq!(count, vec!["2"], "each worker holds two shards of accounts");
    }
    // Citus enforces the FK on the shards: a row naming an unknown country is refused.
    let refused = db.try_run("INSERT INTO accounts (id, country) VALUES (5000, 'XX')");
    assert!(refused.is_err(), "the FK holds on the shards");
}

/// What Citus refuses for each Citus lint rule: the rule flags the schema
/// (`schemac check`), and the plan's SQL run on the coordinator fails with
/// Citus's own error.
#[test]
#[ignore = "needs the Citus cluster: bash scripts/citus-tests.sh"]
fn each_citus_lint_rule_agrees_with_what_citus_refuses() {
    let cases: [(&str, &str, &str); 3] = [
        (
            "distribution-column-not-in-unique",
            r#"
table accounts {
  id     bigint  not null
  email  text    not null unique
  shard by hash (id)
}
"#,
            "cannot create constraint",
        ),
        (
            "distributed-fk-not-colocated",
            r#"
table accounts {
  id     bigint  primary key
  shard by hash (id) shards 4
}
table orders {
  id          bigint  primary key
  account_id  bigint  not null references accounts (id)
  shard by hash (id) colocate with none shards 4
}
"#,
            "cannot create foreign key constraint",
        ),
        (
            "reference-table-fk-to-distributed",
            r#"
table accounts {
  id     bigint  primary key
  shard by hash (id) shards 4
}
table plans {
  id          bigint  primary key
  account_id  bigint  references accounts (id)
  shard reference
}
"#,
            "foreign key",
        ),
    ];
    for (rule, schema, citus_error) in cases {
        let db = CitusDb::create();
        let dir = db.schema(rule, &[("app.schema", schema)]);
        let checked = schemac(&["check", "--format", "gcc", &path(&dir)]);
        let findings = format!(
            "{}{}",
            String::from_utf8_lossy(&checked.stdout),
            String::from_utf8_lossy(&checked.stderr)
        );
        assert!(
            findings.contains(rule),
            "`schemac check` does not raise {rule}:\n{findings}"
        );
        let empty = db.schema(&format!("{rule}-empty"), &[("empty.sql", "")]);
        let args = [
            "plan",
            "--from",
            &path(&empty),
            "--format",
            "sql",
            "--allow-hazards",
            "all",
            &path(&dir),
        ];
        let planned = schemac(&args);
        let sql = stdout(&planned);
        assert!(
            sql.contains("SELECT create_"),
            "{}",
            transcript(&args, &planned)
        );
        match db.try_run(&sql) {
            Ok(()) => panic!("Citus accepted the schema {rule} flags:\n{sql}"),
            Err(err) => assert!(
                err.contains(citus_error),
                "Citus refused the schema {rule} flags, but not as expected (`{citus_error}`):\n{err}"
            ),
        }
    }
}

/// Schema-based sharding (Citus 12+): a schema distributed with
/// `citus_schema_distribute` is left as it is: its tables are read as
/// plain tables (schemac has no form for single-shard tables of a
/// distributed schema), planned without an undistribute, and a second plan
/// is empty.
#[test]
#[ignore = "needs the Citus cluster: bash scripts/citus-tests.sh"]
fn schema_based_sharding_is_left_alone() {
    let db = CitusDb::create();
    let schema = db.schema(
        "v1",
        &[(
            "app.schema",
            r#"
schema tenant_a
table tenant_a.items {
  id    bigint  primary key
  name  text    not null
}
"#,
        )],
    );
    apply_and_converge(&db, &schema, "");
    db.run(
        "SELECT citus_schema_distribute('tenant_a'); INSERT INTO tenant_a.items VALUES (1, 'one');",
    );
    assert_eq!(
        db.one("SELECT count(*) FROM citus_schemas WHERE schema_name::text = 'tenant_a'"),
        "1"
    );
    let url = db.url();
    expect_exit(
        &["plan", "--db", &url, "--detailed-exitcode", &path(&schema)],
        0,
    );
}
