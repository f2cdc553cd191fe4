//! One strategy per kind of change. [`plan_change`] dispatches a change to
//! its strategy; each strategy returns ordering nodes of contiguous steps.
//!
//! Shared here: [`Cx`] (the change being planned and the plan context),
//! step construction helpers, and the dependency keys of model objects.

mod add_column;
mod add_constraint;
mod adopt_index;
mod alter_column;
mod attach_partition;
mod attach_table;
mod catalog;
mod composite_type;
mod create_index;
mod create_table;
mod detach_partition;
mod detach_table;
mod distribute;
mod distribute_foreign_keys;
mod distribute_schema;
mod domain;
mod drop;
mod drop_index;
mod enum_value;
mod inherit;
mod policy;
mod privilege;
mod rename;
mod rls;
mod rule;
mod set_not_null;
mod set_partitioning;
mod statistics;
mod table_options;
mod trigger;
mod validate_constraint;
mod view;

#[cfg(test)]
pub(crate) use add_column::is_volatile;

use super::lookup::Lookups;
use super::order::{Key, Node, Phase};
use super::{Action, Hazard, HazardNote, Lock, LockMode, Origin, PlanCtx, PlanError, Step};
use crate::diff::Change;
use crate::model::{Ident, Index, Model, ObjectId, QualifiedName, Table, TypeName};
use crate::source::Span;
use std::collections::{BTreeMap, BTreeSet};

/// The change being planned, with the plan context.
pub(crate) struct Cx<'a> {
    pub ctx: &'a PlanCtx<'a>,
    pub change_idx: usize,
    pub object: ObjectId,
    pub span: Option<Span>,
    /// The role the desired object's statement ran under in the schema
    /// file (`Change::creating_role`); set on the steps that create an
    /// owned object anew.
    pub role: Option<Ident>,
    /// Tables created (empty) by this plan.
    pub created: &'a BTreeSet<QualifiedName>,
    /// Indexes replaced by a changed definition: (table, name) -> the
    /// current index (see `create_index::replace_index`).
    pub replaced_indexes: &'a BTreeMap<(QualifiedName, Ident), Index>,
    /// Partitions by parent and taken names, built on first use.
    pub lookups: &'a Lookups<'a>,
}

impl Cx<'_> {
    /// A transactional step with no locks, starting its own transaction,
    /// that does `action`.
    pub(crate) fn step(
        &self,
        action: Action,
        description: impl Into<String>,
        sql: impl Into<String>,
    ) -> Step {
        let action_creates = action.creates_owned_object();
        Step {
            description: description.into(),
            action,
            sql: sql.into(),
            transactional: true,
            joins_previous: false,
            locks: Vec::new(),
            rewrites: false,
            scans: false,
            hazards: Vec::new(),
            table: None,
            table_size: None,
            origin: Origin {
                change: self.change_idx,
                object: self.object.clone(),
                span: self.span,
            },
            role: if action_creates {
                self.role.clone()
            } else {
                None
            },
        }
    }

    /// A node named after the change's object.
    pub(crate) fn node(&self, phase: Phase, steps: Vec<Step>) -> Node {
        Node::new(phase, self.object.to_string(), steps)
    }

    /// True when the table is created by this plan (and so empty).
    pub(crate) fn is_new(&self, table: &QualifiedName) -> bool {
        self.created.contains(table)
    }

    /// The current index that a CreateIndex of `name` on `table` replaces.
    pub(crate) fn replaced_index(&self, table: &QualifiedName, name: &Ident) -> Option<&Index> {
        self.replaced_indexes.get(&(table.clone(), name.clone()))
    }

    /// Zero-downtime strategies (see the direct mode in `plan`'s docs).
    pub(crate) fn online(&self) -> bool {
        self.ctx.options.online
    }

    pub(crate) fn version(&self) -> u32 {
        self.ctx.options.server_version
    }
}

/// Builder-style helpers for steps.
impl Step {
    pub(crate) fn lock(mut self, relation: &QualifiedName, mode: LockMode) -> Step {
        let lock = Lock {
            relation: relation.clone(),
            mode,
        };
        if !self.locks.contains(&lock) {
            self.locks.push(lock);
        }
        self
    }

