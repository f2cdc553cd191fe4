//! The vocabulary of the diff: one [`Change`] per SQL-level difference
//! between the current and the desired Model.
//!
//! Invariants:
//! - A change carries the model objects it needs, so the planner never
//!   has to look them up and unit tests can build changes by hand. Whole
//!   tables are borrowed from the Models (planning from an empty database
//!   would otherwise copy the entire desired Model); the smaller objects
//!   are cloned.
//! - Every change names its object ([`Change::object`]) and the span of the
//!   desired object's definition, or of the current one for drops
//!   ([`Change::span`]).

use crate::model::privilege::{Acl, DefaultAclKey};
use crate::model::{
    AclTarget, Column, CompositeType, Constraint, Distribution, Domain, Enum, Extension, Function,
    Ident, Identity, Index, ObjectId, Policy, QualifiedName, RenameKind, Rule, Schema, Sequence,
    SqlExpr, Statistics, Table, Trigger, TypeName, View,
};
use crate::source::Span;

/// The result of [`super::diff`]: changes in a deterministic order, plus
/// notes (external objects left alone).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSet<'a> {
    pub changes: Vec<Change<'a>>,
    pub notes: Vec<String>,
}

impl ChangeSet<'_> {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Where a new enum value goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnumPosition {
    Before(String),
    After(String),
    /// Appended (the enum had no values).
    End,
}

/// One alteration of an existing column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnChange {
    Type {
        from: TypeName,
        to: TypeName,
        collation: Option<crate::model::Collation>,
    },
    SetDefault(SqlExpr),
    DropDefault,
    SetNotNull,
    DropNotNull,
    Identity {
        from: Option<Identity>,
        to: Option<Identity>,
    },
    /// Generation expression changed; `to` is the whole desired column
    /// (a stored generated column can only be dropped and added again).
    Generated {
        from: Option<SqlExpr>,
        to: Box<Column>,
    },
    Collation {
        ty: TypeName,
        from: Option<crate::model::Collation>,
        to: Option<crate::model::Collation>,
    },
}

