//! Shared helpers of the integration tests: the fixture corpus
//! (`tests/fixtures/<case>/`), loading schema sources into a Model with
//! readable failures, and [`TestDb`], a throwaway database on a live
//! PostgreSQL server.
//!
//! Invariants:
//! - Every [`TestDb`] has a unique name (`schemac_test_<pid>_<counter>_<nanos>`)
//!   and is dropped `WITH (FORCE)` when the value is dropped, so tests never
//!   share state and never leave databases behind (unless the process aborts).
//! - SQL scripts run through `psql -v ON_ERROR_STOP=1 -X -q`, exactly as a user
//!   would run `schemac plan --format sql | psql`: plan SQL contains
//!   `BEGIN`/`COMMIT` and non-transactional statements (`CREATE INDEX
//!   CONCURRENTLY`), which only a script runner handles faithfully.
//! - Passwords in connection URLs never appear in messages ([`redact`]).
//!
//! Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

pub mod run;

use schemac::diagnostics::{render_text, Diagnostic};
use schemac::frontend;
use schemac::model::Model;
use schemac::source::SourceSet;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

/// Default server for live tests: the local PostgreSQL 15 cluster.
pub const DEFAULT_DATABASE_URL: &str = "postgresql://postgres@127.0.0.1:5432/postgres";

/// The crate root (where Cargo.toml lives).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ---------------------------------------------------------------------------
// Fixture corpus
// ---------------------------------------------------------------------------

/// One fixture case: `tests/fixtures/<name>/{from,to}.{schema,sql}` and
/// `case.toml`.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub dir: PathBuf,
    /// The current schema; `None` (no `from.*`) means the empty database.
    pub from: Option<SchemaPath>,
    pub to: SchemaPath,
    pub meta: CaseMeta,
}

/// A side of a case: the path used for planning, plus a second spelling of
/// the same schema when both `x.schema` and `x.sql` exist (the frontend
/// round-trip test requires both to give equal Models).
#[derive(Debug, Clone)]
pub struct SchemaPath {
    pub primary: PathBuf,
    pub alternate: Option<PathBuf>,
}

/// The contents of `case.toml`.
#[derive(Debug, Clone, Default)]
pub struct CaseMeta {
    pub description: String,
    /// Hazard ids the plan `from -> to` must raise (exactly this set).
    pub hazards: BTreeSet<String>,
    /// `[live] skip = "reason"`: the case cannot run on plain PostgreSQL.
    pub live_skip: Option<String>,
}

/// Every case under `tests/fixtures/`, sorted by name. Problems with the
/// corpus itself (no `to`, unreadable or malformed `case.toml`) are
/// returned as `Err` entries so a harness reports them with the others.
/// `SCHEMAC_TEST_FIXTURES=a,b` narrows the cases to those names (for a
/// quick local run of the live harnesses; unset in CI).
pub fn fixture_cases() -> Vec<Result<Case, (String, String)>> {
    let only: Option<Vec<String>> = std::env::var("SCHEMAC_TEST_FIXTURES").ok().map(|names| {
        names
            .split(',')
            .map(|name| name.trim().to_string())
            .collect()
    });
    let fixtures = root().join("tests").join("fixtures");
    let mut dirs: Vec<PathBuf> = match std::fs::read_dir(&fixtures) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.is_dir())
            .collect(),
        Err(_) => Vec::new(),
    };
    dirs.sort();
    if let Some(only) = &only {
        dirs.retain(|dir| {
            dir.file_name()
                .is_some_and(|name| only.iter().any(|wanted| name == wanted.as_str()))
        });
    }
    dirs.into_iter().map(|dir| read_case(&dir)).collect()
}

