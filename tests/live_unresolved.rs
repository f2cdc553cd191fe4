//! Live PostgreSQL, through the real binary: names the schema files use
//! without declaring them (a role in a policy, a trigger's function, an
//! extension's type) are one note offline, looked up on the server with
//! `--db`, and an error located at file:line:col only when the server
//! lacks them too (issue 10 item 1).
//!
//! Needs a server: `SCHEMAC_TEST_DATABASE_URL` (default
//! `postgresql://postgres@127.0.0.1:5432/postgres`); fails with
//! instructions when none answers.

mod common;

use common::run::{schemac, stderr, SchemaDir};
use common::{ensure_role_names, TestDb};

/// A role that exists on the server (created by the test).
const READER: &str = "schemac_test_unresolved_reader";

/// Line 1: an extension's type; line 2: a trigger calling a function the
/// files do not declare; line 4: a policy granted to a role they do not
/// declare. `ROLE` and `FUNCTION` are filled in by each test.
const SCHEMA: &str = "\
CREATE TABLE docs (id bigint PRIMARY KEY, tag public.citext);
CREATE TRIGGER docs_notify AFTER INSERT ON docs FOR EACH ROW EXECUTE FUNCTION FUNCTION();
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY docs_read ON docs FOR SELECT TO ROLE USING (true);
";

fn schema(role: &str, function: &str) -> String {
    SCHEMA
        .replace("FUNCTION()", &format!("{function}()"))
        .replace("TO ROLE", &format!("TO {role}"))
}

fn count(text: &str, needle: &str) -> usize {
    text.matches(needle).count()
}

#[test]
fn names_the_server_lacks_are_located_errors() {
    let db = TestDb::create();
    let missing_role = "schemac_test_no_such_role";
    let dir = SchemaDir::new(
        "unresolved_missing",
        &schema(missing_role, "schemac_no_such_function"),
    );
    let path = dir.schema();

    // Offline: one note for the three names, no error.
    let check = schemac(&dir, &["check", "--format", "gcc", &path]);
    let findings = String::from_utf8_lossy(&check.stdout).into_owned();
    assert_eq!(check.status.code(), Some(0), "{findings}");
    assert_eq!(count(&findings, "[unresolved-reference]"), 1, "{findings}");
    assert_eq!(count(&findings, "error["), 0, "{findings}");
    assert!(
        findings.contains(&format!("role {missing_role}"))
            && findings.contains("function public.schemac_no_such_function")
            && findings.contains("type public.citext"),
        "{findings}"
    );

    // With the database: an error per name, each at its statement.
    let plan = schemac(&dir, &["plan", "--db", db.url(), &path]);
    let report = stderr(&plan);
    assert_eq!(plan.status.code(), Some(1), "{report}");
    for (location, message) in [
        (
            "schema.sql:1:",
            "type public.citext is neither declared in these files nor present in the database",
        ),
        (
            "schema.sql:2:1",
            "function public.schemac_no_such_function is neither declared in these files nor present in the database",
        ),
        (
            "schema.sql:4:1",
            "role schemac_test_no_such_role is neither declared in these files nor present in the database",
        ),
    ] {
        assert!(report.contains(location), "no {location} in:\n{report}");
        // The graphical report wraps long messages behind a `│` margin.
        let flat: String = report
            .replace('│', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            flat.contains(message),
            "no `{message}` in:\n{report}"
        );
    }
    assert!(
        !plan.stdout.iter().any(|b| !b.is_ascii_whitespace()),
        "no plan is printed"
    );

    // apply refuses the same way, before changing anything.
    let apply = schemac(
        &dir,
        &[
            "apply",
            "--db",
            db.url(),
            "--yes",
            "--allow-hazards",
            "all",
            &path,
        ],
    );
    assert_eq!(apply.status.code(), Some(1), "{}", stderr(&apply));
    assert!(
        stderr(&apply).contains("is neither declared in these files nor present in the database"),
        "{}",
        stderr(&apply)
    );
    assert_eq!(
        db.query("SELECT count(*) FROM pg_class WHERE relname = 'docs'")
            .expect("query"),
        ["0"],
        "nothing was created"
    );
}

