//! retype-column-used-by-view: a column type change on a table that views read.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::plan::Action;

pub static RULE: Rule = Rule {
    id: "retype-column-used-by-view",
    family: Family::Migration,
    group: Group::Locking,
    default_severity: Severity::Warning,
    summary: "column type changed on a table that views depend on",
    docs: "### What it does\nFlags `ALTER COLUMN ... TYPE` steps on a table that one or more views (or materialized views) of the current schema read.\n### Why is this bad?\nPostgreSQL refuses to change the type of a column a view uses (`cannot alter type of a column used by a view or rule`): the views must be dropped first and recreated after, so they are missing for a moment, and a materialized view must be refilled.\n### Safe alternative\nschemac drops and recreates dependent views around the change; make sure nothing reads them during the migration, or add a new column instead of retyping.\n### Example\n```\n// add amount_cents bigint, backfill, switch the view, drop amount\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        let Action::AlterColumnType { table, .. } = &step.action else {
            continue;
        };
        let views: Vec<String> = ctx
            .current
            .views
            .values()
            .filter(|view| view.depends_on.contains(table))
            .map(|view| view.name.to_string())
            .collect();
        if views.is_empty() {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                ctx.span_of(step),
                format!("step {number} changes a column type of {table}, which views read: {}", views.join(", ")),
            )
            .label("dependent views are dropped and recreated")
            .help("add a new column instead, or make sure nothing reads the views during the migration")
            .step(number),
        );
    }
}
