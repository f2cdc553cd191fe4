//! Adding a constraint to an existing table.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-altertable.html):
//! - `ADD CONSTRAINT ... CHECK ... NOT VALID` takes ACCESS EXCLUSIVE only
//!   for the catalog update; `ADD ... FOREIGN KEY ... NOT VALID` takes
//!   SHARE ROW EXCLUSIVE on both tables. `VALIDATE CONSTRAINT` then scans
//!   under SHARE UPDATE EXCLUSIVE (plus ROW SHARE on the referenced table
//!   for an FK), so writes continue during the scan.
//! - UNIQUE and PRIMARY KEY: `CREATE UNIQUE INDEX CONCURRENTLY`, then
//!   `ADD CONSTRAINT ... USING INDEX` (ACCESS EXCLUSIVE, catalog only; the
//!   PK columns are already NOT NULL because SET NOT NULL is ordered
//!   first).
//! - On a partitioned table neither NOT VALID foreign keys nor `USING
//!   INDEX` are available (PostgreSQL 15), so the constraint is added
//!   whole, with the long-lock hazard. EXCLUDE constraints are always
//!   added whole (their index is built under the lock).
//!
//! In direct mode (`online = false`) every constraint is added whole, valid
//! in one statement (`ADD CONSTRAINT ... UNIQUE (cols)` builds its index
//! under the lock), with the long-lock and full-scan or index-build
//! hazards.
//!
//! Ordering invariant: a constraint comes after its columns (and, for an
//! FK, after the referenced table and its unique key).

use super::create_table::foreign_key_requires;
use super::validate_constraint::validate_step;
use super::{column_keys, expr_keys, Cx};
use crate::model::{
    sql, Constraint, ConstraintKind, Index, IndexExpr, IndexKey, Meta, QualifiedName,
};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, ConstraintAction, Hazard, LockMode, Step};

