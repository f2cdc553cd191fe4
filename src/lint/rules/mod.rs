//! One file per rule (the file name is the rule id in snake_case), plus the
//! small Model queries several rules share.

pub mod add_column_volatile_default;
pub mod add_required_column;
pub mod char_type;
pub mod column_type_rewrite;
pub mod constraint_without_not_valid;
pub mod default_partition_range;
pub mod distribute_without_concurrently;
pub mod distributed_fk_not_colocated;
pub mod distribution_column_not_in_unique;
pub mod drop_column;
pub mod drop_index_backing_constraint;
pub mod drop_index_without_concurrently;
pub mod drop_partition_with_data;
pub mod drop_table;
pub mod duplicate_index;
pub mod enum_value_removal;
pub mod fk_on_partitioned_table;
pub mod fk_without_index;
pub mod identifier_too_long;
pub mod index_without_concurrently;
pub mod integer_primary_key;
pub mod json_type;
pub mod long_lock_large_table;
pub mod mixed_case_identifier;
pub mod money_type;
pub mod partition_key_not_in_unique;
pub mod partition_range_gap;
pub mod permissive_policies_only;
pub mod policy_drop_create_split;
pub mod policy_unknown_reference;
pub mod policy_without_rls;
pub mod redundant_index;
pub mod reference_table_fk_to_distributed;
pub mod rename_without_hint;
pub mod renamed_object_in_use;
pub mod reserved_word_identifier;
pub mod retype_column_used_by_view;
pub mod rls_enabled_before_policies;
pub mod rls_not_forced;
pub mod rls_without_policy;
pub mod serial_column;
pub mod set_not_null_without_check;
pub mod table_without_primary_key;
pub mod timestamp_without_time_zone;
pub mod trigger_on_distributed_table;
pub mod unique_without_index;
pub mod unused_suppression;
pub mod varchar_length;

use crate::model::{Constraint, ConstraintKind, ForeignKey, Ident, IndexExpr, SqlExpr, Table};
use crate::source::Span;
use std::borrow::Cow;

