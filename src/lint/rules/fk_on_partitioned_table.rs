//! fk-on-partitioned-table: a foreign key added to an existing partitioned table.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::plan::{Action, ConstraintAction};

pub static RULE: Rule = Rule {
    id: "fk-on-partitioned-table",
    family: Family::Migration,
    group: Group::Locking,
    default_severity: Severity::Warning,
    summary: "foreign key added to an existing partitioned table is validated under lock",
    docs: "### What it does\nFlags steps that add a FOREIGN KEY to a partitioned table that exists before the plan runs.\n### Why is this bad?\nBefore PostgreSQL 18, a foreign key on a partitioned table cannot be added NOT VALID: it is validated at once, scanning every partition while SHARE ROW EXCLUSIVE locks block writes on the table and the referenced table.\n### Safe alternative\nAdd the foreign key to each partition NOT VALID and validate it there, then add it to the parent (PostgreSQL reuses the validated partition constraints), or add it in a quiet window.\n### Example\n```sql\nALTER TABLE events_2025 ADD CONSTRAINT events_2025_account_fkey FOREIGN KEY (account_id) REFERENCES accounts NOT VALID;\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        let Action::AddConstraint {
            table,
            kind: ConstraintAction::ForeignKey { .. },
            ..
        } = &step.action
        else {
            continue;
        };
        let partitioned = ctx
            .current
            .tables
            .get(table)
            .is_some_and(|t| t.partition_by.is_some());
        if !partitioned || ctx.config.target_version >= 18 {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                ctx.span_of(step),
                format!("step {number} adds a foreign key to partitioned table {table}"),
            )
            .label("validated at once across all partitions")
            .help("add it per partition NOT VALID and validate there first")
            .step(number),
        );
    }
}
