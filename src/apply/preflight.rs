//! Preflight: before the first step, read-only checks of the data for
//! every step that can fail on rows already in a table (duplicates under a
//! new unique index or UNIQUE/PRIMARY KEY, NULLs under NOT NULL, rows
//! violating a CHECK, orphans under a FOREIGN KEY, values that do not cast
//! to a new column type, rows holding a removed enum value, rows outside a
//! partition bound). A doomed plan is refused before anything changes, and
//! `plan --db` shows the same findings.
//!
//! Invariants:
//! - Checks come from the steps' typed actions (`checks`), never their
//!   SQL, and take the plan's earlier steps into account: a check that
//!   cannot be judged before those steps run is skipped with its reason,
//!   so preflight never refuses a plan that would succeed.
//! - Every query runs in a `READ ONLY` transaction that is rolled back;
//!   the per-row search for values that do not cast catches each row's
//!   error in a subtransaction and writes nothing.
//! - A check of a table larger than [`PreflightSettings::large_table_rows`]
//!   (live statistics) still runs, and says so; `--skip-preflight RULE|all`
//!   skips checks explicitly, and every skipped check is reported.
//! - A check that cannot run (an object it reads is missing, permission)
//!   is reported as not run, never as a finding.

pub mod checks;

use super::history::database_error;
use super::ApplyError;
use crate::model::QualifiedName;
use crate::plan::Plan;
use checks::{Check, CheckQuery, MAX_ROWS};
use std::collections::BTreeSet;
use std::fmt;
use tokio_postgres::Client;

/// What kind of data problem a check looks for. The ids are user-facing
/// (`--skip-preflight`, diagnostic codes `preflight-<id>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PreflightRule {
    /// Duplicate keys under a new unique index, UNIQUE or PRIMARY KEY.
    Unique,
    /// NULLs under SET NOT NULL or a PRIMARY KEY.
    NotNull,
    /// Rows violating a new CHECK.
    Check,
    /// Rows whose key has no referenced row under a new FOREIGN KEY.
    ForeignKey,
    /// Values that do not cast to a column's new type.
    TypeCast,
    /// Rows holding an enum value the plan removes.
    EnumValue,
    /// Rows outside the bound of a partition being attached.
    PartitionBound,
}

impl PreflightRule {
    pub const ALL: [PreflightRule; 7] = [
        PreflightRule::Unique,
        PreflightRule::NotNull,
        PreflightRule::Check,
        PreflightRule::ForeignKey,
        PreflightRule::TypeCast,
        PreflightRule::EnumValue,
        PreflightRule::PartitionBound,
    ];

    pub fn id(self) -> &'static str {
        match self {
            PreflightRule::Unique => "unique",
            PreflightRule::NotNull => "not-null",
            PreflightRule::Check => "check",
            PreflightRule::ForeignKey => "foreign-key",
            PreflightRule::TypeCast => "type-cast",
            PreflightRule::EnumValue => "enum-value",
            PreflightRule::PartitionBound => "partition-bound",
        }
    }

    /// The diagnostic code of a finding.
    pub fn code(self) -> &'static str {
        match self {
            PreflightRule::Unique => "preflight-unique",
            PreflightRule::NotNull => "preflight-not-null",
            PreflightRule::Check => "preflight-check",
            PreflightRule::ForeignKey => "preflight-foreign-key",
            PreflightRule::TypeCast => "preflight-type-cast",
            PreflightRule::EnumValue => "preflight-enum-value",
            PreflightRule::PartitionBound => "preflight-partition-bound",
        }
    }
}

impl fmt::Display for PreflightRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How preflight runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreflightSettings {
    /// Rules not checked (`--skip-preflight`).
    pub skip: BTreeSet<PreflightRule>,
    /// A table with more rows than this (live statistics) is named as a
    /// long scan when it is checked (default 10 million).
    pub large_table_rows: i64,
}

