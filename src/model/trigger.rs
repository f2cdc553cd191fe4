//! Triggers.

use super::{Ident, Meta, QualifiedName, SqlExpr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    pub name: Ident,
    pub timing: TriggerTiming,
    /// In PostgreSQL's order: INSERT, DELETE, UPDATE, TRUNCATE.
    pub events: Vec<TriggerEvent>,
    pub for_each_row: bool,
    pub when: Option<SqlExpr>,
    pub function: QualifiedName,
    /// Literal arguments passed to the function, as written (unquoted).
    pub args: Vec<String>,
    /// `CREATE CONSTRAINT TRIGGER`.
    pub constraint: bool,
    pub deferrable: bool,
    pub initially_deferred: bool,
    /// `REFERENCING OLD TABLE AS name`: the transition relation of the
    /// rows before the statement (AFTER triggers only).
    pub old_table: Option<Ident>,
    /// `REFERENCING NEW TABLE AS name`.
    pub new_table: Option<Ident>,
    pub comment: Option<String>,
    pub meta: Meta,
}

/// PostgreSQL's own trigger functions (`pg_proc` of PostgreSQL 15, return
/// type `trigger`, schema `pg_catalog`; the `RI_FKey_*` ones only serve
/// foreign keys' internal triggers): an unqualified call of one of them
/// resolves to `pg_catalog`, which is searched first whatever the
/// search_path says.
pub const BUILTIN_TRIGGER_FUNCTIONS: &[&str] = &[
    "suppress_redundant_updates_trigger",
    "tsvector_update_trigger",
    "tsvector_update_trigger_column",
    "unique_key_recheck",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerTiming {
    Before,
    After,
    InsteadOf,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TriggerEvent {
    Insert,
    Delete,
    /// `UPDATE [OF columns]`.
    Update(Vec<Ident>),
    Truncate,
}
