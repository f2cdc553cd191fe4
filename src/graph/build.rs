//! Which edges a Model implies.
//!
//! Edges (`A -> B`: A depends on B):
//! - every object in a declared schema -> that schema;
//! - table -> enums, domains and extension types its columns use; column
//!   defaults and generated expressions -> sequences they `nextval` and
//!   declared functions they call;
//! - domain -> its base type's enum/domain;
//! - constraint, index, policy, trigger -> its table; an FK -> the
//!   referenced table and the referenced table's PK/UNIQUE constraint on
//!   the referenced columns; CHECK -> functions it calls;
//! - partition -> parent;
//! - trigger -> its function; policy -> declared functions its expressions
//!   call (best effort: names followed by `(` in the canonical text);
//! - view -> the relations in `depends_on`; indexes of a materialized view
//!   -> the view;
//! - sequence `OWNED BY` -> the table, unless the table already depends on
//!   the sequence (a serial column's default): then the ownership is set
//!   after both exist and adds no edge, so there is no cycle.

use super::DepGraph;
use crate::model::normalize;
use crate::model::{
    ConstraintKind, FunctionId, Ident, Model, ObjectId, QualifiedName, SqlExpr, Table, TypeName,
};
use std::collections::BTreeSet;

impl DepGraph {
    /// Builds the graph of `model`.
    pub fn build(model: &Model) -> DepGraph {
        let mut graph = DepGraph::default();
        add_nodes(&mut graph, model);
        for extension in model.extensions.values() {
            graph.add_edge(
                &ObjectId::Extension(extension.name.clone()),
                &ObjectId::Schema(extension.schema.clone()),
            );
        }
        for name in model.enums.keys() {
            graph.add_edge(&ObjectId::Enum(name.clone()), &schema_of(name));
        }
        for (name, domain) in &model.domains {
            let id = ObjectId::Domain(name.clone());
            graph.add_edge(&id, &schema_of(name));
            if let Some(dep) = type_dependency(model, &domain.base) {
                graph.add_edge(&id, &dep);
            }
            for expr in domain.checks.values().chain(domain.default.as_ref()) {
                add_expr_edges(&mut graph, model, &id, expr);
            }
        }
        for name in model.sequences.keys() {
            graph.add_edge(&ObjectId::Sequence(name.clone()), &schema_of(name));
        }
        for id in model.functions.keys() {
            graph.add_edge(&ObjectId::Function(id.clone()), &schema_of(&id.name));
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
            graph.add_edge(&id, &schema_of(&view.name));
            for relation in &view.depends_on {
                let target = if model.views.contains_key(relation) {
                    ObjectId::View(relation.clone())
                } else {
                    ObjectId::Table(relation.clone())
                };
                graph.add_edge(&id, &target);
            }
            for index in view.indexes.keys() {
                graph.add_edge(&ObjectId::Index(view.name.clone(), index.clone()), &id);
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
    }
    for (name, view) in &model.views {
        graph.add_node(ObjectId::View(name.clone()));
        for index in view.indexes.keys() {
            graph.add_node(ObjectId::Index(name.clone(), index.clone()));
        }
    }
}

fn schema_of(name: &QualifiedName) -> ObjectId {
    ObjectId::Schema(name.schema.clone())
}

fn add_table_edges(graph: &mut DepGraph, model: &Model, table: &Table) {
    let table_id = ObjectId::Table(table.name.clone());
    graph.add_edge(&table_id, &schema_of(&table.name));
    if let Some(partition_of) = &table.partition_of {
        graph.add_edge(&table_id, &ObjectId::Table(partition_of.parent.clone()));
    }
    for column in &table.columns {
        if let Some(dep) = type_dependency(model, &column.ty) {
            graph.add_edge(&table_id, &dep);
        }
        for expr in column.default.iter().chain(column.generated.as_ref()) {
            add_expr_edges(graph, model, &table_id, expr);
        }
    }
    for (name, constraint) in &table.constraints {
        let id = ObjectId::Constraint(table.name.clone(), name.clone());
        graph.add_edge(&id, &table_id);
        match &constraint.kind {
            ConstraintKind::ForeignKey(fk) => {
                graph.add_edge(&id, &ObjectId::Table(fk.ref_table.clone()));
                if let Some(target) = referenced_key(model, &fk.ref_table, &fk.ref_columns) {
                    graph.add_edge(&id, &ObjectId::Constraint(fk.ref_table.clone(), target));
                }
            }
            ConstraintKind::Check { expr, .. } => add_expr_edges(graph, model, &id, expr),
            ConstraintKind::Exclude { predicate, .. } => {
                if let Some(predicate) = predicate {
                    add_expr_edges(graph, model, &id, predicate);
                }
            }
            ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. } => {}
        }
    }
    for (name, index) in &table.indexes {
        let id = ObjectId::Index(table.name.clone(), name.clone());
        graph.add_edge(&id, &table_id);
        for key in &index.keys {
            if let crate::model::IndexExpr::Expr(expr) = &key.expr {
                add_expr_edges(graph, model, &id, expr);
            }
        }
    }
    for (name, policy) in &table.policies {
        let id = ObjectId::Policy(table.name.clone(), name.clone());
        graph.add_edge(&id, &table_id);
        for expr in policy.using.iter().chain(policy.with_check.as_ref()) {
            add_expr_edges(graph, model, &id, expr);
        }
    }
    for (name, trigger) in &table.triggers {
        let id = ObjectId::Trigger(table.name.clone(), name.clone());
        graph.add_edge(&id, &table_id);
        for function in functions_named(model, &trigger.function) {
            graph.add_edge(&id, &ObjectId::Function(function.clone()));
        }
    }
}

/// The PK or UNIQUE constraint of `table` on exactly `columns` (as a set).
fn referenced_key(model: &Model, table: &QualifiedName, columns: &[Ident]) -> Option<Ident> {
    let table = model.tables.get(table)?;
    let wanted: BTreeSet<&Ident> = columns.iter().collect();
    table
        .constraints
        .iter()
        .find(|(_, constraint)| match &constraint.kind {
            ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => {
                columns.iter().collect::<BTreeSet<_>>() == wanted
            }
            _ => false,
        })
        .map(|(name, _)| name.clone())
}

/// The enum, domain or extension a column type needs.
fn type_dependency(model: &Model, ty: &TypeName) -> Option<ObjectId> {
    let name = normalize::user_type_name(ty)?;
    if model.enums.contains_key(&name) {
        return Some(ObjectId::Enum(name));
    }
    if model.domains.contains_key(&name) {
        return Some(ObjectId::Domain(name));
    }
    let extension = crate::model::normalize::extension_of_type(name.name.as_str())?;
    let extension = Ident::new(extension);
    model
        .extensions
        .contains_key(&extension)
        .then_some(ObjectId::Extension(extension))
}

/// Declared functions named `name` (any argument types).
fn functions_named<'a>(
    model: &'a Model,
    name: &'a QualifiedName,
) -> impl Iterator<Item = &'a FunctionId> + 'a {
    model.functions.keys().filter(move |id| &id.name == name)
}

