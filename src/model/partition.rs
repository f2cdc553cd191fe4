//! Declarative partitioning.

use super::{QualifiedName, SqlExpr};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartitionStrategy {
    Range,
    List,
    Hash,
}

impl PartitionStrategy {
    pub fn as_sql(self) -> &'static str {
        match self {
            PartitionStrategy::Range => "RANGE",
            PartitionStrategy::List => "LIST",
            PartitionStrategy::Hash => "HASH",
        }
    }
}

/// `PARTITION BY strategy (key, ...)` on the parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionBy {
    pub strategy: PartitionStrategy,
    /// Column names or expressions, as canonical expressions.
    pub key: Vec<SqlExpr>,
}

/// `PARTITION OF parent FOR VALUES ...` on a partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionOf {
    pub parent: QualifiedName,
    pub bound: PartitionBound,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartitionBound {
    Range {
        from: Vec<BoundValue>,
        to: Vec<BoundValue>,
    },
    List(Vec<BoundValue>),
    Hash {
        modulus: u32,
        remainder: u32,
    },
    Default,
}

/// One value of a partition bound. Literals are stored in the form the
/// catalog prints for the key's type (`'2025-01-01 00:00:00+00'` for a
/// timestamptz key, with TimeZone pinned to UTC), so bounds written in
/// different spellings compare equal; a timestamptz value written without
/// an offset keeps none (`'2025-01-01 00:00:00'`: it means an instant in the
/// target's TimeZone, see `normalize::bound_literal`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoundValue {
    MinValue,
    MaxValue,
    Null,
    Literal(SqlExpr),
}