    /// Locks `relation` and records it as the table whose size matters.
    pub(crate) fn on(mut self, table: &QualifiedName, mode: LockMode) -> Step {
        self.table = Some(table.clone());
        self.lock(table, mode)
    }

    pub(crate) fn non_transactional(mut self) -> Step {
        self.transactional = false;
        self
    }

    /// Runs in the same transaction as the previous step.
    pub(crate) fn joining(mut self) -> Step {
        self.joins_previous = true;
        self
    }

    pub(crate) fn hazard(mut self, hazard: Hazard, message: impl Into<String>) -> Step {
        self.hazards.push(HazardNote {
            hazard,
            message: message.into(),
        });
        self
    }

    pub(crate) fn scanning(mut self) -> Step {
        self.scans = true;
        self
    }

    pub(crate) fn rewriting(mut self) -> Step {
        self.rewrites = true;
        self
    }
}

/// Plans one change.
pub(crate) fn plan_change(cx: &Cx<'_>, change: &Change<'_>) -> Result<Vec<Node>, PlanError> {
    let res = match change {
        Change::CreateSchema(schema) => catalog::create_schema(cx, schema),
        Change::DropSchema(schema) => catalog::drop_schema(cx, schema),
        Change::DistributeSchema(schema) => distribute_schema::distribute_schema(cx, schema),
        Change::UndistributeSchema(schema) => distribute_schema::undistribute_schema(cx, schema)?,
        Change::RenameSchema { from, to, .. } => rename::rename_schema(cx, from, to),
        Change::RenameObject { kind, from, to, .. } => rename::rename_object(cx, *kind, from, to),
        Change::CreateExtension(ext) => catalog::create_extension(cx, ext),
        Change::AlterExtension { current, desired } => {
            catalog::alter_extension(cx, current, desired)
        }
        Change::DropExtension(ext) => catalog::drop_extension(cx, ext),
        Change::CreateEnum(e) => catalog::create_enum(cx, e),
        Change::AddEnumValue {
            name,
            value,
            position,
            ..
        } => enum_value::add_value(cx, name, value, position),
        Change::DropEnum(e) => catalog::drop_enum(cx, e),
        Change::RecreateEnum {
            current,
            desired,
            columns,
        } => enum_value::recreate(cx, current, desired, columns),
        Change::CreateDomain(domain) => domain::create_domain(cx, domain),
        Change::AlterDomain { current, desired } => domain::alter_domain(cx, current, desired)?,
        Change::DropDomain(domain) => domain::drop_domain(cx, domain),
        Change::CreateCompositeType(composite) => composite_type::create(cx, composite),
        Change::AlterCompositeType { current, desired } => {
            composite_type::alter(cx, current, desired)
        }
        Change::DropCompositeType(composite) => composite_type::drop(cx, composite),
        Change::CreateSequence(sequence) => catalog::create_sequence(cx, sequence),
        Change::AlterSequence { current, desired } => catalog::alter_sequence(cx, current, desired),
        Change::DropSequence(sequence) => catalog::drop_sequence(cx, sequence),
        Change::CreateFunction(function) => catalog::create_function(cx, function),
        Change::ReplaceFunction { current, desired } => {
            catalog::replace_function(cx, current, desired)
        }
        Change::DropFunction(function) => catalog::drop_function(cx, function),
        Change::CreateTable(table) => create_table::create_table(cx, table),
        Change::DropTable(table) => drop::drop_table(cx, table),
        Change::RenameTable { from, to, .. } => catalog::rename_table(cx, from, to),
        Change::AddColumn { table, column } => add_column::add_column(cx, table, column),
        Change::DropColumn { table, column } => drop::drop_column(cx, table, column),
        Change::RenameColumn {
            table, from, to, ..
        } => catalog::rename_column(cx, table, from, to),
        Change::AlterColumn {
            table,
            column,
            change,
            ..
        } => alter_column::alter_column(cx, table, column, change),
        Change::AddConstraint { table, constraint } => {
            add_constraint::add_constraint(cx, table, constraint)
        }
        Change::DropConstraint { table, constraint } => {
            drop::drop_constraint(cx, table, constraint)
        }
        Change::RenameConstraint {
            table, from, to, ..
        } => catalog::rename_constraint(cx, table, from, to),
        Change::AddConstraintUsingIndex { table, constraint } => {
            adopt_index::add_constraint_using_index(cx, table, constraint)
        }
        Change::ValidateConstraint { table, constraint } => {
            validate_constraint::validate_constraint(cx, table, constraint)
        }
        Change::CreateIndex { table, index } => create_index::create_index(cx, table, index),
        Change::DropIndex { table, index } => drop_index::drop_index(cx, table, index),
        Change::RenameIndex {
            table, from, to, ..
        } => catalog::rename_index(cx, table, from, to),
        Change::AttachPartition(table) => attach_partition::attach_partition(cx, table)?,
        Change::DetachPartition(table) => detach_partition::detach_partition(cx, table),
        Change::AttachTable { current, desired } => {
            attach_table::attach_table(cx, current, desired)?
        }
        Change::DetachTable { current, desired } => {
            detach_table::detach_table(cx, current, desired)
        }
        Change::SetPartitioning { current, desired } => {
            set_partitioning::set_partitioning(cx, current, desired)
        }
        Change::EnableRls { table, .. } => rls::enable(cx, table),
        Change::DisableRls { table, .. } => rls::disable(cx, table),
        Change::ForceRls { table, .. } => rls::force(cx, table, true),
        Change::NoForceRls { table, .. } => rls::force(cx, table, false),
        Change::CreatePolicy { table, policy } => policy::create_policy(cx, table, policy),
        Change::AlterPolicy {
            table,
            current,
            desired,
        } => policy::alter_policy(cx, table, current, desired),
        Change::DropPolicy { table, policy } => policy::drop_policy(cx, table, policy),
        Change::RenamePolicy {
            table, from, to, ..
        } => policy::rename_policy(cx, table, from, to),
        Change::CreateTrigger { table, trigger } => trigger::create_trigger(cx, table, trigger),
        Change::ReplaceTrigger {
            table,
            current,
            desired,
        } => trigger::replace_trigger(cx, table, current, desired),
        Change::DropTrigger { table, trigger } => trigger::drop_trigger(cx, table, trigger),
        Change::CreateView(v) => view::create_view(cx, v),
        Change::ReplaceView { current, desired } => view::replace_view(cx, current, desired),
        Change::DropView(v) => view::drop_view(cx, v),
        Change::CreateStatistics { table, statistics } => statistics::create(cx, table, statistics),
        Change::AlterStatistics { table, statistics } => statistics::alter(cx, table, statistics),
        Change::DropStatistics { table, statistics } => statistics::drop(cx, table, statistics),
        Change::CreateRule { table, rule } => rule::create(cx, table, rule, None),
        Change::ReplaceRule {
            table,
            current,
            desired,
        } => rule::create(cx, table, desired, Some(current)),
        Change::DropRule { table, rule } => rule::drop(cx, table, rule),
        Change::SetComment {
            object,
            target,
            comment,
            ..
        } => catalog::set_comment(cx, object, target, comment.as_deref()),
        Change::SetPrivileges {
            target,
            current,
            desired,
            ..
        } => privilege::set_privileges(cx, target, current, desired),
        Change::SetDefaultPrivileges {
            key,
            current,
            desired,
        } => privilege::set_default_privileges(cx, key, current, desired),
        Change::Distribute {
            table,
            current,
            desired,
            ..
        } => {
            if current.is_some() {
                distribute::refuse_identity(cx, table, "redistributing")?;
            }
            distribute::distribute(cx, table, current.as_ref(), desired)
        }
        Change::Undistribute { table, current, .. } => {
            distribute::refuse_identity(cx, table, "undistributing")?;
            distribute::undistribute(cx, table, current)
        }
        Change::SetInherits {
            table,
            current,
            desired,
            ..
        } => inherit::set_inherits(cx, table, current, desired),
        Change::SetTableOptions {
            table, set, reset, ..
        } => table_options::set_options(cx, table, set, reset),
    };
    Ok(res)
}

