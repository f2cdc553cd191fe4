//! char-type: column uses char(n).
use crate::diagnostics::Severity;
use crate::lint::rules::{element_type, flag_columns_of_type};
use crate::lint::{Check, Family, Finding, Group, Rule, SchemaCtx};
use crate::model::TypeName;

pub static RULE: Rule = Rule {
    id: "char-type",
    family: Family::Schema,
    group: Group::Design,
    default_severity: Severity::Warning,
    summary: "column uses char(n)",
    docs: "### What it does\nFlags columns of type `character(n)` / `char(n)`.\n### Why is this bad?\n`char(n)` pads values with spaces, trailing spaces are ignored in comparisons but not everywhere else, and it is not faster than `text` in PostgreSQL.\n### Safe alternative\nUse `text` (with a CHECK on the length when it matters).\n### Example\n```\ncountry text not null check (char_length(country) = 2)\n```",
    check: Check::Schema(check),
};

fn matches(ty: &TypeName) -> bool {
    element_type(ty).starts_with("character(") || element_type(ty) == "character"
}

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    flag_columns_of_type(
        ctx,
        out,
        &RULE,
        matches,
        "blank-padded char(n)",
        "use text with a length check",
    );
}
