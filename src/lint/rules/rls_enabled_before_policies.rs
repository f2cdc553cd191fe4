//! rls-enabled-before-policies: RLS is enabled before the table's policies exist.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::model::QualifiedName;
use crate::plan::Action;
use std::collections::HashMap;

pub static RULE: Rule = Rule {
    id: "rls-enabled-before-policies",
    family: Family::Migration,
    group: Group::Security,
    default_severity: Severity::Error,
    summary: "row-level security enabled before the policies that grant access",
    docs: "### What it does\nFlags a plan that enables row-level security on an existing table in a step that runs (commits) before a step creating one of that table's policies.\n### Why is this bad?\nBetween the two commits RLS denies every row to the application: reads return nothing and writes fail. That is an outage (`rls-lockout`).\n### Safe alternative\nCreate the policies first, then enable RLS (schemac's default order), or do both in one transaction.\n### Example\n```sql\nCREATE POLICY tenant ON notes USING (...);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    // Steps creating a policy, per table, in step order.
    let mut policy_steps: HashMap<&QualifiedName, Vec<usize>> = HashMap::new();
    for (number, step) in ctx.steps() {
        if let Action::CreatePolicy { table, .. } = &step.action {
            policy_steps.entry(table).or_default().push(number);
        }
    }
    for (number, step) in ctx.steps() {
        let Action::EnableRls { table } = &step.action else {
            continue;
        };
        if !ctx.existed(table) {
            continue;
        }
        // The first policy of the table created after the transaction
        // that enables RLS has committed.
        let commit = ctx.group_end(number);
        let later_policy = policy_steps.get(table).and_then(|numbers| {
            let first_later = numbers.partition_point(|&later| later <= commit);
            numbers.get(first_later).copied()
        });
        if let Some(policy_number) = later_policy {
            out.push(
                Finding::new(
                    &RULE,
                    ctx.span_of(step),
                    format!("step {number} enables row level security on {table} before step {policy_number} creates its policy"),
                )
                .label("every row is denied in between")
                .help("create the policies first")
                .step(number),
            );
        }
    }
}
