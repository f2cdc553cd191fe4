//! Semantic checks of a whole Model, after the frontends and
//! `frontend::resolve`: unknown references, duplicate names, FK type
//! mismatches, partition bounds, generated and identity columns, invalid
//! identifiers.
//!
//! Codes: `unknown-reference` (tables, columns, types), `unresolved-reference`
//! (ONE Info note for the whole Model naming the functions and roles the
//! files use without declaring them: built-ins, extensions' objects, roles,
//! objects outside the managed schemas; PostgreSQL is the judge of those),
//! `duplicate-name`, `fk-type-mismatch`, `fk-target-not-unique`,
//! `partition-overlap`, `partition-bound-mismatch`,
//! `partition-of-non-partitioned`, `generated-self-reference`,
//! `generated-references-generated`, `identity-with-default`,
//! `invalid-identifier`.
//!
//! Invariants: never panics; every diagnostic names the object and points
//! at its name (or its definition, or its table's); checks that cannot be
//! decided offline stay silent rather than guess (unknown types are only
//! reported when no declared extension could provide them; expressions
//! with subqueries are not searched for columns).

mod partition;
mod references;

use super::normalize::{self, MAX_IDENT_BYTES};
use super::{ConstraintKind, Ident, Meta, Model, QualifiedName, SqlExpr, Table, TypeName};
use crate::diagnostics::Diagnostic;
use crate::source::Span;
use std::collections::BTreeMap;

/// Runs every check; diagnostics come out in a stable order. The names
/// the files use without declaring them are ONE Info note
/// ([`unresolved_note`]); with a database at hand, callers use
/// [`validate_split`] and ask the server instead.
pub fn validate(model: &Model) -> Vec<Diagnostic> {
    let (mut out, refs) = validate_split(model);
    out.extend(unresolved_note(&refs).map(|note| suggest_roles(note, &refs, model)));
    out
}

/// The note's help led by a "did you mean" for each used role that is a
/// likely misspelling of a declared one (`app_usr` for `role app_user`).
pub fn suggest_roles(note: Diagnostic, refs: &[Unresolved], model: &Model) -> Diagnostic {
    let mut suggestions: Vec<String> = refs
        .iter()
        .filter(|r| r.kind == UnresolvedKind::Role)
        .filter_map(|r| {
            crate::diagnostics::suggest::closest(&r.name, model.roles.keys().map(Ident::as_str))
                .map(|known| format!("role {}: did you mean `{known}`?", r.name))
        })
        .collect();
    suggestions.sort_unstable();
    suggestions.dedup();
    if suggestions.is_empty() {
        return note;
    }
    let help = note.help.clone().unwrap_or_default();
    note.with_help(format!("{} ({help})", suggestions.join("; ")))
}

/// The checks of [`validate`] without the unresolved-reference note: the
/// diagnostics, and every use of a name only PostgreSQL can resolve (a
/// role, a built-in or extension function or type, an object outside the
/// managed schemas), in the Model's order.
pub fn validate_split(model: &Model) -> (Vec<Diagnostic>, Vec<Unresolved>) {
    let mut out = Vec::new();
    let mut refs = Vec::new();
    check_identifiers(model, &mut out);
    check_relation_names(model, &mut out);
    for table in model.tables.values() {
        if model.is_external(&table.name) {
            continue;
        }
        let ctx = TableCtx::new(model, table);
        check_columns(&ctx, &mut out);
        references::check_constraints(&ctx, &mut out);
        references::check_indexes(&ctx, &mut out);
        references::check_policies(&ctx, &mut refs);
        references::check_triggers(&ctx, &mut refs);
        references::check_distribution(&ctx, &mut out);
        partition::check_partition(&ctx, &mut out);
    }
    partition::check_overlaps(model, &mut out);
    references::check_types(model, &mut out, &mut refs);
    references::check_privilege_roles(model, &mut refs);
    references::check_sequences_and_views(model, &mut out);
    (out, refs)
}

/// The code of the one offline note, and of the errors the server check
/// reports for names the server lacks too.
pub const UNRESOLVED: &str = "unresolved-reference";

/// One use of a name the Model cannot resolve on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    pub kind: UnresolvedKind,
    /// The schema a function was resolved to (`None` for roles and types;
    /// a type's name may carry its own schema).
    pub schema: Option<String>,
    /// The role name, the function name or the type as `format_type`
    /// spells it (`public.citext`, `hstore[]`).
    pub name: String,
    /// The statement or item that uses it.
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnresolvedKind {
    Role,
    Function,
    Type,
}

impl UnresolvedKind {
    pub fn noun(self) -> &'static str {
        match self {
            UnresolvedKind::Role => "role",
            UnresolvedKind::Function => "function",
            UnresolvedKind::Type => "type",
        }
    }
}

