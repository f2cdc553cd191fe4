//! Casts PostgreSQL adds around columns, which only the columns' types
//! explain.
//!
//! The catalog prints the coercions the parser inserted. Two kinds need
//! the column types, which an expression alone does not carry, so this
//! pass runs over a whole Model and drops them from the canonical form of
//! every table expression (column defaults and generation expressions,
//! CHECK and EXCLUDE constraints, index keys and predicates, policies):
//! - a domain-typed column cast to the domain's base type (operators take
//!   no domains): with `amount` of a domain over `bigint`,
//!   `refunded <= amount` comes back as `(refunded <= (amount)::bigint)`;
//!   domains over domains are followed, type modifiers ignored;
//! - a numeric column promoted to the type of the other operand of an
//!   arithmetic or comparison operator, when that operand is a column of
//!   exactly that type: with `quantity numeric` and `unit_price bigint`,
//!   `quantity * unit_price` comes back as
//!   `(quantity * (unit_price)::numeric)`. PostgreSQL resolves such an
//!   operator to the one with the most exact argument types, so the
//!   written cast and the implicit one mean the same; a cast whose other
//!   operand is not a column of that type (`x::numeric / 2`) stays, since
//!   it may change the result.
//!
//! Applied to both sides of a comparison it makes the user's and the
//! catalog's spelling equal; `sql` (what schemac prints) is left as
//! written.
//!
//! Invariant: only `SqlExpr::canonical` changes, and only when a cast was
//! dropped; an expression that does not parse is left alone.

use super::expr::{canonicalize, parse};
use super::types::type_name;
use crate::model::{
    ConstraintKind, Ident, IndexExpr, Model, QualifiedName, SqlExpr, Table, TypeName,
};
use sqlparser::ast::{visit_expressions_mut, BinaryOperator, Expr};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;

/// Drops, in every table expression of `model`, the casts the catalog
/// adds around columns (module doc).
pub fn drop_implicit_casts(model: &mut Model) {
    let domains: BTreeMap<String, TypeName> = model
        .domains
        .values()
        .map(|domain| (domain.name.to_string(), domain.base.clone()))
        .collect();
    // Partitions carry no columns in the Model: they have their parent's.
    // Only those parents' column types are kept for the whole pass; every
    // other table's are computed when it is visited, so the pass holds one
    // table's map at a time rather than a map per table.
    let parents: BTreeSet<&QualifiedName> = model
        .tables
        .values()
        .filter(|table| table.columns.is_empty())
        .filter_map(|table| table.partition_of.as_ref().map(|of| &of.parent))
        .collect();
    let parent_types: BTreeMap<QualifiedName, BTreeMap<Ident, ColumnType>> = parents
        .into_iter()
        .filter_map(|parent| model.tables.get(parent))
        .map(|table| (table.name.clone(), column_types(table, &domains)))
        .collect();
    for table in model.tables.values_mut() {
        let own_types;
        let columns = match &table.partition_of {
            Some(partition_of) if table.columns.is_empty() => {
                parent_types.get(&partition_of.parent)
            }
            _ => {
                own_types = column_types(table, &domains);
                Some(&own_types)
            }
        };
        let Some(columns) = columns.filter(|map| !map.is_empty()) else {
            continue;
        };
        for_each_expr(table, |expr| drop_casts(expr, columns));
    }
}

/// A column's type without modifiers, domains resolved to their base.
struct ColumnType {
    ty: String,
    is_domain: bool,
}

fn column_types(
    table: &Table,
    domains: &BTreeMap<String, TypeName>,
) -> BTreeMap<Ident, ColumnType> {
    table
        .columns
        .iter()
        .map(|column| {
            let mut ty = &column.ty;
            // A domain over a domain: follow to the base type (bounded, in
            // case of a malformed cycle).
            for _ in 0..16 {
                match domains.get(ty.as_str()) {
                    Some(next) => ty = next,
                    None => break,
                }
            }
            let column_type = ColumnType {
                ty: without_modifiers(ty.as_str()),
                is_domain: domains.contains_key(column.ty.as_str()),
            };
            (column.name.clone(), column_type)
        })
        .collect()
}

/// Rank in PostgreSQL's implicit numeric promotions
/// (`smallint -> integer -> bigint -> numeric -> real -> double precision`).
fn numeric_rank(ty: &str) -> Option<usize> {
    [
        "smallint",
        "integer",
        "bigint",
        "numeric",
        "real",
        "double precision",
    ]
    .iter()
    .position(|name| *name == ty)
}

