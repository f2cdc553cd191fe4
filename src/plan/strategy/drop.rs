//! Dropping tables, columns and constraints.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-altertable.html,
//! https://www.postgresql.org/docs/current/sql-droptable.html): `DROP
//! TABLE` and `DROP COLUMN` take ACCESS EXCLUSIVE briefly (no rewrite: a
//! dropped column is only hidden), and drop the table's or column's
//! indexes, constraints, policies and triggers with it. `DROP CONSTRAINT`
//! takes ACCESS EXCLUSIVE on the table and, for a foreign key, on the
//! referenced table (its triggers are removed).
//!
//! Ordering invariant: drops run after the creates that replace them and
//! in reverse dependency order: dependents (views, FKs of other tables,
//! indexes on a dropped column) release what they use before it is
//! removed. Table and column drops carry the data-loss hazard.

use super::{column_keys, dep_keys, expr_keys, released_expr_keys, schema_key, type_keys, Cx};
use crate::graph::deps;
use crate::model::{Column, Constraint, ConstraintKind, QualifiedName, Table};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, Hazard, LockMode};

pub(super) fn drop_table(cx: &Cx<'_>, table: &Table) -> Vec<Node> {
    let name = &table.name;
    let mut step = cx
        .step(
            Action::DropTable {
                table: name.clone(),
                partition_of: table.partition_of.as_ref().map(|of| of.parent.clone()),
            },
            format!("drop table {name}"),
            format!("DROP TABLE {name}"),
        )
        .on(name, LockMode::AccessExclusive)
        .hazard(
            Hazard::DataLoss,
            format!("table {name} and its rows are dropped"),
        );
    let mut releases = schema_key(name);
    for column in &table.columns {
        releases.extend(type_keys(cx.ctx.current, &column.ty));
        if let Some(default) = &column.default {
            releases.extend(expr_keys(cx.ctx.current, None, &default.sql));
        }
        // A generated column's function cannot be dropped before it.
        if let Some(generated) = &column.generated {
            releases.extend(expr_keys(cx.ctx.current, None, &generated.sql));
        }
    }
    for constraint in table.constraints.values() {
        if let ConstraintKind::ForeignKey(fk) = &constraint.kind {
            step = step.lock(&fk.ref_table, LockMode::AccessExclusive);
            releases.push(Key::Relation(fk.ref_table.clone()));
            releases.extend(referenced_key(cx, constraint));
        }
    }
    for trigger in table.triggers.values() {
        releases.push(Key::Function(trigger.function.clone()));
    }
    if let Some(of) = &table.partition_of {
        step = step.lock(&of.parent, LockMode::AccessExclusive);
    }
    let mut removes = vec![Key::Relation(name.clone()), Key::Shape(name.clone())];
    removes.extend(
        table
            .columns
            .iter()
            .map(|c| Key::Column(name.clone(), c.name.clone())),
    );
    removes.extend(
        table
            .constraints
            .keys()
            .map(|c| Key::Constraint(name.clone(), c.clone())),
    );
    removes.extend(
        table
            .indexes
            .keys()
            .map(|i| Key::Index(name.clone(), i.clone())),
    );
    for partition in cx.lookups.current_partitions_of(name) {
        removes.push(Key::Relation(partition.name.clone()));
        removes.push(Key::Shape(partition.name.clone()));
    }
    vec![cx
        .node(Phase::DropTable, vec![step])
        .removes(removes)
        .releases(releases)]
}

pub(super) fn drop_column(cx: &Cx<'_>, table: &QualifiedName, column: &Column) -> Vec<Node> {
    let name = &column.name;
    let step = cx
        .step(
            Action::DropColumn {
                table: table.clone(),
                column: name.clone(),
            },
            format!("drop column {table}.{name}"),
            format!("ALTER TABLE {table} DROP COLUMN {name}"),
        )
        .on(table, LockMode::AccessExclusive)
        .hazard(
            Hazard::DataLoss,
            format!("column {table}.{name} and its values are dropped"),
        );
    let mut releases = type_keys(cx.ctx.current, &column.ty);
    if let Some(default) = &column.default {
        releases.extend(expr_keys(cx.ctx.current, None, &default.sql));
    }
    if let Some(generated) = &column.generated {
        releases.extend(expr_keys(cx.ctx.current, None, &generated.sql));
    }
    vec![cx
        .node(Phase::DropColumn, vec![step])
        .requires([Key::Relation(table.clone())])
        .removes([
            Key::Column(table.clone(), name.clone()),
            Key::Shape(table.clone()),
        ])
        .releases(releases)]
}

/// The referenced table's PK/UNIQUE constraint an FK relies on.
fn referenced_key(cx: &Cx<'_>, constraint: &Constraint) -> Vec<Key> {
    let ConstraintKind::ForeignKey(fk) = &constraint.kind else {
        return Vec::new();
    };
    dep_keys(deps::referenced_key(cx.ctx.current, fk))
}

pub(super) fn drop_constraint(
    cx: &Cx<'_>,
    table: &QualifiedName,
    constraint: &Constraint,
) -> Vec<Node> {
    let name = &constraint.name;
    let mut step = cx
        .step(
            Action::DropConstraint {
                table: table.clone(),
                name: name.clone(),
            },
            format!("drop constraint {name} on {table}"),
            format!("ALTER TABLE {table} DROP CONSTRAINT {name}"),
        )
        .on(table, LockMode::AccessExclusive);
    let mut releases = Vec::new();
    let mut provides = Vec::new();
    match &constraint.kind {
        ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => {
            releases.extend(column_keys(table, columns));
        }
        ConstraintKind::Check { expr, .. } => {
            releases.extend(released_expr_keys(cx, table, &expr.sql));
        }
        ConstraintKind::ForeignKey(fk) => {
            step = step.lock(&fk.ref_table, LockMode::AccessExclusive);
            releases.extend(column_keys(table, &fk.columns));
            releases.push(Key::Relation(fk.ref_table.clone()));
            releases.extend(referenced_key(cx, constraint));
            // Citus refuses to distribute a table while an FK links it to
            // a plain table: a distribution waits for such drops.
            provides.push(Key::ReadyToDistribute(table.clone()));
            provides.push(Key::ReadyToDistribute(fk.ref_table.clone()));
        }
        ConstraintKind::Exclude { elements, .. } => {
            for element in elements {
                releases.extend(released_expr_keys(cx, table, &element.expr.sql));
            }
        }
    }
    vec![cx
        .node(Phase::DropConstraint, vec![step])
        .requires([Key::Relation(table.clone())])
        .removes([Key::Constraint(table.clone(), name.clone())])
        .releases(releases)
        .provides(provides)]
}
