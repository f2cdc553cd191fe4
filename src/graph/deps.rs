//! Object dependencies: for each object of a Model, what must exist before
//! it can be created. This is the one derivation of dependencies: the
//! planner's ordering keys (`plan::order::Key`, through the helpers at the
//! bottom of `plan::strategy`) and [`DepGraph::build`](super::DepGraph::build)
//! both read it.
//!
//! Invariants:
//! - A [`Dep`] names what is needed, not how it is stored: a type is an enum
//!   or a domain, a relation a table or a view, a function is named without
//!   argument types (triggers and expressions call functions by name),
//!   except where an expression's calls resolve to certain signatures
//!   ([`Dep::Overload`]).
//! - `public` is always there, so nothing depends on it.
//! - Expressions and function bodies are searched by name: an
//!   over-approximation only adds ordering edges, never loses one. What
//!   a function holds once created ([`function_holds`]) is not
//!   over-approximated: the planner orders its drop before what it holds,
//!   and a spurious edge there can close a cycle.
//! - Same Model, same answer, in the same order (every list here follows
//!   the Model's ordered maps or is sorted).

use crate::model::{
    ArgMode, CompositeType, ConstraintKind, Domain, ForeignKey, Function, FunctionId, Ident, Index,
    IndexExpr, Model, Policy, QualifiedName, Rule, Table, Trigger, TriggerEvent, TypeName, View,
};
use crate::sql_lex;

/// Something an object needs to exist first.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Dep {
    Schema(Ident),
    Extension(Ident),
    /// An enum or a domain.
    Type(QualifiedName),
    Sequence(QualifiedName),
    /// Every function of this name, whatever its argument types.
    Function(QualifiedName),
    /// One signature, when every call in an expression resolves to it
    /// (see [`expr`]): PostgreSQL records the overload a column default
    /// or generated expression calls.
    Overload(FunctionId),
    /// A table or a view.
    Relation(QualifiedName),
    Column(QualifiedName, Ident),
    Constraint(QualifiedName, Ident),
    Index(QualifiedName, Ident),
}

// ---------------------------------------------------------------------
// Building blocks.

/// The schema an object lives in, unless it is `public` (always there).
pub(crate) fn schema(name: &QualifiedName) -> Option<Dep> {
    schema_named(&name.schema)
}

/// Schema `name`, unless it is `public`.
pub(crate) fn schema_named(name: &Ident) -> Option<Dep> {
    (name.as_str() != "public").then(|| Dep::Schema(name.clone()))
}

/// The enums, domains and composite types of `model` a column type refers
/// to (its element type for arrays).
pub(crate) fn types(model: &Model, ty: &TypeName) -> Vec<Dep> {
    let mut res: Vec<Dep> = model
        .enums
        .keys()
        .chain(model.domains.keys())
        .chain(model.composites.keys())
        .filter(|name| crate::diff::type_refers_to(ty, name))
        .map(|name| Dep::Type(name.clone()))
        .collect();
    res.dedup();
    res
}

/// The declared extension a well-known extension type comes from
/// (`citext`, `vector`, ...). The planner does not ask for it: extensions
/// are created in an earlier phase than any table and dropped after.
pub(crate) fn type_extension(model: &Model, ty: &TypeName) -> Option<Dep> {
    let name = crate::model::normalize::user_type_name(ty)?;
    let extension = Ident::new(crate::model::normalize::extension_of_type(
        name.name.as_str(),
    )?);
    model
        .extensions
        .contains_key(&extension)
        .then_some(Dep::Extension(extension))
}

/// What an SQL expression refers to: columns of `table` (by identifier
/// word), functions of `model` (a name followed by `(`) and sequences of
/// `model` (a quoted `'schema.name'` or `'name'`, as `nextval` takes them).
/// A function is named by signature ([`Dep::Overload`]) where its calls
/// resolve ([`call_overloads`]), otherwise by name. Sorted, without
/// duplicates.
pub(crate) fn expr(model: &Model, table: Option<&Table>, text: &str) -> Vec<Dep> {
    expr_typed(model, table, table, text)
}

