//! Citus shard distribution, read from `pg_dist_partition` when the citus
//! extension is installed.
//!
//! Invariants: the rows -> Model conversion ([`distribution_from_rows`]) is
//! pure. A hash-distributed table colocated with others names the first
//! table (by schema, then name) of its colocation group; that first table
//! itself has the default colocation, unless an older group has the same
//! column type, shard count and replication factor: Citus's `'default'`
//! joins the oldest such group, so a younger one was made apart
//! (`colocate_with => 'none'`) and its first table reads so. `n` with
//! replication model `t` is a
//! reference table; other methods (Citus local tables, the legacy append
//! and range methods) have no Model form and are left out.

use super::{get, IntrospectError};
use crate::model::{Colocation, Distribution, Ident, Model, QualifiedName};
use std::collections::BTreeMap;
use tokio_postgres::Row;

pub(super) const DISTRIBUTION: &str = include_str!("queries/distribution.sql");
pub(super) const LEFTOVER_SHARDS: &str = include_str!("queries/citus_leftover_shards.sql");
/// Whether this Citus has schema-based sharding (`pg_dist_schema`, Citus 12+).
pub(super) const HAS_DIST_SCHEMA: &str =
    "SELECT to_regclass('pg_catalog.pg_dist_schema') IS NOT NULL AS present";
pub(super) const DISTRIBUTED_SCHEMAS: &str = include_str!("queries/distributed_schemas.sql");
const KIND: &str = "distribution";

/// One row of `pg_dist_partition` as the distribution query returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistPartitionRow {
    pub table: QualifiedName,
    /// `h` hash, `n` none (reference or local), `a` append, `r` range.
    pub partmethod: String,
    /// `column_to_column_name(logicalrelid, partkey)` for hash tables.
    pub dist_column: Option<String>,
    pub colocation_id: i64,
    /// `t` for reference tables, `s` streaming (distributed or local).
    pub repmodel: String,
    pub shard_count: i64,
    /// The group's `pg_dist_colocation` row without its id, as text: two
    /// groups with equal params are candidates for the same `'default'`.
    pub colocation_params: String,
}

pub(crate) fn introspect_distribution(
    citus_rows: Vec<Row>,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    let mut rows = Vec::new();
    for row in citus_rows {
        rows.push(DistPartitionRow {
            table: QualifiedName::new(
                get::<String>(&row, KIND, "schema")?,
                get::<String>(&row, KIND, "name")?,
            ),
            partmethod: get(&row, KIND, "partmethod")?,
            dist_column: get(&row, KIND, "dist_column")?,
            colocation_id: get(&row, KIND, "colocation_id")?,
            repmodel: get(&row, KIND, "repmodel")?,
            shard_count: get(&row, KIND, "shard_count")?,
            colocation_params: get(&row, KIND, "colocation_params")?,
        });
    }
    for (name, distribution) in distribution_from_rows(&rows) {
        if let Some(table) = model.tables.get_mut(&name) {
            table.distribution = Some(distribution);
        }
    }
    Ok(())
}

/// Marks the schemas Citus distributes (`pg_dist_schema`). Their tables
/// keep no distribution in the Model: Citus places each as a single-shard
/// table of the schema's group, so they are never undistributed.
pub(crate) fn introspect_distributed_schemas(
    rows: Vec<Row>,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    for row in rows {
        let name = Ident::new(get::<String>(&row, "distributed schemas", "name")?);
        if let Some(schema) = model.schemas.get_mut(&name) {
            schema.distributed = true;
        }
    }
    Ok(())
}

/// Removes the shard tables Citus has yet to drop (`pg_dist_cleanup`):
/// they are not user tables, and a plan must never drop them.
pub(crate) fn leave_out_leftover_shards(
    rows: Vec<Row>,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    for row in rows {
        let name = QualifiedName::new(
            get::<String>(&row, "leftover shards", "schema")?,
            get::<String>(&row, "leftover shards", "name")?,
        );
        model.tables.remove(&name);
    }
    Ok(())
}

/// The shard count Citus gives a table that names none (`citus.shard_count`
/// of this session); Citus's default when the server does not say (no
/// Citus, or a value that is not a count).
pub async fn citus_default_shard_count(client: &tokio_postgres::Client) -> u32 {
    let setting = client
        .query_one(
            "SELECT current_setting('citus.shard_count', true) AS n",
            &[],
        )
        .await
        .ok()
        .and_then(|row| row.try_get::<_, Option<String>>("n").ok().flatten());
    setting
        .and_then(|value| value.trim().parse::<u32>().ok())
        .filter(|count| *count > 0)
        .unwrap_or(crate::model::CITUS_DEFAULT_SHARD_COUNT)
}

