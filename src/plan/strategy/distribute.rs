//! Citus shard distribution. Citus SQL only appears when a table declares
//! a distribution.
//!
//! Citus behaviour relied on
//! (https://docs.citusdata.com/en/stable/develop/api_udf.html):
//! `create_distributed_table_concurrently` distributes a table that holds
//! data while writes continue (it cannot run in a transaction block);
//! `create_distributed_table` and `create_reference_table` block writes
//! while data is copied, which is instant on a new, empty table;
//! `alter_distributed_table` and `undistribute_table` copy the data again
//! under a lock that blocks writes. Foreign keys between distributed
//! tables must be added after both are distributed and colocated, and a
//! reference table must exist before tables that reference it.
//!
//! In direct mode (`online = false`) an existing table is distributed with
//! `create_distributed_table`, blocking writes during the copy.
//!
//! `alter_distributed_table` and `undistribute_table` rebuild the table
//! and refuse one with an identity column ("cannot complete operation on
//! a table with identity column"): such a change is refused at plan time
//! with the reason ([`refuse_identity`]).
//!
//! Ordering invariant: a table is distributed right after it is created,
//! after the table it is colocated with, and before its foreign keys (FK
//! nodes require the `Distributed` key of both tables). An existing table
//! is distributed after the FKs Citus would refuse are dropped and after
//! the reference tables it references (`distribute_foreign_keys`).

use super::{distribute_foreign_keys, Cx};
use crate::model::{sql, Colocation, Distribution, ObjectId, QualifiedName};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, Hazard, LockMode, PlanError, Step};

/// Citus rebuilds a distributed table to change or undo its distribution
/// and cannot carry an identity column over: `Err` names the column.
pub(super) fn refuse_identity(
    cx: &Cx<'_>,
    table: &QualifiedName,
    action: &str,
) -> Result<(), PlanError> {
    let Some(current) = cx.ctx.current.tables.get(table) else {
        return Ok(());
    };
    match current
        .columns
        .iter()
        .find(|column| column.identity.is_some())
    {
        Some(column) => Err(PlanError::Unsupported {
            object: format!("table {table}"),
            action: action.to_string(),
            reason: format!(
                "Citus rebuilds the table for it and refuses a table with an identity column ({}); \
                 replace the identity by a sequence default first, or keep the distribution",
                column.name
            ),
        }),
        None => Ok(()),
    }
}

/// The distribution a call places `table` with: the declared one, with
/// the colocation Citus must be told so that the declared groups come out
/// ([`crate::model::call_colocation`]: `'default'` could join a group of
/// tables declared apart).
fn placed(cx: &Cx<'_>, table: &QualifiedName, desired: &Distribution) -> Distribution {
    let mut res = desired.clone();
    if let Distribution::Hash { colocation, .. } = &mut res {
        if let Some(call) = crate::model::call_colocation(
            cx.ctx.current,
            cx.ctx.desired,
            table,
            crate::model::CITUS_DEFAULT_SHARD_COUNT,
        ) {
            *colocation = call;
        }
    }
    res
}

fn colocation_keys(distribution: &Distribution) -> Vec<Key> {
    match distribution {
        Distribution::Hash {
            colocation: Colocation::Table(other),
            ..
        } => vec![
            Key::Distributed(other.clone()),
            Key::Relation(other.clone()),
        ],
        Distribution::Hash { .. } | Distribution::Reference => Vec::new(),
    }
}

/// A table created by this plan (empty): the plain, transactional calls.
/// The action of `sql::distribute(table, distribution, concurrently)`.
fn distribute_action(
    table: &QualifiedName,
    distribution: &Distribution,
    concurrently: bool,
) -> Action {
    Action::Distribute {
        table: table.clone(),
        column: match distribution {
            Distribution::Hash { column, .. } => Some(column.clone()),
            Distribution::Reference => None,
        },
        concurrently,
    }
}

pub(super) fn distribute_new(
    cx: &Cx<'_>,
    table: &QualifiedName,
    distribution: &Distribution,
) -> Node {
    let distribution = &placed(cx, table, distribution);
    let step = cx
        .step(
            distribute_action(table, distribution, false),
            format!("distribute new table {table}"),
            sql::distribute(table, distribution, false),
        )
        .on(table, LockMode::Exclusive);
    Node::new(Phase::Distribute, format!("distribute {table}"), vec![step])
        .provides([Key::Distributed(table.clone())])
        .requires([
            Key::Relation(table.clone()),
            Key::ReadyToDistribute(table.clone()),
        ])
        .requires(colocation_keys(distribution))
}

