//! A table's inheritance parents change: `ALTER TABLE child INHERIT parent`
//! and `ALTER TABLE child NO INHERIT parent`, never a rebuild of the child.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-altertable.html, INHERIT /
//! NO INHERIT): both change the catalog only; the child's rows stay where
//! they are and nothing is scanned or rewritten. The child is locked ACCESS
//! EXCLUSIVE (INHERIT is not among the subcommands the manual lists with a
//! lesser lock) and the parent SHARE UPDATE EXCLUSIVE, briefly. INHERIT
//! requires the child to have every column of the parent already; NO
//! INHERIT leaves the inherited columns in the child as its own.
//!
//! Ordering invariant: the parents keep the desired order (PostgreSQL
//! appends a new parent at the end), so parents after the longest common
//! prefix of the current and desired lists are removed and then added again
//! in order. The step runs after the parents exist and their columns are
//! added (requires their `Relation` and `Layout`), and a removed parent is
//! left before it is dropped (releases its `Relation`).

use super::Cx;
use crate::model::QualifiedName;
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, LockMode};

pub(super) fn set_inherits(
    cx: &Cx<'_>,
    table: &QualifiedName,
    current: &[QualifiedName],
    desired: &[QualifiedName],
) -> Vec<Node> {
    let common = current
        .iter()
        .zip(desired)
        .take_while(|(current_parent, desired_parent)| current_parent == desired_parent)
        .count();
    let removed = &current[common..];
    let added = &desired[common..];
    let mut steps = Vec::new();
    for parent in removed {
        let step = cx
            .step(
                Action::NoInherit {
                    table: table.clone(),
                    parent: parent.clone(),
                },
                format!("stop {table} inheriting from {parent}"),
                format!("ALTER TABLE {table} NO INHERIT {parent}"),
            )
            .on(table, LockMode::AccessExclusive)
            .lock(parent, LockMode::ShareUpdateExclusive);
        super::push_joining(&mut steps, step);
    }
    for parent in added {
        let step = cx
            .step(
                Action::Inherit {
                    table: table.clone(),
                    parent: parent.clone(),
                },
                format!("make {table} inherit from {parent} (its rows stay)"),
                format!("ALTER TABLE {table} INHERIT {parent}"),
            )
            .on(table, LockMode::AccessExclusive)
            .lock(parent, LockMode::ShareUpdateExclusive);
        super::push_joining(&mut steps, step);
    }
    if steps.is_empty() {
        return Vec::new();
    }
    let mut requires = vec![Key::Relation(table.clone()), Key::Layout(table.clone())];
    for parent in added {
        requires.push(Key::Relation(parent.clone()));
        requires.push(Key::Layout(parent.clone()));
    }
    let releases: Vec<Key> = removed
        .iter()
        .map(|parent| Key::Relation(parent.clone()))
        .collect();
    vec![cx
        .node(Phase::AlterTable, steps)
        .requires(requires)
        .releases(releases)]
}

#[cfg(test)]
mod tests {
    use crate::model::QualifiedName;
    use crate::plan::strategy::test_support::{column, model, plan_text, table};

    fn child(columns: &[&str], inherits: &[&str]) -> crate::model::Table {
        let mut res = table(
            "child",
            columns.iter().map(|name| column(name, "integer")).collect(),
        );
        res.inherits = inherits.iter().map(|p| QualifiedName::public(*p)).collect();
        res
    }

    #[test]
    fn an_existing_table_becomes_a_child_without_losing_columns() {
        let base = table("base", vec![column("id", "integer")]);
        let current = model(vec![base.clone(), child(&["id", "v"], &[])]);
        let desired = model(vec![base, child(&["v"], &["base"])]);
        insta::assert_snapshot!(plan_text(&current, &desired), @"tx ALTER TABLE public.child INHERIT public.base");
    }

    #[test]
    fn parents_keep_their_order() {
        let parents = ["a", "b", "c"].map(|name| table(name, vec![column("id", "integer")]));
        let mut current = model(parents.to_vec());
        let mut desired = current.clone();
        let current_child = child(&["v"], &["a", "b"]);
        let desired_child = child(&["v"], &["a", "c", "b"]);
        current
            .tables
            .insert(current_child.name.clone(), current_child);
        desired
            .tables
            .insert(desired_child.name.clone(), desired_child);
        insta::assert_snapshot!(plan_text(&current, &desired), @"
        tx ALTER TABLE public.child NO INHERIT public.b
        +tx ALTER TABLE public.child INHERIT public.c
        +tx ALTER TABLE public.child INHERIT public.b
        ");
    }

    #[test]
    fn a_child_leaves_its_parent_before_the_parent_is_dropped() {
        let base = table("base", vec![column("id", "integer")]);
        let current = model(vec![base, child(&["v"], &["base"])]);
        let desired = model(vec![child(&["id", "v"], &[])]);
        insta::assert_snapshot!(plan_text(&current, &desired), @"
        tx ALTER TABLE public.child NO INHERIT public.base
        tx DROP TABLE public.base
          ! data-loss
        ");
    }
}
