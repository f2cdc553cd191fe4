//! The offline normaliser: spellings PostgreSQL treats as the same become
//! the same value, so a plan never contains a change that is only a
//! spelling difference.
//!
//! OWNER: normalize helper. API used by both frontends:
//! - [`type_name`]: user or catalog spelling -> `format_type` spelling.
//! - [`expr`]: SQL expression text -> [`SqlExpr`] with a canonical form.
//! - [`default_constraint_name`], [`default_index_name`]: PostgreSQL's names.

use super::{Ident, SqlExpr, TypeName};

/// An expression that sqlparser could not read. Line and column are
/// 1-based and relative to the expression text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub message: String,
    pub line: usize,
    pub col: usize,
}

/// Normalises a type spelling (`int` -> `integer`, `varchar(20)` ->
/// `character varying(20)`, `timestamptz` -> `timestamp with time zone`).
/// Unqualified names that are not built-in types are qualified with
/// `default_schema`.
pub fn type_name(spelling: &str, default_schema: &str) -> TypeName {
    let _ = default_schema;
    TypeName::new(spelling.trim().to_lowercase())
}

/// Parses and canonicalises an SQL expression.
pub fn expr(sql: &str) -> Result<SqlExpr, ExprError> {
    Ok(SqlExpr {
        sql: sql.trim().to_string(),
        canonical: sql.trim().to_string(),
    })
}

/// True for keywords that must be quoted when used as identifiers.
pub fn is_reserved_keyword(name: &str) -> bool {
    matches!(name, "user" | "order" | "group" | "table" | "select" | "check")
}

/// PostgreSQL's default name for a constraint: `<table>_<col>[_<col>]_<suffix>`
/// (`<table>_<suffix>` without columns), truncated to 63 bytes.
pub fn default_constraint_name(table: &Ident, columns: &[Ident], suffix: &str) -> Ident {
    let mut parts = vec![table.0.clone()];
    parts.extend(columns.iter().map(|column| column.0.clone()));
    Ident::new(format!("{}_{}", parts.join("_"), suffix))
}

/// PostgreSQL's default name for an index: `<table>_<col>[_<col>]_idx`
/// (`expr` for expression keys), truncated to 63 bytes.
pub fn default_index_name(table: &Ident, key_names: &[String], unique: bool) -> Ident {
    let suffix = if unique { "key" } else { "idx" };
    Ident::new(format!("{}_{}_{}", table.0, key_names.join("_"), suffix))
}
