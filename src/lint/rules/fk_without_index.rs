//! fk-without-index: a foreign key whose columns lead no index.
use crate::diagnostics::Severity;
use crate::lint::rules::{fk_constraints, has_index_leading_with, names};
use crate::lint::{span, Check, Family, Finding, Group, Rule, SchemaCtx};

pub static RULE: Rule = Rule {
    id: "fk-without-index",
    family: Family::Schema,
    group: Group::Design,
    default_severity: Severity::Warning,
    summary: "foreign key columns are not covered by an index",
    docs: "### What it does\nFlags foreign keys whose referencing columns are not the leading columns of any index (or of the primary key or a unique constraint) on the referencing table.\n\
### Why is this bad?\nEvery DELETE or key UPDATE on the referenced table must find the referencing rows; without an index that is a sequential scan of the referencing table, under a lock, for every row. Joins along the key are slow too.\n\
### Safe alternative\nIndex the referencing columns. schemac creates the index CONCURRENTLY on an existing table.\n\
### Example\n```\ntable orders {\n  account_id uuid not null references accounts\n  index (account_id)\n}\n```",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for (table, sigs) in ctx.base_tables_with_signatures() {
        for (constraint, fk) in fk_constraints(table) {
            if !has_index_leading_with(sigs, &fk.columns) {
                out.push(
                    Finding::new(
                        &RULE,
                        span(&constraint.meta),
                        format!(
                            "foreign key {} on {} has no supporting index",
                            constraint.name, table.name
                        ),
                    )
                    .label(format!("no index leads with ({})", names(&fk.columns)))
                    .help(format!(
                        "add `index ({})` to table {}",
                        names(&fk.columns),
                        table.name.name
                    )),
                );
            }
        }
    }
}
