//! rls-not-forced: RLS is enabled but not forced while the application role owns the tables.
use crate::diagnostics::Severity;
use crate::lint::{span, Check, Family, Finding, Group, Rule, SchemaCtx};

pub static RULE: Rule = Rule {
    id: "rls-not-forced",
    family: Family::Schema,
    group: Group::Security,
    default_severity: Severity::Warning,
    summary: "row-level security not forced although the application owns the tables",
    docs: "### What it does\nWhen `[lint] app-role-owns-tables = true` in schemac.toml (the application connects as the role that owns the tables, common with a single database user), flags tables that enable row-level security without `forced`.\n### Why is this bad?\nTable owners bypass row-level security unless it is FORCEd: every policy is ignored for the application, so tenant isolation silently does nothing.\n### Safe alternative\nUse `row level security forced`, or connect as a role that does not own the tables.\n### Example\n```\ntable notes {\n  row level security forced\n}\n```",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    if !ctx.config.app_role_owns_tables {
        return;
    }
    for table in ctx.base_tables() {
        if table.rls.enabled && !table.rls.forced {
            out.push(
                Finding::new(
                    &RULE,
                    span(&table.meta),
                    format!(
                        "table {} enables row level security without forcing it",
                        table.name
                    ),
                )
                .label("the owning application role bypasses every policy")
                .help("write `row level security forced`"),
            );
        }
    }
}
