//! Extended statistics (`CREATE STATISTICS`), kept on their table.
//!
//! Invariants: a statistics object lives in its table's schema (as
//! `pg_dump` and schemac print it); `kinds` lists what PostgreSQL builds,
//! so an omitted kind list (every kind) and the explicit list of all three
//! compare equal; `target` is `None` for the default (`-1`).

use super::{normalize, Ident, IndexExpr, Meta, QualifiedName};
use sqlparser::ast::{Expr, ObjectName};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statistics {
    pub name: Ident,
    pub kinds: StatisticsKinds,
    /// Columns and expressions, in declaration order.
    pub keys: Vec<IndexExpr>,
    /// `ALTER STATISTICS ... SET STATISTICS n`; `None` is the default.
    pub target: Option<i32>,
    pub meta: Meta,
}

/// The kinds of statistics built (`ndistinct`, `dependencies`, `mcv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatisticsKinds {
    pub ndistinct: bool,
    pub dependencies: bool,
    pub mcv: bool,
}

impl StatisticsKinds {
    pub const ALL: StatisticsKinds = StatisticsKinds {
        ndistinct: true,
        dependencies: true,
        mcv: true,
    };

    /// `ndistinct, mcv`: the SQL list, in PostgreSQL's order.
    pub fn names(self) -> Vec<&'static str> {
        [
            (self.ndistinct, "ndistinct"),
            (self.dependencies, "dependencies"),
            (self.mcv, "mcv"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }
}

/// A `CREATE STATISTICS` statement read: the object's schema-qualified
/// name, the table it is on, and the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatisticsDef {
    pub name: QualifiedName,
    pub table: QualifiedName,
    pub statistics: Statistics,
}

/// Reads `CREATE STATISTICS [IF NOT EXISTS] name [(kinds)] ON key, ... FROM
/// table`, as written or as `pg_get_statisticsobjdef` prints it.
pub fn parse_statistics(text: &str) -> Result<StatisticsDef, String> {
    let mut p = crate::sql_lex::parser(text).map_err(|error| error.to_string())?;
    let (name, kinds, keys, table) = read_statement(&mut p).map_err(|error| error.to_string())?;
    let table = qualified(
        &table
            .0
            .iter()
            .filter_map(|part| part.as_ident().map(ident))
            .collect::<Vec<_>>(),
    );
    let name_parts: Vec<Ident> = name
        .0
        .iter()
        .filter_map(|part| part.as_ident().map(ident))
        .collect();
    let name = match name_parts.as_slice() {
        [only] => table.with_name(only.clone()),
        _ => qualified(&name_parts),
    };
    let keys = keys.iter().map(key).collect();
    Ok(StatisticsDef {
        statistics: Statistics {
            name: name.name.clone(),
            kinds,
            keys,
            target: None,
            meta: Meta::default(),
        },
        name,
        table,
    })
}

/// The parts of the statement, in order.
type StatementParts = (ObjectName, StatisticsKinds, Vec<Expr>, ObjectName);

fn read_statement(p: &mut Parser<'_>) -> Result<StatementParts, ParserError> {
    p.expect_keywords(&[Keyword::CREATE, Keyword::STATISTICS])?;
    let _ = p.parse_keywords(&[Keyword::IF, Keyword::NOT, Keyword::EXISTS]);
    let name = p.parse_object_name(false)?;
    let mut kinds = StatisticsKinds::ALL;
    if p.consume_token(&Token::LParen) {
        kinds = StatisticsKinds {
            ndistinct: false,
            dependencies: false,
            mcv: false,
        };
        loop {
            let kind = p.parse_identifier()?;
            match kind.value.to_lowercase().as_str() {
                "ndistinct" => kinds.ndistinct = true,
                "dependencies" => kinds.dependencies = true,
                "mcv" => kinds.mcv = true,
                _ => return p.expected("ndistinct, dependencies or mcv", p.peek_token()),
            }
            if !p.consume_token(&Token::Comma) {
                break;
            }
        }
        p.expect_token(&Token::RParen)?;
    }
    p.expect_keyword(Keyword::ON)?;
    let keys = p.parse_comma_separated(|p| p.parse_expr())?;
    p.expect_keyword(Keyword::FROM)?;
    let table = p.parse_object_name(false)?;
    let _ = p.consume_token(&Token::SemiColon);
    if p.peek_token().token != Token::EOF {
        return p.expected("end of statement", p.peek_token());
    }
    Ok((name, kinds, keys, table))
}