/// `a, b, c`.
pub fn names(idents: &[Ident]) -> String {
    idents
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The foreign keys of a table.
pub fn fk_constraints(table: &Table) -> impl Iterator<Item = (&Constraint, &ForeignKey)> {
    table
        .constraints
        .values()
        .filter_map(|constraint| match &constraint.kind {
            ConstraintKind::ForeignKey(fk) => Some((&**constraint, fk)),
            _ => None,
        })
}

/// Columns of the PRIMARY KEY and every UNIQUE constraint / unique index,
/// each as one list.
pub fn unique_keys(table: &Table) -> Vec<(Ident, Vec<Ident>, Option<Span>)> {
    let mut res = Vec::new();
    for constraint in table.constraints.values() {
        match &constraint.kind {
            ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => {
                res.push((
                    constraint.name.clone(),
                    columns.clone(),
                    constraint.meta.span,
                ));
            }
            _ => {}
        }
    }
    for index in table.indexes.values().filter(|index| index.unique) {
        let columns = index
            .keys
            .iter()
            .filter_map(|key| match &key.expr {
                IndexExpr::Column(name) => Some(name.clone()),
                IndexExpr::Expr(_) => None,
            })
            .collect();
        res.push((index.name.clone(), columns, index.meta.span));
    }
    res
}

/// The shared body of the column-type rules (char, json, money, timestamp,
/// varchar(n)): one finding per column whose type `matches`, at the
/// column's definition.
pub fn flag_columns_of_type(
    ctx: &crate::lint::SchemaCtx<'_>,
    out: &mut Vec<crate::lint::Finding>,
    rule: &'static crate::lint::Rule,
    matches: fn(&crate::model::TypeName) -> bool,
    label: &str,
    help: &str,
) {
    for (table, column) in ctx.columns_of_type(matches) {
        out.push(
            crate::lint::Finding::new(
                rule,
                crate::lint::span(&column.meta),
                format!(
                    "column {}.{} has type {}",
                    table.name, column.name, column.ty
                ),
            )
            .label(label)
            .help(help),
        );
    }
}

/// The element type of an array type, or the type itself, borrowed
/// ([`crate::model::TypeName::element`] without the allocation).
pub fn element_type(ty: &crate::model::TypeName) -> &str {
    let mut res = ty.as_str();
    while let Some(rest) = res.strip_suffix("[]") {
        res = rest;
    }
    res
}

/// True when some index, PK or UNIQUE constraint (given as the table's
/// [`index_signatures`]) starts with exactly these columns (in any order
/// among the first `columns.len()`).
pub fn has_index_leading_with(signatures: &[IndexSig<'_>], columns: &[Ident]) -> bool {
    let mut want: Vec<&str> = columns.iter().map(Ident::as_str).collect();
    want.sort_unstable();
    let mut lead: Vec<&str> = Vec::with_capacity(columns.len());
    signatures.iter().any(|sig| {
        sig.method == "btree" && sig.keys.len() >= columns.len() && {
            lead.clear();
            lead.extend(sig.keys[..columns.len()].iter().map(|key| key.as_ref()));
            lead.sort_unstable();
            lead == want
        }
    })
}

/// A comparable summary of an index or an index-backed constraint,
/// borrowing from the Model.
#[derive(Debug)]
pub struct IndexSig<'a> {
    pub name: &'a Ident,
    pub method: &'a str,
    /// Key columns (plain names) or canonical expression text.
    pub keys: Vec<Cow<'a, str>>,
    pub predicate: Option<&'a SqlExpr>,
    pub unique: bool,
    pub is_constraint: bool,
    pub span: Span,
}

/// The index signatures of a table: its PRIMARY KEY and UNIQUE
/// constraints, then its indexes. Rules read them through
/// [`crate::lint::SchemaCtx::base_tables_with_signatures`], which builds
/// them once per lint run.
pub fn index_signatures(table: &Table) -> Vec<IndexSig<'_>> {
    let table_span = table.meta.span.unwrap_or_default();
    let mut res = Vec::with_capacity(table.constraints.len() + table.indexes.len());
    for constraint in table.constraints.values() {
        let columns = match &constraint.kind {
            ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => {
                columns
            }
            _ => continue,
        };
        res.push(IndexSig {
            name: &constraint.name,
            method: "btree",
            keys: columns.iter().map(|c| Cow::Borrowed(c.as_str())).collect(),
            predicate: None,
            unique: true,
            is_constraint: true,
            span: constraint.meta.span.unwrap_or(table_span),
        });
    }
    for index in table.indexes.values() {
        res.push(IndexSig {
            name: &index.name,
            method: &index.method,
            keys: index.keys.iter().map(index_key_text).collect(),
            predicate: index.predicate.as_ref(),
            unique: index.unique,
            is_constraint: false,
            span: index.meta.span.unwrap_or(table_span),
        });
    }
    res
}

/// One index key as compared by the index rules: the column name or the
/// parenthesised canonical expression, then ` desc` and the opclass.
fn index_key_text(key: &crate::model::IndexKey) -> Cow<'_, str> {
    let base = match &key.expr {
        IndexExpr::Column(name) if !key.descending && key.opclass.is_none() => {
            return Cow::Borrowed(name.as_str());
        }
        IndexExpr::Column(name) => name.as_str().to_string(),
        IndexExpr::Expr(expr) => format!("({})", expr.canonical),
    };
    let mut res = base;
    if key.descending {
        res.push_str(" desc");
    }
    if let Some(opclass) = &key.opclass {
        res.push(' ');
        res.push_str(opclass);
    }
    Cow::Owned(res)
}

/// Where a declared name lives, for messages: nothing (a schema), a schema,
/// or a table. Displayed as the SQL spelling of that schema or table, so it
/// is only turned into text for a name that is reported.
#[derive(Debug, Clone, Copy)]
pub enum Owner<'a> {
    None,
    Schema(&'a Ident),
    Table(&'a crate::model::QualifiedName),
}

impl Owner<'_> {
    pub fn is_empty(&self) -> bool {
        matches!(self, Owner::None)
    }
}

impl std::fmt::Display for Owner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Owner::None => Ok(()),
            Owner::Schema(schema) => schema.fmt(f),
            Owner::Table(table) => table.fmt(f),
        }
    }
}