/// `pg_dist_partition` rows -> the distribution of each table.
pub fn distribution_from_rows(rows: &[DistPartitionRow]) -> BTreeMap<QualifiedName, Distribution> {
    // The first hash table (by name) of each colocation group.
    let mut group_leader: BTreeMap<i64, &QualifiedName> = BTreeMap::new();
    for row in rows.iter().filter(|row| row.partmethod == "h") {
        group_leader
            .entry(row.colocation_id)
            .and_modify(|leader| {
                if &row.table < *leader {
                    *leader = &row.table;
                }
            })
            .or_insert(&row.table);
    }
    // The oldest hash group of each set of params: the one `'default'`
    // finds.
    let mut default_group: BTreeMap<&str, i64> = BTreeMap::new();
    for row in rows.iter().filter(|row| row.partmethod == "h") {
        default_group
            .entry(row.colocation_params.as_str())
            .and_modify(|group| *group = (*group).min(row.colocation_id))
            .or_insert(row.colocation_id);
    }
    let mut res = BTreeMap::new();
    for row in rows {
        let distribution = match (row.partmethod.as_str(), row.repmodel.as_str()) {
            ("h", _) => {
                let Some(column) = &row.dist_column else {
                    continue;
                };
                let made_apart = default_group
                    .get(row.colocation_params.as_str())
                    .is_some_and(|group| *group != row.colocation_id);
                let colocation = match group_leader.get(&row.colocation_id) {
                    Some(leader) if *leader != &row.table => Colocation::Table((*leader).clone()),
                    _ if made_apart => Colocation::None,
                    _ => Colocation::Default,
                };
                Distribution::Hash {
                    column: Ident::new(column.clone()),
                    colocation,
                    shard_count: u32::try_from(row.shard_count).ok(),
                }
            }
            ("n", "t") => Distribution::Reference,
            _ => continue,
        };
        res.insert(row.table.clone(), distribution);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        schema: &str,
        name: &str,
        method: &str,
        column: Option<&str>,
        group: i64,
        repmodel: &str,
        shards: i64,
    ) -> DistPartitionRow {
        let colocation_params = format!("{{\"shardcount\": {shards}}}");
        DistPartitionRow {
            table: QualifiedName::new(schema, name),
            partmethod: method.to_string(),
            dist_column: column.map(str::to_string),
            colocation_id: group,
            repmodel: repmodel.to_string(),
            shard_count: shards,
            colocation_params,
        }
    }

    #[test]
    fn hash_reference_and_colocation() {
        let rows = vec![
            row("public", "orders", "h", Some("account_id"), 2, "s", 32),
            row("public", "accounts", "h", Some("id"), 2, "s", 32),
            row("public", "events", "h", Some("account_id"), 3, "s", 16),
            row("public", "plans", "n", None, 1, "t", 1),
            row("public", "local_t", "n", None, 0, "s", 1),
            row("public", "legacy", "a", None, 0, "c", 4),
        ];
        let res = distribution_from_rows(&rows);
        insta::assert_debug_snapshot!(res, @r#"
        {
            QualifiedName {
                schema: Ident(
                    "public",
                ),
                name: Ident(
                    "accounts",
                ),
            }: Hash {
                column: Ident(
                    "id",
                ),
                colocation: Default,
                shard_count: Some(
                    32,
                ),
            },
            QualifiedName {
                schema: Ident(
                    "public",
                ),
                name: Ident(
                    "events",
                ),
            }: Hash {
                column: Ident(
                    "account_id",
                ),
                colocation: Default,
                shard_count: Some(
                    16,
                ),
            },
            QualifiedName {
                schema: Ident(
                    "public",
                ),
                name: Ident(
                    "orders",
                ),
            }: Hash {
                column: Ident(
                    "account_id",
                ),
                colocation: Table(
                    QualifiedName {
                        schema: Ident(
                            "public",
                        ),
                        name: Ident(
                            "accounts",
                        ),
                    },
                ),
                shard_count: Some(
                    32,
                ),
            },
            QualifiedName {
                schema: Ident(
                    "public",
                ),
                name: Ident(
                    "plans",
                ),
            }: Reference,
        }
        "#);
    }

    /// Two groups Citus's `'default'` could both match: the older one is
    /// the default group, the younger was made apart (`'none'`).
    #[test]
    fn a_younger_group_with_the_same_params_reads_as_colocate_with_none() {
        let rows = vec![
            row("public", "orders", "h", Some("account_id"), 7, "s", 8),
            row("public", "accounts", "h", Some("id"), 9, "s", 8),
            row("public", "metrics", "h", Some("account_id"), 9, "s", 8),
            row("public", "events", "h", Some("account_id"), 11, "s", 16),
        ];
        let res = distribution_from_rows(&rows);
        let colocation = |name: &str| match &res[&QualifiedName::public(name)] {
            Distribution::Hash { colocation, .. } => colocation.clone(),
            Distribution::Reference => panic!("{name} is hash"),
        };
        assert_eq!(colocation("orders"), Colocation::Default);
        assert_eq!(colocation("accounts"), Colocation::None);
        assert_eq!(
            colocation("metrics"),
            Colocation::Table(QualifiedName::public("accounts"))
        );
        assert_eq!(colocation("events"), Colocation::Default);
    }

    #[test]
    fn hash_without_column_is_skipped() {
        let rows = vec![row("app", "t", "h", None, 5, "s", 4)];
        assert!(distribution_from_rows(&rows).is_empty());
    }
}
