//! drop-index-backing-constraint: a primary key or unique constraint that foreign keys rely on is dropped.
use crate::diagnostics::Severity;
use crate::lint::rules::fk_constraints;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::model::{ConstraintKind, ObjectId};
use crate::plan::Action;

pub static RULE: Rule = Rule {
    id: "drop-index-backing-constraint",
    family: Family::Migration,
    group: Group::Destructive,
    default_severity: Severity::Error,
    summary: "dropping a key (and its index) that foreign keys depend on",
    docs: "### What it does\nFlags steps that drop a PRIMARY KEY or UNIQUE constraint (and so the index behind it) of the current schema while foreign keys in the current schema reference exactly its columns.\n### Why is this bad?\nPostgreSQL refuses the drop (`cannot drop constraint ... because other objects depend on it`) unless CASCADE also drops the foreign keys, silently removing referential integrity; and lookups by the key lose their index.\n### Safe alternative\nDrop or re-point the foreign keys first (in the schema), create the replacement key, then drop the old one.\n### Example\n```\n// keep accounts_pkey while orders.account_id references it\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        let ObjectId::Constraint(table_name, name) = &step.origin.object else {
            continue;
        };
        if !matches!(step.action, Action::DropConstraint { .. }) {
            continue;
        }
        let Some(constraint) = ctx
            .current
            .tables
            .get(table_name)
            .and_then(|t| t.constraints.get(name))
        else {
            continue;
        };
        let columns = match &constraint.kind {
            ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => {
                columns
            }
            _ => continue,
        };
        let dependents: Vec<String> = ctx
            .current
            .tables
            .values()
            .flat_map(|table| {
                fk_constraints(table)
                    .filter(|(_, fk)| &fk.ref_table == table_name && &fk.ref_columns == columns)
                    .map(move |(fk_constraint, _)| format!("{}.{}", table.name, fk_constraint.name))
            })
            .collect();
        if dependents.is_empty() {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                ctx.span_of(step),
                format!(
                    "step {number} drops {name} on {table_name}, which foreign keys depend on: {}",
                    dependents.join(", ")
                ),
            )
            .label("key still referenced")
            .help("drop or re-point the foreign keys first")
            .step(number),
        );
    }
}
