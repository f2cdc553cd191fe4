//! Fleet rollout on the local server (`plan --target`, `apply --target`):
//! eight databases, one of which fails mid-rollout (its rows violate the
//! new CHECK, so preflight refuses it), one with drift (an index already
//! there). The rollout stops as configured, the table names each
//! database's state, and after the rows are fixed a re-run converges all
//! of them, skipping those already converged. Passwords in the target's
//! URLs never appear in any output.
//!
//! A second test holds a lock on one database of three with `on-failure =
//! "continue"`: the others are applied, the locked one fails with the lock
//! timeout, and once the lock is gone a re-run applies it.
//!
//! Run alone: `cargo test --test live_fleet`.

mod common;

use common::run::{schemac, SchemaDir};
use common::TestDb;
use std::collections::BTreeMap;
use std::process::Output;

const SECRET: &str = "fleet-s3cret";

const V1: &str = "CREATE TABLE accounts (id bigint PRIMARY KEY, plan text NOT NULL);\n";
const V2: &str = "CREATE TABLE accounts (\n  id bigint PRIMARY KEY,\n  plan text NOT NULL CHECK (plan IN ('free', 'pro'))\n);\nCREATE INDEX accounts_plan_idx ON accounts (plan);\n";

/// `url` with a password in its userinfo when it has none (trust
/// authentication ignores it), so redaction is tested on every line.
fn with_secret(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    match rest.find('@') {
        Some(at) if !rest[..at].contains(':') => format!(
            "{}{}:{SECRET}{}",
            &url[..scheme_end + 3],
            &rest[..at],
            &rest[at..]
        ),
        _ => url.to_string(),
    }
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs schemac and checks that no password leaked.
fn run(dir: &SchemaDir, args: &[&str]) -> (i32, String, String) {
    let started = std::time::Instant::now();
    let output = schemac(dir, args);
    eprintln!("schemac {args:?}: {:.1}s", started.elapsed().as_secs_f64());
    let (stdout, stderr) = text(&output);
    assert!(
        !stdout.contains(SECRET) && !stderr.contains(SECRET),
        "a password was printed by schemac {args:?}:\n{stdout}\n{stderr}"
    );
    (output.status.code().unwrap_or(-1), stdout, stderr)
}

/// database name -> state column of the rollout table.
fn table_states(stdout: &str) -> BTreeMap<String, String> {
    let mut lines = stdout
        .lines()
        .skip_while(|line| !line.starts_with("database "));
    let header = lines
        .next()
        .unwrap_or_else(|| panic!("no table in:\n{stdout}"));
    let state_col = header.find("state").expect("state column");
    let detail_col = header.find("detail").expect("detail column");
    let mut res = BTreeMap::new();
    for line in lines.take_while(|line| !line.trim().is_empty()) {
        let label = line.split_whitespace().next().expect("label");
        let name = label.rsplit('/').next().expect("dbname").to_string();
        let state = line
            .get(state_col..detail_col.min(line.len()))
            .unwrap_or("");
        res.insert(name, state.trim().to_string());
    }
    res
}

fn expect_states(stdout: &str, dbs: &[TestDb], expected: &[&str]) {
    let states = table_states(stdout);
    let found: Vec<&str> = dbs
        .iter()
        .map(|db| states.get(db.name()).map_or("<missing>", String::as_str))
        .collect();
    assert_eq!(found, expected, "rollout table:\n{stdout}");
}

#[test]
fn fleet_rollout_stops_on_failure_and_resumes() {
    let started = std::time::Instant::now();
    let dbs: Vec<TestDb> = (0..8).map(|_| TestDb::create()).collect();
    eprintln!(
        "8 databases created in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    let dir = SchemaDir::new("fleet", V1);
    let list: String = dbs
        .iter()
        .map(|db| format!("{}\n", with_secret(db.url())))
        .collect();
    std::fs::write(dir.file("tenants.txt"), format!("# the tenants\n{list}")).expect("file");
    let names: Vec<String> = dbs.iter().map(|db| format!("'{}'", db.name())).collect();
    std::fs::write(
        dir.file("schemac.toml"),
        format!(
            "paths = [\"schema\"]\n\
             [plan]\nallow-hazards = [\"full-scan\", \"index-build\"]\n\
             [apply]\nlock-timeout = \"500ms\"\nlock-attempts = 2\n\
             [targets.tenants]\ndatabases-file = \"tenants.txt\"\n\
             canary = 1\nparallel = 3\nwave-size = 3\non-failure = \"stop\"\n\
             [targets.by-query]\n\
             databases-query = \"SELECT datname FROM pg_database WHERE datname IN ({}) ORDER BY datname\"\n\
             query-db = \"{}\"\n",
            names.join(", "),
            with_secret(&TestDb::server_url())
        ),
    )
    .expect("config");

    // Every database starts at v1 (psql is faster than a rollout here; the
    // rollouts below apply from v1 and from empty history).
    for db in &dbs {
        db.run_sql(V1).expect("v1");
    }

    // Rows everywhere; tenant 5's violate the CHECK that v2 adds. Tenant 2
    // drifted: it already has v2's index.
    for (idx, db) in dbs.iter().enumerate() {
        let plan = if idx == 5 { "gold" } else { "free" };
        db.run_sql(&format!("INSERT INTO accounts VALUES (1, '{plan}')"))
            .expect("seed");
    }
    dbs[2]
        .run_sql("CREATE INDEX accounts_plan_idx ON accounts (plan)")
        .expect("drift");
    std::fs::write(dir.0.join("schema").join("schema.sql"), V2).expect("v2");

    // The plan groups the seven identical plans, names the drift and
    // flags tenant 5, whose rows apply would refuse.
    let (code, stdout, stderr) = run(&dir, &["plan", "--target", "tenants"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("2 distinct plans (drift)"), "{stdout}");
    let drift = stdout
        .split("== drift: plan ")
        .nth(1)
        .unwrap_or_else(|| panic!("no drift group:\n{stdout}"));
    assert!(drift.contains("1 database =="), "{stdout}");
    assert!(drift.contains(&format!("/{}\n", dbs[2].name())), "{stdout}");
    let majority = stdout.split("== drift").next().expect("majority");
    assert!(majority.contains("3 steps: 7 databases =="), "{stdout}");
    assert!(
        majority.contains(&format!(
            "/{}  (preflight: apply would refuse it)",
            dbs[5].name()
        )),
        "{stdout}"
    );

    // The rollout: canary 0, wave 1 (1-3), wave 2 (4-6, 5 fails), wave 3
    // (7) never starts.
    let (code, stdout, stderr) = run(&dir, &["apply", "--target", "tenants", "--yes"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    expect_states(
        &stdout,
        &dbs,
        &[
            "applied",
            "applied",
            "applied",
            "applied",
            "applied",
            "failed",
            "applied",
            "not started",
        ],
    );
    assert!(
        stdout.contains(&format!(
            "stopped: postgres@127.0.0.1:5432/{} failed",
            dbs[5].name()
        )) || stdout.contains(&format!("/{} failed", dbs[5].name())),
        "{stdout}"
    );
    assert!(stdout.contains("preflight"), "{stdout}");
    let checks = |db: &TestDb| {
        db.query("SELECT count(*) FROM pg_constraint WHERE conname LIKE 'accounts_plan%'")
            .expect("query")
            .join("")
    };
    assert_eq!(checks(&dbs[4]), "1");
    assert_eq!(checks(&dbs[5]), "0", "the refused database is untouched");
    assert_eq!(
        checks(&dbs[7]),
        "0",
        "the database not started is untouched"
    );

    // Fixed, the same command converges the rest and skips the others.
    dbs[5]
        .run_sql("UPDATE accounts SET plan = 'pro'")
        .expect("fix");
    let (code, stdout, stderr) = run(&dir, &["apply", "--target", "tenants", "--yes"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    expect_states(
        &stdout,
        &dbs,
        &[
            "unchanged",
            "unchanged",
            "unchanged",
            "unchanged",
            "unchanged",
            "applied",
            "unchanged",
            "applied",
        ],
    );
    for db in &dbs {
        assert_eq!(checks(db), "1", "{}", db.name());
        assert_eq!(
            db.query("SELECT count(*) FROM accounts")
                .expect("rows")
                .join(""),
            "1"
        );
    }

    // The same databases found by a query: nothing left to do.
    let (code, stdout, stderr) = run(
        &dir,
        &["plan", "--target", "by-query", "--detailed-exitcode"],
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("8 databases planned") && stdout.contains("all match the schema"),
        "{stdout}"
    );
}

#[test]
fn fleet_mistakes_are_named_before_anything_runs() {
    let dir = SchemaDir::new("fleet_err", V1);
    std::fs::write(
        dir.file("schemac.toml"),
        format!(
            "[targets.t]\ndatabases = [\"{}\", \"{}\"]\n",
            with_secret("postgresql://postgres@127.0.0.1:5432/x"),
            "postgresql://postgres@127.0.0.1:5432/x"
        ),
    )
    .expect("config");
    let (code, _, stderr) = run(&dir, &["plan", "schema", "--target", "nope"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("there is no target `nope`"), "{stderr}");
    let (code, _, stderr) = run(&dir, &["plan", "schema", "--target", "t"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("names postgres@127.0.0.1:5432/x twice"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&dir, &["apply", "schema", "--target", "t"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("stdin is not a terminal"), "{stderr}");
}

/// A session holding a lock on `accounts` of `db` until dropped.
struct LockHolder(std::process::Child);

impl LockHolder {
    fn share_lock(db: &TestDb) -> LockHolder {
        use std::io::Write;
        let mut child = std::process::Command::new("psql")
            .args(["-X", "-q", db.url()])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("psql runs");
        let stdin = child.stdin.as_mut().expect("stdin");
        writeln!(stdin, "BEGIN; LOCK TABLE accounts IN SHARE MODE;").expect("write");
        stdin.flush().expect("flush");
        let holder = LockHolder(child);
        for _ in 0..100 {
            let held = db
                .query(
                    "SELECT count(*) FROM pg_locks WHERE granted AND mode = 'ShareLock' \
                     AND relation = 'accounts'::regclass \
                     AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                )
                .expect("pg_locks")
                .join("");
            if held == "1" {
                return holder;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("the lock on accounts was not taken");
    }
}

impl Drop for LockHolder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn fleet_continues_past_a_locked_database_when_configured() {
    let dbs: Vec<TestDb> = (0..3).map(|_| TestDb::create()).collect();
    for db in &dbs {
        db.run_sql(V1).expect("v1");
    }
    let dir = SchemaDir::new("fleet_lock", V2);
    let list: Vec<String> = dbs
        .iter()
        .map(|db| format!("\"{}\"", with_secret(db.url())))
        .collect();
    std::fs::write(
        dir.file("schemac.toml"),
        format!(
            "paths = [\"schema\"]\n\
             [plan]\nallow-hazards = [\"full-scan\", \"index-build\"]\n\
             [apply]\nlock-timeout = \"300ms\"\nlock-attempts = 1\n\
             [targets.t]\ndatabases = [{}]\ncanary = 0\nparallel = 3\non-failure = \"continue\"\n",
            list.join(", ")
        ),
    )
    .expect("config");

    let lock = LockHolder::share_lock(&dbs[1]);
    let (code, stdout, stderr) = run(&dir, &["apply", "--target", "t", "--yes"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    expect_states(&stdout, &dbs, &["applied", "failed", "applied"]);
    assert!(stdout.contains("could not get its lock"), "{stdout}");
    assert!(!stdout.contains("stopped:"), "{stdout}");
    drop(lock);

    let (code, stdout, stderr) = run(&dir, &["apply", "--target", "t", "--yes"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    expect_states(&stdout, &dbs, &["unchanged", "applied", "unchanged"]);
}
