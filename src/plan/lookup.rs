//! Lookups over the two Models that strategies would otherwise answer by
//! scanning every table: the partitions of a parent, and the names taken
//! in a schema. Each is built on first use, once per plan, so planning
//! stays linear in the number of tables however many changes ask.
//!
//! Invariant: an answer is the same as the scan it replaces, in the same
//! order (partitions in name order, as `Model::partitions_of` gives them).

use crate::model::{Ident, Model, QualifiedName, Table};
use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock as OnceCell;

/// What every temporary name contains (`<name>_new`, `<name>_new2`).
pub(crate) const TEMPORARY_MARK: &str = "_new";

/// Partitions by parent table, each list in name order.
type Partitions<'a> = BTreeMap<&'a QualifiedName, Vec<&'a Table>>;

/// The lazily built lookups of one plan over its current and desired Model.
pub(crate) struct Lookups<'a> {
    current: &'a Model,
    desired: &'a Model,
    current_partitions: OnceCell<Partitions<'a>>,
    desired_partitions: OnceCell<Partitions<'a>>,
    /// (schema, name) of every table, index and constraint of either Model
    /// whose name could be a temporary name (it contains
    /// [`TEMPORARY_MARK`]).
    taken_names: OnceCell<HashSet<(&'a str, &'a str)>>,
}

impl<'a> Lookups<'a> {
    pub(crate) fn new(current: &'a Model, desired: &'a Model) -> Lookups<'a> {
        Lookups {
            current,
            desired,
            current_partitions: OnceCell::new(),
            desired_partitions: OnceCell::new(),
            taken_names: OnceCell::new(),
        }
    }

    /// Partitions of `parent` in the current Model, in name order.
    pub(crate) fn current_partitions_of(
        &self,
        parent: &QualifiedName,
    ) -> impl Iterator<Item = &'a Table> + '_ {
        let partitions = self
            .current_partitions
            .get_or_init(|| self.current.partitions_by_parent());
        partitions.get(parent).into_iter().flatten().copied()
    }

    /// Partitions of `parent` in the desired Model, in name order.
    pub(crate) fn desired_partitions_of(
        &self,
        parent: &QualifiedName,
    ) -> impl Iterator<Item = &'a Table> + '_ {
        let partitions = self
            .desired_partitions
            .get_or_init(|| self.desired.partitions_by_parent());
        partitions.get(parent).into_iter().flatten().copied()
    }

    /// True when a table, index or constraint of either Model is called
    /// `name` in `schema`. Only for names that contain [`TEMPORARY_MARK`].
    pub(crate) fn is_name_taken(&self, schema: &Ident, name: &str) -> bool {
        debug_assert!(
            name.contains(TEMPORARY_MARK),
            "invariant: {name} is a temporary name"
        );
        self.taken_names
            .get_or_init(|| taken_names([self.current, self.desired]))
            .contains(&(schema.as_str(), name))
    }
}

fn taken_names(models: [&Model; 2]) -> HashSet<(&str, &str)> {
    let mut res = HashSet::new();
    for model in models {
        for table in model.tables.values() {
            let schema = table.name.schema.as_str();
            let names = std::iter::once(&table.name.name)
                .chain(table.indexes.keys())
                .chain(table.constraints.keys());
            // Only a name with `_new` in it can equal a temporary name.
            for name in names.filter(|name| name.as_str().contains(TEMPORARY_MARK)) {
                res.insert((schema, name.as_str()));
            }
        }
    }
    res
}
