//! The generic row generator: [`ROWS_PER_LEAF`] rows in every leaf table of
//! the `from` Model (plain tables and leaf partitions), driven by the Model
//! alone.
//!
//! How values are chosen:
//! - Identity, generated and defaulted columns are left out (the database
//!   fills them), unless a partition bound or a foreign key pins them.
//! - Every other column gets a value derived from a per-table row counter
//!   `k`, injective in `k` for every supported type, so UNIQUE and PRIMARY
//!   KEY constraints hold without knowing them. Enums use their values
//!   (preferring those the `to` schema keeps, so a value removal does not
//!   meet seeded rows); domains use their base type.
//! - Partition keys come from the partition's bound (range: the lower
//!   bound plus a small offset; list: the listed values; hash: candidates
//!   checked with `satisfies_hash_partition`; default: a value outside
//!   every sibling's bound), and rows are inserted straight into the leaf,
//!   so PostgreSQL checks that they belong there.
//! - Foreign key columns (of the `from` schema, and of the `to` schema when
//!   both ends already exist, so a constraint added later finds valid rows)
//!   copy the key of an existing parent row; parents are seeded first.
//!
//! What the generator cannot satisfy (a CHECK, an expression partition key,
//! a type it does not know) makes its INSERT fail; the error names the
//! table and asks for `tests/fixtures/<case>/seed.sql`, which runs before
//! the generator. The generator then only fills the leaves that are still
//! empty.
//!
//! Partition keys are chosen in [`super::partition`], values of each type
//! in [`super::values`].

use super::values::{builtin_value, json_to_sql, quote_literal, same_type};
use crate::common::TestDb;
use schemac::model::{Column, ConstraintKind, Ident, Model, QualifiedName, Table};
use std::collections::{BTreeMap, BTreeSet};

/// Rows inserted into every leaf table.
pub const ROWS_PER_LEAF: usize = 3;

/// What seeding did.
#[derive(Debug, Default)]
pub struct SeedReport {
    /// Every leaf table of `from` (each holds at least one row afterwards).
    pub leaves: Vec<QualifiedName>,
    /// Leaves the generator filled (the others were filled by `seed.sql`).
    pub generated: Vec<QualifiedName>,
    /// Partitioned tables without partitions: they cannot hold rows.
    pub no_leaves: Vec<QualifiedName>,
}

/// Fills every leaf table of `from` that is still empty (after `seed.sql`,
/// when the case has one), then checks that none is empty.
pub fn seed(db: &TestDb, from: &Model, to: &Model) -> Result<SeedReport, String> {
    let generator = Generator { db, from, to };
    let mut report = SeedReport::default();
    for root in seeding_order(from, to) {
        let leaves = leaves_of(from, root);
        if leaves.is_empty() {
            report.no_leaves.push(root.clone());
            continue;
        }
        let mut counter = 0;
        for leaf in leaves {
            report.leaves.push(leaf.name.clone());
            if count_rows(db, &leaf.name)? > 0 {
                continue;
            }
            generator.fill_leaf(leaf, counter)?;
            counter += ROWS_PER_LEAF;
            report.generated.push(leaf.name.clone());
        }
    }
    let empty: Vec<String> = report
        .leaves
        .iter()
        .filter_map(|leaf| match count_rows(db, leaf) {
            Ok(0) => Some(Ok(leaf.to_string())),
            Ok(_) => None,
            Err(err) => Some(Err(err)),
        })
        .collect::<Result<_, _>>()?;
    if !empty.is_empty() {
        return Err(format!(
            "after seeding, these tables hold no rows: {}",
            empty.join(", ")
        ));
    }
    Ok(report)
}

/// `SELECT count(*) FROM table`.
pub fn count_rows(db: &TestDb, table: &QualifiedName) -> Result<usize, String> {
    let rows = db.query(&format!("SELECT count(*) FROM {table}"))?;
    rows.first()
        .and_then(|row| row.trim().parse().ok())
        .ok_or_else(|| format!("counting the rows of {table} returned {rows:?}"))
}

