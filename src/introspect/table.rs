//! Tables (with their partitioning) and columns.
//!
//! Invariants: a partition's `columns` stay empty (they are its parent's);
//! dropped columns are never read; a column's collation is recorded only
//! when it differs from its type's default collation.

use super::partition::{parse_partition_bound, parse_partition_key};
use super::{catalog_type, get, CatalogText, Filter, IntrospectError};
use crate::model::{
    Column, Ident, Identity, Model, PartitionOf, QualifiedName, RowSecurity, SequenceOptions, Table,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use tokio_postgres::Row;

pub(super) const TABLES: &str = include_str!("queries/tables.sql");
pub(super) const COLUMNS: &str = include_str!("queries/columns.sql");

pub(crate) fn introspect_tables(
    rows: Vec<Row>,
    filter: &Filter,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    for row in rows {
        let table = table_from_row(&row)?;
        if filter.keeps(&table.name) {
            model.tables.insert(table.name.clone(), table);
        }
    }
    Ok(())
}

const KIND_TABLES: &str = "tables";

fn table_from_row(row: &Row) -> Result<Table, IntrospectError> {
    const KIND: &str = KIND_TABLES;
    let name = QualifiedName::new(
        get::<String>(row, KIND, "schema")?,
        get::<String>(row, KIND, "name")?,
    );
    let mut table = Table::new(name);
    table.unlogged = get(row, KIND, "unlogged")?;
    table.rls = RowSecurity {
        enabled: get(row, KIND, "rls_enabled")?,
        forced: get(row, KIND, "rls_forced")?,
    };
    table.comment = get(row, KIND, "comment")?;
    if let Some(key) = get::<Option<String>>(row, KIND, "partition_key")? {
        table.partition_by =
            Some(
                parse_partition_key(&key).ok_or_else(|| IntrospectError::Row {
                    object_kind: KIND,
                    message: format!("cannot read partition key of {}: {key}", table.name),
                })?,
            );
    }
    let parent_schema: Option<String> = get(row, KIND, "parent_schema")?;
    let parent_name: Option<String> = get(row, KIND, "parent_name")?;
    let bound: Option<String> = get(row, KIND, "partition_bound")?;
    if let (Some(schema), Some(parent), Some(bound)) = (parent_schema, parent_name, bound) {
        let parsed = parse_partition_bound(&bound).ok_or_else(|| IntrospectError::Row {
            object_kind: KIND,
            message: format!("cannot read partition bound of {}: {bound}", table.name),
        })?;
        table.partition_of = Some(PartitionOf {
            parent: QualifiedName::new(schema, parent),
            bound: parsed,
        });
    }
    Ok(table)
}

/// The columns of one table with their positions (`attnum`), in the order
/// the columns query returned them.
pub(crate) type ParsedColumns = (QualifiedName, Vec<(i16, Column)>);

/// Converts the rows (no Model needed, so it runs while the server still
/// answers the queries sent after this one): one entry per run of rows of
/// the same table.
pub(crate) fn parse_column_rows(rows: Vec<Row>) -> Result<Vec<ParsedColumns>, IntrospectError> {
    let mut text = CatalogText::default();
    let mut tables: Vec<ParsedColumns> = Vec::new();
    for row in &rows {
        let schema: &str = get(row, KIND_COLUMNS, "schema")?;
        let table_name: &str = get(row, KIND_COLUMNS, "table_name")?;
        let position: i16 = get(row, KIND_COLUMNS, "position")?;
        let column = (position, column_from_row(row, &mut text)?);
        match tables.last_mut() {
            Some((name, columns))
                if name.name.as_str() == table_name && name.schema.as_str() == schema =>
            {
                columns.push(column)
            }
            _ => tables.push((QualifiedName::new(schema, table_name), vec![column])),
        }
    }
    Ok(tables)
}

/// Every column read, by table and position, including those of tables
/// the filter leaves out (a foreign key may reference one): what names the
/// column positions of constraints.
#[derive(Debug, Default)]
pub(crate) struct ColumnNames {
    tables: HashMap<QualifiedName, Vec<(i16, Ident)>>,
}

impl ColumnNames {
    /// The names at `positions` of `table`, or `None` when one is unknown.
    pub(crate) fn resolve(&self, table: &QualifiedName, positions: &[i16]) -> Option<Vec<Ident>> {
        let columns = self.tables.get(table)?;
        positions
            .iter()
            .map(|position| {
                columns
                    .binary_search_by_key(position, |(at, _)| *at)
                    .ok()
                    .map(|idx| columns[idx].1.clone())
            })
            .collect()
    }
}

/// Adds the columns to their tables, in position order. The server
/// returns each table's columns together and in order nearly always (then
/// each run moves into its table as it is); otherwise the runs are merged
/// per table and sorted.
pub(crate) fn introspect_columns(
    runs: Vec<ParsedColumns>,
    model: &mut Model,
) -> Result<ColumnNames, IntrospectError> {
    let mut seen = HashSet::with_capacity(runs.len());
    let one_ordered_run_each = runs.iter().all(|(table_name, run)| {
        seen.insert(table_name) && run.windows(2).all(|pair| pair[0].0 < pair[1].0)
    });
    drop(seen);
    let runs: Vec<ParsedColumns> = if one_ordered_run_each {
        runs
    } else {
        let mut merged: BTreeMap<QualifiedName, Vec<(i16, Column)>> = BTreeMap::new();
        for (table_name, run) in runs {
            merged.entry(table_name).or_default().extend(run);
        }
        merged
            .into_iter()
            .map(|(table_name, mut run)| {
                run.sort_by_key(|(position, _)| *position);
                (table_name, run)
            })
            .collect()
    };
    let mut names = ColumnNames::default();
    for (table_name, run) in runs {
        names.tables.insert(
            table_name.clone(),
            run.iter()
                .map(|(position, column)| (*position, column.name.clone()))
                .collect(),
        );
        if let Some(table) = model.tables.get_mut(&table_name) {
            table.columns = run.into_iter().map(|(_, column)| column).collect();
        }
    }
    Ok(names)
}

const KIND_COLUMNS: &str = "columns";

fn column_from_row(row: &Row, text: &mut CatalogText) -> Result<Column, IntrospectError> {
    const KIND: &str = KIND_COLUMNS;
    let mut column = Column::new(
        Ident::new(get::<String>(row, KIND, "name")?),
        text.type_name(get::<&str>(row, KIND, "type")?),
    );
    column.not_null = get(row, KIND, "not_null")?;
    column.default = get::<Option<&str>>(row, KIND, "default_expr")?.map(|e| text.expr(e));
    column.generated = get::<Option<&str>>(row, KIND, "generated_expr")?.map(|e| text.expr(e));
    column.collation = get::<Option<String>>(row, KIND, "collation")?.map(Ident::new);
    column.comment = get(row, KIND, "comment")?;
    let identity: String = get(row, KIND, "identity")?;
    if identity == "a" || identity == "d" {
        let data_type: Option<String> = get(row, KIND, "identity_type")?;
        let Some(data_type) = data_type else {
            return Err(IntrospectError::Row {
                object_kind: KIND,
                message: format!("identity column {} has no sequence", column.name),
            });
        };
        column.identity = Some(Identity {
            always: identity == "a",
            options: SequenceOptions {
                data_type: catalog_type(&data_type),
                start: get(row, KIND, "identity_start")?,
                increment: get(row, KIND, "identity_increment")?,
                min_value: get(row, KIND, "identity_min")?,
                max_value: get(row, KIND, "identity_max")?,
                cache: get(row, KIND, "identity_cache")?,
                cycle: get(row, KIND, "identity_cycle")?,
            },
        });
    }
    Ok(column)
}