impl Default for PreflightSettings {
    fn default() -> Self {
        PreflightSettings {
            skip: BTreeSet::new(),
            large_table_rows: 10_000_000,
        }
    }
}

impl PreflightSettings {
    /// `--skip-preflight LIST|all`: comma-separated rule ids, or `all`.
    pub fn parse_skip(list: &str) -> Result<BTreeSet<PreflightRule>, String> {
        let mut res = BTreeSet::new();
        for word in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            if word == "all" {
                res.extend(PreflightRule::ALL);
                continue;
            }
            match PreflightRule::ALL.iter().find(|rule| rule.id() == word) {
                Some(rule) => {
                    res.insert(*rule);
                }
                None => {
                    let ids: Vec<&str> = PreflightRule::ALL.iter().map(|r| r.id()).collect();
                    return Err(format!(
                        "unknown preflight check `{word}` (use all or one of: {})",
                        ids.join(", ")
                    ));
                }
            }
        }
        Ok(res)
    }
}

/// Data that makes a step fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The step (0-based) that would fail.
    pub step: usize,
    pub rule: PreflightRule,
    pub table: QualifiedName,
    /// What the step requires: `unique index t_email_key (email)`.
    pub requirement: String,
    /// The server's error, for a cast that fails.
    pub error: Option<String>,
    /// Up to five offending rows (or keys), as text.
    pub rows: Vec<String>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "step {} would fail [{}]: {} needs {}",
            self.step + 1,
            self.rule,
            self.table,
            self.requirement
        )?;
        if let Some(error) = &self.error {
            write!(f, "; {error}")?;
        }
        if !self.rows.is_empty() {
            write!(f, "; offending rows (at most {MAX_ROWS}):")?;
            for row in &self.rows {
                write!(f, "\n      {row}")?;
            }
        }
        Ok(())
    }
}

/// What preflight found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreflightReport {
    pub findings: Vec<Finding>,
    /// Checks ran, including those with findings.
    pub checked: usize,
    /// Checks not run, with the reason (skipped by the plan's earlier
    /// steps, by `--skip-preflight`, or unable to run).
    pub not_checked: Vec<String>,
    /// Checks that scanned a large table.
    pub large_scans: Vec<String>,
}

impl PreflightReport {
    /// Everything to tell the user besides the findings.
    pub fn notes(&self) -> Vec<String> {
        self.large_scans
            .iter()
            .chain(&self.not_checked)
            .map(|note| format!("preflight: {note}"))
            .collect()
    }