// ---------------------------------------------------------------------
// Dependency keys of model objects: `graph::deps` derives them (for
// `schemac graph` too); these turn them into ordering keys.

use crate::graph::deps::{self, Dep};

/// The keys of a list of dependencies, in the same order.
pub(crate) fn dep_keys(deps: impl IntoIterator<Item = Dep>) -> Vec<Key> {
    deps.into_iter().map(Key::from).collect()
}

/// The schema an object lives in, unless it is `public` (always there).
pub(crate) fn schema_key(name: &QualifiedName) -> Vec<Key> {
    dep_keys(deps::schema(name))
}

/// The enum or domain a column type refers to, if the model has it.
pub(crate) fn type_keys(model: &Model, ty: &TypeName) -> Vec<Key> {
    dep_keys(deps::types(model, ty))
}

/// Keys of what an expression refers to: columns of `table`, functions and
/// sequences of `model` (found by name; an over-approximation only adds
/// ordering edges). Sorted, without duplicates.
pub(crate) fn expr_keys(model: &Model, table: Option<&Table>, text: &str) -> Vec<Key> {
    let mut res = dep_keys(deps::expr(model, table, text));
    // `Dep` and `Key` list their shared variants in the same order, so this
    // only guards the invariant.
    res.sort();
    res.dedup();
    res
}