/// `CREATE STATISTICS schema.name [(kinds)] ON a, (expr) FROM table`; the
/// kind list only when not every kind is built.
pub fn create_statistics(table: &QualifiedName, statistics: &Statistics) -> String {
    let name = table.with_name(statistics.name.clone());
    let kinds = if statistics.kinds == StatisticsKinds::ALL {
        String::new()
    } else {
        format!(" ({})", statistics.kinds.names().join(", "))
    };
    let keys: Vec<String> = statistics
        .keys
        .iter()
        .map(|key| match key {
            IndexExpr::Column(column) => column.to_string(),
            IndexExpr::Expr(expr) => format!("({expr})"),
        })
        .collect();
    format!(
        "CREATE STATISTICS {name}{kinds} ON {} FROM {table}",
        keys.join(", ")
    )
}

/// `ALTER STATISTICS schema.name SET STATISTICS n` (`-1`: the default).
pub fn alter_statistics_target(table: &QualifiedName, statistics: &Statistics) -> String {
    format!(
        "ALTER STATISTICS {} SET STATISTICS {}",
        table.with_name(statistics.name.clone()),
        statistics.target.unwrap_or(-1)
    )
}

fn ident(id: &sqlparser::ast::Ident) -> Ident {
    if id.quote_style.is_some() {
        Ident::new(id.value.clone())
    } else {
        Ident::folded(&id.value)
    }
}

fn qualified(parts: &[Ident]) -> QualifiedName {
    match parts {
        [.., schema, name] => QualifiedName {
            schema: schema.clone(),
            name: name.clone(),
        },
        [name] => QualifiedName {
            schema: Ident::new("public"),
            name: name.clone(),
        },
        [] => QualifiedName::default(),
    }
}

/// A column, or an expression (its parentheses taken off).
fn key(expr: &Expr) -> IndexExpr {
    let mut inner = expr;
    while let Expr::Nested(nested) = inner {
        inner = nested;
    }
    match inner {
        Expr::Identifier(id) => IndexExpr::Column(ident(id)),
        other => IndexExpr::Expr(normalize::expr_from_ast(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_and_catalog_forms_read_alike() {
        let written = parse_statistics(
            "CREATE STATISTICS IF NOT EXISTS s1 ON a, \"B\", (lower(c)) FROM app.t",
        )
        .expect("parses");
        assert_eq!(written.name, QualifiedName::new("app", "s1"));
        assert_eq!(written.table, QualifiedName::new("app", "t"));
        assert_eq!(written.statistics.kinds, StatisticsKinds::ALL);
        let catalog = parse_statistics(
            "CREATE STATISTICS app.s1 (ndistinct, dependencies, mcv) ON a, \"B\", (lower(c)) FROM app.t",
        )
        .expect("parses");
        assert_eq!(written, catalog);
        let some = parse_statistics("CREATE STATISTICS s2 (mcv, ndistinct) ON a, b FROM t")
            .expect("parses");
        assert_eq!(some.statistics.kinds.names(), ["ndistinct", "mcv"]);
        assert!(parse_statistics("CREATE STATISTICS s3 (bogus) ON a, b FROM t").is_err());
        assert!(parse_statistics("CREATE STATISTICS s3 ON a, b FROM t extra").is_err());
    }
}
