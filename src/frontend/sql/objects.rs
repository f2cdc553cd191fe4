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

use super::forms::{self, run};
use super::pgdump::Deferred;
use super::{blank, ident, parser, qualified, tokens, Ctx, Stmt};
use crate::model::{
    normalize, ArgMode, Colocation, Distribution, Function, FunctionArg, FunctionId, Ident,
    Parallel, Policy, PolicyCommand, QualifiedName, SqlExpr, Trigger, TriggerEvent, TriggerTiming,
    View, Volatility,
};
use sqlparser::ast::{
    CreateFunctionBody, CreatePolicyCommand, CreatePolicyType, DataType, Expr,
    FunctionArgExpr, FunctionArguments, FunctionBehavior, FunctionCalledOnNull, FunctionParallel,
    FunctionReturnType, FunctionSecurity, FunctionSetValue, Owner, SelectItem, SetExpr, Statement,
    TriggerObject, TriggerObjectKind, TriggerPeriod, Value,
};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;
use std::ops::ControlFlow;

/// Parses `text` as one statement (errors reported against `stmt`).
fn parse_one(ctx: &mut Ctx<'_>, stmt: &Stmt<'_>, text: &str) -> Option<Statement> {
    let parsed = parser(text).and_then(|mut p| {
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

fn is_word(token: &Token, keyword: Keyword) -> bool {
    matches!(token, Token::Word(word) if word.keyword == keyword)
}

/// `CREATE [OR REPLACE] FUNCTION|PROCEDURE ...`.
pub(crate) fn create_function(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let mut text = stmt.text.to_string();
    let mut procedure = false;
    if let Some(toks) = tokens(stmt.text) {
        let mut depth = 0usize;
        for (idx, (token, offset)) in toks.iter().enumerate() {
            match token {
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                _ if depth > 0 => {}
                token if is_word(token, Keyword::PROCEDURE) && !procedure => {
                    procedure = true;
                    text.replace_range(*offset..offset + "PROCEDURE".len(), "FUNCTION ");
                }
                token if is_word(token, Keyword::COST) || is_word(token, Keyword::ROWS) => {
                    if let Some((Token::Number(..), next)) = toks.get(idx + 1) {
                        let end = next + toks[idx + 1].0.to_string().len();
                        text = blank(&text, *offset..end);
                    }
                }
                _ => {}
            }
        }
    }
    let Some(Statement::CreateFunction(create)) = parse_one(ctx, &stmt, &text) else {
        return;
    };
    let name = qualified(&create.name);
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
            ty: normalize::type_name(&arg.data_type.to_string(), "public"),
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
    let body = match &create.function_body {
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
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let function = Function {
        id: id.clone(),
        procedure,
        args,
        returns: if procedure { None } else { create.return_type.as_ref().map(return_type) },
        language: create
            .language
            .as_ref()
            .map_or_else(|| "sql".to_string(), |language| language.value.to_lowercase()),
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
        comment: None,
        meta: ctx.meta(&stmt),
    };
    if ctx.model.functions.insert(id.clone(), function).is_some() && !create.or_replace {
        ctx.error("duplicate-object", &stmt, format!("function {id} is declared more than once"));
    }
}

fn return_type(returns: &FunctionReturnType) -> String {
    let ty = |data_type: &DataType| match data_type {
        DataType::Table(Some(columns)) => {
            let columns: Vec<String> = columns
                .iter()
                .map(|column| format!("{} {}", ident(&column.name), normalize::type_name(&column.data_type.to_string(), "public")))
                .collect();
            format!("TABLE({})", columns.join(", "))
        }
        other => normalize::type_name(&other.to_string(), "public").0,
    };
    match returns {
        FunctionReturnType::DataType(data_type) => ty(data_type),
        FunctionReturnType::SetOf(data_type) => format!("SETOF {}", ty(data_type)),
    }
}

/// `SET name = value [, ...]` options: names lower case, values without
/// quotes (`SET search_path = app` and pg_dump's `SET search_path TO 'app'`
/// are the same setting), sorted by name.
fn config(params: &[sqlparser::ast::FunctionDefinitionSetParam]) -> Vec<(String, String)> {
    let mut config: Vec<(String, String)> = params
        .iter()
        .map(|param| {
            let value = match &param.value {
                FunctionSetValue::Default => "DEFAULT".to_string(),
                FunctionSetValue::FromCurrent => "FROM CURRENT".to_string(),
                FunctionSetValue::Values(values) => values
                    .iter()
                    .map(|value| match value {
                        Expr::Value(value) => match &value.value {
                            Value::SingleQuotedString(text) | Value::DoubleQuotedString(text) => text.clone(),
                            other => other.to_string(),
                        },
                        Expr::Identifier(id) => id.value.clone(),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            (param.name.to_string().to_lowercase(), value)
        })
        .collect();
    config.sort();
    config
}

/// `CREATE [OR REPLACE] [MATERIALIZED] VIEW name [(cols)] [WITH (opts)] AS query
/// [WITH [CASCADED|LOCAL] CHECK OPTION] [WITH [NO] DATA]`.
pub(crate) fn create_view(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let mut text = stmt.text.to_string();
    let mut check_option = None;
    if let Some(toks) = tokens(stmt.text) {
        let words: Vec<String> = toks
            .iter()
            .map(|(token, _)| match token {
                Token::Word(word) if word.quote_style.is_none() => word.value.to_uppercase(),
                _ => String::new(),
            })
            .collect();
        let n = words.len();
        let tail = |k: usize| if n >= k { words[n - k..].to_vec() } else { Vec::new() };
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
    let Some(Statement::CreateView(create)) = parse_one(ctx, &stmt, &text) else {
        return;
    };
    let name = qualified(&create.name);
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
    if let Some(check_option) = check_option {
        options.push(("check_option".to_string(), check_option.to_string()));
    }
    options.sort();
    let query = create.query.to_string();
    let view = View {
        name: name.clone(),
        materialized: create.materialized,
        columns: create.columns.iter().map(|column| ident(&column.name)).collect(),
        query: SqlExpr { sql: query.clone(), canonical: query },
        options,
        depends_on: relations(&create.query),
        indexes: Default::default(),
        comment: None,
        meta: ctx.meta(&stmt),
    };
    if ctx.model.views.insert(name.clone(), view).is_some() && !create.or_replace {
        ctx.error("duplicate-object", &stmt, format!("view {name} is declared more than once"));
    }
}

/// Relations a query reads, qualified (unqualified -> `public`), without
/// its own CTE names; sorted and deduplicated.
pub(crate) fn relations(query: &sqlparser::ast::Query) -> Vec<QualifiedName> {
    let mut ctes = Vec::new();
    collect_ctes(query, &mut ctes);
    let mut found = Vec::new();
    let _ = sqlparser::ast::visit_relations(query, |name| {
        let is_cte = name.0.len() == 1
            && name.0[0].as_ident().is_some_and(|id| ctes.contains(&ident(id)));
        if !is_cte {
            found.push(qualified(name));
        }
        ControlFlow::<()>::Continue(())
    });
    found.sort();
    found.dedup();
    found
}

fn collect_ctes(query: &sqlparser::ast::Query, out: &mut Vec<Ident>) {
    if let Some(with) = &query.with {
        for cte in &with.cte_tables {
            out.push(ident(&cte.alias.name));
            collect_ctes(&cte.query, out);
        }
    }
}

/// `CREATE [CONSTRAINT] TRIGGER ... EXECUTE {FUNCTION|PROCEDURE} f(args)`.
pub(crate) fn create_trigger(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    // sqlparser reads the function's arguments as parameter declarations,
    // which trigger arguments (literals) are not: the call is read here.
    let Some(toks) = tokens(stmt.text) else {
        let _ = parse_one(ctx, &stmt, stmt.text);
        return;
    };
    let Some(execute_at) = toks.iter().rev().find(|(token, _)| is_word(token, Keyword::EXECUTE)).map(|(_, offset)| *offset) else {
        let _ = parse_one(ctx, &stmt, stmt.text);
        return;
    };
    let head = format!("{}EXECUTE FUNCTION f()", &stmt.text[..execute_at]);
    let tail = blank(stmt.text, 0..execute_at);
    let Some(Statement::CreateTrigger(create)) = parse_one(ctx, &stmt, &head) else {
        return;
    };
    let Some((function, args)) = run(ctx, &stmt, &tail, |p| {
        p.expect_keyword(Keyword::EXECUTE)?;
        let _ = p.expect_one_of_keywords(&[Keyword::FUNCTION, Keyword::PROCEDURE])?;
        let function = p.parse_object_name(false)?;
        p.expect_token(&Token::LParen)?;
        let mut args = Vec::new();
        while !p.consume_token(&Token::RParen) {
            if !args.is_empty() {
                p.expect_token(&Token::Comma)?;
            }
            let token = p.next_token();
            args.push(match token.token {
                Token::SingleQuotedString(text) | Token::EscapedStringLiteral(text) => text,
                Token::Number(digits, _) => digits,
                Token::Word(word) => word.value,
                _ => return p.expected("a trigger argument (a literal)", token),
            });
        }
        Ok((function, args))
    }) else {
        return;
    };
    let table_name = qualified(&create.table_name);
    let mut events: Vec<TriggerEvent> = create
        .events
        .iter()
        .map(|event| match event {
            sqlparser::ast::TriggerEvent::Insert => TriggerEvent::Insert,
            sqlparser::ast::TriggerEvent::Delete => TriggerEvent::Delete,
            sqlparser::ast::TriggerEvent::Truncate => TriggerEvent::Truncate,
            sqlparser::ast::TriggerEvent::Update(columns) => {
                TriggerEvent::Update(columns.iter().map(ident).collect())
            }
        })
        .collect();
    events.sort();
    let trigger = Trigger {
        name: super::last_ident(&create.name),
        timing: match create.period {
            Some(TriggerPeriod::Before) => TriggerTiming::Before,
            Some(TriggerPeriod::InsteadOf) => TriggerTiming::InsteadOf,
            Some(TriggerPeriod::After) | Some(TriggerPeriod::For) | None => TriggerTiming::After,
        },
        events,
        for_each_row: matches!(
            create.trigger_object,
            Some(TriggerObjectKind::For(TriggerObject::Row)) | Some(TriggerObjectKind::ForEach(TriggerObject::Row))
        ),
        when: create.condition.as_ref().map(normalize::expr_from_ast),
        function: qualified(&function),
        args,
        constraint: create.is_constraint,
        deferrable: create.characteristics.as_ref().and_then(|c| c.deferrable).unwrap_or(false),
        initially_deferred: create.characteristics.as_ref().and_then(|c| c.initially)
            == Some(sqlparser::ast::DeferrableInitial::Deferred),
        comment: None,
        meta: ctx.meta(&stmt),
    };
    super::lower::with_table(ctx, &stmt, &table_name, |ctx, table| {
        let name = trigger.name.clone();
        if table.triggers.insert(name.clone(), trigger).is_some() {
            ctx.error("duplicate-object", &stmt, format!("trigger {name} is declared more than once on {table_name}"));
        }
    });
}

/// `CREATE POLICY name ON table [AS ...] [FOR ...] [TO ...] [USING (...)] [WITH CHECK (...)]`.
pub(crate) fn create_policy(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let Some(Statement::CreatePolicy(create)) = parse_one(ctx, &stmt, stmt.text) else {
        return;
    };
    let mut roles: Vec<Ident> = create
        .to
        .iter()
        .flatten()
        .filter_map(|owner| match owner {
            Owner::Ident(id) if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("public") => None,
            Owner::Ident(id) => Some(ident(id)),
            Owner::CurrentUser => Some(Ident::new("current_user")),
            Owner::CurrentRole => Some(Ident::new("current_role")),
            Owner::SessionUser => Some(Ident::new("session_user")),
        })
        .collect();
    roles.sort();
    roles.dedup();
    let policy = Policy {
        name: ident(&create.name),
        permissive: !matches!(create.policy_type, Some(CreatePolicyType::Restrictive)),
        command: match create.command {
            Some(CreatePolicyCommand::Select) => PolicyCommand::Select,
            Some(CreatePolicyCommand::Insert) => PolicyCommand::Insert,
            Some(CreatePolicyCommand::Update) => PolicyCommand::Update,
            Some(CreatePolicyCommand::Delete) => PolicyCommand::Delete,
            Some(CreatePolicyCommand::All) | None => PolicyCommand::All,
        },
        roles,
        using: create.using.as_ref().map(normalize::expr_from_ast),
        with_check: create.with_check.as_ref().map(normalize::expr_from_ast),
        comment: None,
        meta: ctx.meta(&stmt),
    };
    let table_name = qualified(&create.table_name);
    super::lower::with_table(ctx, &stmt, &table_name, |ctx, table| {
        let name = policy.name.clone();
        if table.policies.insert(name.clone(), policy).is_some() {
            ctx.error("duplicate-object", &stmt, format!("policy {name} is declared more than once on {table_name}"));
        }
    });
}

/// `SELECT create_distributed_table[_concurrently](...)` and
/// `SELECT create_reference_table(...)` set a table's distribution; any
/// other SELECT (pg_dump's `set_config`) is skipped.
pub(crate) fn select(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let Some(Statement::Query(query)) = parse_one(ctx, &stmt, stmt.text) else {
        return;
    };
    let call = match query.body.as_ref() {
        SetExpr::Select(select) if select.from.is_empty() && select.projection.len() == 1 => {
            match &select.projection[0] {
                SelectItem::UnnamedExpr(Expr::Function(function)) => Some(function),
                _ => None,
            }
        }
        _ => None,
    };
    let Some(function) = call else {
        ctx.info("skipped-statement", &stmt, "SELECT skipped (queries are not part of the schema)");
        return;
    };
    let function_name = super::last_ident(&function.name);
    let kind = function_name.as_str();
    if !matches!(kind, "create_distributed_table" | "create_distributed_table_concurrently" | "create_reference_table") {
        ctx.info("skipped-statement", &stmt, format!("SELECT {kind}(...) skipped (function calls are not part of the schema)"));
        return;
    }
    let mut positional = Vec::new();
    let mut named = Vec::new();
    if let FunctionArguments::List(list) = &function.args {
        for arg in &list.args {
            match arg {
                sqlparser::ast::FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) => positional.push(expr),
                sqlparser::ast::FunctionArg::Named { name, arg: FunctionArgExpr::Expr(expr), .. } => {
                    named.push((name.value.to_lowercase(), expr))
                }
                sqlparser::ast::FunctionArg::ExprNamed { name: Expr::Identifier(name), arg: FunctionArgExpr::Expr(expr), .. } => {
                    named.push((name.value.to_lowercase(), expr))
                }
                _ => {}
            }
        }
    }
    let string = |expr: &Expr| match expr {
        Expr::Value(value) => match &value.value {
            Value::SingleQuotedString(text) => Some(text.clone()),
            _ => None,
        },
        _ => None,
    };
    let Some(table) = positional.first().and_then(|expr| string(expr)).and_then(|text| regclass(&text)) else {
        ctx.error("syntax-error", &stmt, format!("{kind} needs the table name as its first argument, as a string"));
        return;
    };
    let distribution = if kind == "create_reference_table" {
        Distribution::Reference
    } else {
        let Some(column) = positional.get(1).and_then(|expr| string(expr)) else {
            ctx.error("syntax-error", &stmt, format!("{kind} needs the distribution column as its second argument, as a string"));
            return;
        };
        let mut colocation = Colocation::Default;
        let mut shard_count = None;
        for (name, expr) in &named {
            match (name.as_str(), string(expr)) {
                ("colocate_with", Some(text)) if text.eq_ignore_ascii_case("none") => colocation = Colocation::None,
                ("colocate_with", Some(text)) if text.eq_ignore_ascii_case("default") => colocation = Colocation::Default,
                ("colocate_with", Some(text)) => match regclass(&text) {
                    Some(other) => colocation = Colocation::Table(other),
                    None => ctx.error("syntax-error", &stmt, format!("colocate_with names no table: {text}")),
                },
                ("shard_count", _) => match expr.to_string().parse::<u32>() {
                    Ok(count) => shard_count = Some(count),
                    Err(_) => ctx.error("syntax-error", &stmt, format!("shard_count must be a positive integer, not {expr}")),
                },
                _ => {}
            }
        }
        Distribution::Hash {
            column: column_name(&column),
            colocation,
            shard_count,
        }
    };
    ctx.deferred.push(Deferred::Distribute { table, distribution, span: ctx.span(&stmt) });
}

/// A column name given as a string: folded unless double-quoted.
fn column_name(text: &str) -> Ident {
    match parser(text).and_then(|mut p| p.parse_identifier()) {
        Ok(id) => ident(&id),
        Err(_) => Ident::folded(text),
    }
}

/// A table name given as a string (`'app.orders'`, `'"Orders"'`), read the
/// way a `regclass` cast reads it.
fn regclass(text: &str) -> Option<QualifiedName> {
    let mut p = parser(text).ok()?;
    let name = p.parse_object_name(false).ok()?;
    forms::expect_end(&mut p).ok()?;
    Some(qualified(&name))
}

#[cfg(test)]
mod tests {
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
        let (id, f) = m.functions.iter().find(|(id, _)| id.name.name.as_str() == "f").expect("function f");
        assert_eq!(id.arg_types.len(), 2);
        assert_eq!(f.body, " select 1 ");
        assert_eq!(f.language, "sql");
        assert!(f.strict && f.security_definer);
        assert_eq!((f.volatility, f.parallel), (Volatility::Stable, Parallel::Safe));
        assert_eq!(f.config, vec![("search_path".to_string(), "app, public".to_string())]);
        let p = m.functions.values().find(|f| f.procedure).expect("procedure");
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
        assert_eq!(v.depends_on, vec![QualifiedName::new("app", "u"), QualifiedName::public("t")]);
        assert_eq!(
            v.options,
            vec![("check_option".to_string(), "local".to_string()), ("security_barrier".to_string(), "true".to_string())]
        );
        let mv = &m.views[&QualifiedName::public("mv")];
        assert!(mv.materialized);
        assert_eq!(mv.indexes.len(), 1);
    }

    #[test]
    fn triggers_and_policies() {
        let m = model(
            "CREATE TABLE t (a int);\nCREATE CONSTRAINT TRIGGER tr AFTER UPDATE OF a OR INSERT ON t DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (new.a > 0) EXECUTE PROCEDURE app.audit('t', 2);\nCREATE POLICY p ON t AS RESTRICTIVE FOR UPDATE TO zed, PUBLIC, alice USING (a > 0);",
        );
        let table = &m.tables[&QualifiedName::public("t")];
        let tr = &table.triggers[&Ident::new("tr")];
        assert_eq!(tr.events, vec![TriggerEvent::Insert, TriggerEvent::Update(vec![Ident::new("a")])]);
        assert_eq!(tr.args, vec!["t".to_string(), "2".to_string()]);
        assert_eq!(tr.function, QualifiedName::new("app", "audit"));
        assert!(tr.constraint && tr.deferrable && tr.initially_deferred && tr.for_each_row);
        let p = &table.policies[&Ident::new("p")];
        assert_eq!(p.roles, vec![Ident::new("alice"), Ident::new("zed")]);
        assert!(!p.permissive);
        assert_eq!(p.command, PolicyCommand::Update);
    }

    #[test]
    fn citus_distribution() {
        let m = model(
            "CREATE TABLE a (id int);\nCREATE TABLE b (id int, a_id int);\nCREATE TABLE c (id int);\nSELECT create_distributed_table('b', 'a_id', colocate_with => 'a', shard_count => 32);\nSELECT create_reference_table('public.c');\nSELECT create_distributed_table_concurrently('a', 'id');",
        );
        assert_eq!(
            m.tables[&QualifiedName::public("b")].distribution,
            Some(Distribution::Hash {
                column: Ident::new("a_id"),
                colocation: Colocation::Table(QualifiedName::public("a")),
                shard_count: Some(32)
            })
        );
        assert_eq!(m.tables[&QualifiedName::public("c")].distribution, Some(Distribution::Reference));
        assert!(matches!(m.tables[&QualifiedName::public("a")].distribution, Some(Distribution::Hash { colocation: Colocation::Default, .. })));
    }
}
