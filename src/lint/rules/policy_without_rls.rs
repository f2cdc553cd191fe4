//! policy-without-rls: policies on a table whose row-level security is not enabled.
use crate::diagnostics::Severity;
use crate::lint::{span, Check, Family, Finding, Group, Rule, SchemaCtx};

pub static RULE: Rule = Rule {
    id: "policy-without-rls",
    family: Family::Schema,
    group: Group::Security,
    default_severity: Severity::Warning,
    summary: "policy on a table without row-level security enabled",
    docs: "### What it does\nFlags policies declared on a table that does not enable row-level security.\n### Why is this bad?\nPolicies do nothing until RLS is enabled: the table is readable and writable by every role with privileges, which is rarely what the author of a policy meant.\n### Safe alternative\nAdd `row level security` (and `forced` if the application owns the table).\n### Example\n```\ntable notes {\n  row level security\n  policy tenant using (account_id = current_setting('app.account_id')::uuid)\n}\n```",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for table in ctx.base_tables() {
        if table.rls.enabled {
            continue;
        }
        for policy in table.policies.values() {
            out.push(
                Finding::new(
                    &RULE,
                    span(&policy.meta),
                    format!(
                        "policy {} on {} has no effect: row level security is not enabled",
                        policy.name, table.name
                    ),
                )
                .label("inactive policy")
                .secondary(table.meta.span, "table declared here")
                .help(format!(
                    "add `row level security` to table {}",
                    table.name.name
                )),
            );
        }
    }
}
