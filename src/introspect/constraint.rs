//! Table constraints: PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY, EXCLUDE.
//!
//! Invariants: constraints a partition inherits from its parent are left
//! out; PK, UNIQUE, CHECK and FK are read from `pg_constraint`'s columns
//! (never from text), EXCLUDE from `pg_get_constraintdef` parsed with
//! sqlparser (its elements are index keys with operators).

use super::index::index_key;
use super::table::ColumnNames;
use super::{catalog_expr, get, CatalogText, IntrospectError};
use crate::model::{
    Constraint, ConstraintKind, ExcludeElement, FkAction, ForeignKey, Ident, IndexExpr, Meta,
    Model, QualifiedName,
};
use sqlparser::ast::{AlterTableOperation, ExcludeConstraintOperator, Statement, TableConstraint};
use tokio_postgres::Row;

pub(super) const CONSTRAINTS: &str = include_str!("queries/constraints.sql");
const KIND: &str = "constraints";

/// Column positions (`attnum`s) of a constraint that the query left for
/// the client to name: on tables that are not partitions, whose columns the
/// columns query reads.
#[derive(Debug, Default)]
pub(crate) struct Positions {
    columns: Option<Vec<i16>>,
    include: Option<Vec<i16>>,
    ref_columns: Option<Vec<i16>>,
}

/// One row of the constraints query, converted: the table, the constraint
/// (with empty column lists where [`Positions`] are still to be named) and
/// those positions.
pub(crate) type ParsedConstraint = (QualifiedName, Constraint, Positions);

/// Converts the rows (no Model needed, so it runs while the server still
/// answers the queries sent after this one).
pub(crate) fn parse_constraint_rows(
    rows: Vec<Row>,
) -> Result<Vec<ParsedConstraint>, IntrospectError> {
    let mut text = CatalogText::default();
    rows.iter()
        .map(|row| {
            let (constraint, positions) = constraint_from_row(row, &mut text)?;
            Ok((
                QualifiedName::new(
                    get::<String>(row, KIND, "schema")?,
                    get::<String>(row, KIND, "table_name")?,
                ),
                constraint,
                positions,
            ))
        })
        .collect()
}

/// Names the columns from their positions and adds the constraints to
/// their tables.
pub(crate) fn introspect_constraints(
    constraints: Vec<ParsedConstraint>,
    names: &ColumnNames,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    for (table_name, mut constraint, positions) in constraints {
        let Some(table) = model.tables.get_mut(&table_name) else {
            continue;
        };
        let name_all = |relation: &QualifiedName, positions: &[i16]| {
            names
                .resolve(relation, positions)
                .ok_or_else(|| IntrospectError::Row {
                    object_kind: KIND,
                    message: format!(
                        "constraint {} of {table_name} names a column of {relation} that was not read",
                        constraint.name
                    ),
                })
        };
        let resolved_columns = positions
            .columns
            .as_deref()
            .map(|positions| name_all(&table_name, positions))
            .transpose()?;
        let resolved_include = positions
            .include
            .as_deref()
            .map(|positions| name_all(&table_name, positions))
            .transpose()?;
        let resolved_refs = match (&constraint.kind, positions.ref_columns.as_deref()) {
            (ConstraintKind::ForeignKey(fk), Some(positions)) => {
                Some(name_all(&fk.ref_table, positions)?)
            }
            _ => None,
        };
        match &mut constraint.kind {
            ConstraintKind::PrimaryKey { columns, include }
            | ConstraintKind::Unique {
                columns, include, ..
            } => {
                if let Some(resolved) = resolved_columns {
                    *columns = resolved;
                }
                if let Some(resolved) = resolved_include {
                    *include = resolved;
                }
            }
            ConstraintKind::ForeignKey(fk) => {
                if let Some(resolved) = resolved_columns {
                    fk.columns = resolved;
                }
                if let Some(resolved) = resolved_refs {
                    fk.ref_columns = resolved;
                }
            }
            ConstraintKind::Check { .. } | ConstraintKind::Exclude { .. } => {}
        }
        table
            .constraints
            .insert(constraint.name.clone(), Box::new(constraint));
    }
    Ok(())
}

