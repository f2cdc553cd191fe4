//! The CI workflows users copy (docs/ci/github-actions.yml,
//! docs/ci/gitlab-ci.yml): they parse as YAML, have the shape their
//! platform needs (SARIF upload, plan comment, saved plan applied on
//! merge; Code Quality report, merge request note, manual apply), and the
//! exact `schemac` command lines they run work, in their order, against a
//! throwaway database on the local server: check, plan as Markdown, plan
//! saved with `--out`, apply of the saved plan; afterwards the database
//! matches the schema.

mod common;

use common::TestDb;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const SCHEMA: &str = "table accounts {
  id         bigint      primary key generated always as identity
  email      text        not null
  created_at timestamptz not null default now()
  index accounts_email (email)
}
";

/// The file as JSON values, and its top-level keys and the keys of its
/// `jobs` in file order (JSON objects here are sorted).
fn read_yaml(name: &str) -> (Value, Vec<String>) {
    let path = common::root().join("docs/ci").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    let ordered: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text)
        .unwrap_or_else(|err| panic!("{} is not valid YAML: {err}", path.display()));
    let keys = |value: Option<&serde_yaml_ng::Value>| -> Vec<String> {
        value
            .and_then(serde_yaml_ng::Value::as_mapping)
            .map(|mapping| {
                mapping
                    .keys()
                    .filter_map(|key| key.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut order = keys(ordered.get("jobs"));
    if order.is_empty() {
        order = keys(Some(&ordered));
    }
    let value = serde_yaml_ng::from_value(ordered)
        .unwrap_or_else(|err| panic!("{} does not convert to JSON: {err}", path.display()));
    (value, order)
}

/// The `schemac ...` command lines of a shell script, continuation lines
/// joined.
fn schemac_lines(script: &str) -> Vec<String> {
    script
        .replace("\\\n", " ")
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("schemac "))
        .map(str::to_string)
        .collect()
}

/// GitHub: every job's steps' `run` scripts, in file order.
fn github_commands(workflow: &Value, order: &[String]) -> Vec<(String, String)> {
    let mut res = Vec::new();
    for job in order {
        let body = &workflow["jobs"][job];
        for step in body["steps"].as_array().expect("steps") {
            if let Some(run) = step["run"].as_str() {
                res.extend(
                    schemac_lines(run)
                        .into_iter()
                        .map(|line| (job.clone(), line)),
                );
            }
        }
    }
    res
}

/// GitLab: every job's `script` lines, in file order.
fn gitlab_commands(pipeline: &Value, order: &[String]) -> Vec<(String, String)> {
    let mut res = Vec::new();
    for job in order {
        let body = &pipeline[job];
        let Some(script) = body.get("script").and_then(Value::as_array) else {
            continue;
        };
        for line in script {
            let line = line.as_str().expect("script line");
            res.extend(
                schemac_lines(line)
                    .into_iter()
                    .map(|line| (job.clone(), line)),
            );
        }
    }
    res
}

struct Project {
    dir: PathBuf,
}

impl Project {
    fn new(tag: &str) -> Project {
        let dir = std::env::temp_dir().join(format!("schemac_ci_{tag}_{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("schema")).expect("scratch dir");
        std::fs::write(dir.join("schema/app.schema"), SCHEMA).expect("schema");
        std::fs::write(dir.join("schemac.toml"), "paths = [\"schema\"]\n").expect("config");
        Project { dir }
    }

    /// Runs one command line as the CI runner's shell would.
    fn run(&self, db: &TestDb, line: &str) -> std::process::Output {
        let bin = Path::new(env!("CARGO_BIN_EXE_schemac"))
            .parent()
            .expect("bin dir")
            .to_path_buf();
        let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )))
        .expect("PATH");
        Command::new("bash")
            .args(["-eo", "pipefail", "-c", line])
            .current_dir(&self.dir)
            .env("PATH", path)
            .env("DATABASE_URL", db.url())
            .env("GITHUB_STEP_SUMMARY", self.dir.join("summary.md"))
            .env("NO_COLOR", "1")
            .output()
            .expect("run bash")
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name))
            .unwrap_or_else(|err| panic!("the workflow should have written {name}: {err}"))
    }

    /// Runs the workflow's command lines in order; each must succeed.
    fn run_all(&self, db: &TestDb, commands: &[(String, String)]) {
        for (job, line) in commands {
            let output = self.run(db, line);
            assert!(
                output.status.success(),
                "job {job}: `{line}` failed ({}):\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }

    /// The database now matches the schema: a new plan is empty.
    fn assert_converged(&self, db: &TestDb) {
        let output = self.run(
            db,
            "schemac plan --db \"$DATABASE_URL\" --detailed-exitcode",
        );
        assert_eq!(
            output.status.code(),
            Some(0),
            "a plan after apply should be empty:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let rows = db
            .query("SELECT indexname FROM pg_indexes WHERE tablename = 'accounts' ORDER BY 1")
            .expect("query");
        assert_eq!(rows, vec!["accounts_email", "accounts_pkey"]);
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn commands_named(commands: &[(String, String)]) -> Vec<&str> {
    commands.iter().map(|(_, line)| line.as_str()).collect()
}

#[test]
fn github_actions_workflow_runs_against_a_database() {
    let (workflow, order) = read_yaml("github-actions.yml");
    assert!(workflow["on"]["pull_request"].is_object(), "{workflow}");
    assert_eq!(workflow["on"]["push"]["branches"][0], "main");
    let jobs = &workflow["jobs"];
    let steps = |job: &str| jobs[job]["steps"].as_array().expect("steps").clone();
    assert!(steps("check").iter().any(|step| {
        step["uses"]
            .as_str()
            .is_some_and(|uses| uses.starts_with("github/codeql-action/upload-sarif"))
            && step["with"]["sarif_file"] == "schemac.sarif"
    }));
    assert_eq!(jobs["check"]["permissions"]["security-events"], "write");
    assert_eq!(jobs["plan"]["permissions"]["pull-requests"], "write");
    assert!(steps("plan").iter().any(|step| step["run"]
        .as_str()
        .is_some_and(|run| run.contains("gh pr comment"))));
    assert_eq!(jobs["apply"]["needs"], "plan-for-apply");
    assert_eq!(jobs["apply"]["environment"], "production");

    let commands = github_commands(&workflow, &order);
    assert_eq!(
        commands_named(&commands),
        vec![
            "schemac check --format sarif > schemac.sarif",
            "schemac plan --db \"$DATABASE_URL\" --format markdown > plan.md",
            "schemac plan --db \"$DATABASE_URL\" --out plan.json --format markdown >> \"$GITHUB_STEP_SUMMARY\"",
            "schemac apply --db \"$DATABASE_URL\" --plan plan.json --yes",
        ]
    );
    let db = TestDb::create();
    let project = Project::new("github");
    project.run_all(&db, &commands);
    let sarif: Value = serde_json::from_str(&project.read("schemac.sarif")).expect("SARIF JSON");
    assert_eq!(sarif["version"], "2.1.0");
    assert!(project.read("plan.md").contains("accounts"));
    assert!(project.read("summary.md").contains("accounts"));
    project.assert_converged(&db);
}

#[test]
fn gitlab_ci_pipeline_runs_against_a_database() {
    let (pipeline, order) = read_yaml("gitlab-ci.yml");
    assert_eq!(
        pipeline["schemac-check"]["artifacts"]["reports"]["codequality"],
        "gl-code-quality-report.json"
    );
    assert!(pipeline["schemac-plan"]["script"]
        .as_array()
        .expect("script")
        .iter()
        .any(|line| line.as_str().is_some_and(|line| line.contains("/notes"))));
    assert_eq!(pipeline["schemac-apply"]["rules"][0]["when"], "manual");
    assert_eq!(
        pipeline["schemac-apply"]["needs"][0],
        "schemac-plan-for-apply"
    );

    let commands = gitlab_commands(&pipeline, &order);
    assert_eq!(
        commands_named(&commands),
        vec![
            "schemac check --format gitlab > gl-code-quality-report.json",
            "schemac plan --db \"$DATABASE_URL\" --format markdown > plan.md",
            "schemac plan --db \"$DATABASE_URL\" --out plan.json --format markdown > plan.md",
            "schemac apply --db \"$DATABASE_URL\" --plan plan.json --yes",
        ]
    );
    let db = TestDb::create();
    let project = Project::new("gitlab");
    project.run_all(&db, &commands);
    let report: Value =
        serde_json::from_str(&project.read("gl-code-quality-report.json")).expect("report JSON");
    assert!(report.is_array(), "{report}");
    assert!(project.read("plan.md").contains("accounts"));
    project.assert_converged(&db);
}
