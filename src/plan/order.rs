//! Ordering of plan nodes: a petgraph `DiGraph` of nodes (each node is a
//! contiguous run of steps from one strategy) with edges derived from the
//! keys nodes provide, require, remove and release, then a Kahn
//! topological sort whose ties break by (phase, object name, sequence
//! number), so the same input always gives the same order.
//!
//! Edge rules (A -> B means A runs before B):
//! - A provides K, B requires K: creates before their users (FK -> the
//!   referenced table and its key, index/policy/trigger -> table, view ->
//!   what it reads, column -> its enum/domain, default -> sequence,
//!   trigger -> function, enum value adds -> columns of the enum,
//!   policies -> ENABLE ROW LEVEL SECURITY).
//! - B releases K, A removes K: B before A, so dependents are dropped
//!   before what they depend on (drops in reverse dependency order; views
//!   over a retyped column are dropped before the retype; a trigger
//!   recreated on another function before the old function is dropped).
//!   Except when B also requires K and A also provides it (A changes K in
//!   place): then only the first rule holds, A before B.
//! - A removes K, B provides K: a drop before a create of the same name
//!   (except functions: a drop and a create of one name are different
//!   signatures, and the new one is created first; and a node that both
//!   removes and provides K, a change in place such as a column's type
//!   change, which comes after K's releasers, so that constraints and
//!   indexes written for the old type are dropped first).
//!
//! What an object depends on comes from `graph::deps` (the derivation
//! `schemac graph` draws too), turned into keys by `From<Dep>`; the keys
//! with no object behind them (`Shape`, `Layout`, `RlsOn`, ...) are the
//! planner's own.
//!
//! FK constraints of new tables are nodes of their own, so FK cycles never
//! block table creation. Should the keys still form a cycle, the smallest
//! remaining node (by the tie-break) is taken, so ordering never fails.

use super::step::Step;
use crate::graph::deps::Dep;
use crate::model::{Ident, QualifiedName};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction;
use std::collections::{BTreeSet, HashMap};

/// What a node creates, needs, drops or stops needing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Key {
    Schema(Ident),
    Extension(Ident),
    /// An enum or domain.
    Type(QualifiedName),
    EnumValue(QualifiedName, String),
    Sequence(QualifiedName),
    /// Functions by name (triggers and expressions name them without
    /// argument types).
    Function(QualifiedName),
    /// A table or view, usable by dependents.
    Relation(QualifiedName),
    /// Dependents of the relation's column layout (views) must be gone:
    /// removed by column drops, renames and type changes.
    Shape(QualifiedName),
    /// The relation's column layout is final (provided by column adds,
    /// renames and type changes; required by views and new partitions).
    Layout(QualifiedName),
    Column(QualifiedName, Ident),
    /// The column has its desired name and type: provided by a column
    /// rename and a type change, required by the column's other ALTER
    /// steps (which use the new name, and a new default needs the new
    /// type).
    ColumnDefined(QualifiedName, Ident),
    Constraint(QualifiedName, Ident),
    Index(QualifiedName, Ident),
    Policy(QualifiedName, Ident),
    Trigger(QualifiedName, Ident),
    /// An index's name in its schema: tables, views, sequences and
    /// indexes share one namespace per schema, so an index dropped (or
    /// renamed away) on one table frees the name for an index created on
    /// another (pgstac 0.6.1 moves `partitions_range_idx` to a new
    /// table). Added by [`Node::provides`] and [`Node::removes`] next to
    /// every [`Key::Index`].
    IndexName(QualifiedName),
    /// Extended statistics, by table and name (a drop and a create of one
    /// name are ordered drop first).
    Statistics(QualifiedName, Ident),
    /// A rewrite rule, by table and name.
    Rule(QualifiedName, Ident),
    /// Row-level security is disabled on the table.
    RlsOff(QualifiedName),
    /// Direct mode: RLS was enabled or forced on the table (its policy
    /// steps come after the table's ALTER steps).
    RlsOn(QualifiedName),
    /// The partitions that leave this partitioned table are detached
    /// (a new index on the parent comes after: an index partition that is
    /// never attached would leave it INVALID).
    Detached(QualifiedName),
    /// The table is distributed (Citus).
    Distributed(QualifiedName),
    /// What Citus refuses to do to a distributed table is done before the
    /// table is distributed: the foreign keys linking it to another plain
    /// table are dropped, a sequence is attached to its column (`OWNED
    /// BY`). Provided by those steps, required by the distribution.
    ReadyToDistribute(QualifiedName),
    /// The schema's privileges are as desired (GRANT / REVOKE ON SCHEMA):
    /// required by the steps that run as another role (`Step::role`) and
    /// create in that schema, which may need the grant (pgstac's
    /// `GRANT ALL ON SCHEMA pgstac TO pgstac_admin` before
    /// `SET ROLE pgstac_admin; CREATE TYPE pgstac.t ...`).
    SchemaPrivileges(Ident),
}

