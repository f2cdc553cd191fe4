//! varchar-length: varchar(n) where text with a CHECK is better.
use crate::diagnostics::Severity;
use crate::lint::rules::{element_type, flag_columns_of_type};
use crate::lint::{Check, Family, Finding, Group, Rule, SchemaCtx};
use crate::model::TypeName;

pub static RULE: Rule = Rule {
    id: "varchar-length",
    family: Family::Schema,
    group: Group::Design,
    default_severity: Severity::Info,
    summary: "varchar(n) where text with a CHECK is better",
    docs: "### What it does\nFlags `varchar(n)` / `character varying(n)` columns.\n### Why is this bad?\nThe length limit is part of the type: raising it later is a catalog change, but lowering it or changing to another limit can rewrite the table, and every client sees the limit as a type error rather than a named constraint.\n### Safe alternative\nUse `text` with a named `check (char_length(col) <= n)`, which can be changed online with NOT VALID + VALIDATE.\n### Example\n```\nname text not null check (char_length(name) <= 200)\n```",
    check: Check::Schema(check),
};

fn matches(ty: &TypeName) -> bool {
    element_type(ty).starts_with("character varying(")
}

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    flag_columns_of_type(
        ctx,
        out,
        &RULE,
        matches,
        "varchar with a length limit",
        "use text with check (char_length(column) <= n)",
    );
}
