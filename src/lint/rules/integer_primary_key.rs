//! integer-primary-key: a 32-bit (or 16-bit) integer primary key column that may overflow.
use crate::diagnostics::Severity;
use crate::lint::{span, Check, Family, Finding, Group, Rule, SchemaCtx};
use crate::model::ConstraintKind;

pub static RULE: Rule = Rule {
    id: "integer-primary-key",
    family: Family::Schema,
    group: Group::Design,
    default_severity: Severity::Warning,
    summary: "integer primary key may overflow",
    docs: "### What it does\nFlags primary key columns of type `integer` or `smallint` that get their values from a sequence or an identity.\n### Why is this bad?\n`integer` runs out at 2,147,483,647. Busy tables reach it, and widening the key later rewrites the table and every referencing table under an ACCESS EXCLUSIVE lock.\n### Safe alternative\nUse `bigint` from the start; the 4 extra bytes per row are cheap compared to the migration.\n### Example\n```\nid bigint generated always as identity primary key\n```",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for table in ctx.base_tables() {
        let Some(pk) = table.primary_key() else {
            continue;
        };
        let ConstraintKind::PrimaryKey { columns, .. } = &pk.kind else {
            continue;
        };
        for column in columns.iter().filter_map(|name| table.column(name)) {
            let small = matches!(column.ty.as_str(), "integer" | "smallint");
            let generated = column.identity.is_some()
                || column
                    .default
                    .as_ref()
                    .is_some_and(|d| d.canonical.contains("nextval"));
            if small && generated {
                out.push(
                    Finding::new(
                        &RULE,
                        span(&column.meta),
                        format!(
                            "primary key column {}.{} is {} and may overflow",
                            table.name, column.name, column.ty
                        ),
                    )
                    .label(format!("{} generated key", column.ty))
                    .help("use bigint"),
                );
            }
        }
    }
}
