//! `Action` -> `ActionRecord`: one arm per variant.

use super::{
    ident, idents, name, ActionRecord, AttributeChangeRecord, ColumnRecord, ConstraintRecord,
    DomainChangeRecord, IdentityChangeRecord,
};
use crate::plan::action::{
    Action, AttributeChange, ConstraintAction, DomainChange, IdentityChange,
};

impl From<&Action> for ActionRecord {
    fn from(action: &Action) -> ActionRecord {
        use ActionRecord as R;
        match action {
            Action::CreateSchema { schema } => R::CreateSchema {
                schema: ident(schema),
            },
            Action::DropSchema { schema } => R::DropSchema {
                schema: ident(schema),
            },
            Action::CreateExtension { extension } => R::CreateExtension {
                extension: ident(extension),
            },
            Action::AlterExtension { extension } => R::AlterExtension {
                extension: ident(extension),
            },
            Action::DropExtension { extension } => R::DropExtension {
                extension: ident(extension),
            },
            Action::CreateEnum { name: n } => R::CreateEnum { name: name(n) },
            Action::AddEnumValue { name: n, value } => R::AddEnumValue {
                name: name(n),
                value: value.clone(),
            },
            Action::RenameEnumForRebuild {
                name: n,
                to,
                removed_values,
            } => R::RenameEnumForRebuild {
                name: name(n),
                to: ident(to),
                removed_values: removed_values.clone(),
            },
            Action::DropEnum { name: n } => R::DropEnum { name: name(n) },
            Action::CreateDomain { name: n } => R::CreateDomain { name: name(n) },
            Action::AlterDomain { name: n, change } => R::AlterDomain {
                name: name(n),
                change: change.into(),
            },
            Action::DropDomain { name: n } => R::DropDomain { name: name(n) },
            Action::CreateSequence { name: n } => R::CreateSequence { name: name(n) },
            Action::AlterSequence { name: n } => R::AlterSequence { name: name(n) },
            Action::SetSequenceOwner { name: n, owner } => R::SetSequenceOwner {
                name: name(n),
                owner: owner.as_ref().map(|(table, column)| ColumnRecord {
                    table: name(table),
                    column: ident(column),
                }),
            },
            Action::DropSequence { name: n } => R::DropSequence { name: name(n) },
            Action::CreateFunction {
                name: n,
                procedure,
                or_replace,
            } => R::CreateFunction {
                name: name(n),
                procedure: *procedure,
                or_replace: *or_replace,
            },
            Action::DropFunction { name: n, procedure } => R::DropFunction {
                name: name(n),
                procedure: *procedure,
            },
            Action::CreateAggregate {
                name: n,
                or_replace,
            } => R::CreateAggregate {
                name: name(n),
                or_replace: *or_replace,
            },
            Action::DropAggregate { name: n } => R::DropAggregate { name: name(n) },
            Action::CreateTable {
                table,
                partition_of,
                like,
            } => R::CreateTable {
                table: name(table),
                partition_of: partition_of.as_ref().map(name),
                like: like.as_ref().map(name),
            },
            Action::DropTable {
                table,
                partition_of,
            } => R::DropTable {
                table: name(table),
                partition_of: partition_of.as_ref().map(name),
            },
            Action::RenameSchema { from, to } => R::RenameSchema {
                from: ident(from),
                to: ident(to),
            },
            Action::RenameObject {
                kind,
                from,
                table,
                arg_types,
                to,
            } => R::RenameObject {
                object_kind: (*kind).into(),
                from: name(from),
                table: table.as_ref().map(name),
                arg_types: arg_types.iter().map(|ty| ty.as_str().to_string()).collect(),
                to: ident(to),
            },
            Action::RenameTable { from, to } => R::RenameTable {
                from: name(from),
                to: ident(to),
            },
            Action::AddColumn {
                table,
                column,
                ty,
                not_null,
                default,
                volatile_default,
                generated,
                identity,
            } => R::AddColumn {
                table: name(table),
                column: ident(column),
                ty: ty.0.clone(),
                not_null: *not_null,
                default: default.clone(),
                volatile_default: *volatile_default,
                generated: *generated,
                identity: *identity,
            },
            Action::DropColumn { table, column } => R::DropColumn {
                table: name(table),
                column: ident(column),
            },
            Action::RenameColumn { table, from, to } => R::RenameColumn {
                table: name(table),
                from: ident(from),
                to: ident(to),
            },
            Action::AlterColumnType {
                table,
                column,
                to,
                collation,
                using,
                rewrite,
            } => R::AlterColumnType {
                table: name(table),
                column: ident(column),
                to: to.0.clone(),
                collation: collation.clone(),
                using: using.clone(),
                rewrite: *rewrite,
            },
            Action::SetDefault {
                table,
                column,
                default,
            } => R::SetDefault {
                table: name(table),
                column: ident(column),
                default: default.clone(),
            },
            Action::DropDefault { table, column } => R::DropDefault {
                table: name(table),
                column: ident(column),
            },
            Action::SetNotNull { table, column } => R::SetNotNull {
                table: name(table),
                column: ident(column),
            },
            Action::DropNotNull { table, column } => R::DropNotNull {
                table: name(table),
                column: ident(column),
            },
            Action::AlterIdentity {
                table,
                column,
                change,
            } => R::AlterIdentity {
                table: name(table),
                column: ident(column),
                change: match change {
                    IdentityChange::Add => IdentityChangeRecord::Add,
                    IdentityChange::Drop => IdentityChangeRecord::Drop,
                    IdentityChange::Set => IdentityChangeRecord::Set,
                },
            },
            Action::DropExpression { table, column } => R::DropExpression {
                table: name(table),
                column: ident(column),
            },
            Action::AddConstraint {
                table,
                name: n,
                kind,
                not_valid,
                using_index,
            } => R::AddConstraint {
                table: name(table),
                name: ident(n),
                constraint: kind.into(),
                not_valid: *not_valid,
                using_index: using_index.as_ref().map(ident),
            },
            Action::ValidateConstraint { table, name: n } => R::ValidateConstraint {
                table: name(table),
                name: ident(n),
            },
            Action::DropConstraint { table, name: n } => R::DropConstraint {
                table: name(table),
                name: ident(n),
            },
            Action::RenameConstraint { table, from, to } => R::RenameConstraint {
                table: name(table),
                from: ident(from),
                to: ident(to),
            },
            Action::CreateIndex {
                table,
                name: n,
                unique,
                concurrently,
                on_only,
                columns,
                expressions,
                predicate,
                nulls_not_distinct,
            } => R::CreateIndex {
                table: name(table),
                name: ident(n),
                unique: *unique,
                concurrently: *concurrently,
                on_only: *on_only,
                columns: idents(columns),
                expressions: expressions.clone(),
                predicate: predicate.clone(),
                nulls_not_distinct: *nulls_not_distinct,
            },
            Action::DropIndex {
                table,
                name: n,
                concurrently,
            } => R::DropIndex {
                table: name(table),
                name: ident(n),
                concurrently: *concurrently,
            },
            Action::AttachIndex {
                parent_index,
                index,
            } => R::AttachIndex {
                parent_index: name(parent_index),
                index: name(index),
            },
            Action::RenameIndex { table, from, to } => R::RenameIndex {
                table: name(table),
                from: ident(from),
                to: ident(to),
            },
            Action::AttachPartition {
                parent,
                partition,
                bound,
                bound_check,
                scans_default,
            } => R::AttachPartition {
                parent: name(parent),
                partition: name(partition),
                bound: bound.clone(),
                bound_check: bound_check.clone(),
                scans_default: scans_default.as_ref().map(name),
            },
            Action::DetachPartition {
                parent,
                partition,
                concurrently,
            } => R::DetachPartition {
                parent: name(parent),
                partition: name(partition),
                concurrently: *concurrently,
            },
            Action::EnableRls { table } => R::EnableRls { table: name(table) },
            Action::DisableRls { table } => R::DisableRls { table: name(table) },
            Action::ForceRls { table } => R::ForceRls { table: name(table) },
            Action::NoForceRls { table } => R::NoForceRls { table: name(table) },
            Action::CreatePolicy { table, name: n } => R::CreatePolicy {
                table: name(table),
                name: ident(n),
            },
            Action::AlterPolicy { table, name: n } => R::AlterPolicy {
                table: name(table),
                name: ident(n),
            },
            Action::DropPolicy { table, name: n } => R::DropPolicy {
                table: name(table),
                name: ident(n),
            },
            Action::RenamePolicy { table, from, to } => R::RenamePolicy {
                table: name(table),
                from: ident(from),
                to: ident(to),
            },
            Action::CreateTrigger { table, name: n } => R::CreateTrigger {
                table: name(table),
                name: ident(n),
            },
            Action::DropTrigger { table, name: n } => R::DropTrigger {
                table: name(table),
                name: ident(n),
            },
            Action::CreateView {
                name: n,
                materialized,
                or_replace,
            } => R::CreateView {
                name: name(n),
                materialized: *materialized,
                or_replace: *or_replace,
            },
            Action::DropView {
                name: n,
                materialized,
            } => R::DropView {
                name: name(n),
                materialized: *materialized,
            },
            Action::SetComment { object } => R::SetComment {
                object: object.clone(),
            },
            Action::Grant {
                object,
                privileges,
                grantee,
                with_grant_option,
            } => R::Grant {
                object: object.clone(),
                privileges: privileges.clone(),
                grantee: grantee.clone(),
                with_grant_option: *with_grant_option,
            },
            Action::AlterDefaultPrivileges {
                role,
                schema,
                objects,
                grant,
                privileges,
                grantee,
                grant_option,
            } => R::AlterDefaultPrivileges {
                role: role.clone(),
                schema: schema.clone(),
                objects: objects.clone(),
                grant: *grant,
                privileges: privileges.clone(),
                grantee: grantee.clone(),
                grant_option: *grant_option,
            },
            Action::Revoke {
                object,
                privileges,
                grantee,
                grant_option_only,
            } => R::Revoke {
                object: object.clone(),
                privileges: privileges.clone(),
                grantee: grantee.clone(),
                grant_option_only: *grant_option_only,
            },
            Action::Backfill {
                table,
                column,
                batch,
            } => R::Backfill {
                table: name(table),
                column: ident(column),
                batch: *batch,
            },
            Action::Distribute {
                table,
                column,
                concurrently,
            } => R::Distribute {
                table: name(table),
                column: column.as_ref().map(ident),
                concurrently: *concurrently,
            },
            Action::AlterDistribution { table } => R::AlterDistribution { table: name(table) },
            Action::Undistribute { table } => R::Undistribute { table: name(table) },
            Action::DistributeSchema { schema } => R::DistributeSchema {
                schema: ident(schema),
            },
            Action::UndistributeSchema { schema } => R::UndistributeSchema {
                schema: ident(schema),
            },
            Action::Inherit { table, parent } => R::Inherit {
                table: name(table),
                parent: name(parent),
            },
            Action::NoInherit { table, parent } => R::NoInherit {
                table: name(table),
                parent: name(parent),
            },
            Action::SetTableOptions { table } => R::SetTableOptions { table: name(table) },
            Action::CreateCompositeType { name: n } => R::CreateCompositeType { name: name(n) },
            Action::AlterCompositeType {
                name: n,
                attribute,
                change,
            } => R::AlterCompositeType {
                name: name(n),
                attribute: ident(attribute),
                change: match change {
                    AttributeChange::Add => AttributeChangeRecord::Add,
                    AttributeChange::Drop => AttributeChangeRecord::Drop,
                    AttributeChange::SetType => AttributeChangeRecord::SetType,
                },
            },
            Action::DropCompositeType { name: n } => R::DropCompositeType { name: name(n) },
            Action::CreateStatistics { table, name: n } => R::CreateStatistics {
                table: name(table),
                name: ident(n),
            },
            Action::AlterStatistics { table, name: n } => R::AlterStatistics {
                table: name(table),
                name: ident(n),
            },
            Action::DropStatistics { table, name: n } => R::DropStatistics {
                table: name(table),
                name: ident(n),
            },
            Action::CreateRule {
                table,
                name: n,
                replace,
            } => R::CreateRule {
                table: name(table),
                name: ident(n),
                replace: *replace,
            },
            Action::AlterRule { table, name: n } => R::AlterRule {
                table: name(table),
                name: ident(n),
            },
            Action::DropRule { table, name: n } => R::DropRule {
                table: name(table),
                name: ident(n),
            },
            Action::Raw => R::Raw,
        }
    }
}

