//! (current, desired) -> [`ChangeSet`]. Pure: no IO, no clock, no randomness.
//!
//! Invariants:
//! - Objects are compared with `==` on model values (`Meta` never takes
//!   part), so a spelling difference the normaliser removed never becomes a
//!   change.
//! - Renames come only from explicit hints (`meta.renamed_from` on the
//!   desired object). Without a hint a missing name is a drop and a new
//!   name a create. Objects that follow a hinted rename (constraints and
//!   indexes over a renamed column, foreign keys to a renamed table) are
//!   compared in the new names (`rename`), and a default name that
//!   changed with them is renamed, not rebuilt.
//! - Objects matched by an `external` pattern of either Model are never
//!   diffed or dropped; the ChangeSet records a note instead.
//! - The `public` schema is never dropped.
//! - Output order is deterministic (BTreeMap iteration); the planner decides
//!   the execution order.

mod adopt_index;
pub mod change;
/// The `COMMENT ON` targets of a table's parts (the planner restores the
/// comments Citus loses when it rebuilds a table).
pub(crate) mod comment_targets {
    pub(crate) use super::column::comment_target as column;
    pub(crate) use super::constraint::comment_target as constraint;
    pub(crate) use super::index::comment_target as index;
}
mod column;
mod constraint;
mod function;
mod index;
mod object_rename;
mod partition;
mod policy;
mod privilege;
mod rename;
mod rule;
mod schema;
mod sequence;
mod statistics;
mod table;
mod trigger;
mod types;
mod view;

pub use change::{Change, ChangeSet, ColumnChange, EnumPosition};
pub use object_rename::{follow_renames, Followed};
pub(crate) use types::type_refers_to;

use crate::model::{Model, ObjectId, QualifiedName};
use crate::source::Span;
use std::collections::BTreeSet;

/// Compares two Models and lists what must change to turn `current` into
/// `desired`.
pub fn diff<'a>(current: &'a Model, desired: &'a Model) -> ChangeSet<'a> {
    let mut ctx = DiffCtx {
        current,
        desired,
        out: ChangeSet::default(),
        reshaped: BTreeSet::new(),
        dropped_tables: BTreeSet::new(),
        dropped_columns: BTreeSet::new(),
        renames: rename::Renames::default(),
    };
    schema::diff_schemas(&mut ctx);
    schema::diff_extensions(&mut ctx);
    types::diff_enums(&mut ctx);
    types::diff_domains(&mut ctx);
    types::diff_composites(&mut ctx);
    function::diff_functions(&mut ctx);
    table::diff_tables(&mut ctx);
    sequence::diff_sequences(&mut ctx);
    view::diff_views(&mut ctx);
    // Last: it reads which objects the changes above create.
    privilege::diff_privileges(&mut ctx);
    privilege::diff_default_privileges(&mut ctx);
    ctx.out
}

/// State shared by the per-kind diff functions.
pub(crate) struct DiffCtx<'a> {
    pub current: &'a Model,
    pub desired: &'a Model,
    pub out: ChangeSet<'a>,
    /// Relations whose columns were dropped, renamed or retyped, or that
    /// are rebuilt: views over them are dropped and recreated.
    pub reshaped: BTreeSet<QualifiedName>,
    /// Tables dropped (or rebuilt) by this diff: their owned sequences,
    /// partitions and children go with them.
    pub dropped_tables: BTreeSet<QualifiedName>,
    pub dropped_columns: BTreeSet<(QualifiedName, crate::model::Ident)>,
    /// Table and column renames (filled in by `table::diff_tables` before
    /// any table is diffed).
    pub renames: rename::Renames,
}

impl<'a> DiffCtx<'a> {
    pub fn push(&mut self, change: Change<'a>) {
        self.out.changes.push(change);
    }

    /// True (and a note recorded) when `name` is managed elsewhere.
    pub fn skip_external(&mut self, kind: &str, name: &QualifiedName) -> bool {
        if self.current.is_external(name) || self.desired.is_external(name) {
            let note =
                format!("external {kind} {name} is managed elsewhere: not diffed or dropped");
            if !self.out.notes.contains(&note) {
                self.out.notes.push(note);
            }
            return true;
        }
        false
    }

    /// A `SetComment` when the comment differs. `object` gives the
    /// commented object and its SQL target (`TABLE public.t`), built only
    /// then: most objects have no comment on either side.
    pub fn diff_comment(
        &mut self,
        current: Option<&String>,
        desired: Option<&String>,
        span: Option<Span>,
        object: impl FnOnce() -> (ObjectId, String),
    ) {
        if current != desired {
            let (object, target) = object();
            self.push(Change::SetComment {
                object,
                target,
                comment: desired.cloned(),
                span,
            });
        }
    }
}

#[cfg(test)]
mod tests;
