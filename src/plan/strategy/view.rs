//! Creating, replacing and dropping views and materialized views.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-createview.html):
//! `CREATE OR REPLACE VIEW` swaps the query under ACCESS EXCLUSIVE on the
//! view, but only when the new query keeps the existing columns (same
//! names and types, in order, new ones appended); other changes, and every
//! change of a materialized view (which holds data), drop and create. A
//! materialized view is populated by running its query (a full scan of
//! what it reads). A column that a view uses cannot be dropped or retyped.
//!
//! Ordering invariant: a view is dropped before the columns or relations
//! it reads are dropped, renamed or retyped (it releases their `Shape`),
//! and created after they are final (it requires their `Layout`); a
//! replaced view goes before the functions only its old query calls are
//! dropped.

use super::create_index::index_action;
use super::{dep_keys, expr_keys, replaced_uses, schema_key, Cx};
use crate::graph::deps;
use crate::model::{sql, QualifiedName, View};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, Hazard, LockMode, Step};
use std::collections::BTreeSet;

fn reads(cx: &Cx<'_>, model: &crate::model::Model, view: &View) -> Vec<Key> {
    let _ = cx;
    let mut res = dep_keys(deps::view(model, view));
    res.extend(
        view.depends_on
            .iter()
            .map(|relation| Key::Layout(relation.clone())),
    );
    res
}

fn create_step(cx: &Cx<'_>, view: &View, or_replace: bool) -> Step {
    let kind = sql::view_kind(view).to_lowercase();
    let mut step = cx
        .step(
            Action::CreateView {
                name: view.name.clone(),
                materialized: view.materialized,
                or_replace,
            },
            format!("create {kind} {}", view.name),
            sql::create_view(view, or_replace),
        )
        .on(&view.name, LockMode::AccessExclusive);
    for relation in &view.depends_on {
        step = step.lock(relation, LockMode::AccessShare);
    }
    if view.materialized && !reads_only_new_relations(cx, view) {
        step = step.scanning().hazard(
            Hazard::FullScan,
            format!(
                "materialized view {} is populated by running its query",
                view.name
            ),
        );
    }
    step
}

/// True when every relation the view reads is created (empty) by this plan,
/// directly or through views that are new too: populating it scans nothing.
fn reads_only_new_relations(cx: &Cx<'_>, view: &View) -> bool {
    let current = cx.ctx.current;
    if view.depends_on.is_empty() {
        // Not known what it reads (or nothing): populating may scan.
        return false;
    }
    let mut pending: Vec<&QualifiedName> = view.depends_on.iter().collect();
    let mut seen = BTreeSet::new();
    while let Some(relation) = pending.pop() {
        if !seen.insert(relation) || cx.created.contains(relation) {
            continue;
        }
        let exists = current.tables.contains_key(relation)
            || current.views.contains_key(relation)
            || current.sequences.contains_key(relation);
        match cx.ctx.desired.views.get(relation) {
            Some(new_view) if !exists => pending.extend(new_view.depends_on.iter()),
            _ => return false,
        }
    }
    true
}

pub(super) fn create_view(cx: &Cx<'_>, view: &View) -> Vec<Node> {
    let mut steps = vec![create_step(cx, view, false)];
    let mut provides = vec![
        Key::Relation(view.name.clone()),
        Key::Layout(view.name.clone()),
    ];
    for index in view.indexes.values() {
        provides.push(Key::Index(view.name.clone(), index.name.clone()));
        steps.push(
            cx.step(
                index_action(&view.name, index, false, false),
                format!(
                    "create index {} on new materialized view {}",
                    index.name, view.name
                ),
                sql::create_index(&view.name, index, sql::IndexForm::default()),
            )
            .on(&view.name, LockMode::Share)
            .joining(),
        );
    }
    let mut requires = reads(cx, cx.ctx.desired, view);
    requires.retain(|key| !provides.contains(key));
    vec![cx
        .node(Phase::CreateView, steps)
        .provides(provides)
        .requires(requires)]
}

pub(super) fn replace_view(cx: &Cx<'_>, current: &View, desired: &View) -> Vec<Node> {
    let step = create_step(cx, desired, true);
    let mut requires = reads(cx, cx.ctx.desired, desired);
    requires.retain(|key| {
        key != &Key::Relation(desired.name.clone()) && key != &Key::Layout(desired.name.clone())
    });
    vec![cx
        .node(Phase::CreateView, vec![step])
        .provides([
            Key::Relation(desired.name.clone()),
            Key::Layout(desired.name.clone()),
        ])
        .requires(requires)
        .releases(replaced_uses(reads(cx, cx.ctx.current, current)))]
}

pub(super) fn drop_view(cx: &Cx<'_>, view: &View) -> Vec<Node> {
    let kind = sql::view_kind(view);
    let step = cx
        .step(
            Action::DropView {
                name: view.name.clone(),
                materialized: view.materialized,
            },
            format!("drop {} {}", kind.to_lowercase(), view.name),
            format!("DROP {kind} {}", view.name),
        )
        .on(&view.name, LockMode::AccessExclusive);
    let mut releases: Vec<Key> = Vec::new();
    for relation in &view.depends_on {
        releases.push(Key::Relation(relation.clone()));
        releases.push(Key::Shape(relation.clone()));
    }
    releases.extend(expr_keys(cx.ctx.current, None, &view.query.sql));
    releases.extend(schema_key(&view.name));
    vec![cx
        .node(Phase::DropView, vec![step])
        .removes([
            Key::Relation(view.name.clone()),
            Key::Shape(view.name.clone()),
        ])
        .releases(releases)]
}
