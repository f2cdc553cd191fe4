//! Live PostgreSQL, through the real binary: no spurious changes.
//!
//! For the reference schema (`schemas/`, shard distribution stripped: the
//! test server has no Citus) and for every fixture's `to` side (except
//! `[live] skip` cases), in a fresh database: the from-empty SQL runs with
//! psql, then
//! - `schemac plan --db URL --detailed-exitcode PATHS` exits 0 with an
//!   empty plan, with the default throwaway shadow database and with
//!   `--no-shadow`;
//! - `schemac inspect --db URL --format schema` (and `--format sql`) is
//!   written to a temporary directory and `schemac plan --db URL
//!   --detailed-exitcode <that dir>` exits 0 as well.
//!
//! A failure prints the plan schemac proposed and, object by object, the
//! fields in which the introspected database and the schema differ.
//!
//! Other tests: the shadow database is dropped after an error; a role that
//! may not create databases falls back to offline normalisation and says
//! so; `--out` writes a saved plan whose fingerprint `apply --plan`
//! accepts; connection errors are clear and never print a password.
//!
//! Needs a server: `SCHEMAC_TEST_DATABASE_URL` (default
//! `postgresql://postgres@127.0.0.1:5432/postgres`); fails with
//! instructions when none answers.

mod common;

use common::{load_model, rel, Failures, TestDb};
use schemac::model::Model;
use schemac::plan::{plan_models, PlanOptions};
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

/// A temporary directory, removed on drop.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new() -> TempDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "schemac-live-plan-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir { path }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A run of the binary, and the pid it ran as (shadow databases are
/// named after it).
struct Run {
    output: Output,
    pid: u32,
}

impl Run {
    fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    fn transcript(&self) -> String {
        format!(
            "exit code {}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.code(),
            self.stdout(),
            self.stderr()
        )
    }
}

