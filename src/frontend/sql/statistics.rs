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
    let mut def = def;
    // Unqualified names go through the file's search_path, as PostgreSQL
    // runs the file (the statistics are created in its first schema).
    let (name_written_qualified, table_written_qualified) = written_qualified(stmt.text);
    if !table_written_qualified {
        let table = sqlparser::ast::ObjectName::from(vec![sqlparser::ast::Ident::with_quote(
            '"',
            def.table.name.as_str(),
        )]);
        def.table = ctx.relation(&table);
    }
    if !name_written_qualified {
        def.name.schema = ctx.creation_schema();
    }
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

/// Whether the statistics name and the table after the last `FROM` are
/// written schema-qualified.
fn written_qualified(text: &str) -> (bool, bool) {
    let Some(tokens) = crate::sql_lex::tokens(text) else {
        return (true, true);
    };
    let tokens: Vec<sqlparser::tokenizer::Token> = tokens
        .into_iter()
        .filter(|token| !crate::sql_lex::is_blank(token))
        .collect();
    let is_word = |token: &sqlparser::tokenizer::Token, keyword: Keyword| matches!(token, sqlparser::tokenizer::Token::Word(word) if word.keyword == keyword);
    let dotted = |idx: usize| {
        matches!(
            tokens.get(idx + 1),
            Some(sqlparser::tokenizer::Token::Period)
        )
    };
    let mut name_at = tokens
        .iter()
        .position(|token| is_word(token, Keyword::STATISTICS))
        .map_or(0, |idx| idx + 1);
    if tokens
        .get(name_at)
        .is_some_and(|token| is_word(token, Keyword::IF))
    {
        name_at += 3;
    }
    let table_at = tokens
        .iter()
        .rposition(|token| is_word(token, Keyword::FROM))
        .map_or(0, |idx| idx + 1);
    (dotted(name_at), dotted(table_at))
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

#[cfg(test)]
mod tests {
    use super::super::load_file;
    use crate::model::{Ident, QualifiedName};
    use crate::source::{FileId, Language, SourceFile};

    #[test]
    fn unqualified_statistics_follow_the_search_path() {
        let sql = "CREATE SCHEMA app;\nSET search_path TO app, public;\nCREATE TABLE items (a int, b int);\nCREATE STATISTICS s (dependencies) ON a, b FROM items;\nCREATE STATISTICS app.t ON a, b FROM app.items;";
        let file = SourceFile::new(FileId(0), "t.sql".into(), sql.to_string(), Language::Sql);
        let parsed = load_file(&file);
        assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
        let table = &parsed.value.tables[&QualifiedName::new("app", "items")];
        assert!(table.statistics.contains_key(&Ident::new("s")));
        assert!(table.statistics.contains_key(&Ident::new("t")));
        assert_eq!(
            parsed.value.session.search_path.as_ref().map(Vec::len),
            Some(2)
        );
    }
}
