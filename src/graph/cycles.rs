//! Cycles no order can satisfy (views selecting from each other, a
//! function-backed default whose function reads the table, ...), found with
//! Tarjan's strongly connected components. FK cycles never show up here:
//! FK constraints are separate nodes that depend on tables, and no table
//! depends on a constraint.

use super::DepGraph;
use crate::model::ObjectId;
use petgraph::algo::tarjan_scc;

impl DepGraph {
    /// Each cycle as its sorted members; the list is sorted too.
    pub fn cycles(&self) -> Vec<Vec<ObjectId>> {
        let mut res: Vec<Vec<ObjectId>> = tarjan_scc(&self.graph)
            .into_iter()
            .filter(|component| {
                component.len() > 1
                    || component
                        .first()
                        .is_some_and(|node| self.graph.find_edge(*node, *node).is_some())
            })
            .map(|component| {
                let mut ids: Vec<ObjectId> = component
                    .into_iter()
                    .map(|node| self.graph[node].clone())
                    .collect();
                ids.sort();
                ids
            })
            .collect();
        res.sort();
        res
    }
}
