//! Adding a column to an existing table.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES):
//! since PostgreSQL 11, `ADD COLUMN` with no default or a non-volatile
//! default only updates the catalog (ACCESS EXCLUSIVE, briefly); a
//! volatile default (`gen_random_uuid()`, `random()`, `clock_timestamp()`,
//! `nextval(...)`, or a user function declared VOLATILE), an identity or a
//! stored generated column rewrites the table under ACCESS EXCLUSIVE.
//! `now()` is stable: evaluated once, no rewrite.
//!
//! For a volatile default the column is added without a default, the
//! default is set in the same transaction (new rows get it from then on),
//! and existing rows are backfilled by a `DO` block that updates batches
//! and COMMITs after each (allowed in `DO` since PostgreSQL 11, but only
//! outside a transaction block: the step is non-transactional; `psql -f`
//! in autocommit mode and the executor both run it as a top-level
//! statement; `psql --single-transaction` cannot). The first loop walks
//! the heap by ctid page ranges (a TID range scan since PostgreSQL 14, so
//! the work is linear), the second catches rows moved by concurrent
//! updates. `SET col = DEFAULT` evaluates the default per row. The loop
//! ends because the volatile defaults above never return NULL. A NOT NULL
//! column then goes through the `set_not_null` strategy.
//!
//! Ordering invariant: the column comes after its type (enum values
//! included) and the sequences and functions its default names.

use super::set_not_null::set_not_null_steps;
use super::{expr_keys, type_keys, Cx};
use crate::model::{sql, Column, Model, QualifiedName, SqlExpr, Volatility};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Hazard, LockMode, Step};

/// Built-in functions whose result differs per row.
const VOLATILE_FUNCTIONS: &[&str] = &[
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "random",
    "clock_timestamp",
    "timeofday",
    "nextval",
    "txid_current",
    "setseed",
];

/// Pages per batch of the first backfill loop.
const BACKFILL_PAGES: u32 = 64;

/// True when the expression calls a volatile function.
pub(crate) fn is_volatile(model: &Model, expr: &SqlExpr) -> bool {
    let words = super::words(&expr.sql);
    words
        .iter()
        .any(|word| VOLATILE_FUNCTIONS.contains(&word.as_str()))
        || model.functions.values().any(|function| {
            function.volatility == Volatility::Volatile
                && words
                    .iter()
                    .any(|word| word == function.id.name.name.as_str())
        })
}

pub(super) fn add_column(cx: &Cx<'_>, table: &QualifiedName, column: &Column) -> Vec<Node> {
    let name = &column.name;
    let mut requires = vec![Key::Relation(table.clone())];
    requires.extend(type_keys(cx.ctx.desired, &column.ty));
    for expr in column.default.iter().chain(column.generated.iter()) {
        requires.extend(expr_keys(cx.ctx.desired, None, &expr.sql));
    }
    let add_sql = format!("ALTER TABLE {table} ADD COLUMN {}", sql::column_def(column));
    let description = format!("add column {table}.{name}");
    let new = cx.is_new(table);
    let volatile_default = column
        .default
        .as_ref()
        .filter(|d| is_volatile(cx.ctx.desired, d));
    let steps: Vec<Step> = if new {
        vec![cx
            .step(description, add_sql)
            .on(table, LockMode::AccessExclusive)]
    } else if column.generated.is_some() || column.identity.is_some() {
        vec![cx
            .step(description, add_sql)
            .on(table, LockMode::AccessExclusive)
            .rewriting()
            .hazard(
                Hazard::TableRewrite,
                format!(
                    "adding {} column {table}.{name} rewrites {table} under ACCESS EXCLUSIVE",
                    if column.generated.is_some() {
                        "generated"
                    } else {
                        "identity"
                    }
                ),
            )]
    } else if let Some(default) = volatile_default {
        let mut bare = column.clone();
        bare.default = None;
        bare.not_null = false;
        let mut steps = vec![
            cx.step(
                format!("add column {table}.{name} without default"),
                format!("ALTER TABLE {table} ADD COLUMN {}", sql::column_def(&bare)),
            )
            .on(table, LockMode::AccessExclusive),
            cx.step(
                format!("set default of {table}.{name}"),
                format!("ALTER TABLE {table} ALTER COLUMN {name} SET DEFAULT {default}"),
            )
            .on(table, LockMode::AccessExclusive)
            .joining(),
            backfill_step(cx, table, column),
        ];
        if column.not_null {
            steps.extend(set_not_null_steps(cx, table, name));
        }
        steps
    } else {
        vec![cx
            .step(description, add_sql)
            .on(table, LockMode::AccessExclusive)]
    };
    vec![cx
        .node(Phase::AlterTable, steps)
        .requires(requires)
        .provides([
            Key::Column(table.clone(), name.clone()),
            Key::Layout(table.clone()),
        ])]
}

/// The batched backfill `DO` block (see the module docs).
fn backfill_step(cx: &Cx<'_>, table: &QualifiedName, column: &Column) -> Step {
    let name = &column.name;
    let batch = cx.ctx.options.backfill_batch_size.max(1);
    let table_literal = sql::quote_literal(&table.to_string());
    let body = format!(
        "DECLARE
  last_page bigint := pg_relation_size({table_literal}) / current_setting('block_size')::bigint;
  page bigint := 0;
  n bigint;
BEGIN
  WHILE page <= last_page LOOP
    UPDATE {table} SET {name} = DEFAULT
      WHERE ctid >= format('(%s,0)', page)::tid AND ctid < format('(%s,0)', page + {BACKFILL_PAGES})::tid AND {name} IS NULL;
    COMMIT;
    page := page + {BACKFILL_PAGES};
  END LOOP;
  LOOP
    UPDATE {table} SET {name} = DEFAULT
      WHERE ctid = ANY (ARRAY(SELECT ctid FROM {table} WHERE {name} IS NULL LIMIT {batch}));
    GET DIAGNOSTICS n = ROW_COUNT;
    COMMIT;
    EXIT WHEN n = 0;
  END LOOP;
END"
    );
    cx.step(
        format!("backfill {table}.{name} in batches"),
        format!("DO {}", sql::dollar_quote(&format!("\n{body}\n"))),
    )
    .non_transactional()
    .on(table, LockMode::RowExclusive)
    .scanning()
    .hazard(
        Hazard::FullScan,
        format!("every row of {table} is updated to fill {name}, in committed batches that do not block other writers for long"),
    )
}