#[test]
fn names_the_server_has_are_not_reported() {
    let db = TestDb::create();
    ensure_role_names(db.url(), &[READER]).expect("create the role");
    // The type and the function come from extensions the database has
    // and the files do not declare.
    db.run_sql("CREATE EXTENSION citext; CREATE EXTENSION tcn;")
        .expect("extensions available on the test server");
    let dir = SchemaDir::new(
        "unresolved_present",
        &schema(READER, "triggered_change_notification"),
    );
    let path = dir.schema();
    // Without a shadow (the throwaway shadow database would not have the
    // extensions the files leave out), so that only the lookup is judged.
    let plan = schemac(&dir, &["plan", "--db", db.url(), "--no-shadow", &path]);
    let report = stderr(&plan);
    assert_ne!(plan.status.code(), Some(1), "{report}");
    assert_eq!(count(&report, "unresolved-reference"), 0, "{report}");
    // Offline, the same names are the one note.
    let check = schemac(&dir, &["check", "--format", "gcc", &path]);
    let findings = String::from_utf8_lossy(&check.stdout).into_owned();
    assert_eq!(count(&findings, "[unresolved-reference]"), 1, "{findings}");
}

#[test]
fn a_schema_with_do_blocks_keeps_missing_names_in_one_note() {
    let db = TestDb::create();
    // The DO block may create what the server lacks now: PostgreSQL (the
    // shadow database, which runs the block) decides, not the lookup.
    let sql = "\
DO $$ BEGIN CREATE TYPE public.mood AS ENUM ('a', 'b'); END $$;
CREATE TABLE t (id bigint PRIMARY KEY, m public.mood);
";
    let dir = SchemaDir::new("unresolved_do", sql);
    let path = dir.schema();
    let plan = schemac(&dir, &["plan", "--db", db.url(), &path]);
    let report = stderr(&plan);
    assert_ne!(plan.status.code(), Some(1), "{report}");
    assert_eq!(count(&report, "is neither declared"), 0, "{report}");
    assert_eq!(count(&report, "unresolved-reference"), 1, "{report}");
}

/// A role the server lacks but whose name is close to one it has (or one
/// the files declare) gets a "did you mean"; offline, a misspelt declared
/// role gets one in the note.
#[test]
fn a_misspelt_role_gets_a_did_you_mean() {
    let db = TestDb::create();
    ensure_role_names(db.url(), &[READER]).expect("create the role");
    db.run_sql("CREATE EXTENSION citext;")
        .expect("citext available on the test server");
    let misspelt = "schemac_test_unresolved_readr";
    let dir = SchemaDir::new(
        "unresolved_misspelt",
        &schema(misspelt, "pg_catalog.suppress_redundant_updates_trigger"),
    );
    let path = dir.schema();
    let plan = schemac(&dir, &["plan", "--db", db.url(), "--no-shadow", &path]);
    let flat: String = stderr(&plan)
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(plan.status.code(), Some(1), "{flat}");
    assert!(
        flat.contains(&format!("role {misspelt} is neither declared"))
            && flat.contains(&format!("did you mean `{READER}`?")),
        "{flat}"
    );

    // Offline: the role declared in a .schema file next to the SQL.
    let declared = SchemaDir::new(
        "unresolved_declared",
        "CREATE TABLE t (id bigint PRIMARY KEY);\n\
         ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY p ON t TO app_usr USING (true);\n",
    );
    std::fs::write(
        declared.0.join("schema").join("roles.schema"),
        "role app_user\n",
    )
    .expect("write");
    let check = schemac(
        &declared,
        &["check", "--format", "json", &declared.schema()],
    );
    let findings = String::from_utf8_lossy(&check.stdout).into_owned();
    assert!(
        findings.contains("role app_usr: did you mean `app_user`?"),
        "{findings}"
    );
}
