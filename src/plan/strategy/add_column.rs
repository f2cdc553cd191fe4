//! Adding a column to an existing table.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES):
//! since PostgreSQL 11, `ADD COLUMN` with no default or a non-volatile
//! default only updates the catalog (ACCESS EXCLUSIVE, briefly); a
//! volatile default (`gen_random_uuid()`, `random()`, `clock_timestamp()`,
//! `nextval(...)`, `gen_random_bytes(32)`, a user function declared
//! VOLATILE; any function not known to be stable or immutable counts as
//! volatile), an identity or a
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
//! updates; it runs a bounded number of batches (the NULL rows counted
//! once), so a default that returns NULL cannot make it loop forever.
//! `SET col = DEFAULT` evaluates the default per row. A NOT NULL
//! column then goes through the `set_not_null` strategy.
//!
//! In direct mode (`online = false`) the column is added with its volatile
//! default in one statement, rewriting the table under the lock.
//!
//! Ordering invariant: the column comes after its type (enum values
//! included) and the sequences and functions its default names.

use super::set_not_null::set_not_null_steps;
use super::{expr_keys, type_keys, Cx};
use crate::model::{sql, Column, Model, QualifiedName, SqlExpr, Volatility};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, Hazard, LockMode, Step};
use crate::sql_lex;
use sqlparser::tokenizer::Token;

/// Functions (and function-like keywords) known not to be volatile: a
/// default calling only these is evaluated once by `ADD COLUMN`.
const SAFE_FUNCTIONS: &[&str] = &[
    // stable: evaluated once per statement
    "now",
    "current_timestamp",
    "current_date",
    "current_time",
    "localtimestamp",
    "localtime",
    "transaction_timestamp",
    "statement_timestamp",
    "current_setting",
    "current_user",
    "session_user",
    "current_role",
    "current_schema",
    "current_database",
    "to_char",
    "to_timestamp",
    "to_date",
    "date_trunc",
    "date_part",
    "extract",
    "make_interval",
    "make_date",
    "make_timestamp",
    "make_timestamptz",
    "age",
    "timezone",
    // immutable
    "lower",
    "upper",
    "length",
    "char_length",
    "concat",
    "concat_ws",
    "replace",
    "substring",
    "substr",
    "trim",
    "btrim",
    "ltrim",
    "rtrim",
    "lpad",
    "rpad",
    "position",
    "md5",
    "abs",
    "round",
    "trunc",
    "floor",
    "ceil",
    "power",
    "jsonb_build_object",
    "jsonb_build_array",
    "json_build_object",
    "json_build_array",
    "to_jsonb",
    "to_json",
    "array_fill",
    "decode",
    "encode",
    // syntax that looks like a call
    "cast",
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "row",
    "array",
    "any",
    "all",
    "some",
    "in",
    "and",
    "or",
    "not",
    "is",
    "exists",
    "values",
    "case",
    "when",
    "then",
    "else",
    "end",
    "interval",
    "distinct",
    "from",
    "between",
    "like",
    "ilike",
    "similar",
];

/// Pages per batch of the first backfill loop.
const BACKFILL_PAGES: u32 = 64;

/// Names of the functions an SQL expression calls (an identifier followed
/// by `(`, schema prefix removed, lower case). Type modifiers after a
/// cast (`::numeric(12,2)`, `CAST(x AS varchar(10))`) are not calls.
fn called_functions(text: &str) -> Vec<String> {
    let tokens: Vec<Token> = sql_lex::lex_range(text, 0, text.len())
        .0
        .into_iter()
        .map(|lexeme| lexeme.token)
        .filter(|token| !sql_lex::is_blank(token))
        .collect();
    let mut res = Vec::new();
    // The previous significant token was `::` or `AS` (a type follows).
    let mut after_cast = false;
    let mut idx = 0;
    while idx < tokens.len() {
        let Token::Word(first) = &tokens[idx] else {
            match tokens[idx] {
                Token::DoubleColon => after_cast = true,
                Token::LParen | Token::Comma | Token::Number(..) => {}
                _ => after_cast = false,
            }
            idx += 1;
            continue;
        };
        // A possibly qualified name: its last part is the function.
        let mut last = first;
        idx += 1;
        while let (Some(Token::Period), Some(Token::Word(part))) =
            (tokens.get(idx), tokens.get(idx + 1))
        {
            last = part;
            idx += 2;
        }
        let name = sql_lex::folded(last);
        let next = tokens.get(idx);
        let type_word = matches!(
            name.as_str(),
            "varying" | "precision" | "zone" | "with" | "without"
        );
        if next == Some(&Token::LParen) && !after_cast && !type_word {
            res.push(name.clone());
        }
        // `::character varying(10)`, `CAST(x AS numeric(12,2))`: the type
        // runs on over words and a parenthesised modifier.
        let is_as = last.quote_style.is_none() && name == "as";
        after_cast =
            is_as || (after_cast && matches!(next, Some(Token::Word(_)) | Some(Token::LParen)));
    }
    res
}

/// True unless every function the expression calls is known to be stable
/// or immutable (a built-in in [`SAFE_FUNCTIONS`], or a function of the
/// model declared STABLE or IMMUTABLE). Unknown functions count as
/// volatile: treating a stable function as volatile only costs a
/// backfill, while the reverse rewrites the table under ACCESS EXCLUSIVE.
pub(crate) fn is_volatile(model: &Model, expr: &SqlExpr) -> bool {
    called_functions(&expr.sql).iter().any(|name| {
        if SAFE_FUNCTIONS.contains(&name.as_str()) {
            return false;
        }
        let declared: Vec<Volatility> = model
            .functions
            .values()
            .filter(|function| function.id.name.name.as_str().eq_ignore_ascii_case(name))
            .map(|function| function.volatility)
            .collect();
        declared.is_empty() || declared.contains(&Volatility::Volatile)
    })
}

