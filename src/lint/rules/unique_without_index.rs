//! unique-without-index: a UNIQUE or PRIMARY KEY constraint added to an existing table without a prebuilt index.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::plan::{Action, ConstraintAction};

pub static RULE: Rule = Rule {
    id: "unique-without-index",
    family: Family::Migration,
    group: Group::Locking,
    default_severity: Severity::Error,
    summary: "UNIQUE or PRIMARY KEY added without building its index first",
    docs: "### What it does\nFlags `ADD CONSTRAINT ... UNIQUE / PRIMARY KEY` steps on an existing table that do not use `USING INDEX`.\n### Why is this bad?\nThe constraint builds its unique index while holding an ACCESS EXCLUSIVE lock: the table is unreadable for the whole build.\n### Safe alternative\n`CREATE UNIQUE INDEX CONCURRENTLY`, then `ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING INDEX` (instant). schemac's default strategy.\n### Example\n```sql\nCREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        let Action::AddConstraint {
            table,
            kind: ConstraintAction::Unique { .. } | ConstraintAction::PrimaryKey { .. },
            using_index: None,
            ..
        } = &step.action
        else {
            continue;
        };
        if !ctx.existed(table) {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                ctx.span_of(step),
                format!("step {number} builds a unique index on {table} under ACCESS EXCLUSIVE"),
            )
            .label("index built while the table is locked")
            .help("build the index CONCURRENTLY and add the constraint USING INDEX")
            .step(number),
        );
    }
}
