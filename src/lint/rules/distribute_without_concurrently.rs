//! distribute-without-concurrently: an existing table is distributed with the blocking Citus call.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::plan::Action;

pub static RULE: Rule = Rule {
    id: "distribute-without-concurrently",
    family: Family::Migration,
    group: Group::Sharding,
    default_severity: Severity::Error,
    summary: "existing table distributed without create_distributed_table_concurrently",
    docs: "### What it does\nFlags `create_distributed_table(...)` calls on a table that exists before the plan runs.\n### Why is this bad?\n`create_distributed_table` copies the table's rows into shards while blocking writes to it for the whole copy.\n### Safe alternative\n`create_distributed_table_concurrently` (Citus 11.2+) copies without blocking writes; it cannot run inside a transaction block. schemac uses it for existing tables by default.\n### Example\n```sql\nSELECT create_distributed_table_concurrently('public.orders', 'account_id');\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        // create_distributed_table (hash) only: a reference table is
        // copied whole either way.
        let Action::Distribute {
            table,
            column: Some(_),
            concurrently: false,
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
                format!("step {number} distributes existing table {table} while blocking writes"),
            )
            .label("writes wait for the whole copy")
            .help("use create_distributed_table_concurrently")
            .step(number),
        );
    }
}