pub(super) fn distribute(
    cx: &Cx<'_>,
    table: &QualifiedName,
    current: Option<&Distribution>,
    desired: &Distribution,
) -> Vec<Node> {
    if cx.is_new(table) {
        return vec![distribute_new(cx, table, desired)];
    }
    let desired = &placed(cx, table, desired);
    let mut steps = Vec::new();
    match (current, desired) {
        (None, Distribution::Hash { .. }) if !cx.online() => steps.push(
            cx.step(
                distribute_action(table, desired, false),
                format!("distribute {table}"),
                sql::distribute(table, desired, false),
            )
            .on(table, LockMode::Exclusive)
            .hazard(
                Hazard::ShardDataMovement,
                format!("the rows of {table} are copied into shards"),
            )
            .hazard(
                Hazard::LongLock,
                format!("writes to {table} are blocked while its rows are copied into shards"),
            ),
        ),
        (None, Distribution::Hash { .. }) => steps.push(
            cx.step(
                distribute_action(table, desired, true),
                format!("distribute {table} concurrently"),
                sql::distribute(table, desired, true),
            )
            .non_transactional()
            .on(table, LockMode::ShareUpdateExclusive)
            .hazard(
                Hazard::ShardDataMovement,
                format!("the rows of {table} are copied into shards; writes continue"),
            ),
        ),
        (
            Some(Distribution::Hash { .. }),
            Distribution::Hash {
                column,
                colocation,
                shard_count,
            },
        ) => {
            let mut call = format!(
                "SELECT alter_distributed_table({}, distribution_column => {}",
                sql::quote_literal(&table.to_string()),
                sql::quote_literal(column.as_str())
            );
            // Colocated with a table: that table's shard count (Citus
            // refuses both arguments together).
            let mut new_count = false;
            if let (Some(count), Colocation::Default | Colocation::None) = (shard_count, colocation)
            {
                call.push_str(&format!(", shard_count => {count}"));
                new_count = true;
            }
            match colocation {
                Colocation::Default => call.push_str(", colocate_with => 'default'"),
                Colocation::None => call.push_str(", colocate_with => 'none'"),
                Colocation::Table(other) => call.push_str(&format!(
                    ", colocate_with => {}",
                    sql::quote_literal(&other.to_string())
                )),
            }
            // A new shard count for a table that shares its group: Citus
            // wants to be told whether the rest of the group follows
            // ("cascade_to_colocated parameter is necessary"). The schema
            // places every table itself, so only this one moves; a table
            // colocated with it follows with its own call.
            if new_count {
                call.push_str(", cascade_to_colocated => false");
            }
            call.push(')');
            steps.push(
                cx.step(
                    Action::AlterDistribution {
                        table: table.clone(),
                    },
                    format!("redistribute {table}"),
                    call,
                )
                .on(table, LockMode::Exclusive)
                .hazard(
                    Hazard::ShardDataMovement,
                    format!("the shards of {table} are rebuilt"),
                )
                .hazard(
                    Hazard::LongLock,
                    format!("writes to {table} are blocked while its shards are rebuilt"),
                ),
            );
        }
        (current, desired) => {
            if current.is_some() {
                steps.push(undistribute_step(cx, table));
            }
            let mut step = cx
                .step(
                    distribute_action(table, desired, false),
                    format!("distribute {table}"),
                    sql::distribute(table, desired, false),
                )
                .on(table, LockMode::Exclusive)
                .hazard(
                    Hazard::ShardDataMovement,
                    format!("the rows of {table} are copied to the workers"),
                )
                .hazard(
                    Hazard::LongLock,
                    format!("writes to {table} are blocked while its rows are copied"),
                );
            if current.is_some() {
                step = step.joining();
            }
            steps.push(step);
        }
    }
    if rebuilds(cx, current, desired) {
        steps.extend(restore_comments(cx, table));
    }
    let mut node = Node::new(Phase::Distribute, format!("distribute {table}"), steps)
        .provides([Key::Distributed(table.clone())])
        .requires([Key::Relation(table.clone())])
        .requires(colocation_keys(desired));
    if current.is_none() {
        node = node.requires(distribute_foreign_keys::distribution_requires(cx, table));
    }
    let mut res = vec![node];
    res.extend(distribute_foreign_keys::lift_foreign_keys(cx, table));
    res
}

