//! `ActionRecord` -> `Action`: one arm per variant (every record is a valid
//! action: names are taken as stored).

use super::{
    qualified, to_idents, ActionRecord, AttributeChangeRecord, ConstraintRecord,
    DomainChangeRecord, IdentityChangeRecord,
};
use crate::model::{Ident, TypeName};
use crate::plan::action::{
    Action, AttributeChange, ConstraintAction, DomainChange, IdentityChange,
};

impl From<ActionRecord> for Action {
    fn from(record: ActionRecord) -> Action {
        use ActionRecord as R;
        let q = qualified;
        let i = Ident::new;
        match record {
            R::CreateSchema { schema } => Action::CreateSchema { schema: i(schema) },
            R::DropSchema { schema } => Action::DropSchema { schema: i(schema) },
            R::CreateExtension { extension } => Action::CreateExtension {
                extension: i(extension),
            },
            R::AlterExtension { extension } => Action::AlterExtension {
                extension: i(extension),
            },
            R::DropExtension { extension } => Action::DropExtension {
                extension: i(extension),
            },
            R::CreateEnum { name } => Action::CreateEnum { name: q(name) },
            R::AddEnumValue { name, value } => Action::AddEnumValue {
                name: q(name),
                value,
            },
            R::RenameEnumForRebuild {
                name,
                to,
                removed_values,
            } => Action::RenameEnumForRebuild {
                name: q(name),
                to: i(to),
                removed_values,
            },
            R::DropEnum { name } => Action::DropEnum { name: q(name) },
            R::CreateDomain { name } => Action::CreateDomain { name: q(name) },
            R::AlterDomain { name, change } => Action::AlterDomain {
                name: q(name),
                change: change.into(),
            },
            R::DropDomain { name } => Action::DropDomain { name: q(name) },
            R::CreateSequence { name } => Action::CreateSequence { name: q(name) },
            R::AlterSequence { name } => Action::AlterSequence { name: q(name) },
            R::SetSequenceOwner { name, owner } => Action::SetSequenceOwner {
                name: q(name),
                owner: owner.map(|owner| (q(owner.table), i(owner.column))),
            },
            R::DropSequence { name } => Action::DropSequence { name: q(name) },
            R::CreateFunction {
                name,
                procedure,
                or_replace,
            } => Action::CreateFunction {
                name: q(name),
                procedure,
                or_replace,
            },
            R::DropFunction { name, procedure } => Action::DropFunction {
                name: q(name),
                procedure,
            },
            R::CreateAggregate { name, or_replace } => Action::CreateAggregate {
                name: q(name),
                or_replace,
            },
            R::DropAggregate { name } => Action::DropAggregate { name: q(name) },
            R::CreateTable {
                table,
                partition_of,
                like,
            } => Action::CreateTable {
                table: q(table),
                partition_of: partition_of.map(q),
                like: like.map(q),
            },
            R::DropTable {
                table,
                partition_of,
            } => Action::DropTable {
                table: q(table),
                partition_of: partition_of.map(q),
            },
            R::RenameSchema { from, to } => Action::RenameSchema {
                from: i(from),
                to: i(to),
            },
            R::RenameObject {
                object_kind,
                from,
                table,
                arg_types,
                to,
            } => Action::RenameObject {
                kind: object_kind.into(),
                from: q(from),
                table: table.map(q),
                arg_types: arg_types.into_iter().map(TypeName).collect(),
                to: i(to),
            },
            R::RenameTable { from, to } => Action::RenameTable {
                from: q(from),
                to: i(to),
            },
            R::AddColumn {
                table,
                column,
                ty,
                not_null,
                default,
                volatile_default,
                generated,
                identity,
            } => Action::AddColumn {
                table: q(table),
                column: i(column),
                ty: TypeName(ty),
                not_null,
                default,
                volatile_default,
                generated,
                identity,
            },
            R::DropColumn { table, column } => Action::DropColumn {
                table: q(table),
                column: i(column),
            },
            R::RenameColumn { table, from, to } => Action::RenameColumn {
                table: q(table),
                from: i(from),
                to: i(to),
            },
            R::AlterColumnType {
                table,
                column,
                to,
                collation,
                using,
                rewrite,
            } => Action::AlterColumnType {
                table: q(table),
                column: i(column),
                to: TypeName(to),
                collation,
                using,
                rewrite,
            },
            R::SetDefault {
                table,
                column,
                default,
            } => Action::SetDefault {
                table: q(table),
                column: i(column),
                default,
            },
            R::DropDefault { table, column } => Action::DropDefault {
                table: q(table),
                column: i(column),
            },
            R::SetNotNull { table, column } => Action::SetNotNull {
                table: q(table),
                column: i(column),
            },
            R::DropNotNull { table, column } => Action::DropNotNull {
                table: q(table),
                column: i(column),
            },
            R::AlterIdentity {
                table,
                column,
                change,
            } => Action::AlterIdentity {
                table: q(table),
                column: i(column),
                change: match change {
                    IdentityChangeRecord::Add => IdentityChange::Add,
                    IdentityChangeRecord::Drop => IdentityChange::Drop,
                    IdentityChangeRecord::Set => IdentityChange::Set,
                },
            },
            R::DropExpression { table, column } => Action::DropExpression {
                table: q(table),
                column: i(column),
            },
            R::AddConstraint {
                table,
                name,
                constraint,
                not_valid,
                using_index,
            } => Action::AddConstraint {
                table: q(table),
                name: i(name),
                kind: constraint.into(),
                not_valid,
                using_index: using_index.map(i),
            },
            R::ValidateConstraint { table, name } => Action::ValidateConstraint {
                table: q(table),
                name: i(name),
            },
            R::DropConstraint { table, name } => Action::DropConstraint {
                table: q(table),
                name: i(name),
            },
            R::RenameConstraint { table, from, to } => Action::RenameConstraint {
                table: q(table),
                from: i(from),
                to: i(to),
            },
            R::CreateIndex {
                table,
                name,
                unique,
                concurrently,
                on_only,
                columns,
                expressions,
                predicate,
                nulls_not_distinct,
            } => Action::CreateIndex {
                table: q(table),
                name: i(name),
                unique,
                concurrently,
                on_only,
                columns: to_idents(columns),
                expressions,
                predicate,
                nulls_not_distinct,
            },
            R::DropIndex {
                table,
                name,
                concurrently,
            } => Action::DropIndex {
                table: q(table),
                name: i(name),
                concurrently,
            },
            R::AttachIndex {
                parent_index,
                index,
            } => Action::AttachIndex {
                parent_index: q(parent_index),
                index: q(index),
            },
            R::RenameIndex { table, from, to } => Action::RenameIndex {
                table: q(table),
                from: i(from),
                to: i(to),
            },
            R::AttachPartition {
                parent,
                partition,
                bound,
                bound_check,
                scans_default,
            } => Action::AttachPartition {
                parent: q(parent),
                partition: q(partition),
                bound,
                bound_check,
                scans_default: scans_default.map(q),
            },
            R::DetachPartition {
                parent,
                partition,
                concurrently,
            } => Action::DetachPartition {
                parent: q(parent),
                partition: q(partition),
                concurrently,
            },
            R::EnableRls { table } => Action::EnableRls { table: q(table) },
            R::DisableRls { table } => Action::DisableRls { table: q(table) },
            R::ForceRls { table } => Action::ForceRls { table: q(table) },
            R::NoForceRls { table } => Action::NoForceRls { table: q(table) },
            R::CreatePolicy { table, name } => Action::CreatePolicy {
                table: q(table),
                name: i(name),
            },
            R::AlterPolicy { table, name } => Action::AlterPolicy {
                table: q(table),
                name: i(name),
            },
            R::DropPolicy { table, name } => Action::DropPolicy {
                table: q(table),
                name: i(name),
            },
            R::RenamePolicy { table, from, to } => Action::RenamePolicy {
                table: q(table),
                from: i(from),
                to: i(to),
            },
            R::CreateTrigger { table, name } => Action::CreateTrigger {
                table: q(table),
                name: i(name),
            },
            R::DropTrigger { table, name } => Action::DropTrigger {
                table: q(table),
                name: i(name),
            },
            R::CreateView {
                name,
                materialized,
                or_replace,
            } => Action::CreateView {
                name: q(name),
                materialized,
                or_replace,
            },
            R::DropView { name, materialized } => Action::DropView {
                name: q(name),
                materialized,
            },
            R::SetComment { object } => Action::SetComment { object },
            R::Grant {
                object,
                privileges,
                grantee,
                with_grant_option,
            } => Action::Grant {
                object,
                privileges,
                grantee,
                with_grant_option,
            },
            R::AlterDefaultPrivileges {
                role,
                schema,
                objects,
                grant,
                privileges,
                grantee,
                grant_option,
            } => Action::AlterDefaultPrivileges {
                role,
                schema,
                objects,
                grant,
                privileges,
                grantee,
                grant_option,
            },
            R::Revoke {
                object,
                privileges,
                grantee,
                grant_option_only,
            } => Action::Revoke {
                object,
                privileges,
                grantee,
                grant_option_only,
            },
            R::Backfill {
                table,
                column,
                batch,
            } => Action::Backfill {
                table: q(table),
                column: i(column),
                batch,
            },
            R::Distribute {
                table,
                column,
                concurrently,
            } => Action::Distribute {
                table: q(table),
                column: column.map(i),
                concurrently,
            },
            R::AlterDistribution { table } => Action::AlterDistribution { table: q(table) },
            R::Undistribute { table } => Action::Undistribute { table: q(table) },
            R::DistributeSchema { schema } => Action::DistributeSchema { schema: i(schema) },
            R::UndistributeSchema { schema } => Action::UndistributeSchema { schema: i(schema) },
            R::Inherit { table, parent } => Action::Inherit {
                table: q(table),
                parent: q(parent),
            },
            R::NoInherit { table, parent } => Action::NoInherit {
                table: q(table),
                parent: q(parent),
            },
            R::SetTableOptions { table } => Action::SetTableOptions { table: q(table) },
            R::CreateCompositeType { name } => Action::CreateCompositeType { name: q(name) },
            R::AlterCompositeType {
                name,
                attribute,
                change,
            } => Action::AlterCompositeType {
                name: q(name),
                attribute: i(attribute),
                change: match change {
                    AttributeChangeRecord::Add => AttributeChange::Add,
                    AttributeChangeRecord::Drop => AttributeChange::Drop,
                    AttributeChangeRecord::SetType => AttributeChange::SetType,
                },
            },
            R::DropCompositeType { name } => Action::DropCompositeType { name: q(name) },
            R::CreateStatistics { table, name } => Action::CreateStatistics {
                table: q(table),
                name: i(name),
            },
            R::AlterStatistics { table, name } => Action::AlterStatistics {
                table: q(table),
                name: i(name),
            },
            R::DropStatistics { table, name } => Action::DropStatistics {
                table: q(table),
                name: i(name),
            },
            R::CreateRule {
                table,
                name,
                replace,
            } => Action::CreateRule {
                table: q(table),
                name: i(name),
                replace,
            },
            R::AlterRule { table, name } => Action::AlterRule {
                table: q(table),
                name: i(name),
            },
            R::DropRule { table, name } => Action::DropRule {
                table: q(table),
                name: i(name),
            },
            R::Raw => Action::Raw,
        }
    }
}