/// The keys an expression of an object being dropped from `table` (the
/// desired name) stops needing, in the desired names. The expression may
/// be written in the current names (table and columns before renames) or,
/// translated through renames, in the desired ones, so its words are
/// looked up in both versions of the table, and keys in the current names
/// are translated.
pub(crate) fn released_expr_keys(cx: &Cx<'_>, table: &QualifiedName, text: &str) -> Vec<Key> {
    let desired = cx.ctx.desired.tables.get(table);
    // The table's current name: its own, or the one a `was` hint renames.
    let current_name = match desired.and_then(|t| t.meta.renamed_from.as_deref()) {
        Some(old) if !cx.ctx.current.tables.contains_key(table) => table.with_name(old.clone()),
        _ => table.clone(),
    };
    let current = cx.ctx.current.tables.get(&current_name);
    // A column's desired name: the one whose `was` hint names it.
    let new_column = |column: Ident| -> Ident {
        desired
            .and_then(|t| {
                t.columns
                    .iter()
                    .find(|c| c.meta.renamed_from.as_deref() == Some(&column))
            })
            .filter(|c| current.is_some_and(|t| t.column(&c.name).is_none()))
            .map_or(column, |c| c.name.clone())
    };
    let mut res: Vec<Key> = expr_keys(cx.ctx.current, current, text)
        .into_iter()
        .map(|key| match key {
            Key::Column(t, column) if t == current_name => {
                Key::Column(table.clone(), new_column(column))
            }
            other => other,
        })
        .collect();
    if let Some(desired) = cx.ctx.desired.tables.get(table) {
        res.extend(expr_keys(cx.ctx.desired, Some(desired), text));
    }
    res.sort();
    res.dedup();
    res
}

/// Column keys for a list of column names.
pub(crate) fn column_keys(table: &QualifiedName, columns: &[Ident]) -> Vec<Key> {
    dep_keys(deps::columns(table, columns))
}

/// What the current version of an object replaced by one node (a trigger
/// dropped and created again, a policy altered, a view replaced) stops
/// using: the functions and sequences among its keys. A drop of one of
/// them then waits for the replacement, since PostgreSQL refuses to drop a
/// function that the old trigger, policy or view still uses. Relations
/// and columns are left out: a table or column rename removes the current
/// names the keys are in and provides the new ones the node requires, so
/// releasing them would close a cycle with the rename.
pub(crate) fn replaced_uses(current_uses: Vec<Key>) -> Vec<Key> {
    current_uses
        .into_iter()
        .filter(|key| matches!(key, Key::Function(_) | Key::Overload(_) | Key::Sequence(_)))
        .collect()
}

/// Appends `step` to `steps`, joining the previous step's transaction
/// unless it is the first: the steps of one logical change in one
/// transaction.
pub(crate) fn push_joining(steps: &mut Vec<Step>, step: Step) {
    steps.push(if steps.is_empty() {
        step
    } else {
        step.joining()
    });
}

#[cfg(test)]
pub(crate) mod test_support;
