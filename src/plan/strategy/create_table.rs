//! Creating a table (or a partition of a table created by the same plan).
//!
//! PostgreSQL behaviour relied on: a new table is empty, so its indexes are
//! built with plain `CREATE INDEX` inside the table's transaction (no
//! hazard), and its foreign keys validate instantly. `CREATE TABLE ...
//! PARTITION OF` takes ACCESS EXCLUSIVE on the parent
//! (https://www.postgresql.org/docs/current/sql-createtable.html), which is
//! harmless here because the parent is new too; partitions of existing
//! tables go through `attach_partition` instead.
//!
//! Ordering invariant: FOREIGN KEY constraints are separate nodes that run
//! after every table they name exists (and is distributed, under Citus),
//! so FK cycles between new tables never block table creation. RLS is
//! enabled after the table's policies are created.

use super::add_constraint::{add_action, declared_sql};
use super::create_index::index_action;
use super::{
    column_keys, dep_keys, distribute, expr_keys, policy, rls, schema_key, trigger, type_keys, Cx,
};
use crate::graph::deps;
use crate::model::{sql, Constraint, ConstraintKind, QualifiedName, Table};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, LockMode};

pub(super) fn create_table(cx: &Cx<'_>, table: &Table) -> Vec<Node> {
    let mut nodes = vec![table_node(cx, table)];
    // Indexes whose partition indexes the source names: after the
    // partitions (see `names_partition_indexes`).
    for index in table.indexes.values() {
        if names_partition_indexes(cx, table, index) {
            nodes.extend(super::create_index::create_index(cx, &table.name, index));
        }
    }
    for constraint in table.constraints.values() {
        if matches!(constraint.kind, ConstraintKind::ForeignKey(_)) {
            nodes.push(foreign_key_node(cx, &table.name, constraint));
        }
    }
    if let Some(distribution) = &table.distribution {
        nodes.push(distribute::distribute_new(cx, &table.name, distribution));
    }
    for policy in table.policies.values() {
        nodes.extend(policy::create_policy(cx, &table.name, policy));
    }
    if table.rls.enabled {
        nodes.extend(rls::enable(cx, &table.name));
    }
    if table.rls.forced {
        nodes.extend(rls::force(cx, &table.name, true));
    }
    for trigger in table.triggers.values() {
        nodes.extend(trigger::create_trigger(cx, &table.name, trigger));
    }
    nodes
}

