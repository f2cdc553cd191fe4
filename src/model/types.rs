//! Data types, enums, domains and composite types.

use super::{Ident, Meta, QualifiedName, SqlExpr};
use std::collections::BTreeMap;
use std::fmt;

/// A data type in PostgreSQL's `format_type` spelling (`integer`,
/// `character varying(20)`, `timestamp with time zone`, `numeric(12,2)`,
/// `public.order_status`, `text[]`). User-defined types are always
/// schema-qualified. Built by [`super::normalize::type_name`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TypeName(pub String);

impl TypeName {
    pub fn new(spelling: impl Into<String>) -> TypeName {
        TypeName(spelling.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_array(&self) -> bool {
        self.0.ends_with("[]")
    }

    /// The element type of an array type, or the type itself.
    pub fn element(&self) -> TypeName {
        TypeName(self.0.trim_end_matches("[]").to_string())
    }

    /// The type without its modifiers: `character varying(20)` ->
    /// `character varying`, `numeric(12,2)` -> `numeric`.
    pub fn base(&self) -> &str {
        match self.0.find('(') {
            Some(idx) => self.0[..idx].trim_end(),
            None => self.0.trim_end_matches("[]"),
        }
    }
}

impl fmt::Display for TypeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `CREATE TYPE name AS ENUM (...)`. Value order is significant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enum {
    pub name: QualifiedName,
    pub values: Vec<String>,
    pub comment: Option<String>,
    pub meta: Meta,
}

/// `CREATE DOMAIN name AS base ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub name: QualifiedName,
    pub base: TypeName,
    pub collation: Option<crate::model::Collation>,
    pub default: Option<SqlExpr>,
    pub not_null: bool,
    /// Named CHECK constraints (default name `<domain>_check`).
    pub checks: BTreeMap<Ident, SqlExpr>,
    pub comment: Option<String>,
    pub meta: Meta,
}

/// `CREATE TYPE name AS (attribute type [COLLATE c], ...)`: a composite
/// type of its own (not a table's row type). Attribute order is
/// significant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompositeType {
    pub name: QualifiedName,
    pub attributes: Vec<CompositeAttribute>,
    pub comment: Option<String>,
    pub meta: Meta,
}

/// One attribute of a [`CompositeType`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompositeAttribute {
    pub name: Ident,
    pub ty: TypeName,
    /// Recorded only when it differs from the type's default collation.
    pub collation: Option<crate::model::Collation>,
}
