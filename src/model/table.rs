//! Tables and columns.

use super::{
    Constraint, Distribution, Ident, Index, Meta, PartitionBy, PartitionOf, Policy, QualifiedName,
    Rule, SequenceOptions, SqlExpr, Statistics, Trigger, TypeName,
};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: QualifiedName,
    /// Declaration order is the column order.
    pub columns: Vec<Column>,
    /// All table constraints (PK, UNIQUE, CHECK, FK, EXCLUDE) by name.
    /// Column-level constraints are lowered to table constraints with the
    /// names PostgreSQL would give them.
    ///
    /// The constraints, indexes and policies are boxed: a `BTreeMap` node
    /// has room for 11 entries, and a table has a few, so unboxed values
    /// (250 to 300 bytes each) made every such map cost about 3 KB, 60 MB
    /// of a 10,000-table Model; boxed, a node is a tenth of that.
    pub constraints: BTreeMap<Ident, Box<Constraint>>,
    pub indexes: BTreeMap<Ident, Box<Index>>,
    /// Set on a partitioned (parent) table.
    pub partition_by: Option<PartitionBy>,
    /// Set on a partition. A partition's columns, and the constraints and
    /// indexes it inherits from its parent, are not repeated in the Model:
    /// `columns` is empty and `constraints`/`indexes` hold only what is
    /// declared on the partition alone.
    pub partition_of: Option<PartitionOf>,
    /// `INHERITS (parent, ...)`, in declaration order (it is the order
    /// PostgreSQL merges the parents' columns in). The columns a child
    /// inherits are not repeated in `columns` (see [`super::inherit`]):
    /// `columns` holds only the child's own columns.
    pub inherits: Vec<QualifiedName>,
    pub rls: RowSecurity,
    pub policies: BTreeMap<Ident, Box<Policy>>,
    pub triggers: BTreeMap<Ident, Trigger>,
    /// Extended statistics on the table, by name (in the table's schema).
    pub statistics: BTreeMap<Ident, Statistics>,
    /// Rewrite rules on the table (`CREATE RULE`), by name.
    pub rules: BTreeMap<Ident, Rule>,
    pub distribution: Option<Distribution>,
    pub unlogged: bool,
    /// Storage parameters (`WITH (fillfactor = 70, ...)`, `ALTER TABLE ...
    /// SET (...)`; `pg_class.reloptions`), those of the table's TOAST table
    /// under a `toast.` prefix.
    pub options: StorageOptions,
    pub comment: Option<String>,
    /// On a partition: the names the source gives this partition's indexes
    /// that are attached to its parent's partitioned indexes.
    pub index_names: PartitionIndexNames,
    pub meta: Meta,
}

/// A partition's index names from the source (pg_dump's `CREATE INDEX
/// child ON partition ...` + `ALTER INDEX parent ATTACH PARTITION child`):
/// parent index name -> this partition's index name. PostgreSQL names the
/// indexes it creates for partitions itself, and the introspector hides
/// attached partition indexes, so (like [`Meta`]) the names never take
/// part in equality: the plan uses them when it creates such an index, and
/// a partition without one gets the derived name.
#[derive(Debug, Clone, Default)]
pub struct PartitionIndexNames(pub BTreeMap<Ident, Ident>);

impl PartialEq for PartitionIndexNames {
    fn eq(&self, _other: &PartitionIndexNames) -> bool {
        true
    }
}

impl Eq for PartitionIndexNames {}

/// A table's storage parameters by name (lower case, `toast.` prefix for
/// the TOAST table's), with their values as written (quotes removed).
/// PostgreSQL keeps a value as it was written (`autovacuum_enabled=off`,
/// `fillfactor=70`), so two spellings of one value compare equal:
/// [`StorageOptions::canonical_value`].
#[derive(Debug, Clone, Default)]
pub struct StorageOptions(pub BTreeMap<String, String>);

impl StorageOptions {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets `name` (lower-cased) to `value` (quotes removed).
    pub fn set(&mut self, name: &str, value: &str) {
        let value = value.trim();
        let value = value
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .map(|v| v.replace("''", "'"))
            .unwrap_or_else(|| value.to_string());
        self.0.insert(name.trim().to_lowercase(), value);
    }