/// The tables that hold rows: every table that is not partitioned.
pub fn leaf_tables(model: &Model) -> impl Iterator<Item = &Table> {
    model
        .tables
        .values()
        .filter(|table| table.partition_by.is_none())
}

/// `table` and its partition ancestors, the table first, the root last.
pub fn ancestry<'m>(model: &'m Model, table: &'m Table) -> Vec<&'m Table> {
    let mut chain = vec![table];
    let mut current = table;
    // A partition tree is shallow; the bound guards against a malformed
    // Model whose parents form a loop.
    while let Some(of) = &current.partition_of {
        match model.tables.get(&of.parent) {
            Some(parent) if chain.len() < 32 => {
                chain.push(parent);
                current = parent;
            }
            _ => break,
        }
    }
    chain
}

/// The root of `table`'s partition tree (the table itself when it is not a
/// partition): the table that holds the columns.
pub fn root_of<'m>(model: &'m Model, table: &'m Table) -> &'m Table {
    ancestry(model, table)
        .last()
        .copied()
        .expect("invariant: the ancestry holds at least the table")
}

/// The name `from_name` has in `to`: the table declared `was <name>` in the
/// same schema, else the same name.
pub fn name_in_to(to: &Model, from_name: &QualifiedName) -> QualifiedName {
    to.tables
        .values()
        .find(|table| {
            table.name.schema == from_name.schema
                && table.meta.renamed_from.as_deref() == Some(&from_name.name)
        })
        .map(|table| table.name.clone())
        .unwrap_or_else(|| from_name.clone())
}

/// The name `to_name` had in `from` (inverse of [`name_in_to`]).
fn name_in_from(to: &Model, to_name: &QualifiedName) -> QualifiedName {
    match to
        .tables
        .get(to_name)
        .and_then(|table| table.meta.renamed_from.as_deref().cloned())
    {
        Some(old) => to_name.with_name(old),
        None => to_name.clone(),
    }
}

/// The leaves under `root` (the root itself when it is not partitioned), in
/// name order.
fn leaves_of<'m>(model: &'m Model, root: &QualifiedName) -> Vec<&'m Table> {
    leaf_tables(model)
        .filter(|leaf| &root_of(model, leaf).name == root)
        .collect()
}

/// Root tables, each after the roots its foreign keys reference (ties and
/// cycles broken by name).
fn seeding_order<'m>(from: &'m Model, to: &Model) -> Vec<&'m QualifiedName> {
    let roots: Vec<&Table> = from
        .tables
        .values()
        .filter(|table| table.partition_of.is_none())
        .collect();
    let mut deps: BTreeMap<&QualifiedName, BTreeSet<QualifiedName>> = BTreeMap::new();
    for root in &roots {
        let referenced = foreign_keys(from, to, root)
            .into_iter()
            .filter_map(|fk| from.tables.get(&fk.parent))
            .map(|parent| root_of(from, parent).name.clone())
            .filter(|parent| parent != &root.name)
            .collect();
        deps.insert(&root.name, referenced);
    }
    let mut order = Vec::new();
    let mut done: BTreeSet<QualifiedName> = BTreeSet::new();
    while order.len() < roots.len() {
        let next = deps
            .iter()
            .filter(|(name, _)| !done.contains(**name))
            .find(|(_, parents)| parents.iter().all(|parent| done.contains(parent)))
            .or_else(|| deps.iter().find(|(name, _)| !done.contains(**name)))
            .map(|(name, _)| *name);
        let Some(name) = next else { break };
        done.insert(name.clone());
        order.push(name);
    }
    order
}

/// A foreign key as the generator sees it, in `from` names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Fk {
    columns: Vec<Ident>,
    parent: QualifiedName,
    parent_columns: Vec<Ident>,
}