fn read_case(dir: &Path) -> Result<Case, (String, String)> {
    let name = dir
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let fail = |message: String| (name.clone(), message);
    let to = schema_path(dir, "to").ok_or_else(|| {
        fail(format!(
            "{} has no to.schema, to.sql or to/ directory",
            dir.display()
        ))
    })?;
    let from = schema_path(dir, "from");
    let meta_path = dir.join("case.toml");
    let meta = if meta_path.exists() {
        let text = std::fs::read_to_string(&meta_path)
            .map_err(|err| fail(format!("cannot read {}: {err}", meta_path.display())))?;
        parse_case_meta(&text).map_err(|err| fail(format!("{}: {err}", meta_path.display())))?
    } else {
        CaseMeta::default()
    };
    Ok(Case {
        name,
        dir: dir.to_path_buf(),
        from,
        to,
        meta,
    })
}

/// `<stem>.schema`, `<stem>.sql` or a `<stem>/` directory. When both files
/// exist the `.schema` one is primary.
pub fn schema_path(dir: &Path, stem: &str) -> Option<SchemaPath> {
    let schema = dir.join(format!("{stem}.schema"));
    let sql = dir.join(format!("{stem}.sql"));
    let subdir = dir.join(stem);
    match (schema.is_file(), sql.is_file()) {
        (true, true) => Some(SchemaPath {
            primary: schema,
            alternate: Some(sql),
        }),
        (true, false) => Some(SchemaPath {
            primary: schema,
            alternate: None,
        }),
        (false, true) => Some(SchemaPath {
            primary: sql,
            alternate: None,
        }),
        (false, false) if subdir.is_dir() => Some(SchemaPath {
            primary: subdir,
            alternate: None,
        }),
        (false, false) => None,
    }
}

/// Parses `case.toml`. Hazard ids must be ones `schemac` knows.
pub fn parse_case_meta(text: &str) -> Result<CaseMeta, String> {
    let table: toml::Table = toml::from_str(text).map_err(|err| err.to_string())?;
    let mut meta = CaseMeta::default();
    if let Some(value) = table.get("description") {
        meta.description = value
            .as_str()
            .ok_or("`description` must be a string")?
            .to_string();
    }
    if let Some(value) = table.get("hazards") {
        let list = value
            .as_array()
            .ok_or("`hazards` must be an array of hazard ids")?;
        for item in list {
            let id = item.as_str().ok_or("`hazards` must hold strings")?;
            if schemac::plan::Hazard::from_id(id).is_none() {
                let known: Vec<&str> = schemac::plan::Hazard::ALL
                    .iter()
                    .map(|hazard| hazard.id())
                    .collect();
                return Err(format!(
                    "unknown hazard `{id}` (known: {})",
                    known.join(", ")
                ));
            }
            meta.hazards.insert(id.to_string());
        }
    }
    if let Some(live) = table.get("live") {
        let live = live.as_table().ok_or("`[live]` must be a table")?;
        if let Some(skip) = live.get("skip") {
            let reason = skip
                .as_str()
                .ok_or("`[live] skip` must be a string giving the reason")?;
            if reason.trim().is_empty() {
                return Err("`[live] skip` needs a non-empty reason".into());
            }
            meta.live_skip = Some(reason.to_string());
        }
    }
    Ok(meta)
}

// ---------------------------------------------------------------------------
// Loading schemas
// ---------------------------------------------------------------------------