/// `numeric(12,2)` -> `numeric`, `timestamp(3) with time zone` ->
/// `timestamp with time zone`, `character varying(20)[]` ->
/// `character varying[]`.
fn without_modifiers(ty: &str) -> String {
    let mut out = String::with_capacity(ty.len());
    let mut depth = 0usize;
    for ch in ty.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn for_each_expr(table: &mut Table, mut visit: impl FnMut(&mut SqlExpr)) {
    for column in &mut table.columns {
        column.default.iter_mut().for_each(&mut visit);
        column
            .generated
            .as_deref_mut()
            .into_iter()
            .for_each(&mut visit);
    }
    for constraint in table.constraints.values_mut() {
        match &mut constraint.kind {
            ConstraintKind::Check { expr, .. } => visit(expr),
            ConstraintKind::Exclude {
                elements,
                predicate,
                ..
            } => {
                for element in elements {
                    visit(&mut element.expr);
                }
                predicate.iter_mut().for_each(&mut visit);
            }
            ConstraintKind::PrimaryKey { .. }
            | ConstraintKind::Unique { .. }
            | ConstraintKind::ForeignKey(_) => {}
        }
    }
    for index in table.indexes.values_mut() {
        for key in &mut index.keys {
            if let IndexExpr::Expr(expr) = &mut key.expr {
                visit(expr);
            }
        }
        index.predicate.iter_mut().for_each(&mut visit);
    }
    for policy in table.policies.values_mut() {
        policy.using.iter_mut().for_each(&mut visit);
        policy.with_check.iter_mut().for_each(&mut visit);
    }
}

fn drop_casts(expr: &mut SqlExpr, columns: &BTreeMap<Ident, ColumnType>) {
    // Both kinds of implicit cast are `Expr::Cast` nodes, written `::` or
    // `CAST (...)`: without either there is nothing to parse for.
    if !may_contain_cast(&expr.canonical) {
        return;
    }
    let Ok(mut ast) = parse(&expr.canonical) else {
        return;
    };
    let mut changed = false;
    // Post-order: a domain cast is gone before its operator is looked at.
    let _ = visit_expressions_mut(&mut ast, |node| {
        match node {
            Expr::Cast {
                expr: inner,
                data_type,
                format: None,
                ..
            } => {
                let target =
                    without_modifiers(type_name(&data_type.to_string(), "public").as_str());
                let is_domain_cast = column_of(inner, columns)
                    .is_some_and(|column| column.is_domain && column.ty == target);
                if is_domain_cast {
                    *node = take(inner);
                    changed = true;
                }
            }
            Expr::BinaryOp { left, op, right } if is_promoting(op) => {
                if let Some(column) = promoted_column(left, right, columns) {
                    **left = column;
                    changed = true;
                } else if let Some(column) = promoted_column(right, left, columns) {
                    **right = column;
                    changed = true;
                }
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    if changed {
        canonicalize(&mut ast);
        expr.canonical = ast.to_string();
    }
}

/// False only when `text` cannot hold a cast (`::`, `CAST`, `TRY_CAST`, ...).
fn may_contain_cast(text: &str) -> bool {
    text.contains("::")
        || text
            .as_bytes()
            .windows(4)
            .any(|window| window.eq_ignore_ascii_case(b"cast"))
}

/// Operators whose operands PostgreSQL promotes to a common numeric type.
fn is_promoting(op: &BinaryOperator) -> bool {
    matches!(
        op,
        BinaryOperator::Plus
            | BinaryOperator::Minus
            | BinaryOperator::Multiply
            | BinaryOperator::Divide
            | BinaryOperator::Modulo
            | BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::Lt
            | BinaryOperator::LtEq
            | BinaryOperator::Gt
            | BinaryOperator::GtEq
    )
}

/// `cast` is `column::T` with the column of a lower numeric type, and
/// `other` a column of type `T`: the bare column.
fn promoted_column(
    cast: &Expr,
    other: &Expr,
    columns: &BTreeMap<Ident, ColumnType>,
) -> Option<Expr> {
    let Expr::Cast {
        expr: inner,
        data_type,
        format: None,
        ..
    } = cast
    else {
        return None;
    };
    let target = without_modifiers(type_name(&data_type.to_string(), "public").as_str());
    let from = numeric_rank(&column_of(inner, columns)?.ty)?;
    let to = numeric_rank(&target)?;
    let other = column_of(other, columns)?;
    (from < to && other.ty == target).then(|| inner.as_ref().clone())
}

/// The column a bare identifier names.
fn column_of<'a>(expr: &Expr, columns: &'a BTreeMap<Ident, ColumnType>) -> Option<&'a ColumnType> {
    let name = match expr {
        Expr::Identifier(id) if id.quote_style.is_some() => Ident::new(&id.value),
        Expr::Identifier(id) => Ident::folded(&id.value),
        Expr::Nested(inner) => return column_of(inner, columns),
        _ => return None,
    };
    columns.get(&name)
}

fn take(expr: &mut Expr) -> Expr {
    std::mem::replace(expr, Expr::Value(sqlparser::ast::Value::Null.into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{normalize, Column, Constraint, Domain, Meta};

    fn domain(name: &str, base: &str) -> Domain {
        Domain {
            name: QualifiedName::public(name),
            base: TypeName::new(base),
            collation: None,
            default: None,
            not_null: false,
            checks: BTreeMap::new(),
            comment: None,
            meta: Meta::default(),
        }
    }

    fn model_with_check(check: &str) -> Model {
        let mut model = Model::default();
        for domain in [
            domain("amount", "bigint"),
            domain("price", "numeric(12,2)"),
            domain("positive_price", "public.price"),
        ] {
            model.domains.insert(domain.name.clone(), domain);
        }
        let mut table = Table::new(QualifiedName::public("t"));
        for (name, ty) in [
            ("a", "public.amount"),
            ("p", "public.positive_price"),
            ("n", "bigint"),
            ("q", "numeric(12,3)"),
        ] {
            table
                .columns
                .push(Column::new(Ident::new(name), TypeName::new(ty)));
        }
        table.constraints.insert(
            Ident::new("c"),
            Box::new(Constraint {
                name: Ident::new("c"),
                kind: ConstraintKind::Check {
                    expr: normalize::expr(check).expect("parses"),
                    no_inherit: false,
                },
                deferrable: false,
                initially_deferred: false,
                not_valid: false,
                comment: None,
                meta: Meta::default(),
            }),
        );
        model.tables.insert(table.name.clone(), table);
        model
    }

    fn check(check: &str) -> String {
        let mut model = model_with_check(check);
        drop_implicit_casts(&mut model);
        let table = &model.tables[&QualifiedName::public("t")];
        match &table.constraints[&Ident::new("c")].kind {
            ConstraintKind::Check { expr, .. } => expr.canonical.clone(),
            _ => unreachable!("the test builds a CHECK"),
        }
    }

    #[test]
    fn casts_of_domain_columns_to_their_base_type_are_dropped() {
        insta::assert_snapshot!(check("(n <= (a)::bigint)"), @"n <= a");
        insta::assert_snapshot!(check("((p)::numeric > (0)::numeric)"), @"p > 0");
        insta::assert_snapshot!(
            check("round((n * (p)::numeric))::bigint"),
            @"round((n * p))::bigint"
        );
    }

    #[test]
    fn promotions_to_the_other_column_type_are_dropped() {
        insta::assert_snapshot!(
            check("round((q * (n)::numeric))::bigint"),
            @"round((q * n))::bigint"
        );
        insta::assert_snapshot!(check("((n)::numeric <= q)"), @"n <= q");
        // The other operand is not a numeric column: the cast may change
        // the result (integer vs numeric division), so it stays.
        insta::assert_snapshot!(check("((n)::numeric / 2) > 0"), @"(n::numeric / 2) > 0");
        // Not a promotion: numeric -> bigint narrows.
        insta::assert_snapshot!(check("((q)::bigint = n)"), @"q::bigint = n");
    }

    #[test]
    fn other_casts_stay() {
        insta::assert_snapshot!(check("(a)::numeric > 0"), @"a::numeric > 0");
        insta::assert_snapshot!(check("(n)::numeric > 0"), @"n::numeric > 0");
        insta::assert_snapshot!(check("(a + 1)::bigint > 0"), @"(a + 1)::bigint > 0");
    }

    #[test]
    fn only_texts_with_a_cast_are_parsed() {
        assert!(may_contain_cast("(amount)::bigint > 0"));
        assert!(may_contain_cast("CAST(a AS bigint) > 0"));
        assert!(may_contain_cast("try_cast(a AS bigint)"));
        assert!(!may_contain_cast("amount >= 0"));
        assert!(!may_contain_cast("tenant_id = 1"));
    }

    #[test]
    fn modifiers_are_ignored() {
        assert_eq!(without_modifiers("numeric(12,2)"), "numeric");
        assert_eq!(
            without_modifiers("timestamp(3) with time zone"),
            "timestamp with time zone"
        );
        assert_eq!(
            without_modifiers("character varying(20)[]"),
            "character varying[]"
        );
    }
}
