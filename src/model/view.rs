//! Views and materialized views.

use super::{Ident, Index, Meta, QualifiedName, SqlExpr};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub name: QualifiedName,
    pub materialized: bool,
    /// Explicit column names (`CREATE VIEW v (a, b) AS ...`); empty if none.
    pub columns: Vec<Ident>,
    /// The SELECT, compared by its canonical form.
    pub query: SqlExpr,
    /// `WITH (security_barrier)`, `WITH (security_invoker)`,
    /// `check_option=local|cascaded`: `(name, value)`, sorted.
    pub options: Vec<(String, String)>,
    /// Relations (tables, views) the query reads; filled by the frontend.
    pub depends_on: Vec<QualifiedName>,
    /// Indexes of a materialized view.
    pub indexes: BTreeMap<Ident, Index>,
    pub comment: Option<String>,
    pub meta: Meta,
}
