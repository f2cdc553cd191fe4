//! The outside form of an [`Action`]: [`ActionRecord`], an explicit serde
//! type shared by the JSON plan (`render::json`), saved plans
//! (`plan::saved`) and the apply history (`apply::history`), documented
//! field by field in docs/plan-json.md.
//!
//! Invariants:
//! - The record is `{"kind": "<snake_case variant>", ...fields}`; names of
//!   relations are `{"schema": ..., "name": ...}` in stored form (unquoted,
//!   case as stored), other identifiers plain strings.
//! - `Action -> ActionRecord -> Action` is the identity (tested below).
//! - Changing a field or its meaning bumps the JSON plan's and the saved
//!   plan's `format_version`; adding a variant does not.

mod decode;
mod encode;

use crate::model::{Ident, QualifiedName};
use serde::{Deserialize, Serialize};

/// A relation or type name in stored form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameRecord {
    pub schema: String,
    pub name: String,
}

/// A table column: `{"table": {...}, "column": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnRecord {
    pub table: NameRecord,
    pub column: String,
}

/// The kind of object a `rename_object` action renames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenameKindRecord {
    Enum,
    Domain,
    Composite,
    Sequence,
    View,
    MaterializedView,
    Function,
    Procedure,
    Trigger,
    Schema,
}

impl From<crate::model::RenameKind> for RenameKindRecord {
    fn from(kind: crate::model::RenameKind) -> RenameKindRecord {
        use crate::model::RenameKind as K;
        match kind {
            K::Schema => RenameKindRecord::Schema,
            K::Enum => RenameKindRecord::Enum,
            K::Domain => RenameKindRecord::Domain,
            K::Composite => RenameKindRecord::Composite,
            K::Sequence => RenameKindRecord::Sequence,
            K::View => RenameKindRecord::View,
            K::MaterializedView => RenameKindRecord::MaterializedView,
            K::Function => RenameKindRecord::Function,
            K::Procedure => RenameKindRecord::Procedure,
            K::Trigger => RenameKindRecord::Trigger,
        }
    }
}

impl From<RenameKindRecord> for crate::model::RenameKind {
    fn from(kind: RenameKindRecord) -> crate::model::RenameKind {
        use crate::model::RenameKind as K;
        match kind {
            RenameKindRecord::Schema => K::Schema,
            RenameKindRecord::Enum => K::Enum,
            RenameKindRecord::Domain => K::Domain,
            RenameKindRecord::Composite => K::Composite,
            RenameKindRecord::Sequence => K::Sequence,
            RenameKindRecord::View => K::View,
            RenameKindRecord::MaterializedView => K::MaterializedView,
            RenameKindRecord::Function => K::Function,
            RenameKindRecord::Procedure => K::Procedure,
            RenameKindRecord::Trigger => K::Trigger,
        }
    }
}

