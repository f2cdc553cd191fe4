//! ActionRecord round trips, its tagged form, and the docs of every kind.

use super::*;
use crate::plan::action::{
    Action, AttributeChange, ConstraintAction, DomainChange, IdentityChange,
};

fn round_trip(action: Action) {
    let record = ActionRecord::from(&action);
    let text = serde_json::to_string(&record).expect("records serialise");
    let back: ActionRecord = serde_json::from_str(&text).expect("records parse back");
    assert_eq!(Action::from(back), action, "{text}");
}

#[test]
fn actions_survive_json() {
    let table = QualifiedName::new("App", "orders");
    round_trip(Action::CreateIndex {
        table: table.clone(),
        name: Ident::new("Odd\"Name"),
        unique: true,
        concurrently: true,
        on_only: false,
        columns: vec![Ident::new("a"), Ident::new("B")],
        expressions: vec!["lower(email)".to_string()],
        predicate: Some("(deleted_at IS NULL)".to_string()),
        nulls_not_distinct: true,
    });
    round_trip(Action::AddConstraint {
        table: table.clone(),
        name: Ident::new("orders_fk"),
        kind: ConstraintAction::ForeignKey {
            columns: vec![Ident::new("customer_id")],
            ref_table: QualifiedName::new("public", "customers"),
            ref_columns: vec![Ident::new("id")],
        },
        not_valid: true,
        using_index: None,
    });
    round_trip(Action::AlterDomain {
        name: QualifiedName::new("public", "email"),
        change: DomainChange::AddCheck {
            constraint: Ident::new("email_check"),
            expr: "VALUE ~ '@'".to_string(),
        },
    });
    round_trip(Action::SetSequenceOwner {
        name: QualifiedName::new("public", "s"),
        owner: Some((table.clone(), Ident::new("id"))),
    });
    round_trip(Action::Raw);
}

#[test]
fn records_are_tagged_by_kind() {
    let record = ActionRecord::from(&Action::DropIndex {
        table: QualifiedName::new("public", "t"),
        name: Ident::new("t_idx"),
        concurrently: true,
    });
    insta::assert_snapshot!(
        serde_json::to_string(&record).expect("records serialise"),
        @r#"{"kind":"drop_index","table":{"schema":"public","name":"t"},"name":"t_idx","concurrently":true}"#
    );
    let kind = |action: &Action| {
        serde_json::to_value(ActionRecord::from(action)).expect("records serialise")["kind"]
            .as_str()
            .map(str::to_string)
    };
    let action = Action::EnableRls {
        table: QualifiedName::new("public", "t"),
    };
    assert_eq!(kind(&action).as_deref(), Some(action.kind()));
}

