//! Live PostgreSQL, through the real binary: rewrite rules (`CREATE
//! RULE`) are created, replaced and dropped, behave as PostgreSQL defines
//! them once applied, and what `inspect` prints (both formats) and what
//! `pg_dump --schema-only` prints plan again with no change.
//!
//! Needs a server: `SCHEMAC_TEST_DATABASE_URL` (default
//! `postgresql://postgres@127.0.0.1:5432/postgres`); fails with
//! instructions when none answers.

mod common;

use common::run::{schemac, stderr, SchemaDir};
use common::TestDb;
use std::process::Output;

const V1: &str = "\
CREATE TABLE t (a integer PRIMARY KEY, b text);
CREATE TABLE log (a integer, note varchar(20));
CREATE RULE t_ins AS ON INSERT TO t WHERE NEW.a > 0 DO ALSO INSERT INTO log (a, note) VALUES (NEW.a, 'ins');
CREATE RULE t_del AS ON DELETE TO t DO INSTEAD NOTHING;
CREATE RULE t_upd AS ON UPDATE TO t DO (INSERT INTO log (a) VALUES (OLD.a); NOTIFY t_changed);
COMMENT ON RULE t_del ON t IS 'rows are never deleted';
";

/// `t_ins` changes its condition and is disabled, `t_upd` becomes
/// INSTEAD, `t_del` goes.
const V2: &str = "\
CREATE TABLE t (a integer PRIMARY KEY, b text);
CREATE TABLE log (a integer, note varchar(20));
CREATE RULE t_ins AS ON INSERT TO t WHERE NEW.a > 10 DO ALSO INSERT INTO log (a, note) VALUES (NEW.a, 'ins');
CREATE RULE t_upd AS ON UPDATE TO t DO INSTEAD (INSERT INTO log (a) VALUES (OLD.a); NOTIFY t_changed);
ALTER TABLE t DISABLE RULE t_ins;
";

/// The same as V2, written in the `.schema` language.
const V2_SCHEMA: &str = "\
table t {
  a integer primary key
  b text
  rule t_ins on insert where (new.a > 10) do also (insert into log (a, note) values (new.a, 'ins')) disabled
  rule t_upd on update do instead (
    insert into log (a) values (old.a);
    notify t_changed
  )
}

table log {
  a integer
  note varchar(20)
}
";

fn run(dir: &SchemaDir, args: &[&str]) -> Output {
    schemac(dir, args)
}

