//! identifier-too-long: identifier longer than 63 bytes.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, Rule, SchemaCtx};

pub static RULE: Rule = Rule {
    id: "identifier-too-long",
    family: Family::Schema,
    group: Group::Naming,
    default_severity: Severity::Error,
    summary: "identifier longer than 63 bytes",
    docs: "### What it does\nFlags names longer than 63 bytes (NAMEDATALEN - 1).\n### Why is this bad?\nPostgreSQL silently truncates longer names: two long names that share their first 63 bytes collide, and the name in the catalog no longer matches the one in the schema files, so every plan would try to recreate the object.\n### Safe alternative\nShorten the name to at most 63 bytes.\n### Example\n```\nindex orders_account_created_idx (account_id, created_at)\n```",
    check: Check::Schema(check),
};

pub(crate) fn flagged(name: &str) -> bool {
    name.len() > 63
}

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for declared in ctx.declared_names() {
        if !declared.too_long {
            continue;
        }
        let (what, owner, name) = (declared.what, declared.owner, declared.name);
        let Some(span) = declared.span else {
            continue;
        };
        let place = if owner.is_empty() {
            String::new()
        } else {
            format!(" in {owner}")
        };
        out.push(
            Finding::new(
                &RULE,
                span,
                format!("{what} name {}{place} is longer than 63 bytes", name),
            )
            .label("PostgreSQL truncates this name")
            .help("shorten it to 63 bytes or fewer"),
        );
    }
}
