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
//! - A provides K, B prefers K: a soft edge, A before B unless that closes
//!   a cycle (an old overload dropped after its replacement is created).
//!
//! FK constraints of new tables are nodes of their own, so FK cycles never
//! block table creation. Should the keys still form a cycle, it is broken
//! inside it (`break_cycle`): its soft edges give way first; only a cycle
//! of hard edges (what PostgreSQL needs) takes its smallest node by the
//! tie-break, so ordering never fails. `ALTER DEFAULT PRIVILEGES` waits
//! until such a cycle is broken.

use super::step::Step;
use crate::graph::deps::Dep;
use crate::model::{FunctionId, Ident, QualifiedName};
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
    /// One function signature: provided and removed next to its
    /// [`Key::Function`], required by expressions whose calls resolve to
    /// it.
    Overload(FunctionId),
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
            Dep::Overload(id) => Key::Overload(id),
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
    /// Keys the node would rather come after, where that closes no
    /// cycle: a zero-downtime preference, not something PostgreSQL
    /// requires (an old overload dropped after its replacement exists).
    pub prefers: Vec<Key>,
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
            prefers: Vec::new(),
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

    pub fn prefers(mut self, keys: impl IntoIterator<Item = Key>) -> Node {
        self.prefers.extend(keys);
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

/// Whether an edge is something PostgreSQL (or the plan's own steps)
/// needs, or a preference that gives way when it would close a cycle.
/// `Hard` sorts first, so deduplication keeps it over a `Soft` edge
/// between the same nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Strength {
    Hard,
    Soft,
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
    let mut res = Vec::new();
    for next in sort(&ranks, &edges) {
        for (step_idx, mut step) in std::mem::take(&mut steps[next]).into_iter().enumerate() {
            if step_idx == 0 {
                step.joins_previous = false;
            }
            res.push(step);
        }
    }
    res
}

