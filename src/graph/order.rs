//! Stable orders over the graph: Kahn's algorithm with a priority queue, so
//! that among the objects that are ready the one with the lowest
//! (kind priority, [`ObjectId`]) comes first. Same Model, same order.
//!
//! Objects caught in a cycle (only possible through views, functions or
//! hand-written references; FK cycles are broken by design) cannot be
//! ordered: they come last, in (priority, id) order, and
//! [`DepGraph::cycles`] reports them.

use super::DepGraph;
use crate::model::{ObjectId, ObjectKind};
use petgraph::graph::NodeIndex;
use petgraph::Direction;
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

/// Creation priority of a kind: lower is created earlier when both are ready.
pub fn kind_priority(kind: ObjectKind) -> u8 {
    match kind {
        ObjectKind::Schema => 0,
        ObjectKind::Extension => 1,
        ObjectKind::Enum => 2,
        ObjectKind::Domain => 3,
        ObjectKind::Function => 4,
        ObjectKind::Sequence => 5,
        ObjectKind::Table => 6,
        ObjectKind::Column => 7,
        ObjectKind::Constraint => 8,
        ObjectKind::Index => 9,
        ObjectKind::View => 10,
        ObjectKind::Trigger => 11,
        ObjectKind::Policy => 12,
    }
}

impl DepGraph {
    /// Every node, dependencies before dependents.
    pub fn creation_order(&self) -> Vec<ObjectId> {
        let graph = &self.graph;
        let key = |node: NodeIndex| {
            let id = &graph[node];
            (kind_priority(id.kind()), id.clone(), node)
        };
        // Remaining dependencies of each node (outgoing edges: A depends on B).
        let mut pending: Vec<usize> = graph
            .node_indices()
            .map(|node| graph.neighbors_directed(node, Direction::Outgoing).count())
            .collect();
        let mut ready: BinaryHeap<Reverse<(u8, ObjectId, NodeIndex)>> = graph
            .node_indices()
            .filter(|node| pending[node.index()] == 0)
            .map(|node| Reverse(key(node)))
            .collect();
        let mut res = Vec::with_capacity(graph.node_count());
        let mut done = vec![false; graph.node_count()];
        while let Some(Reverse((_, id, node))) = ready.pop() {
            done[node.index()] = true;
            res.push(id);
            for dependent in graph.neighbors_directed(node, Direction::Incoming) {
                let count = &mut pending[dependent.index()];
                *count = count.saturating_sub(1);
                if *count == 0 && !done[dependent.index()] {
                    ready.push(Reverse(key(dependent)));
                }
            }
        }
        let mut stuck: Vec<(u8, ObjectId, NodeIndex)> = graph
            .node_indices()
            .filter(|node| !done[node.index()])
            .map(key)
            .collect();
        stuck.sort();
        res.extend(stuck.into_iter().map(|(_, id, _)| id));
        res
    }

    /// Every node, dependents before dependencies (creation order reversed).
    pub fn drop_order(&self) -> Vec<ObjectId> {
        let mut res = self.creation_order();
        res.reverse();
        res
    }

    /// Everything that depends on `id`, directly or through others, in drop
    /// order (the most dependent first); `id` itself is not included.
    pub fn dependents(&self, id: &ObjectId) -> Vec<ObjectId> {
        let Some(&start) = self.nodes.get(id) else {
            return Vec::new();
        };
        let mut seen: BTreeSet<NodeIndex> = BTreeSet::new();
        let mut stack = vec![start];
        while let Some(node) = stack.pop() {
            for dependent in self.graph.neighbors_directed(node, Direction::Incoming) {
                if dependent != start && seen.insert(dependent) {
                    stack.push(dependent);
                }
            }
        }
        let wanted: BTreeSet<&ObjectId> = seen.iter().map(|node| &self.graph[*node]).collect();
        self.drop_order()
            .into_iter()
            .filter(|candidate| wanted.contains(candidate))
            .collect()
    }
}
