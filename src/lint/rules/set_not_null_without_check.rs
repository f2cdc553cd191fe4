//! set-not-null-without-check: SET NOT NULL on an existing column without a validated IS NOT NULL check.
use crate::diagnostics::Severity;
use crate::lint::rules::{statement, step_table};
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};

pub static RULE: Rule = Rule {
    id: "set-not-null-without-check",
    family: Family::Migration,
    group: Group::Locking,
    default_severity: Severity::Error,
    summary: "SET NOT NULL without a validated CHECK (column IS NOT NULL)",
    docs: "### What it does\nFlags `ALTER COLUMN ... SET NOT NULL` on a table that exists before the plan runs when no earlier step of the plan validated a `CHECK (column IS NOT NULL)` constraint.\n### Why is this bad?\nSET NOT NULL holds an ACCESS EXCLUSIVE lock while it scans the whole table for NULLs: nothing can read or write it meanwhile. From PostgreSQL 12 the scan is skipped when a validated CHECK already proves the column has no NULLs.\n### Safe alternative\nAdd `CHECK (column IS NOT NULL) NOT VALID`, `VALIDATE CONSTRAINT` it (no blocking lock), then `SET NOT NULL` (instant) and drop the check. This is schemac's default strategy on PostgreSQL 12 and later.\n### Example\n```sql\nALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users DROP CONSTRAINT users_email_not_null;\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    let steps: Vec<(usize, String)> = ctx
        .steps()
        .map(|(number, step)| (number, statement(step)))
        .collect();
    for (number, step) in ctx.steps() {
        let sql = &steps[number - 1].1;
        let Some(idx) = sql.find(" SET NOT NULL") else {
            continue;
        };
        let Some(table) = step_table(step) else {
            continue;
        };
        if !ctx.existed(table) {
            continue;
        }
        let column = sql[..idx]
            .rsplit(' ')
            .next()
            .unwrap_or_default()
            .to_string();
        let proved = steps[..number - 1].iter().any(|(_, earlier)| {
            earlier.contains(&format!("{column} IS NOT NULL")) && earlier.contains("CHECK")
        }) && steps[..number - 1]
            .iter()
            .any(|(_, earlier)| earlier.contains("VALIDATE CONSTRAINT"));
        if proved && ctx.config.target_version >= 12 {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                ctx.span_of(step),
                format!("step {number} sets {table}.{} NOT NULL with a full scan under ACCESS EXCLUSIVE", column.to_lowercase()),
            )
            .label("blocks reads and writes during the scan")
            .help("validate a CHECK (column IS NOT NULL) first; schemac's online strategy does this")
            .step(number),
        );
    }
}