pub(super) fn add_constraint(
    cx: &Cx<'_>,
    table: &QualifiedName,
    constraint: &Constraint,
) -> Vec<Node> {
    let relation = cx.ctx.desired.tables.get(table);
    let partitioned = relation.is_some_and(|t| t.partition_by.is_some());
    let new = cx.is_new(table);
    let name = &constraint.name;
    let add_sql = format!(
        "ALTER TABLE {table} ADD {}",
        sql::constraint_def(constraint)
    );
    let mut requires = vec![Key::Relation(table.clone())];
    let (steps, phase) = match &constraint.kind {
        ConstraintKind::Check { expr, .. } => {
            requires.extend(expr_keys(cx.ctx.desired, relation, &expr.sql));
            let steps = if new || constraint.not_valid {
                // Declared NOT VALID: added so (no scan), even to a new
                // table, where PostgreSQL keeps the flag.
                let on = if new { "new table " } else { "" };
                vec![cx
                    .step(
                        add_action(table, constraint, constraint.not_valid),
                        format!("add check {name} on {on}{table}"),
                        declared_sql(&add_sql, constraint),
                    )
                    .on(table, LockMode::AccessExclusive)]
            } else if !cx.online() {
                vec![cx
                    .step(add_action(table, constraint, false), format!("add check {name} on {table}"), add_sql)
                    .on(table, LockMode::AccessExclusive)
                    .scanning()
                    .hazard(Hazard::LongLock, format!("{table} is scanned to validate {name} while ACCESS EXCLUSIVE blocks it"))
                    .hazard(Hazard::FullScan, format!("{table} is scanned to validate {name}"))]
            } else {
                not_valid_then_validate(
                    cx,
                    table,
                    constraint,
                    &add_sql,
                    LockMode::AccessExclusive,
                    None,
                )
            };
            (steps, Phase::AddConstraint)
        }
        ConstraintKind::ForeignKey(fk) => {
            requires.extend(foreign_key_requires(cx, table, constraint));
            let steps = if new || (constraint.not_valid && !partitioned) {
                let on = if new { "new table " } else { "" };
                vec![cx
                    .step(
                        add_action(table, constraint, constraint.not_valid),
                        format!("add foreign key {name} on {on}{table}"),
                        declared_sql(&add_sql, constraint),
                    )
                    .on(table, LockMode::ShareRowExclusive)
                    .lock(&fk.ref_table, LockMode::ShareRowExclusive)]
            } else if partitioned || !cx.online() {
                vec![cx
                    .step(add_action(table, constraint, false), format!("add foreign key {name} on {}table {table}", if partitioned { "partitioned " } else { "" }), add_sql)
                    .on(table, LockMode::ShareRowExclusive)
                    .lock(&fk.ref_table, LockMode::ShareRowExclusive)
                    .scanning()
                    .hazard(Hazard::LongLock, format!("foreign key {name} on {table} is validated while SHARE ROW EXCLUSIVE blocks writes"))
                    .hazard(Hazard::FullScan, format!("{table} is scanned to validate {name}"))]
            } else {
                not_valid_then_validate(
                    cx,
                    table,
                    constraint,
                    &add_sql,
                    LockMode::ShareRowExclusive,
                    Some(&fk.ref_table),
                )
            };
            (steps, Phase::ForeignKey)
        }
        ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => {
            requires.extend(column_keys(table, columns));
            let steps = if new || partitioned || !cx.online() {
                let mut step = cx
                    .step(
                        add_action(table, constraint, false),
                        format!("add constraint {name} on {table}"),
                        add_sql,
                    )
                    .on(table, LockMode::AccessExclusive);
                if !new {
                    step = step
                        .scanning()
                        .hazard(Hazard::LongLock, format!("the index of {name} is built while ACCESS EXCLUSIVE blocks {table}"))
                        .hazard(Hazard::IndexBuild, format!("the index of {name} is built on {table}"));
                }
                vec![step]
            } else {
                unique_using_index(cx, table, constraint)
            };
            (steps, Phase::AddConstraint)
        }
        ConstraintKind::Exclude {
            elements,
            predicate,
            ..
        } => {
            for element in elements {
                requires.extend(expr_keys(cx.ctx.desired, relation, &element.expr.sql));
            }
            if let Some(predicate) = predicate {
                requires.extend(expr_keys(cx.ctx.desired, relation, &predicate.sql));
            }
            let mut step = cx
                .step(
                    add_action(table, constraint, false),
                    format!("add exclusion constraint {name} on {table}"),
                    add_sql,
                )
                .on(table, LockMode::AccessExclusive);
            if !new {
                step = step
                    .scanning()
                    .hazard(Hazard::LongLock, format!("the index of exclusion constraint {name} is built while ACCESS EXCLUSIVE blocks {table}"))
                    .hazard(Hazard::IndexBuild, format!("the index of {name} is built on {table}"));
            }
            (vec![step], Phase::AddConstraint)
        }
    };
    vec![cx
        .node(phase, steps)
        .provides([Key::Constraint(table.clone(), name.clone())])
        .requires(requires)]
}

/// `ADD ...`, with `NOT VALID` when the schema declares the constraint so.
pub(super) fn declared_sql(add_sql: &str, constraint: &Constraint) -> String {
    if constraint.not_valid {
        format!("{add_sql} NOT VALID")
    } else {
        add_sql.to_string()
    }
}

/// `ADD ... NOT VALID` (short lock), then `VALIDATE CONSTRAINT` in its own
/// transaction (SHARE UPDATE EXCLUSIVE, full scan).
/// The action of `ALTER TABLE table ADD constraint_def(constraint)`.
pub(super) fn add_action(
    table: &QualifiedName,
    constraint: &Constraint,
    not_valid: bool,
) -> Action {
    Action::AddConstraint {
        table: table.clone(),
        name: constraint.name.clone(),
        kind: constraint_action(&constraint.kind),
        not_valid,
        using_index: None,
    }
}

/// The constraint of an AddConstraint action.
pub(super) fn constraint_action(kind: &ConstraintKind) -> ConstraintAction {
    match kind {
        ConstraintKind::Check { expr, .. } => ConstraintAction::Check {
            expr: expr.sql.clone(),
        },
        ConstraintKind::ForeignKey(fk) => ConstraintAction::ForeignKey {
            columns: fk.columns.clone(),
            ref_table: fk.ref_table.clone(),
            ref_columns: fk.ref_columns.clone(),
        },
        ConstraintKind::Unique {
            columns,
            nulls_not_distinct,
            ..
        } => ConstraintAction::Unique {
            columns: columns.clone(),
            nulls_not_distinct: *nulls_not_distinct,
        },
        ConstraintKind::PrimaryKey { columns, .. } => ConstraintAction::PrimaryKey {
            columns: columns.clone(),
        },
        ConstraintKind::Exclude { .. } => ConstraintAction::Exclude,
    }
}

