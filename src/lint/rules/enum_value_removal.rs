//! enum-value-removal: an enum value is removed or the values are reordered.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, MigrationCtx, Rule};
use crate::plan::Hazard;

pub static RULE: Rule = Rule {
    id: "enum-value-removal",
    family: Family::Migration,
    group: Group::Destructive,
    default_severity: Severity::Error,
    summary: "enum value removed: the type and every column using it are rebuilt",
    docs: "### What it does\nFlags plan steps that rebuild an enum type because a value was removed or the values were reordered (PostgreSQL has no `DROP VALUE`).\n### Why is this bad?\nEvery column of the type is rewritten (`ALTER COLUMN ... TYPE new USING col::text::new`) under ACCESS EXCLUSIVE, and the step fails if any row still holds the removed value.\n### Safe alternative\nKeep the value and stop writing it; or migrate rows off the value first and accept the rebuild during a quiet window with `--allow-hazards enum-value-removal`.\n### Example\n```\nenum order_status { pending, shipped, delivered, cancelled }   // keep values, add new ones in place\n```",
    check: Check::Migration(check),
};

fn check(ctx: &MigrationCtx<'_>, out: &mut Vec<Finding>) {
    for (number, step) in ctx.steps() {
        if let Some(note) = step
            .hazards
            .iter()
            .find(|note| note.hazard == Hazard::EnumValueRemoval)
        {
            out.push(
                Finding::new(
                    &RULE,
                    ctx.span_of(step),
                    format!("step {number}: {}", note.message),
                )
                .label("enum rebuilt")
                .help("keep the value, or migrate the rows first and allow enum-value-removal")
                .step(number),
            );
        }
    }
}
