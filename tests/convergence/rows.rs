//! Seeded rows: recorded before the change, checked after it.
//!
//! Every leaf table of `from` is read with `row_to_json`. After the apply,
//! each leaf that still exists (under its `to` name when the `to` schema
//! renames it with `was`) must still hold every recorded row, compared on
//! the columns the change kept: a column dropped, or whose type or
//! generation expression changed, is left out (and reported); a renamed
//! column is read under its new name. Rows are compared as multisets of
//! these projections, so a row may not vanish, nor two rows merge.
//! A leaf the change dropped is reported, not checked.

use super::seed::{leaf_tables, name_in_to, root_of};
use crate::common::TestDb;
use schemac::model::{Column, Ident, Model, QualifiedName};
use std::collections::BTreeMap;

/// The rows of every leaf table of `from`.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub tables: BTreeMap<QualifiedName, Vec<serde_json::Value>>,
}

/// What the check after the change covered.
#[derive(Debug, Default)]
pub struct RowsReport {
    pub tables_checked: usize,
    pub rows_checked: usize,
    /// Leaves the change dropped, with their row count.
    pub dropped: Vec<(QualifiedName, usize)>,
    /// `table.column: reason` for each column left out of the comparison.
    pub left_out: Vec<String>,
}

/// Reads every leaf table of `from`.
pub fn record(db: &TestDb, from: &Model) -> Result<Snapshot, String> {
    let mut snapshot = Snapshot::default();
    for leaf in leaf_tables(from) {
        snapshot
            .tables
            .insert(leaf.name.clone(), read_rows(db, &leaf.name)?);
    }
    Ok(snapshot)
}

/// Checks that every recorded row is still there (see the module docs).
pub fn check_intact(
    db: &TestDb,
    snapshot: &Snapshot,
    from: &Model,
    to: &Model,
) -> Result<RowsReport, String> {
    let mut report = RowsReport::default();
    let mut problems = Vec::new();
    for (name, before) in &snapshot.tables {
        let Some(from_leaf) = from.tables.get(name) else {
            continue;
        };
        let new_name = name_in_to(to, name);
        if !table_exists(db, &new_name)? {
            if to.tables.contains_key(&new_name) {
                problems.push(format!(
                    "{new_name} is in `to` but missing from the database"
                ));
            } else {
                report.dropped.push((name.clone(), before.len()));
            }
            continue;
        }
        let from_columns = &root_of(from, from_leaf).columns;
        // A table the `to` schema does not declare but the database still
        // has (an external object) keeps its columns.
        let to_columns = to
            .tables
            .get(&new_name)
            .map(|to_leaf| &root_of(to, to_leaf).columns)
            .unwrap_or(from_columns);
        let kept = kept_columns(&new_name, from_columns, to_columns, &mut report.left_out);
        let after = read_rows(db, &new_name)?;
        let missing = missing_rows(before, &after, &kept);
        report.tables_checked += 1;
        report.rows_checked += before.len();
        if !missing.is_empty() {
            problems.push(format!(
                "{new_name} (was {name}): {} of {} seeded row(s) are gone or changed, compared on ({}):\n  missing: {}\n  found now: {}",
                missing.len(),
                before.len(),
                kept.iter().map(|(_, to)| to.as_str()).collect::<Vec<_>>().join(", "),
                missing.join("\n           "),
                after.iter().map(|row| row.to_string()).collect::<Vec<_>>().join("\n             ")
            ));
        }
    }
    if problems.is_empty() {
        Ok(report)
    } else {
        Err(problems.join("\n"))
    }
}

/// `(from name, to name)` of the columns whose values must survive.
fn kept_columns(
    table: &QualifiedName,
    from_columns: &[Column],
    to_columns: &[Column],
    left_out: &mut Vec<String>,
) -> Vec<(Ident, Ident)> {
    let mut kept = Vec::new();
    for column in from_columns {
        let renamed = to_columns
            .iter()
            .find(|to| to.meta.renamed_from.as_deref() == Some(&column.name));
        let same_name = to_columns
            .iter()
            .find(|to| to.name == column.name && to.meta.renamed_from.is_none());
        let Some(to_column) = renamed.or(same_name) else {
            left_out.push(format!("{table}.{}: dropped", column.name));
            continue;
        };
        if to_column.ty != column.ty {
            left_out.push(format!(
                "{table}.{}: type {} -> {}",
                to_column.name, column.ty, to_column.ty
            ));
            continue;
        }
        if to_column.generated != column.generated {
            left_out.push(format!(
                "{table}.{}: generation expression changed",
                to_column.name
            ));
            continue;
        }
        kept.push((column.name.clone(), to_column.name.clone()));
    }
    kept
}

