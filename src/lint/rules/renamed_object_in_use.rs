//! renamed-object-in-use: a table, column, view, function, sequence or schema is renamed while running code may still use the old name.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::model::RenameKind;
use crate::plan::Action;

pub static RULE: Rule = Rule {
    id: "renamed-object-in-use",
    family: Family::Migration,
    group: Group::Destructive,
    default_severity: Severity::Warning,
    summary: "renaming a table, column, view, function, sequence or schema breaks code that still uses the old name",
    docs: "### What it does\nFlags plan steps that rename a table, a column, a view, a materialized view, a function, a procedure, a sequence or a schema (from a `was` hint): the names application code uses.\n### Why is this bad?\nThe rename is instant, but the application version that is running while the plan applies still queries the old name and fails until the new version is deployed.\n### Safe alternative\nExpand and contract: deploy code that works with both names (for a table, a view with the old name; for a column, write both), rename, then remove the compatibility code. Or deploy code and schema together in a maintenance window.\n### Example\n```\ntable customers was clients { ... }   // then: view clients as select * from customers;\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        let renames_a_used_name = match &step.action {
            Action::RenameColumn { .. }
            | Action::RenameTable { .. }
            | Action::RenameSchema { .. } => true,
            // Enums, domains and triggers are not named by queries.
            Action::RenameObject { kind, .. } => matches!(
                kind,
                RenameKind::View
                    | RenameKind::MaterializedView
                    | RenameKind::Function
                    | RenameKind::Procedure
                    | RenameKind::Sequence
            ),
            _ => false,
        };
        if !renames_a_used_name {
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
