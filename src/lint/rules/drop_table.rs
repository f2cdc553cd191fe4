//! drop-table: a table is dropped (its rows are lost).
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::model::ObjectId;
use crate::plan::Action;

pub static RULE: Rule = Rule {
    id: "drop-table",
    family: Family::Migration,
    group: Group::Destructive,
    default_severity: Severity::Warning,
    summary: "table is dropped and its rows lost",
    docs: "### What it does\nFlags plan steps that drop a table that is not a partition (partitions: `drop-partition-with-data`).\n### Why is this bad?\nEvery row is gone when the step commits, and code that still uses the table fails. A table renamed without a `was` hint is dropped and recreated empty.\n### Safe alternative\nRemove the code that uses the table first; keep a backup; then allow the data-loss hazard. For a rename write `table new_name was old_name`.\n### Example\n```\ntable customers was clients { ... }\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        let ObjectId::Table(table) = &step.origin.object else {
            continue;
        };
        if !matches!(step.action, Action::DropTable { .. }) {
            continue;
        }
        let is_partition = ctx
            .current
            .tables
            .get(table)
            .is_some_and(|t| t.partition_of.is_some());
        if is_partition {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                ctx.span_of(step),
                format!("step {number} drops table {table} and all its rows"),
            )
            .label("table removed")
            .help("if this is a rename, declare the new table with `was` the old name")
            .step(number),
        );
    }
}
