//! reference-table-fk-to-distributed: a foreign key from a reference table to a distributed table.
use crate::diagnostics::Severity;
use crate::lint::rules::fk_constraints;
use crate::lint::{span, Check, Family, Finding, Group, Rule, SchemaCtx};
use crate::model::Distribution;

pub static RULE: Rule = Rule {
    id: "reference-table-fk-to-distributed",
    family: Family::Schema,
    group: Group::Sharding,
    default_severity: Severity::Error,
    summary: "reference table has a foreign key to a distributed table",
    docs: "### What it does\nFlags foreign keys from a Citus reference table (or a local table) to a hash-distributed table.\n### Why is this bad?\nA reference table is copied to every node, while the distributed table's rows live on one shard each: Citus cannot enforce the key and rejects it.\n### Safe alternative\nReverse the relationship (distributed tables may reference reference tables), or make the referenced table a reference table too.\n### Example\n```\ntable plans { shard reference }\ntable accounts {\n  plan_id bigint references plans\n  shard by hash (id)\n}\n```",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    // Without a hash-distributed table no foreign key can point at one.
    if !ctx.any_hash_distributed() {
        return;
    }
    for table in ctx.base_tables() {
        let from_hash = matches!(table.distribution, Some(Distribution::Hash { .. }));
        if from_hash {
            continue;
        }
        for (constraint, fk) in fk_constraints(table) {
            let Some(target) = ctx.model.tables.get(&fk.ref_table) else {
                continue;
            };
            if matches!(target.distribution, Some(Distribution::Hash { .. })) {
                let kind = if table.distribution == Some(Distribution::Reference) {
                    "reference table"
                } else {
                    "local table"
                };
                out.push(
                    Finding::new(
                        &RULE,
                        span(&constraint.meta),
                        format!(
                            "foreign key {} from {kind} {} to distributed table {}",
                            constraint.name, table.name, target.name
                        ),
                    )
                    .label("Citus cannot enforce this key")
                    .secondary(target.meta.span, "distributed table")
                    .help("reverse the reference, or make the target a reference table"),
                );
            }
        }
    }
}