/// Loads schema sources (files or directories) through the frontends and
/// validation. `Err` carries every error diagnostic, rendered without
/// colour; warnings are not failures.
pub fn load_model(paths: &[PathBuf]) -> Result<Model, String> {
    let sources = SourceSet::load(paths).map_err(|err| {
        format!(
            "cannot read {}: {err}",
            paths
                .iter()
                .map(|path| path.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    load_sources(&sources)
}

/// [`load_model`] for sources already in memory.
pub fn load_sources(sources: &SourceSet) -> Result<Model, String> {
    let parsed = frontend::load(sources);
    let mut errors: Vec<Diagnostic> = parsed
        .diagnostics
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    if errors.is_empty() {
        errors.extend(
            schemac::model::validate::validate(&parsed.value)
                .into_iter()
                .filter(Diagnostic::is_error),
        );
    }
    if errors.is_empty() {
        Ok(parsed.value)
    } else {
        Err(render_text(&errors, sources, false))
    }
}

/// Loads one side of a case (`None` is the empty Model).
pub fn load_side(side: Option<&SchemaPath>) -> Result<Model, String> {
    match side {
        Some(side) => load_model(std::slice::from_ref(&side.primary)),
        None => Ok(Model::default()),
    }
}

/// Subdirectories of `examples/`, sorted; each holds `v1/`, `v2/`, ...
pub fn examples() -> Vec<(String, Vec<PathBuf>)> {
    let mut res = Vec::new();
    for dir in sorted_subdirs(&root().join("examples")) {
        let name = dir
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut versions: Vec<(u32, PathBuf)> = sorted_subdirs(&dir)
            .into_iter()
            .filter_map(|version| {
                let file_name = version.file_name()?.to_str()?.to_string();
                let number = file_name.strip_prefix('v')?.parse::<u32>().ok()?;
                Some((number, version))
            })
            .collect();
        versions.sort();
        res.push((name, versions.into_iter().map(|(_, path)| path).collect()));
    }
    res
}

pub fn sorted_subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut res: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.is_dir())
            .collect(),
        Err(_) => Vec::new(),
    };
    res.sort();
    res
}

/// Every file under `dir` (recursively) whose name ends in `.ext`, sorted.
pub fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut res = Vec::new();
    collect_files(dir, ext, &mut res);
    res.sort();
    res
}

fn collect_files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, ext, out);
        } else if path.extension().is_some_and(|found| found == ext) {
            out.push(path);
        }
    }
}