fn ok(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed ({:?}):\n{}\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        stderr(output)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn apply(db: &TestDb, dir: &SchemaDir, path: &str) {
    let output = run(
        dir,
        &[
            "apply",
            "--db",
            db.url(),
            "--yes",
            "--allow-hazards",
            "all",
            path,
        ],
    );
    ok(&output, &format!("apply {path}"));
}

/// `plan --db --detailed-exitcode` exits 0 (nothing to do) on `path`.
fn assert_no_change(db: &TestDb, dir: &SchemaDir, path: &str, what: &str) {
    let output = run(
        dir,
        &["plan", "--db", db.url(), "--detailed-exitcode", path],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{what}: plan --db --detailed-exitcode should find nothing to do:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
}

fn rules(db: &TestDb) -> Vec<String> {
    db.query(
        "SELECT r.rulename || ':' || r.ev_type::text || ':' || r.is_instead::text || ':' || r.ev_enabled::text || ':' \
         || coalesce(obj_description(r.oid, 'pg_rewrite'), '') \
         FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class \
         WHERE c.relname = 't' ORDER BY 1",
    )
    .expect("pg_rewrite answers")
}

#[test]
fn rules_are_created_replaced_dropped_and_inspected() {
    let db = TestDb::create();
    let dir = SchemaDir::new("rules", V1);
    let v1 = dir.schema();

    // From empty: the plan creates the three rules and the comment.
    let plan = ok(
        &run(&dir, &["plan", "--db", db.url(), "--format", "sql", &v1]),
        "plan v1",
    );
    for expected in [
        "CREATE RULE t_ins AS ON INSERT TO public.t",
        "CREATE RULE t_del AS ON DELETE TO public.t DO INSTEAD NOTHING",
        "CREATE RULE t_upd AS ON UPDATE TO public.t DO ALSO (",
        "COMMENT ON RULE t_del ON public.t IS 'rows are never deleted'",
    ] {
        assert!(plan.contains(expected), "missing `{expected}` in:\n{plan}");
    }
    apply(&db, &dir, &v1);
    assert_eq!(
        rules(&db),
        [
            "t_del:4:true:O:rows are never deleted",
            "t_ins:3:false:O:",
            "t_upd:2:false:O:"
        ]
    );
    assert_no_change(&db, &dir, &v1, "v1 after apply");
    // The rules act as declared.
    db.run_sql("INSERT INTO t VALUES (5, 'x'); DELETE FROM t;")
        .expect("insert and delete");
    assert_eq!(
        db.query("SELECT (SELECT count(*) FROM t) || '|' || (SELECT string_agg(a || note, ',') FROM log)")
            .expect("counts"),
        ["1|5ins"]
    );

    // A changed condition and ALSO -> INSTEAD are replaced in place, a
    // rule no longer declared is dropped.
    std::fs::write(dir.file("v2.sql"), V2).expect("write v2");
    let v2 = dir.file("v2.sql").display().to_string();
    let plan = ok(
        &run(&dir, &["plan", "--db", db.url(), "--format", "sql", &v2]),
        "plan v2",
    );
    assert!(
        plan.contains(
            "CREATE OR REPLACE RULE t_ins AS ON INSERT TO public.t WHERE new.a > 10 DO ALSO"
        ),
        "{plan}"
    );
    assert!(
        plan.contains("CREATE OR REPLACE RULE t_upd AS ON UPDATE TO public.t DO INSTEAD ("),
        "{plan}"
    );
    assert!(plan.contains("DROP RULE t_del ON public.t"), "{plan}");
    assert!(
        plan.contains("ALTER TABLE public.t DISABLE RULE t_ins"),
        "{plan}"
    );
    assert!(!plan.contains("DROP TABLE"), "{plan}");
    apply(&db, &dir, &v2);
    assert_eq!(rules(&db), ["t_ins:3:false:D:", "t_upd:2:true:O:"]);
    assert_no_change(&db, &dir, &v2, "v2 after apply");
    // The same schema in the `.schema` language plans nothing either.
    std::fs::write(dir.file("v2.schema"), V2_SCHEMA).expect("write v2.schema");
    let v2_schema = dir.file("v2.schema").display().to_string();
    assert_no_change(&db, &dir, &v2_schema, "v2 written as .schema");

    // inspect, in both formats, plans again with no change.
    for format in ["sql", "schema"] {
        let printed = ok(
            &run(&dir, &["inspect", "--db", db.url(), "--format", format]),
            "inspect",
        );
        assert!(
            printed.to_lowercase().contains("rule t_upd"),
            "inspect --format {format} prints the rules:\n{printed}"
        );
        let path = dir.file(&format!("inspected.{format}"));
        std::fs::write(&path, &printed).expect("write inspected");
        assert_no_change(
            &db,
            &dir,
            &path.display().to_string(),
            &format!("inspect --format {format}"),
        );
    }

    // pg_dump's own text of the rules reads back equal too.
    let dump = std::process::Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "-d", db.url()])
        .output()
        .expect("pg_dump runs");
    assert!(dump.status.success(), "{}", stderr(&dump));
    let dump_text = String::from_utf8_lossy(&dump.stdout).into_owned();
    assert!(dump_text.contains("CREATE RULE t_upd AS"), "{dump_text}");
    std::fs::write(dir.file("dump.sql"), &dump_text).expect("write dump");
    assert_no_change(
        &db,
        &dir,
        &dir.file("dump.sql").display().to_string(),
        "pg_dump --schema-only",
    );

    // Dropping every rule leaves the table and its rows.
    std::fs::write(
        dir.file("v3.sql"),
        "CREATE TABLE t (a integer PRIMARY KEY, b text);\nCREATE TABLE log (a integer, note varchar(20));\n",
    )
    .expect("write v3");
    let v3 = dir.file("v3.sql").display().to_string();
    apply(&db, &dir, &v3);
    assert!(rules(&db).is_empty());
    assert_eq!(
        db.query("SELECT count(*) FROM t").expect("count"),
        ["1"],
        "rows survive"
    );
    assert_no_change(&db, &dir, &v3, "v3 after apply");
}

#[test]
fn a_rule_on_a_view_is_built_verbatim_and_never_planned() {
    let db = TestDb::create();
    let sql = "\
CREATE TABLE t (a integer PRIMARY KEY);
CREATE VIEW v AS SELECT a FROM t;
CREATE RULE v_ins AS ON INSERT TO v DO INSTEAD INSERT INTO t (a) VALUES (NEW.a);
COMMENT ON RULE v_ins ON v IS 'inserts go to t';
";
    let dir = SchemaDir::new("view_rule", sql);
    let path = dir.schema();
    db.run_sql(sql).expect("build with psql");
    // The rule on the view is no object schemac plans: nothing to do, and
    // the shadow database accepts the statement as written.
    assert_no_change(&db, &dir, &path, "rule on a view");
    // `check` prints its findings on stdout.
    let output = run(&dir, &["check", &path]);
    let findings = String::from_utf8_lossy(&output.stdout);
    assert!(
        findings.contains("rule v_ins on view public.v not modelled"),
        "{findings}"
    );
}