fn schemac(args: &[&str]) -> Run {
    let child = Command::new(env!("CARGO_BIN_EXE_schemac"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the schemac binary runs");
    let pid = child.id();
    let output = child.wait_with_output().expect("schemac finishes");
    Run { output, pid }
}

/// Shadow databases a run of pid `pid` left behind.
fn leftover_shadows(db: &TestDb, pid: u32) -> Vec<String> {
    db.query(&format!(
        "SELECT datname FROM pg_database WHERE datname LIKE 'schemac_shadow_{pid}_%'"
    ))
    .unwrap_or_else(|err| vec![format!("(cannot list databases: {err})")])
}

/// One schema to check: a title, the paths given to the binary, and the
/// Model they load to.
struct Job {
    title: String,
    paths: Vec<PathBuf>,
    model: Model,
    /// Keeps a stripped copy alive while the job runs.
    _dir: Option<TempDir>,
}

#[test]
fn live_databases_plan_empty_against_their_own_schema() {
    drop(TestDb::create());
    let mut failures = Failures::default();
    let mut jobs = Vec::new();
    match reference_job() {
        Ok(job) => jobs.push(job),
        Err(message) => failures.add("reference schema", message),
    }
    for entry in common::fixture_cases() {
        match entry {
            Ok(case) => {
                if let Some(reason) = &case.meta.live_skip {
                    eprintln!("note: skipping fixture {}: {reason}", case.name);
                    continue;
                }
                let path = case.to.primary.clone();
                match load_model(std::slice::from_ref(&path)) {
                    Ok(model) => jobs.push(Job {
                        title: format!("fixture {} ({})", case.name, rel(&path)),
                        paths: vec![path],
                        model,
                        _dir: None,
                    }),
                    Err(message) => failures.add(
                        format!("fixture {}", case.name),
                        format!("`to` does not load:\n{message}"),
                    ),
                }
            }
            Err((name, message)) => failures.add(format!("fixture {name}"), message),
        }
    }
    let n_jobs = jobs.len();
    let queue = Mutex::new(jobs);
    let results: Mutex<Vec<(String, Vec<String>)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| loop {
                let next = queue.lock().map(|mut queue| queue.pop()).unwrap_or(None);
                let Some(job) = next else {
                    break;
                };
                let problems =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check_job(&job)))
                        .unwrap_or_else(|_| vec!["panicked (see above)".to_string()]);
                if let Ok(mut results) = results.lock() {
                    results.push((job.title.clone(), problems));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort();
    assert_eq!(results.len(), n_jobs, "every job reports");
    let mut clean = 0;
    for (title, problems) in results {
        for _ in 0..4 {
            failures.checked();
        }
        if problems.is_empty() {
            clean += 1;
        }
        for problem in problems {
            failures.add(title.clone(), problem);
        }
    }
    eprintln!("note: {clean} of {n_jobs} schemas plan empty against themselves in every mode");
    failures.assert_none("plan --db against the schema's own database");
}

/// The reference schema with its shard distribution lines removed (the
/// test server has no Citus), checked to load as the original minus
/// distribution.
fn reference_job() -> Result<Job, String> {
    let source = common::root().join("schemas");
    let mut original = load_model(std::slice::from_ref(&source))?;
    for table in original.tables.values_mut() {
        table.distribution = None;
    }
    let dir = TempDir::new();
    for file in common::files_with_extension(&source, "schema") {
        let text = std::fs::read_to_string(&file).map_err(|err| err.to_string())?;
        let stripped: String = text
            .lines()
            .filter(|line| {
                let line = line.trim_start();
                !(line.starts_with("shard reference") || line.starts_with("shard by "))
            })
            .map(|line| format!("{line}\n"))
            .collect();
        let name = file.file_name().ok_or("a file has a name")?;
        std::fs::write(dir.path.join(name), stripped).map_err(|err| err.to_string())?;
    }
    let model = load_model(std::slice::from_ref(&dir.path))?;
    if model != original {
        return Err(
            "stripping `shard` lines changed more than the distribution of the reference schema"
                .to_string(),
        );
    }
    Ok(Job {
        title: "reference schema (schemas/, without shard distribution)".to_string(),
        paths: vec![dir.path.clone()],
        model,
        _dir: Some(dir),
    })
}

/// Builds the job's schema in a fresh database and plans it against
/// itself in each mode. Returns the problems found.
fn check_job(job: &Job) -> Vec<String> {
    let mut problems = Vec::new();
    let db = TestDb::create();
    if let Err(err) = db.ensure_roles(&job.model) {
        return vec![format!("cannot create roles: {err}")];
    }
    let plan = match plan_models(&Model::default(), &job.model, &PlanOptions::default()) {
        Ok(plan) => plan,
        Err(err) => return vec![format!("cannot plan from empty: {err}")],
    };
    let mut sql = Vec::new();
    if let Err(err) = schemac::render::sql::render(&plan, &mut sql) {
        return vec![format!("cannot render the from-empty SQL: {err}")];
    }
    // As a pg_dump restore does: function bodies are not validated, so a
    // plpgsql function naming a table created later does not stop this
    // test (tests/live_fixtures.rs runs the from-empty SQL as printed).
    let script = format!(
        "SET check_function_bodies = off;\n{}",
        String::from_utf8_lossy(&sql)
    );
    if let Err(err) = db.run_sql(&script) {
        return vec![format!("the from-empty SQL fails on PostgreSQL:\n{err}")];
    }
    let paths: Vec<String> = job
        .paths
        .iter()
        .map(|path| path.display().to_string())
        .collect();
    for extra in [&[][..], &["--no-shadow"][..]] {
        let mut args = vec!["plan", "--db", db.url(), "--detailed-exitcode"];
        args.extend_from_slice(extra);
        args.extend(paths.iter().map(String::as_str));
        let run = schemac(&args);
        let mode = if extra.is_empty() {
            "with a shadow database"
        } else {
            "with --no-shadow"
        };
        if run.code() != 0 {
            problems.push(format!(
                "plan --db {mode} is not empty\n{}\n{}",
                run.transcript(),
                explain(&db, &job.model)
            ));
        }
        let leftovers = leftover_shadows(&db, run.pid);
        if !leftovers.is_empty() {
            problems.push(format!("shadow databases left behind: {leftovers:?}"));
        }
    }
    for (format, file_name) in [("schema", "inspect.schema"), ("sql", "inspect.sql")] {
        let inspect = schemac(&["inspect", "--db", db.url(), "--format", format]);
        if inspect.code() != 0 {
            problems.push(format!(
                "inspect --format {format} failed\n{}",
                inspect.transcript()
            ));
            continue;
        }
        let dir = TempDir::new();
        let printed = dir.path.join(file_name);
        if let Err(err) = std::fs::write(&printed, inspect.stdout()) {
            problems.push(format!("cannot write {}: {err}", printed.display()));
            continue;
        }
        let dir_arg = dir.path.display().to_string();
        let run = schemac(&["plan", "--db", db.url(), "--detailed-exitcode", &dir_arg]);
        if run.code() != 0 {
            problems.push(format!(
                "plan --db of `inspect --format {format}` is not empty\n{}\n--- inspected source ---\n{}",
                run.transcript(),
                inspect.stdout()
            ));
        }
    }
    problems
}

/// Which objects and fields of the introspected database differ from the
/// schema's Model (after the same shadow-free normalisation).
fn explain(db: &TestDb, desired: &Model) -> String {
    let current = match introspect(db.url()) {
        Ok(model) => model,
        Err(err) => return format!("(cannot introspect to explain: {err})"),
    };
    let mut out = String::from("--- differences (database vs schema) ---\n");
    let changes = schemac::diff::diff(&current, desired);
    for change in &changes.changes {
        let object = change.object();
        out.push_str(&format!("change on {object}\n"));
    }
    for (name, desired_table) in &desired.tables {
        match current.tables.get(name) {
            Some(current_table) if current_table != desired_table => {
                out.push_str(&field_diff(
                    &format!("table {name}"),
                    current_table,
                    desired_table,
                ));
            }
            _ => {}
        }
    }
    for (name, desired_view) in &desired.views {
        if let Some(current_view) = current.views.get(name) {
            if current_view != desired_view {
                out.push_str(&field_diff(
                    &format!("view {name}"),
                    current_view,
                    desired_view,
                ));
            }
        }
    }
    for (id, desired_function) in &desired.functions {
        if let Some(current_function) = current.functions.get(id) {
            if current_function != desired_function {
                out.push_str(&field_diff(
                    &format!("function {id}"),
                    current_function,
                    desired_function,
                ));
            }
        }
    }
    for (name, desired_domain) in &desired.domains {
        if let Some(current_domain) = current.domains.get(name) {
            if current_domain != desired_domain {
                out.push_str(&field_diff(
                    &format!("domain {name}"),
                    current_domain,
                    desired_domain,
                ));
            }
        }
    }
    out
}

/// A unified diff of the `{:#?}` forms, spans left out.
fn field_diff(what: &str, current: &impl Debug, desired: &impl Debug) -> String {
    // `Meta` (spans) never takes part in equality: leave its blocks out.
    let strip = |text: String| -> String {
        let mut res = String::new();
        let mut skip_until: Option<String> = None;
        for line in text.lines() {
            if let Some(end) = &skip_until {
                if line.starts_with(end.as_str()) {
                    skip_until = None;
                }
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            if line.trim_start().starts_with("meta: Meta {") {
                skip_until = Some(format!("{}}}", " ".repeat(indent)));
                continue;
            }
            res.push_str(line);
            res.push('\n');
        }
        res
    };
    let current = strip(format!("{current:#?}"));
    let desired = strip(format!("{desired:#?}"));
    let diff = similar::TextDiff::from_lines(&current, &desired);
    format!(
        "{what}:\n{}",
        diff.unified_diff()
            .context_radius(2)
            .header("database", "schema")
    )
}

fn introspect(url: &str) -> Result<Model, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| err.to_string())?;
    runtime.block_on(async {
        let (client, connection) = schemac::live::connect(url)
            .await
            .map_err(|err| err.to_string())?;
        let res = schemac::introspect::introspect(&client, &Default::default())
            .await
            .map_err(|err| err.to_string());
        drop(client);
        let _ = connection.await;
        res
    })
}

fn write_schema(dir: &Path, text: &str) -> String {
    let path = dir.join("schema.schema");
    std::fs::write(&path, text).expect("write schema");
    path.display().to_string()
}

const ACCOUNTS: &str = "table accounts {\n  id bigint primary key\n  name text not null default 'x'\n  created_at timestamptz not null default now()\n}\n";

#[test]
fn shadow_failures_name_the_statement_and_drop_the_shadow() {
    let db = TestDb::create();
    let dir = TempDir::new();
    let schema = write_schema(
        &dir.path,
        "role schemac_role_that_does_not_exist_zz\n\ntable accounts {\n  id bigint primary key\n  policy p for select to schemac_role_that_does_not_exist_zz using (id > 0)\n}\n",
    );
    let run = schemac(&["plan", "--db", db.url(), &schema]);
    assert_eq!(run.code(), 1, "{}", run.transcript());
    let stderr = run.stderr();
    assert!(stderr.contains("shadow-statement"), "{stderr}");
    assert!(
        stderr.contains("CREATE POLICY p ON public.accounts"),
        "{stderr}"
    );
    assert!(
        stderr.contains("schemac_role_that_does_not_exist_zz\" does not exist"),
        "{stderr}"
    );
    assert!(run.stdout().is_empty(), "{}", run.transcript());
    assert_eq!(leftover_shadows(&db, run.pid), Vec::<String>::new());
}

#[test]
fn changes_exit_2_with_live_statistics_and_sql_only_on_stdout() {
    let db = TestDb::create();
    db.run_sql(
        "CREATE TABLE public.accounts (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'x', \
         created_at timestamptz NOT NULL DEFAULT now());
         INSERT INTO public.accounts (id) SELECT g FROM generate_series(1, 20000) g;
         ANALYZE public.accounts;",
    )
    .expect("seed");
    let dir = TempDir::new();
    let schema = write_schema(&dir.path, &ACCOUNTS.replace("}\n", "\n  index (name)\n}\n"));
    let sql = schemac(&["plan", "--db", db.url(), "--format", "sql", &schema]);
    assert_eq!(sql.code(), 0, "{}", sql.transcript());
    let script = sql.stdout();
    assert!(
        script.starts_with("-- Migration generated by schemac."),
        "{script}"
    );
    assert!(
        script.contains("CREATE INDEX CONCURRENTLY accounts_name_idx ON public.accounts"),
        "{script}"
    );
    let text = schemac(&["plan", "--db", db.url(), "--detailed-exitcode", &schema]);
    assert_eq!(text.code(), 2, "{}", text.transcript());
    assert!(
        text.stdout()
            .contains("table public.accounts: about 20,000 rows"),
        "{}",
        text.transcript()
    );
    // The script runs, and afterwards the plan is empty.
    db.run_sql(&script).expect("the plan's SQL runs");
    let after = schemac(&["plan", "--db", db.url(), "--detailed-exitcode", &schema]);
    assert_eq!(after.code(), 0, "{}", after.transcript());
}

#[test]
fn saved_plans_carry_the_fingerprint_apply_checks() {
    let db = TestDb::create();
    db.run_sql("CREATE TABLE public.accounts (id bigint PRIMARY KEY);")
        .expect("seed");
    let dir = TempDir::new();
    let schema = write_schema(&dir.path, ACCOUNTS);
    let out = dir.path.join("plan.json").display().to_string();
    let run = schemac(&["plan", "--db", db.url(), "--out", &out, &schema]);
    assert_eq!(run.code(), 0, "{}", run.transcript());
    let saved = std::fs::read_to_string(&out).expect("the plan file is written");
    assert!(saved.contains("\"fingerprint\""), "{saved}");
    assert!(saved.contains("\"created_at\": \"20"), "{saved}");
    let apply = schemac(&[
        "apply",
        "--db",
        db.url(),
        "--plan",
        &out,
        "--yes",
        "--allow-hazards",
        "all",
        &schema,
    ]);
    assert_eq!(apply.code(), 0, "{}", apply.transcript());
    let after = schemac(&["plan", "--db", db.url(), "--detailed-exitcode", &schema]);
    assert_eq!(after.code(), 0, "{}", after.transcript());
}

#[test]
fn without_createdb_the_plan_falls_back_to_offline_normalisation() {
    let db = TestDb::create();
    let role = format!("schemac_nocreatedb_{}", std::process::id());
    common::psql(
        &TestDb::server_url(),
        &format!("DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN NOCREATEDB NOSUPERUSER;"),
    )
    .expect("create role");
    db.run_sql(&format!(
        "CREATE TABLE public.accounts (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'x', \
         created_at timestamptz NOT NULL DEFAULT now()); \
         ALTER TABLE public.accounts OWNER TO {role};"
    ))
    .expect("seed");
    let url = db.url().replacen("postgres@", &format!("{role}@"), 1);
    let dir = TempDir::new();
    let schema = write_schema(&dir.path, ACCOUNTS);
    let run = schemac(&["plan", "--db", &url, "--detailed-exitcode", &schema]);
    let _ = common::psql(
        &TestDb::server_url(),
        &format!("REASSIGN OWNED BY {role} TO postgres; DROP ROLE IF EXISTS {role};"),
    );
    let _ = common::psql(
        db.url(),
        &format!("REASSIGN OWNED BY {role} TO postgres; DROP OWNED BY {role};"),
    );
    let _ = common::psql(
        &TestDb::server_url(),
        &format!("DROP ROLE IF EXISTS {role};"),
    );
    if !db.url().contains("postgres@") {
        eprintln!("note: SCHEMAC_TEST_DATABASE_URL has no `postgres@` user; test not meaningful");
        return;
    }
    assert_eq!(run.code(), 0, "{}", run.transcript());
    assert!(
        run.stderr().contains("may not create databases"),
        "{}",
        run.transcript()
    );
}

#[test]
fn connection_errors_are_clear_and_never_show_passwords() {
    let unreachable = schemac(&[
        "plan",
        "--db",
        "postgresql://someone:hunter2@127.0.0.1:1/db",
        "--no-shadow",
        "missing-dir",
    ]);
    // The schema is read first: a missing path is its own error.
    assert_eq!(unreachable.code(), 1, "{}", unreachable.transcript());
    let dir = TempDir::new();
    let schema = write_schema(&dir.path, ACCOUNTS);
    let unreachable = schemac(&[
        "plan",
        "--db",
        "postgresql://someone:hunter2@127.0.0.1:1/db",
        &schema,
    ]);
    assert_eq!(unreachable.code(), 1, "{}", unreachable.transcript());
    assert!(
        unreachable
            .stderr()
            .contains("cannot reach PostgreSQL at someone@127.0.0.1:1/db"),
        "{}",
        unreachable.transcript()
    );
    let missing_db = common::with_database(&TestDb::server_url(), "schemac_no_such_db_zz");
    let missing = schemac(&["inspect", "--db", &missing_db]);
    assert_eq!(missing.code(), 1, "{}", missing.transcript());
    assert!(
        missing.stderr().contains("database does not exist"),
        "{}",
        missing.transcript()
    );
    let key_value = schemac(&[
        "inspect",
        "--db",
        "host=127.0.0.1 port=1 user=someone password=hunter2 dbname=db",
    ]);
    assert_eq!(key_value.code(), 1, "{}", key_value.transcript());
    for run in [&unreachable, &missing, &key_value] {
        assert!(!run.stderr().contains("hunter2"), "{}", run.transcript());
        assert!(!run.stdout().contains("hunter2"), "{}", run.transcript());
    }
    let offline_out = schemac(&["plan", "--out", "x.json", &schema]);
    assert_eq!(offline_out.code(), 1, "{}", offline_out.transcript());
    assert!(
        offline_out.stderr().contains("--out needs a live database"),
        "{}",
        offline_out.transcript()
    );
}

/// What a database holds in `public` and outside the system schemas
/// (schemac's own record schema aside): empty for an emptied shadow.
fn shadow_contents(url: &str) -> Vec<String> {
    let sql = "SELECT n.nspname || '.' || c.relname FROM pg_class c \
               JOIN pg_namespace n ON n.oid = c.relnamespace \
               WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'schemac') \
               UNION ALL SELECT 'schema ' || nspname FROM pg_namespace \
               WHERE nspname NOT IN ('public', 'information_schema', 'schemac') AND nspname !~ '^pg_'";
    match common::query(url, sql) {
        Ok(rows) => rows.into_iter().filter(|line| !line.is_empty()).collect(),
        Err(err) => vec![format!("(psql failed: {err})")],
    }
}

/// A database whose `public.accounts` lacks the `created_at` column of
/// [`ACCOUNTS`], with the schema written to a temporary directory (kept
/// while the returned guard lives).
fn accounts_to_extend() -> (TestDb, TempDir, String) {
    let db = TestDb::create();
    db.run_sql(
        "CREATE TABLE public.accounts (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'x');",
    )
    .expect("seed");
    let dir = TempDir::new();
    let schema = write_schema(&dir.path, ACCOUNTS);
    (db, dir, schema)
}

/// The default shadow is the one schemac keeps for the target: the first
/// run creates it (and says so), every run leaves it empty, a second run
/// at the same time takes a throwaway database instead of waiting, and
/// the plans are the same whichever shadow made them.
#[test]
fn the_kept_shadow_is_created_once_emptied_after_each_run_and_used_by_one_run_at_a_time() {
    let (db, _dir, schema) = accounts_to_extend();
    let kept = schemac::live::shadow::kept_name(db.name());
    let kept_url = common::with_database(&TestDb::server_url(), &kept);
    let args = ["plan", "--db", db.url(), "--format", "sql", &schema];

    let first = schemac(&args);
    assert_eq!(first.code(), 0, "{}", first.transcript());
    assert!(
        first
            .stderr()
            .contains(&format!("created the shadow database {kept}")),
        "{}",
        first.transcript()
    );
    assert!(
        first.stdout().contains("ADD COLUMN created_at"),
        "{}",
        first.transcript()
    );
    assert_eq!(shadow_contents(&kept_url), Vec::<String>::new());
    assert_eq!(leftover_shadows(&db, first.pid), Vec::<String>::new());

    let second = schemac(&args);
    assert_eq!(second.code(), 0, "{}", second.transcript());
    assert!(
        !second.stderr().contains("created the shadow database"),
        "{}",
        second.transcript()
    );
    assert_eq!(second.stdout(), first.stdout());
    assert_eq!(shadow_contents(&kept_url), Vec::<String>::new());

    // Another run holds the kept shadow: this one builds in a throwaway
    // database, drops it, and plans the same.
    let mut holder = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            &kept_url,
            "-f",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("psql runs");
    let mut stdin = holder.stdin.take().expect("psql's stdin");
    {
        use std::io::Write;
        writeln!(
            stdin,
            "SELECT pg_advisory_lock({});\n\\echo locked",
            schemac::live::shadow::SHADOW_LOCK_KEY
        )
        .expect("write to psql");
        stdin.flush().expect("flush psql's stdin");
    }
    let mut stdout = holder.stdout.take().expect("psql's stdout");
    {
        use std::io::Read;
        let mut seen = Vec::new();
        let mut byte = [0u8; 1];
        while !String::from_utf8_lossy(&seen).contains("locked") {
            match stdout.read(&mut byte) {
                Ok(1) => seen.push(byte[0]),
                _ => panic!("psql ended before taking the lock"),
            }
        }
    }
    let busy = schemac(&args);
    drop(stdin);
    let _ = holder.wait();
    assert_eq!(busy.code(), 0, "{}", busy.transcript());
    assert!(
        busy.stderr().contains(&format!(
            "the shadow database {kept} is in use by another schemac run"
        )),
        "{}",
        busy.transcript()
    );
    assert_eq!(busy.stdout(), first.stdout());
    assert_eq!(leftover_shadows(&db, busy.pid), Vec::<String>::new());
    assert_eq!(shadow_contents(&kept_url), Vec::<String>::new());
}

/// A kept shadow this role cannot use (another role owns it) is left
/// alone: the run builds in a throwaway database, says why and what to do
/// (every such run pays for creating and dropping a database), and plans
/// the same.
#[test]
fn a_kept_shadow_of_another_role_is_left_alone_with_a_note() {
    let (db, _dir, schema) = accounts_to_extend();
    let args = ["plan", "--db", db.url(), "--format", "sql", &schema];
    let own = schemac(&args);
    assert_eq!(own.code(), 0, "{}", own.transcript());

    let kept = schemac::live::shadow::kept_name(db.name());
    let other = "schemac_test_other_shadow_owner";
    common::ensure_role_names(db.url(), &[other]).expect("create the other role");
    let server = TestDb::server_url();
    common::psql(&server, &format!("DROP DATABASE \"{kept}\" WITH (FORCE)"))
        .expect("drop the kept shadow");
    common::psql(
        &server,
        &format!("CREATE DATABASE \"{kept}\" OWNER {other}"),
    )
    .expect("another role's shadow");

    let run = schemac(&args);
    assert_eq!(run.code(), 0, "{}", run.transcript());
    assert!(
        run.stderr().contains(&format!(
            "the shadow database {kept} kept for this database belongs to another role, so this run used a throwaway one"
        )),
        "{}",
        run.transcript()
    );
    assert_eq!(run.stdout(), own.stdout());
    assert_eq!(leftover_shadows(&db, run.pid), Vec::<String>::new());
    let owner = common::query(
        &server,
        &format!("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '{kept}'"),
    )
    .expect("query");
    assert_eq!(owner, [other], "the other role's shadow was left as it was");
}

#[test]
fn a_provided_shadow_must_be_empty_and_is_emptied_again() {
    let db = TestDb::create();
    db.run_sql(
        "CREATE TABLE public.accounts (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'x', \
         created_at timestamptz NOT NULL DEFAULT now());",
    )
    .expect("seed");
    let shadow = TestDb::create();
    let dir = TempDir::new();
    let schema = write_schema(&dir.path, ACCOUNTS);
    let args = [
        "plan",
        "--db",
        db.url(),
        "--shadow-db",
        shadow.url(),
        "--detailed-exitcode",
        &schema,
    ];
    let run = schemac(&args);
    assert_eq!(run.code(), 0, "{}", run.transcript());
    let left = shadow
        .query("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")
        .expect("query");
    assert_eq!(left, ["0"], "the provided shadow was not emptied");
    shadow
        .run_sql("CREATE TABLE public.junk (i int);")
        .expect("dirty the shadow");
    let run = schemac(&args);
    assert_eq!(run.code(), 1, "{}", run.transcript());
    assert!(
        run.stderr()
            .contains("is not empty (it holds table public.junk)"),
        "{}",
        run.transcript()
    );
}

#[test]
fn lint_rules_judge_the_live_server_version() {
    let db = TestDb::create();
    db.run_sql("CREATE TABLE public.accounts (id bigint PRIMARY KEY);")
        .expect("seed");
    let dir = TempDir::new();
    let old = dir.path.join("old");
    std::fs::create_dir_all(&old).expect("create dir");
    write_schema(&old, "table accounts {\n  id bigint primary key\n}\n");
    let new = dir.path.join("new");
    std::fs::create_dir_all(&new).expect("create dir");
    let schema = write_schema(
        &new,
        "table accounts {\n  id bigint primary key\n  plan text not null default 'free'\n}\n",
    );
    let config = dir.path.join("schemac.toml");
    std::fs::write(&config, "[lint]\ntarget-version = 10\n").expect("write config");
    let config = config.to_string_lossy().into_owned();
    let rule = "add-column-volatile-default";

    // Offline, the configured version 10 stands: any ADD COLUMN with a
    // default rewrites the table there, and the rule says so (an
    // error-level finding about the plan: `plan` exits 1, as `apply` would
    // refuse it).
    let old_dir = old.to_string_lossy().into_owned();
    let offline = schemac(&["--config", &config, "plan", "--from", &old_dir, &schema]);
    assert_eq!(offline.code(), 1, "{}", offline.transcript());
    assert!(offline.stderr().contains(rule), "{}", offline.transcript());

    // Against the live server its own version wins, and stderr says so.
    let version = db
        .query("SELECT (current_setting('server_version_num')::int / 10000)::text")
        .expect("server version")
        .remove(0);
    let live = schemac(&["--config", &config, "plan", "--db", db.url(), &schema]);
    assert_eq!(live.code(), 0, "{}", live.transcript());
    let stderr = live.stderr();
    assert!(
        stderr.contains(&format!("the server runs PostgreSQL {version}")),
        "{}",
        live.transcript()
    );
    assert!(!stderr.contains(rule), "{}", live.transcript());
}

/// A schema that distributes tables, against plain PostgreSQL: refused
/// before anything runs (naming the extension and the setting), and with
/// `--citus off` planned and applied without the distribution.
#[test]
fn distribution_without_citus_is_refused_unless_citus_is_off() {
    let db = TestDb::create();
    let dir = TempDir::new();
    let schema = write_schema(
        &dir.path,
        "table tenants {\n  id bigint primary key\n  shard reference\n}\n\ntable notes {\n  tenant_id bigint not null\n  id bigint not null\n  primary key (tenant_id, id)\n  shard by hash (tenant_id)\n}\n",
    );
    for args in [
        vec!["plan", "--db", db.url(), &schema],
        vec!["apply", "--db", db.url(), "--yes", &schema],
    ] {
        let run = schemac(&args);
        assert_eq!(run.code(), 1, "{}", run.transcript());
        assert!(
            run.stderr().contains("citus-missing"),
            "{}",
            run.transcript()
        );
        assert!(run.stderr().contains("--citus off"), "{}", run.transcript());
        assert!(run.stdout().is_empty(), "{}", run.transcript());
    }
    assert_eq!(
        db.query("SELECT count(*) FROM pg_class WHERE relname IN ('tenants', 'notes')")
            .expect("query"),
        vec!["0".to_string()]
    );
    let apply = schemac(&[
        "apply",
        "--db",
        db.url(),
        "--citus",
        "off",
        "--yes",
        &schema,
    ]);
    assert_eq!(apply.code(), 0, "{}", apply.transcript());
    assert!(
        apply
            .stderr()
            .contains("shard distribution of 2 table(s) is left out"),
        "{}",
        apply.transcript()
    );
    let again = schemac(&[
        "plan",
        "--db",
        db.url(),
        "--citus",
        "off",
        "--detailed-exitcode",
        &schema,
    ]);
    assert_eq!(again.code(), 0, "{}", again.transcript());
}

/// Partition bounds written without an offset or in the target's
/// DateStyle mean what the target's session reads: a database whose
/// TimeZone is Europe/Berlin and DateStyle `SQL, DMY`, built from the file
/// with psql, plans no change (before, its timestamptz partition was
/// planned as detach, DROP TABLE and re-create), with the shadow database
/// and without.
#[test]
fn partition_bounds_are_read_in_the_target_time_zone_and_date_style() {
    let db = TestDb::create();
    db.run_sql(&format!(
        "ALTER DATABASE \"{name}\" SET timezone = 'Europe/Berlin';
         ALTER DATABASE \"{name}\" SET datestyle = 'SQL, DMY';",
        name = db.name()
    ))
    .expect("set the database's TimeZone and DateStyle");
    let dir = TempDir::new();
    let schema = dir.path.join("events.sql");
    std::fs::write(
        &schema,
        "CREATE TABLE public.events (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE public.events_2025 PARTITION OF public.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE public.events_2026 PARTITION OF public.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01 00:00:00+01');
CREATE TABLE public.days (d date NOT NULL) PARTITION BY RANGE (d);
CREATE TABLE public.days_jan PARTITION OF public.days FOR VALUES FROM ('01/01/2025') TO ('01/02/2025');
CREATE TABLE public.days_rest PARTITION OF public.days FOR VALUES FROM ('2025-02-01') TO ('2026-01-01');
CREATE TABLE public.readings (t timestamp NOT NULL) PARTITION BY RANGE (t);
CREATE TABLE public.readings_2025 PARTITION OF public.readings FOR VALUES FROM ('2025-01-01 10:00') TO ('31/12/2025 23:30');
",
    )
    .expect("write schema");
    db.run_sql_file(&schema).expect("the schema runs with psql");
    db.run_sql(
        "INSERT INTO public.events VALUES (1, '2025-06-01'), (2, '2026-06-01');
         INSERT INTO public.days VALUES ('2025-01-15'), ('2025-03-01');",
    )
    .expect("seed rows");
    // The catalog holds the bounds in Berlin time and DMY order.
    let bounds = db
        .query(
            "SET datestyle = 'ISO, YMD'; SELECT c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid) FROM pg_class c \
             WHERE c.relname IN ('events_2025', 'days_jan') ORDER BY 1",
        )
        .expect("bounds");
    assert!(
        bounds[0].contains("'2025-01-01'") && bounds[0].contains("'2025-02-01'"),
        "{bounds:?}"
    );
    assert!(bounds[1].contains("+01"), "{bounds:?}");
    let path = schema.display().to_string();
    for extra in [None, Some("--no-shadow")] {
        let mut args = vec!["plan", "--db", db.url(), "--detailed-exitcode"];
        args.extend(extra);
        args.push(&path);
        let run = schemac(&args);
        assert_eq!(run.code(), 0, "{extra:?}: {}", run.transcript());
    }
    assert_eq!(
        db.query("SELECT count(*) FROM public.events")
            .expect("count"),
        vec!["2".to_string()]
    );
}

const ORDERS_NOT_VALID: &str = "CREATE TABLE public.users (id bigint PRIMARY KEY);
CREATE TABLE public.orders (id bigint PRIMARY KEY, total integer NOT NULL, user_id bigint);
INSERT INTO public.users VALUES (1);
INSERT INTO public.orders VALUES (1, 10, 1), (2, -5, 1), (3, 7, 99);
ALTER TABLE public.orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) NOT VALID;
";

