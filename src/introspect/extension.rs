//! Schemas and extensions.
//!
//! Invariant: `public` and the system schemas are never in the Model;
//! plpgsql (part of every database) is never an extension of the Model.

use super::{get, Filter, IntrospectError, Session};
use crate::model::{Extension, Ident, Meta, Model, Schema};

const SCHEMAS: &str = include_str!("queries/schemas.sql");
const EXTENSIONS: &str = include_str!("queries/extensions.sql");

pub(crate) async fn introspect_schemas(
    session: &Session<'_>,
    filter: &Filter,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    const KIND: &str = "schemas";
    for row in session.query(KIND, SCHEMAS).await? {
        let name: String = get(&row, KIND, "name")?;
        if !filter.keeps_schema(&name) {
            continue;
        }
        let schema = Schema {
            name: Ident::new(name),
            comment: get(&row, KIND, "comment")?,
            meta: Meta::default(),
        };
        model.schemas.insert(schema.name.clone(), schema);
    }
    Ok(())
}

/// Reads the extensions; returns whether `citus` is installed (its
/// distribution metadata is read only then).
pub(crate) async fn introspect_extensions(
    session: &Session<'_>,
    filter: &Filter,
    model: &mut Model,
) -> Result<bool, IntrospectError> {
    const KIND: &str = "extensions";
    let mut has_citus = false;
    for row in session.query(KIND, EXTENSIONS).await? {
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
