//! Live tests of how the `schemac` binary connects: libpq's defaults (the
//! local Unix socket, the operating-system user), its environment
//! variables, their precedence, the password file, and that no password
//! ever reaches the output.
//!
//! Each test runs the real binary with a cleared environment (`PATH`, a
//! scratch `HOME` and `NO_COLOR`, plus what the case sets), so the shell
//! running the tests cannot change what is tested, against a fresh
//! database ([`TestDb`]). The socket cases need the PostgreSQL server of
//! this machine (its socket in `/var/run/postgresql` or `/tmp`); the TCP
//! cases reach it as `postgres` at 127.0.0.1. A missing server fails
//! loudly, as every live test does.
//!
//! The local server trusts every connection (pg_hba `trust`), so a
//! password is never checked here; that the password file's password is
//! chosen is tested at the unit level (`src/live/connect/`), and here that
//! a file others may read is skipped with libpq's warning.

mod common;

use common::{psql, TestDb};
use schemac::live::connect::{Env, DEFAULT_SOCKET_DIRS};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A password with every character a URL parser trips on.
const SECRET: &str = "p@ss:w/rd";

/// Pieces of [`SECRET`] that must not show either.
const SECRET_PIECES: [&str; 4] = ["p@ss", "ss:w", "w/rd", "p%40ss"];

/// What one run of the binary printed.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn assert_ok(&self, what: &str) {
        assert_eq!(
            self.code,
            Some(0),
            "{what}: expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
    }

    /// Asserts a failure whose message holds `expect` (compared without
    /// whitespace and the report's frame: the report wraps long lines).
    fn assert_fails_with(&self, what: &str, expect: &str) {
        assert_ne!(self.code, Some(0), "{what}: expected a failure");
        assert!(
            squash(&self.stderr).contains(&squash(expect)),
            "{what}: stderr lacks `{expect}`:\n{}",
            self.stderr
        );
    }

    fn assert_sealed(&self, what: &str) {
        for piece in SECRET_PIECES {
            assert!(
                !self.stdout.contains(piece) && !self.stderr.contains(piece),
                "{what}: the password shows\nstdout:\n{}\nstderr:\n{}",
                self.stdout,
                self.stderr
            );
        }
    }
}

/// `text` without whitespace and without the characters miette frames a
/// report with.
fn squash(text: &str) -> String {
    text.chars()
        .filter(|ch| !ch.is_whitespace() && !"│×├─▶╰".contains(*ch))
        .collect()
}

static HOMES: AtomicUsize = AtomicUsize::new(0);

/// A scratch home directory (no `~/.pgpass` unless a test writes one),
/// removed on drop.
struct Home(PathBuf);