impl Unresolved {
    /// `role app_user`, `function public.tsvector_update_trigger`.
    pub fn describe(&self) -> String {
        match &self.schema {
            Some(schema) => format!(
                "{} {}",
                self.kind.noun(),
                QualifiedName::new(schema.clone(), self.name.clone())
            ),
            None if self.kind == UnresolvedKind::Role => {
                format!("{} {}", self.kind.noun(), Ident::new(self.name.clone()))
            }
            None => format!("{} {}", self.kind.noun(), self.name),
        }
    }
}

/// The one note for all the unresolved uses: at the first of them, naming
/// a few distinct names and counting the rest; `None` when there are none.
pub fn unresolved_note(refs: &[Unresolved]) -> Option<Diagnostic> {
    let first = refs.iter().min_by_key(|r| (r.span.file.0, r.span.start))?;
    let mut names: Vec<String> = refs.iter().map(Unresolved::describe).collect();
    names.sort_unstable();
    names.dedup();
    const SHOWN: usize = 5;
    let mut listed = names
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        listed.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    let noun = if names.len() == 1 {
        "object"
    } else {
        "objects"
    };
    let message = format!(
        "{} {noun} used but not declared in these files, left for PostgreSQL to resolve ({} {}): {listed}",
        names.len(),
        refs.len(),
        if refs.len() == 1 { "use" } else { "uses" }
    );
    Some(
        Diagnostic::info(UNRESOLVED, first.span, message)
            .with_label("first use")
            .with_help("built-in and extension functions, roles and objects outside the managed schemas are checked against the server by plan --db and apply; declare the ones that belong to this schema"),
    )
}

/// A table with what the checks need around it.
pub(crate) struct TableCtx<'a> {
    pub model: &'a Model,
    pub table: &'a Table,
    /// The table's columns, or its root parent's for a partition.
    pub columns: &'a [super::Column],
}

impl<'a> TableCtx<'a> {
    fn new(model: &'a Model, table: &'a Table) -> TableCtx<'a> {
        TableCtx {
            model,
            table,
            columns: effective_columns(model, table),
        }
    }

    pub fn has_column(&self, name: &Ident) -> bool {
        self.columns.iter().any(|column| &column.name == name)
    }

    /// `help`, led by a "did you mean" when one of the table's columns is
    /// a likely spelling of `name`.
    pub fn column_help(&self, name: &Ident, help: &str) -> String {
        crate::diagnostics::suggest::with_suggestion(
            help,
            name.as_str(),
            self.columns.iter().map(|column| column.name.as_str()),
        )
    }

    pub fn column_type(&self, name: &Ident) -> Option<&'a TypeName> {
        self.columns
            .iter()
            .find(|column| &column.name == name)
            .map(|column| &column.ty)
    }

    /// The span to report an object at: its name, its definition, else the
    /// table's.
    pub fn span(&self, meta: &Meta) -> Span {
        span_of(meta).unwrap_or_else(|| self.table_span())
    }

    pub fn table_span(&self) -> Span {
        span_of(&self.table.meta).unwrap_or_default()
    }
}

/// Columns of `table`, following `partition_of` to the root parent
/// (a partition's columns are its parent's).
pub(crate) fn effective_columns<'a>(model: &'a Model, table: &'a Table) -> &'a [super::Column] {
    let mut current = table;
    for _ in 0..32 {
        match &current.partition_of {
            Some(of) if current.columns.is_empty() => match model.tables.get(&of.parent) {
                Some(parent) => current = parent,
                None => break,
            },
            _ => break,
        }
    }
    &current.columns
}

pub(crate) fn span_of(meta: &Meta) -> Option<Span> {
    meta.name_span.or(meta.span)
}

fn unknown(span: Span, message: String) -> Diagnostic {
    Diagnostic::error("unknown-reference", span, message)
}

/// `what` names the object for the message; it is only built when there
/// is something to report.
fn check_identifier<W: std::fmt::Display>(
    name: &str,
    what: impl FnOnce() -> W,
    span: Option<Span>,
    fallback: Span,
    out: &mut Vec<Diagnostic>,
) {
    if !name.is_empty() && name.len() <= MAX_IDENT_BYTES {
        return;
    }
    let what = what();
    let span = span.unwrap_or(fallback);
    if name.is_empty() {
        out.push(
            Diagnostic::error(
                "invalid-identifier",
                span,
                format!("{what} has an empty name"),
            )
            .with_label("empty name")
            .with_help("give it a name of 1 to 63 bytes"),
        );
    } else if name.len() > MAX_IDENT_BYTES {
        out.push(
            Diagnostic::error(
                "invalid-identifier",
                span,
                format!(
                    "{what} name {name} is {} bytes long; PostgreSQL keeps only 63",
                    name.len()
                ),
            )
            .with_label("longer than 63 bytes")
            .with_help(format!(
                "PostgreSQL would silently truncate it to {}; choose a shorter name",
                normalize::clip_bytes(name, MAX_IDENT_BYTES)
            )),
        );
    }
}

