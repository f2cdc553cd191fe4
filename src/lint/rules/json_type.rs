//! json-type: column uses json instead of jsonb.
use crate::diagnostics::Severity;
use crate::lint::rules::{element_type, flag_columns_of_type};
use crate::lint::{Check, Family, Finding, Group, Rule, SchemaCtx};
use crate::model::TypeName;

pub static RULE: Rule = Rule {
    id: "json-type",
    family: Family::Schema,
    group: Group::Design,
    default_severity: Severity::Warning,
    summary: "column uses json instead of jsonb",
    docs: "### What it does\nFlags columns of type `json`.\n### Why is this bad?\n`json` stores the text as given: it is re-parsed on every access, cannot be indexed with GIN, and has no equality operator, so it breaks DISTINCT, GROUP BY and UNIQUE.\n### Safe alternative\nUse `jsonb`.\n### Example\n```\npayload jsonb not null default '{}'\n```",
    check: Check::Schema(check),
};

fn matches(ty: &TypeName) -> bool {
    element_type(ty) == "json"
}

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    flag_columns_of_type(ctx, out, &RULE, matches, "json", "use jsonb");
}
