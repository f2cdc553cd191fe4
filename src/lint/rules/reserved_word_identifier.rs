//! reserved-word-identifier: identifier is a reserved SQL keyword.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, Rule, SchemaCtx};
use crate::model::normalize;

pub static RULE: Rule = Rule {
    id: "reserved-word-identifier",
    family: Family::Schema,
    group: Group::Naming,
    default_severity: Severity::Warning,
    summary: "identifier is a reserved SQL keyword",
    docs: "### What it does\nFlags tables, columns and other objects named with a reserved PostgreSQL keyword (`user`, `order`, `group`, `table`, ...).\n### Why is this bad?\nEvery query must quote the name (`\"order\"`); forgetting the quotes gives confusing syntax errors or, for `user`, silently returns the current role name instead of the column.\n### Safe alternative\nPick a name that is not a keyword: `orders`, `app_user`, `sort_order`.\n### Example\n```\ntable orders {\n  sort_order integer not null\n}\n```",
    check: Check::Schema(check),
};

pub(crate) fn flagged(name: &str) -> bool {
    // PostgreSQL keywords are lower-case letters and underscores only, so
    // most names (with digits, say) need no lookup.
    name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        && normalize::is_reserved_keyword(name)
}

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for declared in ctx.declared_names() {
        if !declared.reserved {
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
                format!("{what} name {}{place} is a reserved keyword", name),
            )
            .label("reserved keyword")
            .help("rename it (a `was` rename hint keeps the data)"),
        );
    }
}
