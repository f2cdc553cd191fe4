//! Table inheritance (`pg_inherits` rows that are not partitions).
//!
//! Invariant: parents keep `inhseqno` order, and a child's columns that
//! come from its parents are removed afterwards, as the frontends do
//! ([`crate::model::inherit::strip_inherited_columns`]).

use super::{get, IntrospectError};
use crate::model::{inherit, Model, QualifiedName};
use tokio_postgres::Row;

pub(super) const INHERITS: &str = include_str!("queries/inherits.sql");

/// Sets `inherits` of the children read (tables the filter left out are
/// skipped) and strips their inherited columns. Runs after the columns.
pub(crate) fn introspect_inherits(
    rows: Vec<Row>,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    const KIND: &str = "inherits";
    for row in rows {
        let child = QualifiedName::new(
            get::<String>(&row, KIND, "schema")?,
            get::<String>(&row, KIND, "name")?,
        );
        let parent = QualifiedName::new(
            get::<String>(&row, KIND, "parent_schema")?,
            get::<String>(&row, KIND, "parent_name")?,
        );
        if let Some(table) = model.tables.get_mut(&child) {
            table.inherits.push(parent);
        }
    }
    inherit::strip_inherited_columns(model);
    Ok(())
}
