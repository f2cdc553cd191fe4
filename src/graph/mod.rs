//! The dependency graph (petgraph): objects as nodes, dependencies as edges.
//!
//! OWNER: graph helper.
