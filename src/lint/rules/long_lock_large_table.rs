//! long-lock-large-table: a step holds ACCESS EXCLUSIVE on a large table while it scans or rewrites it.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::plan::LockMode;

pub static RULE: Rule = Rule {
    id: "long-lock-large-table",
    family: Family::Migration,
    group: Group::Locking,
    default_severity: Severity::Error,
    summary: "ACCESS EXCLUSIVE held on a large table for a scan or rewrite",
    docs: "### What it does\nFlags steps that take ACCESS EXCLUSIVE on a table and scan or rewrite it, when the table is large: at least `[lint] large-table-bytes` or `large-table-rows` by the live statistics of `--db`, or of unknown size when planning offline.\n### Why is this bad?\nACCESS EXCLUSIVE blocks every query on the table, SELECT included, for as long as the scan or rewrite takes, and every query queues behind it.\n### Safe alternative\nUse the online strategy for the change (schemac's default where one exists), or run it in a maintenance window with `--allow-hazards long-lock`.\n### Example\n```\n// widen in place instead of rewriting: varchar(50) -> varchar(100)\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        if !(step.rewrites || step.scans) {
            continue;
        }
        for lock in step
            .locks
            .iter()
            .filter(|lock| lock.mode == LockMode::AccessExclusive)
        {
            if !ctx.existed(&lock.relation) || !ctx.is_large(step) {
                continue;
            }
            let size = match step.table_size {
                Some(size) => format!(" ({})", crate::render::describe_table_size(size)),
                None => " (size unknown offline)".to_string(),
            };
            out.push(
                Finding::new(
                    &RULE,
                    ctx.span_of(step),
                    format!(
                        "step {number} holds ACCESS EXCLUSIVE on {}{size} while it {}",
                        lock.relation,
                        if step.rewrites {
                            "rewrites it"
                        } else {
                            "scans it"
                        }
                    ),
                )
                .label("blocks reads and writes for the whole step")
                .help("use an online strategy or a maintenance window")
                .step(number),
            );
        }
    }
}