/// What a column default or generated expression of `table` refers to, as
/// `CREATE TABLE` writes it: the columns of the same statement need no
/// edge, but their types resolve the calls ([`call_overloads`]).
pub(crate) fn column_expr(model: &Model, table: &Table, text: &str) -> Vec<Dep> {
    expr_typed(model, None, Some(table), text)
}

/// [`expr`], with the columns of `typing` typing the calls' arguments.
fn expr_typed(
    model: &Model,
    table: Option<&Table>,
    typing: Option<&Table>,
    text: &str,
) -> Vec<Dep> {
    let mut res = Vec::new();
    if let Some(table) = table {
        let words = sql_lex::words(text);
        for column in &table.columns {
            if words.iter().any(|word| word == column.name.as_str()) {
                res.push(Dep::Column(table.name.clone(), column.name.clone()));
            }
        }
    }
    // Most schemas have no functions or sequences: skip the lowering.
    if !model.functions.is_empty() || !model.sequences.is_empty() {
        let lower = text.to_lowercase();
        let mut called: Vec<&QualifiedName> = model
            .functions
            .keys()
            .map(|id| &id.name)
            .filter(|name| lower.contains(&format!("{}(", name.name.as_str().to_lowercase())))
            .collect();
        called.dedup();
        for name in called {
            match call_overloads(model, typing, text, name) {
                Some(overloads) => res.extend(overloads.into_iter().map(Dep::Overload)),
                None => res.push(Dep::Function(name.clone())),
            }
        }
        for name in model.sequences.keys() {
            if lower.contains(&format!("'{}'", name).to_lowercase())
                || lower.contains(&format!("'{}'", name.name).to_lowercase())
            {
                res.push(Dep::Sequence(name.clone()));
            }
        }
    }
    res.sort();
    res.dedup();
    res
}

/// The overloads of `name` that the calls of it in `text` can resolve to,
/// or `None` when that is not certain (a call not found as tokens, text
/// that does not lex, no overload that fits). A call fits an overload
/// whose number of input arguments, defaults aside, matches; of those,
/// the overloads whose argument types equal the types of the arguments
/// that are columns of `typing` are kept when there are any (an implicit
/// cast may pick another, so otherwise all that fit stay). Polymorphic
/// and variadic overloads always fit.
fn call_overloads(
    model: &Model,
    typing: Option<&Table>,
    text: &str,
    name: &QualifiedName,
) -> Option<Vec<FunctionId>> {
    use sqlparser::tokenizer::Token;
    let tokens = sql_lex::tokens_with_offsets(text)?;
    let overloads: Vec<&Function> = model
        .functions
        .values()
        .filter(|function| &function.id.name == name)
        .collect();
    let mut res: Vec<FunctionId> = Vec::new();
    let mut n_calls = 0;
    for (idx, (token, _)) in tokens.iter().enumerate() {
        let Token::Word(word) = token else { continue };
        if sql_lex::folded(word) != name.name.as_str()
            || !matches!(tokens.get(idx + 1), Some((Token::LParen, _)))
        {
            continue;
        }
        if idx >= 2 {
            if let (Token::Period, Token::Word(schema)) = (&tokens[idx - 1].0, &tokens[idx - 2].0) {
                if sql_lex::folded(schema) != name.schema.as_str() {
                    continue;
                }
            }
        }
        n_calls += 1;
        let args = call_args(&tokens[idx + 2..])?;
        let arg_types: Vec<Option<&TypeName>> = args
            .iter()
            .map(|arg| match arg.as_slice() {
                [Token::Word(word)]
                    if word.quote_style.is_none() || word.quote_style == Some('"') =>
                {
                    let folded = sql_lex::folded(word);
                    typing.and_then(|table| {
                        table
                            .columns
                            .iter()
                            .find(|column| column.name.as_str() == folded)
                            .map(|column| &column.ty)
                    })
                }
                _ => None,
            })
            .collect();
        let fitting: Vec<&Function> = overloads
            .iter()
            .copied()
            .filter(|function| arity_fits(function, args.len()))
            .collect();
        let typed: Vec<&Function> = fitting
            .iter()
            .copied()
            .filter(|function| types_fit(function, &arg_types))
            .collect();
        let chosen = if typed.is_empty() { fitting } else { typed };
        if chosen.is_empty() {
            return None;
        }
        res.extend(chosen.into_iter().map(|function| function.id.clone()));
    }
    if n_calls == 0 {
        return None;
    }
    res.sort_by_key(|id| id.to_string());
    res.dedup();
    Some(res)
}

