//! drop-index-without-concurrently: an index of an existing table dropped without CONCURRENTLY.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::model::ObjectId;
use crate::plan::Action;

pub static RULE: Rule = Rule {
    id: "drop-index-without-concurrently",
    family: Family::Migration,
    group: Group::Locking,
    default_severity: Severity::Warning,
    summary: "index dropped without CONCURRENTLY",
    docs: "### What it does\nFlags `DROP INDEX` steps without `CONCURRENTLY` for an index of a table that stays in the schema.\n### Why is this bad?\nA plain DROP INDEX takes an ACCESS EXCLUSIVE lock on the table: it waits behind every running query and blocks every new one, reads included, until it gets the lock.\n### Safe alternative\n`DROP INDEX CONCURRENTLY` outside a transaction, schemac's default (indexes of partitioned tables cannot be dropped concurrently; drop those in a quiet moment).\n### Example\n```sql\nDROP INDEX CONCURRENTLY public.orders_status_idx;\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        let ObjectId::Index(table, name) = &step.origin.object else {
            continue;
        };
        if !matches!(
            step.action,
            Action::DropIndex {
                concurrently: false,
                ..
            }
        ) {
            continue;
        }
        let stays = ctx
            .desired
            .tables
            .get(table)
            .is_some_and(|t| t.partition_by.is_none());
        if !stays || !ctx.existed(table) {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                ctx.span_of(step),
                format!("step {number} drops index {name} on {table} without CONCURRENTLY"),
            )
            .label("ACCESS EXCLUSIVE while waiting for running queries")
            .help("use DROP INDEX CONCURRENTLY")
            .step(number),
        );
    }
}