/// One action of every kind. The match makes a new variant a compile
/// error here until it has a sample (and so a check of its docs).
fn one_of_each() -> Vec<Action> {
    let t = QualifiedName::new("public", "t");
    let c = Ident::new("c");
    let samples = vec![
        Action::CreateSchema { schema: c.clone() },
        Action::DropSchema { schema: c.clone() },
        Action::CreateExtension {
            extension: c.clone(),
        },
        Action::AlterExtension {
            extension: c.clone(),
        },
        Action::DropExtension {
            extension: c.clone(),
        },
        Action::CreateEnum { name: t.clone() },
        Action::AddEnumValue {
            name: t.clone(),
            value: "v".to_string(),
        },
        Action::RenameEnumForRebuild {
            name: t.clone(),
            to: c.clone(),
            removed_values: vec!["v".to_string()],
        },
        Action::DropEnum { name: t.clone() },
        Action::CreateDomain { name: t.clone() },
        Action::AlterDomain {
            name: t.clone(),
            change: DomainChange::SetNotNull,
        },
        Action::DropDomain { name: t.clone() },
        Action::CreateSequence { name: t.clone() },
        Action::AlterSequence { name: t.clone() },
        Action::SetSequenceOwner {
            name: t.clone(),
            owner: None,
        },
        Action::DropSequence { name: t.clone() },
        Action::CreateFunction {
            name: t.clone(),
            procedure: false,
            or_replace: true,
        },
        Action::DropFunction {
            name: t.clone(),
            procedure: true,
        },
        Action::CreateAggregate {
            name: t.clone(),
            or_replace: true,
        },
        Action::DropAggregate { name: t.clone() },
        Action::CreateTable {
            table: t.clone(),
            partition_of: None,
            like: Some(t.clone()),
        },
        Action::DropTable {
            table: t.clone(),
            partition_of: None,
        },
        Action::RenameTable {
            from: t.clone(),
            to: c.clone(),
        },
        Action::RenameSchema {
            from: c.clone(),
            to: c.clone(),
        },
        Action::RenameObject {
            kind: crate::model::RenameKind::Function,
            from: t.clone(),
            table: Some(t.clone()),
            arg_types: vec![crate::model::TypeName::new("integer")],
            to: c.clone(),
        },
        Action::AddColumn {
            table: t.clone(),
            column: c.clone(),
            ty: crate::model::TypeName::new("integer"),
            not_null: true,
            default: Some("1".to_string()),
            volatile_default: false,
            generated: false,
            identity: false,
        },
        Action::DropColumn {
            table: t.clone(),
            column: c.clone(),
        },
        Action::RenameColumn {
            table: t.clone(),
            from: c.clone(),
            to: c.clone(),
        },
        Action::AlterColumnType {
            table: t.clone(),
            column: c.clone(),
            to: crate::model::TypeName::new("bigint"),
            collation: None,
            using: Some("c::bigint".to_string()),
            rewrite: true,
        },
        Action::SetDefault {
            table: t.clone(),
            column: c.clone(),
            default: "0".to_string(),
        },
        Action::DropDefault {
            table: t.clone(),
            column: c.clone(),
        },
        Action::SetNotNull {
            table: t.clone(),
            column: c.clone(),
        },
        Action::DropNotNull {
            table: t.clone(),
            column: c.clone(),
        },
        Action::AlterIdentity {
            table: t.clone(),
            column: c.clone(),
            change: IdentityChange::Set,
        },
        Action::DropExpression {
            table: t.clone(),
            column: c.clone(),
        },
        Action::AddConstraint {
            table: t.clone(),
            name: c.clone(),
            kind: ConstraintAction::Exclude,
            not_valid: false,
            using_index: None,
        },
        Action::ValidateConstraint {
            table: t.clone(),
            name: c.clone(),
        },
        Action::DropConstraint {
            table: t.clone(),
            name: c.clone(),
        },
        Action::RenameConstraint {
            table: t.clone(),
            from: c.clone(),
            to: c.clone(),
        },
        Action::CreateIndex {
            table: t.clone(),
            name: c.clone(),
            unique: false,
            concurrently: false,
            on_only: true,
            columns: Vec::new(),
            expressions: Vec::new(),
            predicate: None,
            nulls_not_distinct: false,
        },
        Action::DropIndex {
            table: t.clone(),
            name: c.clone(),
            concurrently: false,
        },
        Action::AttachIndex {
            parent_index: t.clone(),
            index: t.clone(),
        },
        Action::RenameIndex {
            table: t.clone(),
            from: c.clone(),
            to: c.clone(),
        },
        Action::AttachPartition {
            parent: t.clone(),
            partition: t.clone(),
            bound: "DEFAULT".to_string(),
            bound_check: None,
            scans_default: Some(t.clone()),
        },
        Action::DetachPartition {
            parent: t.clone(),
            partition: t.clone(),
            concurrently: true,
        },
        Action::EnableRls { table: t.clone() },
        Action::DisableRls { table: t.clone() },
        Action::ForceRls { table: t.clone() },
        Action::NoForceRls { table: t.clone() },
        Action::CreatePolicy {
            table: t.clone(),
            name: c.clone(),
        },
        Action::AlterPolicy {
            table: t.clone(),
            name: c.clone(),
        },
        Action::DropPolicy {
            table: t.clone(),
            name: c.clone(),
        },
        Action::RenamePolicy {
            table: t.clone(),
            from: c.clone(),
            to: c.clone(),
        },
        Action::CreateTrigger {
            table: t.clone(),
            name: c.clone(),
        },
        Action::DropTrigger {
            table: t.clone(),
            name: c.clone(),
        },
        Action::CreateView {
            name: t.clone(),
            materialized: true,
            or_replace: false,
        },
        Action::DropView {
            name: t.clone(),
            materialized: false,
        },
        Action::SetComment {
            object: "table public.t".to_string(),
        },
        Action::Grant {
            object: "TABLE public.t".to_string(),
            privileges: vec!["SELECT".to_string(), "INSERT".to_string()],
            grantee: "app_user".to_string(),
            with_grant_option: true,
        },
        Action::Revoke {
            object: "ROUTINE public.f(integer)".to_string(),
            privileges: vec!["EXECUTE".to_string()],
            grantee: "PUBLIC".to_string(),
            grant_option_only: false,
        },
        Action::AlterDefaultPrivileges {
            role: Some("app_admin".to_string()),
            schema: Some("app".to_string()),
            objects: "TABLES".to_string(),
            grant: true,
            privileges: vec!["SELECT".to_string()],
            grantee: "app_reader".to_string(),
            grant_option: false,
        },
        Action::Backfill {
            table: t.clone(),
            column: c.clone(),
            batch: 10,
        },
        Action::Distribute {
            table: t.clone(),
            column: Some(c.clone()),
            concurrently: true,
        },
        Action::AlterDistribution { table: t.clone() },
        Action::Inherit {
            table: t.clone(),
            parent: QualifiedName::public("base"),
        },
        Action::NoInherit {
            table: t.clone(),
            parent: QualifiedName::public("base"),
        },
        Action::SetTableOptions { table: t.clone() },
        Action::CreateCompositeType {
            name: QualifiedName::public("address"),
        },
        Action::AlterCompositeType {
            name: QualifiedName::public("address"),
            attribute: c.clone(),
            change: AttributeChange::SetType,
        },
        Action::DropCompositeType {
            name: QualifiedName::public("address"),
        },
        Action::CreateStatistics {
            table: t.clone(),
            name: Ident::new("t_stats"),
        },
        Action::AlterStatistics {
            table: t.clone(),
            name: Ident::new("t_stats"),
        },
        Action::DropStatistics {
            table: t.clone(),
            name: Ident::new("t_stats"),
        },
        Action::CreateRule {
            table: t.clone(),
            name: Ident::new("t_rule"),
            replace: true,
        },
        Action::AlterRule {
            table: t.clone(),
            name: Ident::new("t_rule"),
        },
        Action::DropRule {
            table: t.clone(),
            name: Ident::new("t_rule"),
        },
        Action::Undistribute { table: t },
        Action::DistributeSchema { schema: c.clone() },
        Action::UndistributeSchema { schema: c.clone() },
        Action::Raw,
    ];
    for action in &samples {
        match action {
            Action::CreateSchema { .. }
            | Action::DropSchema { .. }
            | Action::CreateExtension { .. }
            | Action::AlterExtension { .. }
            | Action::DropExtension { .. }
            | Action::CreateEnum { .. }
            | Action::AddEnumValue { .. }
            | Action::RenameEnumForRebuild { .. }
            | Action::DropEnum { .. }
            | Action::CreateDomain { .. }
            | Action::AlterDomain { .. }
            | Action::DropDomain { .. }
            | Action::CreateSequence { .. }
            | Action::AlterSequence { .. }
            | Action::SetSequenceOwner { .. }
            | Action::DropSequence { .. }
            | Action::CreateFunction { .. }
            | Action::DropFunction { .. }
            | Action::CreateAggregate { .. }
            | Action::DropAggregate { .. }
            | Action::CreateTable { .. }
            | Action::DropTable { .. }
            | Action::RenameTable { .. }
            | Action::RenameSchema { .. }
            | Action::RenameObject { .. }
            | Action::AddColumn { .. }
            | Action::DropColumn { .. }
            | Action::RenameColumn { .. }
            | Action::AlterColumnType { .. }
            | Action::SetDefault { .. }
            | Action::DropDefault { .. }
            | Action::SetNotNull { .. }
            | Action::DropNotNull { .. }
            | Action::AlterIdentity { .. }
            | Action::DropExpression { .. }
            | Action::AddConstraint { .. }
            | Action::ValidateConstraint { .. }
            | Action::DropConstraint { .. }
            | Action::RenameConstraint { .. }
            | Action::CreateIndex { .. }
            | Action::DropIndex { .. }
            | Action::AttachIndex { .. }
            | Action::RenameIndex { .. }
            | Action::AttachPartition { .. }
            | Action::DetachPartition { .. }
            | Action::EnableRls { .. }
            | Action::DisableRls { .. }
            | Action::ForceRls { .. }
            | Action::NoForceRls { .. }
            | Action::CreatePolicy { .. }
            | Action::AlterPolicy { .. }
            | Action::DropPolicy { .. }
            | Action::RenamePolicy { .. }
            | Action::CreateTrigger { .. }
            | Action::DropTrigger { .. }
            | Action::CreateView { .. }
            | Action::DropView { .. }
            | Action::SetComment { .. }
            | Action::Grant { .. }
            | Action::Revoke { .. }
            | Action::AlterDefaultPrivileges { .. }
            | Action::Backfill { .. }
            | Action::Distribute { .. }
            | Action::AlterDistribution { .. }
            | Action::Undistribute { .. }
            | Action::DistributeSchema { .. }
            | Action::UndistributeSchema { .. }
            | Action::Inherit { .. }
            | Action::NoInherit { .. }
            | Action::SetTableOptions { .. }
            | Action::CreateCompositeType { .. }
            | Action::AlterCompositeType { .. }
            | Action::DropCompositeType { .. }
            | Action::CreateStatistics { .. }
            | Action::AlterStatistics { .. }
            | Action::DropStatistics { .. }
            | Action::CreateRule { .. }
            | Action::AlterRule { .. }
            | Action::DropRule { .. }
            | Action::Raw => {}
        }
    }
    samples
}

#[test]
fn every_kind_round_trips_and_is_documented() {
    let docs = include_str!("../../../docs/plan-json.md");
    let mut kinds = std::collections::BTreeSet::new();
    for action in one_of_each() {
        assert!(
            kinds.insert(action.kind()),
            "duplicate sample {}",
            action.kind()
        );
        assert!(
            docs.contains(&format!("`{}`", action.kind())),
            "docs/plan-json.md does not document action kind `{}`",
            action.kind()
        );
        round_trip(action);
    }
    assert_eq!(kinds.len(), 80);
}

#[test]
fn every_attribute_change_round_trips() {
    for change in [
        AttributeChange::Add,
        AttributeChange::Drop,
        AttributeChange::SetType,
    ] {
        round_trip(Action::AlterCompositeType {
            name: QualifiedName::public("address"),
            attribute: Ident::new("zip"),
            change,
        });
    }
}
