//! `schemac lsp` driven over stdio as an editor drives it: real LSP
//! messages (initialize, didOpen, didChange, publishDiagnostics, hover,
//! codeAction, formatting, shutdown, exit) to the built binary, and the
//! answers checked: diagnostics carry the rule ids and positions that
//! `schemac check --format gcc` prints (converted to LSP's UTF-16 columns
//! on lines with non-ASCII text), the quick fix silences its finding,
//! formatting gives `schemac fmt`'s text, hovers show the definition and
//! the plan steps from the configured current schema or database for
//! every kind of object (views with their output columns from the
//! database, functions with signature, language and volatility, types,
//! sequences, triggers, rules, statistics, schemas, extensions), and the
//! exit code is 0 after shutdown, 1 without.

mod common;

use common::TestDb;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

/// How long any single answer may take before the test fails.
const TIMEOUT: Duration = Duration::from_secs(60);

static DIR_COUNTER: AtomicU32 = AtomicU32::new(0);

/// A scratch workspace, removed on drop.
struct Workspace {
    path: PathBuf,
}

impl Workspace {
    fn new(files: &[(&str, &str)]) -> Workspace {
        let path = std::env::temp_dir().join(format!(
            "schemac_lsp_{}_{}",
            std::process::id(),
            DIR_COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&path);
        for (name, text) in files {
            let file = path.join(name);
            std::fs::create_dir_all(file.parent().expect("parent")).expect("scratch dir");
            std::fs::write(file, text).expect("scratch file");
        }
        Workspace { path }
    }

    fn uri(&self, name: &str) -> String {
        format!("file://{}", self.path.join(name).display())
    }

    fn schemac(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_schemac"))
            .args(args)
            .current_dir(&self.path)
            .env_remove("DATABASE_URL")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .expect("run schemac")
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// An editor's side of the connection.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    next_id: i64,
    /// Notifications read while waiting for something else.
    seen: Vec<Value>,
}

impl Client {
    /// Starts `schemac lsp ARGS` in `root` and initializes it.
    fn start(root: &Path, args: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_schemac"))
            .arg("lsp")
            .args(args)
            .current_dir(root)
            .env_remove("DATABASE_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start schemac lsp");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Client {
            stdin: child.stdin.take(),
            child,
            messages,
            next_id: 1,
            seen: Vec::new(),
        };
        let root_uri = format!("file://{}", root.display());
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "workspaceFolders": [{"uri": root_uri, "name": "test"}],
                "capabilities": {"general": {"positionEncodings": ["utf-16"]}},
            }),
        );
        let capabilities = &result["capabilities"];
        assert_eq!(capabilities["positionEncoding"], "utf-16", "{result}");
        assert_eq!(capabilities["hoverProvider"], true, "{result}");
        assert_eq!(capabilities["documentFormattingProvider"], true, "{result}");
        assert!(capabilities["codeActionProvider"].is_object(), "{result}");
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn next(&mut self) -> Value {
        self.messages
            .recv_timeout(TIMEOUT)
            .unwrap_or_else(|err| panic!("no message from schemac lsp within {TIMEOUT:?}: {err}"))
    }

    /// Sends a request and returns its result (panics on an error answer).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.next();
            if message["id"] == json!(id) && message.get("method").is_none() {
                assert!(message.get("error").is_none(), "{method} failed: {message}");
                return message["result"].clone();
            }
            self.seen.push(message);
        }
    }

    /// The diagnostics published for version `version` of `uri`.
    fn diagnostics(&mut self, uri: &str, version: i32) -> Vec<Value> {
        let is_for = |message: &Value| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
                && message["params"]["version"] == json!(version)
        };
        if let Some(idx) = self.seen.iter().position(is_for) {
            let message = self.seen.remove(idx);
            return message["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
        }
        loop {
            let message = self.next();
            if is_for(&message) {
                return message["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
            self.seen.push(message);
        }
    }

    fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}],
            }),
        );
    }

    fn hover(&mut self, uri: &str, text: &str, needle: &str) -> String {
        let position = position_of(text, text.find(needle).expect("needle in text"));
        let result = self.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position}),
        );
        result["contents"]["value"]
            .as_str()
            .unwrap_or_else(|| panic!("no hover at {needle:?}: {result}"))
            .to_string()
    }

    /// shutdown, exit, and the process ends with success.
    fn shut_down(mut self) {
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Value::Null);
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        let status = self.wait();
        assert!(status.success(), "schemac lsp exited with {status}");
    }

    /// The exit status, once the process has ended.
    fn wait(&mut self) -> std::process::ExitStatus {
        let deadline = std::time::Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "schemac lsp did not exit"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A failed test must not leave the server running.
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One message: `Content-Length` header, blank line, JSON body.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The LSP position (line, UTF-16 column) of a byte offset, computed here
/// independently of the server.
fn position_of(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |idx| idx + 1);
    let character = text[line_start..offset].encode_utf16().count();
    json!({"line": line, "character": character})
}