/// The two constraints as the schema wants them (valid).
const ORDERS_VALID: &str = "CREATE TABLE public.users (id bigint PRIMARY KEY);
CREATE TABLE public.orders (id bigint PRIMARY KEY, total integer NOT NULL, user_id bigint,
  CONSTRAINT orders_total_check CHECK (total >= 0),
  CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id));
";

/// Convergence means valid: NOT VALID constraints the schema wants valid
/// are validated by the plan; after a VALIDATE fails on the data, `plan
/// --db` still has changes (never "matches"); `inspect` prints NOT VALID in
/// both formats and its output plans no change; once the data is fixed,
/// apply validates and the next plan is empty.
#[test]
fn not_valid_constraints_are_validated_and_never_reported_as_converged() {
    let db = TestDb::create();
    db.run_sql(ORDERS_NOT_VALID).expect("seed");
    let dir = TempDir::new();
    let valid = dir.path.join("valid.sql");
    std::fs::write(&valid, ORDERS_VALID).expect("write schema");
    let valid = valid.display().to_string();

    let plan = schemac(&[
        "plan",
        "--db",
        db.url(),
        "--detailed-exitcode",
        "--format",
        "sql",
        &valid,
    ]);
    assert_eq!(plan.code(), 2, "{}", plan.transcript());
    let script = plan.stdout();
    for expected in [
        "ALTER TABLE public.orders VALIDATE CONSTRAINT orders_total_check;",
        "ALTER TABLE public.orders VALIDATE CONSTRAINT orders_user_id_fkey;",
    ] {
        assert!(script.contains(expected), "{expected}\n{script}");
    }
    assert!(!script.contains("DROP CONSTRAINT"), "{script}");

    // The data violates both: apply fails, and the database does not match.
    let apply = schemac(&[
        "apply",
        "--db",
        db.url(),
        "--yes",
        "--allow-hazards",
        "all",
        &valid,
    ]);
    assert_eq!(apply.code(), 1, "{}", apply.transcript());
    let again = schemac(&["plan", "--db", db.url(), "--detailed-exitcode", &valid]);
    assert_eq!(again.code(), 2, "{}", again.transcript());
    assert!(
        !again.stdout().contains("matches"),
        "{}",
        again.transcript()
    );

    // inspect prints NOT VALID, and what it prints plans no change.
    for (format, file, marker) in [
        ("sql", "inspected.sql", "NOT VALID"),
        ("schema", "inspected.schema", "not valid"),
    ] {
        let inspect = schemac(&["inspect", "--db", db.url(), "--format", format]);
        assert_eq!(inspect.code(), 0, "{}", inspect.transcript());
        let printed = inspect.stdout();
        assert_eq!(printed.matches(marker).count(), 2, "{format}:\n{printed}");
        let sub = dir.path.join(format);
        std::fs::create_dir_all(&sub).expect("dir");
        std::fs::write(sub.join(file), &printed).expect("write");
        let sub = sub.display().to_string();
        let replan = schemac(&["plan", "--db", db.url(), "--detailed-exitcode", &sub]);
        assert_eq!(
            replan.code(),
            0,
            "{format}:\n{printed}\n{}",
            replan.transcript()
        );
    }

    // With the data fixed, apply validates both and converges.
    db.run_sql("DELETE FROM public.orders WHERE id IN (2, 3);")
        .expect("fix data");
    let apply = schemac(&[
        "apply",
        "--db",
        db.url(),
        "--yes",
        "--allow-hazards",
        "all",
        &valid,
    ]);
    assert_eq!(apply.code(), 0, "{}", apply.transcript());
    assert_eq!(
        db.query("SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.orders'::regclass AND NOT convalidated")
            .expect("count"),
        vec!["0".to_string()]
    );
    let after = schemac(&["plan", "--db", db.url(), "--detailed-exitcode", &valid]);
    assert_eq!(after.code(), 0, "{}", after.transcript());
    assert_eq!(
        db.query("SELECT count(*) FROM public.orders")
            .expect("count"),
        vec!["1".to_string()]
    );
}

