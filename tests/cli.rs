//! End-to-end tests of the `schemac` binary: exit codes, what goes to
//! stdout and stderr, each output format's shape, `NO_COLOR`, `fmt --check`
//! and `schemac.toml`.
//!
//! Each test writes small inputs into its own temporary directory and runs
//! the binary there with relative paths, so outputs are stable; a filter
//! replaces the directory anyway should it appear. Snapshots live in
//! `snapshots/cli/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

const ACCOUNTS: &str = "table accounts {\n  id uuid primary key\n  name text not null\n}\n";

const ACCOUNTS_WITH_INDEX: &str =
    "table accounts {\n  id uuid primary key\n  name text not null\n\n  index (name)\n}\n";

/// `name text not nul` is a syntax error on line 3.
const BROKEN: &str = "table accounts {\n  id uuid primary key\n  name text not nul\n}\n";

/// A temporary directory, removed on drop.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new(files: &[(&str, &str)]) -> TempDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "schemac-cli-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        for (name, text) in files {
            let file = path.join(name);
            std::fs::create_dir_all(file.parent().expect("a file has a parent"))
                .expect("create temp dir");
            std::fs::write(&file, text).expect("write temp file");
        }
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir { path }
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path.join(name)).expect("read temp file")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Runs schemac in `dir` with `NO_COLOR=1` and no inherited
/// `DATABASE_URL`.
fn schemac(dir: &TempDir, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemac"))
        .args(args)
        .current_dir(&dir.path)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("run schemac")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("schemac exited normally")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// Exit code, stdout and stderr as one text, for a file snapshot.
fn transcript(output: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        code(output),
        stdout(output),
        stderr(output)
    )
}

fn assert_cli_snapshot(name: &str, dir: &Path, text: &str) {
    let dir_pattern = regex_escape(&dir.display().to_string());
    insta::with_settings!({
        snapshot_path => "../snapshots/cli",
        prepend_module_to_snapshot => false,
        filters => vec![(dir_pattern.as_str(), "[TMP]")],
    }, {
        insta::assert_snapshot!(name, text);
    });
}

fn regex_escape(text: &str) -> String {
    let mut res = String::new();
    for ch in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(ch) {
            res.push('\\');
        }
        res.push(ch);
    }
    res
}

// --- check ---------------------------------------------------------------

#[test]
fn check_clean_schema_exits_0() {
    let dir = TempDir::new(&[("schema/accounts.schema", ACCOUNTS)]);
    let output = schemac(&dir, &["check", "schema"]);
    assert_eq!(code(&output), 0, "{}", transcript(&output));
    assert_eq!(stdout(&output), "no problems found\n");
    assert_eq!(stderr(&output), "");
}

#[test]
fn check_syntax_error_exits_1_in_every_format() {
    let dir = TempDir::new(&[("schema/accounts.schema", BROKEN)]);
    for format in ["text", "json", "gcc", "github"] {
        let output = schemac(&dir, &["check", "--format", format, "schema"]);
        assert_eq!(code(&output), 1, "{format}: {}", transcript(&output));
        let out = stdout(&output);
        assert!(
            !out.contains('\x1b'),
            "{format}: escape codes with NO_COLOR"
        );
        match format {
            "json" => {
                let value: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
                assert_eq!(value["format_version"], 1);
                let first = &value["diagnostics"][0];
                assert_eq!(first["severity"], "error");
                assert_eq!(first["file"], "schema/accounts.schema");
                assert_eq!(first["line"], 3);
            }
            "gcc" => assert!(
                out.starts_with("schema/accounts.schema:3:"),
                "gcc line shape: {out}"
            ),
            "github" => assert!(
                out.starts_with("::error file=schema/accounts.schema,line=3,col="),
                "github shape: {out}"
            ),
            _ => assert!(out.contains("schema/accounts.schema:3:"), "text: {out}"),
        }
        assert_cli_snapshot(
            &format!("check_syntax_error_{format}"),
            &dir.path,
            &transcript(&output),
        );
    }
}

#[test]
fn check_reads_paths_from_config() {
    let dir = TempDir::new(&[
        ("schemac.toml", "paths = [\"db\"]\n"),
        ("db/accounts.schema", BROKEN),
    ]);
    let output = schemac(&dir, &["check", "--format", "gcc"]);
    assert_eq!(code(&output), 1, "{}", transcript(&output));
    assert!(stdout(&output).starts_with("db/accounts.schema:3:"));
}

