//! What a step does, as data: [`Action`]. The strategy that builds a step
//! sets its action (`Cx::step` takes it); every consumer that must know
//! what a step does (the migration lint rules, the executor's resume and
//! INVALID-index cleanup, the JSON plan, saved plans, the apply history)
//! reads the action and never the step's SQL.
//!
//! Invariants:
//! - The action describes the step's one statement exactly: the objects it
//!   names are the objects the SQL touches, and its flags (`concurrently`,
//!   `not_valid`, `rewrite`, ...) are the forms the SQL uses.
//! - A step that can fail on rows already in the table (a UNIQUE or PRIMARY
//!   KEY build, SET NOT NULL, a CHECK or FOREIGN KEY validated, a column
//!   type change, an enum rebuilt without some values, a partition
//!   attached) carries the data a read-only preflight check needs: the
//!   table, the columns, the expression, the referenced table.
//! - `Raw` is for statements no consumer needs to understand; a consumer
//!   never parses its text.
//! - The outside form of an action (JSON plan, saved plan, history row) is
//!   [`super::action_record::ActionRecord`], never this type.

use crate::model::{Ident, QualifiedName, RenameKind, TypeName};

/// What one step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    CreateSchema {
        schema: Ident,
    },
    DropSchema {
        schema: Ident,
    },
    CreateExtension {
        extension: Ident,
    },
    /// `ALTER EXTENSION ... SET SCHEMA` or `UPDATE TO`.
    AlterExtension {
        extension: Ident,
    },
    DropExtension {
        extension: Ident,
    },
    CreateEnum {
        name: QualifiedName,
    },
    AddEnumValue {
        name: QualifiedName,
        value: String,
    },
    /// The first step of an enum rebuild: the current type is renamed to
    /// `to`; the columns are converted to the new type later in the same
    /// transaction, which fails if a row holds one of `removed_values`.
    RenameEnumForRebuild {
        name: QualifiedName,
        to: Ident,
        removed_values: Vec<String>,
    },
    /// `DROP TYPE` of an enum.
    DropEnum {
        name: QualifiedName,
    },
    CreateDomain {
        name: QualifiedName,
    },
    AlterDomain {
        name: QualifiedName,
        change: DomainChange,
    },
    DropDomain {
        name: QualifiedName,
    },
    CreateSequence {
        name: QualifiedName,
    },
    /// `ALTER SEQUENCE ... AS ... INCREMENT BY ...` (options only).
    AlterSequence {
        name: QualifiedName,
    },
    /// `ALTER SEQUENCE ... OWNED BY table.column` (or `NONE`).
    SetSequenceOwner {
        name: QualifiedName,
        owner: Option<(QualifiedName, Ident)>,
    },
    DropSequence {
        name: QualifiedName,
    },
    /// `CREATE [OR REPLACE] FUNCTION/PROCEDURE`.
    CreateFunction {
        name: QualifiedName,
        procedure: bool,
        or_replace: bool,
    },
    DropFunction {
        name: QualifiedName,
        procedure: bool,
    },
    /// `CREATE [OR REPLACE] AGGREGATE`.
    CreateAggregate {
        name: QualifiedName,
        or_replace: bool,
    },
    /// `DROP AGGREGATE`.
    DropAggregate {
        name: QualifiedName,
    },
    /// `CREATE TABLE`: declared in full, as a partition of `partition_of`,
    /// or `LIKE` `like` (a table built to be attached as a partition).
    CreateTable {
        table: QualifiedName,
        partition_of: Option<QualifiedName>,
        like: Option<QualifiedName>,
    },
    DropTable {
        table: QualifiedName,
        /// The parent when the table is a partition.
        partition_of: Option<QualifiedName>,
    },
    RenameTable {
        from: QualifiedName,
        to: Ident,
    },
    /// `ALTER SCHEMA from RENAME TO to`.
    RenameSchema {
        from: Ident,
        to: Ident,
    },
    /// `ALTER <kind> from RENAME TO to` of an enum, domain, sequence,
    /// (materialized) view, function or procedure (`arg_types` give the
    /// signature), or `ALTER TRIGGER from.name ON table RENAME TO to`
    /// (`from` is then the trigger's name in the table's schema).
    RenameObject {
        kind: RenameKind,
        from: QualifiedName,
        table: Option<QualifiedName>,
        arg_types: Vec<TypeName>,
        to: Ident,
    },
    AddColumn {
        table: QualifiedName,
        column: Ident,
        ty: TypeName,
        not_null: bool,
        /// The default's SQL text, when the column is added with one.
        default: Option<String>,
        /// The default calls a volatile function (evaluated per row).
        volatile_default: bool,
        /// A stored generated column.
        generated: bool,
        identity: bool,
    },
    DropColumn {
        table: QualifiedName,
        column: Ident,
    },
    RenameColumn {
        table: QualifiedName,
        from: Ident,
        to: Ident,
    },
    /// `ALTER COLUMN ... TYPE to [COLLATE collation] [USING using]`; fails
    /// on existing rows when `using` (or the implicit cast) fails.
    AlterColumnType {
        table: QualifiedName,
        column: Ident,
        to: TypeName,
        collation: Option<String>,
        using: Option<String>,
        /// The table is rewritten (not a binary-coercible change).
        rewrite: bool,
    },
    SetDefault {
        table: QualifiedName,
        column: Ident,
        default: String,
    },
    DropDefault {
        table: QualifiedName,
        column: Ident,
    },
    /// Fails when a row holds NULL in the column.
    SetNotNull {
        table: QualifiedName,
        column: Ident,
    },
    DropNotNull {
        table: QualifiedName,
        column: Ident,
    },
    /// `ADD GENERATED ... AS IDENTITY`, `DROP IDENTITY` or `SET ...` of an
    /// identity column.
    AlterIdentity {
        table: QualifiedName,
        column: Ident,
        change: IdentityChange,
    },
    /// `ALTER COLUMN ... DROP EXPRESSION`: a generated column becomes plain.
    DropExpression {
        table: QualifiedName,
        column: Ident,
    },
    AddConstraint {
        table: QualifiedName,
        name: Ident,
        kind: ConstraintAction,
        /// `NOT VALID`: existing rows are not checked by this step.
        not_valid: bool,
        /// `USING INDEX`: the constraint adopts this (already built) index.
        using_index: Option<Ident>,
    },
    /// Scans the table; fails when a row violates the constraint.
    ValidateConstraint {
        table: QualifiedName,
        name: Ident,
    },
    DropConstraint {
        table: QualifiedName,
        name: Ident,
    },
    RenameConstraint {
        table: QualifiedName,
        from: Ident,
        to: Ident,
    },
    /// `CREATE [UNIQUE] INDEX [CONCURRENTLY] name ON [ONLY] table`. The
    /// index lives in the table's schema.
    CreateIndex {
        table: QualifiedName,
        name: Ident,
        unique: bool,
        concurrently: bool,
        /// `ON ONLY` a partitioned table: the parent index alone.
        on_only: bool,
        /// The key columns that are plain columns, in order.
        columns: Vec<Ident>,
        /// The key elements that are expressions (their SQL), in order.
        expressions: Vec<String>,
        /// The `WHERE` predicate of a partial index.
        predicate: Option<String>,
        /// `NULLS NOT DISTINCT` (PostgreSQL 15+).
        nulls_not_distinct: bool,
    },
    DropIndex {
        table: QualifiedName,
        name: Ident,
        concurrently: bool,
    },
    /// `ALTER INDEX parent ATTACH PARTITION index`.
    AttachIndex {
        parent_index: QualifiedName,
        index: QualifiedName,
    },
    RenameIndex {
        table: QualifiedName,
        from: Ident,
        to: Ident,
    },
    /// `ALTER TABLE parent ATTACH PARTITION partition bound`. Fails when a
    /// row of `partition` lies outside the bound, or when a row of the
    /// default partition `scans_default` belongs in it.
    AttachPartition {
        parent: QualifiedName,
        partition: QualifiedName,
        /// `FOR VALUES ...` or `DEFAULT`, as in the SQL.
        bound: String,
        /// A boolean expression over the partition's rows equivalent to
        /// the bound, when the bound has one (single-column range or list).
        bound_check: Option<String>,
        scans_default: Option<QualifiedName>,
    },
    DetachPartition {
        parent: QualifiedName,
        partition: QualifiedName,
        concurrently: bool,
    },
    EnableRls {
        table: QualifiedName,
    },
    DisableRls {
        table: QualifiedName,
    },
    ForceRls {
        table: QualifiedName,
    },
    NoForceRls {
        table: QualifiedName,
    },
    CreatePolicy {
        table: QualifiedName,
        name: Ident,
    },
    AlterPolicy {
        table: QualifiedName,
        name: Ident,
    },
    DropPolicy {
        table: QualifiedName,
        name: Ident,
    },
    RenamePolicy {
        table: QualifiedName,
        from: Ident,
        to: Ident,
    },
    CreateTrigger {
        table: QualifiedName,
        name: Ident,
    },
    DropTrigger {
        table: QualifiedName,
        name: Ident,
    },
    /// `CREATE [OR REPLACE] [MATERIALIZED] VIEW`.
    CreateView {
        name: QualifiedName,
        materialized: bool,
        or_replace: bool,
    },
    DropView {
        name: QualifiedName,
        materialized: bool,
    },
    /// `COMMENT ON` the object (as [`crate::model::ObjectId`] prints it).
    SetComment {
        object: String,
    },
    /// `GRANT privileges ON object TO grantee [WITH GRANT OPTION]`;
    /// `object` is the SQL object clause (`TABLE public.t`), `grantee` a
    /// role name or `PUBLIC`. Catalog only.
    Grant {
        object: String,
        privileges: Vec<String>,
        grantee: String,
        with_grant_option: bool,
    },
    /// `REVOKE [GRANT OPTION FOR] privileges ON object FROM grantee`.
    Revoke {
        object: String,
        privileges: Vec<String>,
        grantee: String,
        grant_option_only: bool,
    },
    /// `ALTER DEFAULT PRIVILEGES [FOR ROLE role] [IN SCHEMA schema] GRANT
    /// privileges ON objects TO grantee [WITH GRANT OPTION]` (`grant`), or
    /// `... REVOKE [GRANT OPTION FOR] privileges ON objects FROM grantee`
    /// (`grant_option`: the option only). `objects` is `TABLES`,
    /// `SEQUENCES`, `FUNCTIONS`, `TYPES` or `SCHEMAS`; `role` `None` is the
    /// applying role. Catalog only (`pg_default_acl`).
    AlterDefaultPrivileges {
        role: Option<String>,
        schema: Option<String>,
        objects: String,
        grant: bool,
        privileges: Vec<String>,
        grantee: String,
        grant_option: bool,
    },
    /// A `DO` block that fills `column` of every row with its default, in
    /// committed batches of `batch` rows (outside a transaction).
    Backfill {
        table: QualifiedName,
        column: Ident,
        batch: u32,
    },
    /// Citus `create_distributed_table[_concurrently]` (hash, on `column`)
    /// or `create_reference_table` (`column` is None).
    Distribute {
        table: QualifiedName,
        column: Option<Ident>,
        concurrently: bool,
    },
    /// Citus `alter_distributed_table`.
    AlterDistribution {
        table: QualifiedName,
    },
    /// Citus `undistribute_table`.
    Undistribute {
        table: QualifiedName,
    },
    /// Citus `citus_schema_distribute`: the schema's tables become
    /// single-shard tables of one colocation group.
    DistributeSchema {
        schema: Ident,
    },
    /// Citus `citus_schema_undistribute`.
    UndistributeSchema {
        schema: Ident,
    },
    /// `ALTER TABLE table INHERIT parent`: catalog only, the child's rows
    /// stay.
    Inherit {
        table: QualifiedName,
        parent: QualifiedName,
    },
    /// `ALTER TABLE table NO INHERIT parent`: the child keeps its rows and
    /// the inherited columns (they become its own).
    NoInherit {
        table: QualifiedName,
        parent: QualifiedName,
    },
    /// `ALTER TABLE table SET (...)` or `RESET (...)`: storage parameters,
    /// catalog only.
    SetTableOptions {
        table: QualifiedName,
    },
    /// `CREATE TYPE ... AS (...)`: a composite type.
    CreateCompositeType {
        name: QualifiedName,
    },
    /// `ALTER TYPE name ADD | DROP | ALTER ATTRIBUTE attribute`.
    AlterCompositeType {
        name: QualifiedName,
        attribute: Ident,
        change: AttributeChange,
    },
    /// `DROP TYPE` of a composite type.
    DropCompositeType {
        name: QualifiedName,
    },
    /// `CREATE STATISTICS name ... FROM table`.
    CreateStatistics {
        table: QualifiedName,
        name: Ident,
    },
    /// `ALTER STATISTICS name SET STATISTICS n`.
    AlterStatistics {
        table: QualifiedName,
        name: Ident,
    },
    DropStatistics {
        table: QualifiedName,
        name: Ident,
    },
    /// `CREATE [OR REPLACE] RULE name AS ON event TO table ...`
    /// (`replace`: an existing rule's definition changes in place).
    CreateRule {
        table: QualifiedName,
        name: Ident,
        replace: bool,
    },
    /// `ALTER TABLE table {ENABLE [REPLICA | ALWAYS] | DISABLE} RULE name`.
    AlterRule {
        table: QualifiedName,
        name: Ident,
    },
    /// `DROP RULE name ON table`.
    DropRule {
        table: QualifiedName,
        name: Ident,
    },
    /// A statement no consumer needs to understand.
    Raw,
}