/// An object dependency (the one derivation in `graph::deps`) as the key
/// a node requires or releases.
impl From<Dep> for Key {
    fn from(dep: Dep) -> Key {
        match dep {
            Dep::Schema(name) => Key::Schema(name),
            Dep::Extension(name) => Key::Extension(name),
            Dep::Type(name) => Key::Type(name),
            Dep::Sequence(name) => Key::Sequence(name),
            Dep::Function(name) => Key::Function(name),
            Dep::Relation(name) => Key::Relation(name),
            Dep::Column(table, name) => Key::Column(table, name),
            Dep::Constraint(table, name) => Key::Constraint(table, name),
            Dep::Index(table, name) => Key::Index(table, name),
        }
    }
}

/// Step kind priority: the first tie-breaker. Creates come before drops,
/// so an object is replaced before the old one goes away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Phase {
    /// Renames of existing schemas, types, sequences, views, functions
    /// and triggers (`was` hints): they need nothing the plan creates,
    /// and the steps that alter those objects use the new names.
    RenameObject,
    CreateSchema,
    CreateExtension,
    CreateType,
    CreateSequence,
    CreateFunction,
    Rename,
    CreateTable,
    AlterTable,
    AddConstraint,
    CreateIndex,
    AttachPartition,
    ForeignKey,
    Distribute,
    CreateView,
    CreatePolicy,
    EnableRls,
    CreateTrigger,
    OwnedBy,
    Comment,
    Privileges,
    DisableRls,
    DropTrigger,
    DropPolicy,
    DropView,
    DropConstraint,
    DropIndex,
    DropColumn,
    DetachPartition,
    DropTable,
    DropSequence,
    DropFunction,
    DropType,
    DropExtension,
    DropSchema,
    /// `ALTER DEFAULT PRIVILEGES`: after everything the plan creates.
    DefaultPrivileges,
}

/// A contiguous run of steps, ordered as a unit.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub steps: Vec<Step>,
    pub phase: Phase,
    /// The object's name, for the tie-break.
    pub name: String,
    pub provides: Vec<Key>,
    pub requires: Vec<Key>,
    pub removes: Vec<Key>,
    pub releases: Vec<Key>,
}

impl Node {
    pub fn new(phase: Phase, name: impl Into<String>, steps: Vec<Step>) -> Node {
        Node {
            steps,
            phase,
            name: name.into(),
            provides: Vec::new(),
            requires: Vec::new(),
            removes: Vec::new(),
            releases: Vec::new(),
        }
    }

    pub fn provides(mut self, keys: impl IntoIterator<Item = Key>) -> Node {
        self.provides.extend(with_index_names(keys));
        self
    }

    pub fn requires(mut self, keys: impl IntoIterator<Item = Key>) -> Node {
        self.requires.extend(keys);
        self
    }

    pub fn removes(mut self, keys: impl IntoIterator<Item = Key>) -> Node {
        self.removes.extend(with_index_names(keys));
        self
    }

    pub fn releases(mut self, keys: impl IntoIterator<Item = Key>) -> Node {
        self.releases.extend(keys);
        self
    }
}

/// The keys, each [`Key::Index`] followed by its [`Key::IndexName`].
fn with_index_names(keys: impl IntoIterator<Item = Key>) -> Vec<Key> {
    let mut res = Vec::new();
    for key in keys {
        if let Key::Index(table, name) = &key {
            res.push(Key::IndexName(QualifiedName {
                schema: table.schema.clone(),
                name: name.clone(),
            }));
        }
        res.push(key);
    }
    res
}

