//! Diff unit tests: Models built by hand, changes asserted by their kind
//! and object.

use super::*;
use crate::model::*;
use crate::plan::strategy::test_support::{column, model, table};

/// `Variant object` per change, e.g. `CreateTable table public.t`.
fn summary(changes: &ChangeSet<'_>) -> String {
    changes
        .changes
        .iter()
        .map(|change| {
            let debug = format!("{change:?}");
            let variant = debug
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or_default()
                .to_string();
            format!("{variant} {}", change.object())
        })
        .chain(changes.notes.iter().map(|note| format!("note: {note}")))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn meta_and_equal_expressions_never_produce_changes() {
    let mut current_table = table("t", vec![column("a", "integer")]);
    current_table.columns[0].default = Some(SqlExpr {
        sql: "'x'".to_string(),
        canonical: "'x'::text".to_string(),
    });
    let mut desired_table = current_table.clone();
    desired_table.columns[0].default = Some(SqlExpr::raw("'x'::text"));
    desired_table.meta.span = Some(crate::source::Span::default());
    let (current, desired) = (model(vec![current_table]), model(vec![desired_table]));
    let res = diff(&current, &desired);
    assert!(res.is_empty(), "{}", summary(&res));
}

#[test]
fn public_schema_is_never_dropped() {
    let mut current = Model::default();
    for name in ["public", "app"] {
        current.schemas.insert(
            Ident::new(name),
            Schema {
                name: Ident::new(name),
                comment: None,
                distributed: false,
                meta: Meta::default(),
            },
        );
    }
    insta::assert_snapshot!(summary(&diff(&current, &Model::default())), @"DropSchema schema app");
}

#[test]
fn renames_come_only_from_hints() {
    let current = model(vec![table("old", vec![column("a", "integer")])]);
    let mut renamed = table("new", vec![column("b", "integer")]);
    renamed.meta.renamed_from = Some(Box::new(Ident::new("old")));
    renamed.columns[0].meta.renamed_from = Some(Box::new(Ident::new("a")));
    insta::assert_snapshot!(summary(&diff(&current, &model(vec![renamed]))), @r"
    RenameTable table public.new
    RenameColumn column public.new.b
    ");
    let unhinted = model(vec![table("new", vec![column("b", "integer")])]);
    insta::assert_snapshot!(summary(&diff(&current, &unhinted)), @r"
    DropTable table public.old
    CreateTable table public.new
    ");
}

#[test]
fn external_objects_are_noted_not_dropped() {
    let current = model(vec![table("orders_p1", vec![column("a", "integer")])]);
    let mut desired = Model::default();
    desired.external.push(ExternalPattern {
        pattern: "orders_p*".to_string(),
        meta: Meta::default(),
    });
    insta::assert_snapshot!(summary(&diff(&current, &desired)), @"note: external table public.orders_p1 is managed elsewhere: not diffed or dropped");
}

#[test]
fn enum_insertions_are_positioned_and_removals_rebuild() {
    let enum_of = |values: &[&str]| Enum {
        name: QualifiedName::public("e"),
        values: values.iter().map(|v| v.to_string()).collect(),
        comment: None,
        meta: Meta::default(),
    };
    let mut current = Model::default();
    current
        .enums
        .insert(QualifiedName::public("e"), enum_of(&["b", "c"]));
    let mut desired = Model::default();
    desired
        .enums
        .insert(QualifiedName::public("e"), enum_of(&["a", "b", "c"]));
    let res = diff(&current, &desired);
    assert_eq!(
        res.changes,
        vec![Change::AddEnumValue {
            name: QualifiedName::public("e"),
            value: "a".to_string(),
            position: EnumPosition::Before("b".to_string()),
            span: None,
        }]
    );
    desired
        .enums
        .insert(QualifiedName::public("e"), enum_of(&["c", "b"]));
    insta::assert_snapshot!(summary(&diff(&current, &desired)), @"RecreateEnum enum public.e");
}

#[test]
fn column_type_change_drops_and_resets_the_default() {
    let mut current_table = table("t", vec![column("a", "integer")]);
    current_table.columns[0].default = Some(SqlExpr::raw("0"));
    let mut desired_table = table("t", vec![column("a", "bigint")]);
    desired_table.columns[0].default = Some(SqlExpr::raw("0"));
    let (current, desired) = (model(vec![current_table]), model(vec![desired_table]));
    let res = diff(&current, &desired);
    let changes: Vec<&ColumnChange> = res
        .changes
        .iter()
        .filter_map(|change| {
            if let Change::AlterColumn { change, .. } = change {
                Some(change)
            } else {
                None
            }
        })
        .collect();
    assert!(matches!(
        changes.as_slice(),
        [
            ColumnChange::DropDefault,
            ColumnChange::Type { .. },
            ColumnChange::SetDefault(_)
        ]
    ));
}
