//! add-column-volatile-default: ADD COLUMN with a volatile default on an existing table.
use crate::diagnostics::Severity;
use crate::lint::rules::{statement, step_table};
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};

pub static RULE: Rule = Rule {
    id: "add-column-volatile-default",
    family: Family::Migration,
    group: Group::Locking,
    default_severity: Severity::Error,
    summary: "column added with a volatile default rewrites the table",
    docs: "### What it does\nFlags `ADD COLUMN ... DEFAULT f()` steps on an existing table when `f` is volatile (`gen_random_uuid()`, `random()`, `clock_timestamp()`, `nextval()`, `uuid_generate_v4()`, `timeofday()`), and any ADD COLUMN with a default on PostgreSQL before 11.\n### Why is this bad?\nA constant default is stored once in the catalog (PostgreSQL 11+), but a volatile one must be evaluated per row: PostgreSQL rewrites the whole table under an ACCESS EXCLUSIVE lock.\n### Safe alternative\nAdd the column without a default, set the default (applies to new rows only), backfill existing rows in batches, then add NOT NULL with the check strategy. schemac's default strategy does exactly this.\n### Example\n```sql\nALTER TABLE users ADD COLUMN token uuid;\nALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();\n-- batched backfill, then NOT NULL via a validated check\n```",
    check: Check::Migration(check),
};

const VOLATILE: &[&str] = &[
    "GEN_RANDOM_UUID(",
    "UUID_GENERATE_V4(",
    "UUID_GENERATE_V1(",
    "RANDOM(",
    "CLOCK_TIMESTAMP(",
    "TIMEOFDAY(",
    "NEXTVAL(",
    "TXID_CURRENT(",
];

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        let sql = statement(step);
        if !(sql.starts_with("ALTER TABLE") && sql.contains(" ADD COLUMN ")) {
            continue;
        }
        let Some(default_idx) = sql.find(" DEFAULT ") else {
            continue;
        };
        let default = &sql[default_idx..];
        let volatile = VOLATILE.iter().any(|name| default.contains(name))
            || sql.contains(" GENERATED ALWAYS AS (")
            || ctx.config.target_version < 11;
        let Some(table) = step_table(step) else {
            continue;
        };
        if !volatile || !ctx.existed(table) {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                ctx.span_of(step),
                format!("step {number} adds a column with a volatile default to {table}"),
            )
            .label("rewrites the table under ACCESS EXCLUSIVE")
            .help("add the column without a default, set the default, backfill in batches")
            .step(number),
        );
    }
}
