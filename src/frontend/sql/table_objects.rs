//! Objects that hang off a table: triggers, RLS policies, and the Citus
//! distribution calls (`SELECT create_distributed_table(...)`,
//! `create_distributed_table_concurrently`, `create_reference_table`).
//!
//! sqlparser 0.63 reads a trigger's `EXECUTE FUNCTION f('literal')` as a
//! parameter declaration, so the call is read here, from the statement
//! with everything before `EXECUTE` blanked out (offsets unchanged).
//!
//! Invariants: trigger events are in PostgreSQL's order; policy roles are
//! sorted and PUBLIC is the empty list; distribution calls are queued and
//! applied once the whole file is read; any other SELECT is skipped.

use super::forms::{self, run};
use super::objects::{is_word, parse_one};
use super::pgdump::Deferred;
use super::{blank, ident, parser, tokens, Ctx, Stmt};
use crate::model::{
    normalize, Colocation, Distribution, Ident, Policy, PolicyCommand, QualifiedName, Trigger,
    TriggerEvent, TriggerTiming,
};
use sqlparser::ast::{
    CreatePolicyCommand, CreatePolicyType, Expr, FunctionArgExpr, FunctionArguments, Owner,
    SelectItem, SetExpr, Statement, TriggerObject, TriggerObjectKind, TriggerPeriod,
    TriggerReferencingType, Value,
};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;

/// The name a `REFERENCING OLD|NEW TABLE [AS] name` clause gives the
/// transition relation of `kind`.
fn transition_table(
    create: &sqlparser::ast::CreateTrigger,
    kind: TriggerReferencingType,
) -> Option<Ident> {
    create
        .referencing
        .iter()
        .find(|clause| clause.refer_type == kind)
        .map(|clause| super::last_ident(&clause.transition_relation_name))
}

/// The trigger's function: an unqualified built-in resolves to
/// `pg_catalog` (searched first whatever the search_path says, and how
/// pg_dump prints it); any other unqualified name resolves through the
/// search_path.
fn trigger_function(ctx: &Ctx<'_>, name: &sqlparser::ast::ObjectName) -> QualifiedName {
    let function = ctx.function(name);
    let builtin = name.0.len() == 1
        && crate::model::BUILTIN_TRIGGER_FUNCTIONS.contains(&function.name.as_str());
    if builtin {
        QualifiedName::new("pg_catalog", function.name.as_str())
    } else {
        function
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
    let Some(execute_at) = toks
        .iter()
        .rev()
        .find(|(token, _)| is_word(token, Keyword::EXECUTE))
        .map(|(_, offset)| *offset)
    else {
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
    let table_name = ctx.relation(&create.table_name);
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
            Some(TriggerObjectKind::For(TriggerObject::Row))
                | Some(TriggerObjectKind::ForEach(TriggerObject::Row))
        ),
        when: create.condition.as_ref().map(normalize::expr_from_ast),
        function: trigger_function(ctx, &function),
        args,
        constraint: create.is_constraint,
        deferrable: create
            .characteristics
            .as_ref()
            .and_then(|c| c.deferrable)
            .unwrap_or(false),
        initially_deferred: create.characteristics.as_ref().and_then(|c| c.initially)
            == Some(sqlparser::ast::DeferrableInitial::Deferred),
        old_table: transition_table(&create, TriggerReferencingType::OldTable),
        new_table: transition_table(&create, TriggerReferencingType::NewTable),
        comment: None,
        meta: ctx.meta(&stmt),
    };
    super::lower::with_table(ctx, &stmt, &table_name, |ctx, table| {
        let name = trigger.name.clone();
        if table.triggers.insert(name.clone(), trigger).is_some() {
            ctx.error(
                "duplicate-object",
                &stmt,
                format!("trigger {name} is declared more than once on {table_name}"),
            );
        }
    });
}

