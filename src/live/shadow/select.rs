//! The proportional shadow (DESIGN.md §1, "the shadow's cost follows the
//! change"): which objects of the desired schema the shadow database must
//! build, and how the objects it reads back are merged with the ones that
//! were settled without it.
//!
//! An object (a schema, extension, type, sequence, function, view, or a
//! table with everything it owns: columns, constraints, indexes, policies,
//! triggers, statistics) is *settled* when its offline-normalised desired
//! definition already equals the live one: the live catalog text is what
//! the shadow would read back for it, so it is taken as it is. Everything
//! else is *unsettled* and built in the shadow, with what it needs to be
//! created. An unsettled table that exists live with the same existing
//! columns (new columns aside) is built *trimmed*: its columns, keys and
//! table-level settings, and of what it owns (checks, FKs, indexes,
//! policies, triggers, statistics) only what differs from the live table;
//! what equals the live definition is settled like a whole object (a
//! definition's catalog text depends on the types of the columns it
//! names, which are the live ones). Everything else unsettled is built in
//! full. Dependencies: tables it only depends on (an FK's referenced key, a
//! partition's parent, an inheritance parent, a sequence's owner, the table
//! a Citus table is colocated with) are built reduced to their columns,
//! partitioning, keys and shard distribution; other dependencies in full.
//! A table's shard distribution never makes it unsettled: the declared one
//! is what the plan compares (`transfer_meta`), and the live one is brought
//! to its spelling before the diff (`model::align_distribution`). A
//! distributed schema is a schema, always built, so a table built in it is
//! placed by Citus as in the target.
//!
//! Invariants:
//! - The merged Model equals the one a shadow building the whole desired
//!   schema would read back (tested on every fixture by
//!   `tests/live_shadow_scope.rs`): a settled object is equal to the live
//!   one (and so in catalog form already); an object whose catalog text can
//!   depend on another object's definition (a view, anything that uses an
//!   unsettled function, type or view) is unsettled with it.
//! - Schemas and extensions are always built (they are few and cheap, and
//!   an extension's functions may be used by name anywhere).
//! - Pure: no database. [`Selection::require`] adds an object to the build
//!   set (with what it needs), for callers that know more (objects the
//!   frontend could not model and that must be built verbatim).

use crate::graph::deps::{self, Dep};
use crate::model::{
    Colocation, Constraint, ConstraintKind, Distribution, Ident, IndexExpr, Model, ObjectId,
    QualifiedName, Table,
};
use std::collections::{BTreeMap, BTreeSet};

/// What the shadow builds and what it does not.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Top-level objects built (in full, or trimmed when in `trimmed`):
    /// their read-back replaces the desired definition.
    unsettled: BTreeSet<ObjectId>,
    /// Unsettled tables built without what they own that equals the live
    /// definition (see [`Trim`]).
    trimmed: BTreeMap<QualifiedName, Trim>,
    /// Tables built only because an unsettled object needs them, reduced
    /// to columns, partitioning and keys (see [`reduced_table`]).
    reduced: BTreeSet<ObjectId>,
    /// Top-level objects of the desired schema.
    total: usize,
    /// Every object of the desired schema equals the live one.
    all_equal: bool,
}

impl Selection {
    /// Top-level objects built in full.
    pub fn unsettled(&self) -> &BTreeSet<ObjectId> {
        &self.unsettled
    }

    /// How many top-level objects the shadow builds (in full or reduced)
    /// and how many the desired schema has.
    pub fn counts(&self) -> (usize, usize) {
        (self.unsettled.len() + self.reduced.len(), self.total)
    }

    /// True when nothing needs the shadow: every object of the desired
    /// schema equals the live one.
    pub fn is_settled(&self) -> bool {
        self.all_equal
    }

    /// Adds the top-level object `id` of `desired` to what is built in
    /// full, with everything it needs.
    pub fn require(&mut self, desired: &Model, id: ObjectId) {
        self.reduced.remove(&id);
        let was_trimmed = match &id {
            ObjectId::Table(name) => self.trimmed.remove(name).is_some(),
            _ => false,
        };
        if self.unsettled.insert(id.clone()) || was_trimmed {
            self.close_over_dependencies(desired, vec![(id, true)]);
        }
    }

