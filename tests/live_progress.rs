//! Progress of long steps during `schemac apply`, read from PostgreSQL
//! while they run: a concurrent index build reports its phase and blocks
//! from `pg_stat_progress_create_index`, a batched backfill its rows and
//! pages, a VALIDATE (which PostgreSQL gives no progress counter) the
//! size of the table it scans, what the backend does and the time so far,
//! never a percent. Without a terminal they are periodic lines on stderr
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

#[test]
fn a_validation_reports_its_table_size_and_time_but_no_percent() {
    let db = TestDb::create();
    // 2,000,000 rows (146 MiB) and a CHECK that costs a few
    // microseconds a row: the VALIDATE runs for seconds.
    db.run_sql(
        "CREATE TABLE events (id bigint PRIMARY KEY, body text NOT NULL);
         INSERT INTO events SELECT g, md5(g::text) FROM generate_series(1, 2000000) g;
         ANALYZE events;",
    )
    .expect("seed");
    let dir = std::env::temp_dir().join(format!("schemac-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let schema = dir.join("events.schema");
    std::fs::write(
        &schema,
        "table events {\n  id bigint primary key\n  body text not null\n  \
         constraint body_hashes check (md5(md5(md5(body))) <> '')\n}\n",
    )
    .expect("write schema");
    let (ok, stderr) = apply(&db, &schema);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(ok, "apply failed:\n{stderr}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("validating body_hashes on public.events"))
        .collect();
    assert!(!lines.is_empty(), "no validation progress in:\n{stderr}");
    for line in &lines {
        // The planner's estimate after ANALYZE, and the table's size.
        assert!(line.contains("about 2,000,000 rows, "), "{line}");
        assert!(line.contains(" MiB)"), "{line}");
        assert!(line.contains("s so far"), "{line}");
        assert!(
            line.contains("PostgreSQL reports no progress for VALIDATE"),
            "{line}"
        );
        assert!(
            !line.contains('%'),
            "a percent PostgreSQL does not report: {line}"
        );
    }
    assert!(
        lines.iter().any(|line| line.contains("): scanning")),
        "the backend was never seen scanning:\n{stderr}"
    );
    let done = stderr
        .lines()
        .find(|line| line.contains("validate constraint body_hashes") && line.contains(" done ("))
        .unwrap_or_else(|| panic!("no done line for the validation in:\n{stderr}"));
    eprintln!("{}\n{done}", lines.join("\n"));
}
