//! rename-without-hint: a drop and a create that look like a rename without a `was` hint.
use crate::diagnostics::Severity;
use crate::lint::{span, Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::model::{Column, Table};

pub static RULE: Rule = Rule {
    id: "rename-without-hint",
    family: Family::Migration,
    group: Group::Destructive,
    default_severity: Severity::Error,
    summary: "looks like a rename, but without a `was` hint it is a drop and a create",
    docs: "### What it does\nFlags a table that disappears while a new table with the same column names and types appears in the same schema, and a column that disappears while a new column of the same type appears in the same table, when the new object has no `was` hint.\n### Why is this bad?\nschemac never guesses renames: without a hint the old table or column is dropped with its data and an empty one is created.\n### Safe alternative\nDeclare the rename: `table customers was clients { ... }` or `email text was mail`. The plan then renames in place.\n### Example\n```\ntable customers was clients {\n  email text was mail\n}\n```",
    check: Check::Migration(check),
};

fn same_shape(a: &Table, b: &Table) -> bool {
    let shape = |t: &Table| {
        let mut cols: Vec<(String, String)> = t
            .columns
            .iter()
            .map(|c| (c.name.0.clone(), c.ty.0.clone()))
            .collect();
        cols.sort();
        cols
    };
    !a.columns.is_empty() && shape(a) == shape(b)
}

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    let number_of = |object: &crate::model::ObjectId| {
        ctx.steps()
            .find(|(_, step)| &step.origin.object == object)
            .map(|(n, _)| n)
    };
    for desired in ctx.desired.tables.values() {
        if ctx.current.tables.contains_key(&desired.name) || desired.meta.renamed_from.is_some() {
            continue;
        }
        let dropped = ctx.current.tables.values().find(|current| {
            !ctx.desired.tables.contains_key(&current.name)
                && current.name.schema == desired.name.schema
                && current.partition_of.is_none()
                && same_shape(current, desired)
        });
        if let Some(dropped) = dropped {
            let mut finding = Finding::new(
                &RULE,
                span(&desired.meta),
                format!(
                    "table {} looks like a rename of {}, but without `was {}` the plan drops {} and its rows",
                    desired.name, dropped.name, dropped.name.name, dropped.name
                ),
            )
            .label("new, empty table")
            .help(format!("write `table {} was {} {{ ... }}`", desired.name.name, dropped.name.name));
            if let Some(number) = number_of(&crate::model::ObjectId::Table(dropped.name.clone())) {
                finding = finding.step(number);
            }
            out.push(finding);
        }
    }
    for desired in ctx.desired.tables.values() {
        let Some(current) = ctx.current.tables.get(&desired.name) else {
            continue;
        };
        let added: Vec<&Column> = desired
            .columns
            .iter()
            .filter(|c| current.column(&c.name).is_none() && c.meta.renamed_from.is_none())
            .collect();
        let removed: Vec<&Column> = current
            .columns
            .iter()
            .filter(|c| desired.column(&c.name).is_none())
            .collect();
        for new_column in added {
            if let Some(old_column) = removed.iter().find(|old| old.ty == new_column.ty) {
                let mut finding = Finding::new(
                    &RULE,
                    span(&new_column.meta),
                    format!(
                        "column {}.{} may be a rename of {}: without `was {}` the plan drops {} and its data",
                        desired.name, new_column.name, old_column.name, old_column.name, old_column.name
                    ),
                )
                .label("new, empty column")
                .help(format!("write `{} {} was {}` if this is a rename", new_column.name, new_column.ty, old_column.name));
                let dropped =
                    crate::model::ObjectId::Column(desired.name.clone(), old_column.name.clone());
                if let Some(number) = number_of(&dropped) {
                    finding = finding.step(number);
                }
                out.push(finding);
            }
        }
    }
}
