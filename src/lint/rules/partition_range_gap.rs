//! partition-range-gap: range partitions that leave a gap between them (overlaps are validation errors).
use crate::diagnostics::Severity;
use crate::lint::{span, Check, Family, Finding, Group, Rule, SchemaCtx};
use crate::model::{BoundValue, PartitionBound, PartitionStrategy};

pub static RULE: Rule = Rule {
    id: "partition-range-gap",
    family: Family::Schema,
    group: Group::Partitioning,
    default_severity: Severity::Warning,
    summary: "range partitions leave a gap or overlap",
    docs: "### What it does\nSorts the range partitions of a table by their lower bound and flags a partition whose lower bound is not the previous partition's upper bound (a gap) or lies before it (an overlap).\n### Why is this bad?\nRows whose key falls into a gap have no partition: INSERT fails with `no partition of relation found for row` (or lands in the default partition). Overlaps are rejected by PostgreSQL when the partition is created.\n### Safe alternative\nMake ranges contiguous; `every 1 month from A to B` generates contiguous ranges.\n### Example\n```\npartition p2025 for values from ('2025-01-01') to ('2026-01-01')\npartition p2026 for values from ('2026-01-01') to ('2027-01-01')\n```",
    check: Check::Schema(check),
};

fn literal(values: &[BoundValue]) -> Option<String> {
    match values {
        [BoundValue::Literal(expr)] => Some(expr.canonical.clone()),
        _ => None,
    }
}

/// Orders literal bounds: numbers numerically, quoted strings (dates in
/// ISO form) textually.
fn sort_key(text: &str) -> (i32, f64, &str) {
    match text.trim_matches('\'').parse::<f64>() {
        Ok(number) if !text.starts_with('\'') => (0, number, ""),
        _ => (1, 0.0, text),
    }
}

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for table in ctx.base_tables() {
        let is_range = table
            .partition_by
            .as_ref()
            .is_some_and(|by| by.strategy == PartitionStrategy::Range && by.key.len() == 1);
        if !is_range {
            continue;
        }
        let mut ranges: Vec<(String, String, &crate::model::Table)> = ctx
            .partitions_of(&table.name)
            .filter_map(|partition| match &partition.partition_of.as_ref()?.bound {
                PartitionBound::Range { from, to } => {
                    Some((literal(from)?, literal(to)?, partition))
                }
                _ => None,
            })
            .collect();
        ranges.sort_by(|a, b| {
            sort_key(&a.0)
                .partial_cmp(&sort_key(&b.0))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| a.2.name.cmp(&b.2.name))
        });
        for pair in ranges.windows(2) {
            let (_, previous_to, previous) = &pair[0];
            let (next_from, _, next) = &pair[1];
            if previous_to == next_from {
                continue;
            }
            let overlap = sort_key(next_from) < sort_key(previous_to);
            let what = if overlap {
                "overlaps"
            } else {
                "leaves a gap after"
            };
            out.push(
                Finding::new(
                    &RULE,
                    span(&next.meta),
                    format!(
                        "partition {} of {} {what} {} ({} .. {})",
                        next.name, table.name, previous.name, previous_to, next_from
                    ),
                )
                .label(if overlap {
                    "overlapping range"
                } else {
                    "gap before this range"
                })
                .secondary(previous.meta.span, "previous partition")
                .help("make each range start where the previous one ends"),
            );
        }
    }
}
