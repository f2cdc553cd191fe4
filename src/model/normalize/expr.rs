//! Canonical forms of SQL expressions: sqlparser AST rewrites (VisitMut)
//! after which the user's spelling and PostgreSQL's catalog spelling of the
//! same expression print the same. The rewrites are listed in the module
//! doc of [`super`].
//!
//! [`parse`] and [`expr`] are pure functions of the text and are memoized
//! per thread (bounded to a few thousand entries), since large schemas
//! repeat the same expressions on many tables.

use super::bound::canonical_datetime;
use super::types::type_name;
use super::{memoized, ExprError};
use crate::model::{Ident, SqlExpr};
use sqlparser::ast::{
    visit_expressions, visit_expressions_mut, visit_relations_mut, Array, BinaryOperator, CastKind,
    DataType, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList,
    FunctionArguments, Ident as SqlIdent, ObjectName, ObjectNamePart, Query, UnaryOperator, Value,
};
use sqlparser::parser::ParserError;
use sqlparser::tokenizer::Token;
use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::ControlFlow;

thread_local! {
    /// [`parse`] results by text: a schema repeats the same expressions
    /// (`now()`, `0`, `true`, a tenant policy) on many tables, and the
    /// frontends, `resolve`, validation and lint each parse them again.
    static PARSED: RefCell<HashMap<String, Result<Expr, ExprError>>> =
        RefCell::new(HashMap::new());
    /// [`expr`] results by text.
    static CANONICAL: RefCell<HashMap<String, Result<SqlExpr, ExprError>>> =
        RefCell::new(HashMap::new());
}

/// Parses one expression; the whole text must be consumed.
pub fn parse(sql: &str) -> Result<Expr, ExprError> {
    memoized(&PARSED, sql, parse_uncached)
}

fn parse_uncached(sql: &str) -> Result<Expr, ExprError> {
    let mut parser = crate::sql_lex::parser(sql).map_err(|err| parser_error(sql, err))?;
    let ast = parser.parse_expr().map_err(|err| parser_error(sql, err))?;
    let next = parser.peek_token();
    if next.token != Token::EOF {
        let start = next.span.start;
        let (line, col) = if start.line == 0 {
            end_position(sql)
        } else {
            (start.line as usize, start.column as usize)
        };
        return Err(ExprError {
            message: format!("unexpected `{}` after the expression", next.token),
            line,
            col,
        });
    }
    Ok(ast)
}

/// Parses and canonicalises a query (a view's SELECT): every expression in
/// it is canonicalised as [`expr`] does, relation names are folded, and
/// keywords take sqlparser's spelling. Equal for `select a from T` and
/// `SELECT a FROM t`; the catalog's `pg_get_viewdef` form (columns
/// qualified with the relation name, aliases added) is not normalised.
pub fn query(sql: &str) -> Result<SqlExpr, ExprError> {
    let mut parser = crate::sql_lex::parser(sql).map_err(|err| parser_error(sql, err))?;
    let mut ast = parser.parse_query().map_err(|err| parser_error(sql, err))?;
    while parser.consume_token(&Token::SemiColon) {}
    let next = parser.peek_token();
    if next.token != Token::EOF {
        let start = next.span.start;
        return Err(ExprError {
            message: format!("unexpected `{}` after the query", next.token),
            line: (start.line as usize).max(1),
            col: (start.column as usize).max(1),
        });
    }
    canonicalize_query(&mut ast);
    Ok(SqlExpr {
        sql: sql.trim().trim_end_matches(';').trim_end().to_string(),
        canonical: ast.to_string(),
    })
}

/// Canonicalises one SQL statement (a rule's action: `INSERT`, `UPDATE`,
/// `DELETE`, `SELECT` or `NOTIFY`): every expression in it as [`expr`]
/// does, relation names folded, keywords in sqlparser's spelling. Text
/// sqlparser does not read as exactly one statement is compared on its
/// whitespace-collapsed form.
pub fn statement(sql: &str) -> SqlExpr {
    let trimmed = sql.trim().trim_end_matches(';').trim_end();
    let canonical = match crate::sql_lex::parse_statements(trimmed) {
        Ok(mut statements) if statements.len() == 1 => {
            let mut ast = statements.remove(0);
            canonicalize_statement(&mut ast);
            ast.to_string()
        }
        _ => trimmed.split_whitespace().collect::<Vec<_>>().join(" "),
    };
    SqlExpr {
        sql: trimmed.to_string(),
        canonical,
    }
}

fn canonicalize_statement(ast: &mut sqlparser::ast::Statement) {
    let _ = visit_expressions_mut(ast, |node| {
        let owned = std::mem::replace(node, null());
        *node = rewrite(owned);
        ControlFlow::<()>::Continue(())
    });
    let _ = visit_expressions_mut(ast, |node| {
        if is_operator(node) {
            let owned = std::mem::replace(node, null());
            *node = Expr::Nested(Box::new(owned));
        }
        ControlFlow::<()>::Continue(())
    });
    let _ = visit_relations_mut(ast, |relation| {
        let parts: Vec<SqlIdent> = function_name_parts(relation)
            .into_iter()
            .map(canonical_ident)
            .collect();
        if parts.len() == relation.0.len() {
            *relation = ObjectName::from(parts);
        }
        ControlFlow::<()>::Continue(())
    });
}

/// Canonicalises a query sqlparser has already parsed (the SQL frontend).
pub fn query_from_ast(ast: &Query) -> SqlExpr {
    let mut canonical = ast.clone();
    canonicalize_query(&mut canonical);
    SqlExpr {
        sql: ast.to_string(),
        canonical: canonical.to_string(),
    }
}