/// The arguments of a call, each as its tokens, from the tokens after its
/// `(` up to the matching `)`; `None` when the parentheses do not close.
fn call_args(
    tokens: &[(sqlparser::tokenizer::Token, usize)],
) -> Option<Vec<Vec<sqlparser::tokenizer::Token>>> {
    use sqlparser::tokenizer::Token;
    let mut args: Vec<Vec<Token>> = vec![Vec::new()];
    let mut depth = 0usize;
    for (token, _) in tokens {
        match token {
            Token::RParen if depth == 0 => {
                if args.len() == 1 && args[0].is_empty() {
                    args.clear();
                }
                return Some(args);
            }
            Token::Comma if depth == 0 => args.push(Vec::new()),
            _ => {
                match token {
                    Token::LParen | Token::LBracket => depth += 1,
                    Token::RParen | Token::RBracket => depth -= 1,
                    _ => {}
                }
                args.last_mut()
                    .expect("invariant: args always holds the current argument")
                    .push(token.clone());
            }
        }
    }
    None
}

/// Whether `function` takes `n_args` input arguments (defaults may be
/// left out; a variadic one takes any number).
fn arity_fits(function: &Function, n_args: usize) -> bool {
    let inputs: Vec<_> = function
        .args
        .iter()
        .filter(|arg| arg.mode != ArgMode::Out)
        .collect();
    if inputs.iter().any(|arg| arg.mode == ArgMode::Variadic) {
        return true;
    }
    let n_required = inputs.iter().filter(|arg| arg.default.is_none()).count();
    n_required <= n_args && n_args <= inputs.len()
}

/// Whether the known argument types equal `function`'s (modifiers
/// aside); a polymorphic argument (`anyelement`, ...) takes any type.
fn types_fit(function: &Function, arg_types: &[Option<&TypeName>]) -> bool {
    let inputs = function.args.iter().filter(|arg| arg.mode != ArgMode::Out);
    inputs.zip(arg_types).all(|(arg, ty)| match ty {
        None => true,
        Some(ty) => {
            arg.ty.as_str().starts_with("any")
                || (arg.ty.base() == ty.base() && arg.ty.is_array() == ty.is_array())
        }
    })
}

/// One [`Dep::Column`] per column name.
pub(crate) fn columns(table: &QualifiedName, columns: &[Ident]) -> Vec<Dep> {
    columns
        .iter()
        .map(|column| Dep::Column(table.clone(), column.clone()))
        .collect()
}

/// What an FK relies on in the referenced table of `model`: the PRIMARY
/// KEY or UNIQUE constraints on exactly its referenced columns, and every
/// unique index (PostgreSQL accepts any of them as the FK's key).
pub(crate) fn referenced_key(model: &Model, fk: &ForeignKey) -> Vec<Dep> {
    let Some(referenced) = model.tables.get(&fk.ref_table) else {
        return Vec::new();
    };
    let mut res = Vec::new();
    for candidate in referenced.constraints.values() {
        if let ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } =
            &candidate.kind
        {
            if columns == &fk.ref_columns {
                res.push(Dep::Constraint(
                    fk.ref_table.clone(),
                    candidate.name.clone(),
                ));
            }
        }
    }
    for index in referenced.indexes.values().filter(|index| index.unique) {
        res.push(Dep::Index(fk.ref_table.clone(), index.name.clone()));
    }
    res
}

