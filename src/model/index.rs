//! Indexes (on tables and materialized views).

use super::{Ident, Meta, SqlExpr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub name: Ident,
    pub unique: bool,
    pub nulls_not_distinct: bool,
    /// Access method, lower case: `btree`, `gin`, `gist`, `brin`, `hash`, ...
    pub method: String,
    pub keys: Vec<IndexKey>,
    pub include: Vec<Ident>,
    pub predicate: Option<SqlExpr>,
    /// Storage parameters, as `(name, value)` with lower-case names.
    pub with: Vec<(String, String)>,
    /// INVALID in the database (`pg_index.indisvalid` or `indisready`
    /// false): left by a failed or interrupted concurrent build, or still
    /// being built; queries cannot use it. Only the introspector sets it:
    /// a schema always wants its indexes valid, so the plan rebuilds one
    /// that is INVALID.
    pub invalid: bool,
    pub comment: Option<String>,
    pub meta: Meta,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexKey {
    pub expr: IndexExpr,
    pub collation: Option<crate::model::Collation>,
    pub opclass: Option<String>,
    pub descending: bool,
    /// `None` means the default (NULLS LAST for ASC, NULLS FIRST for DESC);
    /// frontends store `None` when the explicit value equals the default.
    pub nulls_first: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexExpr {
    Column(Ident),
    Expr(SqlExpr),
}