#[test]
fn unknown_config_key_is_named() {
    let dir = TempDir::new(&[
        ("schemac.toml", "path = [\"db\"]\n"),
        ("db/accounts.schema", ACCOUNTS),
    ]);
    let output = schemac(&dir, &["check"]);
    assert_eq!(code(&output), 1, "{}", transcript(&output));
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert!(err.contains("unknown field `path`"), "{err}");
    assert!(err.contains("schemac.toml"), "{err}");
}

#[test]
fn missing_path_is_an_error() {
    let dir = TempDir::new(&[]);
    let output = schemac(&dir, &["check", "nowhere.schema"]);
    assert_eq!(code(&output), 1, "{}", transcript(&output));
    assert!(stderr(&output).contains("nowhere.schema"));
}

#[test]
fn usage_errors_exit_1() {
    let dir = TempDir::new(&[]);
    let output = schemac(&dir, &["check", "--format", "yaml"]);
    assert_eq!(code(&output), 1, "{}", transcript(&output));
    assert!(stderr(&output).contains("yaml"));
}

// --- plan ----------------------------------------------------------------

#[test]
fn plan_sql_prints_only_sql_on_stdout() {
    let dir = TempDir::new(&[("schema/accounts.schema", ACCOUNTS)]);
    let output = schemac(&dir, &["plan", "--format", "sql", "schema"]);
    assert_eq!(code(&output), 0, "{}", transcript(&output));
    assert_eq!(stderr(&output), "");
    let sql = stdout(&output);
    assert!(
        sql.starts_with("-- Migration generated by schemac."),
        "{sql}"
    );
    assert!(sql.contains("CREATE TABLE"), "{sql}");
    for line in sql.lines() {
        assert!(
            !line.starts_with("warning") && !line.starts_with("error"),
            "not SQL: {line}"
        );
    }
    assert_cli_snapshot("plan_sql_from_empty", &dir.path, &sql);
}

#[test]
fn plan_detailed_exitcode() {
    let dir = TempDir::new(&[
        ("current/accounts.schema", ACCOUNTS),
        ("desired/accounts.schema", ACCOUNTS_WITH_INDEX),
    ]);
    let same = schemac(
        &dir,
        &[
            "plan",
            "--detailed-exitcode",
            "--from",
            "current",
            "current",
        ],
    );
    assert_eq!(code(&same), 0, "{}", transcript(&same));
    assert_eq!(
        stdout(&same),
        "No changes: the database matches the schema.\n"
    );
    let changed = schemac(
        &dir,
        &[
            "plan",
            "--detailed-exitcode",
            "--allow-hazards",
            "index-build",
            "--from",
            "current",
            "desired",
        ],
    );
    assert_eq!(code(&changed), 2, "{}", transcript(&changed));
    assert_eq!(stderr(&changed), "");
    assert_cli_snapshot("plan_text_add_index", &dir.path, &transcript(&changed));
    let without_flag = schemac(&dir, &["plan", "--from", "current", "desired"]);
    assert_eq!(code(&without_flag), 0, "{}", transcript(&without_flag));
}

#[test]
fn plan_warns_about_hazards_not_allowed_on_stderr() {
    let dir = TempDir::new(&[
        ("current/accounts.schema", ACCOUNTS),
        ("desired/accounts.schema", ACCOUNTS_WITH_INDEX),
    ]);
    let output = schemac(
        &dir,
        &["plan", "--format", "sql", "--from", "current", "desired"],
    );
    assert_eq!(code(&output), 0, "{}", transcript(&output));
    assert!(
        stderr(&output).contains("index-build"),
        "{}",
        transcript(&output)
    );
    assert!(!stdout(&output).contains("warning"));
    let allowed = schemac(
        &dir,
        &[
            "plan",
            "--format",
            "sql",
            "--allow-hazards",
            "all",
            "--from",
            "current",
            "desired",
        ],
    );
    assert_eq!(stderr(&allowed), "");
    assert_eq!(stdout(&allowed), stdout(&output));
}