impl From<ConstraintRecord> for ConstraintAction {
    fn from(record: ConstraintRecord) -> ConstraintAction {
        match record {
            ConstraintRecord::Check { expr } => ConstraintAction::Check { expr },
            ConstraintRecord::NotNullCheck { column } => ConstraintAction::NotNullCheck {
                column: Ident::new(column),
            },
            ConstraintRecord::ForeignKey {
                columns,
                ref_table,
                ref_columns,
            } => ConstraintAction::ForeignKey {
                columns: to_idents(columns),
                ref_table: qualified(ref_table),
                ref_columns: to_idents(ref_columns),
            },
            ConstraintRecord::Unique {
                columns,
                nulls_not_distinct,
            } => ConstraintAction::Unique {
                columns: to_idents(columns),
                nulls_not_distinct,
            },
            ConstraintRecord::PrimaryKey { columns } => ConstraintAction::PrimaryKey {
                columns: to_idents(columns),
            },
            ConstraintRecord::Exclude => ConstraintAction::Exclude,
        }
    }
}

impl From<DomainChangeRecord> for DomainChange {
    fn from(record: DomainChangeRecord) -> DomainChange {
        match record {
            DomainChangeRecord::SetDefault => DomainChange::SetDefault,
            DomainChangeRecord::DropDefault => DomainChange::DropDefault,
            DomainChangeRecord::AddCheck { constraint, expr } => DomainChange::AddCheck {
                constraint: Ident::new(constraint),
                expr,
            },
            DomainChangeRecord::ValidateConstraint { constraint } => {
                DomainChange::ValidateConstraint {
                    constraint: Ident::new(constraint),
                }
            }
            DomainChangeRecord::DropConstraint { constraint } => DomainChange::DropConstraint {
                constraint: Ident::new(constraint),
            },
            DomainChangeRecord::SetNotNull => DomainChange::SetNotNull,
            DomainChangeRecord::DropNotNull => DomainChange::DropNotNull,
        }
    }
}
