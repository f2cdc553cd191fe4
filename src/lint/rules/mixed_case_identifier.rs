//! mixed-case-identifier: identifier has upper-case letters or characters that need quoting.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, Rule, SchemaCtx};

pub static RULE: Rule = Rule {
    id: "mixed-case-identifier",
    family: Family::Schema,
    group: Group::Naming,
    default_severity: Severity::Warning,
    summary: "identifier has upper-case letters or characters that need quoting",
    docs: "### What it does\nFlags names that contain upper-case letters, spaces or other characters that force double quotes in SQL.\n### Why is this bad?\nPostgreSQL folds unquoted names to lower case: `SELECT * FROM Orders` looks for `orders`. Every query must quote the name exactly, and ORMs and psql users trip over it.\n### Safe alternative\nUse lower-case snake_case names.\n### Example\n```\ntable order_items { ... }\n```",
    check: Check::Schema(check),
};

pub(crate) fn flagged(name: &str) -> bool {
    // Byte-wise for ASCII names (the common case), same answer.
    if name.is_ascii() {
        return name.bytes().any(|b| {
            b.is_ascii_uppercase() || !(b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
        });
    }
    name.chars()
        .any(|c| c.is_uppercase() || !(c.is_alphanumeric() || c == '_' || c == '$'))
}

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for declared in ctx.declared_names() {
        if !declared.needs_quotes {
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
                format!("{what} name {}{place} needs double quotes", name),
            )
            .label("needs quoting")
            .help("use lower-case snake_case"),
        );
    }
}