    /// The Model the shadow builds from empty.
    pub fn build_model(&self, desired: &Model) -> Model {
        let mut res = Model {
            roles: desired.roles.clone(),
            external: desired.external.clone(),
            ..Model::default()
        };
        for id in &self.unsettled {
            match id {
                ObjectId::Table(name) if self.trimmed.contains_key(name) => {
                    if let Some(table) = desired.tables.get(name) {
                        res.tables
                            .insert(name.clone(), self.trimmed[name].apply(table));
                    }
                }
                _ => copy_unit(desired, &mut res, id),
            }
        }
        for id in &self.reduced {
            if let ObjectId::Table(name) = id {
                if let Some(table) = desired.tables.get(name) {
                    res.tables.insert(name.clone(), reduced_table(table));
                }
            }
        }
        // The privileges of what is built: a schema's grants may be what
        // lets a role the schema file switches to create in it.
        for (target, acl) in &desired.privileges {
            if res.has_acl_target(target) {
                res.privileges.insert(target.clone(), acl.clone());
            }
        }
        res
    }

    /// The desired schema as the server stores it: `shadow` (the objects
    /// the shadow built, read back) with every settled object of
    /// `desired` put in (replacing the reduced tables too).
    pub fn merge(&self, desired: &Model, mut shadow: Model) -> Model {
        for id in units(desired) {
            if !self.unsettled.contains(&id) {
                copy_unit(desired, &mut shadow, &id);
            }
        }
        for (name, trim) in &self.trimmed {
            if let (Some(desired), Some(built)) =
                (desired.tables.get(name), shadow.tables.get_mut(name))
            {
                trim.restore(desired, built);
            }
        }
        // Privileges are names only (no spelling for the server to
        // normalise): the desired ones are taken as written, for every
        // object, built or settled.
        shadow.privileges = desired.privileges.clone();
        shadow.default_privileges = desired.default_privileges.clone();
        shadow
    }

    fn close_over_dependencies(&mut self, desired: &Model, mut work: Vec<(ObjectId, bool)>) {
        while let Some((id, full)) = work.pop() {
            let deps = match &id {
                ObjectId::Table(name) if full && self.trimmed.contains_key(name) => desired
                    .tables
                    .get(name)
                    .map(|table| table_deps(desired, &self.trimmed[name].apply(table)))
                    .unwrap_or_default(),
                _ => unit_deps(desired, &id, full),
            };
            for dep in deps {
                for target in units_of(desired, dep) {
                    if self.unsettled.contains(&target) || self.reduced.contains(&target) {
                        continue;
                    }
                    if matches!(target, ObjectId::Table(_)) {
                        self.reduced.insert(target.clone());
                        work.push((target, false));
                    } else {
                        self.unsettled.insert(target.clone());
                        work.push((target, true));
                    }
                }
            }
        }
    }
}

/// Decides what the shadow must build to normalise `desired` for a
/// comparison with `live`.
pub fn select(live: &Model, desired: &Model) -> Selection {
    let all = units(desired);
    let total = all.len();
    let differing: BTreeSet<ObjectId> = all
        .iter()
        .filter(|id| !equal_unit(live, desired, id))
        .cloned()
        .collect();
    let all_equal = differing.is_empty();
    let mut unsettled = differing;
    unsettled.extend(
        all.iter()
            .filter(|id| matches!(id, ObjectId::Schema(_) | ObjectId::Extension(_)))
            .cloned(),
    );
    let differing: BTreeSet<ObjectId> = unsettled.clone();
    spread_to_dependents(desired, &all, &mut unsettled);
    // A changed table is trimmed unless it uses something whose
    // definition changes (then a settled definition's text may change
    // with it, as for a table the spread reaches).
    let trimmed = differing
        .iter()
        .filter_map(|id| match id {
            ObjectId::Table(name) => Some(name),
            _ => None,
        })
        .filter(|name| {
            !uses_unsettled(
                desired,
                &ObjectId::Table((*name).clone()),
                &unsettled,
                false,
            )
        })
        .filter_map(|name| {
            let trim = Trim::of(live.tables.get(name)?, desired.tables.get(name)?)?;
            Some((name.clone(), trim))
        })
        .collect();
    let mut selection = Selection {
        unsettled: BTreeSet::new(),
        trimmed,
        reduced: BTreeSet::new(),
        total,
        all_equal,
    };
    let work: Vec<(ObjectId, bool)> = unsettled.iter().map(|id| (id.clone(), true)).collect();
    selection.unsettled = unsettled;
    selection.close_over_dependencies(desired, work);
    selection
}