/// Orders the nodes and flattens them into steps. A node's first step
/// never joins the previous node's transaction.
pub(crate) fn order(nodes: Vec<Node>) -> Vec<Step> {
    let edges = edges(&nodes);
    // Only the tie-break and the steps are needed from here on; the keys
    // (most of a node's memory) go now.
    let (ranks, mut steps): (Vec<(Phase, String)>, Vec<Vec<Step>>) = nodes
        .into_iter()
        .map(|node| ((node.phase, node.name), node.steps))
        .unzip();
    let mut graph: DiGraph<usize, ()> = DiGraph::with_capacity(ranks.len(), edges.len());
    let indices: Vec<NodeIndex> = (0..ranks.len()).map(|idx| graph.add_node(idx)).collect();
    for (source, target) in edges {
        graph.add_edge(indices[source], indices[target], ());
    }

    let rank = |idx: usize| (ranks[idx].0, ranks[idx].1.as_str(), idx);
    let mut in_degree: Vec<usize> = indices
        .iter()
        .map(|&index| graph.neighbors_directed(index, Direction::Incoming).count())
        .collect();
    let mut ready: BTreeSet<(Phase, &str, usize)> = (0..ranks.len())
        .filter(|&idx| in_degree[idx] == 0)
        .map(rank)
        .collect();
    let mut done = vec![false; ranks.len()];
    let mut res = Vec::new();
    let mut n_done = 0;
    while n_done < ranks.len() {
        let next = match ready.pop_first() {
            Some((_, _, idx)) => idx,
            // A cycle: take the smallest remaining node.
            None => match (0..ranks.len()).filter(|&idx| !done[idx]).map(rank).min() {
                Some((_, _, idx)) => idx,
                None => break,
            },
        };
        if done[next] {
            continue;
        }
        done[next] = true;
        n_done += 1;
        for (step_idx, mut step) in std::mem::take(&mut steps[next]).into_iter().enumerate() {
            if step_idx == 0 {
                step.joins_previous = false;
            }
            res.push(step);
        }
        for neighbour in graph.neighbors_directed(indices[next], Direction::Outgoing) {
            let target = graph[neighbour];
            if done[target] {
                continue;
            }
            in_degree[target] = in_degree[target].saturating_sub(1);
            if in_degree[target] == 0 {
                ready.insert(rank(target));
            }
        }
    }
    res
}

/// The edges (source, target) between nodes, sorted and without
/// duplicates, by the rules in the module docs.
fn edges(nodes: &[Node]) -> Vec<(usize, usize)> {
    let uses = KeyUses::collect(nodes);
    let mut res = Vec::new();
    for (key_id, key) in uses.keys.iter().enumerate() {
        let providers = uses.providers.nodes_of(key_id);
        let removers = uses.removers.nodes_of(key_id);
        let requirers = uses.requirers.nodes_of(key_id);
        connect(&mut res, providers, requirers);
        // A node that releases K and requires it again (a trigger
        // recreated on the same function) comes after a node that changes
        // K in place (removes and provides it: a function dropped and
        // created again), as it requires; a release edge as well would be
        // a cycle.
        for &releaser in uses.releasers.nodes_of(key_id) {
            let uses_it_again = requirers.binary_search(&releaser).is_ok();
            for &remover in removers {
                let in_place = providers.binary_search(&remover).is_ok();
                if releaser != remover && !(uses_it_again && in_place) {
                    res.push((releaser, remover));
                }
            }
        }
        // A function dropped and one created under the same name always
        // differ in signature (same signature is a replace), so both can
        // exist: the new one is created first.
        if !matches!(key, Key::Function(_)) {
            // A node that removes and provides the same key changes it in
            // place (a column's type): it runs after the key's releasers
            // and before its requirers, unordered against other providers.
            let in_place: Vec<usize> = removers
                .iter()
                .copied()
                .filter(|node| !providers.contains(node))
                .collect();
            connect(&mut res, &in_place, providers);
        }
    }
    res.sort_unstable();
    res.dedup();
    res
}

/// An edge from every source to every other target.
fn connect(edges: &mut Vec<(usize, usize)>, sources: &[usize], targets: &[usize]) {
    for &source in sources {
        for &target in targets {
            if source != target {
                edges.push((source, target));
            }
        }
    }
}