fn canonicalize_query(ast: &mut Query) {
    let _ = visit_expressions_mut(ast, |node| {
        let owned = std::mem::replace(node, null());
        *node = rewrite(owned);
        ControlFlow::<()>::Continue(())
    });
    let _ = visit_expressions_mut(ast, |node| {
        if is_operator(node) {
            let owned = std::mem::replace(node, null());
            *node = Expr::Nested(Box::new(owned));
        }
        ControlFlow::<()>::Continue(())
    });
    let _ = visit_relations_mut(ast, |relation| {
        let parts: Vec<SqlIdent> = function_name_parts(relation)
            .into_iter()
            .map(canonical_ident)
            .collect();
        if parts.len() == relation.0.len() {
            *relation = ObjectName::from(parts);
        }
        ControlFlow::<()>::Continue(())
    });
}

/// Parses and canonicalises an expression.
pub fn expr(sql: &str) -> Result<SqlExpr, ExprError> {
    memoized(&CANONICAL, sql, expr_uncached)
}

fn expr_uncached(sql: &str) -> Result<SqlExpr, ExprError> {
    let ast = parse(sql)?;
    Ok(SqlExpr {
        sql: sql.trim().to_string(),
        canonical: canonical_text(ast),
    })
}

/// Canonicalises an expression sqlparser has already parsed.
pub fn expr_from_ast(ast: &Expr) -> SqlExpr {
    SqlExpr {
        sql: ast.to_string(),
        canonical: canonical_text(ast.clone()),
    }
}

/// The canonical text of an AST.
pub fn canonical_text(mut ast: Expr) -> String {
    canonicalize(&mut ast);
    ast.to_string()
}

/// Rewrites `ast` in place into its canonical form.
pub fn canonicalize(ast: &mut Expr) {
    let _ = visit_expressions_mut(ast, |node| {
        let owned = std::mem::replace(node, null());
        *node = rewrite(owned);
        ControlFlow::<()>::Continue(())
    });
    let _ = visit_expressions_mut(ast, |node| {
        if is_operator(node) {
            let owned = std::mem::replace(node, null());
            *node = Expr::Nested(Box::new(owned));
        }
        ControlFlow::<()>::Continue(())
    });
    if let Expr::Nested(inner) = ast {
        let inner = std::mem::replace(inner.as_mut(), null());
        *ast = inner;
    }
}

/// Column names an expression refers to, in order of first appearance,
/// folded as PostgreSQL folds them. Function names are not columns; a
/// qualified reference (`t.col`) counts as its last part.
pub fn expr_columns(expr: &SqlExpr) -> Vec<Ident> {
    let Ok(ast) = parse(&expr.sql).or_else(|_| parse(&expr.canonical)) else {
        return Vec::new();
    };
    let mut res: Vec<Ident> = Vec::new();
    // `NORMALIZE(x, NFKC)`: sqlparser reads the form keyword as an
    // argument; it is never a column (the visit is pre-order, so the call
    // is seen before its arguments).
    let mut form_keywords: Vec<*const sqlparser::ast::Ident> = Vec::new();
    let _ = visit_expressions(&ast, |node| {
        if let Some(form) = normal_form_argument(node) {
            form_keywords.push(form);
        }
        let ident = match node {
            Expr::Identifier(ident) if !form_keywords.contains(&(ident as *const _)) => Some(ident),
            Expr::CompoundIdentifier(parts) => parts.last(),
            _ => None,
        };
        if let Some(ident) = ident {
            let name = fold(ident);
            if !res.contains(&name) {
                res.push(name);
            }
        }
        ControlFlow::<()>::Continue(())
    });
    res
}

/// The form keyword of `normalize(x, NFC|NFD|NFKC|NFKD)`, unquoted.
fn normal_form_argument(node: &Expr) -> Option<*const sqlparser::ast::Ident> {
    use sqlparser::ast::{FunctionArg, FunctionArgExpr, FunctionArguments};
    let Expr::Function(function) = node else {
        return None;
    };
    let is_normalize = function
        .name
        .0
        .last()
        .and_then(|part| part.as_ident())
        .is_some_and(|name| name.value.eq_ignore_ascii_case("normalize"));
    let FunctionArguments::List(list) = &function.args else {
        return None;
    };
    match list.args.as_slice() {
        [_, FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Identifier(form)))]
            if is_normalize
                && form.quote_style.is_none()
                && ["nfc", "nfd", "nfkc", "nfkd"]
                    .iter()
                    .any(|known| form.value.eq_ignore_ascii_case(known)) =>
        {
            Some(form as *const _)
        }
        _ => None,
    }
}

/// The name PostgreSQL gives an index column built from `expr`
/// (`FigureIndexColname`): a column's name, a function's name, `case`,
/// the type of a cast of something nameless, or `expr`.
pub fn index_key_name(expr: &SqlExpr) -> String {
    match parse(&expr.sql).or_else(|_| parse(&expr.canonical)) {
        Ok(ast) => figure_colname(&ast)
            .map(|(name, _)| name)
            .unwrap_or_else(|| "expr".to_string()),
        Err(_) => "expr".to_string(),
    }
}

