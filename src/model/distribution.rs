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

/// `--citus off`: the shard distribution (of tables, and of schemas:
/// schema-based sharding) left out of both sides of a plan (the current
/// side's is never undistributed); the note that says so, when a desired
/// table or schema had one.
pub fn citus_off(current: &mut super::Model, desired: &mut super::Model) -> Option<String> {
    leave_out_distribution(current);
    leave_out_schema_distribution(current);
    let left_out = leave_out_distribution(desired);
    let schemas = leave_out_schema_distribution(desired);
    let mut counts = Vec::new();
    let mut lists = Vec::new();
    if !left_out.is_empty() {
        counts.push(format!("{} table(s)", left_out.len()));
        lists.push(table_list(&left_out));
    }
    if !schemas.is_empty() {
        counts.push(format!("{} schema(s)", schemas.len()));
        lists.push(schema_list(&schemas));
    }
    (!counts.is_empty()).then(|| {
        format!(
            "--citus off: the shard distribution of {} is left out ({})",
            counts.join(" and "),
            lists.join("; ")
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

/// Leaves schema-based sharding out of `model`; returns the schemas that
/// were distributed, in name order.
pub fn leave_out_schema_distribution(model: &mut super::Model) -> Vec<Ident> {
    let mut res = Vec::new();
    for schema in model.schemas.values_mut() {
        if std::mem::take(&mut schema.distributed) {
            res.push(schema.name.clone());
        }
    }
    res
}

/// The schemas of `model` that are distributed (schema-based sharding),
/// in name order.
pub fn distributed_schemas(model: &super::Model) -> Vec<Ident> {
    model
        .schemas
        .values()
        .filter(|schema| schema.distributed)
        .map(|schema| schema.name.clone())
        .collect()
}

/// "a, b and 3 more": a short list of schemas for a message.
pub fn schema_list(schemas: &[Ident]) -> String {
    const SHOWN: usize = 3;
    let names: Vec<String> = schemas.iter().take(SHOWN).map(|s| s.to_string()).collect();
    match schemas.len().saturating_sub(SHOWN) {
        0 => names.join(", "),
        more => format!("{} and {more} more", names.join(", ")),
    }
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

/// The colocation a distribution call names for the desired table `name`
/// (`current` is the live Model after [`align_distribution`]).
///
/// As declared, except for a table declared in Citus's default group
/// (`Colocation::Default`) when another table of the same column type and
/// shard count is, or is declared, outside that group (`colocate with
/// none`, or a group led by such a table). Citus's `colocate_with =>
/// 'default'` joins the *oldest* group of that type and shard count,
/// whichever way it was made, so the call would merge the two. Instead the
/// call names a member of the default group that stays where it is, or,
/// when none does, the first member (by name) that this plan places opens
/// a fresh group (`'none'`) and the others name it.
pub fn call_colocation(
    current: &super::Model,
    desired: &super::Model,
    name: &QualifiedName,
    default_shard_count: u32,
) -> Option<Colocation> {
    let Some(Distribution::Hash { colocation, .. }) = desired
        .tables
        .get(name)
        .and_then(|table| table.distribution.as_ref())
    else {
        return None;
    };
    if *colocation != Colocation::Default {
        return Some(colocation.clone());
    }
    let group = desired_group(desired, name, default_shard_count, 0);
    let DesiredGroup::Default {
        column_type,
        shard_count,
    } = &group
    else {
        return Some(Colocation::Default);
    };
    let params = (column_type.clone(), *shard_count);
    let foreign_declared = desired.tables.values().any(|table| {
        table.name != *name
            && desired_params(desired, &table.name, default_shard_count).as_ref() == Some(&params)
            && desired_group(desired, &table.name, default_shard_count, 0) != group
    });
    // A live table placed as declared (aligned) has the declared
    // placement's parameters; the others their own.
    let aligned = |table: &super::Table| {
        table.distribution.is_some()
            && desired
                .tables
                .get(&table.name)
                .is_some_and(|want| want.distribution == table.distribution)
    };
    let foreign_live = current.tables.values().any(|table| {
        let live = if aligned(table) {
            desired_params(desired, &table.name, default_shard_count)
        } else {
            live_params(table, default_shard_count)
        };
        table.name != *name
            && live.as_ref() == Some(&params)
            && (!matches!(
                desired
                    .tables
                    .get(&table.name)
                    .and_then(|t| t.distribution.as_ref()),
                Some(Distribution::Hash { .. })
            ) || desired_group(desired, &table.name, default_shard_count, 0) != group)
    });
    if !foreign_declared && !foreign_live {
        return Some(Colocation::Default);
    }
    let members: Vec<&QualifiedName> = desired
        .tables
        .values()
        .filter(|table| matches!(table.distribution, Some(Distribution::Hash { .. })))
        .filter(|table| desired_group(desired, &table.name, default_shard_count, 0) == group)
        .map(|table| &table.name)
        .collect();
    let stays = |member: &QualifiedName| current.tables.get(member).is_some_and(aligned);
    if let Some(anchor) = members.iter().find(|m| **m != name && stays(m)) {
        return Some(Colocation::Table((*anchor).clone()));
    }
    // The members this plan places that name no group themselves: the
    // first opens the group, the others follow it.
    let leader = members.iter().find(|member| {
        !stays(member)
            && matches!(
                desired.tables[**member].distribution,
                Some(Distribution::Hash {
                    colocation: Colocation::Default,
                    ..
                })
            )
    });
    match leader {
        Some(leader) if *leader != name => Some(Colocation::Table((*leader).clone())),
        _ => Some(Colocation::None),
    }
}

/// The column type (without modifiers: Citus matches type and collation)
/// and shard count a desired hash table's group has.
fn desired_params(
    model: &super::Model,
    name: &QualifiedName,
    default_shard_count: u32,
) -> Option<(String, u32)> {
    let table = model.tables.get(name)?;
    let Some(Distribution::Hash { column, .. }) = &table.distribution else {
        return None;
    };
    Some((
        column_type(table, column),
        desired_shard_count(model, name, default_shard_count, 0),
    ))
}

/// The same for a live table: its own shard count.
fn live_params(table: &super::Table, default_shard_count: u32) -> Option<(String, u32)> {
    let Some(Distribution::Hash {
        column,
        shard_count,
        ..
    }) = &table.distribution
    else {
        return None;
    };
    Some((
        column_type(table, column),
        shard_count.unwrap_or(default_shard_count),
    ))
}

/// The type of `column` without modifiers (`varchar(10)` and
/// `varchar(20)` share Citus's default group).
fn column_type(table: &super::Table, column: &Ident) -> String {
    let spelled = table
        .columns
        .iter()
        .find(|c| &c.name == column)
        .map(|c| c.ty.to_string())
        .unwrap_or_default();
    match spelled.split_once('(') {
        Some((base, rest)) => {
            // `numeric(12,2)[]` keeps its array suffix.
            let suffix = rest.split_once(')').map_or("", |(_, tail)| tail);
            format!("{}{suffix}", base.trim_end())
        }
        None => spelled,
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
        }) => DesiredGroup::Default {
            column_type: column_type(table, column),
            shard_count: desired_shard_count(model, name, default_shard_count, 0),
        },
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

    fn call(current: &Model, desired: &Model, name: &str) -> Colocation {
        let mut current = current.clone();
        align_distribution(&mut current, desired, CITUS_DEFAULT_SHARD_COUNT);
        call_colocation(
            &current,
            desired,
            &QualifiedName::public(name),
            CITUS_DEFAULT_SHARD_COUNT,
        )
        .expect("a hash table")
    }

    /// `--citus off` leaves out the distribution of tables and schemas,
    /// on both sides, and says which.
    #[test]
    fn citus_off_leaves_out_tables_and_schemas() {
        let mut desired = model(&[("accounts", hash("id", Colocation::Default, Some(8)))]);
        let tenant = crate::model::Schema {
            name: Ident::new("tenant"),
            comment: None,
            distributed: true,
            meta: Default::default(),
        };
        desired.schemas.insert(tenant.name.clone(), tenant);
        let mut current = desired.clone();
        let note = citus_off(&mut current, &mut desired).expect("a note");
        assert_eq!(
            note,
            "--citus off: the shard distribution of 1 table(s) and 1 schema(s) is left out (public.accounts; tenant)"
        );
        for side in [&current, &desired] {
            assert!(distributed_tables(side).is_empty());
            assert!(distributed_schemas(side).is_empty());
        }
    }

    /// Without a table of the same type and shard count declared apart,
    /// `'default'` is what the schema says.
    #[test]
    fn default_colocation_is_named_as_declared_without_a_conflict() {
        let desired = model(&[
            ("accounts", hash("id", Colocation::Default, Some(8))),
            ("events", hash("account_id", Colocation::Default, Some(8))),
            ("log", hash("account_id", Colocation::None, Some(4))),
        ]);
        assert_eq!(
            call(&Model::default(), &desired, "accounts"),
            Colocation::Default
        );
        assert_eq!(
            call(&Model::default(), &desired, "events"),
            Colocation::Default
        );
        assert_eq!(call(&Model::default(), &desired, "log"), Colocation::None);
    }

    /// From empty, a table declared apart with the same shard count: the
    /// first table of the default group opens it with `'none'` and the
    /// others name it, whichever is distributed first.
    #[test]
    fn a_table_declared_apart_with_the_same_shard_count_keeps_its_own_group() {
        let desired = model(&[
            ("accounts", hash("id", Colocation::Default, Some(8))),
            ("audit", hash("account_id", Colocation::None, Some(8))),
            ("events", hash("account_id", Colocation::Default, Some(8))),
        ]);
        let empty = Model::default();
        assert_eq!(call(&empty, &desired, "accounts"), Colocation::None);
        assert_eq!(call(&empty, &desired, "events"), colocated("accounts"));
        assert_eq!(call(&empty, &desired, "audit"), Colocation::None);
    }

    /// Live: `orders` has its own group of 8 shards; `accounts` moves from
    /// 4 to 8 shards and must not join it (the defect of the live test), and
    /// a new default table joins a member that stays.
    #[test]
    fn a_table_moving_into_the_default_group_avoids_a_group_made_apart() {
        let live = model(&[
            ("accounts", hash("id", Colocation::Default, Some(4))),
            (
                "metrics",
                hash("account_id", colocated("accounts"), Some(4)),
            ),
            ("orders", hash("account_id", Colocation::Default, Some(8))),
        ]);
        let desired = model(&[
            ("accounts", hash("id", Colocation::Default, Some(8))),
            ("metrics", hash("account_id", colocated("accounts"), None)),
            ("orders", hash("account_id", Colocation::None, Some(8))),
        ]);
        assert_eq!(call(&live, &desired, "accounts"), Colocation::None);
        assert_eq!(call(&live, &desired, "metrics"), colocated("accounts"));
        assert_eq!(call(&live, &desired, "orders"), Colocation::None);

        let live = model(&[
            ("accounts", hash("id", Colocation::None, Some(8))),
            ("orders", hash("account_id", Colocation::Default, Some(8))),
        ]);
        let desired = model(&[
            ("accounts", hash("id", Colocation::Default, Some(8))),
            ("events", hash("account_id", Colocation::Default, Some(8))),
            ("orders", hash("account_id", Colocation::None, Some(8))),
        ]);
        assert_eq!(call(&live, &desired, "events"), colocated("accounts"));
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
