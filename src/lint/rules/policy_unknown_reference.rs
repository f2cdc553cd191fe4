//! policy-unknown-reference: a policy names a role or a column that does not exist.
use crate::diagnostics::Severity;
use crate::lint::{span, Check, Family, Finding, Group, Rule, SchemaCtx};
use crate::model::{normalize, BUILTIN_ROLES};

pub static RULE: Rule = Rule {
    id: "policy-unknown-reference",
    family: Family::Schema,
    group: Group::Security,
    default_severity: Severity::Error,
    summary: "policy names a role or column that does not exist",
    docs: "### What it does\nFlags policies whose `to` list names a role that is not declared (`role NAME`) and not built in, and policies whose USING / WITH CHECK expression names a column the table does not have.\n### Why is this bad?\nCREATE POLICY fails on an unknown role or column, in the middle of a deploy; a role that exists in staging but not in production fails only there.\n### Safe alternative\nDeclare the roles the schema relies on with `role NAME` (schemac checks them against the server), and fix the column name.\n### Example\n```\nrole app_user\ntable notes {\n  policy tenant to app_user using (account_id = current_setting('app.account_id')::uuid)\n}\n```",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for table in ctx.base_tables() {
        for policy in table.policies.values() {
            for role in &policy.roles {
                let known = ctx.model.roles.contains_key(role)
                    || BUILTIN_ROLES.contains(&role.as_str())
                    || role.as_str().starts_with("pg_");
                if !known {
                    out.push(
                        Finding::new(
                            &RULE,
                            span(&policy.meta),
                            format!(
                                "policy {} on {} names unknown role {}",
                                policy.name, table.name, role
                            ),
                        )
                        .label("unknown role")
                        .help(
                            crate::diagnostics::suggest::with_suggestion(
                                format!("declare it with `role {role}` or fix the name"),
                                role.as_str(),
                                ctx.model
                                    .roles
                                    .keys()
                                    .map(|known| known.as_str())
                                    .chain(BUILTIN_ROLES.iter().copied()),
                            ),
                        ),
                    );
                }
            }
            for expr in policy.using.iter().chain(policy.with_check.iter()) {
                // Only bare names are checked: qualified references and
                // subqueries may name other tables' columns, so an
                // expression with a subquery is not checked at all.
                if expr.canonical.to_lowercase().contains("select") {
                    continue;
                }
                for column in normalize::expr_columns(expr) {
                    if is_qualified(&expr.canonical, column.as_str()) {
                        continue;
                    }
                    if table.column(&column).is_none() {
                        out.push(
                            Finding::new(
                                &RULE,
                                span(&policy.meta),
                                format!(
                                    "policy {} on {} refers to unknown column {}",
                                    policy.name, table.name, column
                                ),
                            )
                            .label("unknown column")
                            .help(
                                crate::diagnostics::suggest::with_suggestion(
                                    format!("table {} has no column {}", table.name, column),
                                    column.as_str(),
                                    table.columns.iter().map(|known| known.name.as_str()),
                                ),
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// True when `text` contains `.column` (a qualified reference).
fn is_qualified(text: &str, column: &str) -> bool {
    text.match_indices('.')
        .any(|(idx, _)| text[idx + 1..].starts_with(column))
}