/// What a `LANGUAGE sql` or `plpgsql` body names among the objects of
/// `model`. PostgreSQL validates bodies when the function is created
/// (`check_function_bodies`, on by default), with the function's own `SET`
/// options in force: a SQL body is parsed and analysed, so the relations,
/// types and other functions it uses must exist first; PL/pgSQL resolves
/// only the types of its DECLARE section (`line invoice_lines;` needs the
/// table's row type), so it gets relation and type edges but no function
/// edges (its calls are resolved when it runs).
///
/// Found by name: `schema.name`, or a bare name that the body could
/// resolve (see [`body_visible`]). The function itself is left out, so
/// recursion adds no edge.
pub(crate) fn body_refs(model: &Model, function: &Function) -> Vec<Dep> {
    let sql = function.language == "sql";
    if !sql && function.language != "plpgsql" {
        return Vec::new();
    }
    let words = sql_lex::words(&function.body);
    let names = |name: &QualifiedName| {
        words.iter().enumerate().any(|(idx, word)| {
            word == name.name.as_str()
                && (body_visible(function, &name.schema)
                    || (idx > 0 && words[idx - 1] == name.schema.as_str()))
        })
    };
    let mut res: Vec<Dep> = model
        .tables
        .keys()
        .chain(model.views.keys())
        .filter(|name| names(name))
        .map(|name| Dep::Relation(name.clone()))
        .collect();
    res.extend(
        model
            .enums
            .keys()
            .chain(model.domains.keys())
            .filter(|name| names(name))
            .map(|name| Dep::Type(name.clone())),
    );
    if sql {
        res.extend(
            model
                .functions
                .keys()
                .filter(|id| id.name != function.id.name && names(&id.name))
                .map(|id| Dep::Function(id.name.clone())),
        );
    }
    res.sort();
    res.dedup();
    res
}

/// Whether a bare name in `function`'s body can resolve into `schema`:
/// `public` (the default search_path), the function's own schema, or a
/// schema its `SET search_path` names.
fn body_visible(function: &Function, schema: &Ident) -> bool {
    schema.as_str() == "public"
        || schema == &function.id.name.schema
        || function
            .config
            .iter()
            .filter(|(name, _)| name == "search_path")
            .any(|(_, value)| {
                value.split(',').any(|part| {
                    part.trim().trim_matches(|c| c == '"' || c == '\'') == schema.as_str()
                })
            })
}

// ---------------------------------------------------------------------
// Per object: what its CREATE needs.

/// A table: its schema, the parent it is a partition of, its column types
/// and what column defaults and generated expressions use.
pub(crate) fn table(model: &Model, table: &Table) -> Vec<Dep> {
    let mut res: Vec<Dep> = schema(&table.name).into_iter().collect();
    if let Some(of) = &table.partition_of {
        res.push(Dep::Relation(of.parent.clone()));
    }
    res.extend(table.inherits.iter().cloned().map(Dep::Relation));
    for column in &table.columns {
        res.extend(types(model, &column.ty));
        res.extend(type_extension(model, &column.ty));
        for expr_sql in column.default.iter().chain(column.generated.as_deref()) {
            res.extend(column_expr(model, table, &expr_sql.sql));
        }
    }
    res
}

