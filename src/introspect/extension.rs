//! Schemas and extensions.
//!
//! Invariant: `public` and the system schemas are never in the Model;
//! plpgsql (part of every database) is never an extension of the Model.

use super::{get, Filter, IntrospectError};
use crate::model::{Extension, Ident, Meta, Model, Schema};
use tokio_postgres::Row;

pub(super) const SCHEMAS: &str = include_str!("queries/schemas.sql");
pub(super) const EXTENSIONS: &str = include_str!("queries/extensions.sql");

pub(crate) fn introspect_schemas(
    rows: Vec<Row>,
    filter: &Filter,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    const KIND: &str = "schemas";
    for row in rows {
        let name: String = get(&row, KIND, "name")?;
        if !filter.keeps_schema(&name) {
            continue;
        }
        let schema = Schema {
            name: Ident::new(name),
            comment: get(&row, KIND, "comment")?,
            // Read from Citus's catalog afterwards, when it is installed.
            distributed: false,
            meta: Meta::default(),
        };
        model.schemas.insert(schema.name.clone(), schema);
    }
    Ok(())
}

/// Reads the extensions; returns whether `citus` is installed (its
/// distribution metadata is read only then).
pub(crate) fn introspect_extensions(
    rows: Vec<Row>,
    filter: &Filter,
    model: &mut Model,
) -> Result<bool, IntrospectError> {
    const KIND: &str = "extensions";
    let mut has_citus = false;
    for row in rows {
        let name: String = get(&row, KIND, "name")?;
        has_citus |= name == "citus";
        if filter
            .exclude_patterns
            .iter()
            .any(|pattern| crate::model::glob_match(pattern, &name))
        {
            continue;
        }
        let extension = Extension {
            name: Ident::new(name),
            schema: Ident::new(get::<String>(&row, KIND, "schema")?),
            version: get(&row, KIND, "version")?,
            meta: Meta::default(),
        };
        model.extensions.insert(extension.name.clone(), extension);
    }
    Ok(has_citus)
}
