//! column-type-rewrite: a column type change that rewrites the table.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::plan::Action;

pub static RULE: Rule = Rule {
    id: "column-type-rewrite",
    family: Family::Migration,
    group: Group::Locking,
    default_severity: Severity::Error,
    summary: "column type change rewrites the table",
    docs: "### What it does\nFlags `ALTER COLUMN ... TYPE` steps that the planner marks as rewriting the table (anything that is not binary-coercible: `integer` to `bigint`, `text` to `integer`, `timestamp` to `timestamptz`, a collation change...).\n### Why is this bad?\nThe table and all its indexes are rewritten under an ACCESS EXCLUSIVE lock: no reads, no writes, for as long as copying the table takes.\n### Safe alternative\nExpand and contract: add a new column of the new type, write to both (trigger), backfill in batches, switch readers, drop the old column. In-place changes (widening `varchar(n)`, `varchar` to `text`, raising `numeric` precision) are free and not flagged.\n### Example\n```\n// step 1: add the new column\namount_cents bigint\n// step 2 (later release): drop the old one\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        let Action::AlterColumnType {
            table,
            rewrite: true,
            ..
        } = &step.action
        else {
            continue;
        };
        if !ctx.existed(table) {
            continue;
        }
        out.push(
            Finding::new(&RULE, ctx.span_of(step), format!("step {number} rewrites {table} to change a column type"))
                .label("table rewrite under ACCESS EXCLUSIVE")
                .help("add a new column and backfill it instead, or allow the table-rewrite hazard for a small table")
                .step(number),
        );
    }
}
