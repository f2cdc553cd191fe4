//! Targeted recognizers for the statement forms sqlparser 0.63 cannot read
//! whole (see notes/crates-and-sql-forms.md), built from sqlparser's public
//! parsing primitives so errors keep sqlparser's line:column locations:
//! `ALTER TABLE` (ATTACH PARTITION, ALTER COLUMN ... ADD GENERATED ... AS
//! IDENTITY with pg_dump's options, RLS switches, ADD CONSTRAINT with
//! `SET NULL (cols)`), `ALTER INDEX ... ATTACH PARTITION`, `CREATE SCHEMA`,
//! `CREATE EXTENSION`, `CREATE ROLE`. Sequences live in [`super::sequence`],
//! enums and domains in [`super::types`], `COMMENT ON` in [`super::comment`].
//!
//! Invariant: a recognizer consumes the whole statement or reports a
//! `syntax-error`; it never guesses past a token it does not understand.

use super::pgdump::Deferred;
use super::sequence::{sequence_options, SeqOpts};
use super::{ident, lower, skipped, Ctx, Stmt};
use crate::model::{normalize, Extension, Ident, Identity, Role, Schema};
use sqlparser::ast::{Expr, ObjectName};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

/// Runs a recognizer over `text` (the statement, possibly with some tokens
/// blanked out to spaces so offsets are unchanged); reports its error.
pub(crate) fn run<T>(
    ctx: &mut Ctx<'_>,
    stmt: &Stmt<'_>,
    text: &str,
    recognize: impl FnOnce(&mut Parser<'static>) -> Result<T, ParserError>,
) -> Option<T> {
    let result = ctx.parser(stmt, text).and_then(|mut p| {
        let value = recognize(&mut p)?;
        expect_end(&mut p)?;
        Ok(value)
    });
    match result {
        Ok(value) => Some(value),
        Err(error) => {
            ctx.syntax_error(stmt, &error);
            None
        }
    }
}

pub(crate) fn expect_end(p: &mut Parser<'_>) -> Result<(), ParserError> {
    let _ = p.consume_token(&Token::SemiColon);
    if p.peek_token().token == Token::EOF {
        Ok(())
    } else {
        p.expected("end of statement", p.peek_token())
    }
}

/// One action of `ALTER TABLE`.
enum TableAction {
    AddColumn(sqlparser::ast::ColumnDef),
    /// The constraint and whether it is added `NOT VALID`.
    AddConstraint(sqlparser::ast::TableConstraint, bool),
    Attach(ObjectName, crate::model::PartitionBound),
    Rls {
        enable: Option<bool>,
        force: Option<bool>,
    },
    SetDefault(Ident, Option<Expr>),
    NotNull(Ident, bool),
    Identity(Ident, bool, SeqOpts),
    SetType(Ident, String),
    /// Understood but not modelled (OWNER TO, CLUSTER ON, SET STATISTICS, ...).
    Skip(&'static str),
    /// `DROP CONSTRAINT [IF EXISTS] name`: what the file declared so far
    /// loses the constraint, as PostgreSQL's catalog would.
    DropConstraint {
        name: Ident,
        if_exists: bool,
    },
    /// `{ENABLE [REPLICA | ALWAYS] | DISABLE} RULE name`.
    RuleFiring(Ident, crate::model::RuleFiring),
    /// `SET (name = value, ...)`: storage parameters.
    SetOptions(Vec<(String, String)>),
    /// `RESET (name, ...)`.
    ResetOptions(Vec<String>),
}

/// `ALTER TABLE [IF EXISTS] [ONLY] name action [, ...]`.
pub(crate) fn alter_table(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let text = blank_fk_set_columns(stmt.text);
    let Some((name, table_if_exists, actions)) = run(ctx, &stmt, &text, |p| {
        p.expect_keywords(&[Keyword::ALTER, Keyword::TABLE])?;
        let if_exists = p.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
        let _ = p.parse_keyword(Keyword::ONLY);
        let name = p.parse_object_name(false)?;
        let _ = p.consume_token(&Token::Mul);
        let actions = p.parse_comma_separated(table_action)?;
        Ok((name, if_exists, actions))
    }) else {
        return;
    };
    let table_name = ctx.relation(&name);
    // `ALTER TABLE IF EXISTS` of a table the file has not created (yet):
    // PostgreSQL does nothing, and neither does the Model. pg_dump --clean
    // starts with one such statement per constraint.
    if table_if_exists && !ctx.model.tables.contains_key(&table_name) {
        super::skipped::no_op_drop(ctx, &stmt, format!("ALTER TABLE IF EXISTS {table_name}"));
        return;
    }
    for mut action in actions {
        match &mut action {
            TableAction::AddColumn(column) => ctx.qualify_names(column, false),
            TableAction::AddConstraint(constraint, _) => ctx.qualify_names(constraint, false),
            TableAction::SetDefault(_, default) => ctx.qualify_names(default, false),
            _ => {}
        }
        match action {
            TableAction::Skip(what) => ctx.info(
                "skipped-statement",
                &stmt,
                format!("ALTER TABLE ... {what} skipped (not part of the Model)"),
            ),
            TableAction::Attach(child, bound) => ctx.deferred.push(Deferred::AttachPartition {
                parent: table_name.clone(),
                child: ctx.relation(&child),
                bound,
                span: ctx.span(&stmt),
            }),
            action => {
                lower::with_table(ctx, &stmt, &table_name, |ctx, table| {
                    apply_table_action(ctx, &stmt, table, action)
                });
            }
        }
    }
}

fn apply_table_action(
    ctx: &mut Ctx<'_>,
    stmt: &Stmt<'_>,
    table: &mut crate::model::Table,
    action: TableAction,
) {
    let column_or_error = |ctx: &mut Ctx<'_>, name: &Ident| {
        let found = table.columns.iter().position(|column| &column.name == name);
        if found.is_none() {
            ctx.error(
                "unknown-reference",
                stmt,
                format!("column {name} does not exist in table {}", table.name),
            );
        }
        found
    };
    // pg_dump repeats a parent's default on each inheritance child
    // (`ALTER TABLE ONLY child ALTER COLUMN c SET DEFAULT ...`); inherited
    // columns are the parent's in the Model.
    if let TableAction::SetDefault(column, _) | TableAction::NotNull(column, _) = &action {
        if !table.inherits.is_empty() && table.column(column).is_none() {
            ctx.info(
                "skipped-statement",
                stmt,
                format!(
                    "ALTER COLUMN {column} of {} skipped: the column is inherited, and inherited columns follow their parent",
                    table.name
                ),
            );
            return;
        }
    }
    match action {
        TableAction::AddColumn(def) => lower::add_column(ctx, stmt, table, &def),
        TableAction::AddConstraint(constraint, not_valid) => {
            let before: Vec<Ident> = table.constraints.keys().cloned().collect();
            lower::add_table_constraint(ctx, stmt, table, &constraint);
            if not_valid {
                mark_not_valid(ctx, stmt, table, &before);
            }
        }
        TableAction::Rls { enable, force } => {
            if let Some(enable) = enable {
                table.rls.enabled = enable;
            }
            if let Some(force) = force {
                table.rls.forced = force;
            }
        }
        TableAction::SetDefault(column, default) => {
            if let Some(idx) = column_or_error(ctx, &column) {
                table.columns[idx].default = default.as_ref().map(normalize::expr_from_ast);
            }
        }
        TableAction::NotNull(column, not_null) => {
            if let Some(idx) = column_or_error(ctx, &column) {
                table.columns[idx].not_null = not_null;
            }
        }
        TableAction::Identity(column, always, options) => {
            if let Some(idx) = column_or_error(ctx, &column) {
                let ty = table.columns[idx].ty.clone();
                table.columns[idx].identity = Some(Box::new(Identity {
                    always,
                    options: options.build(ty),
                }));
                table.columns[idx].not_null = true;
            }
        }
        TableAction::SetType(column, spelling) => {
            if let Some(idx) = column_or_error(ctx, &column) {
                table.columns[idx].ty = ctx.type_name(&spelling);
            }
        }
        TableAction::DropConstraint { name, if_exists } => {
            if table.constraints.remove(&name).is_none() {
                if if_exists {
                    super::skipped::no_op_drop(ctx, stmt, format!("DROP CONSTRAINT {name}"));
                } else {
                    ctx.error(
                        "unknown-reference",
                        stmt,
                        format!("constraint {name} of table {} does not exist", table.name),
                    );
                }
            }
        }
        TableAction::RuleFiring(name, firing) => match table.rules.get_mut(&name) {
            Some(rule) => rule.firing = firing,
            None => ctx.error(
                "unknown-reference",
                stmt,
                format!(
                    "rule {name} on table {} is not declared before this statement",
                    table.name
                ),
            ),
        },
        TableAction::SetOptions(options) => {
            for (name, value) in options {
                table.options.set(&name, &value);
            }
        }
        TableAction::ResetOptions(names) => {
            for name in names {
                table.options.0.remove(&name);
            }
        }
        TableAction::Attach(..) | TableAction::Skip(_) => {}
    }
}

/// `ADD CONSTRAINT ... NOT VALID`: the constraint just added (the one not
/// in `before`) is NOT VALID; PostgreSQL allows that for CHECK and FOREIGN
/// KEY only.
fn mark_not_valid(
    ctx: &mut Ctx<'_>,
    stmt: &Stmt<'_>,
    table: &mut crate::model::Table,
    before: &[Ident],
) {
    let added = table
        .constraints
        .values_mut()
        .filter(|constraint| !before.contains(&constraint.name));
    for constraint in added {
        match constraint.kind {
            crate::model::ConstraintKind::Check { .. }
            | crate::model::ConstraintKind::ForeignKey(_) => constraint.not_valid = true,
            crate::model::ConstraintKind::PrimaryKey { .. }
            | crate::model::ConstraintKind::Unique { .. }
            | crate::model::ConstraintKind::Exclude { .. } => ctx.error(
                "syntax-error",
                stmt,
                format!(
                    "constraint {} of table {} cannot be NOT VALID (only CHECK and FOREIGN KEY constraints can); remove NOT VALID",
                    constraint.name, table.name
                ),
            ),
        }
    }
}

fn table_action(p: &mut Parser<'_>) -> Result<TableAction, ParserError> {
    if p.parse_keyword(Keyword::ADD) {
        let constraint_start = matches!(
            p.peek_token().token,
            Token::Word(ref word) if matches!(word.keyword,
                Keyword::CONSTRAINT | Keyword::PRIMARY | Keyword::UNIQUE | Keyword::CHECK
                | Keyword::FOREIGN | Keyword::EXCLUDE)
        );
        if constraint_start {
            let Some(constraint) = p.parse_optional_table_constraint()? else {
                return p.expected("a table constraint", p.peek_token());
            };
            let not_valid = p.parse_keywords(&[Keyword::NOT, Keyword::VALID]);
            return Ok(TableAction::AddConstraint(constraint, not_valid));
        }
        let _ = p.parse_keyword(Keyword::COLUMN);
        let _ = p.parse_keywords(&[Keyword::IF, Keyword::NOT, Keyword::EXISTS]);
        return Ok(TableAction::AddColumn(p.parse_column_def()?));
    }
    if p.parse_keywords(&[Keyword::ATTACH, Keyword::PARTITION]) {
        let child = p.parse_object_name(false)?;
        let bound = partition_bound(p)?;
        return Ok(TableAction::Attach(child, bound));
    }
    if let Some(firing) = rule_firing(p) {
        return Ok(TableAction::RuleFiring(
            ident(&p.parse_identifier()?),
            firing,
        ));
    }
    if p.parse_keywords(&[
        Keyword::ENABLE,
        Keyword::ROW,
        Keyword::LEVEL,
        Keyword::SECURITY,
    ]) {
        return Ok(TableAction::Rls {
            enable: Some(true),
            force: None,
        });
    }
    if p.parse_keywords(&[
        Keyword::DISABLE,
        Keyword::ROW,
        Keyword::LEVEL,
        Keyword::SECURITY,
    ]) {
        return Ok(TableAction::Rls {
            enable: Some(false),
            force: None,
        });
    }
    if p.parse_keywords(&[
        Keyword::FORCE,
        Keyword::ROW,
        Keyword::LEVEL,
        Keyword::SECURITY,
    ]) {
        return Ok(TableAction::Rls {
            enable: None,
            force: Some(true),
        });
    }
    if p.parse_keywords(&[
        Keyword::NO,
        Keyword::FORCE,
        Keyword::ROW,
        Keyword::LEVEL,
        Keyword::SECURITY,
    ]) {
        return Ok(TableAction::Rls {
            enable: None,
            force: Some(false),
        });
    }
    if p.parse_keyword(Keyword::ALTER) {
        let _ = p.parse_keyword(Keyword::COLUMN);
        let column = ident(&p.parse_identifier()?);
        return alter_column(p, column);
    }
    if p.parse_keyword(Keyword::SET) {
        if p.consume_token(&Token::LParen) {
            let options = p.parse_comma_separated(|p| {
                let name = option_name(p)?;
                let value = if p.consume_token(&Token::Eq) {
                    option_value(p)?
                } else {
                    "true".to_string()
                };
                Ok((name, value))
            })?;
            p.expect_token(&Token::RParen)?;
            return Ok(TableAction::SetOptions(options));
        }
        p.prev_token();
    }
    if p.parse_keyword(Keyword::RESET) {
        p.expect_token(&Token::LParen)?;
        let names = p.parse_comma_separated(option_name)?;
        p.expect_token(&Token::RParen)?;
        return Ok(TableAction::ResetOptions(names));
    }
    if p.parse_keywords(&[Keyword::OWNER, Keyword::TO]) {
        let _ = p.parse_identifier()?;
        return Ok(TableAction::Skip("OWNER TO"));
    }
    if p.parse_keywords(&[Keyword::CLUSTER, Keyword::ON]) {
        let _ = p.parse_identifier()?;
        return Ok(TableAction::Skip("CLUSTER ON"));
    }
    if p.parse_keywords(&[Keyword::REPLICA, Keyword::IDENTITY]) {
        skip_to_action_end(p);
        return Ok(TableAction::Skip("REPLICA IDENTITY"));
    }
    if p.parse_keywords(&[Keyword::DROP, Keyword::CONSTRAINT]) {
        let if_exists = p.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
        let name = ident(&p.parse_identifier()?);
        let _ = p.parse_one_of_keywords(&[Keyword::CASCADE, Keyword::RESTRICT]);
        return Ok(TableAction::DropConstraint { name, if_exists });
    }
    p.expected(
        "ADD, ATTACH PARTITION, ALTER COLUMN, DROP CONSTRAINT, [NO] FORCE/ENABLE/DISABLE ROW LEVEL SECURITY, ENABLE/DISABLE RULE, SET (...), RESET (...) or OWNER TO",
        p.peek_token(),
    )
}

/// A storage parameter's name: `fillfactor`, `toast.autovacuum_enabled`.
pub(crate) fn option_name(p: &mut Parser<'_>) -> Result<String, ParserError> {
    let mut name = p.parse_identifier()?.value.to_lowercase();
    if p.consume_token(&Token::Period) {
        name.push('.');
        name.push_str(&p.parse_identifier()?.value.to_lowercase());
    }
    Ok(name)
}

/// A storage parameter's value: a number, a quoted string, or a word
/// (`off`, `true`).
pub(crate) fn option_value(p: &mut Parser<'_>) -> Result<String, ParserError> {
    let negative = p.consume_token(&Token::Minus);
    let token = p.next_token();
    let text = match &token.token {
        Token::Number(text, _) => text.clone(),
        Token::SingleQuotedString(text) => text.clone(),
        Token::Word(word) => word.value.clone(),
        _ => return p.expected("a storage parameter value", token),
    };
    Ok(if negative { format!("-{text}") } else { text })
}

/// `ENABLE [REPLICA | ALWAYS] RULE` or `DISABLE RULE` (pg_dump prints them
/// after a rule that does not fire on origin), the rule's name next.
fn rule_firing(p: &mut Parser<'_>) -> Option<crate::model::RuleFiring> {
    use crate::model::RuleFiring;
    if p.parse_keywords(&[Keyword::DISABLE, Keyword::RULE]) {
        Some(RuleFiring::Disabled)
    } else if p.parse_keywords(&[Keyword::ENABLE, Keyword::REPLICA, Keyword::RULE]) {
        Some(RuleFiring::Replica)
    } else if p.parse_keywords(&[Keyword::ENABLE, Keyword::ALWAYS, Keyword::RULE]) {
        Some(RuleFiring::Always)
    } else if p.parse_keywords(&[Keyword::ENABLE, Keyword::RULE]) {
        Some(RuleFiring::Origin)
    } else {
        None
    }
}

fn alter_column(p: &mut Parser<'_>, column: Ident) -> Result<TableAction, ParserError> {
    if p.parse_keywords(&[Keyword::SET, Keyword::DEFAULT]) {
        return Ok(TableAction::SetDefault(column, Some(p.parse_expr()?)));
    }
    if p.parse_keywords(&[Keyword::DROP, Keyword::DEFAULT]) {
        return Ok(TableAction::SetDefault(column, None));
    }
    if p.parse_keywords(&[Keyword::SET, Keyword::NOT, Keyword::NULL]) {
        return Ok(TableAction::NotNull(column, true));
    }
    if p.parse_keywords(&[Keyword::DROP, Keyword::NOT, Keyword::NULL]) {
        return Ok(TableAction::NotNull(column, false));
    }
    if p.parse_keywords(&[Keyword::ADD, Keyword::GENERATED]) {
        let always = if p.parse_keyword(Keyword::ALWAYS) {
            true
        } else {
            p.expect_keywords(&[Keyword::BY, Keyword::DEFAULT])?;
            false
        };
        p.expect_keywords(&[Keyword::AS, Keyword::IDENTITY])?;
        let options = if p.consume_token(&Token::LParen) {
            let options = sequence_options(p)?;
            p.expect_token(&Token::RParen)?;
            options
        } else {
            SeqOpts::default()
        };
        return Ok(TableAction::Identity(column, always, options));
    }
    if p.parse_keywords(&[Keyword::SET, Keyword::DATA, Keyword::TYPE])
        || p.parse_keyword(Keyword::TYPE)
    {
        let ty = p.parse_data_type()?;
        if p.parse_keyword(Keyword::USING) {
            let _ = p.parse_expr()?;
        }
        return Ok(TableAction::SetType(column, ty.to_string()));
    }
    if p.parse_keywords(&[Keyword::SET, Keyword::STATISTICS]) {
        skip_to_action_end(p);
        return Ok(TableAction::Skip("ALTER COLUMN SET STATISTICS"));
    }
    if p.parse_keywords(&[Keyword::SET, Keyword::STORAGE]) {
        skip_to_action_end(p);
        return Ok(TableAction::Skip("ALTER COLUMN SET STORAGE"));
    }
    if p.parse_keywords(&[Keyword::SET, Keyword::COMPRESSION]) {
        skip_to_action_end(p);
        return Ok(TableAction::Skip("ALTER COLUMN SET COMPRESSION"));
    }
    p.expected(
        "SET/DROP DEFAULT, SET/DROP NOT NULL, TYPE or ADD GENERATED ... AS IDENTITY",
        p.peek_token(),
    )
}

/// Skips tokens up to the next top-level comma or the end.
fn skip_to_action_end(p: &mut Parser<'_>) {
    let mut depth = 0usize;
    loop {
        match p.peek_token().token {
            Token::EOF | Token::SemiColon => return,
            Token::Comma if depth == 0 => return,
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        p.next_token();
    }
}

/// `FOR VALUES IN (...) | FROM (...) TO (...) | WITH (MODULUS n, REMAINDER n)` or `DEFAULT`.
pub(crate) fn partition_bound(
    p: &mut Parser<'_>,
) -> Result<crate::model::PartitionBound, ParserError> {
    use crate::model::PartitionBound;
    if p.parse_keyword(Keyword::DEFAULT) {
        return Ok(PartitionBound::Default);
    }
    p.expect_keywords(&[Keyword::FOR, Keyword::VALUES])?;
    if p.parse_keyword(Keyword::IN) {
        p.expect_token(&Token::LParen)?;
        let values = p.parse_comma_separated(Parser::parse_expr)?;
        p.expect_token(&Token::RParen)?;
        return Ok(PartitionBound::List(
            values.iter().map(lower::bound_value).collect(),
        ));
    }
    if p.parse_keyword(Keyword::FROM) {
        let from = range_bound(p)?;
        p.expect_keyword(Keyword::TO)?;
        let to = range_bound(p)?;
        return Ok(PartitionBound::Range { from, to });
    }
    p.expect_keyword(Keyword::WITH)?;
    p.expect_token(&Token::LParen)?;
    p.expect_keyword(Keyword::MODULUS)?;
    let modulus = p.parse_literal_uint()?;
    p.expect_token(&Token::Comma)?;
    p.expect_keyword(Keyword::REMAINDER)?;
    let remainder = p.parse_literal_uint()?;
    p.expect_token(&Token::RParen)?;
    Ok(PartitionBound::Hash {
        modulus: u32::try_from(modulus).unwrap_or(u32::MAX),
        remainder: u32::try_from(remainder).unwrap_or(u32::MAX),
    })
}

fn range_bound(p: &mut Parser<'_>) -> Result<Vec<crate::model::BoundValue>, ParserError> {
    use crate::model::BoundValue;
    p.expect_token(&Token::LParen)?;
    let values = p.parse_comma_separated(|p| {
        if p.parse_keyword(Keyword::MINVALUE) {
            Ok(BoundValue::MinValue)
        } else if p.parse_keyword(Keyword::MAXVALUE) {
            Ok(BoundValue::MaxValue)
        } else {
            Ok(lower::bound_value(&p.parse_expr()?))
        }
    })?;
    p.expect_token(&Token::RParen)?;
    Ok(values)
}

/// `ON DELETE SET NULL (cols)` / `SET DEFAULT (cols)` (PostgreSQL 15): the
/// column list is blanked out (same length, so offsets stay valid) because
/// sqlparser cannot read it and the Model's `FkAction` has no column list.
pub(crate) fn blank_fk_set_columns(text: &str) -> String {
    let upper = text.to_uppercase();
    let mut out = text.to_string();
    if upper.len() != text.len() {
        return out;
    }
    let mut search_from = 0;
    while let Some(found) = upper[search_from..].find("DELETE") {
        let after_delete = search_from + found + "DELETE".len();
        search_from = after_delete;
        let rest = &upper[after_delete..];
        let trimmed = rest.trim_start();
        let Some(after_set) = trimmed.strip_prefix("SET") else {
            continue;
        };
        let after_action = after_set.trim_start();
        let after_action = after_action
            .strip_prefix("NULL")
            .or_else(|| after_action.strip_prefix("DEFAULT"));
        let Some(after_action) = after_action else {
            continue;
        };
        if !after_action.trim_start().starts_with('(') {
            continue;
        }
        let open = upper.len() - after_action.trim_start().len();
        let Some(close) = upper[open..].find(')') else {
            continue;
        };
        out.replace_range(open..=open + close, &" ".repeat(close + 1));
    }
    out
}

/// `ALTER INDEX [IF EXISTS] parent ATTACH PARTITION child`.
pub(crate) fn alter_index(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let words = super::dispatch::leading_words(stmt.text, 8);
    if !words.iter().any(|word| word == "ATTACH") {
        skipped::other(ctx, stmt, &words);
        return;
    }
    let Some((parent, child)) = run(ctx, &stmt, stmt.text, |p| {
        p.expect_keywords(&[Keyword::ALTER, Keyword::INDEX])?;
        let _ = p.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
        let parent = p.parse_object_name(false)?;
        p.expect_keywords(&[Keyword::ATTACH, Keyword::PARTITION])?;
        Ok((parent, p.parse_object_name(false)?))
    }) else {
        return;
    };
    ctx.deferred.push(Deferred::AttachIndex {
        parent: ctx.object(&parent),
        child: ctx.object(&child),
        span: ctx.span(&stmt),
    });
}

/// `CREATE SCHEMA [IF NOT EXISTS] name [AUTHORIZATION role]` (`public` is implicit).
pub(crate) fn create_schema(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let Some(name) = run(ctx, &stmt, stmt.text, |p| {
        p.expect_keywords(&[Keyword::CREATE, Keyword::SCHEMA])?;
        let _ = p.parse_keywords(&[Keyword::IF, Keyword::NOT, Keyword::EXISTS]);
        if p.parse_keyword(Keyword::AUTHORIZATION) {
            return p.parse_identifier();
        }
        let name = p.parse_identifier()?;
        if p.parse_keyword(Keyword::AUTHORIZATION) {
            let _ = p.parse_identifier()?;
        }
        Ok(name)
    }) else {
        return;
    };
    let name = ident(&name);
    if name.as_str() == "public" {
        return;
    }
    let schema = Schema {
        name: name.clone(),
        comment: None,
        distributed: false,
        meta: ctx.meta(&stmt),
    };
    if ctx.model.schemas.insert(name.clone(), schema).is_some() {
        ctx.error(
            "duplicate-object",
            &stmt,
            format!("schema {name} is declared more than once"),
        );
    }
}

/// `CREATE EXTENSION [IF NOT EXISTS] name [WITH] [SCHEMA s] [VERSION v] [CASCADE]`.
pub(crate) fn create_extension(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let Some((name, schema, version)) = run(ctx, &stmt, stmt.text, |p| {
        p.expect_keywords(&[Keyword::CREATE, Keyword::EXTENSION])?;
        let _ = p.parse_keywords(&[Keyword::IF, Keyword::NOT, Keyword::EXISTS]);
        let name = p.parse_identifier()?;
        let _ = p.parse_keyword(Keyword::WITH);
        let (mut schema, mut version) = (None, None);
        loop {
            if p.parse_keyword(Keyword::SCHEMA) {
                schema = Some(ident(&p.parse_identifier()?));
            } else if p.parse_keyword(Keyword::VERSION) {
                version = Some(match p.peek_token().token {
                    Token::SingleQuotedString(_) => p.parse_literal_string()?,
                    _ => p.parse_identifier()?.value,
                });
            } else if !p.parse_keyword(Keyword::CASCADE) {
                return Ok((name, schema, version));
            }
        }
    }) else {
        return;
    };
    let name = ident(&name);
    let extension = Extension {
        name: name.clone(),
        schema: schema.unwrap_or_else(|| Ident::new("public")),
        version,
        meta: ctx.meta(&stmt),
    };
    if ctx
        .model
        .extensions
        .insert(name.clone(), extension)
        .is_some()
    {
        ctx.error(
            "duplicate-object",
            &stmt,
            format!("extension {name} is declared more than once"),
        );
    }
}

/// `CREATE ROLE|USER|GROUP name [options]`: only the name is kept (roles
/// are cluster-wide; the Model only records that the schema refers to them).
pub(crate) fn create_role(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let Some(name) = run(ctx, &stmt, stmt.text, |p| {
        p.expect_keyword(Keyword::CREATE)?;
        let _ = p.parse_one_of_keywords(&[Keyword::ROLE, Keyword::USER, Keyword::GROUP]);
        let name = p.parse_identifier()?;
        skip_to_action_end(p);
        Ok(name)
    }) else {
        return;
    };
    let name = ident(&name);
    ctx.model.roles.insert(
        name.clone(),
        Role {
            name,
            meta: ctx.meta(&stmt),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_fk_set_null_columns_in_place() {
        let sql =
            "ALTER TABLE t ADD FOREIGN KEY (a, b) REFERENCES u ON DELETE SET NULL (b) DEFERRABLE";
        let blanked = blank_fk_set_columns(sql);
        assert_eq!(blanked.len(), sql.len());
        assert_eq!(
            blanked,
            "ALTER TABLE t ADD FOREIGN KEY (a, b) REFERENCES u ON DELETE SET NULL     DEFERRABLE"
        );
        let untouched = "ALTER TABLE t ALTER COLUMN c SET DEFAULT (1)";
        assert_eq!(blank_fk_set_columns(untouched), untouched);
    }

    /// A pg_dump --clean prologue changes nothing (one note for all of
    /// it); a DROP CONSTRAINT of a declared constraint removes it, as
    /// PostgreSQL would; a missing one without IF EXISTS is an error.
    #[test]
    fn drop_constraint_follows_postgresql() {
        use crate::diagnostics::Severity;
        use crate::source::{FileId, Language, SourceFile};
        let load = |text: &str| {
            let file = SourceFile::new(FileId(0), "t.sql".into(), text.to_string(), Language::Sql);
            super::super::load_file(&file)
        };
        let parsed = load(concat!(
            "ALTER TABLE IF EXISTS ONLY public.b DROP CONSTRAINT IF EXISTS b_fk;\n",
            "ALTER TABLE IF EXISTS ONLY public.b DROP CONSTRAINT IF EXISTS b_check;\n",
            "CREATE TABLE public.b (id integer, CONSTRAINT b_check CHECK (id > 0), CONSTRAINT b_other CHECK (id < 9));\n",
            "ALTER TABLE ONLY public.b DROP CONSTRAINT b_check;\n",
            "ALTER TABLE ONLY public.b DROP CONSTRAINT IF EXISTS nope CASCADE;\n",
        ));
        let table = &parsed.value.tables[&crate::model::QualifiedName::public("b")];
        let names: Vec<&str> = table.constraints.keys().map(|name| name.as_str()).collect();
        assert_eq!(names, ["b_other"]);
        let notes: Vec<&str> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.code == "skipped-statement")
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(notes.len(), 1, "{:#?}", parsed.diagnostics);
        assert!(
            notes[0].starts_with("3 statements change nothing"),
            "{}",
            notes[0]
        );
        assert!(!parsed
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error));

        let parsed = load(concat!(
            "CREATE TABLE public.b (id integer);\n",
            "ALTER TABLE public.b DROP CONSTRAINT nope;\n",
        ));
        let errors: Vec<&str> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(errors, ["constraint nope of table public.b does not exist"]);
    }

    #[test]
    fn partition_bounds() {
        use crate::model::{BoundValue, PartitionBound};
        let bound = |sql: &str| partition_bound(&mut super::super::parser(sql).expect("tokenizes"));
        assert_eq!(bound("DEFAULT").expect("parses"), PartitionBound::Default);
        assert_eq!(
            bound("FOR VALUES WITH (modulus 4, remainder 1)").expect("parses"),
            PartitionBound::Hash {
                modulus: 4,
                remainder: 1
            }
        );
        match bound("FOR VALUES FROM (MINVALUE, 1) TO (MAXVALUE, 2)").expect("parses") {
            PartitionBound::Range { from, to } => {
                assert_eq!(from[0], BoundValue::MinValue);
                assert_eq!(to[0], BoundValue::MaxValue);
            }
            other => panic!("not a range bound: {other:?}"),
        }
        assert!(bound("FOR VALUES WITH (modulus x)").is_err());
    }
}
