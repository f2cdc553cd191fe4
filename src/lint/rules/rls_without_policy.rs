//! rls-without-policy: row-level security enabled on a table that has no policy.
use crate::diagnostics::Severity;
use crate::lint::{span, Check, Family, Finding, Group, Rule, SchemaCtx};

pub static RULE: Rule = Rule {
    id: "rls-without-policy",
    family: Family::Schema,
    group: Group::Security,
    default_severity: Severity::Error,
    summary: "row-level security is enabled but the table has no policy",
    docs: "### What it does\nFlags tables with `row level security` enabled and no policy.\n### Why is this bad?\nWith RLS enabled and no policy, PostgreSQL denies every row to every role except the owner (and, when forced, the owner too): the application sees empty tables and its writes fail.\n### Safe alternative\nDeclare the policies that grant access, or do not enable RLS yet. schemac creates policies before it enables RLS.\n### Example\n```\ntable notes {\n  account_id uuid not null\n  row level security\n  policy tenant for all to app_user using (account_id = current_setting('app.account_id')::uuid)\n}\n```",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for table in ctx.base_tables() {
        if table.rls.enabled && table.policies.is_empty() {
            out.push(
                Finding::new(
                    &RULE,
                    span(&table.meta),
                    format!(
                        "table {} enables row level security but has no policy",
                        table.name
                    ),
                )
                .label("every row is denied")
                .help("add a policy, or remove `row level security`"),
            );
        }
    }
}