/// The LSP position of a 1-based line and character column as `check
/// --format gcc` prints them.
fn position_of_line_col(text: &str, line: usize, col: usize) -> Value {
    let line_text = text.split('\n').nth(line - 1).expect("line in text");
    let character: usize = line_text.chars().take(col - 1).map(char::len_utf16).sum();
    json!({"line": line - 1, "character": character})
}

/// `(code, start position)` of `check --format gcc`'s findings in `file`.
fn gcc_findings(output: &str, file: &str, text: &str) -> BTreeSet<(String, String)> {
    output
        .lines()
        .filter_map(|line| {
            let (location, rest) = line.split_once(": ")?;
            let mut parts = location.rsplitn(3, ':');
            let col: usize = parts.next()?.parse().ok()?;
            let line_no: usize = parts.next()?.parse().ok()?;
            let path = parts.next()?;
            if !path.ends_with(file) {
                return None;
            }
            let code = rest.split_once('[')?.1.split_once(']')?.0;
            Some((
                code.to_string(),
                position_of_line_col(text, line_no, col).to_string(),
            ))
        })
        .collect()
}

fn lsp_findings(diagnostics: &[Value]) -> BTreeSet<(String, String)> {
    diagnostics
        .iter()
        .map(|diagnostic| {
            assert_eq!(diagnostic["source"], "schemac", "{diagnostic}");
            (
                diagnostic["code"].as_str().expect("code").to_string(),
                diagnostic["range"]["start"].to_string(),
            )
        })
        .collect()
}

fn codes(diagnostics: &[Value]) -> BTreeSet<String> {
    diagnostics
        .iter()
        .map(|diagnostic| diagnostic["code"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Applies LSP text edits (non-overlapping) to a text.
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let offset = |position: &Value| {
        let line = position["line"].as_u64().expect("line") as usize;
        let character = position["character"].as_u64().expect("character") as usize;
        let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (idx, ch) in text[line_start..].char_indices() {
            if units >= character || ch == '\n' {
                return line_start + idx;
            }
            units += ch.len_utf16();
        }
        text.len()
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|edit| {
            (
                offset(&edit["range"]["start"]),
                offset(&edit["range"]["end"]),
                edit["newText"].as_str().expect("newText"),
            )
        })
        .collect();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.0));
    let mut res = text.to_string();
    for (start, end, new_text) in edits {
        res.replace_range(start..end, new_text);
    }
    res
}

const CONFIG: &str = "paths = [\"schema\"]\n\n[lsp]\nfrom = [\"deployed.schema\"]\n";

/// Comments and names with characters outside the BMP (two UTF-16 units,
/// four bytes) before the findings on the same line.
const APP_SCHEMA: &str = "// Accounts — “café” ☕ 𝄞
table accounts {
  id       bigint primary key generated always as identity
  email    text   not null
  /* 𝄞𝄞 */ settings json
  index accounts_email (email)
  index accounts_created (created_at)
  created_at timestamptz not null default now()
}
";

const EVENTS_SQL: &str = "-- Ereignisse: 𝄞 ünïcødé
CREATE TABLE \"ereignis_𝄞\" (id bigint PRIMARY KEY, payload json, at timestamp);
";