fn not_valid_then_validate(
    cx: &Cx<'_>,
    table: &QualifiedName,
    constraint: &Constraint,
    add_sql: &str,
    add_lock: LockMode,
    referenced: Option<&QualifiedName>,
) -> Vec<Step> {
    let name = &constraint.name;
    let mut add = cx
        .step(
            add_action(table, constraint, true),
            format!("add constraint {name} on {table} (not valid)"),
            format!("{add_sql} NOT VALID"),
        )
        .on(table, add_lock);
    if let Some(referenced) = referenced {
        add = add.lock(referenced, add_lock);
    }
    let validate = validate_step(cx, table, name, referenced);
    vec![add, validate]
}

/// `CREATE UNIQUE INDEX CONCURRENTLY` named after the constraint, then
/// `ADD CONSTRAINT ... USING INDEX` (which renames nothing: same name).
fn unique_using_index(cx: &Cx<'_>, table: &QualifiedName, constraint: &Constraint) -> Vec<Step> {
    let name = &constraint.name;
    let (columns, include, nulls_not_distinct) = match &constraint.kind {
        ConstraintKind::PrimaryKey { columns, include } => (columns, include, false),
        ConstraintKind::Unique {
            columns,
            include,
            nulls_not_distinct,
        } => (columns, include, *nulls_not_distinct),
        ConstraintKind::Check { .. }
        | ConstraintKind::ForeignKey(_)
        | ConstraintKind::Exclude { .. } => return Vec::new(),
    };
    let index = Index {
        name: name.clone(),
        unique: true,
        nulls_not_distinct,
        method: "btree".to_string(),
        keys: columns
            .iter()
            .map(|column| IndexKey {
                expr: IndexExpr::Column(column.clone()),
                collation: None,
                opclass: None,
                descending: false,
                nulls_first: None,
            })
            .collect(),
        include: include.clone(),
        predicate: None,
        with: Vec::new(),
        invalid: false,
        comment: None,
        meta: Meta::default(),
    };
    let form = sql::IndexForm {
        concurrently: true,
        ..sql::IndexForm::default()
    };
    let build = cx
        .step(
            Action::CreateIndex {
                table: table.clone(),
                name: name.clone(),
                unique: true,
                concurrently: true,
                on_only: false,
                columns: columns.clone(),
                expressions: Vec::new(),
                predicate: None,
                nulls_not_distinct,
            },
            format!("build unique index {name} on {table} concurrently"),
            sql::create_index(table, &index, form),
        )
        .non_transactional()
        .on(table, LockMode::ShareUpdateExclusive)
        .scanning()
        .hazard(
            Hazard::IndexBuild,
            format!("unique index {name} is built on {table} (concurrently; writes continue)"),
        );
    let attach = using_index_step(cx, table, constraint);
    vec![build, attach]
}

/// `ALTER TABLE table ADD CONSTRAINT name UNIQUE|PRIMARY KEY USING INDEX
/// name`: the constraint adopts the built index of its name (ACCESS
/// EXCLUSIVE, catalog only).
pub(super) fn using_index_step(
    cx: &Cx<'_>,
    table: &QualifiedName,
    constraint: &Constraint,
) -> Step {
    let name = &constraint.name;
    let kind = match &constraint.kind {
        ConstraintKind::PrimaryKey { .. } => "PRIMARY KEY",
        ConstraintKind::Unique { .. }
        | ConstraintKind::Check { .. }
        | ConstraintKind::ForeignKey(_)
        | ConstraintKind::Exclude { .. } => "UNIQUE",
    };
    let mut add_sql =
        format!("ALTER TABLE {table} ADD CONSTRAINT {name} {kind} USING INDEX {name}");
    if constraint.deferrable {
        add_sql.push_str(" DEFERRABLE");
        if constraint.initially_deferred {
            add_sql.push_str(" INITIALLY DEFERRED");
        }
    }
    cx.step(
        Action::AddConstraint {
            table: table.clone(),
            name: name.clone(),
            kind: constraint_action(&constraint.kind),
            not_valid: false,
            using_index: Some(name.clone()),
        },
        format!("add constraint {name} on {table} using index {name}"),
        add_sql,
    )
    .on(table, LockMode::AccessExclusive)
}