/// Names given by the query (constraints on partitions), or the positions
/// to name later.
fn names_or_positions(
    row: &Row,
    names: &str,
    positions: Option<Vec<i16>>,
) -> Result<(Vec<Ident>, Option<Vec<i16>>), IntrospectError> {
    Ok(match get::<Option<Vec<String>>>(row, KIND, names)? {
        Some(names) => (idents(names), None),
        None => (Vec::new(), Some(positions.unwrap_or_default())),
    })
}

fn constraint_from_row(
    row: &Row,
    text: &mut CatalogText,
) -> Result<(Constraint, Positions), IntrospectError> {
    let name = Ident::new(get::<String>(row, KIND, "name")?);
    let kind_code: String = get(row, KIND, "kind")?;
    let mut positions = Positions::default();
    let (columns, column_positions) =
        names_or_positions(row, "columns", get(row, KIND, "column_positions")?)?;
    let include = |positions: &mut Positions| -> Result<Vec<Ident>, IntrospectError> {
        let index_positions: Option<Vec<i16>> = get(row, KIND, "index_positions")?;
        let key_count: Option<i32> = get(row, KIND, "index_key_count")?;
        let include_positions = index_positions.map(|all| {
            all.into_iter()
                .skip(usize::try_from(key_count.unwrap_or(0)).unwrap_or(0))
                .collect()
        });
        let (include, unresolved) = names_or_positions(row, "include", include_positions)?;
        positions.include = unresolved;
        Ok(include)
    };
    let kind = match kind_code.as_str() {
        "p" => {
            positions.columns = column_positions;
            ConstraintKind::PrimaryKey {
                columns,
                include: include(&mut positions)?,
            }
        }
        "u" => {
            positions.columns = column_positions;
            ConstraintKind::Unique {
                columns,
                include: include(&mut positions)?,
                nulls_not_distinct: get::<Option<bool>>(row, KIND, "nulls_not_distinct")?
                    .unwrap_or(false),
            }
        }
        "c" => {
            let expr: Option<&str> = get(row, KIND, "check_expr")?;
            ConstraintKind::Check {
                expr: text.expr(expr.unwrap_or_default()),
                no_inherit: get(row, KIND, "no_inherit")?,
            }
        }
        "f" => {
            positions.columns = column_positions;
            let (ref_columns, ref_positions) =
                names_or_positions(row, "ref_columns", get(row, KIND, "ref_positions")?)?;
            positions.ref_columns = ref_positions;
            ConstraintKind::ForeignKey(ForeignKey {
                columns,
                ref_table: QualifiedName::new(
                    get::<Option<String>>(row, KIND, "ref_schema")?.unwrap_or_default(),
                    get::<Option<String>>(row, KIND, "ref_table")?.unwrap_or_default(),
                ),
                ref_columns,
                on_delete: fk_action(&get::<String>(row, KIND, "on_delete")?),
                on_update: fk_action(&get::<String>(row, KIND, "on_update")?),
                match_full: get::<String>(row, KIND, "match_type")? == "f",
            })
        }
        "x" => {
            let definition: Option<String> = get(row, KIND, "definition")?;
            let definition = definition.unwrap_or_default();
            parse_exclude(&definition).ok_or_else(|| IntrospectError::Row {
                object_kind: KIND,
                message: format!("cannot read exclusion constraint {name}: {definition}"),
            })?
        }
        other => {
            return Err(IntrospectError::Row {
                object_kind: KIND,
                message: format!("unexpected constraint type {other:?} for {name}"),
            })
        }
    };
    let constraint = Constraint {
        name,
        kind,
        deferrable: get(row, KIND, "deferrable")?,
        initially_deferred: get(row, KIND, "initially_deferred")?,
        not_valid: get(row, KIND, "not_valid")?,
        comment: get(row, KIND, "comment")?,
        meta: Meta::default(),
    };
    Ok((constraint, positions))
}

