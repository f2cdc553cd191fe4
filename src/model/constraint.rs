//! Table constraints: PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY, EXCLUDE.

use super::{Ident, Meta, QualifiedName, SqlExpr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    pub name: Ident,
    pub kind: ConstraintKind,
    pub deferrable: bool,
    pub initially_deferred: bool,
    /// `NOT VALID`: the rows that existed when the constraint was added were
    /// not checked (`pg_constraint.convalidated` false). Only CHECK and
    /// FOREIGN KEY constraints can be NOT VALID. A desired constraint that
    /// is not NOT VALID is validated by the plan when the database holds it
    /// NOT VALID; one declared NOT VALID is satisfied by either.
    pub not_valid: bool,
    pub comment: Option<String>,
    pub meta: Meta,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstraintKind {
    PrimaryKey {
        columns: Vec<Ident>,
        include: Vec<Ident>,
    },
    Unique {
        columns: Vec<Ident>,
        include: Vec<Ident>,
        nulls_not_distinct: bool,
    },
    Check {
        expr: SqlExpr,
        no_inherit: bool,
    },
    ForeignKey(ForeignKey),
    Exclude {
        method: String,
        elements: Vec<ExcludeElement>,
        include: Vec<Ident>,
        predicate: Option<SqlExpr>,
    },
}

impl ConstraintKind {
    /// `pkey`, `key`, `check`, `fkey`, `excl`: PostgreSQL's default name suffix.
    pub fn default_suffix(&self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey { .. } => "pkey",
            ConstraintKind::Unique { .. } => "key",
            ConstraintKind::Check { .. } => "check",
            ConstraintKind::ForeignKey(_) => "fkey",
            ConstraintKind::Exclude { .. } => "excl",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub columns: Vec<Ident>,
    pub ref_table: QualifiedName,
    /// Always filled in (the referenced table's primary key when the source
    /// left it out).
    pub ref_columns: Vec<Ident>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    pub match_full: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FkAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    pub fn as_sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }
}

/// One `expr WITH operator` of an EXCLUDE constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcludeElement {
    pub expr: SqlExpr,
    pub opclass: Option<String>,
    pub operator: String,
}