fn undistribute_step(cx: &Cx<'_>, table: &QualifiedName) -> crate::plan::Step {
    cx.step(
        Action::Undistribute {
            table: table.clone(),
        },
        format!("undistribute {table}"),
        format!(
            "SELECT undistribute_table({})",
            sql::quote_literal(&table.to_string())
        ),
    )
    .on(table, LockMode::Exclusive)
    .hazard(
        Hazard::ShardDataMovement,
        format!("the rows of {table} are copied back to the coordinator"),
    )
    .hazard(
        Hazard::LongLock,
        format!("writes to {table} are blocked while its rows are copied"),
    )
}

pub(super) fn undistribute(
    cx: &Cx<'_>,
    table: &QualifiedName,
    current: &Distribution,
) -> Vec<Node> {
    let _ = current;
    let mut steps = vec![undistribute_step(cx, table)];
    steps.extend(restore_comments(cx, table));
    // A table that moves into a distributed schema is converted by the
    // schema's distribution, after this.
    vec![
        Node::new(Phase::Distribute, format!("undistribute {table}"), steps)
            .requires([Key::Relation(table.clone())])
            .provides([Key::ReadyToDistribute(table.clone())]),
    ]
}

/// True when the distribution step rebuilds the table under a new
/// relation: `create_distributed_table_concurrently`,
/// `alter_distributed_table` and `undistribute_table` do (Citus 13.2), and
/// the comments on the table and its parts do not survive it.
fn rebuilds(cx: &Cx<'_>, current: Option<&Distribution>, desired: &Distribution) -> bool {
    match (current, desired) {
        (None, Distribution::Hash { .. }) => cx.online(),
        (None, Distribution::Reference) => false,
        (Some(_), _) => true,
    }
}

/// `COMMENT ON` steps that put back the desired comments of `table`, its
/// columns, constraints and indexes after Citus rebuilt it. Only parts that
/// exist at that point (on both sides) are named: the plan's own steps
/// comment what it adds later, and an FK lifted around the distribution
/// gets its comment back with it (`distribute_foreign_keys`).
pub(super) fn restore_comments(cx: &Cx<'_>, table: &QualifiedName) -> Vec<Step> {
    use crate::diff::comment_targets;
    let (Some(current), Some(desired)) = (
        cx.ctx.current.tables.get(table),
        cx.ctx.desired.tables.get(table),
    ) else {
        return Vec::new();
    };
    let mut targets: Vec<(ObjectId, String, &String)> = Vec::new();
    if let Some(comment) = &desired.comment {
        targets.push((
            ObjectId::Table(table.clone()),
            format!("TABLE {table}"),
            comment,
        ));
    }
    for column in &desired.columns {
        let exists = current.columns.iter().any(|c| c.name == column.name);
        if let (true, Some(comment)) = (exists, &column.comment) {
            targets.push((
                ObjectId::Column(table.clone(), column.name.clone()),
                comment_targets::column(table, &column.name),
                comment,
            ));
        }
    }
    let lifted = distribute_foreign_keys::lifted_names(cx, table);
    for constraint in desired.constraints.values() {
        let exists = current.constraints.get(&constraint.name) == Some(constraint);
        if let (true, false, Some(comment)) = (
            exists,
            lifted.contains(&constraint.name),
            &constraint.comment,
        ) {
            targets.push((
                ObjectId::Constraint(table.clone(), constraint.name.clone()),
                comment_targets::constraint(table, &constraint.name),
                comment,
            ));
        }
    }
    for index in desired.indexes.values() {
        let exists = current.indexes.get(&index.name) == Some(index);
        if let (true, Some(comment)) = (exists, &index.comment) {
            targets.push((
                ObjectId::Index(table.clone(), index.name.clone()),
                comment_targets::index(table, &index.name),
                comment,
            ));
        }
    }
    targets
        .into_iter()
        .map(|(object, target, comment)| comment_step(cx, table, &object, &target, comment))
        .collect()
}

/// One `COMMENT ON` step that restores a comment Citus dropped.
pub(super) fn comment_step(
    cx: &Cx<'_>,
    table: &QualifiedName,
    object: &ObjectId,
    target: &str,
    comment: &str,
) -> Step {
    cx.step(
        Action::SetComment {
            object: object.to_string(),
        },
        format!("restore the comment on {object} (Citus rebuilt {table})"),
        sql::comment_on(target, Some(comment)),
    )
    .lock(table, LockMode::ShareUpdateExclusive)
}
