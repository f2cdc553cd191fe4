//! permissive-policies-only: a tenant table whose tenant check is in a permissive policy next to other permissive policies.
use crate::diagnostics::Severity;
use crate::lint::{span, Check, Family, Finding, Group, Rule, SchemaCtx};
use crate::model::PolicyCommand;

pub static RULE: Rule = Rule {
    id: "permissive-policies-only",
    family: Family::Schema,
    group: Group::Security,
    default_severity: Severity::Warning,
    summary: "tenant isolation relies on permissive policies that are OR-ed together",
    docs: "### What it does\nHeuristic: flags a table with row-level security that has a tenant column (configurable: `tenant_id`, `account_id`, ... by default) and two or more permissive policies that apply to the same command, at least one of which does not mention the tenant column, and no restrictive policy.\n### Why is this bad?\nPermissive policies are combined with OR: a second permissive policy (say, `published = true` for a public feed) grants rows of every tenant, silently bypassing the tenant check in the first one.\n### Safe alternative\nPut the tenant check in a RESTRICTIVE policy (AND-ed with everything else), and keep the permissive ones for the extra conditions.\n### Example\n```\npolicy tenant as restrictive for all to app_user using (account_id = current_setting('app.account_id')::uuid)\npolicy readable for select to app_user using (published)\n```",
    check: Check::Schema(check),
};

fn overlaps(a: PolicyCommand, b: PolicyCommand) -> bool {
    a == b || a == PolicyCommand::All || b == PolicyCommand::All
}

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for table in ctx.base_tables().filter(|table| table.rls.enabled) {
        let Some(tenant) = table.columns.iter().find(|column| {
            ctx.config
                .tenant_columns
                .iter()
                .any(|name| name == column.name.as_str())
        }) else {
            continue;
        };
        if table.policies.values().any(|policy| !policy.permissive) {
            continue;
        }
        let mentions_tenant = |policy: &crate::model::Policy| {
            let text = |expr: &Option<crate::model::SqlExpr>| {
                expr.as_ref()
                    .is_some_and(|e| e.canonical.contains(tenant.name.as_str()))
            };
            text(&policy.using) || text(&policy.with_check)
        };
        let policies: Vec<_> = table.policies.values().collect();
        for lax in policies.iter().filter(|policy| !mentions_tenant(policy)) {
            let guarded = policies
                .iter()
                .any(|other| mentions_tenant(other) && overlaps(other.command, lax.command));
            if guarded {
                out.push(
                    Finding::new(
                        &RULE,
                        span(&lax.meta),
                        format!(
                            "permissive policy {} on {} is OR-ed with the tenant check on {}",
                            lax.name, table.name, tenant.name
                        ),
                    )
                    .label("grants rows of every tenant")
                    .help("make the tenant policy `as restrictive`, or add the tenant check to this policy"),
                );
            }
        }
    }
}
