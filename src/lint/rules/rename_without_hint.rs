//! rename-without-hint: a drop and a create that look like a rename without a `was` hint.
use crate::diagnostics::Severity;
use crate::lint::{span, Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::model::{Column, ObjectId, Table, TypeName};
use std::collections::HashMap;

pub static RULE: Rule = Rule {
    id: "rename-without-hint",
    family: Family::Migration,
    group: Group::Destructive,
    default_severity: Severity::Error,
    summary: "looks like a rename, but without a `was` hint it is a drop and a create",
    docs: "### What it does\nFlags a table that disappears while a new table with the same column names and types appears in the same schema, and a column that disappears while a new column of the same type appears in the same table, when the new object has no `was` hint.\n### Why is this bad?\nschemac never guesses renames: without a hint the old table or column is dropped with its data and an empty one is created.\n### Safe alternative\nDeclare the rename: `table customers was clients { ... }` or `email text was mail`. The plan then renames in place.\n### Example\n```\ntable customers was clients {\n  email text was mail\n}\n```",
    check: Check::Migration(check),
};

/// Column names and types, sorted: two tables of the same shape look like
/// a rename of each other.
fn shape(table: &Table) -> Vec<(&str, &str)> {
    let mut cols: Vec<(&str, &str)> = table
        .columns
        .iter()
        .map(|c| (c.name.0.as_str(), c.ty.0.as_str()))
        .collect();
    cols.sort_unstable();
    cols
}

/// A table's schema and [`shape`].
type ShapeKey<'a> = (&'a str, Vec<(&'a str, &'a str)>);

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    let number_of = |object: &ObjectId| ctx.steps_of(object).first().copied();
    // Tables the plan drops (not partitions, with columns), by schema and
    // shape; the first in name order wins, as a scan in that order would
    // find it.
    let mut dropped_by_shape: HashMap<ShapeKey<'_>, &Table> = HashMap::new();
    for current in ctx.current.tables.values() {
        if ctx.desired.tables.contains_key(&current.name)
            || current.partition_of.is_some()
            || current.columns.is_empty()
        {
            continue;
        }
        dropped_by_shape
            .entry((current.name.schema.0.as_str(), shape(current)))
            .or_insert(current);
    }
    for desired in ctx.desired.tables.values() {
        if dropped_by_shape.is_empty() {
            break;
        }
        if ctx.current.tables.contains_key(&desired.name) || desired.meta.renamed_from.is_some() {
            continue;
        }
        let key = (desired.name.schema.0.as_str(), shape(desired));
        if let Some(dropped) = dropped_by_shape.get(&key) {
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
            if let Some(number) = number_of(&ObjectId::Table(dropped.name.clone())) {
                finding = finding.step(number);
            }
            out.push(finding);
        }
    }
    for desired in ctx.desired.tables.values() {
        let Some(current) = ctx.current.tables.get(&desired.name) else {
            continue;
        };
        // The first removed column of each type, in column order.
        let mut removed_by_type: HashMap<&TypeName, &Column> = HashMap::new();
        for column in current.columns.iter().rev() {
            if desired.column(&column.name).is_none() {
                removed_by_type.insert(&column.ty, column);
            }
        }
        if removed_by_type.is_empty() {
            continue;
        }
        let added = desired
            .columns
            .iter()
            .filter(|c| current.column(&c.name).is_none() && c.meta.renamed_from.is_none());
        for new_column in added {
            if let Some(old_column) = removed_by_type.get(&new_column.ty) {
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
                let dropped = ObjectId::Column(desired.name.clone(), old_column.name.clone());
                if let Some(number) = number_of(&dropped) {
                    finding = finding.step(number);
                }
                out.push(finding);
            }
        }
    }
}