/// CREATE TABLE with its columns, non-FK constraints and indexes, in one
/// transaction.
pub(super) fn table_node(cx: &Cx<'_>, table: &Table) -> Node {
    let name = &table.name;
    let mut create = cx
        .step(
            Action::CreateTable {
                table: name.clone(),
                partition_of: table.partition_of.as_ref().map(|of| of.parent.clone()),
                like: None,
            },
            format!("create table {name}"),
            sql::create_table(table, sql::TableForm::default()),
        )
        .on(name, LockMode::AccessExclusive);
    let mut requires = schema_key(name);
    if let Some(of) = &table.partition_of {
        create = create.lock(&of.parent, LockMode::AccessExclusive);
        requires.push(Key::Relation(of.parent.clone()));
    }
    // INHERITS merges the parents' columns as they are at this point, and
    // locks each parent SHARE UPDATE EXCLUSIVE.
    for parent in &table.inherits {
        create = create.lock(parent, LockMode::ShareUpdateExclusive);
        requires.push(Key::Relation(parent.clone()));
        requires.push(Key::Layout(parent.clone()));
    }
    for column in &table.columns {
        requires.extend(type_keys(cx.ctx.desired, &column.ty));
        // The other columns come with the same statement; their types
        // tell which overload a call takes.
        for expr in column.default.iter().chain(column.generated.as_deref()) {
            requires.extend(dep_keys(deps::column_expr(
                cx.ctx.desired,
                table,
                &expr.sql,
            )));
        }
    }
    let mut provides = vec![Key::Relation(name.clone())];
    provides.extend(
        table
            .columns
            .iter()
            .map(|c| Key::Column(name.clone(), c.name.clone())),
    );
    for constraint in table.constraints.values() {
        if !matches!(constraint.kind, ConstraintKind::ForeignKey(_)) {
            provides.push(Key::Constraint(name.clone(), constraint.name.clone()));
            if let ConstraintKind::Check { expr, .. } = &constraint.kind {
                requires.extend(expr_keys(cx.ctx.desired, None, &expr.sql));
            }
        }
    }
    let mut steps = vec![create];
    // A CHECK declared NOT VALID cannot be inline (CREATE TABLE marks it
    // valid, `sql::create_table` leaves it out): added NOT VALID after.
    for constraint in table.constraints.values() {
        if constraint.not_valid && matches!(constraint.kind, ConstraintKind::Check { .. }) {
            steps.push(
                cx.step(
                    add_action(name, constraint, true),
                    format!("add check {} on new table {name}", constraint.name),
                    declared_sql(
                        &format!("ALTER TABLE {name} ADD {}", sql::constraint_def(constraint)),
                        constraint,
                    ),
                )
                .on(name, LockMode::AccessExclusive)
                .joining(),
            );
        }
    }
    for index in table.indexes.values() {
        if names_partition_indexes(cx, table, index) {
            continue;
        }
        provides.push(Key::Index(name.clone(), index.name.clone()));
        for key in &index.keys {
            if let crate::model::IndexExpr::Expr(expr) = &key.expr {
                requires.extend(expr_keys(cx.ctx.desired, None, &expr.sql));
            }
        }
        steps.push(
            cx.step(
                index_action(name, index, false, false),
                format!("create index {} on new table {name}", index.name),
                sql::create_index(name, index, sql::IndexForm::default()),
            )
            .on(name, LockMode::Share)
            .joining(),
        );
    }
    requires.retain(|key| !provides.contains(key));
    cx.node(Phase::CreateTable, steps)
        .provides(provides)
        .requires(requires)
}

/// Whether some partition of the new partitioned `table` names its index
/// for `index` in the source. Then the index is created after the
/// partitions, which get their named indexes first, so PostgreSQL attaches
/// those instead of creating indexes under names of its own.
fn names_partition_indexes(cx: &Cx<'_>, table: &Table, index: &crate::model::Index) -> bool {
    table.partition_by.is_some()
        && cx
            .lookups
            .desired_partitions_of(&table.name)
            .any(|partition| partition.index_names.0.contains_key(&index.name))
}

/// The keys an FK needs: both tables, its columns, and the referenced key.
pub(super) fn foreign_key_requires(
    cx: &Cx<'_>,
    table: &QualifiedName,
    constraint: &Constraint,
) -> Vec<Key> {
    let ConstraintKind::ForeignKey(fk) = &constraint.kind else {
        return Vec::new();
    };
    let mut res = vec![
        Key::Relation(table.clone()),
        Key::Relation(fk.ref_table.clone()),
    ];
    res.extend(column_keys(table, &fk.columns));
    res.extend(column_keys(&fk.ref_table, &fk.ref_columns));
    res.push(Key::Distributed(table.clone()));
    res.push(Key::Distributed(fk.ref_table.clone()));
    res.extend(dep_keys(deps::referenced_key(cx.ctx.desired, fk)));
    res
}

/// An FK on a table created by this plan: added whole (the table is empty,
/// so validation is instant).
fn foreign_key_node(cx: &Cx<'_>, table: &QualifiedName, constraint: &Constraint) -> Node {
    let mut step = cx
        .step(
            add_action(table, constraint, constraint.not_valid),
            format!("add foreign key {} on new table {table}", constraint.name),
            declared_sql(
                &format!(
                    "ALTER TABLE {table} ADD {}",
                    sql::constraint_def(constraint)
                ),
                constraint,
            ),
        )
        .on(table, LockMode::ShareRowExclusive);
    if let ConstraintKind::ForeignKey(fk) = &constraint.kind {
        step = step.lock(&fk.ref_table, LockMode::ShareRowExclusive);
    }
    Node::new(
        Phase::ForeignKey,
        format!("constraint {table}.{}", constraint.name),
        vec![step],
    )
    .provides([Key::Constraint(table.clone(), constraint.name.clone())])
    .requires(foreign_key_requires(cx, table, constraint))
}