/// The distinct keys that nodes require, remove or release, numbered,
/// with the nodes that provide, require, remove and release each.
struct KeyUses<'n> {
    /// Position = key id.
    keys: Vec<&'n Key>,
    providers: Role,
    requirers: Role,
    removers: Role,
    releasers: Role,
}

impl<'n> KeyUses<'n> {
    /// Every edge involves a key that some node requires, removes or
    /// releases, so only those keys are numbered; a provided key that no
    /// node asks for (most columns of a new table) is skipped.
    fn collect(nodes: &'n [Node]) -> KeyUses<'n> {
        let n_asked: usize = nodes
            .iter()
            .map(|node| node.requires.len() + node.removes.len() + node.releases.len())
            .sum();
        let mut ids: HashMap<&Key, usize> = HashMap::with_capacity(n_asked);
        let mut keys: Vec<&Key> = Vec::new();
        let mut asked = |select: fn(&Node) -> &[Key]| {
            let mut res: Vec<(usize, usize)> = Vec::new();
            for (node_idx, node) in nodes.iter().enumerate() {
                for key in select(node) {
                    let key_id = *ids.entry(key).or_insert_with(|| {
                        keys.push(key);
                        keys.len() - 1
                    });
                    res.push((key_id, node_idx));
                }
            }
            res
        };
        let requires = asked(|node| &node.requires);
        let removes = asked(|node| &node.removes);
        let releases = asked(|node| &node.releases);
        let mut provides: Vec<(usize, usize)> = Vec::new();
        for (node_idx, node) in nodes.iter().enumerate() {
            for key in &node.provides {
                if let Some(&key_id) = ids.get(key) {
                    provides.push((key_id, node_idx));
                }
            }
        }
        let n_keys = keys.len();
        KeyUses {
            keys,
            providers: Role::new(n_keys, &provides),
            requirers: Role::new(n_keys, &requires),
            removers: Role::new(n_keys, &removes),
            releasers: Role::new(n_keys, &releases),
        }
    }
}

/// The nodes that use each key in one way, grouped by key id: the nodes
/// of key `id` are `nodes[starts[id]..starts[id + 1]]`, in node order.
struct Role {
    starts: Vec<usize>,
    nodes: Vec<usize>,
}

impl Role {
    /// From (key id, node) pairs in node order.
    fn new(n_keys: usize, pairs: &[(usize, usize)]) -> Role {
        let mut starts = vec![0; n_keys + 1];
        for &(key_id, _) in pairs {
            starts[key_id + 1] += 1;
        }
        for key_id in 0..n_keys {
            starts[key_id + 1] += starts[key_id];
        }
        let mut next = starts.clone();
        let mut nodes = vec![0; pairs.len()];
        for &(key_id, node_idx) in pairs {
            nodes[next[key_id]] = node_idx;
            next[key_id] += 1;
        }
        Role { starts, nodes }
    }

    fn nodes_of(&self, key_id: usize) -> &[usize] {
        &self.nodes[self.starts[key_id]..self.starts[key_id + 1]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function_key() -> Key {
        Key::Function(QualifiedName::public("f"))
    }

    #[test]
    fn a_release_by_a_node_that_still_requires_the_key_yields_to_a_change_in_place() {
        // f(integer) dropped and created again (its return type changed),
        // a view over f(text) replaced: it requires and releases `f`.
        let function = Node::new(Phase::CreateFunction, "function public.f", Vec::new())
            .removes([function_key()])
            .provides([function_key()]);
        let view = Node::new(Phase::CreateView, "view public.v", Vec::new())
            .requires([function_key()])
            .releases([function_key()]);
        assert_eq!(edges(&[function, view]), vec![(0, 1)]);
    }

    #[test]
    fn a_release_orders_before_a_drop() {
        // A trigger moved from f to g: it releases f, which is dropped.
        let drop = Node::new(Phase::DropFunction, "function public.f", Vec::new())
            .removes([function_key()]);
        let trigger = Node::new(Phase::CreateTrigger, "trigger public.t.tr", Vec::new())
            .requires([Key::Function(QualifiedName::public("g"))])
            .releases([function_key()]);
        assert_eq!(edges(&[drop, trigger]), vec![(1, 0)]);
    }
}