/// The foreign keys rows of `table` (a root or a leaf) must satisfy: those
/// of `from`, plus those of `to` whose tables and columns already exist in
/// `from` (so a foreign key the change adds finds valid rows).
fn foreign_keys(from: &Model, to: &Model, table: &Table) -> Vec<Fk> {
    let mut res = BTreeSet::new();
    for constraint in table.constraints.values() {
        if let ConstraintKind::ForeignKey(fk) = &constraint.kind {
            res.insert(Fk {
                columns: fk.columns.clone(),
                parent: fk.ref_table.clone(),
                parent_columns: fk.ref_columns.clone(),
            });
        }
    }
    let from_root = root_of(from, table);
    if let Some(to_table) = to.tables.get(&name_in_to(to, &table.name)) {
        for constraint in to_table.constraints.values() {
            let ConstraintKind::ForeignKey(fk) = &constraint.kind else {
                continue;
            };
            let parent = name_in_from(to, &fk.ref_table);
            let Some(from_parent) = from.tables.get(&parent) else {
                continue;
            };
            let to_parent = to.tables.get(&fk.ref_table);
            let columns = columns_in_from(&fk.columns, to_table, from_root);
            let parent_columns = to_parent.and_then(|to_parent| {
                columns_in_from(&fk.ref_columns, to_parent, root_of(from, from_parent))
            });
            if let (Some(columns), Some(parent_columns)) = (columns, parent_columns) {
                res.insert(Fk {
                    columns,
                    parent,
                    parent_columns,
                });
            }
        }
    }
    res.into_iter().collect()
}

/// The `from` names of `to` columns, when every one of them already exists
/// in `from_root`.
fn columns_in_from(columns: &[Ident], to_table: &Table, from_root: &Table) -> Option<Vec<Ident>> {
    columns
        .iter()
        .map(|name| {
            let old = to_table
                .column(name)
                .and_then(|column| column.meta.renamed_from.as_deref().cloned())
                .unwrap_or_else(|| name.clone());
            from_root.column(&old).map(|column| column.name.clone())
        })
        .collect()
}

pub(super) struct Generator<'a> {
    pub(super) db: &'a TestDb,
    pub(super) from: &'a Model,
    pub(super) to: &'a Model,
}

/// Per-row SQL expressions for some columns.
pub(super) type Pinned = BTreeMap<Ident, Vec<String>>;