#[test]
fn plan_json_and_markdown_shapes() {
    let dir = TempDir::new(&[
        ("current/accounts.schema", ACCOUNTS),
        ("desired/accounts.schema", ACCOUNTS_WITH_INDEX),
    ]);
    let json = schemac(
        &dir,
        &[
            "plan",
            "--format",
            "json",
            "--allow-hazards",
            "all",
            "--from",
            "current",
            "desired",
        ],
    );
    assert_eq!(code(&json), 0, "{}", transcript(&json));
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("valid JSON");
    assert_eq!(value["format_version"], 2);
    assert_eq!(value["summary"]["has_changes"], true);
    assert!(
        value["steps"][0]["action"]["kind"].is_string(),
        "every step has a typed action"
    );
    assert_eq!(value["steps"][0]["index"], 1);
    assert_eq!(
        value["steps"][0]["source"]["file"],
        "desired/accounts.schema"
    );
    assert_eq!(value["steps"][0]["source"]["line"], 5);
    let markdown = schemac(
        &dir,
        &[
            "plan",
            "--format",
            "markdown",
            "--allow-hazards",
            "all",
            "--from",
            "current",
            "desired",
        ],
    );
    assert_eq!(code(&markdown), 0, "{}", transcript(&markdown));
    assert!(stdout(&markdown).starts_with("## schemac plan: 1 step, 1 hazard\n"));
    assert!(stdout(&markdown).contains("```sql\n"));
}

#[test]
fn plan_with_errors_prints_diagnostics_and_exits_1() {
    let dir = TempDir::new(&[("schema/accounts.schema", BROKEN)]);
    let output = schemac(
        &dir,
        &["plan", "--detailed-exitcode", "--format", "sql", "schema"],
    );
    assert_eq!(code(&output), 1, "{}", transcript(&output));
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert!(err.contains("schema/accounts.schema:3:"), "{err}");
    assert!(!err.contains('\x1b'), "escape codes with NO_COLOR: {err}");
}

#[test]
fn unknown_hazard_is_named() {
    let dir = TempDir::new(&[("schema/accounts.schema", ACCOUNTS)]);
    let output = schemac(&dir, &["plan", "--allow-hazards", "data-los", "schema"]);
    assert_eq!(code(&output), 1, "{}", transcript(&output));
    assert!(stderr(&output).contains("data-los"));
}

#[test]
fn closed_stdout_exits_0_quietly() {
    let mut big = String::new();
    for idx in 0..400 {
        big.push_str(&format!(
            "table t{idx} {{\n  id bigint primary key\n  note text\n}}\n"
        ));
    }
    let dir = TempDir::new(&[("schema/many.schema", &big)]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_schemac"))
        .args(["plan", "--format", "sql", "schema"])
        .current_dir(&dir.path)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn schemac");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait for schemac");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
}

// --- fmt -----------------------------------------------------------------

#[test]
fn fmt_check_lists_files_that_would_change() {
    let messy = "table   accounts {\n    id uuid   primary key\n  name text not null\n}\n";
    let dir = TempDir::new(&[("schema/accounts.schema", messy)]);
    let printed = schemac(&dir, &["fmt", "schema"]);
    assert_eq!(code(&printed), 0, "{}", transcript(&printed));
    let formatted = stdout(&printed);
    assert_ne!(formatted, messy);

    let check = schemac(&dir, &["fmt", "--check", "schema"]);
    assert_eq!(code(&check), 1, "{}", transcript(&check));
    assert_eq!(stdout(&check), "would reformat schema/accounts.schema\n");
    assert_eq!(dir.read("schema/accounts.schema"), messy);

    let write = schemac(&dir, &["fmt", "--write", "schema"]);
    assert_eq!(code(&write), 0, "{}", transcript(&write));
    assert_eq!(stdout(&write), "");
    assert_eq!(dir.read("schema/accounts.schema"), formatted);

    let check_again = schemac(&dir, &["fmt", "--check", "schema"]);
    assert_eq!(code(&check_again), 0, "{}", transcript(&check_again));
    assert_eq!(stdout(&check_again), "");
}

// --- graph ---------------------------------------------------------------

#[test]
fn graph_prints_dot_and_mermaid() {
    let schema = "table accounts {\n  id uuid primary key\n}\n\ntable orders {\n  id bigint primary key\n  account_id uuid not null references accounts (id)\n}\n";
    let dir = TempDir::new(&[("schema/app.schema", schema)]);
    let dot = schemac(&dir, &["graph", "schema"]);
    assert_eq!(code(&dot), 0, "{}", transcript(&dot));
    assert!(stdout(&dot).contains("digraph"), "{}", stdout(&dot));
    let mermaid = schemac(&dir, &["graph", "--format", "mermaid", "schema"]);
    assert_eq!(code(&mermaid), 0, "{}", transcript(&mermaid));
    assert!(
        stdout(&mermaid).contains("accounts"),
        "{}",
        stdout(&mermaid)
    );
}

