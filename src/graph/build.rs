//! Which edges a Model implies. The dependencies of each object come from
//! [`deps`](super::deps), the derivation the planner's ordering uses too;
//! this file only maps each [`Dep`] to the graph's nodes:
//! - a type to the enum or domain of that name, a relation to the view or
//!   table, a function name to every declared function of that name;
//! - a column to its table (columns are not nodes);
//! - anything that is not a node of this Model (built-ins, objects left
//!   out) to nothing: validation reports unknown references.
//!
//! One edge is not an object dependency: a sequence `OWNED BY` a table
//! depends on the table, unless the table already depends on the sequence
//! (a serial column's default): then the ownership is set after both exist
//! and adds no edge, so there is no cycle.

use super::deps::{self, Dep};
use super::DepGraph;
use crate::model::{Model, ObjectId};

impl DepGraph {
    /// Builds the graph of `model`.
    pub fn build(model: &Model) -> DepGraph {
        let mut graph = DepGraph::default();
        add_nodes(&mut graph, model);
        for extension in model.extensions.values() {
            let id = ObjectId::Extension(extension.name.clone());
            add_deps(
                &mut graph,
                model,
                &id,
                deps::schema_named(&extension.schema),
            );
        }
        for name in model.enums.keys() {
            add_deps(
                &mut graph,
                model,
                &ObjectId::Enum(name.clone()),
                deps::schema(name),
            );
        }
        for (name, domain) in &model.domains {
            let id = ObjectId::Domain(name.clone());
            add_deps(&mut graph, model, &id, deps::domain(model, domain));
        }
        for (name, composite) in &model.composites {
            let id = ObjectId::CompositeType(name.clone());
            add_deps(&mut graph, model, &id, deps::composite(model, composite));
        }
        for name in model.sequences.keys() {
            let id = ObjectId::Sequence(name.clone());
            add_deps(&mut graph, model, &id, deps::schema(name));
        }
        for (id, function) in &model.functions {
            let node = ObjectId::Function(id.clone());
            add_deps(&mut graph, model, &node, deps::function(model, function));
        }
        for table in model.tables.values() {
            add_table_edges(&mut graph, model, table);
        }
        for sequence in model.sequences.values() {
            if let Some((table, _column)) = &sequence.owned_by {
                let sequence_id = ObjectId::Sequence(sequence.name.clone());
                let table_id = ObjectId::Table(table.clone());
                if !graph.dependencies(&table_id).contains(&sequence_id) {
                    graph.add_edge(&sequence_id, &table_id);
                }
            }
        }
        for view in model.views.values() {
            let id = ObjectId::View(view.name.clone());
            add_deps(&mut graph, model, &id, deps::view(model, view));
            for (name, index) in &view.indexes {
                let index_id = ObjectId::Index(view.name.clone(), name.clone());
                let index_deps = deps::index(model, &view.name, None, index);
                add_deps(&mut graph, model, &index_id, index_deps);
            }
        }
        graph
    }
}

fn add_nodes(graph: &mut DepGraph, model: &Model) {
    for name in model.schemas.keys() {
        graph.add_node(ObjectId::Schema(name.clone()));
    }
    for name in model.extensions.keys() {
        graph.add_node(ObjectId::Extension(name.clone()));
    }
    for name in model.enums.keys() {
        graph.add_node(ObjectId::Enum(name.clone()));
    }
    for name in model.domains.keys() {
        graph.add_node(ObjectId::Domain(name.clone()));
    }
    for name in model.composites.keys() {
        graph.add_node(ObjectId::CompositeType(name.clone()));
    }
    for name in model.sequences.keys() {
        graph.add_node(ObjectId::Sequence(name.clone()));
    }
    for id in model.functions.keys() {
        graph.add_node(ObjectId::Function(id.clone()));
    }
    for (name, table) in &model.tables {
        graph.add_node(ObjectId::Table(name.clone()));
        for constraint in table.constraints.keys() {
            graph.add_node(ObjectId::Constraint(name.clone(), constraint.clone()));
        }
        for index in table.indexes.keys() {
            graph.add_node(ObjectId::Index(name.clone(), index.clone()));
        }
        for policy in table.policies.keys() {
            graph.add_node(ObjectId::Policy(name.clone(), policy.clone()));
        }
        for trigger in table.triggers.keys() {
            graph.add_node(ObjectId::Trigger(name.clone(), trigger.clone()));
        }
        for rule in table.rules.keys() {
            graph.add_node(ObjectId::Rule(name.clone(), rule.clone()));
        }
    }
    for (name, view) in &model.views {
        graph.add_node(ObjectId::View(name.clone()));
        for index in view.indexes.keys() {
            graph.add_node(ObjectId::Index(name.clone(), index.clone()));
        }
    }
}

