//! Whole-Model fix-ups that need every file, run after the per-file Models
//! are merged, so that a schema written in `.schema` files and the same
//! schema written as SQL (`pg_dump -s` output included) give equal Models.
//!
//! - FK `ref_columns` left empty are filled from the referenced table's
//!   primary key ("unknown-reference" when it has none).
//! - Partition-bound literals are rendered in the catalog's form for the
//!   parent's key column types ([`normalize::bound_literal`]).
//! - Partitions carry no columns, and no indexes or constraints that merely
//!   repeat the parent's (PostgreSQL clones those; pg_dump prints them).
//! - Extended statistics keys are in the catalog's order: columns by
//!   their position in the table, then expressions as written.
//! - Inheritance children carry only their own columns
//!   ([`crate::model::inherit`]).
//! - Casts the catalog adds around columns (a domain column to its base
//!   type, a numeric column promoted to the other operand's column type)
//!   are dropped from the canonical form of table expressions
//!   ([`normalize::drop_implicit_casts`]).
//! - Extension types (`citext`, `geometry`, ...) that the frontend
//!   qualified with `public` are moved to the schema of the declared
//!   extension that provides them.
//!
//! Invariant: never panics; unknown tables or columns are left for
//! validation to report.

use crate::diagnostics::{Diagnostic, Parsed};
use crate::model::{
    normalize, BoundValue, ConstraintKind, Ident, Index, IndexExpr, Model, PartitionBound,
    QualifiedName, TypeName,
};
use crate::source::Span;
use std::collections::{BTreeMap, BTreeSet};

/// Runs every fix-up; see the module doc.
pub fn resolve(mut model: Model) -> Parsed<Model> {
    let mut diagnostics = Vec::new();
    fill_fk_columns(&mut model, &mut diagnostics);
    normalize_bounds(&mut model);
    strip_inherited(&mut model);
    order_statistics_keys(&mut model);
    crate::model::inherit::strip_inherited_columns(&mut model);
    qualify_extension_types(&mut model);
    normalize::drop_implicit_casts(&mut model);
    Parsed::new(model, diagnostics)
}

fn fill_fk_columns(model: &mut Model, diagnostics: &mut Vec<Diagnostic>) {
    let primary_keys: BTreeMap<QualifiedName, Option<Vec<Ident>>> = model
        .tables
        .iter()
        .map(|(name, table)| {
            let pk = table.primary_key().and_then(|pk| match &pk.kind {
                ConstraintKind::PrimaryKey { columns, .. } => Some(columns.clone()),
                _ => None,
            });
            (name.clone(), pk)
        })
        .collect();
    let table_spans: BTreeMap<QualifiedName, Option<Span>> = model
        .tables
        .iter()
        .map(|(name, table)| (name.clone(), table.meta.name_span.or(table.meta.span)))
        .collect();
    for table in model.tables.values_mut() {
        let table_span = table.meta.name_span.or(table.meta.span);
        for constraint in table.constraints.values_mut() {
            let ConstraintKind::ForeignKey(fk) = &mut constraint.kind else {
                continue;
            };
            if !fk.ref_columns.is_empty() {
                continue;
            }
            match primary_keys.get(&fk.ref_table) {
                Some(Some(columns)) => fk.ref_columns = columns.clone(),
                Some(None) => {
                    let span = constraint
                        .meta
                        .name_span
                        .or(constraint.meta.span)
                        .or(table_span)
                        .unwrap_or_default();
                    let mut diagnostic = Diagnostic::error(
                        "unknown-reference",
                        span,
                        format!(
                            "foreign key {} references {} without naming columns, and {} has no primary key",
                            constraint.name, fk.ref_table, fk.ref_table
                        ),
                    )
                    .with_label("no referenced columns")
                    .with_help("name the referenced columns, or give the referenced table a primary key");
                    if let Some(Some(target)) = table_spans.get(&fk.ref_table) {
                        diagnostic =
                            diagnostic.with_secondary(*target, "referenced table declared here");
                    }
                    diagnostics.push(diagnostic);
                }
                None => {}
            }
        }
    }
}