#[test]
fn fmt_diff_prints_a_unified_diff_and_exits_1() {
    let dir = TempDir::new(&[("a.schema", "table  t {\n  id   int\n}\n")]);
    let output = schemac(&dir, &["fmt", "--diff", "a.schema"]);
    assert_eq!(code(&output), 1, "{}", transcript(&output));
    assert_eq!(
        stdout(&output),
        "--- a/a.schema\n+++ b/a.schema\n@@ -1,3 +1,3 @@\n-table  t {\n-  id   int\n+table t {\n+  id int\n }\n"
    );
    // The file is left alone; a formatted file gives no diff and exit 0.
    assert_eq!(dir.read("a.schema"), "table  t {\n  id   int\n}\n");
    let clean = TempDir::new(&[("a.schema", "table t {\n  id int\n}\n")]);
    let output = schemac(&clean, &["fmt", "--diff", "a.schema"]);
    assert_eq!(code(&output), 0, "{}", transcript(&output));
    assert_eq!(stdout(&output), "");
}

#[test]
fn check_select_and_ignore_choose_rules() {
    // A table without a primary key, and a json column.
    let schema = "table events {\n  payload json\n}\n";
    let dir = TempDir::new(&[("a.schema", schema)]);
    let codes = |args: &[&str]| -> Vec<String> {
        let mut full = vec!["check", "--format", "gcc"];
        full.extend_from_slice(args);
        full.push("a.schema");
        let output = schemac(&dir, &full);
        let mut codes: Vec<String> = stdout(&output)
            .lines()
            .filter_map(|line| {
                let start = line.find('[')? + 1;
                let end = line[start..].find(']')? + start;
                Some(line[start..end].to_string())
            })
            .collect();
        codes.sort();
        codes.dedup();
        codes
    };
    let all = codes(&[]);
    assert!(all.contains(&"json-type".to_string()), "{all:?}");
    assert!(all.len() > 1, "{all:?}");
    assert_eq!(codes(&["--select", "json-type"]), ["json-type"]);
    let ignored = codes(&["--ignore", "json-type"]);
    assert!(!ignored.contains(&"json-type".to_string()), "{ignored:?}");
    assert_eq!(ignored.len(), all.len() - 1);
    // A misspelt rule id is an error with a suggestion.
    let output = schemac(&dir, &["check", "--select", "json-typ", "a.schema"]);
    assert_eq!(code(&output), 1, "{}", transcript(&output));
    let err = stderr(&output);
    assert!(
        err.contains("unknown lint rule `json-typ` in --select"),
        "{err}"
    );
    assert!(err.contains("did you mean `json-type`?"), "{err}");
}

#[test]
fn misspelt_names_get_did_you_mean() {
    let schema = "table accounts {\n  id bigint primary key\n  name txet\n}\ntable orders {\n  id bigint primary key\n  account_id bigint references acounts(id)\n}\n";
    let dir = TempDir::new(&[("a.schema", schema)]);
    let output = schemac(&dir, &["check", "--format", "json", "a.schema"]);
    assert_eq!(code(&output), 1, "{}", transcript(&output));
    let out = stdout(&output);
    assert!(out.contains("did you mean `text`?"), "{out}");
    assert!(out.contains("did you mean `accounts`?"), "{out}");
}

#[test]
fn sql_style_expression_key_says_how_to_write_it() {
    let schema = "table t {\n  body text\n  index (md5(body))\n}\n";
    let dir = TempDir::new(&[("a.schema", schema)]);
    let output = schemac(&dir, &["check", "a.schema"]);
    assert_eq!(code(&output), 1, "{}", transcript(&output));
    let out = stdout(&output);
    assert!(out.contains("its own parentheses"), "{out}");
    assert!(out.contains("(md5(body))"), "{out}");
}

#[test]
fn from_empty_text_plan_folds_new_objects_unless_all_steps() {
    let schema = "table a {\n  id bigint primary key\n  name text\n  index (name)\n}\ntable b {\n  id bigint primary key\n  a_id bigint references a(id)\n  index (a_id)\n}\n";
    let dir = TempDir::new(&[("a.schema", schema)]);
    let output = schemac(&dir, &["plan", "a.schema"]);
    assert_eq!(code(&output), 0, "{}", transcript(&output));
    let folded = stdout(&output);
    assert!(
        folded.contains("Locks on existing tables: none"),
        "{folded}"
    );
    assert!(folded.contains("create new objects: 2 tables"), "{folded}");
    assert!(folded.contains("tables: public.a, public.b"), "{folded}");
    assert!(!folded.contains("CREATE TABLE"), "{folded}");
    let output = schemac(&dir, &["plan", "--all-steps", "a.schema"]);
    let full = stdout(&output);
    assert!(full.contains("CREATE TABLE public.a"), "{full}");
    assert!(!full.contains("create new objects"), "{full}");
}

