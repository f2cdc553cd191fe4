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
    for (column, prefix) in [("options", ""), ("toast_options", "toast.")] {
        for entry in get::<Option<Vec<String>>>(row, KIND, column)?.unwrap_or_default() {
            let (name, value) = super::sql::option_pair(&entry);
            table.options.set(&format!("{prefix}{name}"), &value);
        }
    }
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

/// One column with what index keys and constraints name it by.
pub(crate) struct ParsedColumn {
    /// `attnum`.
    position: i16,
    type_oid: u32,
    collation_oid: u32,
    column: Column,
}

/// The columns of one table, in the order the columns query returned them.
pub(crate) type ParsedColumns = (QualifiedName, Vec<ParsedColumn>);

/// Converts the rows (no Model needed, so it runs while the server still
/// answers the queries sent after this one): one entry per run of rows of
/// the same table.
pub(crate) fn parse_column_rows(rows: Vec<Row>) -> Result<Vec<ParsedColumns>, IntrospectError> {
    let mut text = CatalogText::default();
    let mut tables: Vec<ParsedColumns> = Vec::new();
    for row in &rows {
        let schema: &str = get(row, KIND_COLUMNS, "schema")?;
        let table_name: &str = get(row, KIND_COLUMNS, "table_name")?;
        let column = ParsedColumn {
            position: get(row, KIND_COLUMNS, "position")?,
            type_oid: get(row, KIND_COLUMNS, "type_oid")?,
            collation_oid: get(row, KIND_COLUMNS, "collation_oid")?,
            column: column_from_row(row, &mut text)?,
        };
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
/// column positions of constraints and index keys.
#[derive(Debug, Default)]
pub(crate) struct ColumnNames {
    tables: HashMap<QualifiedName, Vec<ColumnInfo>>,
}

/// A column as index keys and constraints refer to it.
#[derive(Debug, Clone)]
pub(crate) struct ColumnInfo {
    pub position: i16,
    pub name: Ident,
    pub type_oid: u32,
    pub collation_oid: u32,
}

impl ColumnNames {
    /// Adds the columns of another shard's tables.
    pub(crate) fn extend(&mut self, other: ColumnNames) {
        self.tables.extend(other.tables);
    }

    /// The column at `position` of `table`.
    pub(crate) fn column(&self, table: &QualifiedName, position: i16) -> Option<&ColumnInfo> {
        let columns = self.tables.get(table)?;
        columns
            .binary_search_by_key(&position, |column| column.position)
            .ok()
            .map(|idx| &columns[idx])
    }

    /// The names at `positions` of `table`, or `None` when one is unknown.
    pub(crate) fn resolve(&self, table: &QualifiedName, positions: &[i16]) -> Option<Vec<Ident>> {
        positions
            .iter()
            .map(|&position| {
                self.column(table, position)
                    .map(|column| column.name.clone())
            })
            .collect()
    }
}

/// A table's columns in position order.
pub(crate) type OrderedColumns = (QualifiedName, Vec<Column>);

/// Puts each table's columns in position order and notes what names each
/// position. The server returns each table's columns together and in order
/// nearly always (then each run is kept as it is); otherwise the runs are
/// merged per table and sorted.
pub(crate) fn order_columns(
    runs: Vec<ParsedColumns>,
) -> (ColumnNames, Vec<(QualifiedName, Vec<Column>)>) {
    let mut seen = HashSet::with_capacity(runs.len());
    let one_ordered_run_each = runs.iter().all(|(table_name, run)| {
        seen.insert(table_name)
            && run
                .windows(2)
                .all(|pair| pair[0].position < pair[1].position)
    });
    drop(seen);
    let runs: Vec<ParsedColumns> = if one_ordered_run_each {
        runs
    } else {
        let mut merged: BTreeMap<QualifiedName, Vec<ParsedColumn>> = BTreeMap::new();
        for (table_name, run) in runs {
            merged.entry(table_name).or_default().extend(run);
        }
        merged
            .into_iter()
            .map(|(table_name, mut run)| {
                run.sort_by_key(|column| column.position);
                (table_name, run)
            })
            .collect()
    };
    let mut names = ColumnNames::default();
    let mut ordered = Vec::with_capacity(runs.len());
    for (table_name, run) in runs {
        names.tables.insert(
            table_name.clone(),
            run.iter()
                .map(|parsed| ColumnInfo {
                    position: parsed.position,
                    name: parsed.column.name.clone(),
                    type_oid: parsed.type_oid,
                    collation_oid: parsed.collation_oid,
                })
                .collect(),
        );
        ordered.push((
            table_name,
            run.into_iter().map(|parsed| parsed.column).collect(),
        ));
    }
    (names, ordered)
}

/// Adds the columns (from [`order_columns`]) to their tables.
pub(crate) fn introspect_columns(columns: Vec<(QualifiedName, Vec<Column>)>, model: &mut Model) {
    for (table_name, columns) in columns {
        if let Some(table) = model.tables.get_mut(&table_name) {
            table.columns = columns;
        }
    }
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
    column.generated =
        get::<Option<&str>>(row, KIND, "generated_expr")?.map(|e| Box::new(text.expr(e)));
    column.collation = get::<Option<String>>(row, KIND, "collation")?
        .map(|name| Box::new(crate::model::Collation::from_catalog(&name)));
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
        column.identity = Some(Box::new(Identity {
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
        }));
    }
    Ok(column)
}
