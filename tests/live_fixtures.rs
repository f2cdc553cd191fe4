//! Live PostgreSQL tests.
//!
//! Interim version: the planner does not exist yet, so only [`TestDb`]
//! itself is exercised; the full harness (every fixture, the reference
//! schema and the examples applied on a real server) replaces it as soon as
//! `schemac::plan::plan_models` lands.

mod common;

use common::TestDb;

#[test]
fn urls_are_rewritten_and_redacted() {
    use common::{redact, with_database};
    assert_eq!(
        with_database("postgresql://postgres@127.0.0.1:5432/postgres", "x"),
        "postgresql://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/db?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgresql://h:5", "x"), "postgresql://h:5/x");
    assert_eq!(
        redact("cannot connect to postgres://u:secret@h:5/db: refused"),
        "cannot connect to postgres://u:***@h:5/db: refused"
    );
    assert_eq!(redact("postgresql://u@h/db"), "postgresql://u@h/db");
}

#[test]
fn test_databases_are_created_and_dropped() {
    let name;
    {
        let db = TestDb::create();
        name = db.name().to_string();
        db.run_sql("CREATE TABLE t (id int); INSERT INTO t VALUES (1);")
            .expect("a trivial script runs");
        assert_eq!(db.query("SELECT count(*) FROM t").expect("query"), ["1"]);
        let err = db
            .run_sql("SELECT 1;\nSELECT no_such_column FROM t;\nSELECT 2;")
            .expect_err("ON_ERROR_STOP makes a failing script fail");
        assert!(err.contains("no_such_column"), "{err}");
        assert!(err.contains("   2 | SELECT no_such_column"), "{err}");
    }
    let admin = TestDb::create();
    let rows = admin
        .query(&format!(
            "SELECT count(*) FROM pg_database WHERE datname = '{name}'"
        ))
        .expect("query");
    assert_eq!(rows, ["0"], "database {name} was not dropped");
}
