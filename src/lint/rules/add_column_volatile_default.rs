//! add-column-volatile-default: ADD COLUMN with a volatile default on an existing table.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::plan::Action;

pub static RULE: Rule = Rule {
    id: "add-column-volatile-default",
    family: Family::Migration,
    group: Group::Locking,
    default_severity: Severity::Error,
    summary: "column added with a volatile default rewrites the table",
    docs: "### What it does\nFlags `ADD COLUMN ... DEFAULT f()` steps on an existing table when `f` is volatile, as the planner judges it: a function not known to be immutable or stable, or one the schema declares VOLATILE (`gen_random_uuid()`, `random()`, `clock_timestamp()`, `nextval()`, `uuid_generate_v4()`, `timeofday()`), and any ADD COLUMN with a default on PostgreSQL before 11.\n### Why is this bad?\nA constant default is stored once in the catalog (PostgreSQL 11+), but a volatile one must be evaluated per row: PostgreSQL rewrites the whole table under an ACCESS EXCLUSIVE lock.\n### Safe alternative\nAdd the column without a default, set the default (applies to new rows only), backfill existing rows in batches, then add NOT NULL with the check strategy. schemac's default strategy does exactly this.\n### Example\n```sql\nALTER TABLE users ADD COLUMN token uuid;\nALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();\n-- batched backfill, then NOT NULL via a validated check\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        let Action::AddColumn {
            table,
            default: Some(_),
            volatile_default,
            ..
        } = &step.action
        else {
            continue;
        };
        let volatile = *volatile_default || ctx.config.target_version < 11;
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