pub(super) fn add_column(cx: &Cx<'_>, table: &QualifiedName, column: &Column) -> Vec<Node> {
    let name = &column.name;
    let mut requires = vec![Key::Relation(table.clone())];
    requires.extend(type_keys(cx.ctx.desired, &column.ty));
    if let Some(expr) = &column.default {
        requires.extend(expr_keys(cx.ctx.desired, None, &expr.sql));
    }
    // A generated column also needs the columns it is computed from.
    if let Some(expr) = &column.generated {
        let desired_table = cx.ctx.desired.tables.get(table);
        requires.extend(expr_keys(cx.ctx.desired, desired_table, &expr.sql));
    }
    let add_sql = format!("ALTER TABLE {table} ADD COLUMN {}", sql::column_def(column));
    let description = format!("add column {table}.{name}");
    let new = cx.is_new(table);
    let volatile_default = column
        .default
        .as_ref()
        .filter(|d| is_volatile(cx.ctx.desired, d));
    let add_action = add_column_action(cx, table, column);
    let steps: Vec<Step> = if new {
        vec![cx
            .step(add_action.clone(), description, add_sql)
            .on(table, LockMode::AccessExclusive)]
    } else if column.generated.is_some() || column.identity.is_some() {
        vec![cx
            .step(add_action.clone(), description, add_sql)
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
    } else if let Some(default) = volatile_default.filter(|_| !cx.online()) {
        vec![cx
            .step(add_action.clone(), description, add_sql)
            .on(table, LockMode::AccessExclusive)
            .rewriting()
            .hazard(
                Hazard::TableRewrite,
                format!("the volatile default {default} of {table}.{name} rewrites {table} under ACCESS EXCLUSIVE"),
            )
            .hazard(
                Hazard::LongLock,
                format!("ACCESS EXCLUSIVE blocks reads and writes of {table} during the rewrite"),
            )]
    } else if let Some(default) = volatile_default {
        let mut bare = column.clone();
        bare.default = None;
        bare.not_null = false;
        let mut steps = vec![
            cx.step(
                add_column_action(cx, table, &bare),
                format!("add column {table}.{name} without default"),
                format!("ALTER TABLE {table} ADD COLUMN {}", sql::column_def(&bare)),
            )
            .on(table, LockMode::AccessExclusive),
            cx.step(
                Action::SetDefault {
                    table: table.clone(),
                    column: name.clone(),
                    default: default.to_string(),
                },
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
            .step(add_action.clone(), description, add_sql)
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
/// The action of `ALTER TABLE table ADD COLUMN column_def(column)`.
pub(super) fn add_column_action(cx: &Cx<'_>, table: &QualifiedName, column: &Column) -> Action {
    Action::AddColumn {
        table: table.clone(),
        column: column.name.clone(),
        ty: column.ty.clone(),
        not_null: column.not_null,
        default: column.default.as_ref().map(ToString::to_string),
        volatile_default: column
            .default
            .as_ref()
            .is_some_and(|default| is_volatile(cx.ctx.desired, default)),
        generated: column.generated.is_some(),
        identity: column.identity.is_some(),
    }
}

fn backfill_step(cx: &Cx<'_>, table: &QualifiedName, column: &Column) -> Step {
    let name = &column.name;
    let batch = cx.ctx.options.backfill_batch_size.max(1);
    let table_literal = sql::quote_literal(&table.to_string());
    // The block reports its progress in its session's application_name
    // (`schemac:backfill:ROWS:TOTAL:PAGE:PAGES`, read by apply's progress
    // watch from pg_stat_activity) and restores the name at the end.
    let body = format!(
        "DECLARE
  last_page bigint := pg_relation_size({table_literal}) / current_setting('block_size')::bigint;
  total bigint := GREATEST((SELECT reltuples FROM pg_class WHERE oid = {table_literal}::regclass), 0)::bigint;
  app text := current_setting('application_name');
  page bigint := 0;
  done bigint := 0;
  n bigint;
BEGIN
  WHILE page <= last_page LOOP
    UPDATE {table} SET {name} = DEFAULT
      WHERE ctid >= format('(%s,0)', page)::tid AND ctid < format('(%s,0)', page + {BACKFILL_PAGES})::tid AND {name} IS NULL;
    GET DIAGNOSTICS n = ROW_COUNT;
    done := done + n;
    page := page + {BACKFILL_PAGES};
    PERFORM set_config('application_name', format('schemac:backfill:%s:%s:%s:%s', done, total, LEAST(page, last_page + 1), last_page + 1), false);
    COMMIT;
  END LOOP;
  SELECT count(*) INTO n FROM {table} WHERE {name} IS NULL;
  FOR i IN 0 .. n / {batch} LOOP
    UPDATE {table} SET {name} = DEFAULT
      WHERE ctid = ANY (ARRAY(SELECT ctid FROM {table} WHERE {name} IS NULL LIMIT {batch}));
    COMMIT;
  END LOOP;
  PERFORM set_config('application_name', app, false);
END"
    );
    cx.step(
        Action::Backfill {
            table: table.clone(),
            column: name.clone(),
            batch,
        },
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
