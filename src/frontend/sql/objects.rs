//! sqlparser statements -> Model for the objects around tables: functions
//! and procedures, views and materialized views, triggers, policies, and
//! the Citus distribution calls (`SELECT create_distributed_table(...)`).
//!
//! Forms sqlparser 0.63 cannot read are blanked out in place (same byte
//! length, so error locations stay right) and recorded: `COST n` / `ROWS n`
//! of functions, `CREATE PROCEDURE` (read as a function), a view's `WITH
//! [CASCADED|LOCAL] CHECK OPTION`, a materialized view's `WITH [NO] DATA`,
//! and a trigger's `EXECUTE FUNCTION f('literal', ...)` (read here).
//!
//! Invariant: a function is identified by its IN, INOUT and VARIADIC
//! argument types; bodies are kept verbatim; policy roles are sorted with
//! PUBLIC as the empty list; trigger events are in PostgreSQL's order.

use super::forms;
use super::{blank, ident, parser, tokens, Ctx, Stmt};
use crate::model::{
    normalize, ArgMode, Function, FunctionArg, FunctionId, Ident, Parallel, QualifiedName, View,
    Volatility,
};
use sqlparser::ast::{
    CreateFunctionBody, DataType, Expr, FunctionBehavior, FunctionCalledOnNull, FunctionParallel,
    FunctionReturnType, FunctionSecurity, FunctionSetValue, Statement, Value,
};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;
use std::ops::ControlFlow;

/// Parses `text` as one statement (errors reported against `stmt`).
pub(crate) fn parse_one(ctx: &mut Ctx<'_>, stmt: &Stmt<'_>, text: &str) -> Option<Statement> {
    let parsed = ctx.parser(stmt, text).and_then(|mut p| {
        let statement = p.parse_statement()?;
        forms::expect_end(&mut p)?;
        Ok(statement)
    });
    match parsed {
        Ok(statement) => Some(statement),
        Err(error) => {
            ctx.syntax_error(stmt, &error);
            None
        }
    }
}

pub(crate) fn is_word(token: &Token, keyword: Keyword) -> bool {
    matches!(token, Token::Word(word) if word.keyword == keyword)
}