/// One declared name and which of the name rules flag it.
#[derive(Debug, Clone, Copy)]
pub struct DeclaredName<'a> {
    /// The kind of object, for messages (`column`, `index`, ...).
    pub what: &'static str,
    pub owner: Owner<'a>,
    pub name: &'a Ident,
    pub span: Option<Span>,
    /// [`identifier_too_long::flagged`], [`mixed_case_identifier::flagged`]
    /// and [`reserved_word_identifier::flagged`], computed while the names
    /// are collected: the names are spread over the whole Model, so reading
    /// each once instead of once per rule keeps those rules cheap.
    pub too_long: bool,
    pub needs_quotes: bool,
    pub reserved: bool,
}

impl<'a> DeclaredName<'a> {
    fn new(
        what: &'static str,
        owner: Owner<'a>,
        name: &'a Ident,
        span: Option<Span>,
    ) -> DeclaredName<'a> {
        let text = name.as_str();
        DeclaredName {
            what,
            owner,
            name,
            span,
            too_long: identifier_too_long::flagged(text),
            needs_quotes: mixed_case_identifier::flagged(text),
            reserved: reserved_word_identifier::flagged(text),
        }
    }
}

/// Every name the schema declares that one of the name rules flags (they
/// read it through [`crate::lint::SchemaCtx::declared_names`], which
/// builds it once). Names no rule flags are not kept: nearly all of them.
pub fn declared_names(model: &crate::model::Model) -> Vec<DeclaredName<'_>> {
    let mut res = Vec::new();
    fn push<'a>(res: &mut Vec<DeclaredName<'a>>, name: DeclaredName<'a>) {
        if name.too_long || name.needs_quotes || name.reserved {
            res.push(name);
        }
    }
    let at = |meta: &crate::model::Meta| meta.name_span.or(meta.span);
    for schema in model.schemas.values() {
        push(
            &mut res,
            DeclaredName::new("schema", Owner::None, &schema.name, at(&schema.meta)),
        );
    }
    for item in model.enums.values() {
        push(
            &mut res,
            DeclaredName::new(
                "type",
                Owner::Schema(&item.name.schema),
                &item.name.name,
                at(&item.meta),
            ),
        );
    }
    for item in model.domains.values() {
        push(
            &mut res,
            DeclaredName::new(
                "domain",
                Owner::Schema(&item.name.schema),
                &item.name.name,
                at(&item.meta),
            ),
        );
    }
    for item in model.sequences.values() {
        push(
            &mut res,
            DeclaredName::new(
                "sequence",
                Owner::Schema(&item.name.schema),
                &item.name.name,
                at(&item.meta),
            ),
        );
    }
    for item in model.functions.values() {
        push(
            &mut res,
            DeclaredName::new(
                "function",
                Owner::Schema(&item.id.name.schema),
                &item.id.name.name,
                at(&item.meta),
            ),
        );
    }
    for item in model.views.values() {
        push(
            &mut res,
            DeclaredName::new(
                "view",
                Owner::Schema(&item.name.schema),
                &item.name.name,
                at(&item.meta),
            ),
        );
    }
    for table in model
        .tables
        .values()
        .filter(|t| !model.is_external(&t.name))
    {
        let owner = Owner::Table(&table.name);
        push(
            &mut res,
            DeclaredName::new(
                "table",
                Owner::Schema(&table.name.schema),
                &table.name.name,
                at(&table.meta),
            ),
        );
        for column in &table.columns {
            push(
                &mut res,
                DeclaredName::new("column", owner, &column.name, at(&column.meta)),
            );
        }
        for constraint in table.constraints.values() {
            push(
                &mut res,
                DeclaredName::new(
                    "constraint",
                    owner,
                    &constraint.name,
                    at(&constraint.meta).or(at(&table.meta)),
                ),
            );
        }
        for index in table.indexes.values() {
            push(
                &mut res,
                DeclaredName::new(
                    "index",
                    owner,
                    &index.name,
                    at(&index.meta).or(at(&table.meta)),
                ),
            );
        }
        for policy in table.policies.values() {
            push(
                &mut res,
                DeclaredName::new(
                    "policy",
                    owner,
                    &policy.name,
                    at(&policy.meta).or(at(&table.meta)),
                ),
            );
        }
        for trigger in table.triggers.values() {
            push(
                &mut res,
                DeclaredName::new(
                    "trigger",
                    owner,
                    &trigger.name,
                    at(&trigger.meta).or(at(&table.meta)),
                ),
            );
        }
    }
    res
}