fn check_identifiers(model: &Model, out: &mut Vec<Diagnostic>) {
    let none = Span::default();
    for schema in model.schemas.values() {
        check_identifier(
            schema.name.as_str(),
            || "schema",
            span_of(&schema.meta),
            none,
            out,
        );
    }
    for (name, item) in &model.enums {
        check_identifier(
            name.name.as_str(),
            || "enum",
            span_of(&item.meta),
            none,
            out,
        );
    }
    for (name, item) in &model.domains {
        check_identifier(
            name.name.as_str(),
            || "domain",
            span_of(&item.meta),
            none,
            out,
        );
    }
    for (name, item) in &model.sequences {
        check_identifier(
            name.name.as_str(),
            || "sequence",
            span_of(&item.meta),
            none,
            out,
        );
    }
    for (name, item) in &model.views {
        check_identifier(
            name.name.as_str(),
            || "view",
            span_of(&item.meta),
            none,
            out,
        );
    }
    for (id, item) in &model.functions {
        check_identifier(
            id.name.name.as_str(),
            || "function",
            span_of(&item.meta),
            none,
            out,
        );
    }
    for (name, table) in &model.tables {
        let table_span = span_of(&table.meta).unwrap_or_default();
        check_identifier(
            name.name.as_str(),
            || "table",
            span_of(&table.meta),
            none,
            out,
        );
        for column in &table.columns {
            check_identifier(
                column.name.as_str(),
                || format!("column of table {name}"),
                span_of(&column.meta),
                table_span,
                out,
            );
        }
        for constraint in table.constraints.values() {
            let span = span_of(&constraint.meta);
            check_identifier(
                constraint.name.as_str(),
                || format!("constraint on table {name}"),
                span,
                table_span,
                out,
            );
        }
        for index in table.indexes.values() {
            check_identifier(
                index.name.as_str(),
                || format!("index on table {name}"),
                span_of(&index.meta),
                table_span,
                out,
            );
        }
        for policy in table.policies.values() {
            check_identifier(
                policy.name.as_str(),
                || format!("policy on table {name}"),
                span_of(&policy.meta),
                table_span,
                out,
            );
        }
        for trigger in table.triggers.values() {
            let span = span_of(&trigger.meta);
            check_identifier(
                trigger.name.as_str(),
                || format!("trigger on table {name}"),
                span,
                table_span,
                out,
            );
        }
    }
}

/// What takes a name in a schema's relation namespace (for messages; the
/// text is only built for a duplicate).
#[derive(Clone, Copy)]
enum Claimant<'m> {
    Table(&'m QualifiedName),
    View(&'m QualifiedName),
    Sequence(&'m QualifiedName),
    ViewIndex(&'m Ident, &'m QualifiedName),
    Constraint(&'m Ident, &'m QualifiedName),
    Index(&'m Ident, &'m QualifiedName),
}

impl std::fmt::Display for Claimant<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Claimant::Table(name) => write!(f, "table {name}"),
            Claimant::View(name) => write!(f, "view {name}"),
            Claimant::Sequence(name) => write!(f, "sequence {name}"),
            Claimant::ViewIndex(index, view) => write!(f, "index {index} on view {view}"),
            Claimant::Constraint(constraint, table) => {
                write!(f, "constraint {constraint} on table {table}")
            }
            Claimant::Index(index, table) => write!(f, "index {index} on table {table}"),
        }
    }
}

