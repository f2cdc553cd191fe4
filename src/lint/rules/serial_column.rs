//! serial-column: a serial column (an owned sequence as default) where identity is better.
use crate::diagnostics::Severity;
use crate::lint::{span, Check, Family, Finding, Group, Rule, SchemaCtx};

pub static RULE: Rule = Rule {
    id: "serial-column",
    family: Family::Schema,
    group: Group::Design,
    default_severity: Severity::Warning,
    summary: "serial column where an identity column is better",
    docs: "### What it does\nFlags columns whose default is `nextval()` of a sequence owned by that column: what `serial`, `bigserial` and `smallserial` create.\n### Why is this bad?\nThe sequence is a separate object with its own permissions (INSERT needs USAGE on it), explicit values silently collide with future ones, and copying the table's definition copies the default but not the sequence.\n### Safe alternative\nUse `generated always as identity` (SQL standard): the sequence is part of the column, and explicit values need OVERRIDING SYSTEM VALUE.\n### Example\n```\nid bigint generated always as identity primary key\n```",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for sequence in ctx.model.sequences.values() {
        let Some((table_name, column_name)) = &sequence.owned_by else {
            continue;
        };
        let Some(table) = ctx.model.tables.get(table_name) else {
            continue;
        };
        let Some(column) = table.column(column_name) else {
            continue;
        };
        let uses_sequence = column.default.as_ref().is_some_and(|default| {
            default.canonical.contains("nextval")
                && default.canonical.contains(sequence.name.name.as_str())
        });
        if uses_sequence {
            out.push(
                Finding::new(
                    &RULE,
                    span(&column.meta),
                    format!("column {}.{} is a serial column", table.name, column.name),
                )
                .label("serial")
                .help(format!(
                    "use `{} {} generated always as identity`",
                    column.name, column.ty
                )),
            );
        }
    }
}