/// Types of the parent's partition key, one per key element (`None` for
/// expressions or unknown columns). A sub-partitioned parent's columns are
/// its own parent's.
pub(crate) fn key_types(model: &Model, parent: &QualifiedName) -> Vec<Option<TypeName>> {
    let Some(parent_table) = model.tables.get(parent) else {
        return Vec::new();
    };
    let Some(partition_by) = &parent_table.partition_by else {
        return Vec::new();
    };
    let mut columns_table = parent_table;
    for _ in 0..32 {
        match &columns_table.partition_of {
            Some(of) if columns_table.columns.is_empty() => match model.tables.get(&of.parent) {
                Some(grandparent) => columns_table = grandparent,
                None => break,
            },
            _ => break,
        }
    }
    partition_by
        .key
        .iter()
        .map(|key| {
            let canonical = key.canonical.as_str();
            let column = match canonical
                .strip_prefix('"')
                .and_then(|rest| rest.strip_suffix('"'))
            {
                Some(quoted) => Ident::new(quoted.replace("\"\"", "\"")),
                None => Ident::folded(canonical),
            };
            columns_table
                .column(&column)
                .map(|column| column.ty.clone())
        })
        .collect()
}

fn normalize_bounds(model: &mut Model) {
    let mut updates: Vec<(QualifiedName, PartitionBound)> = Vec::new();
    for (name, table) in &model.tables {
        let Some(partition_of) = &table.partition_of else {
            continue;
        };
        let types = key_types(model, &partition_of.parent);
        let normalize_values = |values: &[BoundValue], by_position: bool| -> Vec<BoundValue> {
            values
                .iter()
                .enumerate()
                .map(|(idx, value)| match value {
                    BoundValue::Literal(literal) => {
                        let ty = if by_position {
                            types.get(idx)
                        } else {
                            types.first()
                        };
                        match ty {
                            Some(Some(ty)) => {
                                BoundValue::Literal(normalize::bound_literal(literal, ty))
                            }
                            _ => value.clone(),
                        }
                    }
                    other => other.clone(),
                })
                .collect()
        };
        let bound = match &partition_of.bound {
            PartitionBound::Range { from, to } => PartitionBound::Range {
                from: normalize_values(from, true),
                to: normalize_values(to, true),
            },
            PartitionBound::List(values) => PartitionBound::List(normalize_values(values, false)),
            other => other.clone(),
        };
        // Always store: equal bounds may still differ in their `sql` text.
        updates.push((name.clone(), bound));
    }
    for (name, bound) in updates {
        if let Some(partition_of) = model
            .tables
            .get_mut(&name)
            .and_then(|table| table.partition_of.as_mut())
        {
            partition_of.bound = bound;
        }
    }
}

/// Two indexes with the same definition, names aside.
fn same_index(a: &Index, b: &Index) -> bool {
    a.unique == b.unique
        && a.nulls_not_distinct == b.nulls_not_distinct
        && a.method == b.method
        && a.keys == b.keys
        && a.include == b.include
        && a.predicate == b.predicate
}

fn strip_inherited(model: &mut Model) {
    let parents: BTreeMap<QualifiedName, (Vec<Index>, Vec<ConstraintKind>)> = model
        .tables
        .values()
        .filter(|table| table.partition_by.is_some())
        .map(|table| {
            (
                table.name.clone(),
                (
                    table
                        .indexes
                        .values()
                        .map(|index| index.as_ref().clone())
                        .collect(),
                    table
                        .constraints
                        .values()
                        .map(|constraint| constraint.kind.clone())
                        .collect(),
                ),
            )
        })
        .collect();
    for table in model.tables.values_mut() {
        let Some(partition_of) = &table.partition_of else {
            continue;
        };
        table.columns.clear();
        let Some((parent_indexes, parent_constraints)) = parents.get(&partition_of.parent) else {
            continue;
        };
        table.indexes.retain(|_, index| {
            !parent_indexes
                .iter()
                .any(|parent_index| same_index(parent_index, index))
        });
        table
            .constraints
            .retain(|_, constraint| !parent_constraints.contains(&constraint.kind));
    }
}

/// PostgreSQL keeps a statistics object's columns as a sorted column
/// number list, followed by its expressions; `pg_get_statisticsobjdef`
/// prints them in that order. Runs before inherited columns are stripped,
/// with the parents' columns first (their position in the child).
fn order_statistics_keys(model: &mut Model) {
    let positions: BTreeMap<QualifiedName, Vec<Ident>> = model
        .tables
        .values()
        .filter(|table| !table.statistics.is_empty())
        .map(|table| {
            let mut names: Vec<Ident> =
                crate::model::inherit::inherited_column_defs(model, &table.name)
                    .into_iter()
                    .map(|column| column.name.clone())
                    .collect();
            for column in &table.columns {
                if !names.contains(&column.name) {
                    names.push(column.name.clone());
                }
            }
            (table.name.clone(), names)
        })
        .collect();
    for (name, columns) in positions {
        let Some(table) = model.tables.get_mut(&name) else {
            continue;
        };
        for statistics in table.statistics.values_mut() {
            statistics.keys.sort_by_key(|key| match key {
                IndexExpr::Column(column) => (
                    0,
                    columns
                        .iter()
                        .position(|known| known == column)
                        .unwrap_or(usize::MAX),
                ),
                IndexExpr::Expr(_) => (1, 0),
            });
        }
    }
}

