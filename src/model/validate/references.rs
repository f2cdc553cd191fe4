//! Reference checks of a Model: constraints, foreign keys, indexes,
//! policies, triggers, shard distribution, column and domain types,
//! sequence ownership and view dependencies. See the parent module for the
//! codes and invariants.

use super::{
    check_column_list, check_expr_columns, effective_columns, span_of, unknown, unknown_column,
    TableCtx, Unresolved, UnresolvedKind,
};
use crate::diagnostics::Diagnostic;
use crate::model::normalize;
use crate::model::{ConstraintKind, Ident, IndexExpr, Model, Table, TypeName, BUILTIN_ROLES};
use crate::source::Span;

pub(super) fn check_constraints(ctx: &TableCtx<'_>, out: &mut Vec<Diagnostic>) {
    for constraint in ctx.table.constraints.values() {
        let span = ctx.span(&constraint.meta);
        let user = format!("constraint {}", constraint.name);
        match &constraint.kind {
            ConstraintKind::PrimaryKey { columns, include } => {
                check_column_list(ctx, columns, span, &user, out);
                check_column_list(ctx, include, span, &user, out);
            }
            ConstraintKind::Unique {
                columns, include, ..
            } => {
                check_column_list(ctx, columns, span, &user, out);
                check_column_list(ctx, include, span, &user, out);
            }
            ConstraintKind::Check { expr, .. } => check_expr_columns(ctx, expr, span, &user, out),
            ConstraintKind::Exclude {
                elements,
                include,
                predicate,
                ..
            } => {
                for element in elements {
                    check_expr_columns(ctx, &element.expr, span, &user, out);
                }
                check_column_list(ctx, include, span, &user, out);
                if let Some(predicate) = predicate {
                    check_expr_columns(ctx, predicate, span, &user, out);
                }
            }
            ConstraintKind::ForeignKey(fk) => {
                check_column_list(ctx, &fk.columns, span, &user, out);
                check_foreign_key(ctx, constraint, fk, span, out);
            }
        }
    }
}

fn check_foreign_key(
    ctx: &TableCtx<'_>,
    constraint: &crate::model::Constraint,
    fk: &crate::model::ForeignKey,
    span: Span,
    out: &mut Vec<Diagnostic>,
) {
    let model = ctx.model;
    let Some(target) = model.tables.get(&fk.ref_table) else {
        if !model.is_external(&fk.ref_table) {
            out.push(
                unknown(
                    span,
                    format!(
                        "foreign key {} references table {}, which is not declared",
                        constraint.name, fk.ref_table
                    ),
                )
                .with_label(format!("unknown table {}", fk.ref_table))
                .with_help(table_help(model, &fk.ref_table)),
            );
        }
        return;
    };
    let target_ctx = TableCtx::new(model, target);
    let target_span = target_ctx.table_span();
    for column in &fk.ref_columns {
        if !target_ctx.has_column(column) {
            out.push(
                unknown(
                    span,
                    format!(
                        "foreign key {} references column {column}, which table {} does not have",
                        constraint.name, fk.ref_table
                    ),
                )
                .with_label(format!("no column {column} in {}", fk.ref_table))
                .with_secondary(target_span, "referenced table declared here")
                .with_help(
                    target_ctx.column_help(column, "check the spelling of the referenced columns"),
                ),
            );
            return;
        }
    }
    if fk.columns.len() != fk.ref_columns.len() {
        out.push(
            Diagnostic::error(
                "fk-type-mismatch",
                span,
                format!(
                    "foreign key {} has {} columns but references {}",
                    constraint.name,
                    fk.columns.len(),
                    fk.ref_columns.len()
                ),
            )
            .with_label("column counts differ")
            .with_secondary(target_span, "referenced table declared here")
            .with_help("list as many referencing columns as referenced ones"),
        );
        return;
    }
    if !fk.ref_columns.is_empty() && !has_unique_key(target, &fk.ref_columns) {
        out.push(
            Diagnostic::error(
                "fk-target-not-unique",
                span,
                format!(
                    "foreign key {} references ({}) of table {}, which no primary key or unique constraint covers",
                    constraint.name,
                    join(&fk.ref_columns),
                    fk.ref_table
                ),
            )
            .with_label("no unique key on the referenced columns")
            .with_secondary(target_span, "referenced table declared here")
            .with_help("add a primary key or unique constraint on exactly these columns"),
        );
    }
    for (column, ref_column) in fk.columns.iter().zip(&fk.ref_columns) {
        let (Some(ty), Some(ref_ty)) =
            (ctx.column_type(column), target_ctx.column_type(ref_column))
        else {
            continue;
        };
        let (ty, ref_ty) = (base_type(model, ty), base_type(model, ref_ty));
        if !types_compatible(&ty, &ref_ty) {
            out.push(
                Diagnostic::error(
                    "fk-type-mismatch",
                    span,
                    format!(
                        "foreign key {}: column {column} is {ty} but {}.{ref_column} is {ref_ty}",
                        constraint.name, fk.ref_table
                    ),
                )
                .with_label("types differ")
                .with_secondary(target_span, "referenced table declared here")
                .with_help(format!("declare {column} as {ref_ty}")),
            );
        }
    }
}

