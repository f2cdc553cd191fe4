//! Validating a constraint the database holds NOT VALID (added so, or left
//! so by a VALIDATE that failed, timed out or was killed) when the schema
//! wants it valid: convergence means valid, never "matches".
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-altertable.html):
//! `VALIDATE CONSTRAINT` scans the table under SHARE UPDATE EXCLUSIVE
//! (plus ROW SHARE on the referenced table for a foreign key), so reads and
//! writes continue during the scan; it fails, changing nothing, when a row
//! violates the constraint.
//!
//! Ordering invariant: the step runs after the constraint's table and
//! columns exist and in its own transaction (a failure rolls back only the
//! validation; the constraint stays NOT VALID and the next plan validates
//! it again).

use super::Cx;
use crate::model::{Constraint, ConstraintKind, Ident, QualifiedName};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, Hazard, LockMode, Step};

pub(super) fn validate_constraint(
    cx: &Cx<'_>,
    table: &QualifiedName,
    constraint: &Constraint,
) -> Vec<Node> {
    let referenced = match &constraint.kind {
        ConstraintKind::ForeignKey(fk) => Some(&fk.ref_table),
        ConstraintKind::Check { .. }
        | ConstraintKind::PrimaryKey { .. }
        | ConstraintKind::Unique { .. }
        | ConstraintKind::Exclude { .. } => None,
    };
    let step = validate_step(cx, table, &constraint.name, referenced);
    let phase = if referenced.is_some() {
        Phase::ForeignKey
    } else {
        Phase::AddConstraint
    };
    let mut requires = vec![Key::Relation(table.clone())];
    requires.extend(referenced.map(|referenced| Key::Relation(referenced.clone())));
    vec![cx
        .node(phase, vec![step])
        .provides([Key::Constraint(table.clone(), constraint.name.clone())])
        .requires(requires)]
}

/// `ALTER TABLE table VALIDATE CONSTRAINT name`, in its own transaction.
pub(super) fn validate_step(
    cx: &Cx<'_>,
    table: &QualifiedName,
    name: &Ident,
    referenced: Option<&QualifiedName>,
) -> Step {
    let mut validate = cx
        .step(
            Action::ValidateConstraint {
                table: table.clone(),
                name: name.clone(),
            },
            format!("validate constraint {name} on {table}"),
            format!("ALTER TABLE {table} VALIDATE CONSTRAINT {name}"),
        )
        .on(table, LockMode::ShareUpdateExclusive)
        .scanning()
        .hazard(
            Hazard::FullScan,
            format!("{table} is scanned to validate {name}; writes continue"),
        );
    if let Some(referenced) = referenced {
        validate = validate.lock(referenced, LockMode::RowShare);
    }
    validate
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    fn orders(not_valid: bool) -> crate::model::Model {
        let mut total_check = check("orders_total_check", "total >= 0");
        total_check.not_valid = not_valid;
        let mut user_fk = fk("orders_user_id_fkey", &["user_id"], "users", &["id"]);
        user_fk.not_valid = not_valid;
        let users = add_constraint(
            table("users", vec![column("id", "bigint")]),
            pk("users_pkey", &["id"]),
        );
        let orders = table(
            "orders",
            vec![column("total", "numeric"), column("user_id", "bigint")],
        );
        model(vec![
            users,
            add_constraint(add_constraint(orders, total_check), user_fk),
        ])
    }

    #[test]
    fn not_valid_constraints_the_schema_wants_valid_are_validated() {
        insta::assert_snapshot!(plan_text(&orders(true), &orders(false)), @r"
        tx ALTER TABLE public.orders VALIDATE CONSTRAINT orders_total_check
          ! full-scan
        tx ALTER TABLE public.orders VALIDATE CONSTRAINT orders_user_id_fkey
          ! full-scan
        ");
    }

    #[test]
    fn constraints_declared_not_valid_are_left_alone() {
        assert_eq!(plan_text(&orders(true), &orders(true)), "");
        assert_eq!(plan_text(&orders(false), &orders(true)), "");
    }
}
