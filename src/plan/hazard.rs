//! Named hazards: what a step may do to a running site or to data. Users
//! type these ids in `--allow-hazards` and `schemac.toml`.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Hazard {
    /// Rows, columns or objects holding data are removed.
    DataLoss,
    /// The table is rewritten under an ACCESS EXCLUSIVE lock.
    TableRewrite,
    /// A strong lock is held for longer than a catalog update.
    LongLock,
    /// The whole table is scanned (without blocking writes unless stated).
    FullScan,
    /// A window exists where row-level security denies (or allows) all rows.
    RlsLockout,
    /// An index is built; it takes time and I/O proportional to the table.
    IndexBuild,
    /// Citus moves shard data between nodes.
    ShardDataMovement,
    /// An enum value is removed: the type must be rebuilt.
    EnumValueRemoval,
}

impl Hazard {
    pub const ALL: &'static [Hazard] = &[
        Hazard::DataLoss,
        Hazard::TableRewrite,
        Hazard::LongLock,
        Hazard::FullScan,
        Hazard::RlsLockout,
        Hazard::IndexBuild,
        Hazard::ShardDataMovement,
        Hazard::EnumValueRemoval,
    ];

    /// The kebab-case id users type.
    pub fn id(self) -> &'static str {
        match self {
            Hazard::DataLoss => "data-loss",
            Hazard::TableRewrite => "table-rewrite",
            Hazard::LongLock => "long-lock",
            Hazard::FullScan => "full-scan",
            Hazard::RlsLockout => "rls-lockout",
            Hazard::IndexBuild => "index-build",
            Hazard::ShardDataMovement => "shard-data-movement",
            Hazard::EnumValueRemoval => "enum-value-removal",
        }
    }

    /// One-line documentation.
    pub fn doc(self) -> &'static str {
        match self {
            Hazard::DataLoss => "rows, columns or objects that hold data are removed",
            Hazard::TableRewrite => {
                "the table is rewritten while an ACCESS EXCLUSIVE lock blocks reads and writes"
            }
            Hazard::LongLock => {
                "a lock that blocks writes (or reads) is held for longer than a catalog update"
            }
            Hazard::FullScan => "the whole table is read, which costs I/O proportional to its size",
            Hazard::RlsLockout => "row-level security may deny or expose rows while the step runs",
            Hazard::IndexBuild => {
                "an index is built, taking time and I/O proportional to the table"
            }
            Hazard::ShardDataMovement => "Citus copies table data between nodes",
            Hazard::EnumValueRemoval => {
                "an enum value is removed, which rebuilds the type and every column using it"
            }
        }
    }

    pub fn from_id(id: &str) -> Option<Hazard> {
        Hazard::ALL.iter().copied().find(|hazard| hazard.id() == id)
    }
}

impl fmt::Display for Hazard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}