/// `FigureColnameInternal`: a name and its strength (2 for columns and
/// functions, 1 for a cast's type name).
fn figure_colname(ast: &Expr) -> Option<(String, u8)> {
    match ast {
        Expr::Identifier(ident) => Some((fold(ident).0, 2)),
        Expr::CompoundIdentifier(parts) => parts.last().map(|ident| (fold(ident).0, 2)),
        Expr::Nested(inner) | Expr::Collate { expr: inner, .. } => figure_colname(inner),
        Expr::Function(function) => function_name_parts(&function.name)
            .last()
            .map(|ident| (fold(ident).0, 2)),
        Expr::Cast {
            expr, data_type, ..
        } => match figure_colname(expr) {
            Some((name, 2)) => Some((name, 2)),
            _ => Some((catalog_type_name(&data_type.to_string()), 1)),
        },
        Expr::TypedString(typed) => Some((catalog_type_name(&typed.data_type.to_string()), 1)),
        Expr::Interval(_) => Some(("interval".to_string(), 1)),
        Expr::Case { .. } => Some(("case".to_string(), 2)),
        Expr::Array(_) => Some(("array".to_string(), 2)),
        Expr::Tuple(_) => Some(("row".to_string(), 2)),
        Expr::Exists { .. } => Some(("exists".to_string(), 2)),
        Expr::Extract { .. } => Some(("extract".to_string(), 2)),
        Expr::Substring { .. } => Some(("substring".to_string(), 2)),
        Expr::Position { .. } => Some(("position".to_string(), 2)),
        Expr::Overlay { .. } => Some(("overlay".to_string(), 2)),
        Expr::Ceil { .. } => Some(("ceil".to_string(), 2)),
        Expr::Floor { .. } => Some(("floor".to_string(), 2)),
        Expr::Trim { .. } => Some(("btrim".to_string(), 2)),
        Expr::CompoundFieldAccess { root, .. } => figure_colname(root),
        _ => None,
    }
}

/// The name the parser gives a type written in a cast (`int` -> `int4`),
/// the last part of a user type's name.
fn catalog_type_name(written: &str) -> String {
    let formatted = type_name(written, "public").0;
    let base = formatted.trim_end_matches("[]");
    let base = match base.find('(') {
        Some(idx) => {
            let close = base[idx..]
                .find(')')
                .map_or(base.len(), |end| idx + end + 1);
            format!("{}{}", &base[..idx], &base[close..])
        }
        None => base.to_string(),
    };
    let name = match base.as_str() {
        "integer" => "int4",
        "smallint" => "int2",
        "bigint" => "int8",
        "real" => "float4",
        "double precision" => "float8",
        "boolean" => "bool",
        "character varying" => "varchar",
        "character" => "bpchar",
        "bit varying" => "varbit",
        "timestamp without time zone" => "timestamp",
        "timestamp with time zone" => "timestamptz",
        "time without time zone" => "time",
        "time with time zone" => "timetz",
        other if other.starts_with("interval") => "interval",
        other => {
            return other
                .rsplit('.')
                .next()
                .unwrap_or(other)
                .trim_matches('"')
                .to_string()
        }
    };
    name.to_string()
}

fn parser_error(sql: &str, err: ParserError) -> ExprError {
    let text = match err {
        ParserError::TokenizerError(text) | ParserError::ParserError(text) => text,
        ParserError::RecursionLimitExceeded => {
            let (line, col) = end_position(sql);
            return ExprError {
                message: "expression is nested too deeply".to_string(),
                line,
                col,
            };
        }
    };
    match split_location(&text) {
        Some((message, line, col)) if line > 0 => ExprError {
            message: message.to_string(),
            line,
            col: col.max(1),
        },
        Some((message, _, _)) => {
            let (line, col) = end_position(sql);
            ExprError {
                message: message.to_string(),
                line,
                col,
            }
        }
        None => {
            let (line, col) = end_position(sql);
            ExprError {
                message: text,
                line,
                col,
            }
        }
    }
}

/// Splits sqlparser's `"... at Line: 3, Column: 7"` suffix off.
fn split_location(text: &str) -> Option<(&str, usize, usize)> {
    let idx = text.rfind(" at Line: ")?;
    let rest = &text[idx + " at Line: ".len()..];
    let (line, col) = rest.split_once(", Column: ")?;
    Some((
        &text[..idx],
        line.trim().parse().ok()?,
        col.trim().parse().ok()?,
    ))
}

/// 1-based line and column just past the end of `sql`.
fn end_position(sql: &str) -> (usize, usize) {
    let line = sql.matches('\n').count() + 1;
    let last = sql.rsplit('\n').next().unwrap_or("");
    (line, last.chars().count() + 1)
}

fn null() -> Expr {
    Expr::Value(Value::Null.into())
}

/// Folds an identifier as PostgreSQL does (unquoted to lower case).
fn fold(ident: &SqlIdent) -> Ident {
    if ident.quote_style.is_some() {
        Ident::new(ident.value.clone())
    } else {
        Ident::folded(&ident.value)
    }
}

/// A column or relation identifier in canonical spelling: quoted only when
/// `quote_identifier` would quote it.
fn canonical_ident(ident: &SqlIdent) -> SqlIdent {
    let folded = fold(ident);
    let quote_style = folded.needs_quotes().then_some('"');
    SqlIdent {
        value: folded.0,
        quote_style,
        span: ident.span,
    }
}

/// A function name part: keywords need no quotes in call position.
fn canonical_function_ident(ident: &SqlIdent) -> SqlIdent {
    let folded = fold(ident);
    let simple = folded
        .0
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && folded
            .0
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    SqlIdent {
        value: folded.0,
        quote_style: (!simple).then_some('"'),
        span: ident.span,
    }
}

fn function_name_parts(name: &ObjectName) -> Vec<&SqlIdent> {
    name.0.iter().filter_map(ObjectNamePart::as_ident).collect()
}

