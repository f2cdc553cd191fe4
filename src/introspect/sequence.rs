//! Sequences (not identity sequences: those are options of their column).
//!
//! Invariant: every option is read as stored, so a default left unwritten
//! and the same value written out compare equal ([`SequenceOptions`] holds
//! the values with PostgreSQL's defaults filled in).

use super::{catalog_type, get, Filter, IntrospectError};
use crate::model::{Ident, Meta, Model, QualifiedName, Sequence, SequenceOptions};
use tokio_postgres::Row;

pub(super) const SEQUENCES: &str = include_str!("queries/sequences.sql");

pub(crate) fn introspect_sequences(
    rows: Vec<Row>,
    filter: &Filter,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    const KIND: &str = "sequences";
    for row in rows {
        let name = QualifiedName::new(
            get::<String>(&row, KIND, "schema")?,
            get::<String>(&row, KIND, "name")?,
        );
        if !filter.keeps(&name) {
            continue;
        }
        let owner_schema: Option<String> = get(&row, KIND, "owner_schema")?;
        let owner_table: Option<String> = get(&row, KIND, "owner_table")?;
        let owner_column: Option<String> = get(&row, KIND, "owner_column")?;
        let owned_by = match (owner_schema, owner_table, owner_column) {
            (Some(schema), Some(table), Some(column)) => {
                Some((QualifiedName::new(schema, table), Ident::new(column)))
            }
            _ => None,
        };
        let options = SequenceOptions {
            data_type: catalog_type(&get::<String>(&row, KIND, "data_type")?),
            start: get(&row, KIND, "start_value")?,
            increment: get(&row, KIND, "increment")?,
            min_value: get(&row, KIND, "min_value")?,
            max_value: get(&row, KIND, "max_value")?,
            cache: get(&row, KIND, "cache")?,
            cycle: get(&row, KIND, "cycle")?,
        };
        let sequence = Sequence {
            name: name.clone(),
            options,
            owned_by,
            comment: get(&row, KIND, "comment")?,
            meta: Meta::default(),
        };
        model.sequences.insert(name, sequence);
    }
    Ok(())
}
