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

/// Citus's `citus.shard_count` when the server does not say otherwise.
pub const CITUS_DEFAULT_SHARD_COUNT: u32 = 32;

/// Makes the current distribution of each hash-distributed table equal to
/// the desired one where both place the table alike, so that only a real
/// change of placement is planned: the same distribution column, the same
/// shard count (a desired table that names none has its colocation
/// target's, else `default_shard_count`), and the same colocation group
/// (among the tables distributed on both sides). The catalog names a group
/// by its first table and the schema by any member, and a table that
/// names no colocation joins Citus's default group for its column type
/// and shard count: these are spellings of one placement, not changes.
pub fn align_distribution(
    current: &mut super::Model,
    desired: &super::Model,
    default_shard_count: u32,
) {
    let both: Vec<QualifiedName> = desired
        .tables
        .values()
        .filter(|table| matches!(table.distribution, Some(Distribution::Hash { .. })))
        .filter(|table| {
            current
                .tables
                .get(&table.name)
                .is_some_and(|live| matches!(live.distribution, Some(Distribution::Hash { .. })))
        })
        .map(|table| table.name.clone())
        .collect();
    let desired_group = |name: &QualifiedName| desired_group(desired, name, default_shard_count, 0);
    let current_group = |name: &QualifiedName| match current
        .tables
        .get(name)
        .and_then(|table| table.distribution.as_ref())
    {
        Some(Distribution::Hash {
            colocation: Colocation::Table(leader),
            ..
        }) => leader.clone(),
        _ => name.clone(),
    };
    let placed_alike = |name: &QualifiedName| {
        let (
            Some(Distribution::Hash {
                column: want_column,
                ..
            }),
            Some(Distribution::Hash {
                column: live_column,
                shard_count: live_count,
                ..
            }),
        ) = (
            desired
                .tables
                .get(name)
                .and_then(|t| t.distribution.as_ref()),
            current
                .tables
                .get(name)
                .and_then(|t| t.distribution.as_ref()),
        )
        else {
            return false;
        };
        want_column == live_column
            && desired_shard_count(desired, name, default_shard_count, 0)
                == live_count.unwrap_or(default_shard_count)
    };
    // A table colocated with another by name stays where it is when it
    // shares that table's group; the others move (with their own call).
    let follows = |name: &QualifiedName| match desired
        .tables
        .get(name)
        .and_then(|t| t.distribution.as_ref())
    {
        Some(Distribution::Hash {
            colocation: Colocation::Table(other),
            ..
        }) if both.contains(other) => Some(other.clone()),
        _ => None,
    };
    let follower_stays = |name: &QualifiedName| {
        follows(name).is_some_and(|other| current_group(name) == current_group(&other))
    };
    let moves = |name: &QualifiedName| match follows(name) {
        Some(_) => !follower_stays(name),
        None => matches!(
            desired
                .tables
                .get(name)
                .and_then(|t| t.distribution.as_ref()),
            Some(Distribution::Hash {
                colocation: Colocation::None,
                ..
            })
        ),
    };
    let mut aligned = Vec::new();
    for name in &both {
        let joins_new_group = matches!(
            desired.tables.get(name).and_then(|t| t.distribution.as_ref()),
            Some(Distribution::Hash { colocation: Colocation::Table(other), .. }) if !both.contains(other)
        );
        if !placed_alike(name) || joins_new_group {
            continue;
        }
        let stays = match follows(name) {
            Some(_) => follower_stays(name),
            // A table that names no group to join shares its live group
            // only with tables the schema puts with it, or that move away.
            None => {
                let want = desired_group(name);
                let live = current_group(name);
                both.iter().filter(|other| *other != name).all(|other| {
                    current_group(other) != live
                        || desired_group(other) == want
                        || (moves(other) && !moves(name))
                })
            }
        };
        if stays {
            aligned.push(name.clone());
        }
    }
    for name in aligned {
        let distribution = desired
            .tables
            .get(&name)
            .and_then(|t| t.distribution.clone());
        if let Some(table) = current.tables.get_mut(&name) {
            table.distribution = distribution;
        }
    }
}

/// Where a desired hash table's colocation leads: Citus's default group
/// for its column type and shard count, or a group of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DesiredGroup {
    Default {
        column_type: String,
        shard_count: u32,
    },
    Own(QualifiedName),
}

/// Colocation chains longer than this are cut (a cycle is a schema error
/// reported elsewhere).
const MAX_CHAIN: usize = 32;

