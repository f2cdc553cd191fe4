//! Citus schema-based sharding: a distributed schema
//! (`citus_schema_distribute`) holds single-shard tables, one colocation
//! group per schema, that Citus places itself. A table created in a
//! distributed schema becomes such a table at `CREATE TABLE`: it needs no
//! distribution call of its own.
//!
//! Citus behaviour relied on (Citus 12+,
//! https://docs.citusdata.com/en/stable/develop/api_udf.html#citus-schema-distribute
//! and `schema_based_sharding.c` of Citus 13.2): `citus_schema_distribute`
//! takes an ACCESS EXCLUSIVE lock on the schema (no table is created in it
//! meanwhile) and converts each of its tables as `create_distributed_table`
//! does, which blocks writes while the rows are copied into the table's one
//! shard; it refuses a schema holding distributed or reference tables and
//! foreign keys to tables of other schemas that are not reference tables.
//! `citus_schema_undistribute` copies every table back to the coordinator
//! (`undistribute_table`), under a lock that blocks writes, and, like it,
//! rebuilds the tables (their comments are set again) and refuses tables
//! with an identity column.
//!
//! Ordering invariant: a new distributed schema is distributed right after
//! `CREATE SCHEMA`, before its tables are created (they are placed at
//! creation). An existing schema is distributed after its tables lose
//! their own distribution and the foreign keys Citus would refuse, and after
//! the reference tables they reference are distributed; an undistributed
//! schema comes before its tables get a distribution of their own.

use super::{distribute, distribute_foreign_keys, Cx};
use crate::model::{sql, Ident, QualifiedName, Schema};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, Hazard, LockMode, PlanError, Step};

/// `SELECT citus_schema_distribute('s')`.
pub(crate) fn distribute_sql(schema: &Ident) -> String {
    format!(
        "SELECT citus_schema_distribute({})",
        sql::quote_literal(&schema.to_string())
    )
}

/// The step that distributes a schema this plan creates (empty).
pub(super) fn distribute_new_schema_step(cx: &Cx<'_>, schema: &Schema) -> Step {
    cx.step(
        Action::DistributeSchema {
            schema: schema.name.clone(),
        },
        format!("distribute new schema {}", schema.name),
        distribute_sql(&schema.name),
    )
}

/// The tables of `schema` that exist before the plan and are still in
/// the desired schema (those Citus converts), in name order.
fn existing_tables<'a>(cx: &'a Cx<'_>, schema: &Ident) -> Vec<&'a QualifiedName> {
    cx.ctx
        .current
        .tables
        .keys()
        .filter(|name| &name.schema == schema && cx.ctx.desired.tables.contains_key(*name))
        .collect()
}

/// An existing schema becomes distributed.
pub(super) fn distribute_schema(cx: &Cx<'_>, schema: &Schema) -> Vec<Node> {
    let tables = existing_tables(cx, &schema.name);
    let mut step = cx.step(
        Action::DistributeSchema {
            schema: schema.name.clone(),
        },
        format!("distribute schema {}", schema.name),
        distribute_sql(&schema.name),
    );
    for table in &tables {
        step = step.on(table, LockMode::Exclusive);
    }
    if !tables.is_empty() {
        let list =
            crate::model::table_list(&tables.iter().map(|t| (*t).clone()).collect::<Vec<_>>());
        step = step
            .hazard(
                Hazard::ShardDataMovement,
                format!("the rows of {list} are copied into single shards"),
            )
            .hazard(
                Hazard::LongLock,
                format!("writes to {list} are blocked while their rows are copied"),
            );
    }
    let mut requires = vec![
        Key::Schema(schema.name.clone()),
        Key::Extension(Ident::new("citus")),
    ];
    let mut provides = Vec::new();
    for table in &tables {
        requires.push(Key::Relation((*table).clone()));
        requires.extend(distribute_foreign_keys::distribution_requires(cx, table));
        provides.push(Key::Distributed((*table).clone()));
    }
    vec![Node::new(
        Phase::Distribute,
        format!("distribute schema {}", schema.name),
        vec![step],
    )
    .requires(requires)
    .provides(provides)]
}

/// An existing distributed schema is no longer distributed.
pub(super) fn undistribute_schema(cx: &Cx<'_>, schema: &Schema) -> Result<Vec<Node>, PlanError> {
    let tables: Vec<&QualifiedName> = cx
        .ctx
        .current
        .tables
        .keys()
        .filter(|name| name.schema == schema.name)
        .collect();
    for table in &tables {
        distribute::refuse_identity(cx, table, "undistributing its schema")?;
    }
    let mut step = cx.step(
        Action::UndistributeSchema {
            schema: schema.name.clone(),
        },
        format!("undistribute schema {}", schema.name),
        format!(
            "SELECT citus_schema_undistribute({})",
            sql::quote_literal(&schema.name.to_string())
        ),
    );
    for table in &tables {
        step = step.on(table, LockMode::Exclusive);
    }
    if !tables.is_empty() {
        let list =
            crate::model::table_list(&tables.iter().map(|t| (*t).clone()).collect::<Vec<_>>());
        step = step
            .hazard(
                Hazard::ShardDataMovement,
                format!("the rows of {list} are copied back to the coordinator"),
            )
            .hazard(
                Hazard::LongLock,
                format!("writes to {list} are blocked while their rows are copied"),
            );
    }
    let mut steps = vec![step];
    for table in &tables {
        steps.extend(distribute::restore_comments(cx, table));
    }
    // A table of the schema that gets a distribution of its own waits
    // for the schema to let it go.
    let ready: Vec<Key> = tables
        .iter()
        .map(|table| Key::ReadyToDistribute((*table).clone()))
        .collect();
    let relations: Vec<Key> = tables
        .iter()
        .map(|table| Key::Relation((*table).clone()))
        .collect();
    Ok(vec![Node::new(
        Phase::Distribute,
        format!("undistribute schema {}", schema.name),
        steps,
    )
    .requires([Key::Schema(schema.name.clone())])
    .requires(relations)
    .provides(ready)])
}