/// `CREATE POLICY name ON table [AS ...] [FOR ...] [TO ...] [USING (...)] [WITH CHECK (...)]`.
pub(crate) fn create_policy(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let Some(Statement::CreatePolicy(mut create)) = parse_one(ctx, &stmt, stmt.text) else {
        return;
    };
    ctx.qualify_names(&mut create.using, false);
    ctx.qualify_names(&mut create.with_check, false);
    let mut roles: Vec<Ident> = create
        .to
        .iter()
        .flatten()
        .filter_map(|owner| match owner {
            Owner::Ident(id)
                if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("public") =>
            {
                None
            }
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
    let table_name = ctx.relation(&create.table_name);
    super::lower::with_table(ctx, &stmt, &table_name, |ctx, table| {
        let name = policy.name.clone();
        if table
            .policies
            .insert(name.clone(), Box::new(policy))
            .is_some()
        {
            ctx.error(
                "duplicate-object",
                &stmt,
                format!("policy {name} is declared more than once on {table_name}"),
            );
        }
    });
}

/// A string literal argument.
fn string(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Value(value) => match &value.value {
            Value::SingleQuotedString(text) => Some(text.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// `set_config('search_path', 'a, b', is_local)` (pg_dump and Rails print
/// it with `pg_catalog.`): sets the file's search_path and returns true;
/// false for any other setting or a value that is not a literal.
fn set_config_search_path(ctx: &mut Ctx<'_>, function: &sqlparser::ast::Function) -> bool {
    let FunctionArguments::List(list) = &function.args else {
        return false;
    };
    let literal = |idx: usize| match list.args.get(idx) {
        Some(sqlparser::ast::FunctionArg::Unnamed(FunctionArgExpr::Expr(expr))) => string(expr),
        _ => None,
    };
    if list.args.len() != 3
        || !literal(0).is_some_and(|name| name.eq_ignore_ascii_case("search_path"))
    {
        return false;
    }
    match literal(1).and_then(|value| super::search_path::path_from_text(&value)) {
        Some(path) => {
            ctx.search_path = path;
            true
        }
        None => false,
    }
}

/// `SELECT create_distributed_table[_concurrently](...)` and
/// `SELECT create_reference_table(...)` set a table's distribution,
/// `SELECT citus_schema_distribute(...)` a schema's; any other SELECT
/// (pg_dump's `set_config`) is skipped.
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
        ctx.info(
            "skipped-statement",
            &stmt,
            "SELECT skipped (queries are not part of the schema)",
        );
        return;
    };
    let function_name = super::last_ident(&function.name);
    let kind = function_name.as_str();
    if kind == "set_config" && set_config_search_path(ctx, function) {
        ctx.info(
            "skipped-statement",
            &stmt,
            format!(
                "SELECT set_config('search_path', ...): unqualified names below are created in and resolved through {}",
                super::search_path::describe(&ctx.search_path)
            ),
        );
        return;
    }
    if kind == "setval" {
        super::skipped::data(ctx, &stmt, "SELECT setval".to_string());
        return;
    }
    if kind == "citus_schema_distribute" {
        return distribute_schema(ctx, &stmt, function);
    }
    if !matches!(
        kind,
        "create_distributed_table"
            | "create_distributed_table_concurrently"
            | "create_reference_table"
    ) {
        let in_catalog = function.name.0.len() > 1
            && function.name.0[0]
                .as_ident()
                .is_some_and(|schema| super::ident(schema).as_str() == "pg_catalog");
        let builtin = in_catalog
            || matches!(
                kind,
                "set_config" | "current_setting" | "nextval" | "pg_reload_conf"
            );
        if builtin {
            ctx.info(
                "skipped-statement",
                &stmt,
                format!("SELECT {kind}(...) skipped (function calls are not part of the schema)"),
            );
        } else {
            // A function of the schema or an extension may create objects
            // (pg_partman's create_parent makes partitions).
            let message = format!("SELECT {kind}(...) not modelled: with a database, the shadow database runs it as written and what it creates is read from the catalog; offline, whatever it creates is not modelled");
            super::skipped::verbatim(ctx, &stmt, &message);
        }
        return;
    }
    let mut positional = Vec::new();
    let mut named = Vec::new();
    if let FunctionArguments::List(list) = &function.args {
        for arg in &list.args {
            match arg {
                sqlparser::ast::FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) => {
                    positional.push(expr)
                }
                sqlparser::ast::FunctionArg::Named {
                    name,
                    arg: FunctionArgExpr::Expr(expr),
                    ..
                } => named.push((name.value.to_lowercase(), expr)),
                sqlparser::ast::FunctionArg::ExprNamed {
                    name: Expr::Identifier(name),
                    arg: FunctionArgExpr::Expr(expr),
                    ..
                } => named.push((name.value.to_lowercase(), expr)),
                _ => {}
            }
        }
    }
    let Some(table) = positional
        .first()
        .and_then(|expr| string(expr))
        .and_then(|text| regclass(ctx, &text))
    else {
        ctx.error(
            "syntax-error",
            &stmt,
            format!("{kind} needs the table name as its first argument, as a string"),
        );
        return;
    };
    let distribution = if kind == "create_reference_table" {
        Distribution::Reference
    } else {
        let Some(column) = positional.get(1).and_then(|expr| string(expr)) else {
            ctx.error(
                "syntax-error",
                &stmt,
                format!("{kind} needs the distribution column as its second argument, as a string"),
            );
            return;
        };
        let mut colocation = Colocation::Default;
        let mut shard_count = None;
        for (name, expr) in &named {
            match (name.as_str(), string(expr)) {
                ("colocate_with", Some(text)) if text.eq_ignore_ascii_case("none") => {
                    colocation = Colocation::None
                }
                ("colocate_with", Some(text)) if text.eq_ignore_ascii_case("default") => {
                    colocation = Colocation::Default
                }
                ("colocate_with", Some(text)) => match regclass(ctx, &text) {
                    Some(other) => colocation = Colocation::Table(other),
                    None => ctx.error(
                        "syntax-error",
                        &stmt,
                        format!("colocate_with names no table: {text}"),
                    ),
                },
                ("shard_count", _) => match expr.to_string().parse::<u32>() {
                    Ok(count) => shard_count = Some(count),
                    Err(_) => ctx.error(
                        "syntax-error",
                        &stmt,
                        format!("shard_count must be a positive integer, not {expr}"),
                    ),
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
    ctx.deferred.push(Deferred::Distribute {
        table,
        distribution,
        span: ctx.span(&stmt),
    });
}

/// `SELECT citus_schema_distribute('s')`: the schema is distributed
/// (Citus schema-based sharding).
fn distribute_schema(ctx: &mut Ctx<'_>, stmt: &Stmt<'_>, function: &sqlparser::ast::Function) {
    let first = match &function.args {
        FunctionArguments::List(list) if list.args.len() == 1 => match &list.args[0] {
            sqlparser::ast::FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) => string(expr),
            _ => None,
        },
        _ => None,
    };
    let Some(schema) = first.map(|text| column_name(&text)) else {
        ctx.error(
            "syntax-error",
            stmt,
            "citus_schema_distribute needs the schema name as its one argument, as a string"
                .to_string(),
        );
        return;
    };
    ctx.deferred.push(Deferred::DistributeSchema {
        schema,
        span: ctx.span(stmt),
    });
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
fn regclass(ctx: &Ctx<'_>, text: &str) -> Option<QualifiedName> {
    let mut p = parser(text).ok()?;
    let name = p.parse_object_name(false).ok()?;
    forms::expect_end(&mut p).ok()?;
    Some(ctx.relation(&name))
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
    fn builtin_trigger_functions_are_pg_catalog_s() {
        let m = model(
            "CREATE TABLE t (a int, tsv tsvector, body text);\nCREATE TRIGGER x BEFORE UPDATE ON t FOR EACH ROW EXECUTE PROCEDURE suppress_redundant_updates_trigger();\nCREATE TRIGGER y BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger(tsv, 'pg_catalog.english', body);\nCREATE TRIGGER z BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION app.suppress_redundant_updates_trigger();\nCREATE TRIGGER w BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION mine();",
        );
        let table = &m.tables[&QualifiedName::public("t")];
        let function = |name: &str| table.triggers[&Ident::new(name)].function.to_string();
        assert_eq!(
            function("x"),
            "pg_catalog.suppress_redundant_updates_trigger"
        );
        assert_eq!(function("y"), "pg_catalog.tsvector_update_trigger");
        assert_eq!(function("z"), "app.suppress_redundant_updates_trigger");
        assert_eq!(function("w"), "public.mine");
        let y = &table.triggers[&Ident::new("y")];
        assert_eq!(y.args, vec!["tsv", "pg_catalog.english", "body"]);
    }

    #[test]
    fn triggers_and_policies() {
        let m = model(
            "CREATE TABLE t (a int);\nCREATE CONSTRAINT TRIGGER tr AFTER UPDATE OF a OR INSERT ON t DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (new.a > 0) EXECUTE PROCEDURE app.audit('t', 2);\nCREATE POLICY p ON t AS RESTRICTIVE FOR UPDATE TO zed, PUBLIC, alice USING (a > 0);",
        );
        let table = &m.tables[&QualifiedName::public("t")];
        let tr = &table.triggers[&Ident::new("tr")];
        assert_eq!(
            tr.events,
            vec![
                TriggerEvent::Insert,
                TriggerEvent::Update(vec![Ident::new("a")])
            ]
        );
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
        assert_eq!(
            m.tables[&QualifiedName::public("c")].distribution,
            Some(Distribution::Reference)
        );
        assert!(matches!(
            m.tables[&QualifiedName::public("a")].distribution,
            Some(Distribution::Hash {
                colocation: Colocation::Default,
                ..
            })
        ));
    }

    /// `citus_schema_distribute` marks the schema, wherever it stands in
    /// the file, equal to `schema ... distributed` in the `.schema`
    /// language; an undeclared schema and `public` are errors.
    #[test]
    fn citus_schema_distribution() {
        let m = model(
            "SELECT citus_schema_distribute('Tenant');\nCREATE SCHEMA tenant;\nCREATE SCHEMA other;\nCREATE TABLE tenant.t (id int);",
        );
        assert!(m.schemas[&Ident::new("tenant")].distributed);
        assert!(!m.schemas[&Ident::new("other")].distributed);
        let dsl = crate::frontend::load(&crate::source::SourceSet::single(
            "app.schema",
            "schema tenant distributed\nschema other\ntable tenant.t {\n  id  int\n}\n",
        ));
        assert!(dsl.diagnostics.is_empty(), "{:?}", dsl.diagnostics);
        assert_eq!(dsl.value.schemas, m.schemas);
        // Citus places the tables of a distributed schema itself.
        let own = crate::frontend::load(&crate::source::SourceSet::single(
            "app.schema",
            "schema tenant distributed\ntable tenant.t {\n  id  int\n  shard reference\n}\n",
        ));
        assert!(
            crate::model::validate::validate(&own.value)
                .iter()
                .any(|diagnostic| diagnostic.code == "invalid-distribution"),
            "a table of a distributed schema with a distribution of its own is an error"
        );
        for (text, message) in [
            (
                "SELECT citus_schema_distribute('nowhere');",
                "schema nowhere is not declared",
            ),
            (
                "SELECT citus_schema_distribute('public');",
                "the public schema cannot be distributed",
            ),
            (
                "CREATE SCHEMA s;\nSELECT citus_schema_distribute();",
                "needs the schema name",
            ),
        ] {
            let parsed = crate::frontend::load(&crate::source::SourceSet::single("app.sql", text));
            assert!(
                parsed
                    .diagnostics
                    .iter()
                    .any(|diagnostic| diagnostic.message.contains(message)),
                "{text}: {:?}",
                parsed.diagnostics
            );
        }
    }
}