/// The projections of `before` rows that `after` lacks (as a multiset).
fn missing_rows(
    before: &[serde_json::Value],
    after: &[serde_json::Value],
    kept: &[(Ident, Ident)],
) -> Vec<String> {
    let mut available: BTreeMap<String, usize> = BTreeMap::new();
    for row in after {
        *available
            .entry(projection(row, kept, |(_, to)| to))
            .or_default() += 1;
    }
    let mut missing = Vec::new();
    for row in before {
        let key = projection(row, kept, |(from, _)| from);
        match available.get_mut(&key) {
            Some(count) if *count > 0 => *count -= 1,
            _ => missing.push(key),
        }
    }
    missing
}

/// The kept columns of `row`, under their `to` names, in a fixed order.
fn projection(
    row: &serde_json::Value,
    kept: &[(Ident, Ident)],
    read_as: impl Fn(&(Ident, Ident)) -> &Ident,
) -> String {
    let fields: Vec<String> = kept
        .iter()
        .map(|pair| {
            let value = row
                .get(read_as(pair).as_str())
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            format!("{}={value}", pair.1)
        })
        .collect();
    format!("{{{}}}", fields.join(", "))
}

/// The table's own rows (`ONLY`: an inheritance parent's query would also
/// return its children's rows, which move when a child changes parents).
fn read_rows(db: &TestDb, table: &QualifiedName) -> Result<Vec<serde_json::Value>, String> {
    db.query(&format!(
        "SELECT row_to_json(t)::text FROM ONLY {table} AS t"
    ))?
    .iter()
    .map(|line| {
        serde_json::from_str(line).map_err(|err| format!("a row of {table} is not JSON: {err}"))
    })
    .collect()
}

fn table_exists(db: &TestDb, name: &QualifiedName) -> Result<bool, String> {
    let sql = format!(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = {} AND c.relname = {} AND c.relkind IN ('r', 'p')",
        super::values::quote_literal(name.schema.as_str()),
        super::values::quote_literal(name.name.as_str())
    );
    Ok(db.query(&sql)?.first().map(|row| row.trim()) == Some("1"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn column(name: &str, ty: &str) -> Column {
        Column::new(Ident::new(name), schemac::model::TypeName::new(ty))
    }

    #[test]
    fn renamed_dropped_and_retyped_columns() {
        let from = vec![
            column("id", "bigint"),
            column("mail", "text"),
            column("old", "text"),
            column("n", "integer"),
        ];
        let mut email = column("email", "text");
        email.meta.renamed_from = Some(Box::new(Ident::new("mail")));
        let to = vec![column("id", "bigint"), email, column("n", "bigint")];
        let mut left_out = Vec::new();
        let kept = kept_columns(&QualifiedName::public("t"), &from, &to, &mut left_out);
        assert_eq!(
            kept,
            vec![
                (Ident::new("id"), Ident::new("id")),
                (Ident::new("mail"), Ident::new("email"))
            ]
        );
        assert_eq!(
            left_out,
            vec![
                "public.t.old: dropped".to_string(),
                "public.t.n: type integer -> bigint".to_string()
            ]
        );
    }

    #[test]
    fn rows_are_a_multiset() {
        let kept = vec![(Ident::new("a"), Ident::new("b"))];
        let before = vec![json!({"a": 1}), json!({"a": 1}), json!({"a": 2})];
        let after = vec![json!({"b": 1, "x": 9}), json!({"b": 2})];
        assert_eq!(missing_rows(&before, &after, &kept), vec!["{b=1}"]);
        let after = vec![json!({"b": 1}), json!({"b": 1}), json!({"b": 2})];
        assert!(missing_rows(&before, &after, &kept).is_empty());
    }
}
