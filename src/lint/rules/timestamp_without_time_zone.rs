//! timestamp-without-time-zone: column uses timestamp without time zone.
use crate::diagnostics::Severity;
use crate::lint::rules::{element_type, flag_columns_of_type};
use crate::lint::{Check, Family, Finding, Group, Rule, SchemaCtx};
use crate::model::TypeName;

pub static RULE: Rule = Rule {
    id: "timestamp-without-time-zone",
    family: Family::Schema,
    group: Group::Design,
    default_severity: Severity::Warning,
    summary: "column uses timestamp without time zone",
    docs: "### What it does\nFlags columns of type `timestamp` (without time zone) and arrays of it.\n### Why is this bad?\n`timestamp` stores a wall-clock reading with no zone: the same instant is stored differently by clients in different zones, and daylight-saving transitions make values ambiguous or missing.\n### Safe alternative\nUse `timestamptz`; PostgreSQL stores it as UTC and converts on output. Changing an existing column is a rewrite unless the session TimeZone is UTC.\n### Example\n```\ncreated_at timestamptz not null default now()\n```",
    check: Check::Schema(check),
};

fn matches(ty: &TypeName) -> bool {
    element_type(ty).starts_with("timestamp") && ty.as_str().contains("without time zone")
}

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    flag_columns_of_type(
        ctx,
        out,
        &RULE,
        matches,
        "timestamp without time zone",
        "use timestamptz (timestamp with time zone)",
    );
}
