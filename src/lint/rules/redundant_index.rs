//! redundant-index: a btree index whose keys are a prefix of another index's keys.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Finding, Group, Rule, SchemaCtx};

pub static RULE: Rule = Rule {
    id: "redundant-index",
    family: Family::Schema,
    group: Group::Design,
    default_severity: Severity::Info,
    summary: "non-unique btree index is covered by a longer index",
    docs: "### What it does\nFlags a non-unique btree index without predicate whose key columns are a leading prefix of another btree index on the same table (also without predicate).\n\
### Why is this bad?\nThe longer index serves every query the shorter one serves (btree prefixes are searchable), so the shorter one only adds write and storage cost.\n\
### Safe alternative\nDrop the shorter index after checking `pg_stat_user_indexes` shows queries use the longer one.\n\
### Example\n```\ntable orders {\n  index (account_id)               <- redundant\n  index (account_id, created_at)\n}\n```",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for (table, sigs) in ctx.base_tables_with_signatures() {
        for short in sigs.iter().filter(|sig| {
            !sig.unique && !sig.is_constraint && sig.method == "btree" && sig.predicate.is_none()
        }) {
            let covering = sigs.iter().find(|long| {
                long.method == "btree"
                    && long.predicate.is_none()
                    && long.keys.len() > short.keys.len()
                    && long.keys[..short.keys.len()] == short.keys[..]
            });
            if let Some(long) = covering {
                out.push(
                    Finding::new(
                        &RULE,
                        short.span,
                        format!(
                            "index {} on {} is covered by {}",
                            short.name, table.name, long.name
                        ),
                    )
                    .label("prefix of a longer index")
                    .secondary(Some(long.span), "covering index")
                    .help(format!(
                        "drop {} if queries can use {}",
                        short.name, long.name
                    )),
                );
            }
        }
    }
}