fn add_table_edges(graph: &mut DepGraph, model: &Model, table: &crate::model::Table) {
    let name = &table.name;
    let table_id = ObjectId::Table(name.clone());
    add_deps(graph, model, &table_id, deps::table(model, table));
    for (constraint_name, constraint) in &table.constraints {
        let id = ObjectId::Constraint(name.clone(), constraint_name.clone());
        add_deps(
            graph,
            model,
            &id,
            deps::constraint(model, table, &constraint.kind),
        );
    }
    for (index_name, index) in &table.indexes {
        let id = ObjectId::Index(name.clone(), index_name.clone());
        add_deps(
            graph,
            model,
            &id,
            deps::index(model, name, Some(table), index),
        );
    }
    for (policy_name, policy) in &table.policies {
        let id = ObjectId::Policy(name.clone(), policy_name.clone());
        add_deps(graph, model, &id, deps::policy(model, table, policy));
    }
    for (trigger_name, trigger) in &table.triggers {
        let id = ObjectId::Trigger(name.clone(), trigger_name.clone());
        add_deps(graph, model, &id, deps::trigger(model, name, trigger));
    }
    for (rule_name, rule) in &table.rules {
        let id = ObjectId::Rule(name.clone(), rule_name.clone());
        add_deps(graph, model, &id, deps::rule(model, name, rule));
    }
}

/// An edge from `from` to the node(s) of each dependency.
fn add_deps(
    graph: &mut DepGraph,
    model: &Model,
    from: &ObjectId,
    needs: impl IntoIterator<Item = Dep>,
) {
    for dep in needs {
        for target in nodes_of(model, dep) {
            graph.add_edge(from, &target);
        }
    }
}

/// The graph nodes a dependency stands for (none when the Model does not
/// declare it).
fn nodes_of(model: &Model, dep: Dep) -> Vec<ObjectId> {
    match dep {
        Dep::Schema(name) => vec![ObjectId::Schema(name)],
        Dep::Extension(name) => vec![ObjectId::Extension(name)],
        Dep::Type(name) if model.enums.contains_key(&name) => vec![ObjectId::Enum(name)],
        Dep::Type(name) if model.composites.contains_key(&name) => {
            vec![ObjectId::CompositeType(name)]
        }
        Dep::Type(name) => vec![ObjectId::Domain(name)],
        Dep::Sequence(name) => vec![ObjectId::Sequence(name)],
        Dep::Function(name) => model
            .functions
            .keys()
            .filter(|id| id.name == name)
            .map(|id| ObjectId::Function(id.clone()))
            .collect(),
        Dep::Overload(id) if model.functions.contains_key(&id) => vec![ObjectId::Function(id)],
        Dep::Overload(_) => Vec::new(),
        // Columns are not nodes: a column stands for its relation.
        Dep::Relation(name) | Dep::Column(name, _) if model.views.contains_key(&name) => {
            vec![ObjectId::View(name)]
        }
        Dep::Relation(name) | Dep::Column(name, _) => vec![ObjectId::Table(name)],
        Dep::Constraint(table, name) => vec![ObjectId::Constraint(table, name)],
        Dep::Index(table, name) => vec![ObjectId::Index(table, name)],
    }
}