/// Whether the top-level object `id` of `desired` uses an unsettled
/// object whose definition may change how its own is stored: a type, a
/// function, a view or an extension, and also a table when `tables` (a
/// view or a rule is stored against the columns' types). Naming a schema
/// or a sequence never counts.
fn uses_unsettled(
    desired: &Model,
    id: &ObjectId,
    unsettled: &BTreeSet<ObjectId>,
    tables: bool,
) -> bool {
    unit_deps(desired, id, true)
        .into_iter()
        .flat_map(|dep| units_of(desired, dep))
        .any(|target| {
            unsettled.contains(&target)
                && match target {
                    ObjectId::Schema(_) | ObjectId::Sequence(_) => false,
                    ObjectId::Table(_) => tables,
                    _ => true,
                }
        })
}

/// What a trimmed table leaves out of its build: the names of what it
/// owns that equals the live definition, other than its keys (a primary
/// key, unique constraints and unique indexes are always built: an FK of
/// another built table may reference them).
#[derive(Debug, Clone, Default)]
struct Trim {
    constraints: BTreeSet<Ident>,
    indexes: BTreeSet<Ident>,
    policies: BTreeSet<Ident>,
    triggers: BTreeSet<Ident>,
    statistics: BTreeSet<Ident>,
}

impl Trim {
    /// The trim of a table that differs from the live one; `None` when it
    /// must be built in full: an existing column differs (the catalog
    /// text of a definition depends on the types of the columns it
    /// names), it has rules (stored like views), or nothing would be left
    /// out.
    fn of(live: &Table, desired: &Table) -> Option<Trim> {
        if !live.rules.is_empty() || !desired.rules.is_empty() {
            return None;
        }
        let columns_kept = desired.columns.iter().all(|column| {
            live.columns
                .iter()
                .find(|live_column| live_column.name == column.name)
                .is_none_or(|live_column| live_column == column)
        });
        if !columns_kept {
            return None;
        }
        fn equal<V: PartialEq>(
            live: &BTreeMap<Ident, V>,
            desired: &BTreeMap<Ident, V>,
            keep: impl Fn(&V) -> bool,
        ) -> BTreeSet<Ident> {
            desired
                .iter()
                .filter(|(name, value)| !keep(value) && live.get(*name) == Some(*value))
                .map(|(name, _)| name.clone())
                .collect()
        }
        let trim = Trim {
            constraints: equal(&live.constraints, &desired.constraints, |c| is_key(c)),
            indexes: equal(&live.indexes, &desired.indexes, |index| index.unique),
            policies: equal(&live.policies, &desired.policies, |_| false),
            triggers: equal(&live.triggers, &desired.triggers, |_| false),
            statistics: equal(&live.statistics, &desired.statistics, |_| false),
        };
        let empty = trim.constraints.is_empty()
            && trim.indexes.is_empty()
            && trim.policies.is_empty()
            && trim.triggers.is_empty()
            && trim.statistics.is_empty();
        (!empty).then_some(trim)
    }

    /// `table` without what the trim leaves out.
    fn apply(&self, table: &Table) -> Table {
        let mut res = table.clone();
        res.constraints
            .retain(|name, _| !self.constraints.contains(name));
        res.indexes.retain(|name, _| !self.indexes.contains(name));
        res.policies.retain(|name, _| !self.policies.contains(name));
        res.triggers.retain(|name, _| !self.triggers.contains(name));
        res.statistics
            .retain(|name, _| !self.statistics.contains(name));
        res
    }