    /// The findings, one per line, for the refusal.
    pub fn describe(&self) -> String {
        self.findings
            .iter()
            .map(|finding| format!("  {finding}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Runs the checks `plan` needs (see the module documentation).
pub async fn preflight(
    client: &Client,
    plan: &Plan,
    settings: &PreflightSettings,
) -> Result<PreflightReport, ApplyError> {
    let planned = checks::plan_checks(plan);
    let mut report = PreflightReport::default();
    for skipped in &planned.skipped {
        report.not_checked.push(format!(
            "step {} [{}] on {} not checked: {}",
            skipped.step + 1,
            skipped.rule,
            skipped.table,
            skipped.reason
        ));
    }
    let mut to_run = Vec::new();
    for check in planned.checks {
        if settings.skip.contains(&check.rule) {
            report.not_checked.push(format!(
                "step {} [{}] on {} not checked: skipped by --skip-preflight",
                check.step + 1,
                check.rule,
                check.table
            ));
        } else {
            to_run.push(check);
        }
    }
    let tables: Vec<&QualifiedName> = to_run.iter().map(|check| &check.table).collect();
    // Statistics only decide what is said about the scan.
    let stats = crate::introspect::table_stats(client, &tables)
        .await
        .unwrap_or_default();
    for check in &to_run {
        if let Some(stats) = stats.get(&check.table) {
            if let Some(rows) = stats.rows.filter(|rows| *rows > settings.large_table_rows) {
                report.large_scans.push(format!(
                    "step {} [{}] scans {} (about {} rows, over {}); pass --skip-preflight {} to skip it",
                    check.step + 1,
                    check.rule,
                    check.table,
                    rows,
                    settings.large_table_rows,
                    check.rule
                ));
            }
        }
        match run_check(client, check).await? {
            Outcome::Clean => report.checked += 1,
            Outcome::Found { error, rows } => {
                report.checked += 1;
                report.findings.push(Finding {
                    step: check.step,
                    rule: check.rule,
                    table: check.table.clone(),
                    requirement: check.requirement.clone(),
                    error,
                    rows,
                });
            }
            Outcome::CouldNotRun(message) => report.not_checked.push(format!(
                "step {} [{}] on {} could not be checked: {message}",
                check.step + 1,
                check.rule,
                check.table
            )),
        }
    }
    Ok(report)
}

enum Outcome {
    Clean,
    Found {
        error: Option<String>,
        rows: Vec<String>,
    },
    CouldNotRun(String),
}

/// Runs `sql` in a READ ONLY transaction that is rolled back.
async fn read_only_rows(client: &Client, sql: &str) -> Result<Vec<String>, tokio_postgres::Error> {
    client
        .batch_execute("BEGIN READ ONLY; SET LOCAL statement_timeout = 0")
        .await?;
    let res = client.query(sql, &[]).await;
    let _ = client.batch_execute("ROLLBACK").await;
    Ok(res?
        .iter()
        .map(|row| row.try_get::<_, Option<String>>(0).ok().flatten())
        .map(|text| text.unwrap_or_else(|| "NULL".to_string()))
        .collect())
}

async fn run_check(client: &Client, check: &Check) -> Result<Outcome, ApplyError> {
    match &check.query {
        CheckQuery::Rows(sql) => Ok(rows_outcome(read_only_rows(client, sql).await)),
        CheckQuery::Cast { expr, ty } => cast_check(client, &check.table, expr, ty).await,
        CheckQuery::EnumValues { name, values } => enum_check(client, name, values).await,
    }
}

fn rows_outcome(res: Result<Vec<String>, tokio_postgres::Error>) -> Outcome {
    match res {
        Ok(rows) if rows.is_empty() => Outcome::Clean,
        Ok(rows) => Outcome::Found { error: None, rows },
        Err(err) => Outcome::CouldNotRun(crate::introspect::error_message(&err)),
    }
}

/// Evaluates the cast over every row; when it fails, a per-row loop (each
/// row in its own subtransaction, inside a READ ONLY transaction) finds a
/// few of the rows that do not cast.
async fn cast_check(
    client: &Client,
    table: &QualifiedName,
    expr: &str,
    ty: &str,
) -> Result<Outcome, ApplyError> {
    let all = format!("SELECT count(({expr})::{ty})::text FROM {table}");
    let error = match read_only_rows(client, &all).await {
        Ok(_) => return Ok(Outcome::Clean),
        Err(err) if is_data_error(&err) => crate::introspect::error_message(&err),
        Err(err) => return Ok(Outcome::CouldNotRun(crate::introspect::error_message(&err))),
    };
    let search = format!(
        "DO $schemac_preflight$
DECLARE r record; bad text[] := '{{}}';
BEGIN
  FOR r IN SELECT _s.tableoid AS schemac_oid, _s.ctid AS schemac_ctid,
                  left(row_to_json(_s)::text, 200) AS schemac_row
           FROM {table} AS _s LOOP
    BEGIN
      PERFORM ({expr})::{ty} FROM {table} WHERE tableoid = r.schemac_oid AND ctid = r.schemac_ctid;
    EXCEPTION WHEN others THEN
      bad := bad || (r.schemac_row || ': ' || SQLERRM);
    END;
    EXIT WHEN cardinality(bad) >= {MAX_ROWS};
  END LOOP;
  RAISE EXCEPTION 'schemac preflight' USING DETAIL = array_to_string(bad, E'\\n');
END $schemac_preflight$"
    );
    client
        .batch_execute("BEGIN READ ONLY; SET LOCAL statement_timeout = 0")
        .await
        .map_err(|source| database_error("starting a preflight check", source))?;
    let res = client.batch_execute(&search).await;
    let _ = client.batch_execute("ROLLBACK").await;
    let rows = match res {
        Err(err) => err
            .as_db_error()
            .filter(|db| db.message() == "schemac preflight")
            .and_then(|db| db.detail())
            .map(|detail| {
                detail
                    .lines()
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        Ok(()) => Vec::new(),
    };
    Ok(Outcome::Found {
        error: Some(error),
        rows,
    })
}

/// Errors caused by the data (class 22: data exception, 23: integrity),
/// not by the query.
fn is_data_error(err: &tokio_postgres::Error) -> bool {
    err.code().is_some_and(|code| {
        let code = code.code();
        code.starts_with("22") || code.starts_with("23")
    })
}

/// Rows holding a removed enum value, in every column of the enum's type
/// (of tables, not partitions: a partitioned table's query covers them).
async fn enum_check(
    client: &Client,
    name: &QualifiedName,
    values: &[String],
) -> Result<Outcome, ApplyError> {
    let columns = client
        .query(
            "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), quote_ident(a.attname)
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE a.atttypid = to_regtype($1) AND a.attnum > 0 AND NOT a.attisdropped
               AND c.relkind IN ('r', 'p') AND NOT c.relispartition
             ORDER BY 1, 2",
            &[&name.to_string()],
        )
        .await
        .map_err(|source| database_error("reading the columns of an enum", source))?;
    let literals = values
        .iter()
        .map(|value| format!("'{}'", value.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(", ");
    let mut rows = Vec::new();
    for column in &columns {
        let (Ok(table), Ok(column)) = (
            column.try_get::<_, String>(0),
            column.try_get::<_, String>(1),
        ) else {
            continue;
        };
        let label = format!("'{}'", table.replace('\'', "''"));
        let sql = format!(
            "SELECT {label} || ': ' || left(row_to_json(_s)::text, 200) FROM {table} AS _s \
             WHERE _s.{column}::text IN ({literals}) LIMIT {MAX_ROWS}"
        );
        match rows_outcome(read_only_rows(client, &sql).await) {
            Outcome::Found { rows: found, .. } => rows.extend(found),
            Outcome::Clean => {}
            Outcome::CouldNotRun(message) => return Ok(Outcome::CouldNotRun(message)),
        }
        if rows.len() >= MAX_ROWS {
            rows.truncate(MAX_ROWS);
            break;
        }
    }
    Ok(if rows.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Found { error: None, rows }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_lists_parse_and_name_unknown_rules() {
        let all = PreflightSettings::parse_skip("all").expect("all");
        assert_eq!(all.len(), PreflightRule::ALL.len());
        let two = PreflightSettings::parse_skip("unique, type-cast").expect("two");
        assert_eq!(
            two.into_iter().collect::<Vec<_>>(),
            vec![PreflightRule::Unique, PreflightRule::TypeCast]
        );
        let err = PreflightSettings::parse_skip("uniq").expect_err("unknown");
        assert!(err.starts_with("unknown preflight check `uniq`"), "{err}");
    }

    #[test]
    fn findings_name_the_step_table_rule_and_rows() {
        let finding = Finding {
            step: 2,
            rule: PreflightRule::NotNull,
            table: QualifiedName::public("t"),
            requirement: "a is not null".to_string(),
            error: None,
            rows: vec![r#"{"id":1,"a":null}"#.to_string()],
        };
        insta::assert_snapshot!(finding.to_string(), @r#"
        step 3 would fail [not-null]: public.t needs a is not null; offending rows (at most 5):
              {"id":1,"a":null}
        "#);
    }
}
