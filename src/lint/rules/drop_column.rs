//! drop-column: a column is dropped (its data is lost).
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::model::ObjectId;
use crate::plan::Action;

pub static RULE: Rule = Rule {
    id: "drop-column",
    family: Family::Migration,
    group: Group::Destructive,
    default_severity: Severity::Warning,
    summary: "column is dropped and its data lost",
    docs: "### What it does\nFlags plan steps that drop a column.\n### Why is this bad?\nThe data is gone once the step commits, and application code that still selects or inserts the column fails at once. A column that is missing from the schema because it was renamed without a `was` hint is dropped too.\n### Safe alternative\nStop using the column in code first and deploy that; then drop it with the data-loss hazard allowed. For a rename, add `was old_name` to the column.\n### Example\n```\nemail text was mail   // a rename, not a drop\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        let ObjectId::Column(table, column) = &step.origin.object else {
            continue;
        };
        if !matches!(step.action, Action::DropColumn { .. }) {
            continue;
        }
        let span = ctx.span_of(step);
        out.push(
            Finding::new(
                &RULE,
                span,
                format!("step {number} drops column {table}.{column} and its data"),
            )
            .label(format!("{column} is not declared here any more"))
            .help("make sure no code uses it; add `was` to a column if this is a rename")
            .step(number),
        );
    }
}
