//! distribute-without-concurrently: an existing table is distributed with the blocking Citus call.
use crate::diagnostics::Severity;
use crate::lint::rules::{statement, step_table};
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};

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
        if !statement(step).contains("CREATE_DISTRIBUTED_TABLE(") {
            continue;
        }
        let Some(table) = step_table(step) else {
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
