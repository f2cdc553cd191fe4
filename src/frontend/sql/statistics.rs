//! `CREATE STATISTICS` and `ALTER STATISTICS ... SET STATISTICS n` (neither
//! is read by sqlparser 0.63), as written and as pg_dump 13 to 17 prints
//! them; the statement is read by [`crate::model::parse_statistics`], which
//! the introspector uses for `pg_get_statisticsobjdef` too.
//!
//! Invariant: a statistics object in another schema than its table is an
//! error naming it (the Model keeps statistics on their table, in the
//! table's schema); other `ALTER STATISTICS` forms go to the skip list.

use super::{lower, parser, Ctx, Stmt};
use crate::model::parse_statistics;
use sqlparser::keywords::Keyword;

/// `CREATE STATISTICS [IF NOT EXISTS] name [(kinds)] ON keys FROM table`.
pub(crate) fn create_statistics(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let def = match parse_statistics(stmt.text) {
        Ok(def) => def,
        Err(message) => {
            ctx.error(
                "syntax-error",
                &stmt,
                format!("cannot read CREATE STATISTICS: {message}"),
            );
            return;
        }
    };
    if def.name.schema != def.table.schema {
        ctx.error(
            "unsupported-statement",
            &stmt,
            format!(
                "statistics {} are in another schema than their table {}; declare them in {}",
                def.name, def.table, def.table.schema
            ),
        );
        return;
    }
    let mut statistics = def.statistics;
    statistics.meta = ctx.meta(&stmt);
    lower::with_table(ctx, &stmt, &def.table, |ctx, table| {
        if table.statistics.contains_key(&statistics.name) {
            ctx.error(
                "duplicate-object",
                &stmt,
                format!("statistics {} are declared more than once", def.name),
            );
            return;
        }
        table.statistics.insert(statistics.name.clone(), statistics);
    });
}

/// `ALTER STATISTICS [IF EXISTS] name SET STATISTICS n`; other forms
/// (`OWNER TO`, `RENAME`, ...) are noted by the skip list.
pub(crate) fn alter_statistics(ctx: &mut Ctx<'_>, stmt: Stmt<'_>, words: &[String]) {
    let parsed = parser(stmt.text).and_then(|mut p| {
        p.expect_keywords(&[Keyword::ALTER, Keyword::STATISTICS])?;
        let _ = p.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
        let name = p.parse_object_name(false)?;
        p.expect_keywords(&[Keyword::SET, Keyword::STATISTICS])?;
        let negative = p.consume_token(&sqlparser::tokenizer::Token::Minus);
        let value = p.parse_literal_uint()?;
        Ok((name, negative, value))
    });
    let Ok((name, negative, value)) = parsed else {
        super::skipped::other(ctx, stmt, words);
        return;
    };
    let name = ctx.qualified(&name);
    let target = match i32::try_from(value) {
        Ok(n) if !negative => Some(n),
        _ => None,
    };
    let owner = ctx
        .model
        .tables
        .values_mut()
        .filter(|table| table.name.schema == name.schema)
        .find_map(|table| table.statistics.get_mut(&name.name));
    match owner {
        Some(statistics) => statistics.target = target,
        None => ctx.error(
            "unknown-reference",
            &stmt,
            format!("statistics {name} are not declared before this statement"),
        ),
    }
}
