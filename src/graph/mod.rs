//! The dependency graph (petgraph): one node per object of a Model, an edge
//! `A -> B` when A depends on B (B must exist before A is created, and A
//! must be gone before B is dropped).
//!
//! - `deps.rs`: what each object of a Model depends on, as typed
//!   [`deps::Dep`]s. It is the one derivation of dependencies: the
//!   planner's ordering keys (`plan::order::Key`) come from it as well.
//! - `build.rs`: the graph's edges, one per dependency of each object.
//!
//! Invariants: FK constraints are nodes of their own, so FK cycles between
//! tables never make a cycle; nodes and edges are listed in [`ObjectId`]
//! order, so the same Model prints the same graph; a node appears once.
//! Columns are not nodes: a column's dependencies belong to its table.

mod build;
pub(crate) mod deps;

use crate::model::ObjectId;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Objects and their dependencies. Build with [`DepGraph::build`].
#[derive(Debug, Clone, Default)]
pub struct DepGraph {
    graph: DiGraph<ObjectId, ()>,
    nodes: BTreeMap<ObjectId, NodeIndex>,
}

impl DepGraph {
    /// Every node, in [`ObjectId`] order.
    pub fn nodes(&self) -> impl Iterator<Item = &ObjectId> {
        self.nodes.keys()
    }

    pub fn contains(&self, id: &ObjectId) -> bool {
        self.nodes.contains_key(id)
    }

    /// Direct dependencies of `id` (what it needs), sorted.
    pub fn dependencies(&self, id: &ObjectId) -> Vec<ObjectId> {
        let Some(&node) = self.nodes.get(id) else {
            return Vec::new();
        };
        let mut res: Vec<ObjectId> = self
            .graph
            .neighbors_directed(node, petgraph::Direction::Outgoing)
            .map(|dep| self.graph[dep].clone())
            .collect();
        res.sort();
        res.dedup();
        res
    }

    /// Every edge `(dependent, dependency)`, sorted.
    pub fn edges(&self) -> Vec<(ObjectId, ObjectId)> {
        let mut res: Vec<(ObjectId, ObjectId)> = self
            .graph
            .edge_indices()
            .filter_map(|edge| self.graph.edge_endpoints(edge))
            .map(|(from, to)| (self.graph[from].clone(), self.graph[to].clone()))
            .collect();
        res.sort();
        res.dedup();
        res
    }

    /// Graphviz DOT, for `schemac graph --format dot`. Nodes and edges are
    /// sorted; an edge points from the dependent to what it depends on.
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph schema {\n  rankdir=LR;\n  node [shape=box];\n");
        for id in self.nodes.keys() {
            let _ = writeln!(out, "  {};", dot_quote(&id.to_string()));
        }
        for (from, to) in self.edges() {
            let _ = writeln!(
                out,
                "  {} -> {};",
                dot_quote(&from.to_string()),
                dot_quote(&to.to_string())
            );
        }
        out.push_str("}\n");
        out
    }

    /// Mermaid flowchart, for `schemac graph --format mermaid`.
    pub fn to_mermaid(&self) -> String {
        let ids: BTreeMap<&ObjectId, usize> = self
            .nodes
            .keys()
            .enumerate()
            .map(|(idx, id)| (id, idx))
            .collect();
        let mut out = String::from("graph LR\n");
        for (id, idx) in &ids {
            let _ = writeln!(out, "  n{idx}[\"{}\"]", mermaid_escape(&id.to_string()));
        }
        for (from, to) in self.edges() {
            if let (Some(from), Some(to)) = (ids.get(&from), ids.get(&to)) {
                let _ = writeln!(out, "  n{from} --> n{to}");
            }
        }
        out
    }

    fn add_node(&mut self, id: ObjectId) -> NodeIndex {
        if let Some(&node) = self.nodes.get(&id) {
            return node;
        }
        let node = self.graph.add_node(id.clone());
        self.nodes.insert(id, node);
        node
    }

    /// `from` depends on `to`. Edges to objects that are not nodes (not in
    /// the Model) are ignored: validation reports unknown references.
    fn add_edge(&mut self, from: &ObjectId, to: &ObjectId) {
        if from == to {
            return;
        }
        if let (Some(&from), Some(&to)) = (self.nodes.get(from), self.nodes.get(to)) {
            if self.graph.find_edge(from, to).is_none() {
                self.graph.add_edge(from, to, ());
            }
        }
    }
}

