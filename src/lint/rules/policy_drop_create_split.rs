//! policy-drop-create-split: a policy is dropped and re-created in separate transactions.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::model::ObjectId;
use crate::plan::Action;

pub static RULE: Rule = Rule {
    id: "policy-drop-create-split",
    family: Family::Migration,
    group: Group::Security,
    default_severity: Severity::Error,
    summary: "policy changed by DROP and CREATE in separate transactions",
    docs: "### What it does\nFlags a plan that drops a policy and creates a policy of the same name on the same table in different transactions.\n### Why is this bad?\nBetween the two commits the table has one policy less: rows that policy granted are invisible (permissive) or rows it restricted are exposed (restrictive).\n### Safe alternative\nUse `ALTER POLICY` when only the roles or expressions change, or drop and create in one transaction: schemac does both by default.\n### Example\n```sql\nBEGIN;\nDROP POLICY tenant ON notes;\nCREATE POLICY tenant ON notes AS RESTRICTIVE USING (...);\nCOMMIT;\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        let ObjectId::Policy(table, name) = &step.origin.object else {
            continue;
        };
        if !matches!(step.action, Action::DropPolicy { .. }) {
            continue;
        }
        let recreate = ctx
            .steps_of(&step.origin.object)
            .iter()
            .copied()
            .filter(|&later| later > number)
            .find(|&later| {
                matches!(
                    ctx.plan.steps[later - 1].action,
                    Action::CreatePolicy { .. }
                )
            });
        let Some(create_number) = recreate else {
            continue;
        };
        let same_transaction = step.transactional && create_number <= ctx.group_end(number);
        if !same_transaction {
            out.push(
                Finding::new(
                    &RULE,
                    ctx.span_of(step),
                    format!("policy {name} on {table} is dropped in step {number} and created again in step {create_number}, in separate transactions"),
                )
                .label("the table lacks this policy in between")
                .help("run both in one transaction, or use ALTER POLICY")
                .step(number),
            );
        }
    }
}