/// The current schema: the table without its indexes.
const DEPLOYED: &str = "table accounts {
  id       bigint primary key generated always as identity
  email    text   not null
  settings json
  created_at timestamptz not null default now()
}
";

#[test]
fn lsp_diagnostics_fixes_hover_and_formatting_over_stdio() {
    let workspace = Workspace::new(&[
        ("schemac.toml", CONFIG),
        ("schema/app.schema", APP_SCHEMA),
        ("schema/events.sql", EVENTS_SQL),
        ("deployed.schema", DEPLOYED),
    ]);
    let check = workspace.schemac(&["check", "--format", "gcc", "--from", "deployed.schema"]);
    let gcc = String::from_utf8_lossy(&check.stdout).to_string();
    let app_uri = workspace.uri("schema/app.schema");
    let events_uri = workspace.uri("schema/events.sql");

    let mut client = Client::start(&workspace.path, &[]);

    // didOpen: the findings of `check`, at the same positions.
    client.open(&app_uri, "schemac", APP_SCHEMA);
    let app = client.diagnostics(&app_uri, 1);
    let expected = gcc_findings(&gcc, "app.schema", APP_SCHEMA);
    assert!(
        codes(&app).contains("json-type"),
        "app.schema: {app:#?}\ncheck printed:\n{gcc}"
    );
    assert_eq!(lsp_findings(&app), expected, "check printed:\n{gcc}");
    client.open(&events_uri, "sql", EVENTS_SQL);
    let events = client.diagnostics(&events_uri, 1);
    let expected = gcc_findings(&gcc, "events.sql", EVENTS_SQL);
    assert!(codes(&events).contains("json-type"), "{events:#?}");
    assert_eq!(lsp_findings(&events), expected, "check printed:\n{gcc}");
    // The json column of the schema file sits after two four-byte
    // characters: its column is counted in UTF-16 units (12), not in
    // characters (10) or bytes (18).
    let json_finding = app
        .iter()
        .find(|diagnostic| diagnostic["code"] == "json-type")
        .expect("json-type");
    assert_eq!(
        json_finding["range"]["start"],
        json!({"line": 4, "character": "  /* 𝄞𝄞 */ ".encode_utf16().count()}),
        "{json_finding}"
    );

    // didChange: a syntax error is reported where the text breaks, and
    // goes away when the text is fixed.
    let broken = APP_SCHEMA.replace("email    text   not null", "email    text   not null )");
    client.change(&app_uri, 2, &broken);
    let diagnostics = client.diagnostics(&app_uri, 2);
    let syntax = diagnostics
        .iter()
        .find(|diagnostic| diagnostic["severity"] == 1)
        .unwrap_or_else(|| panic!("an error after the edit: {diagnostics:#?}"));
    assert_eq!(syntax["range"]["start"]["line"], 3, "{syntax}");
    client.change(&app_uri, 3, APP_SCHEMA);
    let app = client.diagnostics(&app_uri, 3);
    assert!(
        app.iter().all(|diagnostic| diagnostic["severity"] != 1),
        "{app:#?}"
    );

    // codeAction: the quick fix inserts a suppression that silences the
    // finding (and is itself used, so no unused-suppression).
    let json_finding = app
        .iter()
        .find(|diagnostic| diagnostic["code"] == "json-type")
        .expect("json-type")
        .clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": app_uri},
            "range": json_finding["range"],
            "context": {"diagnostics": [json_finding]},
        }),
    );
    let actions = actions.as_array().expect("actions");
    let here = actions
        .iter()
        .find(|action| {
            action["title"]
                .as_str()
                .is_some_and(|title| title.contains("json-type here"))
        })
        .unwrap_or_else(|| panic!("a suppression quick fix: {actions:#?}"));
    assert_eq!(here["kind"], "quickfix");
    let edits = here["edit"]["changes"][&app_uri]
        .as_array()
        .expect("edits")
        .clone();
    let suppressed = apply_edits(APP_SCHEMA, &edits);
    assert!(
        suppressed.contains("  // schemac:allow json-type\n  /* 𝄞𝄞 */ settings json"),
        "{suppressed}"
    );
    client.change(&app_uri, 4, &suppressed);
    let after = codes(&client.diagnostics(&app_uri, 4));
    assert!(!after.contains("json-type"), "{after:?}");
    assert!(!after.contains("unused-suppression"), "{after:?}");
    client.change(&app_uri, 5, APP_SCHEMA);
    client.diagnostics(&app_uri, 5);

    // hover: the definition, and the plan steps from deployed.schema with
    // their locks.
    let hover = client.hover(&app_uri, APP_SCHEMA, "accounts_email");
    assert!(
        hover.contains("index public.accounts.accounts_email"),
        "{hover}"
    );
    assert!(
        hover.contains("CREATE INDEX accounts_email ON public.accounts USING btree (email)"),
        "{hover}"
    );
    assert!(hover.contains("from deployed.schema"), "{hover}");
    assert!(
        hover.contains("SHARE UPDATE EXCLUSIVE on public.accounts"),
        "{hover}"
    );
    assert!(hover.contains("outside a transaction"), "{hover}");
    let hover = client.hover(&app_uri, APP_SCHEMA, "settings json");
    assert!(hover.contains("column public.accounts.settings"), "{hover}");
    assert!(hover.contains("settings json"), "{hover}");
    assert!(hover.contains("no step touches it"), "{hover}");
    let hover = client.hover(&app_uri, APP_SCHEMA, "table accounts");
    assert!(
        hover.contains("CREATE TABLE public.accounts (\n"),
        "{hover}"
    );
    // The first step creates the table of events.sql.
    assert!(hover.contains("2 of 3 step(s) touch it"), "{hover}");

    // formatting: `schemac fmt`'s text.
    let messy = APP_SCHEMA.replace("  email    text   not null", "     email text     not null");
    client.change(&app_uri, 6, &messy);
    client.diagnostics(&app_uri, 6);
    let edits = client.request(
        "textDocument/formatting",
        json!({
            "textDocument": {"uri": app_uri},
            "options": {"tabSize": 2, "insertSpaces": true},
        }),
    );
    let formatted = apply_edits(&messy, edits.as_array().expect("edits"));
    let fmt = workspace.schemac(&["fmt", "schema/app.schema"]);
    assert!(fmt.status.success(), "{fmt:?}");
    assert_eq!(formatted, String::from_utf8_lossy(&fmt.stdout));
    // SQL files are left alone.
    let edits = client.request(
        "textDocument/formatting",
        json!({
            "textDocument": {"uri": events_uri},
            "options": {"tabSize": 2, "insertSpaces": true},
        }),
    );
    assert_eq!(edits, Value::Null);

    client.shut_down();
}

