//! constraint-without-not-valid: a CHECK or FOREIGN KEY added to an existing table without NOT VALID.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::plan::{Action, ConstraintAction};

pub static RULE: Rule = Rule {
    id: "constraint-without-not-valid",
    family: Family::Migration,
    group: Group::Locking,
    default_severity: Severity::Error,
    summary: "CHECK or FOREIGN KEY added to an existing table without NOT VALID",
    docs: "### What it does\nFlags `ALTER TABLE ... ADD CONSTRAINT ... CHECK / FOREIGN KEY` steps on a table that exists before the plan runs, when the constraint is not added `NOT VALID`.\n### Why is this bad?\nAdding a valid CHECK holds an ACCESS EXCLUSIVE lock while every row is checked; a valid FOREIGN KEY holds SHARE ROW EXCLUSIVE on both tables during the scan. Reads (CHECK) or writes stop for the whole scan.\n### Safe alternative\nAdd the constraint `NOT VALID` (a catalog change), then `VALIDATE CONSTRAINT` in its own transaction, which scans under SHARE UPDATE EXCLUSIVE and lets reads and writes go on. This is schemac's default strategy.\n### Example\n```sql\nALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        let Action::AddConstraint {
            table,
            kind,
            not_valid: false,
            ..
        } = &step.action
        else {
            continue;
        };
        let foreign_key = match kind {
            ConstraintAction::ForeignKey { .. } => true,
            ConstraintAction::Check { .. } | ConstraintAction::NotNullCheck { .. } => false,
            ConstraintAction::Unique { .. }
            | ConstraintAction::PrimaryKey { .. }
            | ConstraintAction::Exclude => continue,
        };
        if !ctx.existed(table) {
            continue;
        }
        // PostgreSQL before 18 cannot add NOT VALID foreign keys to
        // partitioned tables; fk-on-partitioned-table reports those.
        let partitioned = ctx
            .current
            .tables
            .get(table)
            .is_some_and(|t| t.partition_by.is_some());
        if partitioned && foreign_key {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                ctx.span_of(step),
                format!("step {number} adds a constraint to {table} without NOT VALID"),
            )
            .label("scans the table under a blocking lock")
            .help("add it NOT VALID, then VALIDATE CONSTRAINT in a separate transaction")
            .step(number),
        );
    }
}
