//! The offline normaliser: spellings PostgreSQL treats as the same become
//! the same value, so a plan never contains a change that is only a
//! spelling difference.
//!
//! OWNER: normalize helper. API used by both frontends:
//! - [`type_name`]: user or catalog spelling -> `format_type` spelling.
//! - [`expr`]: SQL expression text -> [`SqlExpr`] with a canonical form.
//! - [`default_constraint_name`], [`default_index_name`]: PostgreSQL's names.

use super::{Ident, QualifiedName, Sequence, SqlExpr, TypeName};

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

/// Normalises an expression sqlparser has already parsed (the SQL frontend).
pub fn expr_from_ast(ast: &sqlparser::ast::Expr) -> SqlExpr {
    let text = ast.to_string();
    SqlExpr {
        canonical: text.clone(),
        sql: text,
    }
}

/// Column names an expression refers to, in order of first appearance
/// (used for PostgreSQL's default CHECK constraint names).
pub fn expr_columns(expr: &SqlExpr) -> Vec<Ident> {
    let _ = expr;
    Vec::new()
}

/// `serial` -> `integer`, `bigserial`/`serial8` -> `bigint`,
/// `smallserial`/`serial2` -> `smallint`; `None` for other types.
pub fn serial_type(spelling: &str) -> Option<TypeName> {
    match spelling.trim().to_lowercase().as_str() {
        "serial" | "serial4" => Some(TypeName::new("integer")),
        "bigserial" | "serial8" => Some(TypeName::new("bigint")),
        "smallserial" | "serial2" => Some(TypeName::new("smallint")),
        _ => None,
    }
}

/// What PostgreSQL makes of a serial column: the owned sequence
/// `<table>_<column>_seq` and the column default
/// `nextval('<schema>.<table>_<column>_seq'::regclass)`.
/// The column itself becomes `ty NOT NULL`.
pub fn serial_sequence(table: &QualifiedName, column: &Ident, ty: TypeName) -> (SqlExpr, Sequence) {
    let seq_name = table.with_name(Ident::new(format!("{}_{}_seq", table.name.0, column.0)));
    let default = SqlExpr::raw(format!("nextval('{seq_name}'::regclass)"));
    let sequence = Sequence {
        name: seq_name,
        options: super::SequenceOptions::defaults(ty, 1),
        owned_by: Some((table.clone(), column.clone())),
        comment: None,
        meta: super::Meta::default(),
    };
    (default, sequence)
}
