//! A unique index that becomes a UNIQUE constraint of the same name: the
//! constraint adopts the existing index (`ADD CONSTRAINT name UNIQUE USING
//! INDEX name`, see `plan::strategy::adopt_index`) instead of the index
//! being dropped and a new one built under the same name (which fails with
//! "relation already exists" and would leave the table without the index
//! meanwhile).
//!
//! Invariant: only an index PostgreSQL accepts for `USING INDEX` is adopted
//! (https://www.postgresql.org/docs/current/sql-altertable.html): valid,
//! unique, btree, plain columns in the default sort order, operator class
//! and collation, no predicate, the constraint's own columns, INCLUDE list
//! and NULLS NOT DISTINCT; never on a partitioned table, which has no
//! `USING INDEX`.

use crate::model::{Constraint, ConstraintKind, Ident, Index, IndexExpr, Table};

/// Names of the current indexes that desired UNIQUE constraints of the
/// same name adopt.
pub(super) fn adopted_indexes(current: &Table, desired: &Table) -> Vec<Ident> {
    if current.partition_by.is_some() || desired.partition_by.is_some() {
        return Vec::new();
    }
    desired
        .constraints
        .values()
        .filter(|constraint| {
            !current.constraints.contains_key(&constraint.name)
                && !desired.indexes.contains_key(&constraint.name)
                && current
                    .indexes
                    .get(&constraint.name)
                    .is_some_and(|index| backs(index, constraint))
        })
        .map(|constraint| constraint.name.clone())
        .collect()
}

/// True when `index` can become the index of `constraint` as it is.
fn backs(index: &Index, constraint: &Constraint) -> bool {
    let ConstraintKind::Unique {
        columns,
        include,
        nulls_not_distinct,
    } = &constraint.kind
    else {
        return false;
    };
    let plain_keys = index.keys.len() == columns.len()
        && index.keys.iter().zip(columns).all(|(key, column)| {
            matches!(&key.expr, IndexExpr::Column(name) if name == column)
                && !key.descending
                && key.nulls_first.is_none()
                && key.opclass.is_none()
                && key.collation.is_none()
        });
    !index.invalid
        && index.unique
        && index.method == "btree"
        && index.predicate.is_none()
        && index.nulls_not_distinct == *nulls_not_distinct
        && index.include == *include
        && plain_keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::strategy::test_support::{constraint, idents, index, table};

    fn unique(name: &str, columns: &[&str]) -> Constraint {
        constraint(
            name,
            ConstraintKind::Unique {
                columns: idents(columns),
                include: Vec::new(),
                nulls_not_distinct: false,
            },
        )
    }

    fn with_unique_index(name: &str, columns: &[&str]) -> Table {
        let mut current = table("users", Vec::new());
        let mut existing = index(name, columns);
        existing.unique = true;
        current
            .indexes
            .insert(existing.name.clone(), Box::new(existing));
        current
    }

    fn with_constraint(constraint: Constraint) -> Table {
        let mut desired = table("users", Vec::new());
        desired
            .constraints
            .insert(constraint.name.clone(), Box::new(constraint));
        desired
    }

    #[test]
    fn a_matching_unique_index_is_adopted() {
        let current = with_unique_index("users_email_key", &["email"]);
        let desired = with_constraint(unique("users_email_key", &["email"]));
        assert_eq!(
            adopted_indexes(&current, &desired),
            vec![Ident::new("users_email_key")]
        );
    }

    #[test]
    fn other_indexes_are_not_adopted() {
        let desired = with_constraint(unique("users_email_key", &["email"]));
        let other_columns = with_unique_index("users_email_key", &["email", "id"]);
        assert!(adopted_indexes(&other_columns, &desired).is_empty());
        let mut not_unique = with_unique_index("users_email_key", &["email"]);
        for index in not_unique.indexes.values_mut() {
            index.unique = false;
        }
        assert!(adopted_indexes(&not_unique, &desired).is_empty());
        let mut invalid = with_unique_index("users_email_key", &["email"]);
        for index in invalid.indexes.values_mut() {
            index.invalid = true;
        }
        assert!(adopted_indexes(&invalid, &desired).is_empty());
        let other_name = with_unique_index("users_email_idx", &["email"]);
        assert!(adopted_indexes(&other_name, &desired).is_empty());
    }
}