#[test]
fn markdown_and_json_plans_carry_the_lint_findings() {
    let schema = "table events {\n  payload json\n}\n";
    let dir = TempDir::new(&[("a.schema", schema)]);
    let output = schemac(&dir, &["plan", "--format", "markdown", "a.schema"]);
    let markdown = stdout(&output);
    assert!(markdown.contains("### Lint findings"), "{markdown}");
    assert!(markdown.contains("`json-type`"), "{markdown}");
    assert!(markdown.contains("`a.schema:2:"), "{markdown}");
    assert!(markdown.contains("| Table size |"), "{markdown}");
    let output = schemac(&dir, &["plan", "--format", "json", "a.schema"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("json");
    let findings = json["findings"].as_array().expect("findings");
    assert!(
        findings
            .iter()
            .any(|finding| finding["code"] == "json-type" && finding["line"] == 2),
        "{json}"
    );
    let warnings = json["summary"]["findings"]["warnings"]
        .as_u64()
        .expect("count");
    let counted = findings
        .iter()
        .filter(|finding| finding["severity"] == "warning")
        .count() as u64;
    assert_eq!(warnings, counted);
    assert_eq!(json["summary"]["transactions"], 1);
    assert_eq!(json["target"], serde_json::Value::Null);
}

/// The README's quick start: the reference schema lints clean with and
/// without `--citus off` (its suppressions of sharding rules stay used:
/// the schema rules judge the files as written, the plan leaves the
/// distribution out), and from empty under `--citus off` it is one
/// transaction.
#[test]
fn reference_schema_plans_clean_with_and_without_citus() {
    let dir = TempDir::new(&[]);
    let schemas = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let schemas = schemas.to_str().expect("utf-8 path");
    let sharded = schemac(&dir, &["plan", schemas]);
    assert_eq!(code(&sharded), 0, "{}", transcript(&sharded));
    assert_eq!(stderr(&sharded), "", "{}", transcript(&sharded));
    let plain = schemac(&dir, &["plan", "--citus", "off", schemas]);
    assert_eq!(code(&plain), 0, "{}", transcript(&plain));
    assert_eq!(stderr(&plain), "", "{}", transcript(&plain));
    let text = stdout(&plain);
    assert!(
        text.lines()
            .next()
            .is_some_and(|line| line.contains("(1 transaction, 0 steps outside a transaction)")),
        "{text}"
    );
    assert!(
        text.contains("--citus off: the shard distribution of 18 table(s) is left out"),
        "{text}"
    );
    assert!(text.lines().count() < 25, "not one screen:\n{text}");
}

/// clap's own output (help, usage errors) follows `--color` too: the
/// flag wins over `CLICOLOR_FORCE` and `NO_COLOR` as everywhere else.
#[test]
fn help_and_usage_errors_follow_the_color_flag() {
    let dir = TempDir::new(&[]);
    let run = |args: &[&str], env: (&str, &str)| {
        Command::new(env!("CARGO_BIN_EXE_schemac"))
            .args(args)
            .current_dir(&dir.path)
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env(env.0, env.1)
            .output()
            .expect("run schemac")
    };
    let help = run(&["--color", "never", "--help"], ("CLICOLOR_FORCE", "1"));
    assert_eq!(code(&help), 0);
    assert!(!stdout(&help).contains('\x1b'), "{}", stdout(&help));
    let help = run(&["--color=always", "--help"], ("NO_COLOR", "1"));
    assert!(stdout(&help).contains('\x1b'), "{}", stdout(&help));
    let usage = run(
        &["plan", "--format", "nope", "--color", "never"],
        ("CLICOLOR_FORCE", "1"),
    );
    assert_eq!(code(&usage), 1);
    assert!(!stderr(&usage).contains('\x1b'), "{}", stderr(&usage));
    let usage = run(&["plan", "--format", "nope"], ("CLICOLOR_FORCE", "1"));
    assert!(stderr(&usage).contains('\x1b'), "{}", stderr(&usage));
    let usage = run(&["plan", "--format", "nope"], ("NO_COLOR", "1"));
    assert!(!stderr(&usage).contains('\x1b'), "{}", stderr(&usage));
}
