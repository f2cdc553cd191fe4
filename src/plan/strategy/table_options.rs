//! A table's storage parameters change: `ALTER TABLE t SET (name = value,
//! ...)` and `ALTER TABLE t RESET (name, ...)`, in one transaction.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-altertable.html, SET/RESET
//! storage parameters): the catalog changes only; nothing is scanned or
//! rewritten (a new fillfactor applies to pages written later). Changing
//! `fillfactor`, the TOAST and autovacuum parameters and `parallel_workers`
//! takes SHARE UPDATE EXCLUSIVE, which lets reads and writes go on; the
//! other parameters (`user_catalog_table`) take ACCESS EXCLUSIVE, and the
//! statement takes the strongest lock any of its parameters needs.

use super::Cx;
use crate::model::QualifiedName;
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, LockMode};

/// The lock `ALTER TABLE ... SET/RESET (name)` takes for one parameter.
fn lock_for(name: &str) -> LockMode {
    let option = name.strip_prefix("toast.").unwrap_or(name);
    let light = option == "fillfactor"
        || option == "parallel_workers"
        || option == "toast_tuple_target"
        || option == "vacuum_index_cleanup"
        || option == "vacuum_truncate"
        || option.starts_with("autovacuum_")
        || option.starts_with("log_autovacuum");
    if light {
        LockMode::ShareUpdateExclusive
    } else {
        LockMode::AccessExclusive
    }
}

pub(super) fn set_options(
    cx: &Cx<'_>,
    table: &QualifiedName,
    set: &[(String, String)],
    reset: &[String],
) -> Vec<Node> {
    let set_names: Vec<String> = set.iter().map(|(name, _)| name.clone()).collect();
    let mut steps = Vec::new();
    for (names, verb, statement) in [
        (
            &set_names,
            "set",
            crate::model::sql::alter_table_options(table, set, &[]),
        ),
        (
            &reset.to_vec(),
            "reset",
            crate::model::sql::alter_table_options(table, &[], reset),
        ),
    ] {
        let Some(statement) = statement.into_iter().next() else {
            continue;
        };
        let lock = names
            .iter()
            .map(|name| lock_for(name))
            .max()
            .unwrap_or(LockMode::ShareUpdateExclusive);
        let step = cx
            .step(
                Action::SetTableOptions {
                    table: table.clone(),
                },
                format!(
                    "{verb} the storage parameter{} {} of {table}",
                    if names.len() == 1 { "" } else { "s" },
                    names.join(", ")
                ),
                statement,
            )
            .on(table, lock);
        super::push_joining(&mut steps, step);
    }
    if steps.is_empty() {
        return Vec::new();
    }
    vec![cx
        .node(Phase::AlterTable, steps)
        .requires([Key::Relation(table.clone())])]
}

#[cfg(test)]
mod tests {
    use crate::plan::strategy::test_support::{column, model, plan_text, table};

    #[test]
    fn storage_parameters_are_set_and_reset_in_place() {
        let mut current = table("t", vec![column("id", "integer")]);
        current.options.set("autovacuum_enabled", "off");
        current.options.set("toast.autovacuum_enabled", "false");
        current.options.set("parallel_workers", "4");
        let mut desired = table("t", vec![column("id", "integer")]);
        // `off` and `false` are one value: no change.
        desired.options.set("autovacuum_enabled", "false");
        desired.options.set("toast.autovacuum_enabled", "false");
        desired.options.set("fillfactor", "70");
        insta::assert_snapshot!(plan_text(&model(vec![current]), &model(vec![desired])), @"
        tx ALTER TABLE public.t SET (fillfactor = '70')
        +tx ALTER TABLE public.t RESET (parallel_workers)
        ");
    }

    #[test]
    fn user_catalog_table_takes_the_strong_lock() {
        assert_eq!(
            super::lock_for("user_catalog_table"),
            crate::plan::LockMode::AccessExclusive
        );
        assert_eq!(
            super::lock_for("toast.autovacuum_vacuum_scale_factor"),
            crate::plan::LockMode::ShareUpdateExclusive
        );
    }
}