/// A constraint of `table`: the table, and by kind its columns, what its
/// expressions use, or (FK) the referenced table, columns and key.
pub(crate) fn constraint(model: &Model, table: &Table, kind: &ConstraintKind) -> Vec<Dep> {
    let name = &table.name;
    let mut res = vec![Dep::Relation(name.clone())];
    match kind {
        ConstraintKind::PrimaryKey { columns: cols, .. }
        | ConstraintKind::Unique { columns: cols, .. } => res.extend(columns(name, cols)),
        ConstraintKind::Check { expr: check, .. } => {
            res.extend(expr(model, Some(table), &check.sql));
        }
        ConstraintKind::ForeignKey(fk) => {
            res.push(Dep::Relation(fk.ref_table.clone()));
            res.extend(columns(name, &fk.columns));
            res.extend(columns(&fk.ref_table, &fk.ref_columns));
            res.extend(referenced_key(model, fk));
        }
        ConstraintKind::Exclude {
            elements,
            predicate,
            ..
        } => {
            for element in elements {
                res.extend(expr(model, Some(table), &element.expr.sql));
            }
            if let Some(predicate) = predicate {
                res.extend(expr(model, Some(table), &predicate.sql));
            }
        }
    }
    res
}

/// The `search_path` the plan's session runs under: the file's own
/// ([`crate::model::FileSession::search_path`]), or, when the file sets
/// none (an `inspect` output, a pg_dump file, a `.schema` file), one
/// derived from the SQL functions that table expressions call.
///
/// PostgreSQL inlines a `LANGUAGE sql` function called by a column
/// default, generated column, CHECK, index key or partition key when it
/// creates the table or index, and resolves the unqualified names of its
/// body through the session's path at that moment; the catalog does not
/// record the path the objects were first made under. A body written for
/// its own schema (`search_tohash(...)` inside `pgstac.search_hash`) then
/// builds only with that schema on the path. So the derived path is the
/// schemas of those functions (sorted), then `public`; `None` when no
/// table expression calls such a function outside `public` (the session
/// default already finds those). A function with its own `SET
/// search_path` or a SQL-standard body (resolved when it was created) is
/// not inlined under the session path and does not count.
pub(crate) fn session_search_path(model: &Model) -> Option<Vec<Ident>> {
    if let Some(path) = &model.session.search_path {
        return Some(path.clone());
    }
    let inlined_under_session = |function: &Function| {
        function.language == "sql"
            && !function.has_standard_body()
            && !function
                .config
                .iter()
                .any(|(setting, _)| setting.eq_ignore_ascii_case("search_path"))
    };
    let candidates: Vec<&Function> = model
        .functions
        .values()
        .filter(|function| {
            !matches!(function.id.name.schema.as_str(), "public" | "pg_catalog")
                && inlined_under_session(function)
        })
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let mut called = Vec::new();
    for table in model.tables.values() {
        called.extend(self::table(model, table));
        for constraint in table.constraints.values() {
            called.extend(self::constraint(model, table, &constraint.kind));
        }
        for idx in table.indexes.values() {
            called.extend(self::index(model, &table.name, Some(table), idx));
        }
        if let Some(by) = &table.partition_by {
            for key in &by.key {
                called.extend(expr(model, Some(table), &key.sql));
            }
        }
    }
    let mut schemas: Vec<Ident> = Vec::new();
    for dep in called {
        let name = match dep {
            Dep::Function(name) => name,
            Dep::Overload(id) => id.name,
            _ => continue,
        };
        if candidates.iter().any(|function| function.id.name == name)
            && !schemas.contains(&name.schema)
        {
            schemas.push(name.schema);
        }
    }
    if schemas.is_empty() {
        return None;
    }
    schemas.sort();
    schemas.push(Ident::new("public"));
    Some(schemas)
}

/// An index on `relation` (a table, or a materialized view with no
/// columns to look at): the relation, its key columns and what its
/// expressions and predicate use.
pub(crate) fn index(
    model: &Model,
    relation: &QualifiedName,
    table: Option<&Table>,
    index: &Index,
) -> Vec<Dep> {
    let mut res = vec![Dep::Relation(relation.clone())];
    for key in &index.keys {
        match &key.expr {
            IndexExpr::Column(column) => res.push(Dep::Column(relation.clone(), column.clone())),
            IndexExpr::Expr(key_expr) => res.extend(expr(model, table, &key_expr.sql)),
        }
    }
    if let Some(predicate) = &index.predicate {
        res.extend(expr(model, table, &predicate.sql));
    }
    res
}

