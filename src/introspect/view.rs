//! Views and materialized views.
//!
//! Invariants: the query is `pg_get_viewdef(oid, true)` without its final
//! semicolon (reading it locks the view and what it reads, see the
//! module doc of `introspect`); options are `reloptions` as `(name, value)`, sorted;
//! `depends_on` lists the relations of the view's rewrite rule (never the
//! view itself), sorted. Explicit column lists are not recoverable from
//! the catalog (PostgreSQL stores them as aliases in the query), so
//! `columns` stays empty. `output` lists the output columns in order.

use super::sql::option_pair;
use super::{get, Filter, IntrospectError};
use crate::model::{normalize, Ident, Meta, Model, QualifiedName, SqlExpr, View, ViewOutput};
use std::collections::BTreeMap;
use tokio_postgres::Row;

pub(super) const VIEWS: &str = include_str!("queries/views.sql");
const KIND: &str = "views";

pub(crate) fn introspect_views(
    rows: Vec<Row>,
    filter: &Filter,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    for row in rows {
        let name = QualifiedName::new(
            get::<String>(&row, KIND, "schema")?,
            get::<String>(&row, KIND, "name")?,
        );
        if !filter.keeps(&name) {
            continue;
        }
        let query: Option<String> = get(&row, KIND, "query")?;
        let mut options: Vec<(String, String)> = get::<Option<Vec<String>>>(&row, KIND, "options")?
            .unwrap_or_default()
            .iter()
            .map(|entry| option_pair(entry))
            .collect();
        options.sort();
        let dep_schemas: Vec<String> =
            get::<Option<Vec<String>>>(&row, KIND, "dep_schemas")?.unwrap_or_default();
        let dep_names: Vec<String> =
            get::<Option<Vec<String>>>(&row, KIND, "dep_names")?.unwrap_or_default();
        let depends_on = dep_schemas
            .into_iter()
            .zip(dep_names)
            .map(|(schema, relation)| QualifiedName::new(schema, relation))
            .collect();
        let out_names: Vec<String> =
            get::<Option<Vec<String>>>(&row, KIND, "out_names")?.unwrap_or_default();
        let out_types: Vec<String> =
            get::<Option<Vec<String>>>(&row, KIND, "out_types")?.unwrap_or_default();
        let output = ViewOutput(
            out_names
                .into_iter()
                .zip(out_types)
                .map(|(name, ty)| (Ident::new(name), ty))
                .collect(),
        );
        let view = View {
            name: name.clone(),
            materialized: get(&row, KIND, "materialized")?,
            columns: Vec::new(),
            query: view_query(query.as_deref().unwrap_or_default()),
            options,
            depends_on,
            indexes: BTreeMap::new(),
            comment: get(&row, KIND, "comment")?,
            output,
            meta: Meta::default(),
        };
        model.views.insert(name, view);
    }
    Ok(())
}

/// The view's SELECT as a Model expression: the catalog text without the
/// final semicolon, canonicalised by the normaliser when it can read it as
/// a scalar subquery, otherwise compared on its whitespace-collapsed text.
fn view_query(text: &str) -> SqlExpr {
    let trimmed = text.trim().trim_end_matches(';').trim_end();
    match normalize::expr(&format!("({trimmed})")) {
        Ok(expr) => SqlExpr {
            sql: trimmed.to_string(),
            canonical: expr.canonical,
        },
        Err(_) => SqlExpr {
            sql: trimmed.to_string(),
            canonical: trimmed.split_whitespace().collect::<Vec<_>>().join(" "),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_query_drops_semicolon() {
        let query = view_query(" SELECT accounts.id\n   FROM public.accounts;");
        assert_eq!(query.sql, "SELECT accounts.id\n   FROM public.accounts");
        assert!(!query.canonical.ends_with(';'));
    }
}
