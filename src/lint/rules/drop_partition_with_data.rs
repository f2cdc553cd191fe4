//! drop-partition-with-data: a partition is detached and dropped with its rows.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::model::ObjectId;
use crate::plan::Action;

pub static RULE: Rule = Rule {
    id: "drop-partition-with-data",
    family: Family::Migration,
    group: Group::Destructive,
    default_severity: Severity::Warning,
    summary: "partition dropped with its rows",
    docs: "### What it does\nFlags plan steps that drop a partition of a partitioned table.\n### Why is this bad?\nThe partition's rows are deleted. That is often the point (retention), but it must be a decision: a partition that disappears because a generated range moved also disappears with its data.\n### Safe alternative\nArchive the partition first (detach it and keep it, or dump it), then allow the data-loss hazard. schemac detaches CONCURRENTLY before dropping so readers are not blocked.\n### Example\n```\npartition by range (created_at) every 1 month from '2025-01-01' to '2027-01-01'  // moving `from` drops old months\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        let ObjectId::Table(table) = &step.origin.object else {
            continue;
        };
        let Some(partition) = ctx.current.tables.get(table) else {
            continue;
        };
        let Some(of) = &partition.partition_of else {
            continue;
        };
        if !matches!(step.action, Action::DropTable { .. }) {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                ctx.span_of(step),
                format!(
                    "step {number} drops partition {table} of {} with its rows",
                    of.parent
                ),
            )
            .label("partition removed")
            .help("archive the partition first if its rows are still needed")
            .step(number),
        );
    }
}