/// `CREATE [OR REPLACE] FUNCTION|PROCEDURE ...`.
pub(crate) fn create_function(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let mut text = stmt.text.to_string();
    let mut procedure = false;
    let mut standard_body = None;
    // `COST n` / `ROWS n`, which sqlparser cannot read: kept from here.
    let mut cost = None;
    let mut rows = None;
    if let Some(toks) = tokens(stmt.text) {
        let mut depth = 0usize;
        for (idx, (token, offset)) in toks.iter().enumerate() {
            match token {
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                _ if depth > 0 => {}
                // A SQL-standard body ends the statement; it is kept as
                // written and not read by sqlparser (which cannot read
                // `BEGIN ATOMIC` nor every expression PostgreSQL prints).
                token
                    if is_word(token, Keyword::RETURN)
                        || (is_word(token, Keyword::BEGIN)
                            && toks
                                .get(idx + 1)
                                .is_some_and(|(next, _)| is_word(next, Keyword::ATOMIC))) =>
                {
                    standard_body = Some(stmt.text[*offset..].trim_end().to_string());
                    text = blank(&text, *offset..text.len());
                    break;
                }
                token if is_word(token, Keyword::PROCEDURE) && !procedure => {
                    procedure = true;
                    text.replace_range(*offset..offset + "PROCEDURE".len(), "FUNCTION ");
                }
                // `SET TIME ZONE value` is PostgreSQL's spelling of `SET
                // timezone = value`, which sqlparser reads; rewritten in
                // place (same length, so positions stay right).
                token
                    if is_word(token, Keyword::SET)
                        && toks
                            .get(idx + 1)
                            .is_some_and(|(next, _)| is_word(next, Keyword::TIME))
                        && toks
                            .get(idx + 2)
                            .is_some_and(|(next, _)| is_word(next, Keyword::ZONE)) =>
                {
                    let start = toks[idx + 1].1;
                    let end = toks[idx + 2].1 + "ZONE".len();
                    // `TIME ZONE` is at least 9 bytes: `timezone=` fits.
                    let replacement = format!("{:<width$}", "timezone=", width = end - start);
                    text.replace_range(start..end, &replacement);
                }
                token if is_word(token, Keyword::COST) || is_word(token, Keyword::ROWS) => {
                    if let Some((Token::Number(..), next)) = toks.get(idx + 1) {
                        let value = toks[idx + 1].0.to_string();
                        let end = next + value.len();
                        text = blank(&text, *offset..end);
                        if is_word(token, Keyword::COST) {
                            cost = Some(value);
                        } else {
                            rows = Some(value);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let Some(Statement::CreateFunction(create)) = parse_one(ctx, &stmt, &text) else {
        return;
    };
    let name = ctx.qualified(&create.name);
    let mut args = Vec::new();
    for arg in create.args.iter().flatten() {
        args.push(FunctionArg {
            mode: match arg.mode {
                None | Some(sqlparser::ast::ArgMode::In) => ArgMode::In,
                Some(sqlparser::ast::ArgMode::Out) => ArgMode::Out,
                Some(sqlparser::ast::ArgMode::InOut) => ArgMode::InOut,
                Some(sqlparser::ast::ArgMode::Variadic) => ArgMode::Variadic,
            },
            name: arg.name.as_ref().map(ident),
            ty: ctx.type_name(&arg.data_type.to_string()),
            default: arg.default_expr.as_ref().map(normalize::expr_from_ast),
        });
    }
    let id = FunctionId {
        name,
        arg_types: args
            .iter()
            .filter(|arg| arg.mode != ArgMode::Out)
            .map(|arg| arg.ty.clone())
            .collect(),
    };
    let body = match (standard_body, &create.function_body) {
        (Some(body), None) => body,
        (Some(_), Some(_)) => {
            ctx.error(
                "syntax-error",
                &stmt,
                "a function has either a SQL-standard body (RETURN, BEGIN ATOMIC) or AS '...', not both",
            );
            return;
        }
        (None, body) => quoted_body(body),
    };
    let function = Function {
        id: id.clone(),
        procedure,
        args,
        returns: if procedure {
            None
        } else {
            create
                .return_type
                .as_ref()
                .map(|returns| return_type(ctx, returns))
        },
        language: create.language.as_ref().map_or_else(
            || "sql".to_string(),
            |language| language.value.to_lowercase(),
        ),
        body,
        volatility: match create.behavior {
            Some(FunctionBehavior::Immutable) => Volatility::Immutable,
            Some(FunctionBehavior::Stable) => Volatility::Stable,
            Some(FunctionBehavior::Volatile) | None => Volatility::Volatile,
        },
        strict: matches!(
            create.called_on_null,
            Some(FunctionCalledOnNull::Strict) | Some(FunctionCalledOnNull::ReturnsNullOnNullInput)
        ),
        security_definer: matches!(create.security, Some(FunctionSecurity::Definer)),
        parallel: match create.parallel {
            Some(FunctionParallel::Safe) => Parallel::Safe,
            Some(FunctionParallel::Restricted) => Parallel::Restricted,
            Some(FunctionParallel::Unsafe) | None => Parallel::Unsafe,
        },
        config: config(&create.set_params),
        cost,
        rows,
        comment: None,
        meta: ctx.meta(&stmt),
        aggregate: None,
    };
    if ctx.model.functions.insert(id.clone(), function).is_some() && !create.or_replace {
        ctx.error(
            "duplicate-object",
            &stmt,
            format!("function {id} is declared more than once"),
        );
    }
}

/// The body of `AS 'body'` / `AS $$body$$` as written between the quotes.
fn quoted_body(body: &Option<CreateFunctionBody>) -> String {
    match body {
        Some(CreateFunctionBody::AsBeforeOptions { body, .. })
        | Some(CreateFunctionBody::AsAfterOptions(body)) => match body {
            Expr::Value(value) => match &value.value {
                Value::DollarQuotedString(quoted) => quoted.value.clone(),
                Value::SingleQuotedString(text) | Value::EscapedStringLiteral(text) => text.clone(),
                other => other.to_string(),
            },
            other => other.to_string(),
        },
        Some(CreateFunctionBody::Return(expr)) | Some(CreateFunctionBody::AsReturnExpr(expr)) => {
            format!("RETURN {expr}")
        }
        Some(other) => format!("{other:?}"),
        None => String::new(),
    }
}

fn return_type(ctx: &Ctx<'_>, returns: &FunctionReturnType) -> String {
    let ty = |data_type: &DataType| match data_type {
        DataType::Table(Some(columns)) => {
            let columns: Vec<String> = columns
                .iter()
                .map(|column| {
                    format!(
                        "{} {}",
                        ident(&column.name),
                        ctx.type_name(&column.data_type.to_string())
                    )
                })
                .collect();
            format!("TABLE({})", columns.join(", "))
        }
        other => ctx.type_name(&other.to_string()).0,
    };
    match returns {
        FunctionReturnType::DataType(data_type) => ty(data_type),
        FunctionReturnType::SetOf(data_type) => format!("SETOF {}", ty(data_type)),
    }
}

/// `SET name = value [, ...]` options: names lower case, values without
/// quotes (`SET search_path = app` and pg_dump's `SET search_path TO 'app'`
/// are the same setting), in the order written.
fn config(params: &[sqlparser::ast::FunctionDefinitionSetParam]) -> Vec<(String, String)> {
    let config: Vec<(String, String)> = params
        .iter()
        .map(|param| {
            let value = match &param.value {
                FunctionSetValue::Default => "DEFAULT".to_string(),
                FunctionSetValue::FromCurrent => "FROM CURRENT".to_string(),
                FunctionSetValue::Values(values) => values
                    .iter()
                    .map(|value| match value {
                        Expr::Value(value) => match &value.value {
                            Value::SingleQuotedString(text) | Value::DoubleQuotedString(text) => {
                                text.clone()
                            }
                            other => other.to_string(),
                        },
                        // Folded as PostgreSQL folds it (`SET jit TO OFF`
                        // is stored as `jit=off`).
                        Expr::Identifier(id) => ident(id).0,
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            (param.name.to_string().to_lowercase(), value)
        })
        .collect();
    // Kept in the order written, as PostgreSQL keeps it.
    config
}

/// `CREATE [OR REPLACE] [MATERIALIZED] VIEW name [(cols)] [WITH (opts)] AS query
/// [WITH [CASCADED|LOCAL] CHECK OPTION] [WITH [NO] DATA]`.
pub(crate) fn create_view(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let mut text = stmt.text.to_string();
    let mut check_option = None;
    let mut recursive = false;
    let mut head_options = Vec::new();
    if let Some(toks) = tokens(stmt.text) {
        if let Some((_, offset)) = toks
            .iter()
            .take(6)
            .find(|(token, _)| is_word(token, Keyword::RECURSIVE))
        {
            recursive = true;
            text = blank(&text, *offset..offset + "RECURSIVE".len());
        }
        if let Some((options, range)) = view_head_options(&toks) {
            head_options = options;
            text = blank(&text, range);
        }
        let words: Vec<String> = toks
            .iter()
            .map(|(token, _)| match token {
                Token::Word(word) if word.quote_style.is_none() => word.value.to_uppercase(),
                _ => String::new(),
            })
            .collect();
        let n = words.len();
        let tail = |k: usize| {
            if n >= k {
                words[n - k..].to_vec()
            } else {
                Vec::new()
            }
        };
        let cut = if tail(2) == ["WITH", "DATA"] {
            Some(n - 2)
        } else if tail(3) == ["WITH", "NO", "DATA"] {
            Some(n - 3)
        } else if tail(3) == ["WITH", "CHECK", "OPTION"] {
            check_option = Some("cascaded");
            Some(n - 3)
        } else if tail(4) == ["WITH", "CASCADED", "CHECK", "OPTION"] {
            check_option = Some("cascaded");
            Some(n - 4)
        } else if tail(4) == ["WITH", "LOCAL", "CHECK", "OPTION"] {
            check_option = Some("local");
            Some(n - 4)
        } else {
            None
        };
        if let Some(cut) = cut {
            text = blank(&text, toks[cut].1..text.len());
        }
    }
    let whole = |text: &str| {
        parser(text).and_then(|mut p| {
            let statement = p.parse_statement()?;
            forms::expect_end(&mut p)?;
            Ok(statement)
        })
    };
    // A bare table alias that sqlparser reserves for other dialects'
    // clauses but PostgreSQL does not (`pg_get_viewdef`, and so pg_dump,
    // prints `JOIN LATERAL f(x) partition(partition)`) is read quoted; an
    // error is reported on the text as written.
    let statement = match whole(&text) {
        Ok(statement) => Some(statement),
        Err(error) => match quote_bare_alias_keywords(&text).map(|quoted| whole(&quoted)) {
            Some(Ok(statement)) => Some(statement),
            _ => {
                let options = ViewRaw {
                    recursive,
                    head_options: head_options.clone(),
                    check_option,
                };
                if raw_view(ctx, &stmt, &text, options, &error) {
                    return;
                }
                parse_one(ctx, &stmt, &text)
            }
        },
    };
    let Some(Statement::CreateView(mut create)) = statement else {
        return;
    };
    if recursive {
        match recursive_query(&create) {
            Ok(query) => {
                *create.query = query;
                create.columns.clear();
            }
            Err(error) => {
                ctx.syntax_error(&stmt, &error);
                return;
            }
        }
    }
    let name = ctx.qualified(&create.name);
    let mut ctes = Vec::new();
    collect_ctes(&create.query, &mut ctes);
    if ctes.is_empty() {
        // With CTEs a bare name may be one of them: left as written.
        ctx.qualify_names(&mut create.query, true);
    } else {
        ctx.qualify_names(&mut create.query, false);
    }
    let mut options: Vec<(String, String)> = match &create.options {
        sqlparser::ast::CreateTableOptions::With(options) => options
            .iter()
            .map(|option| {
                let text = option.to_string();
                match text.split_once('=') {
                    Some((key, value)) => (
                        key.trim().to_lowercase(),
                        value.trim().trim_matches('\'').to_lowercase(),
                    ),
                    None => (text.trim().to_lowercase(), "true".to_string()),
                }
            })
            .collect(),
        _ => Vec::new(),
    };
    options.extend(head_options);
    if let Some(check_option) = check_option {
        options.retain(|(key, _)| key != "check_option");
        options.push(("check_option".to_string(), check_option.to_string()));
    }
    options.sort();
    let view = View {
        name: name.clone(),
        materialized: create.materialized,
        columns: create
            .columns
            .iter()
            .map(|column| ident(&column.name))
            .collect(),
        query: normalize::query_from_ast(&create.query),
        options,
        depends_on: relations(ctx, &create.query),
        indexes: Default::default(),
        comment: None,
        output: Default::default(),
        meta: ctx.meta(&stmt),
    };
    if ctx.model.views.insert(name.clone(), view).is_some() && !create.or_replace {
        ctx.error(
            "duplicate-object",
            &stmt,
            format!("view {name} is declared more than once"),
        );
    }
}

/// Keywords sqlparser refuses as a bare table alias (they start clauses of
/// other dialects) that PostgreSQL accepts there (unreserved, or not
/// keywords at all in PostgreSQL).
const BARE_ALIAS_KEYWORDS: &[Keyword] = &[
    Keyword::PARTITION,
    Keyword::GLOBAL,
    Keyword::FORMAT,
    Keyword::SETTINGS,
    Keyword::PREWHERE,
    Keyword::OUTPUT,
    Keyword::ANTI,
    Keyword::SEMI,
    Keyword::ASOF,
    Keyword::QUALIFY,
    Keyword::PIVOT,
    Keyword::UNPIVOT,
];

/// `text` with every unquoted word of [`BARE_ALIAS_KEYWORDS`] quoted
/// (lower case, which names the same identifier), except where it is
/// PostgreSQL syntax in a query (`PARTITION BY`, `FORMAT JSON`); `None`
/// when there is none. Offsets after a quoted word move by two bytes.
pub(crate) fn quote_bare_alias_keywords(text: &str) -> Option<String> {
    let toks = tokens(text)?;
    let mut out = String::with_capacity(text.len() + 16);
    let mut copied = 0;
    for (idx, (token, offset)) in toks.iter().enumerate() {
        let Token::Word(word) = token else {
            continue;
        };
        if word.quote_style.is_some() || !BARE_ALIAS_KEYWORDS.contains(&word.keyword) {
            continue;
        }
        let next = toks.get(idx + 1).map(|(token, _)| token);
        if next.is_some_and(|next| is_word(next, Keyword::BY) || is_word(next, Keyword::JSON)) {
            continue;
        }
        out.push_str(&text[copied..*offset]);
        out.push('"');
        out.push_str(&word.value.to_lowercase());
        out.push('"');
        copied = offset + word.value.len();
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// `CREATE RECURSIVE VIEW name (cols) AS query` is, as PostgreSQL defines
/// it (and as pg_dump prints it back), `CREATE VIEW name AS WITH RECURSIVE
/// name (cols) AS (query) SELECT cols FROM name`.
fn recursive_query(
    create: &sqlparser::ast::CreateView,
) -> Result<sqlparser::ast::Query, sqlparser::parser::ParserError> {
    let cte = create
        .name
        .0
        .last()
        .map(ToString::to_string)
        .unwrap_or_default();
    let columns: Vec<String> = create
        .columns
        .iter()
        .map(|column| column.name.to_string())
        .collect();
    let columns = columns.join(", ");
    let text = format!(
        "WITH RECURSIVE {cte} ({columns}) AS ({}) SELECT {columns} FROM {cte}",
        create.query
    );
    parser(&text)?.parse_query().map(|query| *query)
}

/// A view's options as `(name, value)` pairs.
type ViewOptions = Vec<(String, String)>;

/// The `WITH (name [= value], ...)` options before a view's `AS` (sqlparser
/// 0.63 requires a value; `security_barrier` alone means true): the
/// options, lower case and unquoted, and the byte range to blank out.
fn view_head_options(toks: &[(Token, usize)]) -> Option<(ViewOptions, std::ops::Range<usize>)> {
    let mut depth = 0usize;
    let mut with_at = None;
    for (idx, (token, _)) in toks.iter().enumerate() {
        match token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            token if is_word(token, Keyword::AS) => break,
            token
                if is_word(token, Keyword::WITH)
                    && matches!(toks.get(idx + 1), Some((Token::LParen, _))) =>
            {
                with_at = Some(idx);
                break;
            }
            _ => {}
        }
    }
    let with_at = with_at?;
    let mut options = Vec::new();
    let mut idx = with_at + 2;
    loop {
        let key = match &toks.get(idx)?.0 {
            Token::Word(word) => word.value.to_lowercase(),
            _ => return None,
        };
        idx += 1;
        let mut value = "true".to_string();
        if matches!(toks.get(idx), Some((Token::Eq, _))) {
            value = match &toks.get(idx + 1)?.0 {
                Token::Word(word) => word.value.to_lowercase(),
                Token::SingleQuotedString(text) => text.to_lowercase(),
                Token::Number(digits, _) => digits.clone(),
                _ => return None,
            };
            idx += 2;
        }
        options.push((key, value));
        match &toks.get(idx)?.0 {
            Token::Comma => idx += 1,
            Token::RParen => {
                let end = toks[idx].1 + 1;
                return Some((options, toks[with_at].1..end));
            }
            _ => return None,
        }
    }
}

/// Relations a query reads, qualified (unqualified ones resolved through
/// the search_path), without
/// its own CTE names; sorted and deduplicated.
/// What `create_view` read from a statement's head and tail before the
/// query.
struct ViewRaw {
    recursive: bool,
    head_options: ViewOptions,
    check_option: Option<&'static str>,
}

/// A view whose query sqlparser cannot read (`ROWS FROM (...)`,
/// `xmlelement(name ...)`, a lateral call with a qualified argument):
/// PostgreSQL is the judge, so the view is kept with its query as written
/// (compared on its whitespace-collapsed text; with a database the shadow
/// builds it and the catalog's form is compared) and what it reads is
/// found by name among the relations declared before it. A warning names
/// the form. False when even the head (`CREATE VIEW name [(columns)] AS`)
/// cannot be read; the caller then reports the syntax error.
fn raw_view(
    ctx: &mut Ctx<'_>,
    stmt: &Stmt<'_>,
    text: &str,
    raw: ViewRaw,
    error: &sqlparser::parser::ParserError,
) -> bool {
    if raw.recursive {
        return false;
    }
    let Some(toks) = tokens(text) else {
        return false;
    };
    let words: Vec<Option<&sqlparser::tokenizer::Word>> = toks
        .iter()
        .map(|(token, _)| match token {
            Token::Word(word) => Some(word),
            _ => None,
        })
        .collect();
    let Some(view_at) = words.iter().take(6).position(|word| {
        word.is_some_and(|w| w.keyword == Keyword::VIEW && w.quote_style.is_none())
    }) else {
        return false;
    };
    let materialized = words[..view_at]
        .iter()
        .any(|word| word.is_some_and(|w| w.keyword == Keyword::MATERIALIZED));
    let mut idx = view_at + 1;
    if words
        .get(idx)
        .copied()
        .flatten()
        .is_some_and(|w| w.keyword == Keyword::IF)
    {
        idx += 3;
    }
    let mut parts = Vec::new();
    while let Some(Some(word)) = words.get(idx) {
        parts.push(crate::sql_lex::word_ident(word));
        idx += 1;
        if matches!(toks.get(idx), Some((Token::Period, _))) {
            idx += 1;
        } else {
            break;
        }
    }
    if parts.is_empty() {
        return false;
    }
    let object_name = sqlparser::ast::ObjectName::from(parts);
    let mut columns = Vec::new();
    if matches!(toks.get(idx), Some((Token::LParen, _))) {
        idx += 1;
        while let Some((token, _)) = toks.get(idx) {
            match token {
                Token::RParen => break,
                Token::Word(word) => columns.push(super::ident(&crate::sql_lex::word_ident(word))),
                Token::Comma => {}
                _ => return false,
            }
            idx += 1;
        }
        idx += 1;
    }
    // The query starts after the first AS at the top level (a matview's
    // USING / TABLESPACE before it are words too).
    let mut depth = 0usize;
    let mut query_at = None;
    for (token, offset) in &toks[idx.min(toks.len())..] {
        match token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            Token::Word(word)
                if depth == 0 && word.keyword == Keyword::AS && word.quote_style.is_none() =>
            {
                query_at = Some(offset + word.value.len());
                break;
            }
            _ => {}
        }
    }
    let Some(query_at) = query_at else {
        return false;
    };
    let query_text = text[query_at..]
        .trim()
        .trim_end_matches(';')
        .trim_end()
        .to_string();
    if query_text.is_empty() {
        return false;
    }
    let name = ctx.qualified(&object_name);
    // What the query reads: the declared relations it names.
    let mut depends_on: Vec<QualifiedName> = crate::sql_lex::dotted_names(&query_text)
        .into_iter()
        .map(|parts| ctx.read_relation(&sqlparser::ast::ObjectName::from(parts)))
        .filter(|candidate| {
            *candidate != name
                && (ctx.model.tables.contains_key(candidate)
                    || ctx.model.views.contains_key(candidate))
        })
        .collect();
    depends_on.sort();
    depends_on.dedup();
    let mut options = raw.head_options;
    if let Some(check_option) = raw.check_option {
        options.retain(|(key, _)| key != "check_option");
        options.push(("check_option".to_string(), check_option.to_string()));
    }
    options.sort();
    let view = View {
        name: name.clone(),
        materialized,
        columns,
        query: crate::model::SqlExpr {
            canonical: crate::frontend::expr::collapse_whitespace(&query_text),
            sql: query_text,
        },
        options,
        depends_on,
        indexes: Default::default(),
        comment: None,
        output: Default::default(),
        meta: ctx.meta(stmt),
    };
    ctx.warning(
        "unsupported-statement",
        stmt,
        format!(
            "the query of view {name} uses a form schemac's SQL parser does not read ({error}); the view is kept as written: with a database the shadow builds it and PostgreSQL's own form is compared, offline it is compared as text"
        ),
    );
    let replaced = ctx.model.views.insert(name.clone(), view).is_some();
    let or_replace = words
        .iter()
        .take(3)
        .any(|word| word.is_some_and(|w| w.keyword == Keyword::REPLACE));
    if replaced && !or_replace {
        ctx.error(
            "duplicate-object",
            stmt,
            format!("view {name} is declared more than once"),
        );
    }
    true
}

pub(crate) fn relations(ctx: &Ctx<'_>, query: &sqlparser::ast::Query) -> Vec<QualifiedName> {
    let mut ctes = Vec::new();
    collect_ctes(query, &mut ctes);
    let mut reads = ReadRelations {
        ctx,
        ctes,
        found: Vec::new(),
    };
    let _ = sqlparser::ast::Visit::visit(query, &mut reads);
    let mut found = reads.found;
    found.sort();
    found.dedup();
    found
}

/// The relations of a query's FROM clauses: table functions
/// (`FROM jsonb_each(x)`) and CTE names left out.
struct ReadRelations<'c, 'a> {
    ctx: &'c Ctx<'a>,
    ctes: Vec<Ident>,
    found: Vec<QualifiedName>,
}

impl sqlparser::ast::Visitor for ReadRelations<'_, '_> {
    type Break = ();

    fn pre_visit_table_factor(&mut self, factor: &sqlparser::ast::TableFactor) -> ControlFlow<()> {
        if let sqlparser::ast::TableFactor::Table {
            name, args: None, ..
        } = factor
        {
            let is_cte = name.0.len() == 1
                && name.0[0]
                    .as_ident()
                    .is_some_and(|id| self.ctes.contains(&ident(id)));
            if !is_cte {
                self.found.push(self.ctx.read_relation(name));
            }
        }
        ControlFlow::Continue(())
    }
}

fn collect_ctes(query: &sqlparser::ast::Query, out: &mut Vec<Ident>) {
    if let Some(with) = &query.with {
        for cte in &with.cte_tables {
            out.push(ident(&cte.alias.name));
            collect_ctes(&cte.query, out);
        }
    }
}

#[cfg(test)]
mod tests {

    /// `SET TIME ZONE 'UTC'` on a function (pgstac's functions have it) is
    /// the `timezone` setting, as PostgreSQL stores it.
    #[test]
    fn set_time_zone_is_the_timezone_setting() {
        use crate::source::{FileId, Language, SourceFile};
        let text = "CREATE FUNCTION public.f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql SET search_path TO 'app' SET TIME  ZONE 'UTC';\nCREATE FUNCTION public.g() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql SET TIME ZONE 'UTC' COST 5000 PARALLEL SAFE;\n";
        let file = SourceFile::new(FileId(0), "t.sql".into(), text.to_string(), Language::Sql);
        let parsed = super::super::load_file(&file);
        assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
        assert_eq!(parsed.value.functions.len(), 2);
        let function = parsed
            .value
            .functions
            .values()
            .next()
            .expect("one function");
        assert_eq!(
            function.config,
            [
                ("search_path".to_string(), "app".to_string()),
                ("timezone".to_string(), "UTC".to_string())
            ]
        );
    }

    use super::super::load_file;
    use super::*;
    use crate::source::{FileId, Language, SourceFile};

    fn model(sql: &str) -> crate::model::Model {
        let file = SourceFile::new(FileId(0), "t.sql".into(), sql.to_string(), Language::Sql);
        let parsed = load_file(&file);
        let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "{errors:?}");
        parsed.value
    }

    #[test]
    fn functions_and_procedures() {
        let m = model(
            "CREATE FUNCTION app.f(a integer, OUT b text, VARIADIC c int[]) RETURNS SETOF record LANGUAGE SQL STABLE STRICT SECURITY DEFINER PARALLEL SAFE COST 5 ROWS 10 SET search_path TO 'app', 'public' AS $x$ select 1 $x$;\nCREATE PROCEDURE p(IN d date) LANGUAGE plpgsql AS $$ begin null; end $$;",
        );
        let (id, f) = m
            .functions
            .iter()
            .find(|(id, _)| id.name.name.as_str() == "f")
            .expect("function f");
        assert_eq!(id.arg_types.len(), 2);
        assert_eq!(f.body, " select 1 ");
        assert_eq!(f.language, "sql");
        assert!(f.strict && f.security_definer);
        assert_eq!(
            (f.volatility, f.parallel),
            (Volatility::Stable, Parallel::Safe)
        );
        assert_eq!(
            f.config,
            vec![("search_path".to_string(), "app, public".to_string())]
        );
        let p = m
            .functions
            .values()
            .find(|f| f.procedure)
            .expect("procedure");
        assert_eq!(p.returns, None);
        assert_eq!(p.id.arg_types.len(), 1);
    }

    #[test]
    fn views_and_dependencies() {
        let m = model(
            "CREATE TABLE t (a int);\nCREATE VIEW v (x) WITH (security_barrier='true') AS WITH c AS (SELECT a FROM t) SELECT a FROM c JOIN app.u ON true WITH LOCAL CHECK OPTION;\nCREATE MATERIALIZED VIEW mv AS SELECT a FROM t WITH NO DATA;\nCREATE UNIQUE INDEX ON mv (a);",
        );
        let v = &m.views[&QualifiedName::public("v")];
        assert_eq!(v.columns, vec![Ident::new("x")]);
        assert_eq!(
            v.depends_on,
            vec![QualifiedName::new("app", "u"), QualifiedName::public("t")]
        );
        assert_eq!(
            v.options,
            vec![
                ("check_option".to_string(), "local".to_string()),
                ("security_barrier".to_string(), "true".to_string())
            ]
        );
        let mv = &m.views[&QualifiedName::public("mv")];
        assert!(mv.materialized);
        assert_eq!(mv.indexes.len(), 1);
    }

    /// pg_get_viewdef (and so pg_dump) prints bare table aliases that
    /// sqlparser reserves for other dialects (pgstac 0.9's
    /// partition_sys_meta); `PARTITION BY` of a window stays syntax.
    #[test]
    fn bare_aliases_that_only_other_dialects_reserve_are_read() {
        let parsed = model(
            "CREATE TABLE t (a int, b int);\nCREATE VIEW v AS SELECT partition.partition, rank() OVER (PARTITION BY t.b ORDER BY t.a) AS r\n   FROM t\n     JOIN LATERAL abs(t.a) partition(partition) ON true\n     JOIN t global ON global.a = t.a;",
        );
        let v = &parsed.views[&QualifiedName::public("v")];
        assert_eq!(v.depends_on, vec![QualifiedName::public("t")]);
        assert!(v.query.sql.contains("PARTITION BY"), "{}", v.query.sql);
    }

    #[test]
    fn view_queries_compare_by_their_canonical_form() {
        let written = model("CREATE VIEW v AS select A from T where b in (1, 2);");
        let dumped = model(
            "CREATE VIEW public.v AS\n SELECT a\n   FROM t\n  WHERE (b = ANY (ARRAY[1, 2]));",
        );
        let name = QualifiedName::public("v");
        assert_eq!(written.views[&name].query, dumped.views[&name].query);
        let other = model("CREATE VIEW v AS SELECT a FROM t WHERE b IN (1, 3);");
        assert_ne!(written.views[&name].query, other.views[&name].query);
    }

    #[test]
    fn sql_standard_bodies_are_kept_as_written() {
        let m = model("CREATE FUNCTION app.tax(amount numeric) RETURNS numeric LANGUAGE sql IMMUTABLE RETURN amount * 0.2;\nCREATE FUNCTION app.fmt(s text) RETURNS text LANGUAGE sql RETURN COLLATION FOR (s) || (s IS NFC NORMALIZED);\nCREATE PROCEDURE app.touch(x integer) LANGUAGE sql BEGIN ATOMIC UPDATE t SET a = x; SELECT CASE WHEN x > 0 THEN 1 END; END;");
        let body = |name: &str| {
            m.functions
                .values()
                .find(|f| f.id.name.name.as_str() == name)
                .unwrap_or_else(|| panic!("function {name}"))
                .clone()
        };
        let tax = body("tax");
        assert_eq!(tax.body, "RETURN amount * 0.2");
        assert!(tax.has_standard_body());
        let printed = crate::model::sql::create_function(&tax, false);
        assert!(
            printed.ends_with(" IMMUTABLE PARALLEL UNSAFE RETURN amount * 0.2"),
            "{printed}"
        );
        assert_eq!(
            body("fmt").body,
            "RETURN COLLATION FOR (s) || (s IS NFC NORMALIZED)"
        );
        let touch = body("touch");
        assert!(touch.procedure);
        assert_eq!(
            touch.body,
            "BEGIN ATOMIC UPDATE t SET a = x; SELECT CASE WHEN x > 0 THEN 1 END; END"
        );
        assert!(!crate::model::sql::create_function(&touch, false).contains("$$"));
    }
}