/// One difference, named with SQL verbs.
// Changes are built once per diff and kept in one Vec; boxing the large
// variants would only add noise to every strategy.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<'a> {
    CreateSchema(Schema),
    DropSchema(Schema),
    /// An existing schema becomes distributed (Citus
    /// `citus_schema_distribute`); a new one is distributed with its
    /// `CreateSchema`.
    DistributeSchema(Schema),
    /// `citus_schema_undistribute`: the schema is no longer distributed.
    UndistributeSchema(Schema),
    /// A schema renamed through its `was` hint.
    RenameSchema {
        from: Ident,
        to: Ident,
        span: Option<Span>,
    },
    /// An enum, domain, sequence, (materialized) view, function, procedure
    /// or trigger renamed through its `was` hint. `from` names the object
    /// as it is called when the rename runs (in its new schema when its
    /// schema is renamed too).
    RenameObject {
        kind: RenameKind,
        from: ObjectId,
        to: Ident,
        span: Option<Span>,
    },
    CreateExtension(Extension),
    AlterExtension {
        current: Extension,
        desired: Extension,
    },
    DropExtension(Extension),
    CreateEnum(Enum),
    AddEnumValue {
        name: QualifiedName,
        value: String,
        position: EnumPosition,
        span: Option<Span>,
    },
    DropEnum(Enum),
    /// A value was removed or the order changed: the type is rebuilt.
    RecreateEnum {
        current: Enum,
        desired: Enum,
        /// Columns (table, column, type as written) that use the enum.
        columns: Vec<(QualifiedName, Ident, TypeName)>,
    },
    CreateDomain(Domain),
    AlterDomain {
        current: Domain,
        desired: Domain,
    },
    DropDomain(Domain),
    CreateCompositeType(CompositeType),
    /// Attributes added, dropped or retyped in place (`ALTER TYPE`).
    AlterCompositeType {
        current: CompositeType,
        desired: CompositeType,
    },
    DropCompositeType(CompositeType),
    CreateSequence(Sequence),
    AlterSequence {
        current: Sequence,
        desired: Sequence,
    },
    DropSequence(Sequence),
    CreateFunction(Function),
    ReplaceFunction {
        current: Function,
        desired: Function,
    },
    DropFunction(Function),
    CreateTable(&'a Table),
    DropTable(&'a Table),
    RenameTable {
        from: QualifiedName,
        to: QualifiedName,
        span: Option<Span>,
    },
    AddColumn {
        table: QualifiedName,
        column: Column,
    },
    DropColumn {
        table: QualifiedName,
        column: Column,
    },
    RenameColumn {
        table: QualifiedName,
        from: Ident,
        to: Ident,
        span: Option<Span>,
    },
    AlterColumn {
        table: QualifiedName,
        column: Ident,
        change: ColumnChange,
        span: Option<Span>,
    },
    AddConstraint {
        table: QualifiedName,
        constraint: Constraint,
    },
    DropConstraint {
        table: QualifiedName,
        constraint: Constraint,
    },
    RenameConstraint {
        table: QualifiedName,
        from: Ident,
        to: Ident,
        span: Option<Span>,
    },
    /// A UNIQUE constraint that adopts the existing unique index of the
    /// same name (`ADD CONSTRAINT ... USING INDEX`).
    AddConstraintUsingIndex {
        table: QualifiedName,
        constraint: Constraint,
    },
    /// The database holds the constraint NOT VALID; the schema wants it
    /// valid (`constraint` is the desired one).
    ValidateConstraint {
        table: QualifiedName,
        constraint: Constraint,
    },
    CreateIndex {
        table: QualifiedName,
        index: Index,
    },
    DropIndex {
        table: QualifiedName,
        index: Index,
    },
    RenameIndex {
        table: QualifiedName,
        from: Ident,
        to: Ident,
        span: Option<Span>,
    },
    /// A new partition of an existing partitioned table.
    AttachPartition(&'a Table),
    /// A partition that is no longer wanted (detached, then dropped).
    DetachPartition(&'a Table),
    /// An existing standalone table becomes a partition of an existing
    /// partitioned table, keeping its rows.
    AttachTable {
        current: &'a Table,
        desired: &'a Table,
    },
    /// A partition becomes a standalone table, keeping its rows.
    DetachTable {
        current: &'a Table,
        desired: &'a Table,
    },
    /// The parent's partitioning changed: the table is rebuilt.
    SetPartitioning {
        current: &'a Table,
        desired: &'a Table,
    },
    EnableRls {
        table: QualifiedName,
        span: Option<Span>,
    },
    DisableRls {
        table: QualifiedName,
        span: Option<Span>,
    },
    ForceRls {
        table: QualifiedName,
        span: Option<Span>,
    },
    NoForceRls {
        table: QualifiedName,
        span: Option<Span>,
    },
    CreatePolicy {
        table: QualifiedName,
        policy: Policy,
    },
    AlterPolicy {
        table: QualifiedName,
        current: Policy,
        desired: Policy,
    },
    DropPolicy {
        table: QualifiedName,
        policy: Policy,
    },
    RenamePolicy {
        table: QualifiedName,
        from: Ident,
        to: Ident,
        span: Option<Span>,
    },
    CreateTrigger {
        table: QualifiedName,
        trigger: Trigger,
    },
    /// Changed trigger: dropped and created in one transaction.
    ReplaceTrigger {
        table: QualifiedName,
        current: Trigger,
        desired: Trigger,
    },
    DropTrigger {
        table: QualifiedName,
        trigger: Trigger,
    },
    CreateView(View),
    /// `CREATE OR REPLACE VIEW` (plain views whose query changed).
    ReplaceView {
        current: View,
        desired: View,
    },
    DropView(View),
    SetComment {
        object: ObjectId,
        /// The SQL object clause: `TABLE public.t`, `COLUMN public.t.c`.
        target: String,
        comment: Option<String>,
        span: Option<Span>,
    },
    Distribute {
        table: QualifiedName,
        current: Option<Distribution>,
        desired: Distribution,
        span: Option<Span>,
    },
    Undistribute {
        table: QualifiedName,
        current: Distribution,
        span: Option<Span>,
    },
    CreateStatistics {
        table: QualifiedName,
        statistics: Statistics,
    },
    /// Only the statistics target changed.
    AlterStatistics {
        table: QualifiedName,
        statistics: Statistics,
    },
    DropStatistics {
        table: QualifiedName,
        statistics: Statistics,
    },
    CreateRule {
        table: QualifiedName,
        rule: Rule,
    },
    /// A rule whose definition changed (`CREATE OR REPLACE RULE`).
    ReplaceRule {
        table: QualifiedName,
        current: Rule,
        desired: Rule,
    },
    DropRule {
        table: QualifiedName,
        rule: Rule,
    },
    /// The parents of an inheritance child changed (`INHERIT` /
    /// `NO INHERIT`; the child is never rebuilt).
    SetInherits {
        table: QualifiedName,
        current: Vec<QualifiedName>,
        desired: Vec<QualifiedName>,
        span: Option<Span>,
    },
    /// Storage parameters set to a new value (`set`) or back to their
    /// default (`reset`), in place.
    SetTableOptions {
        table: QualifiedName,
        set: Vec<(String, String)>,
        reset: Vec<String>,
        span: Option<Span>,
    },
    /// The object's privileges (owner aside) go from `current` (the kind's
    /// default for an object this plan creates) to `desired`: GRANT and
    /// REVOKE.
    SetPrivileges {
        object: ObjectId,
        target: AclTarget,
        current: Acl,
        desired: Acl,
        span: Option<Span>,
    },
    /// A `pg_default_acl` entry goes from `current` to `desired` (`ALTER
    /// DEFAULT PRIVILEGES ... GRANT / REVOKE`).
    SetDefaultPrivileges {
        key: DefaultAclKey,
        current: Acl,
        desired: Acl,
    },
}

impl Change<'_> {
    /// The object this change is about.
    pub fn object(&self) -> ObjectId {
        match self {
            Change::CreateSchema(schema)
            | Change::DropSchema(schema)
            | Change::DistributeSchema(schema)
            | Change::UndistributeSchema(schema) => ObjectId::Schema(schema.name.clone()),
            Change::RenameSchema { to, .. } => ObjectId::Schema(to.clone()),
            Change::RenameObject { from, to, .. } => renamed_id(from, to),
            Change::CreateExtension(ext) | Change::DropExtension(ext) => {
                ObjectId::Extension(ext.name.clone())
            }
            Change::AlterExtension { desired, .. } => ObjectId::Extension(desired.name.clone()),
            Change::CreateEnum(e) | Change::DropEnum(e) => ObjectId::Enum(e.name.clone()),
            Change::AddEnumValue { name, .. } => ObjectId::Enum(name.clone()),
            Change::RecreateEnum { desired, .. } => ObjectId::Enum(desired.name.clone()),
            Change::CreateDomain(d) | Change::DropDomain(d) => ObjectId::Domain(d.name.clone()),
            Change::AlterDomain { desired, .. } => ObjectId::Domain(desired.name.clone()),
            Change::CreateCompositeType(t) | Change::DropCompositeType(t) => {
                ObjectId::CompositeType(t.name.clone())
            }
            Change::AlterCompositeType { desired, .. } => {
                ObjectId::CompositeType(desired.name.clone())
            }
            Change::CreateSequence(s) | Change::DropSequence(s) => {
                ObjectId::Sequence(s.name.clone())
            }
            Change::AlterSequence { desired, .. } => ObjectId::Sequence(desired.name.clone()),
            Change::CreateFunction(f) | Change::DropFunction(f) => ObjectId::Function(f.id.clone()),
            Change::ReplaceFunction { desired, .. } => ObjectId::Function(desired.id.clone()),
            Change::CreateTable(t)
            | Change::DropTable(t)
            | Change::AttachPartition(t)
            | Change::DetachPartition(t) => ObjectId::Table(t.name.clone()),
            Change::SetPartitioning { desired, .. }
            | Change::AttachTable { desired, .. }
            | Change::DetachTable { desired, .. } => ObjectId::Table(desired.name.clone()),
            Change::RenameTable { to, .. } => ObjectId::Table(to.clone()),
            Change::AddColumn { table, column } | Change::DropColumn { table, column } => {
                ObjectId::Column(table.clone(), column.name.clone())
            }
            Change::RenameColumn { table, to, .. } => ObjectId::Column(table.clone(), to.clone()),
            Change::AlterColumn { table, column, .. } => {
                ObjectId::Column(table.clone(), column.clone())
            }
            Change::AddConstraint { table, constraint }
            | Change::DropConstraint { table, constraint }
            | Change::ValidateConstraint { table, constraint }
            | Change::AddConstraintUsingIndex { table, constraint } => {
                ObjectId::Constraint(table.clone(), constraint.name.clone())
            }
            Change::RenameConstraint { table, to, .. } => {
                ObjectId::Constraint(table.clone(), to.clone())
            }
            Change::CreateIndex { table, index } | Change::DropIndex { table, index } => {
                ObjectId::Index(table.clone(), index.name.clone())
            }
            Change::RenameIndex { table, to, .. } => ObjectId::Index(table.clone(), to.clone()),
            Change::EnableRls { table, .. }
            | Change::DisableRls { table, .. }
            | Change::ForceRls { table, .. }
            | Change::NoForceRls { table, .. }
            | Change::Distribute { table, .. }
            | Change::Undistribute { table, .. }
            | Change::SetInherits { table, .. }
            | Change::SetTableOptions { table, .. } => ObjectId::Table(table.clone()),
            Change::CreatePolicy { table, policy } | Change::DropPolicy { table, policy } => {
                ObjectId::Policy(table.clone(), policy.name.clone())
            }
            Change::AlterPolicy { table, desired, .. } => {
                ObjectId::Policy(table.clone(), desired.name.clone())
            }
            Change::RenamePolicy { table, to, .. } => ObjectId::Policy(table.clone(), to.clone()),
            Change::CreateTrigger { table, trigger } | Change::DropTrigger { table, trigger } => {
                ObjectId::Trigger(table.clone(), trigger.name.clone())
            }
            Change::ReplaceTrigger { table, desired, .. } => {
                ObjectId::Trigger(table.clone(), desired.name.clone())
            }
            Change::CreateView(v) | Change::DropView(v) => ObjectId::View(v.name.clone()),
            Change::CreateStatistics { table, statistics }
            | Change::AlterStatistics { table, statistics }
            | Change::DropStatistics { table, statistics } => {
                ObjectId::Statistics(table.clone(), statistics.name.clone())
            }
            Change::CreateRule { table, rule } | Change::DropRule { table, rule } => {
                ObjectId::Rule(table.clone(), rule.name.clone())
            }
            Change::ReplaceRule { table, desired, .. } => {
                ObjectId::Rule(table.clone(), desired.name.clone())
            }
            Change::ReplaceView { desired, .. } => ObjectId::View(desired.name.clone()),
            Change::SetComment { object, .. } | Change::SetPrivileges { object, .. } => {
                object.clone()
            }
            Change::SetDefaultPrivileges { key, .. } => ObjectId::DefaultPrivileges(key.clone()),
        }
    }

    /// The role the schema file had set (`SET ROLE`) when it created the
    /// desired object of a change that creates or replaces an owned object
    /// (`model::Meta::role`); `None` for every other change.
    pub fn creating_role(&self) -> Option<&Ident> {
        match self {
            Change::CreateSchema(schema) => schema.meta.role.as_deref(),
            Change::CreateExtension(ext) => ext.meta.role.as_deref(),
            Change::CreateEnum(e) => e.meta.role.as_deref(),
            Change::RecreateEnum { desired, .. } => desired.meta.role.as_deref(),
            Change::CreateDomain(d) => d.meta.role.as_deref(),
            Change::CreateCompositeType(t) => t.meta.role.as_deref(),
            Change::CreateSequence(s) => s.meta.role.as_deref(),
            Change::CreateFunction(f) => f.meta.role.as_deref(),
            Change::ReplaceFunction { desired, .. } => desired.meta.role.as_deref(),
            Change::CreateTable(t) => t.meta.role.as_deref(),
            Change::CreateView(v) => v.meta.role.as_deref(),
            Change::ReplaceView { desired, .. } => desired.meta.role.as_deref(),
            Change::DropSchema(_)
            | Change::DistributeSchema(_)
            | Change::UndistributeSchema(_)
            | Change::RenameSchema { .. }
            | Change::RenameObject { .. }
            | Change::AlterExtension { .. }
            | Change::DropExtension(_)
            | Change::AddEnumValue { .. }
            | Change::DropEnum(_)
            | Change::AlterDomain { .. }
            | Change::DropDomain(_)
            | Change::AlterCompositeType { .. }
            | Change::DropCompositeType(_)
            | Change::AlterSequence { .. }
            | Change::DropSequence(_)
            | Change::DropFunction(_)
            | Change::DropTable(_)
            | Change::RenameTable { .. }
            | Change::AddColumn { .. }
            | Change::DropColumn { .. }
            | Change::RenameColumn { .. }
            | Change::AlterColumn { .. }
            | Change::AddConstraint { .. }
            | Change::DropConstraint { .. }
            | Change::RenameConstraint { .. }
            | Change::AddConstraintUsingIndex { .. }
            | Change::ValidateConstraint { .. }
            | Change::CreateIndex { .. }
            | Change::DropIndex { .. }
            | Change::RenameIndex { .. }
            | Change::AttachPartition(_)
            | Change::DetachPartition(_)
            | Change::AttachTable { .. }
            | Change::DetachTable { .. }
            | Change::SetPartitioning { .. }
            | Change::EnableRls { .. }
            | Change::DisableRls { .. }
            | Change::ForceRls { .. }
            | Change::NoForceRls { .. }
            | Change::CreatePolicy { .. }
            | Change::AlterPolicy { .. }
            | Change::DropPolicy { .. }
            | Change::RenamePolicy { .. }
            | Change::CreateTrigger { .. }
            | Change::ReplaceTrigger { .. }
            | Change::DropTrigger { .. }
            | Change::DropView(_)
            | Change::CreateStatistics { .. }
            | Change::AlterStatistics { .. }
            | Change::DropStatistics { .. }
            | Change::SetComment { .. }
            | Change::SetPrivileges { .. }
            | Change::SetDefaultPrivileges { .. }
            | Change::Distribute { .. }
            | Change::Undistribute { .. }
            | Change::SetInherits { .. }
            | Change::SetTableOptions { .. }
            | Change::CreateRule { .. }
            | Change::ReplaceRule { .. }
            | Change::DropRule { .. } => None,
        }
    }

    /// The desired object's definition, or the current one's for drops.
    pub fn span(&self) -> Option<Span> {
        match self {
            Change::CreateSchema(schema)
            | Change::DropSchema(schema)
            | Change::DistributeSchema(schema)
            | Change::UndistributeSchema(schema) => schema.meta.span,
            Change::CreateExtension(ext) | Change::DropExtension(ext) => ext.meta.span,
            Change::AlterExtension { desired, .. } => desired.meta.span,
            Change::CreateEnum(e) | Change::DropEnum(e) => e.meta.span,
            Change::RecreateEnum { desired, .. } => desired.meta.span,
            Change::CreateDomain(d) | Change::DropDomain(d) => d.meta.span,
            Change::AlterDomain { desired, .. } => desired.meta.span,
            Change::CreateCompositeType(t) | Change::DropCompositeType(t) => t.meta.span,
            Change::AlterCompositeType { desired, .. } => desired.meta.span,
            Change::CreateSequence(s) | Change::DropSequence(s) => s.meta.span,
            Change::AlterSequence { desired, .. } => desired.meta.span,
            Change::CreateFunction(f) | Change::DropFunction(f) => f.meta.span,
            Change::ReplaceFunction { desired, .. } => desired.meta.span,
            Change::CreateTable(t)
            | Change::DropTable(t)
            | Change::AttachPartition(t)
            | Change::DetachPartition(t) => t.meta.span,
            Change::SetPartitioning { desired, .. }
            | Change::AttachTable { desired, .. }
            | Change::DetachTable { desired, .. } => desired.meta.span,
            Change::AddColumn { column, .. } | Change::DropColumn { column, .. } => {
                column.meta.span
            }
            Change::AddConstraint { constraint, .. }
            | Change::DropConstraint { constraint, .. }
            | Change::ValidateConstraint { constraint, .. }
            | Change::AddConstraintUsingIndex { constraint, .. } => constraint.meta.span,
            Change::CreateIndex { index, .. } | Change::DropIndex { index, .. } => index.meta.span,
            Change::CreatePolicy { policy, .. } | Change::DropPolicy { policy, .. } => {
                policy.meta.span
            }
            Change::AlterPolicy { desired, .. } => desired.meta.span,
            Change::CreateTrigger { trigger, .. } | Change::DropTrigger { trigger, .. } => {
                trigger.meta.span
            }
            Change::ReplaceTrigger { desired, .. } => desired.meta.span,
            Change::CreateView(v) | Change::DropView(v) => v.meta.span,
            Change::CreateStatistics { statistics, .. }
            | Change::AlterStatistics { statistics, .. }
            | Change::DropStatistics { statistics, .. } => statistics.meta.span,
            Change::CreateRule { rule, .. } | Change::DropRule { rule, .. } => rule.meta.span,
            Change::ReplaceRule { desired, .. } => desired.meta.span,
            Change::SetDefaultPrivileges { .. } => None,
            Change::ReplaceView { desired, .. } => desired.meta.span,
            Change::AddEnumValue { span, .. }
            | Change::RenameSchema { span, .. }
            | Change::RenameObject { span, .. }
            | Change::RenameTable { span, .. }
            | Change::RenameColumn { span, .. }
            | Change::AlterColumn { span, .. }
            | Change::RenameConstraint { span, .. }
            | Change::RenameIndex { span, .. }
            | Change::EnableRls { span, .. }
            | Change::DisableRls { span, .. }
            | Change::ForceRls { span, .. }
            | Change::NoForceRls { span, .. }
            | Change::RenamePolicy { span, .. }
            | Change::SetComment { span, .. }
            | Change::SetPrivileges { span, .. }
            | Change::Distribute { span, .. }
            | Change::Undistribute { span, .. }
            | Change::SetInherits { span, .. }
            | Change::SetTableOptions { span, .. } => *span,
        }
    }
}

/// The id of `from` once it is called `to`.
pub fn renamed_id(from: &ObjectId, to: &Ident) -> ObjectId {
    match from {
        ObjectId::Schema(_) => ObjectId::Schema(to.clone()),
        ObjectId::Extension(_) => ObjectId::Extension(to.clone()),
        ObjectId::Enum(name) => ObjectId::Enum(name.with_name(to.clone())),
        ObjectId::Domain(name) => ObjectId::Domain(name.with_name(to.clone())),
        ObjectId::Sequence(name) => ObjectId::Sequence(name.with_name(to.clone())),
        ObjectId::Function(id) => ObjectId::Function(crate::model::FunctionId {
            name: id.name.with_name(to.clone()),
            arg_types: id.arg_types.clone(),
        }),
        ObjectId::Table(name) => ObjectId::Table(name.with_name(to.clone())),
        ObjectId::View(name) => ObjectId::View(name.with_name(to.clone())),
        ObjectId::Column(table, _) => ObjectId::Column(table.clone(), to.clone()),
        ObjectId::Constraint(table, _) => ObjectId::Constraint(table.clone(), to.clone()),
        ObjectId::Index(table, _) => ObjectId::Index(table.clone(), to.clone()),
        ObjectId::Policy(table, _) => ObjectId::Policy(table.clone(), to.clone()),
        ObjectId::Trigger(table, _) => ObjectId::Trigger(table.clone(), to.clone()),
        ObjectId::CompositeType(name) => ObjectId::CompositeType(name.with_name(to.clone())),
        ObjectId::Statistics(table, _) => ObjectId::Statistics(table.clone(), to.clone()),
        ObjectId::Rule(table, _) => ObjectId::Rule(table.clone(), to.clone()),
        ObjectId::DefaultPrivileges(key) => ObjectId::DefaultPrivileges(key.clone()),
    }
}