impl Generator<'_> {
    /// Inserts [`ROWS_PER_LEAF`] rows into `leaf`; `counter` is the number
    /// of rows already generated for its partition tree.
    fn fill_leaf(&self, leaf: &Table, counter: usize) -> Result<(), String> {
        let root = root_of(self.from, leaf);
        let ks: Vec<usize> = (1..=ROWS_PER_LEAF).map(|idx| counter + idx).collect();
        let mut pinned = Pinned::new();
        self.pin_partition_keys(leaf, root, &ks, &mut pinned)?;
        let mut fks = foreign_keys(self.from, self.to, root);
        if leaf.name != root.name {
            fks.extend(foreign_keys(self.from, self.to, leaf));
        }
        for fk in &fks {
            self.pin_foreign_key(fk, root, &ks, &mut pinned)?;
        }

        let mut names = Vec::new();
        let mut rows: Vec<Vec<String>> = vec![Vec::new(); ks.len()];
        for column in &root.columns {
            let value_of_row = |row: usize| -> Result<String, String> {
                match pinned.get(&column.name) {
                    Some(values) => Ok(values[row].clone()),
                    None => self.value(&column.ty.0, ks[row], column.name.as_str()),
                }
            };
            let left_to_database =
                column.identity.is_some() || column.generated.is_some() || column.default.is_some();
            if left_to_database && !pinned.contains_key(&column.name) {
                continue;
            }
            names.push(column.name.to_string());
            for (row, values) in rows.iter_mut().enumerate() {
                values.push(value_of_row(row)?);
            }
        }
        let sql = if names.is_empty() {
            format!("INSERT INTO {} DEFAULT VALUES;\n", leaf.name).repeat(ks.len())
        } else {
            let values: Vec<String> = rows
                .iter()
                .map(|values| format!("    ({})", values.join(", ")))
                .collect();
            format!(
                "INSERT INTO {} ({}) VALUES\n{};\n",
                leaf.name,
                names.join(", "),
                values.join(",\n")
            )
        };
        self.db.run_sql(&sql).map_err(|err| {
            format!(
                "the generated rows for {} do not insert; add the rows to seed.sql \
                 in the fixture (it runs before the generator, which then leaves \
                 that table alone):\n{err}",
                leaf.name
            )
        })
    }

    /// Pins the columns of `fk` to the keys of existing parent rows.
    fn pin_foreign_key(
        &self,
        fk: &Fk,
        root: &Table,
        ks: &[usize],
        pinned: &mut Pinned,
    ) -> Result<(), String> {
        // A partition key wins: the row must go into this leaf.
        if fk.columns.iter().any(|column| pinned.contains_key(column)) {
            return Ok(());
        }
        let columns: Vec<&Column> = fk
            .columns
            .iter()
            .map(|name| {
                root.column(name)
                    .ok_or_else(|| format!("{}: foreign key column {name} is missing", root.name))
            })
            .collect::<Result<_, _>>()?;
        let parent_rows = if fk.parent == root.name {
            Vec::new()
        } else {
            self.db
                .query(&format!(
                    "SELECT row_to_json(t)::text FROM {} AS t ORDER BY 1",
                    fk.parent
                ))?
                .iter()
                .map(|line| serde_json::from_str::<serde_json::Value>(line))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|err| format!("reading the rows of {}: {err}", fk.parent))?
        };
        if parent_rows.is_empty() {
            if columns.iter().all(|column| !column.not_null) {
                for column in columns {
                    pinned.insert(column.name.clone(), vec!["NULL".to_string(); ks.len()]);
                }
                return Ok(());
            }
            return Err(format!(
                "{}: the foreign key to {} needs parent rows, and there are none yet \
                 (a self-reference or a cycle of NOT NULL keys); write seed.sql",
                root.name, fk.parent
            ));
        }
        for (column, parent_column) in columns.iter().zip(&fk.parent_columns) {
            let values = (0..ks.len())
                .map(|row| {
                    let parent_row = &parent_rows[row % parent_rows.len()];
                    json_to_sql(&parent_row[parent_column.as_str()], &column.ty.0)
                })
                .collect();
            pinned.insert(column.name.clone(), values);
        }
        Ok(())
    }

    /// An SQL expression of type `ty` for row counter `k`, injective in `k`.
    pub(super) fn value(&self, ty: &str, k: usize, column: &str) -> Result<String, String> {
        if let Some(element) = ty.strip_suffix("[]") {
            return Ok(format!("ARRAY[{}]::{ty}", self.value(element, k, column)?));
        }
        if let Some(domain) = self
            .from
            .domains
            .values()
            .find(|domain| same_type(&domain.name, ty))
        {
            let base = self.value(&domain.base.0, k, column)?;
            return Ok(format!("({base})::{ty}"));
        }
        if let Some(found) = self
            .from
            .enums
            .values()
            .find(|found| same_type(&found.name, ty))
        {
            let kept: Vec<&String> = match self.to.enums.get(&found.name) {
                Some(target) => found
                    .values
                    .iter()
                    .filter(|value| target.values.contains(value))
                    .collect(),
                None => Vec::new(),
            };
            let choices: Vec<&String> = if kept.is_empty() {
                found.values.iter().collect()
            } else {
                kept
            };
            let Some(value) = choices.get((k - 1) % choices.len().max(1)) else {
                return Err(format!("enum {ty} has no values"));
            };
            return Ok(format!("{}::{ty}", quote_literal(value)));
        }
        builtin_value(ty, k, column)
    }
}