/// A policy on `table`: the table and what its expressions use.
pub(crate) fn policy(model: &Model, table: &Table, policy: &Policy) -> Vec<Dep> {
    let mut res = vec![Dep::Relation(table.name.clone())];
    for policy_expr in policy.using.iter().chain(policy.with_check.iter()) {
        res.extend(expr(model, Some(table), &policy_expr.sql));
    }
    res
}

/// A trigger on `table`: the table, its function, the columns of
/// `UPDATE OF` and what its `WHEN` uses.
pub(crate) fn trigger(model: &Model, table: &QualifiedName, trigger: &Trigger) -> Vec<Dep> {
    let mut res = vec![
        Dep::Relation(table.clone()),
        Dep::Function(trigger.function.clone()),
    ];
    for event in &trigger.events {
        if let TriggerEvent::Update(cols) = event {
            res.extend(columns(table, cols));
        }
    }
    if let Some(when) = &trigger.when {
        res.extend(expr(model, model.tables.get(table), &when.sql));
    }
    res
}

/// A rule on `table`: the table, the relations its actions and condition
/// name, the columns of those relations and of the table its text names
/// (by identifier word), and the functions and sequences it calls.
pub(crate) fn rule(model: &Model, table: &QualifiedName, rule: &Rule) -> Vec<Dep> {
    let mut res = vec![Dep::Relation(table.clone())];
    res.extend(
        rule.depends_on
            .iter()
            .map(|relation| Dep::Relation(relation.clone())),
    );
    let texts = rule.condition.iter().chain(rule.actions.iter());
    for text in texts {
        res.extend(expr(model, model.tables.get(table), &text.sql));
        for relation in &rule.depends_on {
            if let Some(other) = model.tables.get(relation) {
                res.extend(expr(model, Some(other), &text.sql));
            }
        }
    }
    res.sort();
    res.dedup();
    res
}

/// A view: its schema, the relations it reads and what its query calls.
pub(crate) fn view(model: &Model, view: &View) -> Vec<Dep> {
    let mut res: Vec<Dep> = schema(&view.name).into_iter().collect();
    res.extend(
        view.depends_on
            .iter()
            .map(|relation| Dep::Relation(relation.clone())),
    );
    res.extend(expr(model, None, &view.query.sql));
    res
}

/// A domain: its schema, its base type and what its checks use.
pub(crate) fn domain(model: &Model, domain: &Domain) -> Vec<Dep> {
    let mut res: Vec<Dep> = schema(&domain.name).into_iter().collect();
    res.extend(types(model, &domain.base));
    res.extend(type_extension(model, &domain.base));
    for check in domain.checks.values().chain(domain.default.as_ref()) {
        res.extend(expr(model, None, &check.sql));
    }
    res
}

/// A composite type: its schema and the types of its attributes.
pub(crate) fn composite(model: &Model, composite: &CompositeType) -> Vec<Dep> {
    let mut res: Vec<Dep> = schema(&composite.name).into_iter().collect();
    for attribute in &composite.attributes {
        res.extend(types(model, &attribute.ty));
        res.extend(row_type(model, &attribute.ty).map(Dep::Relation));
    }
    res
}

/// A function: its schema, its argument types and what its body names
/// ([`body_refs`]).
pub(crate) fn function(model: &Model, function: &Function) -> Vec<Dep> {
    let mut res: Vec<Dep> = schema(&function.id.name).into_iter().collect();
    for arg in &function.args {
        res.extend(types(model, &arg.ty));
    }
    res.extend(row_types(model, function).into_iter().map(Dep::Relation));
    res.extend(body_refs(model, function));
    res.extend(aggregate_refs(model, function));
    res.sort();
    res.dedup();
    res
}

