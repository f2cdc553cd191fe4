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

/// `--citus off`: the shard distribution left out of both sides of a plan
/// (the current side's is never undistributed); the note that says so,
/// when a desired table had one.
pub fn citus_off(current: &mut super::Model, desired: &mut super::Model) -> Option<String> {
    leave_out_distribution(current);
    let left_out = leave_out_distribution(desired);
    (!left_out.is_empty()).then(|| {
        format!(
            "--citus off: the shard distribution of {} table(s) is left out ({})",
            left_out.len(),
            table_list(&left_out)
        )
    })
}

/// Leaves the shard distribution out of `model` (for a target without
/// Citus); returns the tables that had one, in name order.
pub fn leave_out_distribution(model: &mut super::Model) -> Vec<QualifiedName> {
    let mut res = Vec::new();
    for table in model.tables.values_mut() {
        if table.distribution.take().is_some() {
            res.push(table.name.clone());
        }
    }
    res
}

/// The tables of `model` that are distributed, in name order.
pub fn distributed_tables(model: &super::Model) -> Vec<QualifiedName> {
    model
        .tables
        .values()
        .filter(|table| table.distribution.is_some())
        .map(|table| table.name.clone())
        .collect()
}

/// "public.a, public.b and 3 more": a short list of tables for a message.
pub fn table_list(tables: &[QualifiedName]) -> String {
    const SHOWN: usize = 3;
    let names: Vec<String> = tables.iter().take(SHOWN).map(|t| t.to_string()).collect();
    match tables.len().saturating_sub(SHOWN) {
        0 => names.join(", "),
        more => format!("{} and {more} more", names.join(", ")),
    }
}
