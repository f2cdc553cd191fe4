//! distribution-column-not-in-unique: a unique key of a distributed table lacks the distribution column.
use crate::diagnostics::Severity;
use crate::lint::rules::{names, unique_keys};
use crate::lint::{span, Check, Family, Finding, Group, Rule, SchemaCtx};
use crate::model::Distribution;

pub static RULE: Rule = Rule {
    id: "distribution-column-not-in-unique",
    family: Family::Schema,
    group: Group::Sharding,
    default_severity: Severity::Error,
    summary: "unique key of a distributed table does not include the distribution column",
    docs: "### What it does\nFlags PRIMARY KEY, UNIQUE constraints and unique indexes of a hash-distributed (Citus) table that do not include the distribution column.\n### Why is this bad?\nCitus enforces uniqueness per shard only and refuses to distribute such a table (`cannot create constraint ... that does not include the partition column`).\n### Safe alternative\nInclude the distribution column in every unique key: `primary key (account_id, id)`.\n### Example\n```\ntable orders {\n  primary key (account_id, id)\n  shard by hash (account_id)\n}\n```",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for table in ctx.base_tables() {
        let Some(Distribution::Hash { column, .. }) = &table.distribution else {
            continue;
        };
        for (name, columns, key_span) in unique_keys(table) {
            if !columns.contains(column) {
                out.push(
                    Finding::new(
                        &RULE,
                        key_span.unwrap_or_else(|| span(&table.meta)),
                        format!(
                            "{} on distributed table {} does not include distribution column {}",
                            name, table.name, column
                        ),
                    )
                    .label(format!("key is ({})", names(&columns)))
                    .help(format!("add {column} to the key")),
                );
            }
        }
    }
}