fn dot_quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn mermaid_escape(text: &str) -> String {
    text.replace('"', "#quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::normalize::expr;
    use crate::model::*;

    fn qn(name: &str) -> QualifiedName {
        match name.split_once('.') {
            Some((schema, name)) => QualifiedName::new(schema, name),
            None => QualifiedName::public(name),
        }
    }

    fn table(model: &mut Model, name: &str, columns: &[(&str, &str)]) -> QualifiedName {
        let mut table = Table::new(qn(name));
        for (column, ty) in columns {
            table
                .columns
                .push(Column::new(Ident::new(*column), TypeName::new(*ty)));
        }
        model.tables.insert(table.name.clone(), table);
        qn(name)
    }

    fn add_constraint(model: &mut Model, table: &str, name: &str, kind: ConstraintKind) {
        let constraint = Constraint {
            name: Ident::new(name),
            kind,
            deferrable: false,
            initially_deferred: false,
            not_valid: false,
            comment: None,
            meta: Meta::default(),
        };
        if let Some(table) = model.tables.get_mut(&qn(table)) {
            table
                .constraints
                .insert(Ident::new(name), Box::new(constraint));
        }
    }

    fn pk(column: &str) -> ConstraintKind {
        ConstraintKind::PrimaryKey {
            columns: vec![Ident::new(column)],
            include: vec![],
        }
    }

    fn fk(column: &str, ref_table: &str, ref_column: &str) -> ConstraintKind {
        ConstraintKind::ForeignKey(ForeignKey {
            columns: vec![Ident::new(column)],
            ref_table: qn(ref_table),
            ref_columns: vec![Ident::new(ref_column)],
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            match_full: false,
        })
    }

    fn view(model: &mut Model, name: &str, depends_on: &[&str]) {
        let view = View {
            name: qn(name),
            materialized: false,
            columns: vec![],
            query: SqlExpr::raw("SELECT 1"),
            options: vec![],
            depends_on: depends_on.iter().map(|dep| qn(dep)).collect(),
            indexes: Default::default(),
            comment: None,
            output: Default::default(),
            meta: Meta::default(),
        };
        model.views.insert(view.name.clone(), view);
    }

    fn function(model: &mut Model, name: &str) -> FunctionId {
        let id = FunctionId {
            name: qn(name),
            arg_types: vec![],
        };
        model.functions.insert(
            id.clone(),
            Function {
                id: id.clone(),
                procedure: false,
                args: vec![],
                returns: Some("trigger".into()),
                language: "plpgsql".into(),
                body: "BEGIN RETURN NEW; END".into(),
                volatility: Volatility::Volatile,
                strict: false,
                security_definer: false,
                parallel: Parallel::Unsafe,
                config: vec![],
                cost: None,
                rows: None,
                comment: None,
                meta: Meta::default(),
                aggregate: None,
            },
        );
        id
    }

    /// A shop: schema app, enum, sequence, FK both ways, partition, index,
    /// policy, trigger, views.
    fn shop() -> Model {
        let mut model = Model::default();
        model.schemas.insert(
            Ident::new("app"),
            Schema {
                name: Ident::new("app"),
                comment: None,
                distributed: false,
                meta: Meta::default(),
            },
        );
        model.enums.insert(
            qn("app.status"),
            Enum {
                name: qn("app.status"),
                values: vec!["new".into()],
                comment: None,
                meta: Meta::default(),
            },
        );
        model.sequences.insert(
            qn("app.order_no"),
            Sequence {
                name: qn("app.order_no"),
                options: SequenceOptions::defaults(TypeName::new("bigint"), 1),
                owned_by: Some((qn("app.orders"), Ident::new("no"))),
                comment: None,
                meta: Meta::default(),
            },
        );
        table(
            &mut model,
            "app.accounts",
            &[("id", "uuid"), ("last_order", "bigint")],
        );
        table(
            &mut model,
            "app.orders",
            &[
                ("id", "bigint"),
                ("account_id", "uuid"),
                ("status", "app.status"),
                ("no", "bigint"),
            ],
        );
        if let Some(orders) = model.tables.get_mut(&qn("app.orders")) {
            orders.columns[3].default = expr("nextval('app.order_no')").ok();
        }
        add_constraint(&mut model, "app.accounts", "accounts_pkey", pk("id"));
        add_constraint(&mut model, "app.orders", "orders_pkey", pk("id"));
        add_constraint(
            &mut model,
            "app.orders",
            "orders_account_id_fkey",
            fk("account_id", "app.accounts", "id"),
        );
        add_constraint(
            &mut model,
            "app.accounts",
            "accounts_last_order_fkey",
            fk("last_order", "app.orders", "id"),
        );
        let tenant_ok = function(&mut model, "app.tenant_ok");
        let touch = function(&mut model, "app.touch");
        if let Some(orders) = model.tables.get_mut(&qn("app.orders")) {
            orders.policies.insert(
                Ident::new("tenant"),
                Box::new(Policy {
                    name: Ident::new("tenant"),
                    permissive: true,
                    command: PolicyCommand::All,
                    roles: vec![],
                    using: expr("app.tenant_ok(account_id)").ok(),
                    with_check: None,
                    comment: None,
                    meta: Meta::default(),
                }),
            );
            orders.triggers.insert(
                Ident::new("touch"),
                Trigger {
                    name: Ident::new("touch"),
                    timing: TriggerTiming::Before,
                    events: vec![TriggerEvent::Update(vec![])],
                    for_each_row: true,
                    when: None,
                    function: touch.name.clone(),
                    args: vec![],
                    constraint: false,
                    deferrable: false,
                    initially_deferred: false,
                    old_table: None,
                    new_table: None,
                    comment: None,
                    meta: Meta::default(),
                },
            );
        }
        let _ = tenant_ok;
        view(&mut model, "app.order_totals", &["app.orders"]);
        view(
            &mut model,
            "app.big_accounts",
            &["app.order_totals", "app.accounts"],
        );
        model
    }

    fn id(text: &str) -> ObjectId {
        let (kind, rest) = text.split_once(' ').expect("kind and name");
        let member = || {
            let (table, name) = rest.rsplit_once('.').expect("qualified member");
            (qn(table), Ident::new(name))
        };
        match kind {
            "table" => ObjectId::Table(qn(rest)),
            "view" => ObjectId::View(qn(rest)),
            "enum" => ObjectId::Enum(qn(rest)),
            "sequence" => ObjectId::Sequence(qn(rest)),
            "schema" => ObjectId::Schema(Ident::new(rest)),
            "function" => ObjectId::Function(FunctionId {
                name: qn(rest),
                arg_types: vec![],
            }),
            "constraint" => {
                let (table, name) = member();
                ObjectId::Constraint(table, name)
            }
            "index" => {
                let (table, name) = member();
                ObjectId::Index(table, name)
            }
            "policy" => {
                let (table, name) = member();
                ObjectId::Policy(table, name)
            }
            "trigger" => {
                let (table, name) = member();
                ObjectId::Trigger(table, name)
            }
            other => panic!("unknown kind {other}"),
        }
    }

    /// `dependent` has a direct edge to `dependency`.
    fn check_depends(graph: &DepGraph, dependent: &str, dependency: &str) {
        let deps = graph.dependencies(&id(dependent));
        assert!(
            deps.contains(&id(dependency)),
            "{dependent} should depend on {dependency}: {deps:?}"
        );
    }

    #[test]
    fn edges_follow_the_model() {
        let graph = DepGraph::build(&shop());
        check_depends(&graph, "enum app.status", "schema app");
        check_depends(&graph, "table app.orders", "enum app.status");
        check_depends(&graph, "table app.orders", "sequence app.order_no");
        check_depends(&graph, "table app.orders", "schema app");
        check_depends(
            &graph,
            "constraint app.accounts.accounts_last_order_fkey",
            "table app.orders",
        );
        check_depends(
            &graph,
            "constraint app.accounts.accounts_last_order_fkey",
            "constraint app.orders.orders_pkey",
        );
        check_depends(
            &graph,
            "constraint app.orders.orders_pkey",
            "table app.orders",
        );
        check_depends(&graph, "view app.order_totals", "table app.orders");
        check_depends(&graph, "view app.big_accounts", "view app.order_totals");
        check_depends(&graph, "view app.big_accounts", "table app.accounts");
        check_depends(&graph, "policy app.orders.tenant", "function app.tenant_ok");
        check_depends(&graph, "policy app.orders.tenant", "table app.orders");
        check_depends(&graph, "trigger app.orders.touch", "function app.touch");
        check_depends(&graph, "trigger app.orders.touch", "table app.orders");
        // FK cycles between tables never make a graph cycle: no table
        // depends on a constraint.
        for (from, to) in graph.edges() {
            assert!(
                !(matches!(from, ObjectId::Table(_)) && matches!(to, ObjectId::Constraint(..))),
                "{from} -> {to}"
            );
        }
        assert!(!graph
            .dependencies(&id("table app.accounts"))
            .contains(&id("table app.orders")));
        assert_eq!(graph.nodes().count(), 15);
    }

    #[test]
    fn function_bodies_and_unique_indexes_are_dependencies() {
        let mut model = Model::default();
        table(&mut model, "invoices", &[("id", "bigint"), ("no", "text")]);
        table(&mut model, "lines", &[("invoice_no", "text")]);
        if let Some(invoices) = model.tables.get_mut(&qn("invoices")) {
            let mut index = crate::plan::strategy::test_support::index("invoices_no_key", &["no"]);
            index.unique = true;
            invoices.indexes.insert(index.name.clone(), Box::new(index));
        }
        add_constraint(
            &mut model,
            "lines",
            "lines_invoice_no_fkey",
            fk("invoice_no", "invoices", "no"),
        );
        let total = function(&mut model, "total");
        if let Some(total) = model.functions.get_mut(&total) {
            total.language = "sql".into();
            total.body = "SELECT count(*) FROM invoices".into();
        }
        let graph = DepGraph::build(&model);
        check_depends(&graph, "function public.total", "table public.invoices");
        check_depends(
            &graph,
            "constraint public.lines.lines_invoice_no_fkey",
            "index public.invoices.invoices_no_key",
        );
        assert!(!graph
            .dependencies(&id("function public.total"))
            .contains(&id("table public.lines")));
    }

    #[test]
    fn serial_ownership_makes_no_cycle() {
        let model = shop();
        let graph = DepGraph::build(&model);
        assert!(graph
            .dependencies(&id("table app.orders"))
            .contains(&id("sequence app.order_no")));
        assert!(!graph
            .dependencies(&id("sequence app.order_no"))
            .contains(&id("table app.orders")));
        let mut unowned = model.clone();
        if let Some(orders) = unowned.tables.get_mut(&qn("app.orders")) {
            orders.columns[3].default = None;
        }
        let graph = DepGraph::build(&unowned);
        assert!(graph
            .dependencies(&id("sequence app.order_no"))
            .contains(&id("table app.orders")));
    }

    #[test]
    fn dot_and_mermaid() {
        let mut model = Model::default();
        table(&mut model, "accounts", &[("id", "uuid")]);
        table(&mut model, "orders", &[("account_id", "uuid")]);
        add_constraint(&mut model, "accounts", "accounts_pkey", pk("id"));
        add_constraint(
            &mut model,
            "orders",
            "orders_account_id_fkey",
            fk("account_id", "accounts", "id"),
        );
        let graph = DepGraph::build(&model);
        insta::assert_snapshot!(graph.to_dot(), @r#"
        digraph schema {
          rankdir=LR;
          node [shape=box];
          "table public.accounts";
          "table public.orders";
          "constraint public.accounts.accounts_pkey";
          "constraint public.orders.orders_account_id_fkey";
          "constraint public.accounts.accounts_pkey" -> "table public.accounts";
          "constraint public.orders.orders_account_id_fkey" -> "table public.accounts";
          "constraint public.orders.orders_account_id_fkey" -> "table public.orders";
          "constraint public.orders.orders_account_id_fkey" -> "constraint public.accounts.accounts_pkey";
        }
        "#);
        insta::assert_snapshot!(graph.to_mermaid(), @r#"
        graph LR
          n0["table public.accounts"]
          n1["table public.orders"]
          n2["constraint public.accounts.accounts_pkey"]
          n3["constraint public.orders.orders_account_id_fkey"]
          n2 --> n0
          n3 --> n0
          n3 --> n1
          n3 --> n2
        "#);
    }
}
