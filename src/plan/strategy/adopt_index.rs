//! A UNIQUE constraint that adopts the existing unique index of the same
//! name (`diff::adopt_index` decides which).
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-altertable.html):
//! `ADD CONSTRAINT name UNIQUE USING INDEX name` takes ACCESS EXCLUSIVE
//! for a catalog update only: the index is already built and already
//! enforces uniqueness, so nothing is scanned or rebuilt and every row
//! stays.
//!
//! Ordering invariant: runs with the other added constraints, after the
//! table's columns exist; the index is never dropped.

use super::add_constraint::using_index_step;
use super::{column_keys, Cx};
use crate::model::{Constraint, ConstraintKind, QualifiedName};
use crate::plan::order::{Key, Node, Phase};

pub(super) fn add_constraint_using_index(
    cx: &Cx<'_>,
    table: &QualifiedName,
    constraint: &Constraint,
) -> Vec<Node> {
    let mut requires = vec![Key::Relation(table.clone())];
    if let ConstraintKind::Unique { columns, .. } | ConstraintKind::PrimaryKey { columns, .. } =
        &constraint.kind
    {
        requires.extend(column_keys(table, columns));
    }
    vec![cx
        .node(
            Phase::AddConstraint,
            vec![using_index_step(cx, table, constraint)],
        )
        .provides([Key::Constraint(table.clone(), constraint.name.clone())])
        .requires(requires)]
}
