//! distributed-fk-not-colocated: a foreign key between distributed tables that is not on the distribution columns or not colocated.
use crate::diagnostics::Severity;
use crate::lint::rules::fk_constraints;
use crate::lint::{span, Check, Family, Finding, Group, Rule, SchemaCtx};
use crate::model::{Colocation, Distribution, Model, QualifiedName};

pub static RULE: Rule = Rule {
    id: "distributed-fk-not-colocated",
    family: Family::Schema,
    group: Group::Sharding,
    default_severity: Severity::Error,
    summary: "foreign key between distributed tables is not colocated",
    docs: "### What it does\nFlags a foreign key from one hash-distributed table to another when the key does not include the distribution column on both sides at the same position, or when the two tables are not in the same colocation group (`colocate with`).\n### Why is this bad?\nCitus can only enforce foreign keys shard-locally: it rejects the constraint (`cannot create foreign key constraint since relations are not colocated or not referencing a reference table`).\n### Safe alternative\nDistribute both tables by the tenant column, colocate them (`colocate with`), and include the tenant column in the foreign key; or make the referenced table a reference table.\n### Example\n```\ntable orders {\n  foreign key (account_id, customer_id) references customers (account_id, id)\n  shard by hash (account_id) colocate with customers\n}\n```",
    check: Check::Schema(check),
};

/// The table whose colocation group `name` joins (following `colocate with`).
fn colocation_root(model: &Model, name: &QualifiedName) -> QualifiedName {
    let mut current = name.clone();
    for _ in 0..32 {
        match model
            .tables
            .get(&current)
            .and_then(|t| t.distribution.as_ref())
        {
            Some(Distribution::Hash {
                colocation: Colocation::Table(next),
                ..
            }) if next != &current => {
                current = next.clone();
            }
            _ => break,
        }
    }
    current
}

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for table in ctx.base_tables() {
        let Some(Distribution::Hash {
            column, colocation, ..
        }) = &table.distribution
        else {
            continue;
        };
        for (constraint, fk) in fk_constraints(table) {
            let Some(target) = ctx.model.tables.get(&fk.ref_table) else {
                continue;
            };
            let Some(Distribution::Hash {
                column: target_column,
                colocation: target_colocation,
                ..
            }) = &target.distribution
            else {
                continue;
            };
            let position = fk.columns.iter().position(|c| c == column);
            let on_distribution = position
                .and_then(|idx| fk.ref_columns.get(idx))
                .is_some_and(|ref_column| ref_column == target_column);
            let none = |c: &Colocation| *c == Colocation::None;
            let colocated = !none(colocation)
                && !none(target_colocation)
                && (colocation_root(ctx.model, &table.name)
                    == colocation_root(ctx.model, &target.name)
                    || (*colocation == Colocation::Default
                        && *target_colocation == Colocation::Default));
            if !on_distribution || !colocated {
                let why = if on_distribution {
                    format!("{} and {} are not colocated", table.name, target.name)
                } else {
                    format!("the key does not map {column} to {target_column}")
                };
                out.push(
                    Finding::new(
                        &RULE,
                        span(&constraint.meta),
                        format!(
                            "foreign key {} from {} to {}: {why}",
                            constraint.name, table.name, target.name
                        ),
                    )
                    .label("Citus rejects this foreign key")
                    .secondary(target.meta.span, "referenced distributed table")
                    .help("include the distribution column in the key and colocate the tables"),
                );
            }
        }
    }
}
