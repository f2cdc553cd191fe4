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
    pub indexes: BTreeMap<Ident, Box<Index>>,
    pub comment: Option<String>,
    /// The output columns as a catalog reports them; empty for a view read
    /// from a file.
    pub output: ViewOutput,
    pub meta: Meta,
}

/// A view's output columns as the catalog reports them: name and type
/// (with its type modifier and, when not the type's default, collation),
/// in order. They follow from the query and what it reads, so (like
/// [`Meta`]) they never take part in equality: the diff uses them to tell
/// whether `CREATE OR REPLACE VIEW` can keep a changed view, which
/// PostgreSQL allows only when the existing output columns stay the same
/// (names, types and order) and new ones come last.
#[derive(Debug, Clone, Default)]
pub struct ViewOutput(pub Vec<(Ident, String)>);

impl PartialEq for ViewOutput {
    fn eq(&self, _other: &ViewOutput) -> bool {
        true
    }
}

impl Eq for ViewOutput {}