/// An INVALID index the schema wants (left by a failed `CREATE UNIQUE
/// INDEX CONCURRENTLY`) is a change: the plan builds a valid copy
/// concurrently, drops the INVALID one concurrently and renames the copy;
/// after apply the index is valid and the next plan is empty.
#[test]
fn invalid_indexes_the_schema_wants_are_rebuilt() {
    let db = TestDb::create();
    db.run_sql(
        "CREATE TABLE public.items (id bigint PRIMARY KEY, code text);
         INSERT INTO public.items VALUES (1, 'a'), (2, 'a'), (3, 'b');",
    )
    .expect("seed");
    let failed =
        db.run_sql("CREATE UNIQUE INDEX CONCURRENTLY items_code_idx ON public.items (code);");
    assert!(failed.is_err(), "duplicates make the build fail");
    assert_eq!(
        db.query("SELECT count(*) FROM pg_index WHERE NOT indisvalid")
            .expect("count"),
        vec!["1".to_string()]
    );
    db.run_sql("UPDATE public.items SET code = 'c' WHERE id = 2;")
        .expect("fix data");
    let dir = TempDir::new();
    let schema = dir.path.join("items.sql");
    std::fs::write(
        &schema,
        "CREATE TABLE public.items (id bigint PRIMARY KEY, code text);
CREATE UNIQUE INDEX items_code_idx ON public.items (code);
",
    )
    .expect("write schema");
    let schema = schema.display().to_string();
    let plan = schemac(&[
        "plan",
        "--db",
        db.url(),
        "--detailed-exitcode",
        "--format",
        "sql",
        &schema,
    ]);
    assert_eq!(plan.code(), 2, "{}", plan.transcript());
    let script = plan.stdout();
    for expected in [
        "CREATE UNIQUE INDEX CONCURRENTLY items_code_idx_new ON public.items",
        "DROP INDEX CONCURRENTLY public.items_code_idx;",
        "ALTER INDEX public.items_code_idx_new RENAME TO items_code_idx;",
    ] {
        assert!(script.contains(expected), "{expected}\n{script}");
    }
    let apply = schemac(&[
        "apply",
        "--db",
        db.url(),
        "--yes",
        "--allow-hazards",
        "all",
        &schema,
    ]);
    assert_eq!(apply.code(), 0, "{}", apply.transcript());
    assert_eq!(
        db.query("SELECT count(*) FROM pg_index WHERE NOT indisvalid")
            .expect("count"),
        vec!["0".to_string()]
    );
    let after = schemac(&["plan", "--db", db.url(), "--detailed-exitcode", &schema]);
    assert_eq!(after.code(), 0, "{}", after.transcript());
    assert_eq!(
        db.query("SELECT count(*) FROM public.items")
            .expect("count"),
        vec!["3".to_string()]
    );
}