#[test]
fn lsp_hover_shows_the_plan_against_a_database() {
    let db = TestDb::create();
    db.run_sql(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);\n\
         INSERT INTO accounts SELECT g, 'a' || g FROM generate_series(1, 100) g;\n\
         ANALYZE accounts;\n\
         CREATE VIEW account_emails AS SELECT id, email FROM accounts;",
    )
    .expect("seed the database");
    let schema = "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);\n\
                  CREATE INDEX accounts_email ON accounts (email);\n\
                  CREATE VIEW account_emails AS SELECT id, email FROM accounts;\n";
    let workspace = Workspace::new(&[("schema.sql", schema)]);
    let uri = workspace.uri("schema.sql");
    let mut client = Client::start(&workspace.path, &["--db", db.url()]);
    client.open(&uri, "sql", schema);
    client.diagnostics(&uri, 1);
    let hover = client.hover(&uri, schema, "INDEX accounts_email");
    assert!(hover.contains("against the database"), "{hover}");
    assert!(hover.contains("create index"), "{hover}");
    assert!(
        hover.contains("SHARE UPDATE EXCLUSIVE on public.accounts"),
        "{hover}"
    );
    // A view: its output columns as the database has them.
    let hover = client.hover(&uri, schema, "VIEW account_emails");
    assert!(
        hover.contains("output columns (as the database has the view): `id bigint`, `email text`"),
        "{hover}"
    );
    assert!(hover.contains("no step touches it"), "{hover}");
    // The database was only read.
    let indexes = db
        .query("SELECT count(*) FROM pg_indexes WHERE tablename = 'accounts'")
        .expect("query");
    assert_eq!(indexes, vec!["1".to_string()]);
    client.shut_down();
}

