//! Table-level lock modes (https://www.postgresql.org/docs/current/explicit-locking.html)
//! and their conflict matrix ([`LockMode::conflicts_with`]).
//!
//! Invariant: the order of the variants is PostgreSQL's, weakest first, so
//! `blocks_writes` can compare modes; the conflict matrix is symmetric.

use crate::model::QualifiedName;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LockMode {
    AccessShare,
    RowShare,
    RowExclusive,
    ShareUpdateExclusive,
    Share,
    ShareRowExclusive,
    Exclusive,
    AccessExclusive,
}

impl LockMode {
    pub fn as_sql(self) -> &'static str {
        match self {
            LockMode::AccessShare => "ACCESS SHARE",
            LockMode::RowShare => "ROW SHARE",
            LockMode::RowExclusive => "ROW EXCLUSIVE",
            LockMode::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            LockMode::Share => "SHARE",
            LockMode::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockMode::Exclusive => "EXCLUSIVE",
            LockMode::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// True when the mode blocks ordinary INSERT/UPDATE/DELETE.
    pub fn blocks_writes(self) -> bool {
        self >= LockMode::Share
    }

    /// True when the mode blocks plain SELECT.
    pub fn blocks_reads(self) -> bool {
        self == LockMode::AccessExclusive
    }

    /// True when a lock in this mode must wait for one held in `held`
    /// (PostgreSQL's table-level conflict matrix,
    /// https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-TABLES).
    pub fn conflicts_with(self, held: LockMode) -> bool {
        use LockMode::*;
        let conflicting: &[LockMode] = match self {
            AccessShare => &[AccessExclusive],
            RowShare => &[Exclusive, AccessExclusive],
            RowExclusive => &[Share, ShareRowExclusive, Exclusive, AccessExclusive],
            ShareUpdateExclusive => &[
                ShareUpdateExclusive,
                Share,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            Share => &[
                RowExclusive,
                ShareUpdateExclusive,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            ShareRowExclusive => &[
                RowExclusive,
                ShareUpdateExclusive,
                Share,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            Exclusive => &[
                RowShare,
                RowExclusive,
                ShareUpdateExclusive,
                Share,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            AccessExclusive => &[
                AccessShare,
                RowShare,
                RowExclusive,
                ShareUpdateExclusive,
                Share,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
        };
        conflicting.contains(&held)
    }
}

impl fmt::Display for LockMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_sql())
    }
}

/// A lock a step takes: `ACCESS EXCLUSIVE on public.orders`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lock {
    pub relation: QualifiedName,
    pub mode: LockMode,
}

impl fmt::Display for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} on {}", self.mode, self.relation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_matrix_is_symmetric_and_matches_the_manual() {
        let all = [
            LockMode::AccessShare,
            LockMode::RowShare,
            LockMode::RowExclusive,
            LockMode::ShareUpdateExclusive,
            LockMode::Share,
            LockMode::ShareRowExclusive,
            LockMode::Exclusive,
            LockMode::AccessExclusive,
        ];
        for a in all {
            for b in all {
                assert_eq!(a.conflicts_with(b), b.conflicts_with(a), "{a} vs {b}");
            }
        }
        assert!(!LockMode::ShareUpdateExclusive.conflicts_with(LockMode::RowExclusive));
        assert!(LockMode::Share.conflicts_with(LockMode::RowExclusive));
        assert!(!LockMode::Share.conflicts_with(LockMode::Share));
        assert!(LockMode::AccessShare.conflicts_with(LockMode::AccessExclusive));
        assert!(!LockMode::RowExclusive.conflicts_with(LockMode::RowExclusive));
    }
}