/// The node indices in order: Kahn's algorithm, the ready node smallest
/// by (phase, name, index) first. When no node is ready the remaining
/// nodes hold a cycle, broken by [`break_cycle`].
fn sort(ranks: &[(Phase, String)], edges: &[(usize, usize, Strength)]) -> Vec<usize> {
    let mut graph: DiGraph<usize, Strength> = DiGraph::with_capacity(ranks.len(), edges.len());
    let indices: Vec<NodeIndex> = (0..ranks.len()).map(|idx| graph.add_node(idx)).collect();
    for &(source, target, strength) in edges {
        graph.add_edge(indices[source], indices[target], strength);
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
    let mut res = Vec::with_capacity(ranks.len());
    // `ALTER DEFAULT PRIVILEGES` comes after everything the plan creates
    // (each new object starts from the defaults the plan was made with):
    // a cycle among the others is broken before it is taken.
    let mut n_before_last = ranks
        .iter()
        .filter(|(phase, _)| *phase != Phase::DefaultPrivileges)
        .count();
    while res.len() < ranks.len() {
        let last_phase_first = ready
            .first()
            .is_some_and(|(phase, _, _)| *phase == Phase::DefaultPrivileges);
        let pick = if last_phase_first && n_before_last > 0 {
            None
        } else {
            ready.pop_first()
        };
        let next = match pick {
            Some((_, _, idx)) => idx,
            None => match break_cycle(&mut graph, &indices, &done, &rank) {
                // No cycle after all: the last phase's turn.
                None => match ready.pop_first() {
                    Some((_, _, idx)) => idx,
                    None => match (0..ranks.len()).filter(|&idx| !done[idx]).map(rank).min() {
                        Some((_, _, idx)) => idx,
                        None => break,
                    },
                },
                Some(Unblocked::Edges(freed)) => {
                    for target in freed {
                        in_degree[target] -= 1;
                        if in_degree[target] == 0 {
                            ready.insert(rank(target));
                        }
                    }
                    continue;
                }
                Some(Unblocked::Node(idx)) => idx,
            },
        };
        if done[next] {
            continue;
        }
        done[next] = true;
        if ranks[next].0 != Phase::DefaultPrivileges {
            n_before_last -= 1;
        }
        ready.remove(&rank(next));
        res.push(next);
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

/// How a cycle was broken.
enum Unblocked {
    /// Soft edges were removed from the graph; their targets.
    Edges(Vec<usize>),
    /// No soft edge breaks the cycle: this node is taken despite its
    /// remaining predecessors.
    Node(usize),
}

/// Breaks a cycle among the nodes not done, each of which has a
/// predecessor not done. The cycle is looked for in a strongly connected
/// component of the remaining nodes that no other remaining node points
/// into (one exists), the one holding the smallest node by rank: every
/// edge inside it lies on a cycle. If its hard edges alone form no cycle,
/// its soft edges are removed, the one into the smallest target first,
/// until one node has no predecessor left (preferences give way, what
/// PostgreSQL needs stays). Otherwise the smallest node on a cycle of
/// hard edges is taken, so ordering never fails. `None`: the remaining
/// nodes hold no cycle.
fn break_cycle<'r>(
    graph: &mut DiGraph<usize, Strength>,
    indices: &[NodeIndex],
    done: &[bool],
    rank: &impl Fn(usize) -> (Phase, &'r str, usize),
) -> Option<Unblocked> {
    let component = source_component(graph, indices, done, rank)?;
    let in_component = |idx: usize| component.binary_search(&idx).is_ok();
    let mut soft: Vec<(usize, usize)> = Vec::new();
    for &source in &component {
        for edge in graph.edges_directed(indices[source], Direction::Outgoing) {
            let target = graph[petgraph::visit::EdgeRef::target(&edge)];
            if *edge.weight() == Strength::Soft && in_component(target) {
                soft.push((source, target));
            }
        }
    }
    let hard_cycle = on_hard_cycles(graph, indices, &component);
    if hard_cycle.is_empty() && !soft.is_empty() {
        // Removing every soft edge leaves the component acyclic, so some
        // node of it loses all its predecessors: stop at the first.
        soft.sort_by_key(|&(source, target)| (rank(target), rank(source)));
        let mut n_into: HashMap<usize, usize> = HashMap::new();
        for &target in &component {
            let n_preds = graph
                .neighbors_directed(indices[target], Direction::Incoming)
                .filter(|&pred| !done[graph[pred]])
                .count();
            n_into.insert(target, n_preds);
        }
        let mut freed = Vec::new();
        for (source, target) in soft {
            if let Some(edge) = graph.find_edge(indices[source], indices[target]) {
                graph.remove_edge(edge);
            }
            freed.push(target);
            let n_preds = n_into.entry(target).or_default();
            *n_preds -= 1;
            if *n_preds == 0 {
                break;
            }
        }
        return Some(Unblocked::Edges(freed));
    }
    let candidates = if hard_cycle.is_empty() {
        component
    } else {
        hard_cycle
    };
    let smallest = candidates
        .into_iter()
        .map(rank)
        .min()
        .expect("invariant: a strongly connected component is never empty");
    Some(Unblocked::Node(smallest.2))
}

/// The remaining nodes of a strongly connected component of more than one
/// node (of the graph restricted to nodes not done) with no edge from a
/// remaining node outside it, sorted; of those components, the one
/// holding the smallest node by rank; `None` when no such component
/// exists (no cycle).
fn source_component<'r>(
    graph: &DiGraph<usize, Strength>,
    indices: &[NodeIndex],
    done: &[bool],
    rank: &impl Fn(usize) -> (Phase, &'r str, usize),
) -> Option<Vec<usize>> {
    let remaining: Vec<usize> = (0..done.len()).filter(|&idx| !done[idx]).collect();
    let components = components(graph, indices, &remaining, |_| true);
    let mut component_of: HashMap<usize, usize> = HashMap::new();
    for (component_idx, component) in components.iter().enumerate() {
        for &idx in component {
            component_of.insert(idx, component_idx);
        }
    }
    components
        .into_iter()
        .enumerate()
        .filter(|(component_idx, component)| {
            component.len() > 1
                && component.iter().all(|&idx| {
                    graph
                        .neighbors_directed(indices[idx], Direction::Incoming)
                        .all(|pred| {
                            component_of
                                .get(&graph[pred])
                                .is_none_or(|pred_component| pred_component == component_idx)
                        })
                })
        })
        .map(|(_, component)| component)
        .min_by_key(|component| component.iter().map(|&idx| rank(idx)).min())
}

/// The nodes of `within` that lie on a cycle of hard edges, sorted.
fn on_hard_cycles(
    graph: &DiGraph<usize, Strength>,
    indices: &[NodeIndex],
    within: &[usize],
) -> Vec<usize> {
    let mut res: Vec<usize> = components(graph, indices, within, |strength| {
        strength == Strength::Hard
    })
    .into_iter()
    .filter(|component| component.len() > 1)
    .flatten()
    .collect();
    res.sort_unstable();
    res
}

/// The strongly connected components of the subgraph of `nodes` (sorted
/// node indices) and the edges `keep` accepts, each sorted.
fn components(
    graph: &DiGraph<usize, Strength>,
    indices: &[NodeIndex],
    nodes: &[usize],
    keep: impl Fn(Strength) -> bool,
) -> Vec<Vec<usize>> {
    let mut subgraph: DiGraph<usize, ()> = DiGraph::with_capacity(nodes.len(), 0);
    let sub_indices: HashMap<usize, NodeIndex> = nodes
        .iter()
        .map(|&idx| (idx, subgraph.add_node(idx)))
        .collect();
    for &source in nodes {
        for edge in graph.edges_directed(indices[source], Direction::Outgoing) {
            let target = graph[petgraph::visit::EdgeRef::target(&edge)];
            if let Some(&sub_target) = sub_indices.get(&target) {
                if keep(*edge.weight()) {
                    subgraph.add_edge(sub_indices[&source], sub_target, ());
                }
            }
        }
    }
    petgraph::algo::tarjan_scc(&subgraph)
        .into_iter()
        .map(|component| {
            let mut res: Vec<usize> = component.into_iter().map(|idx| subgraph[idx]).collect();
            res.sort_unstable();
            res
        })
        .collect()
}

/// The edges (source, target, strength) between nodes, sorted and
/// without duplicates (a hard edge wins over a soft one), by the rules in
/// the module docs.
fn edges(nodes: &[Node]) -> Vec<(usize, usize, Strength)> {
    let uses = KeyUses::collect(nodes);
    let mut res = Vec::new();
    for (key_id, key) in uses.keys.iter().enumerate() {
        let providers = uses.providers.nodes_of(key_id);
        let removers = uses.removers.nodes_of(key_id);
        let requirers = uses.requirers.nodes_of(key_id);
        connect(&mut res, providers, requirers, Strength::Hard);
        connect(
            &mut res,
            providers,
            uses.preferrers.nodes_of(key_id),
            Strength::Soft,
        );
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
                    res.push((releaser, remover, Strength::Hard));
                }
            }
        }
        // A function dropped and one created under the same name always
        // differ in signature (same signature is a replace), so both can
        // exist: the new one is created first.
        if !matches!(key, Key::Function(_) | Key::Overload(_)) {
            // A node that removes and provides the same key changes it in
            // place (a column's type): it runs after the key's releasers
            // and before its requirers, unordered against other providers.
            let in_place: Vec<usize> = removers
                .iter()
                .copied()
                .filter(|node| !providers.contains(node))
                .collect();
            connect(&mut res, &in_place, providers, Strength::Hard);
        }
    }
    res.sort_unstable();
    res.dedup_by(|later, earlier| later.0 == earlier.0 && later.1 == earlier.1);
    res
}