impl From<&ConstraintAction> for ConstraintRecord {
    fn from(kind: &ConstraintAction) -> ConstraintRecord {
        match kind {
            ConstraintAction::Check { expr } => ConstraintRecord::Check { expr: expr.clone() },
            ConstraintAction::NotNullCheck { column } => ConstraintRecord::NotNullCheck {
                column: ident(column),
            },
            ConstraintAction::ForeignKey {
                columns,
                ref_table,
                ref_columns,
            } => ConstraintRecord::ForeignKey {
                columns: idents(columns),
                ref_table: name(ref_table),
                ref_columns: idents(ref_columns),
            },
            ConstraintAction::Unique {
                columns,
                nulls_not_distinct,
            } => ConstraintRecord::Unique {
                columns: idents(columns),
                nulls_not_distinct: *nulls_not_distinct,
            },
            ConstraintAction::PrimaryKey { columns } => ConstraintRecord::PrimaryKey {
                columns: idents(columns),
            },
            ConstraintAction::Exclude => ConstraintRecord::Exclude,
        }
    }
}

impl From<&DomainChange> for DomainChangeRecord {
    fn from(change: &DomainChange) -> DomainChangeRecord {
        match change {
            DomainChange::SetDefault => DomainChangeRecord::SetDefault,
            DomainChange::DropDefault => DomainChangeRecord::DropDefault,
            DomainChange::AddCheck { constraint, expr } => DomainChangeRecord::AddCheck {
                constraint: ident(constraint),
                expr: expr.clone(),
            },
            DomainChange::ValidateConstraint { constraint } => {
                DomainChangeRecord::ValidateConstraint {
                    constraint: ident(constraint),
                }
            }
            DomainChange::DropConstraint { constraint } => DomainChangeRecord::DropConstraint {
                constraint: ident(constraint),
            },
            DomainChange::SetNotNull => DomainChangeRecord::SetNotNull,
            DomainChange::DropNotNull => DomainChangeRecord::DropNotNull,
        }
    }
}
