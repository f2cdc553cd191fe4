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
    pub constraints: BTreeMap<Ident, Constraint>,
    pub indexes: BTreeMap<Ident, Index>,
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
    pub policies: BTreeMap<Ident, Policy>,
    pub triggers: BTreeMap<Ident, Trigger>,
    /// Extended statistics on the table, by name (in the table's schema).
    pub statistics: BTreeMap<Ident, Statistics>,
    /// Rewrite rules on the table (`CREATE RULE`), by name.
    pub rules: BTreeMap<Ident, Rule>,
    pub distribution: Option<Distribution>,
    pub unlogged: bool,
    pub comment: Option<String>,
    pub meta: Meta,
}

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
            comment: None,
            meta: Meta::default(),
        }
    }

    pub fn column(&self, name: &Ident) -> Option<&Column> {
        self.columns.iter().find(|column| &column.name == name)
    }

    pub fn primary_key(&self) -> Option<&Constraint> {
        self.constraints
            .values()
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
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (expr) STORED`.
    pub generated: Option<SqlExpr>,
    pub collation: Option<Ident>,
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
