//! Progress of long steps during `schemac apply`, read from PostgreSQL
//! while they run: a concurrent index build reports its phase and blocks
//! from `pg_stat_progress_create_index`, a batched backfill its rows and
//! pages. Without a terminal they are periodic lines on stderr
//! (`--progress-interval`).

mod common;

use common::TestDb;
use std::process::Command;

fn apply(db: &TestDb, schema: &std::path::Path) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_schemac"))
        .args(["apply", "--db", db.url(), "--yes", "--allow-hazards", "all"])
        .args(["--no-shadow", "--progress-interval", "0s"])
        .arg(schema)
        .env("NO_COLOR", "1")
        .output()
        .expect("run schemac");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn long_steps_report_progress_from_postgresql() {
    let db = TestDb::create();
    // Enough rows that the index build and the backfill run for seconds.
    db.run_sql(
        "CREATE TABLE events (id bigint PRIMARY KEY, body text NOT NULL);
         INSERT INTO events SELECT g, md5(g::text) || md5((g * 7)::text)
           FROM generate_series(1, 1500000) g;
         ANALYZE events;",
    )
    .expect("seed");
    let dir = std::env::temp_dir().join(format!("schemac-progress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let schema = dir.join("events.schema");
    std::fs::write(
        &schema,
        "table events {\n  id bigint primary key\n  body text not null\n  seen_at timestamptz default clock_timestamp()\n  index (body)\n}\n",
    )
    .expect("write schema");
    let (ok, stderr) = apply(&db, &schema);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(ok, "apply failed:\n{stderr}");
    let index_lines: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("building index") || line.contains("index validation"))
        .collect();
    assert!(
        !index_lines.is_empty(),
        "no index build progress in:\n{stderr}"
    );
    assert!(
        index_lines
            .iter()
            .any(|line| line.contains(" blocks (") || line.contains(" tuples (")),
        "no blocks or tuples done of total in:\n{stderr}"
    );
    let backfill_lines: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("backfill:"))
        .collect();
    assert!(
        backfill_lines
            .iter()
            .any(|line| line.contains("rows updated") && line.contains(" pages (")),
        "no backfill progress in:\n{stderr}"
    );
}