fn qualify_extension_types(model: &mut Model) {
    let user_types: BTreeSet<QualifiedName> = model
        .enums
        .keys()
        .chain(model.domains.keys())
        .chain(model.composites.keys())
        .cloned()
        .collect();
    let extension_schemas: BTreeMap<String, String> = model
        .extensions
        .values()
        .map(|extension| (extension.name.0.clone(), extension.schema.0.clone()))
        .collect();
    let retarget = |ty: &TypeName| -> Option<TypeName> {
        let rest = ty.as_str().strip_prefix("public.")?;
        let bare_end = rest.find(['(', '[']).unwrap_or(rest.len());
        let bare = &rest[..bare_end];
        if user_types.contains(&QualifiedName::public(bare)) {
            return None;
        }
        let schema = extension_schemas.get(normalize::extension_of_type(bare)?)?;
        (schema != "public")
            .then(|| TypeName::new(format!("{}.{rest}", Ident::new(schema.clone()))))
    };
    for table in model.tables.values_mut() {
        for column in &mut table.columns {
            if let Some(ty) = retarget(&column.ty) {
                column.ty = ty;
            }
        }
    }
    for domain in model.domains.values_mut() {
        if let Some(ty) = retarget(&domain.base) {
            domain.base = ty;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Column, Constraint, Extension, FkAction, ForeignKey, IndexExpr, IndexKey, Meta,
        PartitionBy, PartitionOf, PartitionStrategy, Table,
    };

    fn table(name: &str, columns: &[(&str, &str)]) -> Table {
        let mut table = Table::new(QualifiedName::public(name));
        for (column, ty) in columns {
            table
                .columns
                .push(Column::new(Ident::new(*column), TypeName::new(*ty)));
        }
        table
    }

    fn constraint(name: &str, kind: ConstraintKind) -> Constraint {
        Constraint {
            name: Ident::new(name),
            kind,
            deferrable: false,
            initially_deferred: false,
            not_valid: false,
            comment: None,
            meta: Meta::default(),
        }
    }

    fn fk(ref_table: &str, ref_columns: &[&str]) -> ConstraintKind {
        ConstraintKind::ForeignKey(ForeignKey {
            columns: vec![Ident::new("account_id")],
            ref_table: QualifiedName::public(ref_table),
            ref_columns: ref_columns.iter().map(|c| Ident::new(*c)).collect(),
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            match_full: false,
        })
    }

    fn model(tables: Vec<Table>) -> Model {
        let mut model = Model::default();
        for table in tables {
            model.tables.insert(table.name.clone(), table);
        }
        model
    }

    fn lit(sql: &str) -> BoundValue {
        BoundValue::Literal(normalize::expr(sql).expect("test literal parses"))
    }

    #[test]
    fn fk_columns_default_to_primary_key() {
        let mut accounts = table("accounts", &[("id", "uuid")]);
        accounts.constraints.insert(
            Ident::new("accounts_pkey"),
            Box::new(constraint(
                "accounts_pkey",
                ConstraintKind::PrimaryKey {
                    columns: vec![Ident::new("id")],
                    include: vec![],
                },
            )),
        );
        let mut orders = table("orders", &[("account_id", "uuid")]);
        orders.constraints.insert(
            Ident::new("orders_account_id_fkey"),
            Box::new(constraint("orders_account_id_fkey", fk("accounts", &[]))),
        );
        let mut bad = table("bad", &[("account_id", "uuid")]);
        bad.constraints.insert(
            Ident::new("bad_fkey"),
            Box::new(constraint("bad_fkey", fk("nopk", &[]))),
        );
        let nopk = table("nopk", &[("x", "integer")]);
        let parsed = resolve(model(vec![accounts, orders, bad, nopk]));
        let orders = &parsed.value.tables[&QualifiedName::public("orders")];
        let ConstraintKind::ForeignKey(fk) =
            &orders.constraints[&Ident::new("orders_account_id_fkey")].kind
        else {
            panic!("constraint kind changed");
        };
        assert_eq!(fk.ref_columns, vec![Ident::new("id")]);
        let codes: Vec<_> = parsed
            .diagnostics
            .iter()
            .map(|d| (d.code, d.message.clone()))
            .collect();
        assert_eq!(codes.len(), 1, "{codes:?}");
        assert_eq!(codes[0].0, "unknown-reference");
        assert!(codes[0].1.contains("public.nopk"), "{codes:?}");
    }

    #[test]
    fn partitions_follow_their_parent() {
        let mut parent = table(
            "events",
            &[("created_at", "timestamp with time zone"), ("id", "bigint")],
        );
        parent.partition_by = Some(PartitionBy {
            strategy: PartitionStrategy::Range,
            key: vec![normalize::expr("created_at").expect("parses")],
        });
        let index = Index {
            name: Ident::new("events_id_idx"),
            unique: false,
            nulls_not_distinct: false,
            method: "btree".into(),
            keys: vec![IndexKey {
                expr: IndexExpr::Column(Ident::new("id")),
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
        parent
            .indexes
            .insert(index.name.clone(), Box::new(index.clone()));
        let mut partition = table("events_2025", &[("created_at", "timestamp with time zone")]);
        partition.partition_of = Some(PartitionOf {
            parent: QualifiedName::public("events"),
            bound: PartitionBound::Range {
                from: vec![lit("'2025-01-01'")],
                to: vec![lit("'2026-01-01 02:00:00+02'")],
            },
        });
        let mut cloned = index.clone();
        cloned.name = Ident::new("events_2025_id_idx");
        partition
            .indexes
            .insert(cloned.name.clone(), Box::new(cloned));
        let parsed = resolve(model(vec![parent, partition]));
        assert!(parsed.diagnostics.is_empty());
        let partition = &parsed.value.tables[&QualifiedName::public("events_2025")];
        assert!(partition.columns.is_empty());
        assert!(partition.indexes.is_empty());
        let Some(PartitionOf {
            bound: PartitionBound::Range { from, to },
            ..
        }) = &partition.partition_of
        else {
            panic!("bound kind changed");
        };
        assert_eq!(from, &vec![lit("'2025-01-01 00:00:00+00'")]);
        let BoundValue::Literal(to) = &to[0] else {
            panic!("literal expected");
        };
        assert_eq!(to.sql, "'2026-01-01 00:00:00+00'");
    }

    #[test]
    fn sub_partitions_use_the_root_columns() {
        let mut root = table("m", &[("id", "bigint"), ("region", "text")]);
        root.partition_by = Some(PartitionBy {
            strategy: PartitionStrategy::Range,
            key: vec![normalize::expr("id").expect("parses")],
        });
        let mut middle = table("m_low", &[]);
        middle.partition_of = Some(PartitionOf {
            parent: QualifiedName::public("m"),
            bound: PartitionBound::Range {
                from: vec![lit("0")],
                to: vec![BoundValue::MaxValue],
            },
        });
        middle.partition_by = Some(PartitionBy {
            strategy: PartitionStrategy::List,
            key: vec![normalize::expr("Region").expect("parses")],
        });
        let mut leaf = table("m_low_eu", &[]);
        leaf.partition_of = Some(PartitionOf {
            parent: QualifiedName::public("m_low"),
            bound: PartitionBound::List(vec![lit("'eu'"), BoundValue::Null]),
        });
        let parsed = resolve(model(vec![root, middle, leaf]));
        let bound = |name: &str| {
            parsed.value.tables[&QualifiedName::public(name)]
                .partition_of
                .as_ref()
                .map(|of| format!("{:?}", of.bound))
                .unwrap_or_default()
        };
        assert!(
            bound("m_low").contains("sql: \"'0'\""),
            "{}",
            bound("m_low")
        );
        assert!(bound("m_low").contains("MaxValue"), "{}", bound("m_low"));
        assert!(
            bound("m_low_eu").contains("sql: \"'eu'\""),
            "{}",
            bound("m_low_eu")
        );
        assert!(bound("m_low_eu").contains("Null"), "{}", bound("m_low_eu"));
    }

    #[test]
    fn extension_types_move_to_the_extension_schema() {
        let users = table("users", &[("email", "public.citext"), ("name", "text")]);
        let mut model = model(vec![users]);
        model.extensions.insert(
            Ident::new("citext"),
            Extension {
                name: Ident::new("citext"),
                schema: Ident::new("extensions"),
                version: None,
                meta: Meta::default(),
            },
        );
        let parsed = resolve(model);
        let users = &parsed.value.tables[&QualifiedName::public("users")];
        assert_eq!(users.columns[0].ty.as_str(), "extensions.citext");
        assert_eq!(users.columns[1].ty.as_str(), "text");
    }
}