/// Sequences an expression `nextval`s and declared functions it calls.
fn add_expr_edges(graph: &mut DepGraph, model: &Model, from: &ObjectId, expr: &SqlExpr) {
    for sequence in nextval_targets(&expr.canonical) {
        graph.add_edge(from, &ObjectId::Sequence(sequence));
    }
    let called = called_functions(&expr.canonical);
    let mut targets = Vec::new();
    for id in model.functions.keys() {
        let matches = called.iter().any(|(schema, name)| {
            name == id.name.name.as_str()
                && schema
                    .as_deref()
                    .is_none_or(|schema| schema == id.name.schema.as_str())
        });
        if matches {
            targets.push(ObjectId::Function(id.clone()));
        }
    }
    for target in targets {
        graph.add_edge(from, &target);
    }
}

/// `nextval('public.seq')` -> `public.seq` (canonical text: qualified).
fn nextval_targets(canonical: &str) -> Vec<QualifiedName> {
    let mut res = Vec::new();
    let mut rest = canonical;
    while let Some(idx) = rest.find("nextval('") {
        rest = &rest[idx + "nextval('".len()..];
        let Some(end) = rest.find('\'') else {
            break;
        };
        let target = TypeName::new(&rest[..end]);
        if let Some(name) = normalize::user_type_name(&target) {
            res.push(name);
        }
        rest = &rest[end..];
    }
    res
}

/// Names followed by `(` outside string literals: `(schema, name)`.
fn called_functions(canonical: &str) -> Vec<(Option<String>, String)> {
    let mut res = Vec::new();
    let mut word = String::new();
    let mut qualifier: Option<String> = None;
    let mut in_string = false;
    for ch in canonical.chars() {
        if in_string {
            in_string = ch != '\'';
            continue;
        }
        match ch {
            '\'' => {
                in_string = true;
                word.clear();
                qualifier = None;
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' || c == '"' => word.push(c),
            '.' => qualifier = Some(std::mem::take(&mut word).trim_matches('"').to_string()),
            '(' if !word.is_empty() => {
                res.push((qualifier.take(), word.trim_matches('"').to_string()));
                word.clear();
            }
            _ => {
                word.clear();
                qualifier = None;
            }
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanning() {
        assert_eq!(
            nextval_targets("nextval('public.a_seq') + nextval('app.b')"),
            vec![
                QualifiedName::public("a_seq"),
                QualifiedName::new("app", "b")
            ]
        );
        assert_eq!(
            called_functions("app.tenant_ok(x) AND lower(y) = 'f(z)'"),
            vec![
                (Some("app".to_string()), "tenant_ok".to_string()),
                (None, "lower".to_string())
            ]
        );
    }
}