/// A path relative to the crate root, for messages.
pub fn rel(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Collects failures of a data-driven test and reports all of them at the
/// end, instead of stopping at the first.
#[derive(Debug, Default)]
pub struct Failures {
    items: Vec<(String, String)>,
    checked: usize,
}

impl Failures {
    pub fn checked(&mut self) {
        self.checked += 1;
    }

    pub fn add(&mut self, what: impl Into<String>, message: impl Into<String>) {
        self.items.push((what.into(), message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Panics with every failure when there is at least one.
    pub fn assert_none(self, title: &str) {
        if self.items.is_empty() {
            return;
        }
        let mut report = format!(
            "{title}: {} failure(s) in {} check(s)\n",
            self.items.len(),
            self.checked
        );
        for (what, message) in &self.items {
            report.push_str(&format!("\n=== {what} ===\n{}\n", message.trim_end()));
        }
        panic!("{report}");
    }
}

// ---------------------------------------------------------------------------
// Live PostgreSQL
// ---------------------------------------------------------------------------

static DB_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A throwaway database, dropped (`WITH (FORCE)`) on `Drop`.
#[derive(Debug)]
pub struct TestDb {
    name: String,
    url: String,
    admin_url: String,
}

impl TestDb {
    /// The server URL: `SCHEMAC_TEST_DATABASE_URL` or [`DEFAULT_DATABASE_URL`].
    pub fn server_url() -> String {
        std::env::var("SCHEMAC_TEST_DATABASE_URL")
            .ok()
            .filter(|url| !url.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string())
    }

    /// Creates a uniquely named database. Panics, saying how to start a
    /// server, when none answers.
    pub fn create() -> TestDb {
        require_psql();
        let admin_url = TestDb::server_url();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "schemac_test_{}_{}_{}",
            std::process::id(),
            DB_COUNTER.fetch_add(1, Ordering::SeqCst),
            nanos
        );
        if let Err(err) = psql(&admin_url, "SELECT 1") {
            panic!(
                "no PostgreSQL server answers at {}: {err}\n\
                 Start the local one with `pg_ctlcluster --skip-systemctl-redirect 15 main start`, \
                 or point SCHEMAC_TEST_DATABASE_URL at a server where this user may CREATE DATABASE.",
                redact(&admin_url)
            );
        }
        if let Err(err) = psql(&admin_url, &format!("CREATE DATABASE \"{name}\"")) {
            panic!("cannot create test database {name}: {err}");
        }
        let url = with_database(&admin_url, &name);
        TestDb {
            name,
            url,
            admin_url,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Connection URL of this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Runs an SQL script as `psql -v ON_ERROR_STOP=1` would. `Err` carries
    /// psql's message and the numbered lines of the script around the
    /// failing statement.
    pub fn run_sql(&self, sql: &str) -> Result<(), String> {
        psql(&self.url, sql).map_err(|err| format!("{err}\n{}", script_excerpt(sql, &err)))
    }

    /// Runs an SQL file with `psql -f`.
    pub fn run_sql_file(&self, path: &Path) -> Result<(), String> {
        let output = psql_command(&self.url)
            .arg("-f")
            .arg(path)
            .stdin(Stdio::null())
            .output()
            .map_err(|err| format!("cannot run psql: {err}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "psql -f {} failed: {}",
                path.display(),
                String::from_utf8_lossy(&output.stderr).trim_end()
            ))
        }
    }

    /// Runs a query and returns its rows, one string per row with fields
    /// separated by `|` (`psql -At`).
    pub fn query(&self, sql: &str) -> Result<Vec<String>, String> {
        query(&self.url, sql)
    }

    /// Creates the cluster-wide roles a schema refers to, if missing: the
    /// declared ones (`role x`) and those named in policies and granted
    /// privileges (a `.sql` schema cannot declare them).
    pub fn ensure_roles(&self, model: &Model) -> Result<(), String> {
        let mut names: BTreeSet<&str> = model.roles.keys().map(|role| role.as_str()).collect();
        for table in model.tables.values() {
            for policy in table.policies.values() {
                names.extend(policy.roles.iter().map(|role| role.as_str()));
            }
        }
        for acl in model
            .privileges
            .values()
            .chain(model.default_privileges.values())
        {
            for (grantee, _) in acl.keys() {
                if let schemac::model::Grantee::Role(role) = grantee {
                    names.insert(role.as_str());
                }
            }
        }
        names.extend(
            model
                .default_privileges
                .keys()
                .filter_map(|key| key.role.as_ref().map(|role| role.as_str())),
        );
        let names: Vec<&str> = names.into_iter().collect();
        ensure_role_names(&self.url, &names)
    }
}

impl Drop for TestDb {
    /// Drops the database and the shadow schemac keeps for it (created by
    /// the first `plan --db` or `apply` against it).
    fn drop(&mut self) {
        let kept = schemac::live::shadow::kept_name(&self.name);
        for name in [&self.name, &kept] {
            let sql = format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                name.replace('"', "\"\"")
            );
            if let Err(err) = psql(&self.admin_url, &sql) {
                eprintln!("warning: could not drop test database {name}: {err}");
            }
        }
    }
}

/// `CREATE ROLE` for each name that does not exist yet. Safe to race with
/// other test processes creating the same role.
pub fn ensure_role_names(url: &str, names: &[&str]) -> Result<(), String> {
    let builtin = schemac::model::BUILTIN_ROLES;
    let mut script = String::new();
    for name in names {
        if builtin.contains(name) || name.starts_with("pg_") {
            continue;
        }
        let literal = name.replace('\'', "''");
        let ident = name.replace('"', "\"\"");
        script.push_str(&format!(
            "DO $schemac$ BEGIN\n\
             IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{literal}') THEN\n\
             CREATE ROLE \"{ident}\";\n\
             END IF;\n\
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;\n\
             END $schemac$;\n"
        ));
    }
    if script.is_empty() {
        return Ok(());
    }
    psql(url, &script)
}

/// Panics with an actionable message when `psql` is not installed.
pub fn require_psql() {
    let found = Command::new("psql")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !found {
        panic!(
            "the live tests run SQL scripts with `psql`, which is not on PATH; \
             install the PostgreSQL client (e.g. `apt-get install postgresql-client`)"
        );
    }
}

/// Runs a script on `url`; `Err` carries psql's stderr.
/// Runs a query against `url` and returns its rows, one string per row
/// with fields separated by `|` (`psql -At`).
pub fn query(url: &str, sql: &str) -> Result<Vec<String>, String> {
    let output = run_psql(url, sql, &["-A", "-t"])?;
    Ok(output.lines().map(str::to_string).collect())
}

pub fn psql(url: &str, sql: &str) -> Result<(), String> {
    run_psql(url, sql, &[]).map(|_| ())
}

fn psql_command(url: &str) -> Command {
    let mut command = Command::new("psql");
    command
        .args(["-v", "ON_ERROR_STOP=1", "-X", "-q", "-w", "-d", url])
        .env("PGCONNECT_TIMEOUT", "5")
        .env("PGAPPNAME", "schemac-tests");
    command
}

fn run_psql(url: &str, sql: &str, extra: &[&str]) -> Result<String, String> {
    let mut child = psql_command(url)
        .args(extra)
        .args(["-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("cannot run psql: {err}"))?;
    // Write from a thread so a large script cannot deadlock against psql's
    // own output.
    let mut stdin = child
        .stdin
        .take()
        .expect("invariant: stdin was requested as piped");
    let script = sql.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(script.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|err| format!("psql did not finish: {err}"))?;
    let written = writer.join();
    if output.status.success() {
        if let Ok(Err(err)) = written {
            return Err(format!("cannot send the script to psql: {err}"));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(redact(String::from_utf8_lossy(&output.stderr).trim_end()))
    }
}

/// The URL with its database replaced by `database`.
pub fn with_database(url: &str, database: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(idx) => url.split_at(idx + 3),
        None => ("", url),
    };
    let (before_query, query) = match rest.find('?') {
        Some(idx) => rest.split_at(idx),
        None => (rest, ""),
    };
    let authority = match before_query.find('/') {
        Some(idx) => &before_query[..idx],
        None => before_query,
    };
    format!("{scheme}{authority}/{database}{query}")
}

/// Replaces the password of a `scheme://user:password@host` URL by `***`.
pub fn redact(text: &str) -> String {
    let mut res = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(idx) = rest.find("://") {
        let (head, tail) = rest.split_at(idx + 3);
        res.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || c == '/' || c == '"' || c == '\'')
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match (authority.find(':'), authority.rfind('@')) {
            (Some(colon), Some(at)) if colon < at => {
                res.push_str(&authority[..colon]);
                res.push_str(":***");
                res.push_str(&authority[at..]);
            }
            _ => res.push_str(authority),
        }
        rest = &tail[end..];
    }
    res.push_str(rest);
    res
}

/// The script with line numbers, as psql reports errors by line.
pub fn numbered(sql: &str) -> String {
    sql.lines()
        .enumerate()
        .map(|(idx, line)| format!("{:>4} | {line}\n", idx + 1))
        .collect()
}

/// The numbered lines around the line psql's error names
/// (`psql:<stdin>:LINE: ERROR: ...`), or the whole script when it names none.
pub fn script_excerpt(sql: &str, psql_error: &str) -> String {
    let line = psql_error
        .split("psql:<stdin>:")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|number| number.parse::<usize>().ok());
    let n_lines = sql.lines().count();
    match line {
        Some(line) if n_lines > 40 => {
            let first = line.saturating_sub(15).max(1);
            let last = (line + 3).min(n_lines);
            let body: String = sql
                .lines()
                .enumerate()
                .skip(first - 1)
                .take(last + 1 - first)
                .map(|(idx, text)| {
                    let marker = if idx + 1 == line { '>' } else { ' ' };
                    format!("{marker}{:>4} | {text}\n", idx + 1)
                })
                .collect();
            format!("--- script lines {first}-{last} of {n_lines} ---\n{body}")
        }
        _ => format!("--- script ---\n{}", numbered(sql)),
    }
}

/// Printed even when the test harness captures output.
pub fn note(message: &str) {
    let _ = writeln!(std::io::stderr(), "note: {message}");
}

pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|text| text.to_string()))
        .unwrap_or_else(|| "panicked".to_string())
}