/// Every kind of object the Model holds, for hovers beyond tables.
const OBJECTS_SCHEMA: &str = "schema app
extension pgcrypto
enum mood { happy, sad }
domain email text not null check (value ~* '^[^@]+@[^@]+$')
type address (street text, zip integer)
sequence invoice_number as bigint start 1000 cache 10

function set_updated_at() returns trigger language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end
$$
function add_one(n integer) returns integer language sql immutable strict as $$ select n + 1 $$
procedure app.archive(in before_date date) language sql security definer as $$ delete from notes where created_at < before_date $$

view recent_notes as select id, body from notes where created_at > now() - interval '1 day';
materialized view note_counts as select count(*) as n from notes;
index note_counts_n on note_counts (n)

table notes {
  id         bigint primary key
  body       text not null
  feeling    mood
  created_at timestamptz not null default now()
  updated_at timestamptz
  statistics notes_stats (ndistinct) on (body, feeling)
  rule notes_no_delete on delete do instead nothing
  trigger notes_touch before update for each row execute set_updated_at()
}
";

/// The current schema: the table, nothing else.
const OBJECTS_DEPLOYED: &str = "table notes {
  id         bigint primary key
  body       text not null
  created_at timestamptz not null default now()
  updated_at timestamptz
}
";

#[test]
fn lsp_hover_covers_views_functions_types_and_the_rest() {
    let workspace = Workspace::new(&[
        ("schemac.toml", CONFIG),
        ("schema/app.schema", OBJECTS_SCHEMA),
        ("deployed.schema", OBJECTS_DEPLOYED),
    ]);
    let uri = workspace.uri("schema/app.schema");
    let mut client = Client::start(&workspace.path, &[]);
    client.open(&uri, "schemac", OBJECTS_SCHEMA);
    client.diagnostics(&uri, 1);
    let hover = |client: &mut Client, needle: &str| client.hover(&uri, OBJECTS_SCHEMA, needle);
    let has = |hover: &str, parts: &[&str]| {
        for part in parts {
            assert!(hover.contains(part), "{part:?} missing from:\n{hover}");
        }
    };

    // A view: kind, what it reads, its definition, the step creating it;
    // output columns are not known offline and the hover says so.
    let view = hover(&mut client, "recent_notes as");
    has(
        &view,
        &[
            "**view public.recent_notes** (",
            "app.schema:17)",
            "- view\n",
            "output columns: known once planned against a database",
            "reads: `public.notes`",
            "CREATE VIEW public.recent_notes AS select id, body from notes",
            "from deployed.schema",
            "1 of ",
            "create view public.recent_notes",
        ],
    );
    let matview = hover(&mut client, "note_counts as");
    has(
        &matview,
        &[
            "materialized view",
            "CREATE MATERIALIZED VIEW public.note_counts",
        ],
    );
    // The index on it: both the view's steps and the index's own.
    assert!(matview.contains("2 of "), "{matview}");
    let view_index = hover(&mut client, "index note_counts_n");
    has(
        &view_index,
        &[
            "index public.note_counts.note_counts_n",
            "CREATE INDEX note_counts_n ON public.note_counts USING btree (n)",
            "1 of ",
        ],
    );

    // Functions and procedures: signature, language, volatility, body.
    let trigger_function = hover(&mut client, "set_updated_at() returns");
    has(
        &trigger_function,
        &[
            "**function public.set_updated_at()**",
            "- function: `public.set_updated_at() RETURNS trigger`",
            "- language `plpgsql`, volatile, parallel unsafe",
            "new.updated_at := now();",
            "create function public.set_updated_at()",
        ],
    );
    let add_one = hover(&mut client, "add_one(n");
    has(
        &add_one,
        &[
            "- function: `public.add_one(n integer) RETURNS integer`",
            "- language `sql`, immutable, strict",
            "select n + 1",
        ],
    );
    let procedure = hover(&mut client, "app.archive");
    has(
        &procedure,
        &[
            "**procedure app.archive(date)**",
            "- procedure: `app.archive(before_date date)`",
            "create procedure app.archive(date)",
            "security definer",
            "CREATE PROCEDURE app.archive(before_date date) LANGUAGE sql SECURITY DEFINER",
        ],
    );
    assert!(!procedure.contains("volatile"), "{procedure}");

    // Types, sequences, schemas and extensions.
    let mood = hover(&mut client, "enum mood");
    has(
        &mood,
        &[
            "**enum public.mood**",
            "- 2 value(s)",
            "CREATE TYPE public.mood AS ENUM ('happy', 'sad')",
            "create enum public.mood",
        ],
    );
    let email = hover(&mut client, "domain email");
    has(
        &email,
        &[
            "**domain public.email**",
            "over `text`, not null, 1 check(s)",
            "CREATE DOMAIN public.email AS text",
        ],
    );
    let address = hover(&mut client, "type address");
    has(
        &address,
        &[
            "**type public.address**",
            "2 attribute(s)",
            "CREATE TYPE public.address AS (\n  street text,\n  zip integer\n)",
        ],
    );
    let sequence = hover(&mut client, "sequence invoice_number");
    has(
        &sequence,
        &[
            "**sequence public.invoice_number**",
            "`bigint`, start 1000, increment 1",
            "CREATE SEQUENCE public.invoice_number",
        ],
    );
    let schema = hover(&mut client, "schema app");
    has(
        &schema,
        &["**schema app**", "CREATE SCHEMA app", "create schema app"],
    );
    let extension = hover(&mut client, "extension pgcrypto");
    has(
        &extension,
        &[
            "**extension pgcrypto**",
            "CREATE EXTENSION IF NOT EXISTS pgcrypto",
        ],
    );

    // What a table holds beyond columns and indexes.
    let trigger = hover(&mut client, "trigger notes_touch");
    has(
        &trigger,
        &[
            "**trigger public.notes.notes_touch**",
            "executes `public.set_updated_at()`",
            "CREATE TRIGGER notes_touch BEFORE UPDATE ON public.notes FOR EACH ROW EXECUTE FUNCTION public.set_updated_at()",
            "1 of ",
        ],
    );
    let rule = hover(&mut client, "rule notes_no_delete");
    has(
        &rule,
        &[
            "**rule public.notes.notes_no_delete**",
            "CREATE RULE notes_no_delete AS ON DELETE TO public.notes DO INSTEAD NOTHING",
            "1 of ",
        ],
    );
    let statistics = hover(&mut client, "statistics notes_stats");
    has(
        &statistics,
        &[
            "**statistics public.notes.notes_stats**",
            "CREATE STATISTICS public.notes_stats (ndistinct) ON body, feeling FROM public.notes",
        ],
    );
    client.shut_down();
}

