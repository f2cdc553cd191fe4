//! sqlparser statements -> Model: tables, columns, constraints, indexes.
//!
//! Invariants (so the Model equals the `.schema` frontend's):
//! - unnamed constraints and indexes get PostgreSQL's default names, made
//!   unique within the table the way PostgreSQL does (`t_a_check1`);
//! - PRIMARY KEY and identity columns are NOT NULL; serial columns become
//!   their integer type with an owned sequence and a `nextval` default;
//! - a FOREIGN KEY without referenced columns keeps `ref_columns` empty
//!   (filled from the referenced primary key by `frontend::resolve`);
//! - NULLS FIRST/LAST equal to the default for the sort order is `None`.

use super::forms;
use super::sequence::SeqOpts;
use super::{collation, ident, last_ident, opclass, parser, Ctx, Stmt};
use crate::model::{
    normalize, BoundValue, Column, Constraint, ConstraintKind, ExcludeElement, ExternalPattern,
    FkAction, ForeignKey, Ident, Identity, PartitionBound, PartitionBy, PartitionOf,
    PartitionStrategy, QualifiedName, Table,
};
use sqlparser::ast::{
    ColumnDef, ColumnOption, ConstraintCharacteristics, ConstraintReferenceMatchKind,
    DeferrableInitial, Expr, ForValues, FunctionArg, FunctionArgExpr, FunctionArguments,
    GeneratedAs, IndexColumn, NullsDistinctOption, PartitionBoundValue, ReferentialAction,
    Statement, TableConstraint, Value,
};

