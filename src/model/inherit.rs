//! Table inheritance (`INHERITS`): which columns a child gets from its
//! parents.
//!
//! PostgreSQL merges the parents' columns into the child, and `pg_dump`
//! prints a child with its own columns only. A column the child declares
//! that a parent also has is merged into one column (it then counts as
//! both local and inherited), and `ALTER TABLE child INHERIT parent` leaves
//! the child's existing columns as they were. So that every source of a
//! Model agrees, a child's `columns` never hold a column one of its
//! parents (directly or further up) has: [`strip_inherited_columns`] runs
//! on every Model that the frontends and the introspector produce.
//!
//! Invariant: never panics, also on an inheritance cycle or an unknown
//! parent (validation and PostgreSQL report those).

use super::{Column, Ident, Model, QualifiedName};
use std::collections::{BTreeMap, BTreeSet};

/// The names of the columns `table` inherits from its parents, transitively.
pub fn inherited_columns(model: &Model, table: &QualifiedName) -> BTreeSet<Ident> {
    inherited_column_defs(model, table)
        .into_iter()
        .map(|column| column.name.clone())
        .collect()
}

/// The columns `table` inherits from its parents, transitively: each name
/// once, as the nearest parent declares it (parents in declaration order).
pub fn inherited_column_defs<'a>(model: &'a Model, table: &QualifiedName) -> Vec<&'a Column> {
    let mut res: Vec<&Column> = Vec::new();
    let mut seen = BTreeSet::new();
    // Breadth first, so the nearest declaration of a name wins.
    let mut todo: std::collections::VecDeque<&QualifiedName> = model
        .tables
        .get(table)
        .map(|child| child.inherits.iter().collect())
        .unwrap_or_default();
    while let Some(parent_name) = todo.pop_front() {
        if !seen.insert(parent_name) {
            continue;
        }
        let Some(parent) = model.tables.get(parent_name) else {
            continue;
        };
        for column in &parent.columns {
            if !res.iter().any(|known| known.name == column.name) {
                res.push(column);
            }
        }
        todo.extend(parent.inherits.iter());
    }
    res
}

/// The columns a parent gives a child: its own and those it inherits.
pub fn all_columns<'a>(model: &'a Model, table: &QualifiedName) -> Vec<&'a Column> {
    let mut res: Vec<&Column> = model
        .tables
        .get(table)
        .map(|table| table.columns.iter().collect())
        .unwrap_or_default();
    for column in inherited_column_defs(model, table) {
        if !res.iter().any(|known| known.name == column.name) {
            res.push(column);
        }
    }
    res
}

/// Removes from every child the columns its parents provide (see the
/// module doc).
pub fn strip_inherited_columns(model: &mut Model) {
    let inherited: BTreeMap<QualifiedName, BTreeSet<Ident>> = model
        .tables
        .values()
        .filter(|table| !table.inherits.is_empty())
        .map(|table| (table.name.clone(), inherited_columns(model, &table.name)))
        .collect();
    for (name, columns) in inherited {
        if let Some(table) = model.tables.get_mut(&name) {
            table
                .columns
                .retain(|column| !columns.contains(&column.name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Table, TypeName};

    fn table(name: &str, columns: &[&str], inherits: &[&str]) -> Table {
        let mut table = Table::new(QualifiedName::public(name));
        for column in columns {
            table
                .columns
                .push(Column::new(Ident::new(*column), TypeName::new("integer")));
        }
        table.inherits = inherits.iter().map(|p| QualifiedName::public(*p)).collect();
        table
    }

    fn names(model: &Model, name: &str) -> Vec<String> {
        model.tables[&QualifiedName::public(name)]
            .columns
            .iter()
            .map(|column| column.name.0.clone())
            .collect()
    }

    #[test]
    fn children_keep_only_their_own_columns() {
        let mut model = Model::default();
        for t in [
            table("base", &["id", "note"], &[]),
            table("mid", &["id", "note", "kind"], &["base"]),
            table("leaf", &["id", "kind", "extra"], &["mid"]),
            // A cycle and an unknown parent never loop or panic.
            table("a", &["x"], &["b"]),
            table("b", &["x", "y"], &["a", "missing"]),
        ] {
            model.tables.insert(t.name.clone(), t);
        }
        strip_inherited_columns(&mut model);
        assert_eq!(names(&model, "base"), ["id", "note"]);
        assert_eq!(names(&model, "mid"), ["kind"]);
        assert_eq!(names(&model, "leaf"), ["extra"]);
        assert!(names(&model, "a").is_empty());
        assert!(names(&model, "b").is_empty());
    }
}
