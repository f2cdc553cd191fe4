//! set-not-null-without-check: SET NOT NULL on an existing column without a validated IS NOT NULL check.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::model::{Ident, QualifiedName};
use crate::plan::{Action, ConstraintAction};
use std::collections::HashMap;

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
    // CHECK (column IS NOT NULL) constraints the plan adds, per (table,
    // column), and the first step validating each (table, constraint).
    let mut not_null_checks: HashMap<(&QualifiedName, &Ident), Vec<(usize, &Ident)>> =
        HashMap::new();
    let mut first_validation: HashMap<(&QualifiedName, &Ident), usize> = HashMap::new();
    for (number, step) in ctx.steps() {
        match &step.action {
            Action::AddConstraint {
                table,
                name,
                kind: ConstraintAction::NotNullCheck { column },
                ..
            } => not_null_checks
                .entry((table, column))
                .or_default()
                .push((number, name)),
            Action::ValidateConstraint { table, name } => {
                first_validation.entry((table, name)).or_insert(number);
            }
            _ => {}
        }
    }
    for (number, step) in ctx.steps() {
        let Action::SetNotNull { table, column } = &step.action else {
            continue;
        };
        if !ctx.existed(table) {
            continue;
        }
        // An earlier, validated CHECK (column IS NOT NULL) on the table
        // lets PostgreSQL 12+ skip the scan.
        let proved = not_null_checks
            .get(&(table, column))
            .into_iter()
            .flatten()
            .any(|&(added, name)| {
                added < number
                    && first_validation
                        .get(&(table, name))
                        .is_some_and(|&validated| validated < number)
            });
        if proved && ctx.config.target_version >= 12 {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                ctx.span_of(step),
                format!("step {number} sets {table}.{column} NOT NULL with a full scan under ACCESS EXCLUSIVE"),
            )
            .label("blocks reads and writes during the scan")
            .help("validate a CHECK (column IS NOT NULL) first; schemac's online strategy does this")
            .step(number),
        );
    }
}
