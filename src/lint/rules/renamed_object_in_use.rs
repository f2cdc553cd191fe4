//! renamed-object-in-use: a table or column is renamed while running code may still use the old name.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::plan::Action;

pub static RULE: Rule = Rule {
    id: "renamed-object-in-use",
    family: Family::Migration,
    group: Group::Destructive,
    default_severity: Severity::Warning,
    summary: "renaming a table or column breaks code that still uses the old name",
    docs: "### What it does\nFlags plan steps that rename a table or a column (from a `was` hint).\n### Why is this bad?\nThe rename is instant, but the application version that is running while the plan applies still queries the old name and fails until the new version is deployed.\n### Safe alternative\nExpand and contract: deploy code that works with both names (for a table, a view with the old name; for a column, write both), rename, then remove the compatibility code. Or deploy code and schema together in a maintenance window.\n### Example\n```\ntable customers was clients { ... }   // then: view clients as select * from customers;\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        if !matches!(
            step.action,
            Action::RenameColumn { .. } | Action::RenameTable { .. }
        ) {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                ctx.span_of(step),
                format!("step {number}: {}", step.description),
            )
            .label("running code may still use the old name")
            .help("deploy code that handles both names first, or rename in a maintenance window")
            .step(number),
        );
    }
}
