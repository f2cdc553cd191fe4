//! table-without-primary-key: a table (not a partition) with no PRIMARY KEY.
use crate::diagnostics::Severity;
use crate::lint::{span, Check, Family, Finding, Group, Rule, SchemaCtx};

pub static RULE: Rule = Rule {
    id: "table-without-primary-key",
    family: Family::Schema,
    group: Group::Design,
    default_severity: Severity::Warning,
    summary: "table has no primary key",
    docs: "### What it does\nFlags tables that declare no PRIMARY KEY.\n\
### Why is this bad?\nWithout a key, rows cannot be addressed reliably: logical replication cannot replicate UPDATE and DELETE (no replica identity), tools that batch over the table have no stable order, and duplicates creep in.\n\
### Safe alternative\nAdd a primary key (an identity column or a natural key). On an existing table schemac builds it online: a unique index CONCURRENTLY, then `ADD PRIMARY KEY USING INDEX`.\n\
### Example\n```\ntable events {\n  id bigint generated always as identity primary key\n  payload jsonb\n}\n```",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for table in ctx.base_tables() {
        if table.primary_key().is_none() {
            out.push(
                Finding::new(
                    &RULE,
                    span(&table.meta),
                    format!("table {} has no primary key", table.name),
                )
                .label("no primary key")
                .help("add `primary key` to an identity column or a natural key"),
            );
        }
    }
}