/// The table a step acts on.
pub fn step_table(step: &crate::plan::Step) -> Option<&crate::model::QualifiedName> {
    use crate::model::ObjectId;
    step.table.as_ref().or(match &step.origin.object {
        ObjectId::Table(name)
        | ObjectId::Column(name, _)
        | ObjectId::Constraint(name, _)
        | ObjectId::Index(name, _)
        | ObjectId::Policy(name, _)
        | ObjectId::Trigger(name, _) => Some(name),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    //! Migration rules judge a step by its action, never by its SQL text.

    use crate::lint::{check_plan, LintConfig};
    use crate::model::{Ident, Model, ObjectId, QualifiedName, Table};
    use crate::plan::{Action, ConstraintAction, Origin, Plan, Step};

    fn orders() -> QualifiedName {
        QualifiedName::public("orders")
    }

    fn current() -> Model {
        let mut res = Model::default();
        res.tables.insert(orders(), Table::new(orders()));
        res
    }

    fn step(action: Action, sql: &str, object: ObjectId) -> Step {
        Step {
            role: None,
            description: "test".to_string(),
            action,
            sql: sql.to_string(),
            transactional: true,
            joins_previous: false,
            locks: Vec::new(),
            rewrites: false,
            scans: false,
            hazards: Vec::new(),
            table: Some(orders()),
            table_size: None,
            origin: Origin {
                change: 0,
                object,
                span: None,
            },
        }
    }

    fn codes(steps: Vec<Step>) -> Vec<&'static str> {
        let plan = Plan {
            search_path: None,
            steps,
            notes: Vec::new(),
        };
        let model = current();
        let mut res: Vec<&'static str> = check_plan(&plan, &model, &model, &LintConfig::default())
            .iter()
            .map(|diagnostic| diagnostic.code)
            .collect();
        res.dedup();
        res
    }

    fn drop_index(concurrently: bool) -> Action {
        Action::DropIndex {
            table: orders(),
            name: Ident::new("orders_idx"),
            concurrently,
        }
    }

    #[test]
    fn rules_fire_from_the_action_not_the_sql() {
        let index = ObjectId::Index(orders(), Ident::new("orders_idx"));
        // The SQL says nothing; the action says a blocking drop.
        assert_eq!(
            codes(vec![step(drop_index(false), "SELECT 1", index.clone())]),
            vec!["drop-index-without-concurrently"]
        );
        // The SQL looks like a blocking drop; the action says otherwise.
        assert!(codes(vec![step(
            drop_index(true),
            "DROP INDEX public.orders_idx",
            index.clone()
        )])
        .is_empty());
        assert!(codes(vec![step(
            Action::Raw,
            "DROP INDEX public.orders_idx",
            index
        )])
        .is_empty());
    }

    #[test]
    fn set_not_null_is_proved_only_by_a_validated_not_null_check() {
        let column = ObjectId::Column(orders(), Ident::new("code"));
        let set = || {
            step(
                Action::SetNotNull {
                    table: orders(),
                    column: Ident::new("code"),
                },
                "SELECT 1",
                column.clone(),
            )
        };
        let add_check = step(
            Action::AddConstraint {
                table: orders(),
                name: Ident::new("code_not_null"),
                kind: ConstraintAction::NotNullCheck {
                    column: Ident::new("code"),
                },
                not_valid: true,
                using_index: None,
            },
            "SELECT 1",
            column.clone(),
        );
        let validate = step(
            Action::ValidateConstraint {
                table: orders(),
                name: Ident::new("code_not_null"),
            },
            "SELECT 1",
            column.clone(),
        );
        assert_eq!(codes(vec![set()]), vec!["set-not-null-without-check"]);
        assert_eq!(
            codes(vec![add_check.clone(), set()]),
            vec!["set-not-null-without-check"]
        );
        assert!(codes(vec![add_check, validate, set()]).is_empty());
    }
}