    /// Puts what the trim left out back into `built` (the table read back
    /// from the shadow), as `desired` defines it (equal to the live one).
    fn restore(&self, desired: &Table, built: &mut Table) {
        fn put<V: Clone>(
            names: &BTreeSet<Ident>,
            from: &BTreeMap<Ident, V>,
            to: &mut BTreeMap<Ident, V>,
        ) {
            for name in names {
                if let Some(value) = from.get(name) {
                    to.insert(name.clone(), value.clone());
                }
            }
        }
        put(
            &self.constraints,
            &desired.constraints,
            &mut built.constraints,
        );
        put(&self.indexes, &desired.indexes, &mut built.indexes);
        put(&self.policies, &desired.policies, &mut built.policies);
        put(&self.triggers, &desired.triggers, &mut built.triggers);
        put(&self.statistics, &desired.statistics, &mut built.statistics);
    }
}

/// An object whose catalog text may change with the definition of
/// something it uses is unsettled with it: views (PostgreSQL stores their
/// query against the columns' types), and anything that uses an unsettled
/// function, type, view or extension. A table's dependency on another
/// table (FK, partition parent, inheritance) does not change how either is
/// stored, nor does naming a schema or a sequence.
fn spread_to_dependents(desired: &Model, all: &[ObjectId], unsettled: &mut BTreeSet<ObjectId>) {
    loop {
        let spreads_beyond_views = unsettled.iter().any(|id| {
            !matches!(
                id,
                ObjectId::Table(_) | ObjectId::Schema(_) | ObjectId::Sequence(_)
            )
        });
        let mut added = Vec::new();
        for id in all {
            if unsettled.contains(id) {
                continue;
            }
            // A rule, like a view, is stored against the relations it
            // names (their column types decide the casts pg_get_ruledef
            // prints): a table with rules is unsettled with them.
            let is_view = matches!(id, ObjectId::View(_))
                || matches!(id, ObjectId::Table(name)
                    if desired.tables.get(name).is_some_and(|t| !t.rules.is_empty()));
            if !is_view && !spreads_beyond_views {
                continue;
            }
            if uses_unsettled(desired, id, unsettled, is_view) {
                added.push(id.clone());
            }
        }
        if added.is_empty() {
            return;
        }
        unsettled.extend(added);
    }
}

/// Every top-level object of `model`.
fn units(model: &Model) -> Vec<ObjectId> {
    let mut res = Vec::new();
    res.extend(model.schemas.keys().cloned().map(ObjectId::Schema));
    res.extend(model.extensions.keys().cloned().map(ObjectId::Extension));
    res.extend(model.enums.keys().cloned().map(ObjectId::Enum));
    res.extend(model.domains.keys().cloned().map(ObjectId::Domain));
    res.extend(
        model
            .composites
            .keys()
            .cloned()
            .map(ObjectId::CompositeType),
    );
    res.extend(model.sequences.keys().cloned().map(ObjectId::Sequence));
    res.extend(model.functions.keys().cloned().map(ObjectId::Function));
    res.extend(model.tables.keys().cloned().map(ObjectId::Table));
    res.extend(model.views.keys().cloned().map(ObjectId::View));
    res
}

