//! default-partition-range: a range-partitioned table with a DEFAULT partition.
use crate::diagnostics::Severity;
use crate::lint::{span, Check, Family, Finding, Group, Rule, SchemaCtx};
use crate::model::{PartitionBound, PartitionStrategy};

pub static RULE: Rule = Rule {
    id: "default-partition-range",
    family: Family::Schema,
    group: Group::Partitioning,
    default_severity: Severity::Warning,
    summary: "range-partitioned table has a default partition",
    docs: "### What it does\nFlags a DEFAULT partition on a range-partitioned table.\n### Why is this bad?\nEvery later `ATTACH PARTITION` (or `CREATE TABLE ... PARTITION OF`) must scan the default partition to prove no row belongs to the new range, holding a lock on it; rows that land in the default partition by mistake block the attach entirely. `DETACH ... CONCURRENTLY` is not allowed while a default partition exists.\n### Safe alternative\nCreate partitions ahead of time (`every 1 month from ... to ...`) and monitor that the last one is far enough in the future, instead of catching stray rows in a default partition.\n### Example\n```\npartition by range (created_at) every 1 month from '2025-01-01' to '2027-01-01'\n```",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for table in ctx.base_tables() {
        let is_range = table
            .partition_by
            .as_ref()
            .is_some_and(|by| by.strategy == PartitionStrategy::Range);
        if !is_range {
            continue;
        }
        for partition in ctx.partitions_of(&table.name) {
            let is_default = partition
                .partition_of
                .as_ref()
                .is_some_and(|of| of.bound == PartitionBound::Default);
            if is_default {
                out.push(
                    Finding::new(
                        &RULE,
                        span(&partition.meta),
                        format!(
                            "range-partitioned table {} has default partition {}",
                            table.name, partition.name
                        ),
                    )
                    .label("every attach scans this partition")
                    .help(
                        "create partitions ahead of time instead of relying on a default partition",
                    ),
                );
            }
        }
    }
}