    /// The value as PostgreSQL means it: booleans as `true`/`false`
    /// (`vacuum_index_cleanup` as `on`/`off`/`auto`), numbers in one
    /// spelling (`0.10` and `0.1`), anything else lower-cased.
    pub fn canonical_value(name: &str, value: &str) -> String {
        let lower = value.trim().to_lowercase();
        let option = name.strip_prefix("toast.").unwrap_or(name);
        let truth = match lower.as_str() {
            "true" | "on" | "yes" | "1" | "t" | "y" => Some(true),
            "false" | "off" | "no" | "0" | "f" | "n" => Some(false),
            _ => None,
        };
        match option {
            "autovacuum_enabled" | "user_catalog_table" | "vacuum_truncate" => {
                if let Some(truth) = truth {
                    return truth.to_string();
                }
            }
            "vacuum_index_cleanup" => {
                if let Some(truth) = truth {
                    return if truth { "on" } else { "off" }.to_string();
                }
            }
            _ => {}
        }
        match lower.parse::<f64>() {
            Ok(number) if number.is_finite() => number.to_string(),
            _ => lower,
        }
    }

    /// `(name, value)` pairs whose value differs from (or is missing in)
    /// `current`, and the names `current` has that `self` does not.
    pub fn changes_from(&self, current: &StorageOptions) -> (Vec<(String, String)>, Vec<String>) {
        let set = self
            .0
            .iter()
            .filter(|(name, value)| {
                current.0.get(*name).is_none_or(|now| {
                    Self::canonical_value(name, now) != Self::canonical_value(name, value)
                })
            })
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        let reset = current
            .0
            .keys()
            .filter(|name| !self.0.contains_key(*name))
            .cloned()
            .collect();
        (set, reset)
    }
}

impl PartialEq for StorageOptions {
    fn eq(&self, other: &StorageOptions) -> bool {
        let (set, reset) = self.changes_from(other);
        set.is_empty() && reset.is_empty()
    }
}

impl Eq for StorageOptions {}

impl Table {
    pub fn new(name: QualifiedName) -> Table {
        Table {
            name,
            columns: Vec::new(),
            constraints: BTreeMap::new(),
            indexes: BTreeMap::new(),
            partition_by: None,
            partition_of: None,
            inherits: Vec::new(),
            rls: RowSecurity::default(),
            policies: BTreeMap::new(),
            triggers: BTreeMap::new(),
            statistics: BTreeMap::new(),
            rules: BTreeMap::new(),
            distribution: None,
            unlogged: false,
            options: StorageOptions::default(),
            comment: None,
            index_names: PartitionIndexNames::default(),
            meta: Meta::default(),
        }
    }

    pub fn column(&self, name: &Ident) -> Option<&Column> {
        self.columns.iter().find(|column| &column.name == name)
    }

    /// The CHECK an interrupted online `SET NOT NULL` of `column` left
    /// behind: named [`not_null_check_name`] and checking exactly
    /// `column IS NOT NULL` (valid or not). A plan that sets the column
    /// NOT NULL takes it over instead of adding it again.
    pub fn not_null_helper(&self, column: &Ident) -> Option<&Constraint> {
        let constraint = self.constraints.get(&not_null_check_name(column))?;
        let super::ConstraintKind::Check { expr, .. } = &constraint.kind else {
            return None;
        };
        let wanted = super::normalize::expr(&format!("{column} IS NOT NULL")).ok()?;
        (expr.canonical == wanted.canonical).then_some(constraint)
    }

    pub fn primary_key(&self) -> Option<&Constraint> {
        self.constraints
            .values()
            .map(Box::as_ref)
            .find(|constraint| matches!(constraint.kind, super::ConstraintKind::PrimaryKey { .. }))
    }
}

/// `ALTER TABLE ... [NO FORCE] / ENABLE ROW LEVEL SECURITY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RowSecurity {
    pub enabled: bool,
    pub forced: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: Ident,
    pub ty: TypeName,
    pub not_null: bool,
    pub default: Option<SqlExpr>,
    // The rarely set options are boxed: a column without them is 152
    // bytes smaller (about 23 MB for a Model of 150,000 columns).
    pub identity: Option<Box<Identity>>,
    /// `GENERATED ALWAYS AS (expr) STORED`.
    pub generated: Option<Box<SqlExpr>>,
    pub collation: Option<Box<crate::model::Collation>>,
    pub comment: Option<String>,
    pub meta: Meta,
}

impl Column {
    pub fn new(name: Ident, ty: TypeName) -> Column {
        Column {
            name,
            ty,
            not_null: false,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
            meta: Meta::default(),
        }
    }
}

/// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY [(options)]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub always: bool,
    pub options: SequenceOptions,
}

/// The name of the temporary CHECK that proves a column NOT NULL before an
/// online `SET NOT NULL`: `<column>_not_null`, truncated to 63 bytes.
pub fn not_null_check_name(column: &Ident) -> Ident {
    let mut name = column.as_str().to_string();
    while name.len() + "_not_null".len() > 63 {
        name.pop();
    }
    Ident::new(format!("{name}_not_null"))
}