/// Whether the top-level object `id` is defined alike on both sides
/// (spans and hints aside).
fn equal_unit(live: &Model, desired: &Model, id: &ObjectId) -> bool {
    fn same<K: Ord, V: PartialEq>(
        live: &std::collections::BTreeMap<K, V>,
        desired: &std::collections::BTreeMap<K, V>,
        key: &K,
    ) -> bool {
        matches!((live.get(key), desired.get(key)), (Some(a), Some(b)) if a == b)
    }
    match id {
        ObjectId::Schema(name) => same(&live.schemas, &desired.schemas, name),
        ObjectId::Extension(name) => same(&live.extensions, &desired.extensions, name),
        ObjectId::Enum(name) => same(&live.enums, &desired.enums, name),
        ObjectId::Domain(name) => same(&live.domains, &desired.domains, name),
        ObjectId::CompositeType(name) => same(&live.composites, &desired.composites, name),
        ObjectId::Sequence(name) => same(&live.sequences, &desired.sequences, name),
        ObjectId::Function(name) => same(&live.functions, &desired.functions, name),
        ObjectId::Table(name) => match (live.tables.get(name), desired.tables.get(name)) {
            (Some(live), Some(desired)) if live.distribution == desired.distribution => {
                live == desired
            }
            // The shard distribution never needs the shadow: the declared
            // one is compared (see `transfer_meta`), and the live one is
            // brought to its spelling before the diff.
            (Some(live), Some(desired)) => {
                let mut live = live.clone();
                live.distribution = desired.distribution.clone();
                live == *desired
            }
            _ => false,
        },
        ObjectId::View(name) => same(&live.views, &desired.views, name),
        ObjectId::Column(..)
        | ObjectId::Constraint(..)
        | ObjectId::Index(..)
        | ObjectId::Policy(..)
        | ObjectId::Trigger(..)
        | ObjectId::Statistics(..)
        | ObjectId::Rule(..)
        | ObjectId::DefaultPrivileges(_) => false,
    }
}

/// Copies the top-level object `id` from `from` into `to` (nothing when
/// `from` has no such object).
fn copy_unit(from: &Model, to: &mut Model, id: &ObjectId) {
    fn copy<K: Ord + Clone, V: Clone>(
        from: &std::collections::BTreeMap<K, V>,
        to: &mut std::collections::BTreeMap<K, V>,
        key: &K,
    ) {
        if let Some(value) = from.get(key) {
            to.insert(key.clone(), value.clone());
        }
    }
    match id {
        ObjectId::Schema(name) => copy(&from.schemas, &mut to.schemas, name),
        ObjectId::Extension(name) => copy(&from.extensions, &mut to.extensions, name),
        ObjectId::Enum(name) => copy(&from.enums, &mut to.enums, name),
        ObjectId::Domain(name) => copy(&from.domains, &mut to.domains, name),
        ObjectId::CompositeType(name) => copy(&from.composites, &mut to.composites, name),
        ObjectId::Sequence(name) => copy(&from.sequences, &mut to.sequences, name),
        ObjectId::Function(name) => copy(&from.functions, &mut to.functions, name),
        ObjectId::Table(name) => copy(&from.tables, &mut to.tables, name),
        ObjectId::View(name) => copy(&from.views, &mut to.views, name),
        ObjectId::Column(..)
        | ObjectId::Constraint(..)
        | ObjectId::Index(..)
        | ObjectId::Policy(..)
        | ObjectId::Trigger(..)
        | ObjectId::Statistics(..)
        | ObjectId::Rule(..)
        | ObjectId::DefaultPrivileges(_) => {}
    }
}