/// An [`Action`] as written to JSON. See the module docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ActionRecord {
    CreateSchema {
        schema: String,
    },
    DropSchema {
        schema: String,
    },
    CreateExtension {
        extension: String,
    },
    AlterExtension {
        extension: String,
    },
    DropExtension {
        extension: String,
    },
    CreateEnum {
        name: NameRecord,
    },
    AddEnumValue {
        name: NameRecord,
        value: String,
    },
    RenameEnumForRebuild {
        name: NameRecord,
        to: String,
        removed_values: Vec<String>,
    },
    DropEnum {
        name: NameRecord,
    },
    CreateDomain {
        name: NameRecord,
    },
    AlterDomain {
        name: NameRecord,
        change: DomainChangeRecord,
    },
    DropDomain {
        name: NameRecord,
    },
    CreateSequence {
        name: NameRecord,
    },
    AlterSequence {
        name: NameRecord,
    },
    SetSequenceOwner {
        name: NameRecord,
        owner: Option<ColumnRecord>,
    },
    DropSequence {
        name: NameRecord,
    },
    CreateFunction {
        name: NameRecord,
        procedure: bool,
        or_replace: bool,
    },
    DropFunction {
        name: NameRecord,
        procedure: bool,
    },
    CreateAggregate {
        name: NameRecord,
        or_replace: bool,
    },
    DropAggregate {
        name: NameRecord,
    },
    CreateTable {
        table: NameRecord,
        partition_of: Option<NameRecord>,
        like: Option<NameRecord>,
    },
    DropTable {
        table: NameRecord,
        partition_of: Option<NameRecord>,
    },
    RenameSchema {
        from: String,
        to: String,
    },
    RenameObject {
        object_kind: RenameKindRecord,
        from: NameRecord,
        table: Option<NameRecord>,
        arg_types: Vec<String>,
        to: String,
    },
    RenameTable {
        from: NameRecord,
        to: String,
    },
    AddColumn {
        table: NameRecord,
        column: String,
        #[serde(rename = "type")]
        ty: String,
        not_null: bool,
        default: Option<String>,
        volatile_default: bool,
        generated: bool,
        identity: bool,
    },
    DropColumn {
        table: NameRecord,
        column: String,
    },
    RenameColumn {
        table: NameRecord,
        from: String,
        to: String,
    },
    AlterColumnType {
        table: NameRecord,
        column: String,
        to: String,
        collation: Option<String>,
        using: Option<String>,
        rewrite: bool,
    },
    SetDefault {
        table: NameRecord,
        column: String,
        default: String,
    },
    DropDefault {
        table: NameRecord,
        column: String,
    },
    SetNotNull {
        table: NameRecord,
        column: String,
    },
    DropNotNull {
        table: NameRecord,
        column: String,
    },
    AlterIdentity {
        table: NameRecord,
        column: String,
        change: IdentityChangeRecord,
    },
    DropExpression {
        table: NameRecord,
        column: String,
    },
    AddConstraint {
        table: NameRecord,
        name: String,
        constraint: ConstraintRecord,
        not_valid: bool,
        using_index: Option<String>,
    },
    ValidateConstraint {
        table: NameRecord,
        name: String,
    },
    DropConstraint {
        table: NameRecord,
        name: String,
    },
    RenameConstraint {
        table: NameRecord,
        from: String,
        to: String,
    },
    CreateIndex {
        table: NameRecord,
        name: String,
        unique: bool,
        concurrently: bool,
        on_only: bool,
        columns: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        expressions: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        predicate: Option<String>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        nulls_not_distinct: bool,
    },
    DropIndex {
        table: NameRecord,
        name: String,
        concurrently: bool,
    },
    AttachIndex {
        parent_index: NameRecord,
        index: NameRecord,
    },
    RenameIndex {
        table: NameRecord,
        from: String,
        to: String,
    },
    AttachPartition {
        parent: NameRecord,
        partition: NameRecord,
        bound: String,
        bound_check: Option<String>,
        scans_default: Option<NameRecord>,
    },
    DetachPartition {
        parent: NameRecord,
        partition: NameRecord,
        concurrently: bool,
    },
    EnableRls {
        table: NameRecord,
    },
    DisableRls {
        table: NameRecord,
    },
    ForceRls {
        table: NameRecord,
    },
    NoForceRls {
        table: NameRecord,
    },
    CreatePolicy {
        table: NameRecord,
        name: String,
    },
    AlterPolicy {
        table: NameRecord,
        name: String,
    },
    DropPolicy {
        table: NameRecord,
        name: String,
    },
    RenamePolicy {
        table: NameRecord,
        from: String,
        to: String,
    },
    CreateTrigger {
        table: NameRecord,
        name: String,
    },
    DropTrigger {
        table: NameRecord,
        name: String,
    },
    CreateView {
        name: NameRecord,
        materialized: bool,
        or_replace: bool,
    },
    DropView {
        name: NameRecord,
        materialized: bool,
    },
    SetComment {
        object: String,
    },
    Grant {
        object: String,
        privileges: Vec<String>,
        grantee: String,
        with_grant_option: bool,
    },
    Revoke {
        object: String,
        privileges: Vec<String>,
        grantee: String,
        grant_option_only: bool,
    },
    AlterDefaultPrivileges {
        role: Option<String>,
        schema: Option<String>,
        objects: String,
        grant: bool,
        privileges: Vec<String>,
        grantee: String,
        grant_option: bool,
    },
    Backfill {
        table: NameRecord,
        column: String,
        batch: u32,
    },
    Distribute {
        table: NameRecord,
        column: Option<String>,
        concurrently: bool,
    },
    AlterDistribution {
        table: NameRecord,
    },
    Undistribute {
        table: NameRecord,
    },
    DistributeSchema {
        schema: String,
    },
    UndistributeSchema {
        schema: String,
    },
    Inherit {
        table: NameRecord,
        parent: NameRecord,
    },
    CreateCompositeType {
        name: NameRecord,
    },
    CreateStatistics {
        table: NameRecord,
        name: String,
    },
    AlterStatistics {
        table: NameRecord,
        name: String,
    },
    DropStatistics {
        table: NameRecord,
        name: String,
    },
    CreateRule {
        table: NameRecord,
        name: String,
        replace: bool,
    },
    AlterRule {
        table: NameRecord,
        name: String,
    },
    DropRule {
        table: NameRecord,
        name: String,
    },
    AlterCompositeType {
        name: NameRecord,
        attribute: String,
        change: AttributeChangeRecord,
    },
    DropCompositeType {
        name: NameRecord,
    },
    NoInherit {
        table: NameRecord,
        parent: NameRecord,
    },
    SetTableOptions {
        table: NameRecord,
    },
    Raw,
}

/// The constraint of an `add_constraint` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ConstraintRecord {
    Check {
        expr: String,
    },
    NotNullCheck {
        column: String,
    },
    ForeignKey {
        columns: Vec<String>,
        ref_table: NameRecord,
        ref_columns: Vec<String>,
    },
    Unique {
        columns: Vec<String>,
        nulls_not_distinct: bool,
    },
    PrimaryKey {
        columns: Vec<String>,
    },
    Exclude,
}

/// The change of an `alter_domain` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum DomainChangeRecord {
    SetDefault,
    DropDefault,
    AddCheck { constraint: String, expr: String },
    ValidateConstraint { constraint: String },
    DropConstraint { constraint: String },
    SetNotNull,
    DropNotNull,
}

/// The change of an `alter_composite_type` record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributeChangeRecord {
    Add,
    Drop,
    SetType,
}

/// The change of an `alter_identity` record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityChangeRecord {
    Add,
    Drop,
    Set,
}

fn name(name: &QualifiedName) -> NameRecord {
    NameRecord {
        schema: name.schema.0.clone(),
        name: name.name.0.clone(),
    }
}

fn qualified(record: NameRecord) -> QualifiedName {
    QualifiedName {
        schema: Ident::new(record.schema),
        name: Ident::new(record.name),
    }
}

fn ident(ident: &Ident) -> String {
    ident.0.clone()
}

fn idents(idents: &[Ident]) -> Vec<String> {
    idents.iter().map(ident).collect()
}

fn to_idents(names: Vec<String>) -> Vec<Ident> {
    names.into_iter().map(Ident::new).collect()
}

#[cfg(test)]
mod tests;