/// Relations (tables, views, sequences, indexes, and the indexes behind
/// PRIMARY KEY, UNIQUE and EXCLUDE constraints) share one namespace per
/// schema.
fn check_relation_names<'m>(model: &'m Model, out: &mut Vec<Diagnostic>) {
    let mut seen: std::collections::HashMap<QualifiedName, (Claimant<'m>, Option<Span>)> =
        std::collections::HashMap::new();
    let mut claim = |name: QualifiedName,
                     what: Claimant<'m>,
                     span: Option<Span>,
                     out: &mut Vec<Diagnostic>| {
        match seen.get(&name) {
            Some((first, first_span)) => {
                let mut diagnostic = Diagnostic::error(
                    "duplicate-name",
                    span.or(*first_span).unwrap_or_default(),
                    format!("{what} is named {name}, like {first}"),
                )
                .with_label("name already used in this schema")
                .with_help(
                    "tables, views, sequences, indexes and the indexes of primary key, unique and exclusion constraints share one namespace per schema; rename one",
                );
                if let (Some(first_span), Some(_)) = (first_span, span) {
                    diagnostic = diagnostic.with_secondary(*first_span, "first used here");
                }
                out.push(diagnostic);
            }
            None => {
                seen.insert(name, (what, span));
            }
        }
    };
    for (name, table) in &model.tables {
        claim(
            name.clone(),
            Claimant::Table(name),
            span_of(&table.meta),
            out,
        );
    }
    for (name, view) in &model.views {
        claim(name.clone(), Claimant::View(name), span_of(&view.meta), out);
        for index in view.indexes.values() {
            claim(
                name.with_name(index.name.clone()),
                Claimant::ViewIndex(&index.name, name),
                span_of(&index.meta),
                out,
            );
        }
    }
    for (name, sequence) in &model.sequences {
        claim(
            name.clone(),
            Claimant::Sequence(name),
            span_of(&sequence.meta),
            out,
        );
    }
    for (name, table) in &model.tables {
        let table_span = span_of(&table.meta);
        for constraint in table.constraints.values() {
            let index_backed = matches!(
                constraint.kind,
                ConstraintKind::PrimaryKey { .. }
                    | ConstraintKind::Unique { .. }
                    | ConstraintKind::Exclude { .. }
            );
            if index_backed {
                let what = Claimant::Constraint(&constraint.name, name);
                let span = span_of(&constraint.meta).or(table_span);
                claim(name.with_name(constraint.name.clone()), what, span, out);
            }
        }
        for index in table.indexes.values() {
            let what = Claimant::Index(&index.name, name);
            let span = span_of(&index.meta).or(table_span);
            claim(name.with_name(index.name.clone()), what, span, out);
        }
    }
}

fn check_columns(ctx: &TableCtx<'_>, out: &mut Vec<Diagnostic>) {
    let table = ctx.table;
    let mut seen: BTreeMap<&Ident, Span> = BTreeMap::new();
    for column in &table.columns {
        let span = ctx.span(&column.meta);
        if let Some(first) = seen.get(&column.name) {
            out.push(
                Diagnostic::error(
                    "duplicate-name",
                    span,
                    format!(
                        "column {} is declared twice in table {}",
                        column.name, table.name
                    ),
                )
                .with_label("second declaration")
                .with_secondary(*first, "first declared here")
                .with_help("remove or rename one of them"),
            );
        } else {
            seen.insert(&column.name, span);
        }
        if column.identity.is_some() && column.default.is_some() {
            out.push(
                Diagnostic::error(
                    "identity-with-default",
                    span,
                    format!(
                        "column {}.{} has both an identity and a default",
                        table.name, column.name
                    ),
                )
                .with_label("identity column with a default")
                .with_help(
                    "an identity column takes its values from its sequence; remove the default",
                ),
            );
        }
        if column.generated.is_some() && (column.default.is_some() || column.identity.is_some()) {
            out.push(
                Diagnostic::error(
                    "identity-with-default",
                    span,
                    format!(
                        "generated column {}.{} also has a default or an identity",
                        table.name, column.name
                    ),
                )
                .with_label("generated column with a default")
                .with_help("a generated column's value is its expression; remove the default"),
            );
        }
        if let Some(generated) = &column.generated {
            check_generated(ctx, column, generated, span, out);
        }
    }
}

fn check_generated(
    ctx: &TableCtx<'_>,
    column: &super::Column,
    generated: &SqlExpr,
    span: Span,
    out: &mut Vec<Diagnostic>,
) {
    let table = ctx.table;
    for referenced in normalize::expr_columns(generated) {
        if referenced == column.name {
            out.push(
                Diagnostic::error(
                    "generated-self-reference",
                    span,
                    format!(
                        "generated column {}.{} refers to itself",
                        table.name, column.name
                    ),
                )
                .with_label("refers to itself")
                .with_help("compute it from other columns"),
            );
        } else if let Some(other) = ctx.columns.iter().find(|c| c.name == referenced) {
            if other.generated.is_some() {
                out.push(
                    Diagnostic::error(
                        "generated-references-generated",
                        span,
                        format!(
                            "generated column {}.{} refers to generated column {}",
                            table.name, column.name, other.name
                        ),
                    )
                    .with_label("refers to another generated column")
                    .with_secondary(ctx.span(&other.meta), "generated column declared here")
                    .with_help(
                        "PostgreSQL forbids this; repeat the other column's expression instead",
                    ),
                );
            }
        } else if !has_subquery(generated) {
            out.push(unknown_column(ctx, &referenced, span, "generated column"));
        }
    }
}

fn has_subquery(expr: &SqlExpr) -> bool {
    expr.canonical.to_lowercase().contains("select")
}

fn unknown_column(ctx: &TableCtx<'_>, column: &Ident, span: Span, user: &str) -> Diagnostic {
    unknown(
        span,
        format!(
            "{user} refers to column {column}, which table {} does not have",
            ctx.table.name
        ),
    )
    .with_label(format!("no column {column}"))
    .with_secondary(ctx.table_span(), "table declared here")
    .with_help(ctx.column_help(column, "check the spelling, or add the column"))
}

fn check_column_list(
    ctx: &TableCtx<'_>,
    columns: &[Ident],
    span: Span,
    user: &str,
    out: &mut Vec<Diagnostic>,
) {
    for column in columns {
        if !ctx.has_column(column) {
            out.push(unknown_column(ctx, column, span, user));
        }
    }
}

fn check_expr_columns(
    ctx: &TableCtx<'_>,
    expr: &SqlExpr,
    span: Span,
    user: &str,
    out: &mut Vec<Diagnostic>,
) {
    if has_subquery(expr) {
        return;
    }
    let columns = normalize::expr_columns(expr);
    check_column_list(ctx, &columns, span, user, out);
}

#[cfg(test)]
mod tests {
    use super::partition::literal;
    use super::*;
    use crate::diagnostics::Severity;
    use crate::model::*;
    use crate::source::FileId;

    fn qn(name: &str) -> QualifiedName {
        match name.split_once('.') {
            Some((schema, name)) => QualifiedName::new(schema, name),
            None => QualifiedName::public(name),
        }
    }

    fn at(start: usize) -> Meta {
        Meta::at(Span::new(FileId(0), start, start + 1))
    }

    /// A test Model built table by table.
    #[derive(Default)]
    struct Builder {
        model: Model,
        next_span: usize,
    }

    impl Builder {
        fn table(mut self, name: &str, columns: &[(&str, &str)]) -> Builder {
            let mut table = Table::new(qn(name));
            self.next_span += 10;
            table.meta = at(self.next_span);
            for (column, ty) in columns {
                table
                    .columns
                    .push(Column::new(Ident::new(*column), TypeName::new(*ty)));
            }
            self.model.tables.insert(table.name.clone(), table);
            self
        }

        fn with(mut self, name: &str, edit: impl FnOnce(&mut Table)) -> Builder {
            if let Some(table) = self.model.tables.get_mut(&qn(name)) {
                edit(table);
            }
            self
        }

        fn constraint(self, table: &str, name: &str, kind: ConstraintKind) -> Builder {
            let constraint = Constraint {
                name: Ident::new(name),
                kind,
                deferrable: false,
                initially_deferred: false,
                not_valid: false,
                comment: None,
                meta: Meta::default(),
            };
            self.with(table, |t| {
                t.constraints.insert(Ident::new(name), Box::new(constraint));
            })
        }

        fn partition(self, parent: &str, name: &str, bound: PartitionBound) -> Builder {
            let parent = qn(parent);
            self.table(name, &[]).with(name, |t| {
                t.partition_of = Some(PartitionOf { parent, bound })
            })
        }

        fn partitioned(self, name: &str, strategy: PartitionStrategy, key: &[&str]) -> Builder {
            let key = key
                .iter()
                .map(|k| normalize::expr(k).expect("key parses"))
                .collect();
            self.with(name, |t| {
                t.partition_by = Some(PartitionBy { strategy, key })
            })
        }

        fn codes(self) -> Vec<String> {
            validate(&self.model)
                .into_iter()
                .map(|d| format!("{}: {}", d.code, d.message))
                .collect()
        }
    }

    /// The diagnostics' codes and messages are exactly `expect`.
    fn check(builder: Builder, expect: &[&str]) {
        assert_eq!(builder.codes(), expect);
    }

    fn pk(columns: &[&str]) -> ConstraintKind {
        ConstraintKind::PrimaryKey {
            columns: columns.iter().map(|c| Ident::new(*c)).collect(),
            include: vec![],
        }
    }

    fn fk(columns: &[&str], ref_table: &str, ref_columns: &[&str]) -> ConstraintKind {
        ConstraintKind::ForeignKey(ForeignKey {
            columns: columns.iter().map(|c| Ident::new(*c)).collect(),
            ref_table: qn(ref_table),
            ref_columns: ref_columns.iter().map(|c| Ident::new(*c)).collect(),
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            match_full: false,
        })
    }

    fn accounts() -> Builder {
        Builder::default()
            .table("accounts", &[("id", "uuid"), ("n", "integer")])
            .constraint("accounts", "accounts_pkey", pk(&["id"]))
    }

    #[test]
    fn clean_model_has_no_diagnostics() {
        let builder = accounts()
            .table("orders", &[("id", "bigint"), ("account_id", "uuid")])
            .constraint(
                "orders",
                "orders_account_id_fkey",
                fk(&["account_id"], "accounts", &["id"]),
            );
        check(builder, &[]);
    }

    #[test]
    fn unknown_fk_targets() {
        let builder = accounts()
            .table("orders", &[("account_id", "uuid")])
            .constraint("orders", "a_fkey", fk(&["account_id"], "nope", &["id"]))
            .constraint(
                "orders",
                "b_fkey",
                fk(&["account_id"], "accounts", &["nope"]),
            )
            .constraint("orders", "c_fkey", fk(&["missing"], "accounts", &["id"]));
        check(
            builder,
            &[
                "unknown-reference: foreign key a_fkey references table public.nope, which is not declared",
                "unknown-reference: foreign key b_fkey references column nope, which table public.accounts does not have",
                "unknown-reference: constraint c_fkey refers to column missing, which table public.orders does not have",
            ],
        );
    }

    #[test]
    fn fk_types_and_counts() {
        let builder = accounts()
            .table(
                "orders",
                &[
                    ("account_id", "text"),
                    ("a", "uuid"),
                    ("small", "smallint"),
                    ("v", "character varying(3)"),
                ],
            )
            .table("codes", &[("code", "text"), ("n", "bigint")])
            .constraint("codes", "codes_pkey", pk(&["code"]))
            .constraint(
                "codes",
                "codes_n_key",
                ConstraintKind::Unique {
                    columns: vec![Ident::new("n")],
                    include: vec![],
                    nulls_not_distinct: false,
                },
            )
            .constraint("orders", "a_fkey", fk(&["account_id"], "accounts", &["id"]))
            .constraint(
                "orders",
                "b_fkey",
                fk(&["a", "account_id"], "accounts", &["id"]),
            )
            .constraint("orders", "c_fkey", fk(&["small"], "codes", &["n"]))
            .constraint("orders", "d_fkey", fk(&["v"], "codes", &["code"]))
            .constraint("orders", "e_fkey", fk(&["small"], "accounts", &["n"]));
        check(
            builder,
            &[
                "fk-type-mismatch: foreign key a_fkey: column account_id is text but public.accounts.id is uuid",
                "fk-type-mismatch: foreign key b_fkey has 2 columns but references 1",
                "fk-target-not-unique: foreign key e_fkey references (n) of table public.accounts, which no primary key or unique constraint covers",
            ],
        );
    }

    #[test]
    fn duplicate_names() {
        let builder = accounts()
            .table("orders", &[("id", "bigint"), ("id", "integer")])
            .constraint("orders", "accounts_pkey", pk(&["id"]));
        check(
            builder,
            &[
                "duplicate-name: constraint accounts_pkey on table public.orders is named public.accounts_pkey, like constraint accounts_pkey on table public.accounts",
                "duplicate-name: column id is declared twice in table public.orders",
            ],
        );
    }

    #[test]
    fn index_names_share_the_relation_namespace() {
        let index = Index {
            name: Ident::new("accounts"),
            unique: false,
            nulls_not_distinct: false,
            method: "btree".into(),
            keys: vec![IndexKey {
                expr: IndexExpr::Column(Ident::new("nope")),
                collation: None,
                opclass: None,
                descending: false,
                nulls_first: None,
            }],
            include: vec![],
            predicate: None,
            with: vec![],
            invalid: false,
            comment: None,
            meta: Meta::default(),
        };
        let builder = accounts().with("accounts", |t| {
            t.indexes.insert(index.name.clone(), Box::new(index));
        });
        check(
            builder,
            &[
                "duplicate-name: index accounts on table public.accounts is named public.accounts, like table public.accounts",
                "unknown-reference: index accounts refers to column nope, which table public.accounts does not have",
            ],
        );
    }

    #[test]
    fn column_rules() {
        let builder = Builder::default()
            .table(
                "t",
                &[
                    ("a", "integer"),
                    ("b", "integer"),
                    ("c", "integer"),
                    ("d", "bigint"),
                ],
            )
            .with("t", |t| {
                t.columns[1].generated = normalize::expr("b + 1").ok().map(Box::new);
                t.columns[2].generated = normalize::expr("b * 2").ok().map(Box::new);
                t.columns[3].identity = Some(Box::new(Identity {
                    always: true,
                    options: SequenceOptions::defaults(TypeName::new("bigint"), 1),
                }));
                t.columns[3].default = normalize::expr("0").ok();
            });
        check(
            builder,
            &[
                "generated-self-reference: generated column public.t.b refers to itself",
                "generated-references-generated: generated column public.t.c refers to generated column b",
                "identity-with-default: column public.t.d has both an identity and a default",
            ],
        );
    }

    #[test]
    fn identifiers() {
        let long = "x".repeat(64);
        let builder = Builder::default().table(&long, &[("", "integer")]);
        let codes = builder.codes();
        assert_eq!(codes.len(), 2, "{codes:?}");
        assert!(
            codes[0].starts_with("invalid-identifier: table name xxxx"),
            "{codes:?}"
        );
        assert_eq!(
            codes[1],
            format!("invalid-identifier: column of table public.{long} has an empty name")
        );
    }

    #[test]
    fn types() {
        let builder = Builder::default()
            .table(
                "t",
                &[
                    ("a", "public.mood"),
                    ("b", "public.citext"),
                    ("c", "public.status[]"),
                    ("d", "text"),
                    ("e", "ext.thing"),
                ],
            )
            .with("t", |_| {});
        let mut builder = builder;
        builder.model.enums.insert(
            qn("status"),
            Enum {
                name: qn("status"),
                values: vec!["a".into(), "a".into()],
                comment: None,
                meta: Meta::default(),
            },
        );
        check(
            builder,
            &[
                "unknown-reference: column public.t.a has type public.mood, which is not declared",
                "duplicate-name: enum public.status lists value 'a' twice",
                // An extension's type, a type outside the managed schemas:
                // only the server can tell (one note offline).
                "unresolved-reference: 2 objects used but not declared in these files, left for PostgreSQL to resolve (2 uses): type ext.thing, type public.citext",
            ],
        );
        let mut builder =
            Builder::default().table("t", &[("b", "public.citext"), ("e", "ext.thing")]);
        for (name, schema) in [("citext", "public"), ("mystery", "ext")] {
            builder.model.extensions.insert(
                Ident::new(name),
                Extension {
                    name: Ident::new(name),
                    schema: Ident::new(schema),
                    version: None,
                    meta: Meta::default(),
                },
            );
        }
        check(builder, &[]);
    }

    #[test]
    fn policy_roles() {
        let policy = |roles: &[&str]| Policy {
            name: Ident::new("p"),
            permissive: true,
            command: PolicyCommand::All,
            roles: roles.iter().map(|r| Ident::new(*r)).collect(),
            using: None,
            with_check: None,
            comment: None,
            meta: Meta::default(),
        };
        let mut builder = accounts().with("accounts", |t| {
            t.policies.insert(
                Ident::new("p"),
                Box::new(policy(&["app_user", "public", "ghost"])),
            );
        });
        builder.model.roles.insert(
            Ident::new("app_user"),
            Role {
                name: Ident::new("app_user"),
                meta: Meta::default(),
            },
        );
        let diagnostics = validate(&builder.model);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0].severity, Severity::Info);
        assert_eq!(diagnostics[0].code, "unresolved-reference");
        assert!(
            diagnostics[0].message.contains("role ghost"),
            "{diagnostics:?}"
        );
    }

    #[test]
    fn unresolved_references_are_one_note() {
        let mut builder = accounts();
        for idx in 0..8 {
            let name = format!("p{idx}");
            builder = builder.with("accounts", |t| {
                t.policies.insert(
                    Ident::new(name.clone()),
                    Box::new(Policy {
                        name: Ident::new(name.clone()),
                        permissive: true,
                        command: PolicyCommand::All,
                        roles: vec![Ident::new(format!("role_{}", idx % 7))],
                        using: None,
                        with_check: None,
                        comment: None,
                        meta: at(10 + idx),
                    }),
                );
            });
        }
        let diagnostics = validate(&builder.model);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        let note = &diagnostics[0];
        assert_eq!(
            (note.severity, note.code),
            (Severity::Info, "unresolved-reference")
        );
        assert_eq!(note.message, "7 objects used but not declared in these files, left for PostgreSQL to resolve (8 uses): role role_0, role role_1, role role_2, role role_3, role role_4 and 2 more");
    }

    #[test]
    fn partition_structure() {
        let range = |from: Vec<BoundValue>, to: Vec<BoundValue>| PartitionBound::Range { from, to };
        let builder = Builder::default()
            .table("plain", &[("id", "integer")])
            .partition("plain", "p0", PartitionBound::Default)
            .partition("ghost", "p1", PartitionBound::Default)
            .table("events", &[("a", "integer"), ("b", "integer")])
            .partitioned("events", PartitionStrategy::Range, &["a", "b"])
            .partition(
                "events",
                "e1",
                range(vec![literal("1")], vec![literal("2")]),
            )
            .partition(
                "events",
                "e2",
                range(
                    vec![BoundValue::MinValue, literal("1")],
                    vec![literal("1"), literal("1")],
                ),
            )
            .partition(
                "events",
                "e3",
                range(
                    vec![literal("5"), literal("0")],
                    vec![literal("5"), literal("0")],
                ),
            )
            .partition("events", "e4", PartitionBound::List(vec![literal("1")]));
        check(
            builder,
            &[
                "partition-bound-mismatch: partition public.e1 has bounds of 1 and 1 values, but the key of public.events has 2 columns",
                "partition-bound-mismatch: partition public.e2: a value follows MINVALUE in its FROM bound",
                "partition-bound-mismatch: partition public.e3 has an empty range: its FROM bound is not below its TO bound",
                "partition-bound-mismatch: partition public.e4 has a list bound, but public.events is partitioned by range",
                "partition-of-non-partitioned: public.p0 is a partition of public.plain, which is not partitioned",
                "unknown-reference: partition public.p1 belongs to table public.ghost, which is not declared",
            ],
        );
    }

    #[test]
    fn partition_overlaps() {
        let range = |from: &str, to: &str| PartitionBound::Range {
            from: vec![literal(from)],
            to: vec![literal(to)],
        };
        let builder = Builder::default()
            .table("r", &[("at", "timestamp with time zone")])
            .partitioned("r", PartitionStrategy::Range, &["at"])
            .partition(
                "r",
                "r1",
                range("'2025-01-01 00:00:00+00'", "'2025-02-01 00:00:00+00'"),
            )
            .partition(
                "r",
                "r2",
                range("'2025-02-01 00:00:00+00'", "'2025-03-01 00:00:00+00'"),
            )
            .partition(
                "r",
                "r3",
                range("'2025-01-15 00:00:00+00'", "'2025-01-20 00:00:00+00'"),
            )
            .partition("r", "r4", PartitionBound::Default)
            .partition("r", "r5", PartitionBound::Default)
            .table("l", &[("region", "text")])
            .partitioned("l", PartitionStrategy::List, &["region"])
            .partition(
                "l",
                "l1",
                PartitionBound::List(vec![literal("'eu'"), literal("'uk'")]),
            )
            .partition(
                "l",
                "l2",
                PartitionBound::List(vec![literal("'us'"), literal("'uk'")]),
            )
            .table("h", &[("id", "bigint")])
            .partitioned("h", PartitionStrategy::Hash, &["id"])
            .partition(
                "h",
                "h1",
                PartitionBound::Hash {
                    modulus: 2,
                    remainder: 0,
                },
            )
            .partition(
                "h",
                "h2",
                PartitionBound::Hash {
                    modulus: 4,
                    remainder: 1,
                },
            )
            .partition(
                "h",
                "h3",
                PartitionBound::Hash {
                    modulus: 4,
                    remainder: 2,
                },
            )
            .partition(
                "h",
                "h4",
                PartitionBound::Hash {
                    modulus: 3,
                    remainder: 0,
                },
            )
            .partition(
                "h",
                "h5",
                PartitionBound::Hash {
                    modulus: 4,
                    remainder: 7,
                },
            );
        check(
            builder,
            &[
                "partition-bound-mismatch: partition public.h5 has remainder 7 for modulus 4",
                "partition-overlap: partition public.h3 overlaps partition public.h1: hash (modulus 4, remainder 2) shares rows with (modulus 2, remainder 0)",
                "partition-bound-mismatch: partition public.h4 has modulus 3, which does not divide or is not divided by the modulus 2 of partition public.h1",
                "partition-overlap: partition public.l2 overlaps partition public.l1: both list 'uk'",
                "partition-overlap: partition public.r3 overlaps partition public.r1: their ranges intersect",
                "partition-overlap: partition public.r5 overlaps partition public.r4: both are the default partition",
            ],
        );
    }

    #[test]
    fn partitions_use_their_parents_columns() {
        let builder = Builder::default()
            .table("r", &[("id", "integer")])
            .partitioned("r", PartitionStrategy::Range, &["id"])
            .partition(
                "r",
                "r1",
                PartitionBound::Range {
                    from: vec![literal("0")],
                    to: vec![literal("10")],
                },
            )
            .constraint(
                "r1",
                "r1_id_check",
                ConstraintKind::Check {
                    expr: normalize::expr("id > 0").expect("parses"),
                    no_inherit: false,
                },
            )
            .constraint(
                "r1",
                "r1_x_check",
                ConstraintKind::Check {
                    expr: normalize::expr("x > 0").expect("parses"),
                    no_inherit: false,
                },
            );
        check(
            builder,
            &["unknown-reference: constraint r1_x_check refers to column x, which table public.r1 does not have"],
        );
    }
}