fn string_literal(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Value(value) => match &value.value {
            Value::SingleQuotedString(text)
            | Value::EscapedStringLiteral(text)
            | Value::UnicodeStringLiteral(text) => Some(text),
            Value::DollarQuotedString(dollar) => Some(&dollar.value),
            _ => None,
        },
        _ => None,
    }
}

fn is_literal(expr: &Expr) -> bool {
    matches!(expr, Expr::Value(_))
}

fn looks_numeric(text: &str) -> bool {
    let body = text.strip_prefix('-').unwrap_or(text);
    !body.is_empty()
        && body.chars().all(|c| c.is_ascii_digit() || c == '.')
        && body.chars().filter(|c| *c == '.').count() <= 1
        && body.chars().any(|c| c.is_ascii_digit())
}

fn is_numeric_type(ty: &str) -> bool {
    let base = ty.split('(').next().unwrap_or(ty);
    matches!(
        base,
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" | "oid"
    )
}

fn number(text: String) -> Expr {
    Expr::Value(Value::Number(text, false).into())
}

fn string(text: String) -> Expr {
    Expr::Value(Value::SingleQuotedString(text).into())
}

fn binary(left: Expr, op: BinaryOperator, right: Expr) -> Expr {
    Expr::BinaryOp {
        left: Box::new(left),
        op,
        right: Box::new(right),
    }
}

fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(Function {
        name: ObjectName::from(vec![SqlIdent::new(name)]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args
                .into_iter()
                .map(|arg| FunctionArg::Unnamed(FunctionArgExpr::Expr(arg)))
                .collect(),
            clauses: Vec::new(),
        }),
        within_group: Vec::new(),
        filter: None,
        null_treatment: None,
        over: None,
    })
}

/// Nodes that get parentheses in the canonical form, so precedence never
/// depends on how the source was parenthesised.
fn is_operator(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::BinaryOp { .. }
            | Expr::UnaryOp { .. }
            | Expr::IsNull(_)
            | Expr::IsNotNull(_)
            | Expr::IsTrue(_)
            | Expr::IsNotTrue(_)
            | Expr::IsFalse(_)
            | Expr::IsNotFalse(_)
            | Expr::IsUnknown(_)
            | Expr::IsNotUnknown(_)
            | Expr::IsDistinctFrom(..)
            | Expr::IsNotDistinctFrom(..)
            | Expr::IsJson { .. }
            | Expr::IsNormalized { .. }
            | Expr::AnyOp { .. }
            | Expr::AllOp { .. }
            | Expr::AtTimeZone { .. }
            | Expr::Collate { .. }
            | Expr::InSubquery { .. }
            | Expr::InList { .. }
            | Expr::InUnnest { .. }
            | Expr::Between { .. }
            | Expr::Like { .. }
            | Expr::ILike { .. }
            | Expr::SimilarTo { .. }
    )
}

/// One post-order rewrite step: the node's children are canonical already.
fn rewrite(expr: Expr) -> Expr {
    match expr {
        Expr::Nested(inner) => *inner,
        Expr::Value(value) => match &value.value {
            Value::SingleQuotedString(text) => match canonical_datetime(text) {
                Some(datetime) => string(datetime),
                None => Expr::Value(value),
            },
            _ => Expr::Value(value),
        },
        Expr::Identifier(ident) => Expr::Identifier(canonical_ident(&ident)),
        // `EXTRACT("epoch" FROM x)` (pg_dump --quote-all-identifiers) is
        // `EXTRACT(EPOCH FROM x)`: the field is a name, folded like one.
        Expr::Extract {
            field: sqlparser::ast::DateTimeField::Custom(field),
            syntax,
            expr,
        } => {
            let name = canonical_ident(&field).value.to_uppercase();
            let field = crate::sql_lex::parser(&name)
                .and_then(|mut p| p.parse_date_time_field())
                .unwrap_or(sqlparser::ast::DateTimeField::Custom(field));
            Expr::Extract {
                field,
                syntax,
                expr,
            }
        }
        Expr::CompoundIdentifier(parts) => {
            Expr::CompoundIdentifier(parts.iter().map(canonical_ident).collect())
        }
        Expr::UnaryOp { op, expr } => unary(op, *expr),
        Expr::Cast {
            expr, data_type, ..
        } => cast(*expr, &data_type),
        Expr::TypedString(typed) => rewrite(Expr::Value(typed.value)),
        Expr::Interval(interval)
            if interval.leading_field.is_none()
                && interval.last_field.is_none()
                && interval.leading_precision.is_none()
                && interval.fractional_seconds_precision.is_none() =>
        {
            *interval.value
        }
        Expr::InList {
            expr,
            list,
            negated,
        } => in_list(*expr, list, negated),
        Expr::Between {
            expr,
            negated,
            low,
            high,
        } => between(*expr, negated, *low, *high),
        Expr::Like {
            negated,
            any: false,
            expr,
            pattern,
            escape_char,
        } => {
            let op = if negated {
                BinaryOperator::PGNotLikeMatch
            } else {
                BinaryOperator::PGLikeMatch
            };
            like(*expr, op, *pattern, escape_char.map(|escape| *escape))
        }
        Expr::ILike {
            negated,
            any: false,
            expr,
            pattern,
            escape_char,
        } => {
            let op = if negated {
                BinaryOperator::PGNotILikeMatch
            } else {
                BinaryOperator::PGILikeMatch
            };
            like(*expr, op, *pattern, escape_char.map(|escape| *escape))
        }
        Expr::SimilarTo {
            negated,
            expr,
            pattern,
            escape_char,
        } => {
            let op = if negated {
                BinaryOperator::PGRegexNotMatch
            } else {
                BinaryOperator::PGRegexMatch
            };
            let mut args = vec![*pattern];
            args.extend(escape_char.map(|escape| *escape));
            binary(*expr, op, call("similar_to_escape", args))
        }
        Expr::BinaryOp { left, op, right } => binary_op(*left, op, *right),
        Expr::Function(function) => function_call(function),
        Expr::Substring {
            expr,
            substring_from,
            substring_for,
            special: true,
            shorthand,
        } => {
            let mut args = vec![*expr];
            args.extend(substring_from.map(|from| *from));
            args.extend(substring_for.map(|len| *len));
            call(if shorthand { "substr" } else { "substring" }, args)
        }
        Expr::Collate { expr, collation } => Expr::Collate {
            expr,
            collation: ObjectName::from(
                function_name_parts(&collation)
                    .into_iter()
                    .map(canonical_ident)
                    .collect::<Vec<_>>(),
            ),
        },
        other => other,
    }
}

