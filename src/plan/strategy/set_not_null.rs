//! `SET NOT NULL` on an existing column without a long lock.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-altertable.html, "SET/DROP
//! NOT NULL"): since PostgreSQL 12, `SET NOT NULL` skips the full-table
//! scan when a valid CHECK constraint proves the column cannot be null.
//! So: `ADD CONSTRAINT <col>_not_null CHECK (col IS NOT NULL) NOT VALID`
//! (ACCESS EXCLUSIVE, catalog only), `VALIDATE CONSTRAINT` in its own
//! transaction (SHARE UPDATE EXCLUSIVE, scan while writes continue), then
//! `SET NOT NULL` (ACCESS EXCLUSIVE, no scan) and the helper check is
//! dropped in the same transaction. Before PostgreSQL 12, and on
//! partitioned tables, and in direct mode (`online = false`), a plain
//! `SET NOT NULL` scans under ACCESS EXCLUSIVE.
//!
//! Ordering invariant: the temporary check's name derives from the
//! column's name (`<col>_not_null`); the column is NOT NULL before any
//! PRIMARY KEY that needs it (the node provides the column's key).

use super::Cx;
use crate::model::{Ident, QualifiedName};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, ConstraintAction, Hazard, LockMode, Step};

/// The steps, for use by other strategies (add column with a backfill).
pub(super) fn set_not_null_steps(cx: &Cx<'_>, table: &QualifiedName, column: &Ident) -> Vec<Step> {
    let set_sql = format!("ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL");
    let set_action = || Action::SetNotNull {
        table: table.clone(),
        column: column.clone(),
    };
    let partitioned = cx
        .ctx
        .desired
        .tables
        .get(table)
        .is_some_and(|t| t.partition_by.is_some());
    if cx.is_new(table) {
        return vec![cx
            .step(
                set_action(),
                format!("set {table}.{column} not null"),
                set_sql,
            )
            .on(table, LockMode::AccessExclusive)];
    }
    if !cx.online() || cx.version() < 12 || partitioned {
        return vec![cx
            .step(
                set_action(),
                format!("set {table}.{column} not null"),
                set_sql,
            )
            .on(table, LockMode::AccessExclusive)
            .scanning()
            .hazard(
                Hazard::LongLock,
                format!(
                    "{table} is scanned for nulls in {column} while ACCESS EXCLUSIVE blocks it"
                ),
            )
            .hazard(
                Hazard::FullScan,
                format!("{table} is scanned for nulls in {column}"),
            )];
    }
    // A constraint the desired schema declares under the helper's name is
    // the user's own: it is neither taken over nor dropped, and the helper
    // gets a name no constraint of the table has.
    let declared = |name: &Ident| {
        cx.ctx
            .desired
            .tables
            .get(table)
            .is_some_and(|t| t.constraints.contains_key(name))
    };
    let base = temporary_check_name(column);
    let users_own = declared(&base);
    let check = if users_own {
        let taken = |name: &Ident| {
            declared(name)
                || cx
                    .ctx
                    .current
                    .tables
                    .get(table)
                    .is_some_and(|t| t.constraints.contains_key(name))
        };
        crate::frontend::dsl::lower::unique_name(Ident::new(format!("{base}_helper")), taken)
    } else {
        base
    };
    // A helper CHECK left by an interrupted run is taken over: not added
    // again ("already exists"), and not validated again when it is valid.
    let leftover = if users_own {
        None
    } else {
        cx.ctx
            .current
            .tables
            .get(table)
            .and_then(|t| t.not_null_helper(column))
    };
    let mut steps = Vec::new();
    if leftover.is_none() {
        steps.push(
            cx.step(
                Action::AddConstraint {
                    table: table.clone(),
                    name: check.clone(),
                    kind: ConstraintAction::NotNullCheck {
                        column: column.clone(),
                    },
                    not_valid: true,
                    using_index: None,
                },
                format!("add check {check} on {table} (not valid)"),
                format!(
                "ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({column} IS NOT NULL) NOT VALID"
            ),
            )
            .on(table, LockMode::AccessExclusive),
        );
    }
    if leftover.is_none_or(|helper| helper.not_valid) {
        steps.push(
            cx.step(
                Action::ValidateConstraint {
                    table: table.clone(),
                    name: check.clone(),
                },
                format!("validate check {check} on {table}"),
                format!("ALTER TABLE {table} VALIDATE CONSTRAINT {check}"),
            )
            .on(table, LockMode::ShareUpdateExclusive)
            .scanning()
            .hazard(
                Hazard::FullScan,
                format!("{table} is scanned for nulls in {column}; writes continue"),
            ),
        );
    }
    steps.push(
        cx.step(
            set_action(),
            format!("set {table}.{column} not null (proved by {check})"),
            set_sql,
        )
        .on(table, LockMode::AccessExclusive),
    );
    steps.push(
        cx.step(
            Action::DropConstraint {
                table: table.clone(),
                name: check.clone(),
            },
            format!("drop check {check} on {table}"),
            format!("ALTER TABLE {table} DROP CONSTRAINT {check}"),
        )
        .on(table, LockMode::AccessExclusive)
        .joining(),
    );
    steps
}

/// `<col>_not_null`, truncated to 63 bytes.
pub(crate) fn temporary_check_name(column: &Ident) -> Ident {
    crate::model::not_null_check_name(column)
}

pub(super) fn set_not_null(cx: &Cx<'_>, table: &QualifiedName, column: &Ident) -> Vec<Node> {
    vec![cx
        .node(Phase::AlterTable, set_not_null_steps(cx, table, column))
        .requires([
            Key::Relation(table.clone()),
            Key::ColumnDefined(table.clone(), column.clone()),
        ])
        .provides([Key::Column(table.clone(), column.clone())])]
}