/// The constraint an `AddConstraint` step adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstraintAction {
    Check {
        expr: String,
    },
    /// `CHECK (column IS NOT NULL)`, added to prove a later SET NOT NULL.
    NotNullCheck {
        column: Ident,
    },
    ForeignKey {
        columns: Vec<Ident>,
        ref_table: QualifiedName,
        ref_columns: Vec<Ident>,
    },
    Unique {
        columns: Vec<Ident>,
        nulls_not_distinct: bool,
    },
    PrimaryKey {
        columns: Vec<Ident>,
    },
    Exclude,
}

/// What an `AlterDomain` step changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainChange {
    SetDefault,
    DropDefault,
    /// `ADD CONSTRAINT name CHECK (expr) NOT VALID`.
    AddCheck {
        constraint: Ident,
        expr: String,
    },
    /// Fails when a value of the domain violates the check.
    ValidateConstraint {
        constraint: Ident,
    },
    DropConstraint {
        constraint: Ident,
    },
    /// Fails when a column of the domain holds NULL.
    SetNotNull,
    DropNotNull,
}

/// What an `AlterCompositeType` step does to the attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeChange {
    Add,
    Drop,
    /// `ALTER ATTRIBUTE ... [SET DATA] TYPE` (and collation).
    SetType,
}