/// Runs `f` on the declared table `name` (taken out of the Model meanwhile,
/// so `f` may also change other parts of it); reports an unknown table.
pub(crate) fn with_table(
    ctx: &mut Ctx<'_>,
    stmt: &Stmt<'_>,
    name: &QualifiedName,
    f: impl FnOnce(&mut Ctx<'_>, &mut Table),
) {
    match ctx.model.tables.remove(name) {
        Some(mut table) => {
            f(ctx, &mut table);
            ctx.model.tables.insert(name.clone(), table);
        }
        None => ctx.error(
            "unknown-reference",
            stmt,
            format!("table {name} is not declared before this statement"),
        ),
    }
}

/// `CREATE [UNLOGGED] TABLE ...` (also `PARTITION OF`, `PARTITION BY` and
/// `INHERITS`).
pub(crate) fn create_table(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let text = forms::blank_fk_set_columns(stmt.text);
    // sqlparser reads only one identity option; the groups are read here
    // (in column order) and blanked out.
    let Some((text, mut identities)) = super::sequence::identity_groups(ctx, &stmt, text) else {
        return;
    };
    identities.reverse();
    // sqlparser reads neither `toast.name` nor a bare name in `WITH (...)`,
    // nor `WITHOUT OIDS` or `USING method`: they are read here and blanked.
    let (text, tail) = match table_tail(&text) {
        Ok(found) => found,
        Err(error) => {
            ctx.syntax_error(&stmt, &error);
            return;
        }
    };
    let parsed = ctx.parser(&stmt, &text).and_then(|mut p| {
        let statement = p.parse_statement()?;
        forms::expect_end(&mut p)?;
        Ok(statement)
    });
    let mut create = match parsed {
        Ok(Statement::CreateTable(create)) => create,
        Ok(_) => {
            ctx.error("syntax-error", &stmt, "expected a CREATE TABLE statement");
            return;
        }
        Err(error) => {
            ctx.syntax_error(&stmt, &error);
            return;
        }
    };
    let name = ctx.qualified(&create.name);
    ctx.qualify_names(&mut create.columns, false);
    ctx.qualify_names(&mut create.constraints, false);
    ctx.qualify_names(&mut create.partition_by, false);
    if ctx.model.tables.contains_key(&name) {
        ctx.error(
            "duplicate-object",
            &stmt,
            format!("table {name} is declared more than once"),
        );
        return;
    }
    if create.query.is_some() {
        ctx.warning(
            "unsupported-statement",
            &stmt,
            format!("CREATE TABLE {name} uses AS, which schemac does not model; the statement was skipped, and {name} is left alone like an external table (never dropped or changed)"),
        );
        // A table schemac did not understand must never be planned as a
        // drop (with its rows): it is external to this schema.
        ctx.model.external.push(ExternalPattern {
            pattern: format!("{}.{}", name.schema.as_str(), name.name.as_str()),
            meta: ctx.meta(&stmt),
        });
        return;
    }
    let mut table = Table::new(name.clone());
    table.inherits = create
        .inherits
        .iter()
        .flatten()
        .map(|parent| ctx.relation(parent))
        .collect();
    table.unlogged = create.unlogged;
    table.meta = ctx.meta(&stmt);
    if !read_storage_options(ctx, &stmt, &mut table, &create.table_options) {
        return;
    }
    if let Some(method) = tail.access_method.filter(|method| method != "heap") {
        ctx.error(
            "unsupported-statement",
            &stmt,
            format!("table {} uses the table access method {method}, which schemac does not model (only heap, PostgreSQL's default)", table.name),
        );
        return;
    }
    for (name, value) in tail.options {
        if name == "oids" {
            // `WITH (OIDS=FALSE)` of older dumps: a no-op PostgreSQL 12+
            // still accepts (and refuses OIDS=TRUE itself).
            if crate::model::StorageOptions::canonical_value("autovacuum_enabled", &value)
                == "false"
            {
                continue;
            }
            ctx.error(
                "unsupported-statement",
                &stmt,
                format!("table {} is declared WITH (OIDS = {value}), which PostgreSQL 12 and later refuse", table.name),
            );
            return;
        }
        table.options.set(&name, &value);
    }
    if let Some(like) = &create.like {
        if !super::like::copy_columns(ctx, &stmt, &mut table, like) {
            return;
        }
    }
    for column in &create.columns {
        add_column_with(ctx, &stmt, &mut table, column, &mut identities);
    }
    for constraint in &create.constraints {
        add_table_constraint(ctx, &stmt, &mut table, constraint);
    }
    if let Some(key) = &create.partition_by {
        table.partition_by = partition_by(ctx, &stmt, key);
    }
    if let (Some(parent), Some(bound)) = (&create.partition_of, &create.for_values) {
        table.partition_of = Some(PartitionOf {
            parent: ctx.relation(parent),
            bound: for_values(bound),
        });
    }
    ctx.model.tables.insert(name, table);
}

/// What follows a `CREATE TABLE`'s column list that sqlparser does not
/// read: the storage parameters (`WITH (...)` outside parentheses, not a
/// hash bound's `FOR VALUES WITH (...)`; `toast.name` and bare names
/// included), `WITHOUT OIDS` (a no-op since PostgreSQL 12, in older dumps)
/// and the access method (`USING heap`).
#[derive(Debug, Default)]
struct TableTail {
    options: Vec<(String, String)>,
    access_method: Option<String>,
}

/// Reads the [`TableTail`] of a `CREATE TABLE` and returns the text with
/// those clauses blanked out (offsets kept).
fn table_tail(text: &str) -> Result<(String, TableTail), sqlparser::parser::ParserError> {
    use sqlparser::keywords::Keyword;
    use sqlparser::tokenizer::Token;
    let mut tail = TableTail::default();
    // Cheap test first: most tables have none of these, and pg_dump's
    // `timestamp with[out] time zone` is not one.
    let bytes = text.as_bytes();
    let followed_by = |at: usize, len: usize, wanted: &[u8]| {
        let rest = &bytes[at + len..];
        let start = rest
            .iter()
            .position(|byte| !byte.is_ascii_whitespace())
            .unwrap_or(rest.len());
        rest[start..]
            .get(..wanted.len())
            .is_some_and(|next| next.eq_ignore_ascii_case(wanted))
    };
    let candidate = (0..bytes.len()).any(|at| {
        let word = |w: &[u8]| {
            bytes
                .get(at..at + w.len())
                .is_some_and(|here| here.eq_ignore_ascii_case(w))
        };
        (word(b"with") && followed_by(at, 4, b"("))
            || (word(b"without") && followed_by(at, 7, b"oids"))
            || word(b"using")
    });
    if !candidate {
        return Ok((text.to_string(), tail));
    }
    let lexemes = crate::sql_lex::nested(text);
    let solid: Vec<&(crate::sql_lex::Lexeme, usize)> = lexemes
        .iter()
        .filter(|(lexeme, _)| !crate::sql_lex::is_blank(&lexeme.token))
        .collect();
    let is_word = |token: &Token, keyword: Keyword| matches!(token, Token::Word(word) if word.keyword == keyword && word.quote_style.is_none());
    let mut blanked = text.to_string();
    let mut blank_out = |from: usize, to: usize| {
        blanked.replace_range(from..to, &blank(&text[from..to]));
    };
    let mut idx = 0;
    while idx < solid.len() {
        let (lexeme, depth) = solid[idx];
        idx += 1;
        if *depth != 0 {
            continue;
        }
        if is_word(&lexeme.token, Keyword::WITHOUT)
            && solid
                .get(idx)
                .is_some_and(|(next, _)| matches!(&next.token, Token::Word(word) if word.quote_style.is_none() && word.value.eq_ignore_ascii_case("oids")))
        {
            blank_out(lexeme.start, solid[idx].0.end);
            idx += 1;
            continue;
        }
        if is_word(&lexeme.token, Keyword::USING) {
            if let Some((Token::Word(method), end)) =
                solid.get(idx).map(|(next, _)| (&next.token, next.end))
            {
                tail.access_method = Some(crate::sql_lex::folded(method));
                blank_out(lexeme.start, end);
                idx += 1;
            }
            continue;
        }
        let opens = solid
            .get(idx)
            .is_some_and(|(next, _)| next.token == Token::LParen);
        let after_values = idx >= 2 && is_word(&solid[idx - 2].0.token, Keyword::VALUES);
        if !is_word(&lexeme.token, Keyword::WITH) || !opens || after_values {
            continue;
        }
        let Some(close) = solid[idx..]
            .iter()
            .position(|(lexeme, depth)| lexeme.token == Token::RParen && *depth == 0)
            .map(|at| idx + at)
        else {
            continue;
        };
        // Blanks before the clause keep an error's position in the statement.
        let open = solid[idx].0.start;
        let end = solid[close].0.end;
        let clause = format!("{}{}", blank(&text[..open]), &text[open..end]);
        let mut p = parser(&clause)?;
        p.expect_token(&Token::LParen)?;
        let options = p.parse_comma_separated(|p| {
            let name = super::forms::option_name(p)?;
            let value = if p.consume_token(&Token::Eq) {
                super::forms::option_value(p)?
            } else {
                "true".to_string()
            };
            Ok((name, value))
        })?;
        p.expect_token(&Token::RParen)?;
        tail.options.extend(options);
        blank_out(lexeme.start, end);
        idx = close + 1;
    }
    Ok((blanked, tail))
}

/// `text` as blanks of the same byte length, newlines kept.
fn blank(text: &str) -> String {
    text.chars()
        .map(|ch| match ch {
            '\n' => "\n".to_string(),
            other => " ".repeat(other.len_utf8()),
        })
        .collect()
}

/// `WITH (fillfactor = 70, toast.autovacuum_enabled = false)` into the
/// table's storage parameters; false (after an error naming the form)
/// when the statement has table options PostgreSQL does not have.
fn read_storage_options(
    ctx: &mut Ctx<'_>,
    stmt: &Stmt<'_>,
    table: &mut Table,
    options: &sqlparser::ast::CreateTableOptions,
) -> bool {
    use sqlparser::ast::CreateTableOptions;
    match options {
        CreateTableOptions::None => true,
        CreateTableOptions::With(options) => {
            for option in options {
                match storage_option(option) {
                    Some((name, value)) => table.options.set(&name, &value),
                    None => {
                        ctx.error(
                            "syntax-error",
                            stmt,
                            format!(
                                "unexpected storage parameter {option} of table {}",
                                table.name
                            ),
                        );
                        return false;
                    }
                }
            }
            true
        }
        CreateTableOptions::Plain(options)
            if options
                .iter()
                .all(|option| matches!(option, sqlparser::ast::SqlOption::TableSpace(_))) =>
        {
            ctx.info(
                "skipped-statement",
                stmt,
                format!(
                    "`{options}` of table {} skipped: tablespaces are not part of the Model (a new table goes to the database's default tablespace; an existing one stays where it is)",
                    table.name,
                    options = options
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            );
            true
        }
        other => {
            ctx.error(
                "syntax-error",
                stmt,
                format!(
                    "table options `{other}` of table {} are not PostgreSQL's (write `WITH (name = value, ...)`)",
                    table.name
                ),
            );
            false
        }
    }
}

/// One storage parameter: `fillfactor = 70`, `fillfactor = '70'`,
/// `toast.autovacuum_enabled = false`, or a bare name (`autovacuum_enabled`,
/// meaning true).
pub(crate) fn storage_option(option: &sqlparser::ast::SqlOption) -> Option<(String, String)> {
    use sqlparser::ast::SqlOption;
    match option {
        SqlOption::KeyValue { key, value } => {
            let value = match value {
                Expr::Value(v) => match &v.value {
                    Value::SingleQuotedString(text) => text.clone(),
                    Value::Boolean(truth) => truth.to_string(),
                    other => other.to_string(),
                },
                Expr::Identifier(ident) => ident.value.clone(),
                other => other.to_string(),
            };
            Some((key.to_string().to_lowercase(), value))
        }
        SqlOption::Ident(ident) => Some((ident.value.to_lowercase(), "true".to_string())),
        _ => None,
    }
}

fn partition_by(ctx: &mut Ctx<'_>, stmt: &Stmt<'_>, key: &Expr) -> Option<PartitionBy> {
    let Expr::Function(function) = key else {
        ctx.error(
            "syntax-error",
            stmt,
            format!("unexpected partition key {key}"),
        );
        return None;
    };
    let strategy = match last_ident(&function.name).as_str() {
        "range" => PartitionStrategy::Range,
        "list" => PartitionStrategy::List,
        "hash" => PartitionStrategy::Hash,
        other => {
            ctx.error(
                "syntax-error",
                stmt,
                format!("unknown partition strategy {other}"),
            );
            return None;
        }
    };
    let mut keys = Vec::new();
    if let FunctionArguments::List(list) = &function.args {
        for arg in &list.args {
            match arg {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) => {
                    keys.push(normalize::expr_from_ast(strip_nested(expr)))
                }
                other => ctx.error(
                    "syntax-error",
                    stmt,
                    format!("unexpected partition key {other}"),
                ),
            }
        }
    }
    Some(PartitionBy {
        strategy,
        key: keys,
    })
}

/// sqlparser's `FOR VALUES` -> the Model's bound.
pub(crate) fn for_values(bound: &ForValues) -> PartitionBound {
    let range_value = |value: &PartitionBoundValue| match value {
        PartitionBoundValue::MinValue => BoundValue::MinValue,
        PartitionBoundValue::MaxValue => BoundValue::MaxValue,
        PartitionBoundValue::Expr(expr) => bound_value(expr),
    };
    match bound {
        ForValues::In(values) => PartitionBound::List(values.iter().map(bound_value).collect()),
        ForValues::From { from, to } => PartitionBound::Range {
            from: from.iter().map(range_value).collect(),
            to: to.iter().map(range_value).collect(),
        },
        ForValues::With { modulus, remainder } => PartitionBound::Hash {
            modulus: u32::try_from(*modulus).unwrap_or(u32::MAX),
            remainder: u32::try_from(*remainder).unwrap_or(u32::MAX),
        },
        ForValues::Default => PartitionBound::Default,
    }
}

/// One value of a partition bound.
pub(crate) fn bound_value(expr: &Expr) -> BoundValue {
    match expr {
        Expr::Value(value) if matches!(value.value, Value::Null) => BoundValue::Null,
        other => BoundValue::Literal(normalize::expr_from_ast(other)),
    }
}

/// A column definition with its column constraints.
pub(crate) fn add_column(ctx: &mut Ctx<'_>, stmt: &Stmt<'_>, table: &mut Table, def: &ColumnDef) {
    add_column_with(ctx, stmt, table, def, &mut Vec::new());
}

/// [`add_column`] with the identity option groups still to hand out (last
/// one first), read by [`super::sequence::identity_groups`].
fn add_column_with(
    ctx: &mut Ctx<'_>,
    stmt: &Stmt<'_>,
    table: &mut Table,
    def: &ColumnDef,
    identities: &mut Vec<SeqOpts>,
) {
    let name = ident(&def.name);
    if table.column(&name).is_some() {
        ctx.error(
            "duplicate-object",
            stmt,
            format!(
                "column {name} is declared more than once in table {}",
                table.name
            ),
        );
        return;
    }
    let spelling = def.data_type.to_string();
    let mut column = match normalize::serial_type(&spelling) {
        Some(ty) => {
            let (default, sequence) = normalize::serial_sequence(&table.name, &name, ty.clone());
            let mut column = Column::new(name.clone(), ty);
            column.not_null = true;
            column.default = Some(default);
            ctx.model.sequences.insert(sequence.name.clone(), sequence);
            column
        }
        None => Column::new(name.clone(), ctx.type_name(&spelling)),
    };
    column.meta = ctx.meta(stmt);
    let mut constraints = Vec::new();
    for option in &def.options {
        let explicit = option.name.as_ref().map(ident);
        match &option.option {
            ColumnOption::Null => column.not_null = false,
            ColumnOption::NotNull => column.not_null = true,
            ColumnOption::Default(expr) => column.default = Some(normalize::expr_from_ast(expr)),
            ColumnOption::Collation(name) => column.collation = Some(Box::new(collation(name))),
            ColumnOption::PrimaryKey(pk) => {
                column.not_null = true;
                let kind = ConstraintKind::PrimaryKey {
                    columns: vec![name.clone()],
                    include: Vec::new(),
                };
                let explicit = explicit.or_else(|| pk.name.as_ref().map(ident));
                constraints.push((explicit, kind, pk.characteristics));
            }
            ColumnOption::Unique(unique) => {
                let kind = ConstraintKind::Unique {
                    columns: vec![name.clone()],
                    include: Vec::new(),
                    nulls_not_distinct: unique.nulls_distinct == NullsDistinctOption::NotDistinct,
                };
                let explicit = explicit.or_else(|| unique.name.as_ref().map(ident));
                constraints.push((explicit, kind, unique.characteristics));
            }
            ColumnOption::ForeignKey(fk) => {
                let kind = ConstraintKind::ForeignKey(ForeignKey {
                    columns: vec![name.clone()],
                    ref_table: ctx.relation(&fk.foreign_table),
                    ref_columns: fk.referred_columns.iter().map(ident).collect(),
                    on_delete: fk_action(fk.on_delete),
                    on_update: fk_action(fk.on_update),
                    match_full: fk.match_kind == Some(ConstraintReferenceMatchKind::Full),
                });
                let explicit = explicit.or_else(|| fk.name.as_ref().map(ident));
                constraints.push((explicit, kind, fk.characteristics));
            }
            ColumnOption::Check(check) => {
                let kind = ConstraintKind::Check {
                    expr: normalize::expr_from_ast(&check.expr),
                    no_inherit: check.no_inherit,
                };
                let explicit = explicit.or_else(|| check.name.as_ref().map(ident));
                constraints.push((explicit, kind, None));
            }
            ColumnOption::Generated {
                generated_as,
                sequence_options,
                generation_expr,
                ..
            } => match generation_expr {
                Some(expr) => column.generated = Some(Box::new(normalize::expr_from_ast(expr))),
                None => {
                    let opts = match identities.pop() {
                        Some(group) => group,
                        None => identity_options(sequence_options.as_deref().unwrap_or(&[])),
                    };
                    column.identity = Some(Box::new(Identity {
                        always: matches!(generated_as, GeneratedAs::Always),
                        options: opts.build(column.ty.clone()),
                    }));
                    column.not_null = true;
                }
            },
            other => ctx.warning(
                "unsupported-statement",
                stmt,
                format!(
                    "column option {other} of {}.{name} is not modelled and was ignored",
                    table.name
                ),
            ),
        }
    }
    table.columns.push(column);
    for (explicit, kind, characteristics) in constraints {
        insert_constraint(ctx, stmt, table, explicit, kind, characteristics.as_ref());
    }
}

/// sqlparser's identity options (hand-written order) -> [`SeqOpts`].
fn identity_options(options: &[sqlparser::ast::SequenceOptions]) -> SeqOpts {
    use sqlparser::ast::SequenceOptions as O;
    let number = |expr: &Expr| -> Option<i64> {
        match expr {
            Expr::Value(value) => match &value.value {
                Value::Number(digits, _) => digits.parse().ok(),
                _ => None,
            },
            Expr::UnaryOp {
                op: sqlparser::ast::UnaryOperator::Minus,
                expr,
            } => match expr.as_ref() {
                Expr::Value(value) => match &value.value {
                    Value::Number(digits, _) => digits.parse::<i64>().ok().map(|n| -n),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
    };
    let mut opts = SeqOpts::default();
    for option in options {
        match option {
            O::IncrementBy(expr, _) => opts.increment = number(expr),
            O::MinValue(expr) => opts.min_value = expr.as_ref().and_then(number),
            O::MaxValue(expr) => opts.max_value = expr.as_ref().and_then(number),
            O::StartWith(expr, _) => opts.start = number(expr),
            O::Cache(expr) => opts.cache = number(expr),
            O::Cycle(no) => opts.cycle = Some(!no),
        }
    }
    opts
}

fn fk_action(action: Option<ReferentialAction>) -> FkAction {
    match action {
        None | Some(ReferentialAction::NoAction) => FkAction::NoAction,
        Some(ReferentialAction::Restrict) => FkAction::Restrict,
        Some(ReferentialAction::Cascade) => FkAction::Cascade,
        Some(ReferentialAction::SetNull) => FkAction::SetNull,
        Some(ReferentialAction::SetDefault) => FkAction::SetDefault,
    }
}

/// Column names of PK/UNIQUE key columns (which must be plain columns).
fn key_columns(ctx: &mut Ctx<'_>, stmt: &Stmt<'_>, columns: &[IndexColumn]) -> Vec<Ident> {
    let mut names = Vec::new();
    for column in columns {
        match strip_nested(&column.column.expr) {
            Expr::Identifier(id) => names.push(ident(id)),
            other => ctx.error(
                "syntax-error",
                stmt,
                format!("constraint key {other} must be a column name"),
            ),
        }
    }
    names
}

/// A table constraint (in CREATE TABLE or ALTER TABLE ... ADD).
pub(crate) fn add_table_constraint(
    ctx: &mut Ctx<'_>,
    stmt: &Stmt<'_>,
    table: &mut Table,
    constraint: &TableConstraint,
) {
    let (explicit, kind, characteristics) = match constraint {
        TableConstraint::PrimaryKey(pk) => {
            let columns = key_columns(ctx, stmt, &pk.columns);
            for column in &mut table.columns {
                if columns.contains(&column.name) {
                    column.not_null = true;
                }
            }
            let include = pk.include.iter().map(ident).collect();
            (
                &pk.name,
                ConstraintKind::PrimaryKey { columns, include },
                pk.characteristics,
            )
        }
        TableConstraint::Unique(unique) => {
            let kind = ConstraintKind::Unique {
                columns: key_columns(ctx, stmt, &unique.columns),
                include: unique.include.iter().map(ident).collect(),
                nulls_not_distinct: unique.nulls_distinct == NullsDistinctOption::NotDistinct,
            };
            (&unique.name, kind, unique.characteristics)
        }
        TableConstraint::ForeignKey(fk) => {
            let kind = ConstraintKind::ForeignKey(ForeignKey {
                columns: fk.columns.iter().map(ident).collect(),
                ref_table: ctx.relation(&fk.foreign_table),
                ref_columns: fk.referred_columns.iter().map(ident).collect(),
                on_delete: fk_action(fk.on_delete),
                on_update: fk_action(fk.on_update),
                match_full: fk.match_kind == Some(ConstraintReferenceMatchKind::Full),
            });
            (&fk.name, kind, fk.characteristics)
        }
        TableConstraint::Check(check) => {
            let kind = ConstraintKind::Check {
                expr: normalize::expr_from_ast(&check.expr),
                no_inherit: check.no_inherit,
            };
            (&check.name, kind, None)
        }
        TableConstraint::Exclude(exclude) => {
            let elements = exclude
                .elements
                .iter()
                .map(|element| ExcludeElement {
                    expr: normalize::expr_from_ast(strip_nested(&element.column.column.expr)),
                    opclass: element.column.operator_class.as_ref().map(opclass),
                    operator: element.operator.to_string(),
                })
                .collect();
            let kind = ConstraintKind::Exclude {
                method: exclude
                    .index_method
                    .as_ref()
                    .map_or_else(|| "btree".to_string(), |method| method.value.to_lowercase()),
                elements,
                include: exclude.include.iter().map(ident).collect(),
                predicate: exclude
                    .where_clause
                    .as_deref()
                    .map(normalize::expr_from_ast),
            };
            (&exclude.name, kind, exclude.characteristics)
        }
        other => {
            ctx.warning(
                "unsupported-statement",
                stmt,
                format!("constraint {other} is not modelled by schemac and was ignored"),
            );
            return;
        }
    };
    let explicit = explicit.as_ref().map(ident);
    insert_constraint(ctx, stmt, table, explicit, kind, characteristics.as_ref());
}

fn insert_constraint(
    ctx: &mut Ctx<'_>,
    stmt: &Stmt<'_>,
    table: &mut Table,
    explicit: Option<Ident>,
    kind: ConstraintKind,
    characteristics: Option<&ConstraintCharacteristics>,
) {
    let name = match explicit {
        Some(name) => name,
        None => {
            let base = match &kind {
                ConstraintKind::Check { expr, .. } => {
                    normalize::default_check_name(&table.name.name, expr)
                }
                other => {
                    let columns: Vec<Ident> = match other {
                        ConstraintKind::Unique { columns, .. } => columns.clone(),
                        ConstraintKind::ForeignKey(fk) => fk.columns.clone(),
                        ConstraintKind::Exclude { elements, .. } => elements
                            .iter()
                            .map(|element| Ident::new(normalize::index_key_name(&element.expr)))
                            .collect(),
                        _ => Vec::new(),
                    };
                    normalize::default_constraint_name(
                        &table.name.name,
                        &columns,
                        other.default_suffix(),
                    )
                }
            };
            unique_name(table, base)
        }
    };
    if table.constraints.contains_key(&name) {
        ctx.error(
            "duplicate-object",
            stmt,
            format!(
                "constraint {name} is declared more than once on table {}",
                table.name
            ),
        );
        return;
    }
    let constraint = Constraint {
        name: name.clone(),
        kind,
        deferrable: characteristics.and_then(|c| c.deferrable).unwrap_or(false),
        initially_deferred: characteristics.and_then(|c| c.initially)
            == Some(DeferrableInitial::Deferred),
        not_valid: false,
        comment: None,
        meta: ctx.meta(stmt),
    };
    table.constraints.insert(name, Box::new(constraint));
}

/// `base`, or `base1`, `base2`, ... when a constraint or index of the table
/// already has that name (PostgreSQL's ChooseConstraintName/ChooseRelationName).
pub(crate) fn unique_name(table: &Table, base: Ident) -> Ident {
    normalize::choose_unique_name(base, |name| {
        let name = Ident::new(name);
        table.constraints.contains_key(&name) || table.indexes.contains_key(&name)
    })
}

/// Removes redundant parentheses: `((lower(x)))` -> `lower(x)`.
pub(crate) fn strip_nested(expr: &Expr) -> &Expr {
    match expr {
        Expr::Nested(inner) => strip_nested(inner),
        other => other,
    }
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
    fn what_follows_the_column_list() {
        let m = model(
            "CREATE TABLE t (a int, b timestamp without time zone) TABLESPACE pg_default;\n\
             CREATE TABLE u (a int) USING heap;\n\
             CREATE TABLE v (a int, b timestamp with time zone) WITHOUT OIDS;\n\
             CREATE TABLE w (a int) WITH (fillfactor=70) TABLESPACE pg_default;\n\
             CREATE TABLE x (a int) WITH (OIDS=FALSE);\n\
             CREATE TABLE z (a int, EXCLUDE USING gist (a WITH =)) WITH (autovacuum_enabled, \"toast\".\"autovacuum_enabled\" = 'off');\n\
             CREATE TABLE p (a int) PARTITION BY HASH (a);\n\
             CREATE TABLE p0 PARTITION OF p FOR VALUES WITH (MODULUS 2, REMAINDER 0) WITH (fillfactor = 90);",
        );
        let options = |name: &str| -> Vec<(String, String)> {
            m.tables[&QualifiedName::public(name)]
                .options
                .0
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        for plain in ["t", "u", "v", "x", "p"] {
            assert_eq!(options(plain), [], "{plain}");
        }
        assert_eq!(options("w"), [pair("fillfactor", "70")]);
        assert_eq!(
            options("z"),
            [
                pair("autovacuum_enabled", "true"),
                pair("toast.autovacuum_enabled", "off")
            ]
        );
        assert_eq!(m.tables[&QualifiedName::public("z")].constraints.len(), 1);
        assert_eq!(options("p0"), [pair("fillfactor", "90")]);
        assert!(matches!(
            m.tables[&QualifiedName::public("p0")]
                .partition_of
                .as_ref()
                .map(|of| &of.bound),
            Some(PartitionBound::Hash {
                modulus: 2,
                remainder: 0
            })
        ));
        let refused = |sql: &str| {
            let file = SourceFile::new(FileId(0), "t.sql".into(), sql.to_string(), Language::Sql);
            load_file(&file)
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
        };
        assert!(
            refused("CREATE TABLE y (a int) USING columnar;")[0].contains("access method columnar")
        );
        assert!(refused("CREATE TABLE y (a int) WITH (oids = true);")[0].contains("OIDS"));
    }

    #[test]
    fn columns_and_column_constraints() {
        let m = model(
            "CREATE TABLE Accounts (id bigserial PRIMARY KEY, \"Name\" text NOT NULL COLLATE pg_catalog.\"C\" UNIQUE,\n n int GENERATED ALWAYS AS IDENTITY (START WITH 5), parent bigint REFERENCES accounts ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED)",
        );
        let table = &m.tables[&QualifiedName::public("accounts")];
        assert_eq!(table.columns.len(), 4);
        assert!(table.columns[0].not_null);
        assert!(table.columns[0].default.is_some());
        assert_eq!(table.columns[1].name, Ident::new("Name"));
        assert_eq!(
            table.columns[1].collation.as_deref(),
            Some(&crate::model::Collation::new("C"))
        );
        let identity = table.columns[2].identity.as_ref().expect("identity column");
        assert!(identity.always && table.columns[2].not_null);
        assert_eq!(identity.options.start, 5);
        let names: Vec<&str> = table.constraints.keys().map(Ident::as_str).collect();
        assert_eq!(
            names,
            vec!["accounts_Name_key", "accounts_parent_fkey", "accounts_pkey"]
        );
        let fk = &table.constraints[&Ident::new("accounts_parent_fkey")];
        assert!(fk.deferrable && fk.initially_deferred);
        match &fk.kind {
            ConstraintKind::ForeignKey(fk) => {
                assert!(fk.ref_columns.is_empty());
                assert_eq!(fk.on_delete, FkAction::SetNull);
            }
            other => panic!("not a foreign key: {other:?}"),
        }
        assert!(m
            .sequences
            .contains_key(&QualifiedName::public("accounts_id_seq")));
    }

    #[test]
    fn table_constraints_and_partitions() {
        let m = model(
            "CREATE TABLE t (a int, b int, r int4range, UNIQUE NULLS NOT DISTINCT (a, b), PRIMARY KEY (a) INCLUDE (b),\n EXCLUDE USING gist (r WITH &&), FOREIGN KEY (a, b) REFERENCES u (x, y) MATCH FULL ON DELETE SET NULL (b)) PARTITION BY RANGE (a, lower(r));\nCREATE TABLE t1 PARTITION OF t FOR VALUES FROM (MINVALUE, 1) TO (10, MAXVALUE);",
        );
        let table = &m.tables[&QualifiedName::public("t")];
        let names: Vec<&str> = table.constraints.keys().map(Ident::as_str).collect();
        assert_eq!(names, vec!["t_a_b_fkey", "t_a_b_key", "t_pkey", "t_r_excl"]);
        assert!(table.columns[0].not_null && !table.columns[1].not_null);
        let by = table.partition_by.as_ref().expect("partitioned");
        assert_eq!((by.strategy, by.key.len()), (PartitionStrategy::Range, 2));
        let child = &m.tables[&QualifiedName::public("t1")];
        assert_eq!(
            child.partition_of.as_ref().map(|of| of.parent.clone()),
            Some(QualifiedName::public("t"))
        );
    }
}
