//! policy-unknown-reference: a policy's expression names a column its table does not have.
//!
//! Roles are not judged here: they are cluster objects only PostgreSQL can
//! resolve, so an undeclared role joins the one unresolved-reference note
//! offline and is looked up on the server by `plan --db` and `apply`
//! (`crate::live::check_unresolved`).
use crate::diagnostics::Severity;
use crate::lint::{span, Check, Family, Finding, Group, Rule, SchemaCtx};
use crate::model::normalize;

pub static RULE: Rule = Rule {
    id: "policy-unknown-reference",
    family: Family::Schema,
    group: Group::Security,
    default_severity: Severity::Error,
    summary: "policy names a column that does not exist",
    docs: "### What it does\nFlags policies whose USING / WITH CHECK expression names a column the table does not have. Roles in the `to` list are not judged here: roles are cluster objects, so an undeclared one is part of the one unresolved-reference note offline, and `plan --db` and `apply` look it up on the server (an error only when the server lacks it too).\n### Why is this bad?\nCREATE POLICY fails on an unknown column, in the middle of a deploy.\n### Safe alternative\nFix the column name.\n### Example\n```\ntable notes {\n  account_id uuid not null\n  policy tenant to app_user using (account_id = current_setting('app.account_id')::uuid)\n}\n```",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for table in ctx.base_tables() {
        for policy in table.policies.values() {
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
