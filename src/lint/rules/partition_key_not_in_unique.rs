//! partition-key-not-in-unique: a unique constraint or PK of a partitioned table lacks a partition key column.
use crate::diagnostics::Severity;
use crate::lint::rules::{names, unique_keys};
use crate::lint::{span, Check, Family, Finding, Group, Rule, SchemaCtx};

pub static RULE: Rule = Rule {
    id: "partition-key-not-in-unique",
    family: Family::Schema,
    group: Group::Partitioning,
    default_severity: Severity::Error,
    summary: "unique constraint or primary key does not include every partition key column",
    docs: "### What it does\nFlags PRIMARY KEY, UNIQUE constraints and unique indexes on a partitioned table that do not contain every column of the partition key.\n### Why is this bad?\nPostgreSQL enforces uniqueness per partition only, so it refuses such constraints (`unique constraint on partitioned table must include all partitioning columns`): the migration fails.\n### Safe alternative\nAdd the partition key columns to the key, e.g. `primary key (id, created_at)`.\n### Example\n```\ntable events {\n  primary key (id, created_at)\n  partition by range (created_at)\n}\n```",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for table in ctx.base_tables() {
        let Some(partition_by) = &table.partition_by else {
            continue;
        };
        let key_columns: Vec<&str> = partition_by
            .key
            .iter()
            .map(|expr| expr.canonical.as_str())
            .collect();
        for (name, columns, key_span) in unique_keys(table) {
            let missing: Vec<&str> = key_columns
                .iter()
                .copied()
                .filter(|key| !columns.iter().any(|column| column.as_str() == *key))
                .collect();
            if !missing.is_empty() {
                out.push(
                    Finding::new(
                        &RULE,
                        key_span.unwrap_or_else(|| span(&table.meta)),
                        format!(
                            "{} on partitioned table {} does not include partition key {}",
                            name,
                            table.name,
                            missing.join(", ")
                        ),
                    )
                    .label(format!("key is ({})", names(&columns)))
                    .help(format!("add {} to the key", missing.join(", "))),
                );
            }
        }
    }
}