/// What the top-level object `id` of `model` needs to be created: in
/// full, or (`full` false, tables only) reduced to what
/// [`reduced_table`] keeps.
fn unit_deps(model: &Model, id: &ObjectId, full: bool) -> Vec<Dep> {
    match id {
        ObjectId::Schema(_) => Vec::new(),
        ObjectId::Extension(name) => model
            .extensions
            .get(name)
            .and_then(|extension| deps::schema_named(&extension.schema))
            .into_iter()
            .collect(),
        ObjectId::Enum(name) => deps::schema(name).into_iter().collect(),
        ObjectId::Domain(name) => model
            .domains
            .get(name)
            .map(|domain| deps::domain(model, domain))
            .unwrap_or_default(),
        ObjectId::CompositeType(name) => model
            .composites
            .get(name)
            .map(|composite| deps::composite(model, composite))
            .unwrap_or_default(),
        ObjectId::Sequence(name) => {
            let mut res: Vec<Dep> = deps::schema(name).into_iter().collect();
            if let Some((table, _)) = model.sequences.get(name).and_then(|s| s.owned_by.as_ref()) {
                res.push(Dep::Relation(table.clone()));
            }
            res
        }
        ObjectId::Function(key) => model
            .functions
            .get(key)
            .map(|function| deps::function(model, function))
            .unwrap_or_default(),
        ObjectId::Table(name) => match model.tables.get(name) {
            Some(table) if full => table_deps(model, table),
            Some(table) => table_deps(model, &reduced_table(table)),
            None => Vec::new(),
        },
        ObjectId::View(name) => model
            .views
            .get(name)
            .map(|view| {
                let mut res = deps::view(model, view);
                for index in view.indexes.values() {
                    res.extend(deps::index(model, name, None, index));
                }
                res
            })
            .unwrap_or_default(),
        ObjectId::Column(..)
        | ObjectId::Constraint(..)
        | ObjectId::Index(..)
        | ObjectId::Policy(..)
        | ObjectId::Trigger(..)
        | ObjectId::Statistics(..)
        | ObjectId::Rule(..)
        | ObjectId::DefaultPrivileges(_) => Vec::new(),
    }
}

/// A table and everything it owns.
fn table_deps(model: &Model, table: &Table) -> Vec<Dep> {
    let mut res = deps::table(model, table);
    // Citus colocates a table with another that must be distributed
    // first (`colocate_with`).
    if let Some(Distribution::Hash {
        colocation: Colocation::Table(other),
        ..
    }) = &table.distribution
    {
        res.push(Dep::Relation(other.clone()));
    }
    for constraint in table.constraints.values() {
        res.extend(deps::constraint(model, table, &constraint.kind));
    }
    for index in table.indexes.values() {
        res.extend(deps::index(model, &table.name, Some(table), index));
    }
    for policy in table.policies.values() {
        res.extend(deps::policy(model, table, policy));
    }
    for trigger in table.triggers.values() {
        res.extend(deps::trigger(model, &table.name, trigger));
    }
    for rule in table.rules.values() {
        res.extend(deps::rule(model, &table.name, rule));
    }
    for statistics in table.statistics.values() {
        for key in &statistics.keys {
            match key {
                IndexExpr::Column(column) => {
                    res.push(Dep::Column(table.name.clone(), column.clone()));
                }
                IndexExpr::Expr(key_expr) => {
                    res.extend(deps::expr(model, Some(table), &key_expr.sql));
                }
            }
        }
    }
    res
}

/// A key an FK may reference: a primary key or a unique constraint
/// (unique indexes count too, see [`reduced_table`]).
fn is_key(constraint: &Constraint) -> bool {
    matches!(
        constraint.kind,
        ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. }
    )
}

/// A table built only so that something else can be created: its columns,
/// partitioning, inheritance, persistence, distribution and the keys an FK
/// may reference (primary key, unique constraints, unique indexes). What
/// it owns beyond that (checks, FKs, other indexes, policies, triggers,
/// statistics, RLS, comments) is left out, so its own dependencies do not
/// pull in the rest of the schema.
fn reduced_table(table: &Table) -> Table {
    let mut res = Table::new(table.name.clone());
    res.columns = table.columns.clone();
    res.partition_by = table.partition_by.clone();
    res.partition_of = table.partition_of.clone();
    res.inherits = table.inherits.clone();
    res.unlogged = table.unlogged;
    res.distribution = table.distribution.clone();
    res.constraints = table
        .constraints
        .iter()
        .filter(|(_, constraint)| is_key(constraint))
        .map(|(name, constraint)| (name.clone(), constraint.clone()))
        .collect();
    res.indexes = table
        .indexes
        .iter()
        .filter(|(_, index)| index.unique)
        .map(|(name, index)| (name.clone(), index.clone()))
        .collect();
    res
}

