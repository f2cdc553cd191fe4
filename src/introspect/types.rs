//! Enums, domains and composite types.
//!
//! Invariant: enum labels keep `enumsortorder` order; a domain's CHECK
//! constraints are keyed by name and its NOT NULL is `typnotnull` (never a
//! constraint row, which PostgreSQL 17 adds).

use super::{catalog_expr, catalog_type, get, Filter, IntrospectError};
use crate::model::{
    CompositeAttribute, CompositeType, Domain, Enum, Ident, Meta, Model, QualifiedName,
};
use std::collections::BTreeMap;
use tokio_postgres::Row;

pub(super) const ENUMS: &str = include_str!("queries/enums.sql");
pub(super) const DOMAINS: &str = include_str!("queries/domains.sql");
pub(super) const COMPOSITES: &str = include_str!("queries/composites.sql");

pub(crate) fn introspect_enums(
    rows: Vec<Row>,
    filter: &Filter,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    const KIND: &str = "enums";
    for row in rows {
        let name = QualifiedName::new(
            get::<String>(&row, KIND, "schema")?,
            get::<String>(&row, KIND, "name")?,
        );
        if !filter.keeps(&name) {
            continue;
        }
        let enum_type = Enum {
            name: name.clone(),
            values: get(&row, KIND, "labels")?,
            comment: get(&row, KIND, "comment")?,
            meta: Meta::default(),
        };
        model.enums.insert(name, enum_type);
    }
    Ok(())
}

pub(crate) fn introspect_domains(
    rows: Vec<Row>,
    filter: &Filter,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    const KIND: &str = "domains";
    for row in rows {
        let name = QualifiedName::new(
            get::<String>(&row, KIND, "schema")?,
            get::<String>(&row, KIND, "name")?,
        );
        if !filter.keeps(&name) {
            continue;
        }
        let check_names: Vec<String> = get(&row, KIND, "check_names")?;
        let check_exprs: Vec<String> = get(&row, KIND, "check_exprs")?;
        let checks: BTreeMap<Ident, _> = check_names
            .into_iter()
            .zip(check_exprs)
            .map(|(check_name, expr)| (Ident::new(check_name), catalog_expr(&expr)))
            .collect();
        let domain = Domain {
            name: name.clone(),
            base: catalog_type(&get::<String>(&row, KIND, "base")?),
            collation: get::<Option<String>>(&row, KIND, "collation")?
                .map(|name| crate::model::Collation::from_catalog(&name)),
            default: get::<Option<String>>(&row, KIND, "default_expr")?
                .map(|expr| catalog_expr(&expr)),
            not_null: get(&row, KIND, "not_null")?,
            checks,
            comment: get(&row, KIND, "comment")?,
            meta: Meta::default(),
        };
        model.domains.insert(name, domain);
    }
    Ok(())
}

pub(crate) fn introspect_composites(
    rows: Vec<Row>,
    filter: &Filter,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    const KIND: &str = "composite types";
    for row in rows {
        let name = QualifiedName::new(
            get::<String>(&row, KIND, "schema")?,
            get::<String>(&row, KIND, "name")?,
        );
        if !filter.keeps(&name) {
            continue;
        }
        let names: Vec<String> = get(&row, KIND, "attribute_names")?;
        let types: Vec<String> = get(&row, KIND, "attribute_types")?;
        let collations: Vec<Option<String>> = get(&row, KIND, "attribute_collations")?;
        let attributes = names
            .into_iter()
            .zip(types)
            .zip(collations)
            .map(|((attribute, ty), collation)| CompositeAttribute {
                name: Ident::new(attribute),
                ty: catalog_type(&ty),
                collation: collation.map(|name| crate::model::Collation::from_catalog(&name)),
            })
            .collect();
        let composite = CompositeType {
            name: name.clone(),
            attributes,
            comment: get(&row, KIND, "comment")?,
            meta: Meta::default(),
        };
        model.composites.insert(name, composite);
    }
    Ok(())
}
