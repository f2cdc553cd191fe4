//! add-required-column: a NOT NULL column without a default added to an existing table.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::plan::Action;

pub static RULE: Rule = Rule {
    id: "add-required-column",
    family: Family::Migration,
    group: Group::Destructive,
    default_severity: Severity::Error,
    summary: "NOT NULL column without a default added to an existing table",
    docs: "### What it does\nFlags steps that add a column declared NOT NULL with no DEFAULT (and no identity or generation expression) to a table that exists before the plan runs.\n### Why is this bad?\nIf the table has any row, PostgreSQL cannot fill the new column and the step fails (`column ... contains null values`); if it is empty now, it may not be in production. Old application code that inserts without the column fails too.\n### Safe alternative\nGive the column a default, or add it nullable, backfill, and make it NOT NULL in a later release (schemac plans the NOT NULL online).\n### Example\n```\nplan text not null default 'free'\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        let Action::AddColumn {
            table,
            not_null: true,
            default: None,
            generated: false,
            identity: false,
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
                format!("step {number} adds a NOT NULL column without a default to {table}"),
            )
            .label("fails if the table has rows")
            .help("add a default, or add the column nullable and backfill it first")
            .step(number),
        );
    }
}