/// What an aggregate names: its support functions (those the Model
/// declares) and its state types. PostgreSQL records all of them in
/// `pg_depend`, so they are also what it holds.
fn aggregate_refs(model: &Model, function: &Function) -> Vec<Dep> {
    let Some(aggregate) = &function.aggregate else {
        return Vec::new();
    };
    let mut res: Vec<Dep> = aggregate
        .support_functions()
        .filter(|name| {
            **name != function.id.name && model.functions.keys().any(|id| &id.name == *name)
        })
        .map(|name| Dep::Function(name.clone()))
        .collect();
    for ty in aggregate.state_types() {
        res.extend(types(model, ty));
        res.extend(row_type(model, ty).map(Dep::Relation));
    }
    res
}

/// What PostgreSQL records a function as depending on (`pg_depend`), so
/// that those objects cannot be dropped before it: its schema, its
/// argument types, the row types it takes or returns and, for a
/// SQL-standard body (`RETURN ...`, `BEGIN ATOMIC ... END`), what the
/// body names. A quoted body (`AS $$ ... $$`) is checked when the function
/// is created and resolved when it runs, but records nothing: what it
/// names may be dropped and created again while the function exists.
/// Releasing those too would make a dropped function wait for nothing,
/// and close a cycle when a new function reads a table created again
/// after the old one's trigger is moved to it (pgstac 019 -> 020).
pub(crate) fn function_holds(model: &Model, function: &Function) -> Vec<Dep> {
    if function.has_standard_body() {
        return self::function(model, function);
    }
    let mut res: Vec<Dep> = schema(&function.id.name).into_iter().collect();
    for arg in &function.args {
        res.extend(types(model, &arg.ty));
    }
    res.extend(row_types(model, function).into_iter().map(Dep::Relation));
    res.extend(aggregate_refs(model, function));
    res.sort();
    res.dedup();
    res
}

/// The tables and views whose row types the function takes or returns
/// (`SETOF items` included), sorted.
pub(crate) fn row_types(model: &Model, function: &Function) -> Vec<QualifiedName> {
    let mut res: Vec<QualifiedName> = function
        .args
        .iter()
        .filter_map(|arg| row_type(model, &arg.ty))
        .collect();
    if let Some(returns) = &function.returns {
        let returned = returns
            .trim()
            .strip_prefix("SETOF ")
            .or_else(|| returns.trim().strip_prefix("setof "))
            .unwrap_or(returns.trim());
        res.extend(row_type(model, &TypeName::new(returned)));
    }
    res.sort();
    res.dedup();
    res
}

