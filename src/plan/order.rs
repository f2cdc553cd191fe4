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
//!   over a retyped column are dropped before the retype).
//! - A removes K, B provides K: a drop before a create of the same name
//!   (except functions: a drop and a create of one name are different
//!   signatures, and the new one is created first).
//!
//! FK constraints of new tables are nodes of their own, so FK cycles never
//! block table creation. Should the keys still form a cycle, the smallest
//! remaining node (by the tie-break) is taken, so ordering never fails.

use super::step::Step;
use crate::model::{Ident, QualifiedName};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction;
use std::collections::{BTreeMap, BTreeSet};

/// What a node creates, needs, drops or stops needing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
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
    Constraint(QualifiedName, Ident),
    Index(QualifiedName, Ident),
    Policy(QualifiedName, Ident),
    Trigger(QualifiedName, Ident),
    /// Row-level security is disabled on the table.
    RlsOff(QualifiedName),
    /// Direct mode: RLS was enabled or forced on the table (its policy
    /// steps come after the table's ALTER steps).
    RlsOn(QualifiedName),
    /// The table is distributed (Citus).
    Distributed(QualifiedName),
}

/// Step kind priority: the first tie-breaker. Creates come before drops,
/// so an object is replaced before the old one goes away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Phase {
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
        self.provides.extend(keys);
        self
    }

    pub fn requires(mut self, keys: impl IntoIterator<Item = Key>) -> Node {
        self.requires.extend(keys);
        self
    }

    pub fn removes(mut self, keys: impl IntoIterator<Item = Key>) -> Node {
        self.removes.extend(keys);
        self
    }

    pub fn releases(mut self, keys: impl IntoIterator<Item = Key>) -> Node {
        self.releases.extend(keys);
        self
    }
}

/// Orders the nodes and flattens them into steps. A node's first step
/// never joins the previous node's transaction.
pub(crate) fn order(nodes: Vec<Node>) -> Vec<Step> {
    let mut graph: DiGraph<usize, ()> = DiGraph::new();
    let indices: Vec<NodeIndex> = (0..nodes.len()).map(|idx| graph.add_node(idx)).collect();
    let by_key = |select: fn(&Node) -> &Vec<Key>| {
        let mut map: BTreeMap<&Key, Vec<usize>> = BTreeMap::new();
        for (idx, node) in nodes.iter().enumerate() {
            for key in select(node) {
                map.entry(key).or_default().push(idx);
            }
        }
        map
    };
    let providers = by_key(|node| &node.provides);
    let requirers = by_key(|node| &node.requires);
    let removers = by_key(|node| &node.removes);
    let releasers = by_key(|node| &node.releases);
    let mut edges: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut connect = |from: &BTreeMap<&Key, Vec<usize>>, to: &BTreeMap<&Key, Vec<usize>>| {
        for (key, sources) in from {
            if let Some(targets) = to.get(key) {
                for &source in sources {
                    for &target in targets {
                        if source != target {
                            edges.insert((source, target));
                        }
                    }
                }
            }
        }
    };
    connect(&providers, &requirers);
    connect(&releasers, &removers);
    // A function dropped and one created under the same name always differ
    // in signature (same signature is a replace), so both can exist: the
    // new one is created first.
    let removers_but_functions: BTreeMap<&Key, Vec<usize>> = removers
        .iter()
        .filter(|(key, _)| !matches!(key, Key::Function(_)))
        .map(|(key, nodes)| (*key, nodes.clone()))
        .collect();
    connect(&removers_but_functions, &providers);
    for (source, target) in edges {
        graph.add_edge(indices[source], indices[target], ());
    }

    let rank = |idx: usize| (nodes[idx].phase, nodes[idx].name.clone(), idx);
    let mut in_degree: Vec<usize> = indices
        .iter()
        .map(|&index| graph.neighbors_directed(index, Direction::Incoming).count())
        .collect();
    let mut ready: BTreeSet<(Phase, String, usize)> = (0..nodes.len())
        .filter(|&idx| in_degree[idx] == 0)
        .map(rank)
        .collect();
    let mut done = vec![false; nodes.len()];
    let mut sequence: Vec<usize> = Vec::with_capacity(nodes.len());
    while sequence.len() < nodes.len() {
        let next = match ready.pop_first() {
            Some((_, _, idx)) => idx,
            // A cycle: take the smallest remaining node.
            None => match (0..nodes.len()).filter(|&idx| !done[idx]).map(rank).min() {
                Some((_, _, idx)) => idx,
                None => break,
            },
        };
        if done[next] {
            continue;
        }
        done[next] = true;
        sequence.push(next);
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
    let mut slots: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
    let mut res = Vec::new();
    for idx in sequence {
        if let Some(node) = slots[idx].take() {
            for (step_idx, mut step) in node.steps.into_iter().enumerate() {
                if step_idx == 0 {
                    step.joins_previous = false;
                }
                res.push(step);
            }
        }
    }
    res
}