fn unary(op: UnaryOperator, operand: Expr) -> Expr {
    if let Expr::Value(value) = &operand {
        if let Value::Number(text, _) = &value.value {
            match op {
                UnaryOperator::Minus if !text.starts_with('-') => {
                    return number(format!("-{text}"));
                }
                UnaryOperator::Plus => return operand,
                _ => {}
            }
        }
    }
    Expr::UnaryOp {
        op,
        expr: Box::new(operand),
    }
}

/// Casts of literals are dropped (the catalog adds them, users rarely
/// write them); a string literal cast to a numeric type becomes a number
/// (`'-1'::integer` is how the catalog prints `-1`); a column cast to
/// `text` is dropped (the catalog adds it to varchar columns compared with
/// text). Other casts keep their type, in `format_type` spelling.
fn cast(operand: Expr, data_type: &DataType) -> Expr {
    let ty = type_name(&data_type.to_string(), "public");
    if let Some(text) = string_literal(&operand) {
        if is_numeric_type(ty.as_str()) && looks_numeric(text) {
            return number(text.to_string());
        }
        return operand;
    }
    if is_literal(&operand) {
        return operand;
    }
    // `(ARRAY['a'::character varying])::text[]`: the catalog's cast of a
    // literal array goes the way of casts of literals.
    if let Expr::Array(array) = &operand {
        if !array.elem.is_empty() && array.elem.iter().all(is_literal) {
            return operand;
        }
    }
    if ty.as_str() == "text" && matches!(operand, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
    {
        return operand;
    }
    Expr::Cast {
        kind: CastKind::DoubleColon,
        expr: Box::new(operand),
        data_type: DataType::Custom(ObjectName::from(vec![SqlIdent::new(ty.0)]), Vec::new()),
        format: None,
    }
}

fn contains_column(expr: &Expr) -> bool {
    visit_expressions(expr, |node| {
        if matches!(node, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .is_break()
}

/// `transformAExprIn`: constant elements become `= ANY (ARRAY[...])` (when
/// there are at least two), the others `=` comparisons joined with OR;
/// NOT IN uses `<> ALL` and AND. One element is a plain comparison.
fn in_list(expr: Expr, list: Vec<Expr>, negated: bool) -> Expr {
    let (compare, join) = if negated {
        (BinaryOperator::NotEq, BinaryOperator::And)
    } else {
        (BinaryOperator::Eq, BinaryOperator::Or)
    };
    let (vars, constants): (Vec<Expr>, Vec<Expr>) = list.into_iter().partition(contains_column);
    let mut res = None;
    let rest = if constants.len() > 1 {
        let right = Box::new(Expr::Array(Array {
            elem: constants,
            named: true,
        }));
        res = Some(if negated {
            Expr::AllOp {
                left: Box::new(expr.clone()),
                compare_op: compare.clone(),
                right,
            }
        } else {
            Expr::AnyOp {
                left: Box::new(expr.clone()),
                compare_op: compare.clone(),
                right,
                is_some: false,
            }
        });
        vars
    } else {
        let mut all = constants;
        all.extend(vars);
        all
    };
    for element in rest {
        let comparison = binary(expr.clone(), compare.clone(), element);
        res = Some(match res {
            None => comparison,
            Some(left) => binary(left, join.clone(), comparison),
        });
    }
    res.unwrap_or_else(|| Expr::InList {
        expr: Box::new(expr),
        list: Vec::new(),
        negated,
    })
}

fn between(expr: Expr, negated: bool, low: Expr, high: Expr) -> Expr {
    if negated {
        binary(
            binary(expr.clone(), BinaryOperator::Lt, low),
            BinaryOperator::Or,
            binary(expr, BinaryOperator::Gt, high),
        )
    } else {
        binary(
            binary(expr.clone(), BinaryOperator::GtEq, low),
            BinaryOperator::And,
            binary(expr, BinaryOperator::LtEq, high),
        )
    }
}

fn like(expr: Expr, op: BinaryOperator, pattern: Expr, escape: Option<Expr>) -> Expr {
    let pattern = match escape {
        Some(escape) => call("like_escape", vec![pattern, escape]),
        None => pattern,
    };
    binary(expr, op, pattern)
}

fn binary_op(left: Expr, op: BinaryOperator, right: Expr) -> Expr {
    let op = match op {
        // Operators of extensions installed in `public` (citext's `~`) come
        // back qualified, as functions do: `OPERATOR(public.~)`.
        BinaryOperator::PGCustomBinaryOperator(parts)
            if parts.len() == 2 && matches!(parts[0].as_str(), "pg_catalog" | "public") =>
        {
            BinaryOperator::Custom(parts[1].clone())
        }
        other => other,
    };
    // `ROW(a, b) = ROW(1, 2)` is `a = 1 AND b = 2`; `<>` is an OR of `<>`.
    if let (Expr::Tuple(lefts), Expr::Tuple(rights)) = (&left, &right) {
        let join = match op {
            BinaryOperator::Eq => Some(BinaryOperator::And),
            BinaryOperator::NotEq => Some(BinaryOperator::Or),
            _ => None,
        };
        if let Some(join) = join.filter(|_| lefts.len() == rights.len() && !lefts.is_empty()) {
            let mut pairs = lefts.iter().zip(rights.iter());
            let mut res = pairs
                .next()
                .map(|(l, r)| binary(l.clone(), op.clone(), r.clone()));
            for (l, r) in pairs {
                let comparison = binary(l.clone(), op.clone(), r.clone());
                res = res.map(|left| binary(left, join.clone(), comparison));
            }
            if let Some(res) = res {
                return res;
            }
        }
    }
    binary(left, op, right)
}

fn function_call(mut function: Function) -> Expr {
    let mut parts: Vec<SqlIdent> = function_name_parts(&function.name)
        .into_iter()
        .map(canonical_function_ident)
        .collect();
    if parts.len() == 2 && matches!(parts[0].value.as_str(), "pg_catalog" | "public") {
        parts.remove(0);
    }
    let name = parts
        .last()
        .map(|part| part.value.clone())
        .unwrap_or_default();
    if let FunctionArguments::List(list) = &mut function.args {
        if parts.len() == 1 && name == "row" && list.clauses.is_empty() {
            let items: Option<Vec<Expr>> = list
                .args
                .iter()
                .map(|arg| match arg {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) => Some(expr.clone()),
                    _ => None,
                })
                .collect();
            if let Some(items) = items {
                return Expr::Tuple(items);
            }
        }
        if parts.len() == 1 && matches!(name.as_str(), "nextval" | "currval" | "setval") {
            if let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(first))) = list.args.first_mut()
            {
                if let Some(text) = string_literal(first) {
                    *first = string(qualify_regclass(text));
                }
            }
        }
    }
    function.name = ObjectName::from(parts);
    Expr::Function(function)
}

/// `'seq'` as a regclass literal: unquoted names folded, and qualified with
/// `public` (the schema an unqualified name resolves to with the default
/// search_path; the catalog prints it qualified).
fn qualify_regclass(text: &str) -> String {
    let folded = if text.contains('"') {
        text.to_string()
    } else {
        text.to_lowercase()
    };
    if folded.contains('.') {
        folded
    } else {
        format!("public.{folded}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `input` canonicalises to `expect`, and canonical forms are fixed points.
    fn check(input: &str, expect: &str) {
        let got = expr(input).map(|e| e.canonical);
        assert_eq!(got.as_deref(), Ok(expect), "canonical form of {input:?}");
        let again = expr(expect).map(|e| e.canonical);
        assert_eq!(again.as_deref(), Ok(expect), "idempotence of {expect:?}");
    }

    /// The user's spelling and the catalog's compare equal.
    fn same(user: &str, catalog: &str) {
        let user_form = expr(user).map(|e| e.canonical);
        let catalog_form = expr(catalog).map(|e| e.canonical);
        assert_eq!(user_form, catalog_form, "{user:?} vs {catalog:?}");
        assert!(user_form.is_ok());
    }

    fn differ(a: &str, b: &str) {
        assert_ne!(expr(a).map(|e| e.canonical), expr(b).map(|e| e.canonical));
    }

    #[test]
    fn literals_and_casts() {
        check("'a'::text", "'a'");
        check("CAST('a' AS varchar(3))", "'a'");
        check("(0)::numeric", "0");
        check("'-1'::integer", "-1");
        check("-1", "-1");
        check("'{}'::text[]", "'{}'");
        check("interval '1 day'", "'1 day'");
        check("date '2025-01-01'", "'2025-01-01 00:00:00+00'");
        check("'2020-01-01T02:00+02'", "'2020-01-01 00:00:00+00'");
        check("'2020-1-1'", "'2020-1-1'");
        check("to_char(x, 'YYYY-MM-DD')", "to_char(x, 'YYYY-MM-DD')");
        check(
            "(ARRAY['a'::character varying, 'b'::character varying])::text[]",
            "ARRAY['a', 'b']",
        );
        check("ARRAY[]::integer[]", "ARRAY[]::integer[]");
        check("NULL::integer", "NULL");
        check("x::INT", "x::integer");
        check("CAST(x AS timestamptz)", "x::timestamp with time zone");
        check("(status)::text", "status");
        check("x::order_status", "x::public.order_status");
        check("now()", "now()");
        check("CURRENT_TIMESTAMP", "current_timestamp");
    }

    #[test]
    fn catalog_forms() {
        same(
            "status IN ('a', 'b')",
            "(status = ANY (ARRAY['a'::text, 'b'::text]))",
        );
        same(
            "status NOT IN ('a','b')",
            "(status <> ALL (ARRAY['a'::text, 'b'::text]))",
        );
        same("c IN ('x')", "(c = 'x'::text)");
        same("c NOT IN ('x')", "(c <> 'x'::text)");
        same("a IN (b, 1, 2)", "((a = ANY (ARRAY[1, 2])) OR (a = b))");
        same(
            "price BETWEEN 0 AND 100",
            "((price >= (0)::numeric) AND (price <= (100)::numeric))",
        );
        same("a NOT BETWEEN 1 AND 5", "((a < 1) OR (a > 5))");
        same("name LIKE 'a%'", "(name ~~ 'a%'::text)");
        same("name ILIKE 'a%'", "(name ~~* 'a%'::text)");
        same("name NOT LIKE 'a%'", "(name !~~ 'a%'::text)");
        same(
            "c LIKE 'a%' ESCAPE '!'",
            "(c ~~ like_escape('a%'::text, '!'::text))",
        );
        same(
            "name SIMILAR TO '[a-z]+'",
            "(name ~ similar_to_escape('[a-z]+'::text))",
        );
        same("pg_catalog.lower(name)", "lower(name)");
        same("a OPERATOR(pg_catalog.+) b", "(a + b)");
        same(
            "value ~ '^a+$'",
            "(VALUE OPERATOR(public.~) '^a+$'::public.citext)",
        );
        same("ROW(a, b) = ROW(1, 2)", "((a = 1) AND (b = 2))");
        same("amount > 0", "(amount > (0)::numeric)");
        same("a > -1", "(a > '-1'::integer)");
        same(
            "tenant_id = current_setting('app.tenant')::uuid",
            "(tenant_id = (current_setting('app.tenant'::text))::uuid)",
        );
        same(
            "nextval('invoice_seq')",
            "nextval('public.invoice_seq'::regclass)",
        );
        same(
            "current_date + interval '30 days'",
            "(CURRENT_DATE + '30 days'::interval)",
        );
        same(
            "(lower(name) || '-') || a::text",
            "((lower(name) || '-'::text) || (a)::text)",
        );
        same("status IN ('a', 'b')", "(status = ANY (ARRAY[('a'::character varying)::text, ('b'::character varying)::text]))");
        same(
            "vc IN ('a', 'b')",
            "((vc)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))",
        );
        same(
            "created_at > '2020-01-01'",
            "(created_at > '2020-01-01 00:00:00+00'::timestamp with time zone)",
        );
        same("d >= '2020-01-01'::date", "(d >= '2020-01-01'::date)");
        same("current_user = 'x'", "(CURRENT_USER = 'x'::name)");
        same(
            "EXTRACT(year FROM created_at) >= 2000",
            "(EXTRACT(year FROM created_at) >= (2000)::numeric)",
        );
        same("my_func(x)", "public.my_func(x)");
        same("x <> 1", "x != 1");
        same("CAST(x AS bigint)", "x::int8");
        same("substring(x, 1, 3)", "\"substring\"(x, 1, 3)");
        same("NOT (a = b)", "(NOT (a = b))");
        same("x IS NOT NULL AND y > 0", "((x IS NOT NULL) AND (y > 0))");
    }

    /// Pairs measured on PostgreSQL 15 (`pg_get_expr` of defaults, index
    /// predicates and policies, `search_path = ''`).
    #[test]
    fn defaults_and_predicates_match_the_catalog() {
        for (user, catalog) in [
            ("'happy'", "'happy'::public.mood"),
            ("'{}'", "'{}'::text[]"),
            ("array[]::int[]", "ARRAY[]::integer[]"),
            ("'EUR'", "'EUR'::bpchar"),
            ("'abc'", "'abc'::character varying"),
            ("current_date + 30", "(CURRENT_DATE + 30)"),
            ("localtimestamp(3)", "LOCALTIMESTAMP(3)"),
            ("'2020-01-01'", "'2020-01-01 00:00:00+00'::timestamp with time zone"),
            ("'{}'::jsonb", "'{}'::jsonb"),
            (
                "a01 in ('x','y') and a05 > '2020-01-01'",
                "((a01 = ANY (ARRAY['x'::text, 'y'::text])) AND (a05 > '2020-01-01 00:00:00+00'::timestamp with time zone))",
            ),
            (
                "(qty + 1) * 2 > 3",
                "(((qty + 1) * 2) > 3)",
            ),
            (
                "CASE WHEN qty > 0 THEN true ELSE false END",
                "CASE     WHEN (qty > 0) THEN true     ELSE false END",
            ),
            ("flag IS TRUE", "(flag IS TRUE)"),
            ("meta ->> 'kind' = 'a'", "((meta ->> 'kind'::text) = 'a'::text)"),
            ("tags @> ARRAY['x']", "(tags @> ARRAY['x'::text])"),
        ] {
            same(user, catalog);
        }
    }

    #[test]
    fn identifiers_fold() {
        check("Foo + 1", "foo + 1");
        check("\"Foo\" + 1", "\"Foo\" + 1");
        check("\"foo\" + 1", "foo + 1");
        check("\"user\" = 1", "\"user\" = 1");
        check("T.Col", "t.col");
        check("LOWER(Name)", "lower(name)");
        check("\"Lower\"(x)", "\"Lower\"(x)");
        same("'abc' = 'abc'", "'abc' = 'abc'");
        differ("'ABC'", "'abc'");
    }

    #[test]
    fn parentheses_follow_structure() {
        check("(a + b) * c", "(a + b) * c");
        check("a + (b * c)", "a + (b * c)");
        check("a + b * c", "a + (b * c)");
        check("((a))", "a");
        differ("(a + b) * c", "a + (b * c)");
        check("a OR b OR c", "(a OR b) OR c");
        check("-x", "-x");
        check("(x + 1)::text", "(x + 1)::text");
    }

    #[test]
    fn things_kept_distinct() {
        differ("CURRENT_TIMESTAMP", "now()");
        differ("x > 0", "x >= 0");
        differ("x IN (1, 2)", "x IN (1, 3)");
        differ("0.00", "0");
        differ("gen_random_uuid()", "uuid_generate_v4()");
        differ("app.f(x)", "f(x)");
        differ("x::date", "x::timestamp");
    }

    #[test]
    fn errors_carry_positions() {
        let err = expr("a +").unwrap_err();
        assert_eq!((err.line, err.col), (1, 4), "{err:?}");
        let err = expr("a b").unwrap_err();
        assert_eq!((err.line, err.col), (1, 3), "{err:?}");
        assert!(err.message.contains('b'), "{err:?}");
        let err = expr("a = 1 AND\n  b = ").unwrap_err();
        assert_eq!(err.line, 2, "{err:?}");
        let err = expr("'unterminated").unwrap_err();
        assert_eq!(err.line, 1, "{err:?}");
        assert!(expr("").is_err());
        // PostgreSQL reads 60 nested parentheses; only nesting past
        // `sql_lex::MAX_NESTING` is refused, with an error instead of a
        // stack overflow.
        assert!(expr(&format!("{}1{}", "(".repeat(60), ")".repeat(60))).is_ok());
        let depth = crate::sql_lex::MAX_NESTING + 10;
        assert!(expr(&format!("{}1{}", "(".repeat(depth), ")".repeat(depth))).is_err());
    }

    #[test]
    fn sql_is_kept_as_written() {
        let e = expr("  x IN (1, 2)\n").expect("parses");
        assert_eq!(e.sql, "x IN (1, 2)");
        let ast = parse("x IN (1,2)").expect("parses");
        let from_ast = expr_from_ast(&ast);
        assert_eq!(from_ast.sql, "x IN (1, 2)");
        assert_eq!(from_ast.canonical, "x = ANY(ARRAY[1, 2])");
    }

    #[test]
    fn queries() {
        let canonical = |sql: &str| query(sql).map(|q| q.canonical);
        assert_eq!(
            canonical("select id, Status from App.Orders where status <> 'shipped'"),
            canonical("SELECT id, status FROM app.orders WHERE status <> 'shipped'::text;")
        );
        assert_eq!(
            canonical("select a from t where x in (1, 2)").as_deref(),
            Ok("SELECT a FROM t WHERE (x = ANY(ARRAY[1, 2]))")
        );
        assert_ne!(canonical("select a from t"), canonical("select b from t"));
        let err = query("select (1").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(query("select 1; select 2").is_err());
        let ast = crate::sql_lex::parser("select A from T")
            .and_then(|mut parser| parser.parse_query())
            .expect("parses");
        assert_eq!(query_from_ast(&ast).canonical, "SELECT a FROM t");
    }

    #[test]
    fn columns() {
        let cols = |sql: &str| -> Vec<String> {
            let e = expr(sql).expect("parses");
            expr_columns(&e).into_iter().map(|ident| ident.0).collect()
        };
        assert_eq!(cols("a > b AND lower(C) = 'x' AND a > 1"), ["a", "b", "c"]);
        assert_eq!(cols("now() > t.created_at"), ["created_at"]);
        assert_eq!(cols("\"Total\" >= 0"), ["Total"]);
        assert!(cols("1 = 1").is_empty());
        assert!(cols("current_timestamp > '2020-01-01'").is_empty());
    }

    #[test]
    fn special_form_keywords_are_not_columns() {
        let cols = |sql: &str| -> Vec<String> {
            let e = expr(sql).unwrap_or_else(|err| panic!("{sql}: {err:?}"));
            expr_columns(&e).into_iter().map(|ident| ident.0).collect()
        };
        assert_eq!(
            cols("lower(NORMALIZE(display_name, NFKC))"),
            ["display_name"]
        );
        assert_eq!(cols("normalize(a, nfd) = normalize(b)"), ["a", "b"]);
        assert_eq!(
            cols("normalize(a, \"NFC\")"),
            ["a", "NFC"],
            "quoted: a column"
        );
        assert_eq!(cols("a IS NFC NORMALIZED"), ["a"]);
        assert_eq!(cols("EXTRACT(epoch FROM x)"), ["x"]);
        assert_eq!(
            expr("EXTRACT(\"epoch\" FROM \"x\")").map(|e| e.canonical),
            expr("extract(EPOCH from x)").map(|e| e.canonical)
        );
        assert_eq!(cols("overlay(s placing 'x' from 1 for 2)"), ["s"]);
        assert_eq!(cols("position('a' in b)"), ["b"]);
        assert_eq!(cols("trim(both ' ' from x)"), ["x"]);
        assert_eq!(cols("substring(x from 1 for 2)"), ["x"]);
        assert!(cols("CURRENT_DATE > '2020-01-01'").is_empty());
        assert_eq!(cols("x AT TIME ZONE 'UTC'"), ["x"]);
    }

    #[test]
    fn index_key_names() {
        let name = |sql: &str| index_key_name(&expr(sql).expect("parses"));
        assert_eq!(name("lower(n)"), "lower");
        assert_eq!(name("x::text"), "x");
        assert_eq!(name("CASE WHEN x > 0 THEN 1 END"), "case");
        assert_eq!(name("coalesce(x, 0)"), "coalesce");
        assert_eq!(name("n || 'a'"), "expr");
        assert_eq!(name("public.t.x"), "x");
        assert_eq!(
            name("date_trunc('day', d AT TIME ZONE 'UTC')"),
            "date_trunc"
        );
        assert_eq!(name("(1)::int"), "int4");
        assert_eq!(name("meta ->> 'kind'"), "expr");
    }
}