/// A unique index that the schema turns into a UNIQUE constraint of the
/// same name is adopted (`ADD CONSTRAINT ... USING INDEX`): nothing is
/// dropped or rebuilt (before: "relation already exists"), rows stay.
#[test]
fn a_unique_index_becomes_a_constraint_of_the_same_name() {
    let db = TestDb::create();
    db.run_sql(
        "CREATE TABLE public.users (id bigint PRIMARY KEY, email text NOT NULL);
         INSERT INTO public.users SELECT g, 'user' || g FROM generate_series(1, 500) g;
         CREATE UNIQUE INDEX users_email_key ON public.users (email);",
    )
    .expect("seed");
    let dir = TempDir::new();
    let schema = dir.path.join("users.sql");
    std::fs::write(
        &schema,
        "CREATE TABLE public.users (id bigint PRIMARY KEY, email text NOT NULL,
  CONSTRAINT users_email_key UNIQUE (email));
",
    )
    .expect("write schema");
    let schema = schema.display().to_string();
    let plan = schemac(&["plan", "--db", db.url(), "--format", "sql", &schema]);
    assert_eq!(plan.code(), 0, "{}", plan.transcript());
    let script = plan.stdout();
    assert!(
        script.contains(
            "ALTER TABLE public.users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;"
        ),
        "{script}"
    );
    assert!(!script.contains("CREATE UNIQUE INDEX"), "{script}");
    assert!(!script.contains("DROP INDEX"), "{script}");
    let apply = schemac(&["apply", "--db", db.url(), "--yes", &schema]);
    assert_eq!(apply.code(), 0, "{}", apply.transcript());
    assert_eq!(
        db.query("SELECT contype FROM pg_constraint WHERE conname = 'users_email_key'")
            .expect("constraint"),
        vec!["u".to_string()]
    );
    let after = schemac(&["plan", "--db", db.url(), "--detailed-exitcode", &schema]);
    assert_eq!(after.code(), 0, "{}", after.transcript());
    assert_eq!(
        db.query("SELECT count(*) FROM public.users")
            .expect("count"),
        vec!["500".to_string()]
    );
}