/// What an `AlterIdentity` step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityChange {
    Add,
    Drop,
    Set,
}

impl Action {
    /// The step creates a new object that has an owner (a schema,
    /// extension, type, sequence, function, table or view), so the role
    /// it runs as becomes that owner. `CREATE OR REPLACE` of an existing
    /// function or view keeps its owner and is not one.
    pub fn creates_owned_object(&self) -> bool {
        match self {
            Action::CreateFunction { or_replace, .. }
            | Action::CreateAggregate { or_replace, .. }
            | Action::CreateView { or_replace, .. } => !or_replace,
            other => matches!(
                other,
                Action::CreateSchema { .. }
                    | Action::CreateExtension { .. }
                    | Action::CreateEnum { .. }
                    | Action::CreateDomain { .. }
                    | Action::CreateSequence { .. }
                    | Action::CreateTable { .. }
                    | Action::CreateCompositeType { .. }
            ),
        }
    }

    /// The snake_case id of the variant (`create_index`), as in the JSON
    /// plan's `action.kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::CreateSchema { .. } => "create_schema",
            Action::DropSchema { .. } => "drop_schema",
            Action::CreateExtension { .. } => "create_extension",
            Action::AlterExtension { .. } => "alter_extension",
            Action::DropExtension { .. } => "drop_extension",
            Action::CreateEnum { .. } => "create_enum",
            Action::AddEnumValue { .. } => "add_enum_value",
            Action::RenameEnumForRebuild { .. } => "rename_enum_for_rebuild",
            Action::DropEnum { .. } => "drop_enum",
            Action::CreateDomain { .. } => "create_domain",
            Action::AlterDomain { .. } => "alter_domain",
            Action::DropDomain { .. } => "drop_domain",
            Action::CreateSequence { .. } => "create_sequence",
            Action::AlterSequence { .. } => "alter_sequence",
            Action::SetSequenceOwner { .. } => "set_sequence_owner",
            Action::DropSequence { .. } => "drop_sequence",
            Action::CreateFunction { .. } => "create_function",
            Action::DropFunction { .. } => "drop_function",
            Action::CreateAggregate { .. } => "create_aggregate",
            Action::DropAggregate { .. } => "drop_aggregate",
            Action::CreateTable { .. } => "create_table",
            Action::DropTable { .. } => "drop_table",
            Action::RenameTable { .. } => "rename_table",
            Action::RenameSchema { .. } => "rename_schema",
            Action::RenameObject { .. } => "rename_object",
            Action::AddColumn { .. } => "add_column",
            Action::DropColumn { .. } => "drop_column",
            Action::RenameColumn { .. } => "rename_column",
            Action::AlterColumnType { .. } => "alter_column_type",
            Action::SetDefault { .. } => "set_default",
            Action::DropDefault { .. } => "drop_default",
            Action::SetNotNull { .. } => "set_not_null",
            Action::DropNotNull { .. } => "drop_not_null",
            Action::AlterIdentity { .. } => "alter_identity",
            Action::DropExpression { .. } => "drop_expression",
            Action::AddConstraint { .. } => "add_constraint",
            Action::ValidateConstraint { .. } => "validate_constraint",
            Action::DropConstraint { .. } => "drop_constraint",
            Action::RenameConstraint { .. } => "rename_constraint",
            Action::CreateIndex { .. } => "create_index",
            Action::DropIndex { .. } => "drop_index",
            Action::AttachIndex { .. } => "attach_index",
            Action::RenameIndex { .. } => "rename_index",
            Action::AttachPartition { .. } => "attach_partition",
            Action::DetachPartition { .. } => "detach_partition",
            Action::EnableRls { .. } => "enable_rls",
            Action::DisableRls { .. } => "disable_rls",
            Action::ForceRls { .. } => "force_rls",
            Action::NoForceRls { .. } => "no_force_rls",
            Action::CreatePolicy { .. } => "create_policy",
            Action::AlterPolicy { .. } => "alter_policy",
            Action::DropPolicy { .. } => "drop_policy",
            Action::RenamePolicy { .. } => "rename_policy",
            Action::CreateTrigger { .. } => "create_trigger",
            Action::DropTrigger { .. } => "drop_trigger",
            Action::CreateView { .. } => "create_view",
            Action::DropView { .. } => "drop_view",
            Action::SetComment { .. } => "set_comment",
            Action::Grant { .. } => "grant",
            Action::Revoke { .. } => "revoke",
            Action::AlterDefaultPrivileges { .. } => "alter_default_privileges",
            Action::Backfill { .. } => "backfill",
            Action::Distribute { .. } => "distribute",
            Action::AlterDistribution { .. } => "alter_distribution",
            Action::Undistribute { .. } => "undistribute",
            Action::DistributeSchema { .. } => "distribute_schema",
            Action::UndistributeSchema { .. } => "undistribute_schema",
            Action::Inherit { .. } => "inherit",
            Action::NoInherit { .. } => "no_inherit",
            Action::SetTableOptions { .. } => "set_table_options",
            Action::CreateCompositeType { .. } => "create_composite_type",
            Action::AlterCompositeType { .. } => "alter_composite_type",
            Action::DropCompositeType { .. } => "drop_composite_type",
            Action::CreateStatistics { .. } => "create_statistics",
            Action::AlterStatistics { .. } => "alter_statistics",
            Action::DropStatistics { .. } => "drop_statistics",
            Action::CreateRule { .. } => "create_rule",
            Action::AlterRule { .. } => "alter_rule",
            Action::DropRule { .. } => "drop_rule",
            Action::Raw => "raw",
        }
    }

    /// The index a concurrent build creates: (table, index name). The
    /// index lives in the table's schema.
    pub fn concurrent_index_build(&self) -> Option<(&QualifiedName, &Ident)> {
        match self {
            Action::CreateIndex {
                table,
                name,
                concurrently: true,
                ..
            } => Some((table, name)),
            _ => None,
        }
    }
}
