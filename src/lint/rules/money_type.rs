//! money-type: column uses the money type.
use crate::diagnostics::Severity;
use crate::lint::rules::{element_type, flag_columns_of_type};
use crate::lint::{Check, Family, Finding, Group, Rule, SchemaCtx};
use crate::model::TypeName;

pub static RULE: Rule = Rule {
    id: "money-type",
    family: Family::Schema,
    group: Group::Design,
    default_severity: Severity::Warning,
    summary: "column uses the money type",
    docs: "### What it does\nFlags columns of type `money`.\n### Why is this bad?\n`money` formats and parses according to the server setting `lc_monetary`, has a fixed fractional precision, and cannot hold a currency; restoring a dump under another locale changes values.\n### Safe alternative\nUse `numeric(p, s)` (and a currency column).\n### Example\n```\namount numeric(12,2) not null\ncurrency char(3) not null\n```",
    check: Check::Schema(check),
};

fn matches(ty: &TypeName) -> bool {
    element_type(ty) == "money"
}

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    flag_columns_of_type(
        ctx,
        out,
        &RULE,
        matches,
        "money type",
        "use numeric(p, s) plus a currency column",
    );
}