/// Privileges on a live database: the database has default privileges of
/// its own (`pg_default_acl`, which PostgreSQL applies to what the plan
/// creates) and the file says the same; a schema's GRANT to a role the
/// file then switches to comes before that role creates in it (pgstac
/// 019 -> 020). One apply, and the next plan is empty.
#[test]
fn privileges_converge_with_the_databases_default_privileges() {
    let db = TestDb::create();
    common::ensure_role_names(
        &TestDb::server_url(),
        &["schemac_acl_live_admin", "schemac_acl_live_reader"],
    )
    .expect("roles");
    db.run_sql(
        "CREATE SCHEMA app;
         ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO schemac_acl_live_reader;
         CREATE TABLE app.a (id bigint);",
    )
    .expect("current schema");
    let dir = TempDir::new();
    let path = dir.path.join("schema.sql");
    std::fs::write(
        &path,
        "CREATE SCHEMA app;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO schemac_acl_live_reader;
CREATE TABLE app.a (id bigint);
CREATE TABLE app.b (id bigint);
GRANT ALL ON SCHEMA app TO schemac_acl_live_admin;
SET ROLE schemac_acl_live_admin;
CREATE TYPE app.mood AS ENUM ('ok');
CREATE TABLE app.owned (id bigint);
RESET ROLE;
GRANT SELECT ON app.owned TO schemac_acl_live_reader;
",
    )
    .expect("write schema");
    let schema = path.display().to_string();
    let apply = schemac(&["apply", "--db", db.url(), "--yes", &schema]);
    assert_eq!(apply.code(), 0, "{}", apply.transcript());
    let after = schemac(&["plan", "--db", db.url(), "--detailed-exitcode", &schema]);
    assert_eq!(after.code(), 0, "{}", after.transcript());
    let acls = db
        .query(
            "SELECT c.relname || ' ' || coalesce(c.relacl::text, '-') FROM pg_class c
             WHERE c.relnamespace = 'app'::regnamespace ORDER BY 1",
        )
        .expect("acls");
    assert!(
        acls.iter()
            .any(|line| line.starts_with("b ") && line.contains("schemac_acl_live_reader=r/")),
        "{acls:?}"
    );
    assert!(
        acls.iter()
            .any(|line| line.starts_with("owned ") && line.contains("schemac_acl_live_reader=r/")),
        "{acls:?}"
    );
}

