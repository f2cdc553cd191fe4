//! index-without-concurrently: an index built on an existing table without CONCURRENTLY.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::plan::Action;

pub static RULE: Rule = Rule {
    id: "index-without-concurrently",
    family: Family::Migration,
    group: Group::Locking,
    default_severity: Severity::Error,
    summary: "index built on an existing table without CONCURRENTLY",
    docs: "### What it does\nFlags plan steps that run `CREATE INDEX` without `CONCURRENTLY` on a table that exists before the plan runs (indexes on tables created by the same plan, and `ON ONLY` parents of partitioned indexes, are fine).\n### Why is this bad?\n`CREATE INDEX` takes a SHARE lock: every INSERT, UPDATE and DELETE on the table waits until the whole index is built, minutes to hours on a large table.\n### Safe alternative\nschemac's default strategy builds indexes with `CREATE INDEX CONCURRENTLY` outside a transaction, and per partition for partitioned tables. This rule fires only when that strategy was turned off (`online = false`).\n### Example\n```sql\nCREATE INDEX CONCURRENTLY orders_status_idx ON public.orders (status);\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        let Action::CreateIndex {
            table,
            concurrently: false,
            on_only: false,
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
                format!("step {number} builds an index on {table} without CONCURRENTLY"),
            )
            .label("writes to the table wait for the whole build")
            .help("use the online strategy (CREATE INDEX CONCURRENTLY)")
            .step(number),
        );
    }
}
