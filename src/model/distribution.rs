//! Citus shard distribution.

use super::{Ident, QualifiedName};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Distribution {
    /// `create_distributed_table(table, column, colocate_with => ..., shard_count => ...)`.
    Hash {
        column: Ident,
        colocation: Colocation,
        shard_count: Option<u32>,
    },
    /// `create_reference_table(table)`.
    Reference,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Colocation {
    /// Citus's default colocation group for the column type.
    #[default]
    Default,
    /// `colocate_with => 'none'`.
    None,
    Table(QualifiedName),
}