fn join(idents: &[Ident]) -> String {
    idents
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// True when a PK, UNIQUE constraint or full unique index of `table` is on
/// exactly the set `columns`.
fn has_unique_key(table: &Table, columns: &[Ident]) -> bool {
    let mut wanted: Vec<&Ident> = columns.iter().collect();
    wanted.sort();
    wanted.dedup();
    let same = |key: &[Ident]| {
        let mut key: Vec<&Ident> = key.iter().collect();
        key.sort();
        key.dedup();
        key == wanted
    };
    table
        .constraints
        .values()
        .any(|constraint| match &constraint.kind {
            ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => {
                same(columns)
            }
            _ => false,
        })
        || table.indexes.values().any(|index| {
            index.unique
                && index.predicate.is_none()
                && index
                    .keys
                    .iter()
                    .map(|key| match &key.expr {
                        IndexExpr::Column(column) => Some(column.clone()),
                        IndexExpr::Expr(_) => None,
                    })
                    .collect::<Option<Vec<Ident>>>()
                    .is_some_and(|key| same(&key))
        })
}

/// A domain's base type (followed through nested domains), modifiers
/// removed: what FK compatibility is decided on.
fn base_type(model: &Model, ty: &TypeName) -> String {
    let mut current = ty.clone();
    for _ in 0..16 {
        let domain = normalize::user_type_name(&current).and_then(|name| model.domains.get(&name));
        match domain {
            Some(domain) if !current.is_array() => current = domain.base.clone(),
            _ => break,
        }
    }
    let text = current.as_str();
    match (text.find('('), text.find(')')) {
        (Some(open), Some(close)) if open < close => {
            format!("{}{}", &text[..open], &text[close + 1..])
        }
        _ => text.to_string(),
    }
}

/// Types PostgreSQL can compare across in a foreign key (same btree
/// operator family, or an implicit cast to the referenced type).
fn types_compatible(ty: &str, ref_ty: &str) -> bool {
    fn family(ty: &str) -> &str {
        match ty {
            "smallint" | "integer" | "bigint" => "integer",
            "real" | "double precision" => "float",
            "text" | "character varying" | "character" | "bpchar" | "name" => "text",
            "date" | "timestamp without time zone" | "timestamp with time zone" => "datetime",
            "time without time zone" => "time",
            "bit" | "bit varying" => "bit",
            other => other,
        }
    }
    let (ty_elem, ref_elem) = (ty.trim_end_matches("[]"), ref_ty.trim_end_matches("[]"));
    if ty.ends_with("[]") != ref_ty.ends_with("[]") {
        return false;
    }
    let (fam, ref_fam) = (family(ty_elem), family(ref_elem));
    fam == ref_fam
        || (fam == "integer" && matches!(ref_fam, "numeric" | "float"))
        || (fam == "float" && ref_fam == "numeric")
}

pub(super) fn check_indexes(ctx: &TableCtx<'_>, out: &mut Vec<Diagnostic>) {
    for index in ctx.table.indexes.values() {
        let span = ctx.span(&index.meta);
        let user = format!("index {}", index.name);
        for key in &index.keys {
            match &key.expr {
                IndexExpr::Column(column) => {
                    check_column_list(ctx, std::slice::from_ref(column), span, &user, out)
                }
                IndexExpr::Expr(expr) => check_expr_columns(ctx, expr, span, &user, out),
            }
        }
        check_column_list(ctx, &index.include, span, &user, out);
        if let Some(predicate) = &index.predicate {
            check_expr_columns(ctx, predicate, span, &user, out);
        }
    }
}

pub(super) fn check_policies(ctx: &TableCtx<'_>, refs: &mut Vec<Unresolved>) {
    for policy in ctx.table.policies.values() {
        let span = ctx.span(&policy.meta);
        for role in &policy.roles {
            let known = ctx.model.roles.contains_key(role)
                || BUILTIN_ROLES.contains(&role.as_str())
                || role.as_str().starts_with("pg_");
            if !known {
                // Roles are cluster objects pg_dump never prints: PostgreSQL
                // is the judge, so this joins the one unresolved-references note.
                refs.push(Unresolved {
                    kind: UnresolvedKind::Role,
                    schema: None,
                    name: role.as_str().to_string(),
                    span,
                });
            }
        }
    }
}

/// Roles that privileges are granted to: cluster objects, resolved like
/// policy roles (one note offline, the server's `pg_roles` with a
/// database). Located at the object the privileges are on.
pub(super) fn check_privilege_roles(model: &Model, refs: &mut Vec<Unresolved>) {
    for (target, acl) in &model.privileges {
        let Some(span) = model.acl_target_meta(target).and_then(super::span_of) else {
            continue;
        };
        let mut seen = std::collections::BTreeSet::new();
        for (grantee, _) in acl.keys() {
            let crate::model::Grantee::Role(role) = grantee else {
                continue;
            };
            let known = model.roles.contains_key(role)
                || BUILTIN_ROLES.contains(&role.as_str())
                || role.as_str().starts_with("pg_");
            if !known && seen.insert(role) {
                refs.push(Unresolved {
                    kind: UnresolvedKind::Role,
                    schema: None,
                    name: role.as_str().to_string(),
                    span,
                });
            }
        }
    }
}

pub(super) fn check_triggers(ctx: &TableCtx<'_>, refs: &mut Vec<Unresolved>) {
    let model = ctx.model;
    for trigger in ctx.table.triggers.values() {
        // `FunctionId` orders by name first and an empty argument list
        // sorts before any other, so the first id at or after
        // `(name, [])` is a function of that name when one is declared.
        let lowest = crate::model::FunctionId {
            name: trigger.function.clone(),
            arg_types: Vec::new(),
        };
        let declared = model
            .functions
            .range(lowest..)
            .next()
            .is_some_and(|(id, _)| id.name == trigger.function);
        let schema = trigger.function.schema.as_str();
        let elsewhere = schema == "pg_catalog"
            || model
                .extensions
                .values()
                .any(|extension| extension.schema.as_str() == schema)
            || model.is_external(&trigger.function);
        if !declared && !elsewhere {
            // A built-in (`tsvector_update_trigger`), an extension's or one
            // outside the managed schemas: only PostgreSQL can tell.
            refs.push(Unresolved {
                kind: UnresolvedKind::Function,
                schema: Some(trigger.function.schema.as_str().to_string()),
                name: trigger.function.name.as_str().to_string(),
                span: ctx.span(&trigger.meta),
            });
        }
    }
}

pub(super) fn check_distribution(ctx: &TableCtx<'_>, out: &mut Vec<Diagnostic>) {
    // Citus places the tables of a distributed schema itself and refuses
    // a distribution of their own ("distributed schema cannot have
    // distributed tables").
    let in_distributed_schema = ctx
        .model
        .schemas
        .get(&ctx.table.name.schema)
        .is_some_and(|schema| schema.distributed);
    if in_distributed_schema && ctx.table.distribution.is_some() {
        out.push(
            Diagnostic::error(
                "invalid-distribution",
                ctx.table_span(),
                format!(
                    "table {} is in the distributed schema {}, which places its tables itself: it cannot have a shard distribution of its own",
                    ctx.table.name, ctx.table.name.schema
                ),
            )
            .with_help("remove the table's `shard` line, or the schema's `distributed`"),
        );
    }
    let Some(crate::model::Distribution::Hash {
        column, colocation, ..
    }) = &ctx.table.distribution
    else {
        return;
    };
    let span = ctx.table_span();
    if !ctx.has_column(column) {
        out.push(unknown_column(ctx, column, span, "the shard distribution"));
    }
    if let crate::model::Colocation::Table(other) = colocation {
        if !ctx.model.tables.contains_key(other) && !ctx.model.is_external(other) {
            out.push(
                unknown(
                    span,
                    format!(
                        "table {} is colocated with table {other}, which is not declared",
                        ctx.table.name
                    ),
                )
                .with_label(format!("unknown table {other}"))
                .with_help("declare the table to colocate with"),
            );
        }
    }
}

/// True when a type needs no declaration: built in, a declared enum or
/// domain, a table's row type, or possibly provided by a declared extension.
fn type_is_known(model: &Model, ty: &TypeName) -> bool {
    if normalize::is_builtin_type(ty.as_str()) {
        return true;
    }
    let Some(name) = normalize::user_type_name(ty) else {
        // Not a schema-qualified user type: an unusual built-in spelling.
        return true;
    };
    if model.enums.contains_key(&name)
        || model.domains.contains_key(&name)
        || model.composites.contains_key(&name)
        || model.tables.contains_key(&name)
        || model.views.contains_key(&name)
        || model.is_external(&name)
        || name.schema.as_str() == "pg_catalog"
    {
        return true;
    }
    model.extensions.values().any(|extension| {
        match normalize::extension_of_type(name.name.as_str()) {
            Some(provider) => provider == extension.name.as_str(),
            // An extension we know nothing about may provide any type in its schema.
            None => extension.schema == name.schema,
        }
    })
}

/// An undeclared type: an error, unless something outside the files may
/// provide it, so that only PostgreSQL can tell: the file runs statements
/// schemac cannot model (`DO` blocks, see [`crate::model::FileSession`];
/// the shadow database builds them as written), the type is a well-known
/// extension's (`citext`, `hstore`, ...: the extension may be installed
/// without the files declaring it), or it lives in a schema the files do
/// not manage. Those join the one unresolved-reference note offline, and
/// are looked up on the server when a database is given.
fn unknown_type(
    model: &Model,
    ty: &TypeName,
    user: String,
    span: Span,
    out: &mut Vec<Diagnostic>,
    refs: &mut Vec<Unresolved>,
) {
    let outside = normalize::user_type_name(ty).is_some_and(|name| {
        normalize::extension_of_type(name.name.as_str()).is_some()
            || (name.schema.as_str() != "public" && !model.schemas.contains_key(&name.schema))
    });
    if !model.session.verbatim.is_empty() || outside {
        refs.push(Unresolved {
            kind: UnresolvedKind::Type,
            schema: None,
            name: ty.as_str().to_string(),
            span,
        });
        return;
    }
    out.push(
        unknown(span, format!("{user} has type {ty}, which is not declared"))
            .with_label(format!("unknown type {ty}"))
            .with_help(type_help(model, ty)),
    );
}

/// Type names a misspelt type is compared with: common built-in spellings
/// and the schema's own enums, domains and composite types.
const COMMON_TYPES: &[&str] = &[
    "bigint",
    "bigserial",
    "bool",
    "boolean",
    "bytea",
    "char",
    "cidr",
    "citext",
    "date",
    "float4",
    "float8",
    "inet",
    "int",
    "int2",
    "int4",
    "int8",
    "integer",
    "interval",
    "json",
    "jsonb",
    "macaddr",
    "money",
    "numeric",
    "real",
    "serial",
    "smallint",
    "smallserial",
    "text",
    "time",
    "timestamp",
    "timestamptz",
    "timetz",
    "tsquery",
    "tsvector",
    "uuid",
    "varchar",
    "xml",
];

fn type_help(model: &Model, ty: &TypeName) -> String {
    let spelled = ty.as_str().trim_end_matches("[]");
    let word = spelled.rsplit('.').next().unwrap_or(spelled);
    let user_types = model
        .enums
        .keys()
        .chain(model.domains.keys())
        .chain(model.composites.keys())
        .map(|name| name.name.as_str());
    crate::diagnostics::suggest::with_suggestion(
        "declare the enum or domain, or the extension that provides the type",
        word,
        COMMON_TYPES.iter().copied().chain(user_types),
    )
}

/// The help for a reference to an undeclared table: a likely spelling
/// among the declared tables first.
fn table_help(model: &Model, missing: &crate::model::QualifiedName) -> String {
    let same_schema = model
        .tables
        .keys()
        .filter(|name| name.schema == missing.schema)
        .map(|name| name.name.as_str());
    crate::diagnostics::suggest::with_suggestion(
        "declare the table, or mark it external if another tool manages it",
        missing.name.as_str(),
        same_schema,
    )
}

pub(super) fn check_types(model: &Model, out: &mut Vec<Diagnostic>, refs: &mut Vec<Unresolved>) {
    for table in model.tables.values() {
        if model.is_external(&table.name) {
            continue;
        }
        let table_span = span_of(&table.meta).unwrap_or_default();
        for column in &table.columns {
            if !type_is_known(model, &column.ty) {
                let span = span_of(&column.meta).unwrap_or(table_span);
                unknown_type(
                    model,
                    &column.ty,
                    format!("column {}.{}", table.name, column.name),
                    span,
                    out,
                    refs,
                );
            }
        }
    }
    for composite in model.composites.values() {
        for attribute in &composite.attributes {
            if !type_is_known(model, &attribute.ty) {
                unknown_type(
                    model,
                    &attribute.ty,
                    format!("attribute {} of type {}", attribute.name, composite.name),
                    span_of(&composite.meta).unwrap_or_default(),
                    out,
                    refs,
                );
            }
        }
    }
    for domain in model.domains.values() {
        if !type_is_known(model, &domain.base) {
            let span = span_of(&domain.meta).unwrap_or_default();
            unknown_type(
                model,
                &domain.base,
                format!("domain {}", domain.name),
                span,
                out,
                refs,
            );
        }
    }
    for item in model.enums.values() {
        let mut seen: Vec<&String> = Vec::new();
        for value in &item.values {
            if seen.contains(&value) {
                out.push(
                    Diagnostic::error(
                        "duplicate-name",
                        span_of(&item.meta).unwrap_or_default(),
                        format!("enum {} lists value '{value}' twice", item.name),
                    )
                    .with_label("duplicate enum value")
                    .with_help("remove one of them"),
                );
            }
            seen.push(value);
        }
    }
}

pub(super) fn check_sequences_and_views(model: &Model, out: &mut Vec<Diagnostic>) {
    for sequence in model.sequences.values() {
        let Some((table_name, column)) = &sequence.owned_by else {
            continue;
        };
        let span = span_of(&sequence.meta).unwrap_or_default();
        match model.tables.get(table_name) {
            Some(table)
                if !effective_columns(model, table)
                    .iter()
                    .any(|c| &c.name == column) =>
            {
                out.push(
                    unknown(
                        span,
                        format!(
                            "sequence {} is owned by column {table_name}.{column}, which does not exist",
                            sequence.name
                        ),
                    )
                    .with_label(format!("no column {column}"))
                    .with_help("fix the OWNED BY column"),
                );
            }
            Some(_) => {}
            None => out.push(
                unknown(
                    span,
                    format!(
                        "sequence {} is owned by table {table_name}, which is not declared",
                        sequence.name
                    ),
                )
                .with_label(format!("unknown table {table_name}"))
                .with_help("fix the OWNED BY table"),
            ),
        }
    }
    for view in model.views.values() {
        let span = span_of(&view.meta).unwrap_or_default();
        for relation in &view.depends_on {
            let known = model.tables.contains_key(relation)
                || model.views.contains_key(relation)
                || model.sequences.contains_key(relation)
                || model.is_external(relation)
                || relation.schema.as_str() == "pg_catalog"
                || relation.schema.as_str() == "information_schema";
            if !known {
                out.push(
                    unknown(
                        span,
                        format!("view {} reads {relation}, which is not declared", view.name),
                    )
                    .with_label(format!("unknown relation {relation}"))
                    .with_help("declare the table or view, or mark it external"),
                );
            }
        }
    }
}