fn idents(names: Vec<String>) -> Vec<Ident> {
    names.into_iter().map(Ident::new).collect()
}

/// `pg_constraint.confupdtype` / `confdeltype` codes.
fn fk_action(code: &str) -> FkAction {
    match code {
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

/// `EXCLUDE USING gist (room_id WITH =, during WITH &&) WHERE ((x))`, as
/// `pg_get_constraintdef` prints it, -> [`ConstraintKind::Exclude`].
pub(crate) fn parse_exclude(definition: &str) -> Option<ConstraintKind> {
    // The DEFERRABLE clauses are read from the catalog's columns; sqlparser
    // accepts them here too, so the definition is parsed whole.
    let wrapped = format!("ALTER TABLE t ADD {definition}");
    let statements = crate::sql_lex::parse_statements(&wrapped).ok()?;
    let Some(Statement::AlterTable(alter)) = statements.into_iter().next() else {
        return None;
    };
    let Some(AlterTableOperation::AddConstraint {
        constraint: TableConstraint::Exclude(exclude),
        ..
    }) = alter.operations.into_iter().next()
    else {
        return None;
    };
    let elements = exclude
        .elements
        .iter()
        .map(|element| {
            let key = index_key(&element.column);
            let expr = match key.expr {
                IndexExpr::Column(column) => catalog_expr(&column.to_string()),
                IndexExpr::Expr(expr) => expr,
            };
            let operator = match &element.operator {
                ExcludeConstraintOperator::Token(token) => token.clone(),
                other => other.to_string(),
            };
            ExcludeElement {
                expr,
                opclass: key.opclass,
                operator,
            }
        })
        .collect();
    Some(ConstraintKind::Exclude {
        method: exclude
            .index_method
            .map(|method| method.value.to_lowercase())
            .unwrap_or_else(|| "btree".to_string()),
        elements,
        include: exclude.include.iter().map(super::sql::ident).collect(),
        predicate: exclude
            .where_clause
            .map(|predicate| catalog_expr(&predicate.to_string())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_exclusion_constraints() {
        let kind = parse_exclude(
            "EXCLUDE USING gist (room_id WITH =, during WITH &&) WHERE ((NOT cancelled))",
        )
        .expect("exclusion constraint");
        let ConstraintKind::Exclude {
            method,
            elements,
            include,
            predicate,
        } = kind
        else {
            panic!("expected EXCLUDE, got {kind:?}");
        };
        assert_eq!(method, "gist");
        let printed: Vec<_> = elements
            .iter()
            .map(|element| format!("{} WITH {}", element.expr.sql, element.operator))
            .collect();
        assert_eq!(printed, vec!["room_id WITH =", "during WITH &&"]);
        assert!(include.is_empty());
        assert_eq!(predicate.map(|p| p.sql), Some("NOT cancelled".to_string()));
    }

    #[test]
    fn exclusion_with_include_and_opclass() {
        let kind = parse_exclude(
            "EXCLUDE USING gist (lower(name) gist_trgm_ops WITH =) INCLUDE (id) DEFERRABLE",
        )
        .expect("exclusion constraint");
        let ConstraintKind::Exclude {
            elements, include, ..
        } = kind
        else {
            panic!("expected EXCLUDE");
        };
        assert_eq!(elements[0].opclass.as_deref(), Some("gist_trgm_ops"));
        assert_eq!(include, vec![Ident::new("id")]);
    }

    #[test]
    fn unreadable_exclusion_is_none() {
        assert!(parse_exclude("EXCLUDE USING (").is_none());
        assert!(parse_exclude("CHECK ((a > 0))").is_none());
    }

    #[test]
    fn fk_action_codes() {
        assert_eq!(fk_action("a"), FkAction::NoAction);
        assert_eq!(fk_action("r"), FkAction::Restrict);
        assert_eq!(fk_action("c"), FkAction::Cascade);
        assert_eq!(fk_action("n"), FkAction::SetNull);
        assert_eq!(fk_action("d"), FkAction::SetDefault);
    }
}