/// `exit` without `shutdown` ends the server with code 1 (LSP: "the
/// server should exit with success code 0 if the shutdown request has
/// been received before; otherwise with error code 1"); a request after
/// `shutdown` is refused.
#[test]
fn lsp_exit_without_shutdown_is_exit_code_1() {
    let workspace = Workspace::new(&[("a.schema", "table t {\n  id bigint primary key\n}\n")]);
    let mut client = Client::start(&workspace.path, &[]);
    client.notify("exit", Value::Null);
    drop(client.stdin.take());
    let status = client.wait();
    assert_eq!(status.code(), Some(1), "{status}");

    let mut client = Client::start(&workspace.path, &[]);
    let result = client.request("shutdown", Value::Null);
    assert_eq!(result, Value::Null);
    client.send(json!({"jsonrpc": "2.0", "id": 99, "method": "textDocument/hover",
        "params": {"textDocument": {"uri": workspace.uri("a.schema")}, "position": {"line": 0, "character": 6}}}));
    let refused = loop {
        let message = client.next();
        if message["id"] == json!(99) {
            break message;
        }
    };
    assert_eq!(refused["error"]["code"], json!(-32600), "{refused}");
    client.notify("exit", Value::Null);
    drop(client.stdin.take());
    assert_eq!(client.wait().code(), Some(0));
}
