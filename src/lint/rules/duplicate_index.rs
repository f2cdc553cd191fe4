//! duplicate-index: two indexes (or an index and a constraint) with the same definition.
use crate::diagnostics::Severity;
use crate::lint::rules::IndexSig;
use crate::lint::{Check, Family, Finding, Group, Rule, SchemaCtx};

pub static RULE: Rule = Rule {
    id: "duplicate-index",
    family: Family::Schema,
    group: Group::Design,
    default_severity: Severity::Warning,
    summary: "index duplicates another index or constraint",
    docs: "### What it does\nFlags an index whose method, keys, predicate and uniqueness equal those of another index or of the index behind a PRIMARY KEY or UNIQUE constraint on the same table.\n\
### Why is this bad?\nEvery write maintains both copies; the planner uses only one. The duplicate costs disk, memory and write throughput for nothing.\n\
### Safe alternative\nDrop one of them; schemac drops indexes with `DROP INDEX CONCURRENTLY`.\n\
### Example\n```\ntable users {\n  email text unique\n  // index (email)   <- duplicates users_email_key\n}\n```",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for (table, sigs) in ctx.base_tables_with_signatures() {
        for (idx, later) in sigs.iter().enumerate() {
            if let Some(earlier) = sigs[..idx].iter().find(|earlier| same(earlier, later)) {
                if later.is_constraint && !earlier.is_constraint {
                    continue;
                }
                out.push(
                    Finding::new(
                        &RULE,
                        later.span,
                        format!(
                            "index {} on {} duplicates {}",
                            later.name, table.name, earlier.name
                        ),
                    )
                    .label("duplicate")
                    .secondary(Some(earlier.span), "same definition here")
                    .help(format!("drop {}", later.name)),
                );
            }
        }
    }
}

fn same(a: &IndexSig<'_>, b: &IndexSig<'_>) -> bool {
    a.method == b.method && a.keys == b.keys && a.predicate == b.predicate && a.unique == b.unique
}