fn desired_group(
    model: &super::Model,
    name: &QualifiedName,
    default_shard_count: u32,
    depth: usize,
) -> DesiredGroup {
    let Some(table) = model.tables.get(name) else {
        return DesiredGroup::Own(name.clone());
    };
    match &table.distribution {
        Some(Distribution::Hash {
            colocation: Colocation::Table(other),
            ..
        }) if depth < MAX_CHAIN
            && matches!(
                model
                    .tables
                    .get(other)
                    .and_then(|t| t.distribution.as_ref()),
                Some(Distribution::Hash { .. })
            ) =>
        {
            desired_group(model, other, default_shard_count, depth + 1)
        }
        Some(Distribution::Hash {
            colocation: Colocation::Default,
            column,
            ..
        }) => {
            let column_type = table
                .columns
                .iter()
                .find(|c| &c.name == column)
                .map(|c| c.ty.to_string())
                .unwrap_or_default();
            DesiredGroup::Default {
                column_type,
                shard_count: desired_shard_count(model, name, default_shard_count, 0),
            }
        }
        _ => DesiredGroup::Own(name.clone()),
    }
}

fn desired_shard_count(
    model: &super::Model,
    name: &QualifiedName,
    default_shard_count: u32,
    depth: usize,
) -> u32 {
    match model.tables.get(name).and_then(|t| t.distribution.as_ref()) {
        Some(Distribution::Hash {
            shard_count: Some(count),
            ..
        }) => *count,
        Some(Distribution::Hash {
            colocation: Colocation::Table(other),
            ..
        }) if depth < MAX_CHAIN => {
            desired_shard_count(model, other, default_shard_count, depth + 1)
        }
        _ => default_shard_count,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, Model, Table, TypeName};

    fn hash(column: &str, colocation: Colocation, shard_count: Option<u32>) -> Distribution {
        Distribution::Hash {
            column: Ident::new(column),
            colocation,
            shard_count,
        }
    }

    fn colocated(table: &str) -> Colocation {
        Colocation::Table(QualifiedName::public(table))
    }

    fn model(tables: &[(&str, Distribution)]) -> Model {
        let mut res = Model::default();
        for (name, distribution) in tables {
            let mut table = Table::new(QualifiedName::public(*name));
            for column in ["id", "account_id"] {
                table
                    .columns
                    .push(Column::new(Ident::new(column), TypeName("uuid".into())));
            }
            table.distribution = Some(distribution.clone());
            res.tables.insert(table.name.clone(), table);
        }
        res
    }

    fn changed(current: &Model, desired: &Model) -> Vec<String> {
        let mut current = current.clone();
        align_distribution(&mut current, desired, CITUS_DEFAULT_SHARD_COUNT);
        desired
            .tables
            .values()
            .filter(|table| current.tables[&table.name].distribution != table.distribution)
            .map(|table| table.name.to_string())
            .collect()
    }

    /// The catalog's spelling (group named by its first table, every shard
    /// count) of what the schema declares is no change.
    #[test]
    fn catalog_spelling_of_the_declared_placement_is_no_change() {
        let live = model(&[
            ("accounts", hash("id", Colocation::Default, Some(32))),
            (
                "api_keys",
                hash("account_id", colocated("accounts"), Some(32)),
            ),
            (
                "memberships",
                hash("account_id", colocated("accounts"), Some(32)),
            ),
            (
                "events",
                hash("account_id", colocated("accounts"), Some(32)),
            ),
            ("log", hash("account_id", Colocation::Default, Some(64))),
        ]);
        let desired = model(&[
            ("accounts", hash("id", Colocation::Default, Some(32))),
            (
                "api_keys",
                hash("account_id", colocated("memberships"), None),
            ),
            (
                "memberships",
                hash("account_id", colocated("accounts"), None),
            ),
            // No colocation named: Citus's default group for uuid and 32 shards.
            ("events", hash("account_id", Colocation::Default, None)),
            ("log", hash("account_id", Colocation::None, Some(64))),
        ]);
        assert_eq!(changed(&live, &desired), Vec::<String>::new());
    }

    /// A new column, shard count or group is a change; the tables whose
    /// placement stays are not.
    #[test]
    fn real_placement_changes_stay_changes() {
        let live = model(&[
            ("accounts", hash("id", Colocation::Default, Some(32))),
            (
                "orders",
                hash("account_id", colocated("accounts"), Some(32)),
            ),
            ("events", hash("account_id", Colocation::None, Some(16))),
            ("log", hash("id", Colocation::None, Some(32))),
        ]);
        let desired = model(&[
            ("accounts", hash("id", Colocation::Default, Some(32))),
            // Leaves the group.
            ("orders", hash("account_id", Colocation::None, Some(32))),
            // More shards.
            ("events", hash("account_id", Colocation::None, Some(32))),
            // Another column.
            ("log", hash("account_id", Colocation::None, Some(32))),
        ]);
        assert_eq!(
            changed(&live, &desired),
            vec!["public.events", "public.log", "public.orders"]
        );
    }
}