/// The table or view whose row type `ty` is (`public.orders`,
/// `orders[]`): every table and view has a composite type of its name, and
/// a function taking or returning it can be created only after it.
pub(crate) fn row_type(model: &Model, ty: &TypeName) -> Option<QualifiedName> {
    let name = crate::model::normalize::user_type_name(ty)?;
    (model.tables.contains_key(&name) || model.views.contains_key(&name)).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::sql::test_model as sql_model;
    use crate::model::normalize::expr as parse_expr;
    use crate::model::{Column, Sequence, SequenceOptions};

    fn model_with_sequence_and_function() -> Model {
        let mut model = Model::default();
        let mut table = Table::new(QualifiedName::public("orders"));
        table
            .columns
            .push(Column::new(Ident::new("account_id"), TypeName::new("uuid")));
        model.tables.insert(table.name.clone(), table);
        let name = QualifiedName::new("app", "order_no");
        model.sequences.insert(
            name.clone(),
            Sequence {
                name,
                options: SequenceOptions::defaults(TypeName::new("bigint"), 1),
                owned_by: None,
                comment: None,
                meta: Default::default(),
            },
        );
        model
    }

    #[test]
    fn expressions_name_columns_and_sequences() {
        let model = model_with_sequence_and_function();
        let table = model.tables.get(&QualifiedName::public("orders"));
        let deps = expr(
            &model,
            table,
            "account_id IS NOT NULL AND nextval('app.order_no') > 0 AND 'x' <> 'account_ids'",
        );
        assert_eq!(
            deps,
            vec![
                Dep::Sequence(QualifiedName::new("app", "order_no")),
                Dep::Column(QualifiedName::public("orders"), Ident::new("account_id")),
            ]
        );
        // A column named only inside a string literal is not a use.
        assert_eq!(expr(&model, table, "'account_id' = 'x'"), vec![]);
    }

    #[test]
    fn public_is_never_a_dependency() {
        assert_eq!(schema(&QualifiedName::public("t")), None);
        assert_eq!(
            schema(&QualifiedName::new("app", "t")),
            Some(Dep::Schema(Ident::new("app")))
        );
        let _ = parse_expr;
    }

    #[test]
    fn a_path_is_derived_for_sql_functions_that_table_expressions_inline() {
        let ddl = "CREATE SCHEMA stac;
CREATE FUNCTION stac.to_hash(doc jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT md5(doc::text) $$;
CREATE FUNCTION stac.doc_hash(doc jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT to_hash(doc) $$;
CREATE TABLE stac.searches (doc jsonb, hash text GENERATED ALWAYS AS (stac.doc_hash(doc)) STORED);";
        let path = session_search_path(&sql_model(ddl)).expect("derived");
        assert_eq!(path, vec![Ident::new("stac"), Ident::new("public")]);
        // The file's own path wins.
        let own = session_search_path(&sql_model(&format!("SET search_path TO stac;\n{ddl}")));
        assert_eq!(own, Some(vec![Ident::new("stac")]));
        // No table calls it, or the function sets its own path, or it
        // lives in public: nothing to derive.
        let uncalled = ddl.replace("GENERATED ALWAYS AS (stac.doc_hash(doc)) STORED", "");
        assert_eq!(session_search_path(&sql_model(&uncalled)), None);
        let own_path = ddl.replace(
            "LANGUAGE sql IMMUTABLE AS $$ SELECT to_hash",
            "LANGUAGE sql IMMUTABLE SET search_path = stac AS $$ SELECT to_hash",
        );
        assert_eq!(session_search_path(&sql_model(&own_path)), None);
        let public = ddl.replace("stac.", "public.");
        assert_eq!(session_search_path(&sql_model(&public)), None);
    }

    fn body_deps(model: &Model, name: &str) -> Vec<Dep> {
        let function = model
            .functions
            .values()
            .find(|f| f.id.name.to_string() == name)
            .expect("declared");
        body_refs(model, function)
    }

    #[test]
    fn sql_bodies_need_the_functions_and_types_they_name() {
        let model = sql_model(
            "CREATE SCHEMA app;\nCREATE TYPE app.mood AS ENUM ('a');\n\
             CREATE FUNCTION app.base(x int) RETURNS int LANGUAGE sql AS $$ SELECT x $$;\n\
             CREATE FUNCTION app.uses(x int) RETURNS int LANGUAGE sql SET search_path TO app, public AS $$ SELECT base(x) + app.base(1) + uses(0) WHERE 'a'::mood IS NOT NULL $$;\n\
             CREATE FUNCTION public.other() RETURNS int LANGUAGE sql AS $$ SELECT base(1) $$;\n\
             CREATE FUNCTION app.pl() RETURNS int LANGUAGE plpgsql AS $$ DECLARE m app.mood; BEGIN RETURN app.base(1); END $$;",
        );
        assert_eq!(
            body_deps(&model, "app.uses"),
            vec![
                Dep::Type(QualifiedName::new("app", "mood")),
                Dep::Function(QualifiedName::new("app", "base")),
            ]
        );
        // A bare name outside the body's search_path resolves elsewhere.
        assert_eq!(body_deps(&model, "public.other"), vec![]);
        // PL/pgSQL resolves calls when it runs: only the DECLAREd type.
        assert_eq!(
            body_deps(&model, "app.pl"),
            vec![Dep::Type(QualifiedName::new("app", "mood"))]
        );
    }
}