/// The top-level objects of `model` a dependency stands for (none when the
/// Model does not declare it: built-ins, objects left out).
fn units_of(model: &Model, dep: Dep) -> Vec<ObjectId> {
    match dep {
        Dep::Schema(name) => model
            .schemas
            .contains_key(&name)
            .then_some(ObjectId::Schema(name))
            .into_iter()
            .collect(),
        Dep::Extension(name) => model
            .extensions
            .contains_key(&name)
            .then_some(ObjectId::Extension(name))
            .into_iter()
            .collect(),
        Dep::Type(name) if model.enums.contains_key(&name) => vec![ObjectId::Enum(name)],
        Dep::Type(name) if model.composites.contains_key(&name) => {
            vec![ObjectId::CompositeType(name)]
        }
        Dep::Type(name) if model.domains.contains_key(&name) => vec![ObjectId::Domain(name)],
        Dep::Type(_) => Vec::new(),
        Dep::Sequence(name) => model
            .sequences
            .contains_key(&name)
            .then_some(ObjectId::Sequence(name))
            .into_iter()
            .collect(),
        Dep::Function(name) => model
            .functions
            .keys()
            .filter(|id| id.name == name)
            .map(|id| ObjectId::Function(id.clone()))
            .collect(),
        Dep::Overload(id) if model.functions.contains_key(&id) => vec![ObjectId::Function(id)],
        Dep::Overload(_) => Vec::new(),
        Dep::Relation(name)
        | Dep::Column(name, _)
        | Dep::Constraint(name, _)
        | Dep::Index(name, _) => {
            if model.views.contains_key(&name) {
                vec![ObjectId::View(name)]
            } else if model.tables.contains_key(&name) {
                vec![ObjectId::Table(name)]
            } else {
                Vec::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{self, Form, Variant};

    fn load(n_tables: usize, variant: Variant) -> Model {
        let sources = synth::source_set(n_tables, variant, Form::Sql);
        crate::frontend::load(&sources).value
    }

    fn schema(text: &str) -> Model {
        let sources = crate::source::SourceSet::single("app.schema", text);
        crate::frontend::load(&sources).value
    }

    const CITUS: &str = "
table countries {
  code  text  primary key
  shard reference
}
table accounts {
  id       bigint  primary key
  country  text    references countries (code)
  shard by hash (id) shards 8
}
table orders {
  account_id  bigint  not null references accounts (id)
  id          bigint  not null
  primary key (account_id, id)
  shard by hash (account_id) colocate with accounts
}
table events {
  account_id  bigint  not null
  shard by hash (account_id) colocate with orders
}
";

    /// A changed table is built with the tables Citus colocates it with
    /// (reduced, so their own distribution can be created) and its FK
    /// targets; a live distribution spelled as the catalog spells it
    /// (the group named by its first table, every shard count) is no
    /// change that needs the shadow.
    #[test]
    fn a_changed_distributed_table_is_built_with_its_colocation_targets() {
        let desired = schema(CITUS);
        // Live, orders lacks its `id` column.
        let mut live = desired.clone();
        let orders = crate::model::QualifiedName::public("orders");
        live.tables.get_mut(&orders).expect("orders").columns =
            desired.tables[&orders].columns[..1].to_vec();
        for table in live.tables.values_mut() {
            if let Some(Distribution::Hash { shard_count, .. }) = &mut table.distribution {
                *shard_count = Some(8);
            }
        }
        let selection = select(&live, &desired);
        let ids = |set: &BTreeSet<ObjectId>| -> Vec<String> {
            set.iter().map(|id| format!("{id:?}")).collect()
        };
        assert_eq!(
            ids(selection.unsettled()).len(),
            1,
            "{:?}",
            ids(selection.unsettled())
        );
        assert!(selection.unsettled().contains(&ObjectId::Table(orders)));
        let built = selection.build_model(&desired);
        let mut names: Vec<String> = built.tables.keys().map(|name| name.to_string()).collect();
        names.sort();
        // accounts (colocation target and FK target), and countries (an FK
        // target of accounts is not needed by a reduced accounts).
        assert_eq!(names, ["public.accounts", "public.orders"]);
        assert!(built
            .tables
            .values()
            .all(|table| table.distribution.is_some()));
        // Only events changes (a new column): it is colocated with orders,
        // which is colocated with accounts, and the chain is built.
        let mut changed = live.clone();
        changed
            .tables
            .get_mut(&crate::model::QualifiedName::public("events"))
            .expect("events")
            .columns
            .push(crate::model::Column::new(
                crate::model::Ident::new("note"),
                crate::model::TypeName::new("text"),
            ));
        let only_events = select(&live, &changed);
        assert_eq!(only_events.unsettled().len(), 1);
        let built = only_events.build_model(&changed);
        let mut names: Vec<String> = built.tables.keys().map(|name| name.to_string()).collect();
        names.sort();
        assert_eq!(names, ["public.accounts", "public.events", "public.orders"]);
    }

    #[test]
    fn equal_schemas_build_nothing_but_schemas_and_extensions() {
        let model = load(40, Variant::Base);
        let selection = select(&model, &model);
        assert!(selection.is_settled());
        assert_eq!(selection.merge(&model, Model::default()), model);
    }

    #[test]
    fn changed_tables_are_built_trimmed() {
        let live = load(40, Variant::Base);
        let desired = load(40, Variant::Changed);
        let selection = select(&live, &desired);
        let changed: Vec<String> = selection
            .unsettled()
            .iter()
            .map(|id| format!("{id:?}"))
            .collect();
        // Tables 3 and 23 change (i % 20 == 3): a new column, a new CHECK,
        // a changed index. Their FK to their predecessor, their other
        // indexes and checks equal the live ones: they are not built, and
        // so neither is the predecessor the FK references.
        assert_eq!(changed.len(), 2, "{changed:?}");
        let built = selection.build_model(&desired);
        assert_eq!(built.tables.len(), 2);
        let name = crate::model::QualifiedName::public(synth::table_name(3));
        let t3 = &built.tables[&name];
        assert_eq!(t3.columns, desired.tables[&name].columns);
        let kinds: Vec<String> = t3
            .constraints
            .values()
            .map(|constraint| format!("{:?}", std::mem::discriminant(&constraint.kind)))
            .collect();
        // The primary key and the new check.
        assert_eq!(
            kinds.len(),
            2,
            "{:?}",
            t3.constraints.keys().collect::<Vec<_>>()
        );
        assert!(t3
            .constraints
            .keys()
            .any(|constraint| constraint.to_string().ends_with("quantity_positive")));
        let indexes: Vec<String> = t3.indexes.keys().map(|index| index.to_string()).collect();
        assert_eq!(indexes, [format!("{}_status_idx", synth::table_name(3))]);
        // The merge puts the settled tables back whole, and the trimmed
        // ones' settled definitions back into them.
        let merged = selection.merge(&desired, built);
        assert_eq!(merged, desired);
        // A table that must be built whole (a verbatim statement needs
        // it) is no longer trimmed, and brings its FK target.
        let mut whole = select(&live, &desired);
        whole.require(&desired, ObjectId::Table(name.clone()));
        let built = whole.build_model(&desired);
        assert_eq!(built.tables[&name], desired.tables[&name]);
        assert_eq!(built.tables.len(), 3);
    }

    /// A table whose existing column changes is built in full, with its
    /// FK targets reduced: the text of a definition naming the column
    /// depends on its type.
    #[test]
    fn a_changed_column_builds_the_whole_table() {
        let live = load(40, Variant::Base);
        let mut desired = live.clone();
        let name = crate::model::QualifiedName::public(synth::table_name(5));
        let table = desired.tables.get_mut(&name).expect("t5");
        table.columns[7].not_null = !table.columns[7].not_null;
        let selection = select(&live, &desired);
        let built = selection.build_model(&desired);
        assert_eq!(built.tables[&name], desired.tables[&name]);
        let t4 = &built.tables[&crate::model::QualifiedName::public(synth::table_name(4))];
        assert!(t4.constraints.values().all(|constraint| matches!(
            constraint.kind,
            ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. }
        )));
        assert!(t4.policies.is_empty());
        assert_eq!(built.tables.len(), 2);
        assert_eq!(selection.merge(&desired, built), desired);
    }
}