/// A database whose generated column calls an SQL function written for
/// its own schema's search_path (its body names a sibling function
/// unqualified, as pgstac's do): `inspect` prints it with every name
/// qualified and no path, and PostgreSQL inlines the function when the
/// table is created, so the shadow and apply must run under a path that
/// finds the sibling. Both inspect forms plan empty against the database.
#[test]
fn inspected_sql_functions_relying_on_their_schema_path_plan_empty() {
    let db = TestDb::create();
    db.run_sql(
        "CREATE SCHEMA stac;
         SET search_path TO stac, public;
         CREATE FUNCTION to_hash(doc jsonb) RETURNS text LANGUAGE sql IMMUTABLE
             AS $$ SELECT md5(doc::text) $$;
         CREATE FUNCTION doc_hash(doc jsonb, extra jsonb) RETURNS text LANGUAGE sql IMMUTABLE
             AS $$ SELECT to_hash(doc || coalesce(extra, '{}'::jsonb)) $$;
         CREATE FUNCTION price(jsonb) RETURNS double precision LANGUAGE sql IMMUTABLE STRICT COST 5000
             AS $$ SELECT ($1->>0)::float $$;
         CREATE TABLE searches (
             doc jsonb NOT NULL,
             extra jsonb,
             hash text GENERATED ALWAYS AS (doc_hash(doc, extra)) STORED PRIMARY KEY
         );",
    )
    .expect("seed");
    let dir = TempDir::new();
    for format in ["sql", "schema"] {
        let inspected = schemac(&["inspect", "--db", db.url(), "--format", format]);
        assert_eq!(inspected.code(), 0, "{}", inspected.transcript());
        let path = dir.path.join(format!("inspected.{format}"));
        std::fs::write(&path, inspected.stdout()).expect("write");
        let path = path.to_str().expect("utf-8").to_string();
        let plan = schemac(&["plan", "--db", db.url(), "--detailed-exitcode", &path]);
        assert_eq!(
            plan.code(),
            0,
            "{format}: {}\n--- inspected ---\n{}",
            plan.transcript(),
            inspected.stdout()
        );
    }
}