impl Home {
    fn new() -> Home {
        let dir = std::env::temp_dir().join(format!(
            "schemac-live-connect-{}-{}",
            std::process::id(),
            HOMES.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("scratch home");
        Home(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `schemac ARGS` with only `PATH`, `HOME`, `NO_COLOR` and `vars`.
fn schemac(args: &[&str], vars: &[(&str, &str)], home: &Home) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_schemac"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("NO_COLOR", "1")
        .envs(vars.iter().copied())
        .args(args)
        .stdin(Stdio::null());
    let output = command.output().expect("run the schemac binary");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn inspect(db: &str, vars: &[(&str, &str)], home: &Home) -> Run {
    schemac(&["inspect", "--db", db], vars, home)
}

/// A fresh database holding one table, `connect_probe`, which `inspect`
/// prints when it read this database.
fn probe_db() -> TestDb {
    let db = TestDb::create();
    db.run_sql("CREATE TABLE connect_probe (id integer);")
        .expect("create the probe table");
    db
}

fn assert_read_probe(run: &Run, what: &str) {
    run.assert_ok(what);
    assert!(
        run.stdout.contains("connect_probe"),
        "{what}: another database was read:\n{}",
        run.stdout
    );
}

/// The operating-system user: libpq's default user, made a login role
/// when the server lacks it.
fn os_user() -> String {
    let user = Env::process()
        .os_user()
        .expect("the operating-system user is known")
        .to_string();
    let quoted = user.replace('"', "\"\"");
    let literal = user.replace('\'', "''");
    psql(
        &TestDb::server_url(),
        &format!(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{literal}') THEN \
             CREATE ROLE \"{quoted}\" LOGIN; END IF; END $$;"
        ),
    )
    .expect("ensure a role for the operating-system user");
    user
}

/// The default socket directory holding the server's socket.
fn socket_dir() -> &'static str {
    DEFAULT_SOCKET_DIRS
        .into_iter()
        .find(|dir| Path::new(dir).join(".s.PGSQL.5432").exists())
        .unwrap_or_else(|| {
            panic!(
                "no PostgreSQL socket in {DEFAULT_SOCKET_DIRS:?}: start the local server with \
                 `pg_ctlcluster --skip-systemctl-redirect 15 main start`"
            )
        })
}

#[test]
fn no_host_means_the_local_socket_with_no_other_setting() {
    let db = probe_db();
    let home = Home::new();
    let user = os_user();
    let url = format!("postgresql:///{}", db.name());
    assert_read_probe(&inspect(&url, &[], &home), "inspect through the socket");

    // The error names the socket directory and the user as resolved.
    let missing = format!("{}_missing", db.name());
    let run = inspect(&format!("postgresql:///{missing}"), &[], &home);
    run.assert_fails_with(
        "a missing database over the socket",
        &format!(
            "database does not exist: {user}@{}:5432/{missing}",
            socket_dir()
        ),
    );

    // plan and its shadow database go through the socket too.
    let schema = home.path().join("probe.sql");
    std::fs::write(&schema, "CREATE TABLE connect_probe (id integer);\n").expect("schema");
    let schema = schema.display().to_string();
    let run = schemac(
        &["plan", "--db", &url, "--detailed-exitcode", &schema],
        &[],
        &home,
    );
    run.assert_ok("plan through the socket finds no change");
}

#[test]
fn pghost_and_pguser_connect_over_tcp_as_postgres() {
    let db = probe_db();
    let home = Home::new();
    let vars = [("PGHOST", "127.0.0.1"), ("PGUSER", "postgres")];
    let url = format!("postgresql:///{}", db.name());
    assert_read_probe(&inspect(&url, &vars, &home), "PGHOST + PGUSER");
    let missing = format!("{}_missing", db.name());
    inspect(&format!("postgresql:///{missing}"), &vars, &home).assert_fails_with(
        "a missing database over TCP",
        &format!("database does not exist: postgres@127.0.0.1:5432/{missing}"),
    );
}

#[test]
fn each_environment_variable_is_read() {
    let db = probe_db();
    let home = Home::new();
    let user = os_user();
    let name = db.name();
    let url = format!("postgresql:///{name}");
    let tcp = [("PGHOST", "127.0.0.1"), ("PGUSER", "postgres")];

    // PGDATABASE fills in the database a key=value string leaves out.
    let run = inspect(
        "host=127.0.0.1 user=postgres",
        &[("PGDATABASE", name)],
        &home,
    );
    assert_read_probe(&run, "PGDATABASE");

    // PGPORT, over TCP and over the socket.
    inspect(&url, &[tcp[0], tcp[1], ("PGPORT", "1")], &home).assert_fails_with(
        "PGPORT over TCP",
        &format!("cannot reach PostgreSQL at postgres@127.0.0.1:1/{name}"),
    );
    let tried = DEFAULT_SOCKET_DIRS
        .map(|dir| format!("{dir}/.s.PGSQL.1"))
        .join(", ");
    inspect(&url, &[("PGPORT", "1")], &home).assert_fails_with(
        "PGPORT over the socket",
        &format!("no PostgreSQL socket for {user}@(unix socket):1/{name}: tried {tried}"),
    );

    // PGHOST naming a socket directory.
    inspect(&url, &[("PGHOST", "/nonexistent-socket-dir")], &home).assert_fails_with(
        "PGHOST as a socket directory",
        &format!("cannot reach PostgreSQL at {user}@/nonexistent-socket-dir:5432/{name}"),
    );

    // PGHOSTADDR: the host name is never resolved.
    let run = inspect(
        &format!("host=schemac-no-such-host.invalid user=postgres dbname={name}"),
        &[("PGHOSTADDR", "127.0.0.1")],
        &home,
    );
    assert_read_probe(&run, "PGHOSTADDR");

    // PGUSER names the role the server is asked for.
    inspect(&url, &[tcp[0], ("PGUSER", "schemac_no_such_role")], &home).assert_fails_with(
        "PGUSER",
        &format!("schemac_no_such_role@127.0.0.1:5432/{name}"),
    );

    // PGSSLMODE: refused by a server without TLS, used by one with it,
    // never on the socket.
    let ssl = db.query("SHOW ssl").expect("SHOW ssl");
    let require = [tcp[0], tcp[1], ("PGSSLMODE", "require")];
    if ssl == ["on"] {
        assert_read_probe(&inspect(&url, &require, &home), "PGSSLMODE=require");
    } else {
        inspect(&url, &require, &home)
            .assert_fails_with("PGSSLMODE=require", "sslmode=require requires TLS");
    }
    assert_read_probe(
        &inspect(&url, &[("PGSSLMODE", "require")], &home),
        "PGSSLMODE=require on the socket",
    );

    // PGSSLROOTCERT is the root file verify-ca reads.
    let vars = [
        tcp[0],
        tcp[1],
        ("PGSSLMODE", "verify-ca"),
        ("PGSSLROOTCERT", "/nonexistent/ca.pem"),
    ];
    inspect(&url, &vars, &home).assert_fails_with(
        "PGSSLROOTCERT",
        "cannot set up TLS (sslmode=verify-ca) for postgres@127.0.0.1:5432",
    );
    inspect(&url, &vars, &home).assert_fails_with("PGSSLROOTCERT", "/nonexistent/ca.pem");

    // PGCONNECT_TIMEOUT and PGAPPNAME are read (and checked).
    inspect(&url, &[("PGCONNECT_TIMEOUT", "soon")], &home).assert_fails_with(
        "PGCONNECT_TIMEOUT",
        "connect_timeout (from PGCONNECT_TIMEOUT) must be a number, not `soon`",
    );
    let vars = [
        tcp[0],
        tcp[1],
        ("PGCONNECT_TIMEOUT", "5"),
        ("PGAPPNAME", "ci-job"),
    ];
    assert_read_probe(
        &inspect(&url, &vars, &home),
        "PGCONNECT_TIMEOUT + PGAPPNAME",
    );

    // PGPASSWORD never shows, even when the connection fails.
    let vars = [tcp[0], tcp[1], ("PGPORT", "1"), ("PGPASSWORD", SECRET)];
    let run = inspect(&url, &vars, &home);
    run.assert_fails_with("PGPASSWORD", "cannot reach PostgreSQL");
    run.assert_sealed("PGPASSWORD");
}

#[cfg(unix)]
#[test]
fn a_password_file_others_may_read_is_skipped_with_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let db = probe_db();
    let home = Home::new();
    let url = format!("postgresql://postgres@127.0.0.1/{}", db.name());
    let warning = "has group or world access; permissions should be u=rw (0600) or less";
    for (file, via) in [
        (home.path().join(".pgpass"), None),
        (home.path().join("elsewhere.pgpass"), Some("PGPASSFILE")),
    ] {
        std::fs::write(&file, format!("*:*:*:*:{SECRET}\n")).expect("write the password file");
        let path = file.display().to_string();
        let vars: Vec<(&str, &str)> = via.map(|var| (var, path.as_str())).into_iter().collect();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let run = inspect(&url, &vars, &home);
        assert_read_probe(&run, "a readable password file");
        assert!(
            run.stderr
                .contains(&format!("WARNING: password file \"{path}\" {warning}")),
            "{path}: no warning:\n{}",
            run.stderr
        );
        run.assert_sealed("password file");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let run = inspect(&url, &vars, &home);
        assert_read_probe(&run, "a private password file");
        assert!(!run.stderr.contains("WARNING"), "{}", run.stderr);
        std::fs::remove_file(&file).expect("remove the password file");
    }
}

#[test]
fn the_string_wins_over_the_environment() {
    let db = probe_db();
    let home = Home::new();
    let vars = [
        ("PGHOST", "/nonexistent-socket-dir"),
        ("PGPORT", "1"),
        ("PGUSER", "schemac_no_such_role"),
        ("PGDATABASE", "schemac_no_such_database"),
        ("PGSSLMODE", "verify-full"),
    ];
    let url = format!(
        "postgresql://postgres@127.0.0.1:5432/{}?sslmode=prefer",
        db.name()
    );
    assert_read_probe(&inspect(&url, &vars, &home), "a URL over the environment");
    let text = format!(
        "host=127.0.0.1 port=5432 user=postgres dbname={} sslmode=prefer",
        db.name()
    );
    assert_read_probe(
        &inspect(&text, &vars, &home),
        "key=value over the environment",
    );
}

#[test]
fn passwords_never_show_wherever_they_are_written() {
    let db = probe_db();
    let home = Home::new();
    let name = db.name();
    let encoded = "p%40ss%3Aw%2Frd";
    let cases = [
        // Nothing listens on port 1: the driver's error.
        format!("postgresql://postgres:{SECRET}@127.0.0.1:1/{name}"),
        format!("postgresql://postgres:{encoded}@127.0.0.1:1/{name}"),
        format!("postgresql://127.0.0.1:1/{name}?user=postgres&password={encoded}"),
        format!("host=127.0.0.1 port=1 user=postgres password={SECRET} dbname={name}"),
        format!("host=127.0.0.1 port=1 user=postgres password='{SECRET}' dbname={name}"),
        // The server answers: the server's error.
        format!("postgresql://postgres:{SECRET}@127.0.0.1/{name}_missing"),
        format!("postgresql://schemac_no_such_role:{SECRET}@127.0.0.1/{name}"),
        // Malformed strings.
        format!("postgresql://postgres:{SECRET}@[::1/{name}"),
        format!("postgresql://postgres:{SECRET}@127.0.0.1:99999/{name}"),
        format!("postgresql://postgres:{SECRET}%zz@127.0.0.1/{name}"),
        format!("host=127.0.0.1 password='{SECRET}"),
        format!("host=127.0.0.1 {SECRET} dbname={name}"),
        format!("host=127.0.0.1 password={SECRET} sslmode=allow"),
    ];
    for (idx, db_arg) in cases.iter().enumerate() {
        let run = inspect(db_arg, &[], &home);
        // The case is named by its number: its text holds the password.
        assert_ne!(run.code, Some(0), "case {idx}: expected a failure");
        assert!(!run.stderr.trim().is_empty(), "case {idx}: no message");
        run.assert_sealed(&format!("case {idx}"));
    }
    // With the password in the URL and the connection working, nothing
    // shows either.
    let url = format!("postgresql://postgres:{encoded}@127.0.0.1/{name}");
    let run = inspect(&url, &[], &home);
    assert_read_probe(&run, "a URL with a password");
    run.assert_sealed("a working URL with a password");
}