/// An edge from every source to every other target.
fn connect(
    edges: &mut Vec<(usize, usize, Strength)>,
    sources: &[usize],
    targets: &[usize],
    strength: Strength,
) {
    for &source in sources {
        for &target in targets {
            if source != target {
                edges.push((source, target, strength));
            }
        }
    }
}

/// The distinct keys that nodes require, prefer, remove or release,
/// numbered, with the nodes that provide, require, prefer, remove and
/// release each.
struct KeyUses<'n> {
    /// Position = key id.
    keys: Vec<&'n Key>,
    providers: Role,
    requirers: Role,
    preferrers: Role,
    removers: Role,
    releasers: Role,
}

impl<'n> KeyUses<'n> {
    /// Every edge involves a key that some node requires, prefers,
    /// removes or releases, so only those keys are numbered; a provided key that no
    /// node asks for (most columns of a new table) is skipped.
    fn collect(nodes: &'n [Node]) -> KeyUses<'n> {
        let n_asked: usize = nodes
            .iter()
            .map(|node| {
                node.requires.len() + node.prefers.len() + node.removes.len() + node.releases.len()
            })
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
        let prefers = asked(|node| &node.prefers);
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
            preferrers: Role::new(n_keys, &prefers),
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
        assert_eq!(edges(&[function, view]), vec![(0, 1, Strength::Hard)]);
    }

    #[test]
    fn a_release_orders_before_a_drop() {
        // A trigger moved from f to g: it releases f, which is dropped.
        let drop = Node::new(Phase::DropFunction, "function public.f", Vec::new())
            .removes([function_key()]);
        let trigger = Node::new(Phase::CreateTrigger, "trigger public.t.tr", Vec::new())
            .requires([Key::Function(QualifiedName::public("g"))])
            .releases([function_key()]);
        assert_eq!(edges(&[drop, trigger]), vec![(1, 0, Strength::Hard)]);
    }

    fn ranks(names: &[(Phase, &str)]) -> Vec<(Phase, String)> {
        names
            .iter()
            .map(|(phase, name)| (*phase, name.to_string()))
            .collect()
    }

    #[test]
    fn a_cycle_gives_way_at_a_soft_edge_on_it() {
        // pgstac 019 -> 020: the new overload f(text, text) needs the new
        // table t, created after the old t is dropped, which waits for the
        // old overload f(text) that returns it; dropping f(text) after
        // f(text, text) exists is only a preference. `a` is smallest but
        // its edge is hard.
        let ranks = ranks(&[
            (Phase::CreateFunction, "function f(text, text)"),
            (Phase::CreateTable, "table t"),
            (Phase::DropFunction, "function f(text)"),
            (Phase::DropTable, "table t"),
        ]);
        let edges = [
            (0, 2, Strength::Soft),
            (1, 0, Strength::Hard),
            (2, 3, Strength::Hard),
            (3, 1, Strength::Hard),
        ];
        assert_eq!(sort(&ranks, &edges), vec![2, 3, 1, 0]);
    }

    #[test]
    fn a_hard_cycle_is_broken_at_a_node_on_it() {
        // `x` is the smallest node but only waits for the cycle.
        let ranks = ranks(&[
            (Phase::CreateSchema, "schema x"),
            (Phase::CreateTable, "table p"),
            (Phase::CreateTable, "table q"),
        ]);
        let edges = [
            (1, 2, Strength::Hard),
            (2, 0, Strength::Hard),
            (2, 1, Strength::Hard),
        ];
        assert_eq!(sort(&ranks, &edges), vec![1, 2, 0]);
    }

    #[test]
    fn default_privileges_wait_for_a_cycle_to_be_broken() {
        let ranks = ranks(&[
            (Phase::DefaultPrivileges, "default privileges"),
            (Phase::CreateFunction, "function f"),
            (Phase::DropFunction, "function g"),
        ]);
        let edges = [(1, 2, Strength::Soft), (2, 1, Strength::Hard)];
        assert_eq!(sort(&ranks, &edges), vec![2, 1, 0]);
    }

    #[test]
    fn a_soft_edge_off_any_cycle_holds() {
        let drop = Node::new(Phase::DropFunction, "function public.f(text)", Vec::new())
            .removes([function_key()])
            .prefers([function_key()]);
        let create = Node::new(
            Phase::CreateFunction,
            "function public.f(text, text)",
            Vec::new(),
        )
        .provides([function_key()]);
        let edges = edges(&[drop, create]);
        assert_eq!(edges, vec![(1, 0, Strength::Soft)]);
        let ranks = ranks(&[
            (Phase::DropFunction, "function public.f(text)"),
            (Phase::CreateFunction, "function public.f(text, text)"),
        ]);
        assert_eq!(sort(&ranks, &edges), vec![1, 0]);
    }
}