/// Object kinds outside the Model (a collation, a range type, a text
/// search configuration and its ALTER) are built as written in the
/// shadow, so the table and index using them compare; a collation of
/// another schema is printed qualified, not as one quoted identifier.
#[test]
fn unmodelled_object_kinds_build_in_the_shadow_and_plan_empty() {
    let db = TestDb::create();
    let ddl = "CREATE SCHEMA app;
CREATE COLLATION app.nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TYPE public.floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE TEXT SEARCH CONFIGURATION public.plain_en (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION public.plain_en ALTER MAPPING FOR asciiword WITH simple;
CREATE TABLE app.tag (id integer PRIMARY KEY, name text COLLATE app.nocase NOT NULL, span public.floatrange);
CREATE INDEX tag_fts ON app.tag USING gin (to_tsvector('public.plain_en'::regconfig, name));
";
    db.run_sql(ddl).expect("seed");
    let dir = TempDir::new();
    let path = dir.path.join("schema.sql");
    std::fs::write(&path, ddl).expect("write");
    let path = path.to_str().expect("utf-8").to_string();
    let plan = schemac(&["plan", "--db", db.url(), "--detailed-exitcode", &path]);
    assert_eq!(plan.code(), 0, "{}", plan.transcript());
    assert!(
        plan.stderr()
            .contains("CREATE COLLATION is not modelled by schemac"),
        "{}",
        plan.transcript()
    );
    // A changed collation of the column is planned with the qualified name.
    let changed = ddl.replace("COLLATE app.nocase NOT NULL", "COLLATE \"C\" NOT NULL");
    std::fs::write(&path, &changed).expect("write");
    let plan = schemac(&["plan", "--db", db.url(), "--format", "sql", &path]);
    assert_eq!(plan.code(), 0, "{}", plan.transcript());
    assert!(
        plan.stdout().contains("COLLATE \"C\""),
        "{}",
        plan.transcript()
    );
    let inspected = schemac(&["inspect", "--db", db.url(), "--format", "sql"]);
    assert!(
        inspected.stdout().contains("COLLATE app.nocase"),
        "{}",
        inspected.transcript()
    );
}

/// Views whose query schemac's SQL parser does not read (`ROWS FROM`,
/// `xmlelement(name ...)`, `FROM ONLY`, as pg_dump prints them) are kept
/// as written: PostgreSQL builds them in the shadow, a database holding
/// them plans empty in both inspect forms, and from empty they apply and
/// converge.
#[test]
fn views_the_parser_cannot_read_are_built_as_written() {
    let ddl = "CREATE TABLE public.t (a integer PRIMARY KEY, b text, d jsonb);
CREATE TABLE public.child (c integer) INHERITS (public.t);
CREATE VIEW public.series AS SELECT g.x, g.y FROM ROWS FROM (generate_series(1, 2), generate_series(1, 3)) g(x, y);
CREATE VIEW public.tagged AS SELECT xmlelement(name item, t.b) AS xe FROM public.t;
CREATE VIEW public.parents_only AS SELECT t.a FROM ONLY public.t;
CREATE VIEW public.on_top AS SELECT parents_only.a FROM public.parents_only;
";
    let db = TestDb::create();
    let dir = TempDir::new();
    let path = dir.path.join("schema.sql");
    std::fs::write(&path, ddl).expect("write");
    let path = path.to_str().expect("utf-8").to_string();
    let check = schemac(&["check", &path]);
    assert!(
        check
            .transcript()
            .contains("the query of view public.series uses a form"),
        "{}",
        check.transcript()
    );
    let apply = schemac(&["apply", "--db", db.url(), "--yes", &path]);
    assert_eq!(apply.code(), 0, "{}", apply.transcript());
    let again = schemac(&["plan", "--db", db.url(), "--detailed-exitcode", &path]);
    assert_eq!(again.code(), 0, "{}", again.transcript());
    for format in ["sql", "schema"] {
        let inspected = schemac(&["inspect", "--db", db.url(), "--format", format]);
        assert_eq!(inspected.code(), 0, "{}", inspected.transcript());
        let printed = dir.path.join(format!("inspected.{format}"));
        std::fs::write(&printed, inspected.stdout()).expect("write");
        let printed = printed.to_str().expect("utf-8").to_string();
        let plan = schemac(&["plan", "--db", db.url(), "--detailed-exitcode", &printed]);
        assert_eq!(plan.code(), 0, "{format}: {}", plan.transcript());
    }
    // A changed query of such a view is planned (as a replacement).
    std::fs::write(
        &path,
        ddl.replace("generate_series(1, 3)", "generate_series(1, 4)"),
    )
    .expect("write");
    let changed = schemac(&["plan", "--db", db.url(), "--format", "sql", &path]);
    assert_eq!(changed.code(), 0, "{}", changed.transcript());
    assert!(
        changed.stdout().contains("generate_series(1, 4)"),
        "{}",
        changed.transcript()
    );
}
