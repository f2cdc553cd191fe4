//! Transactions for what the plan creates: consecutive steps that only
//! touch objects new in this plan run in one transaction, so that creating
//! a schema (or a part of one) from scratch is atomic where PostgreSQL
//! allows it.
//!
//! Invariants:
//! - A step joins its predecessor only when both are *fresh*: transactional,
//!   free of hazards, locking only relations this plan creates, and of an
//!   action that PostgreSQL runs inside a transaction with the steps around
//!   it (not an enum value the same transaction could not use, not a Citus
//!   call, not raw SQL). Locks on relations that exist are never held
//!   longer than the strategies decided.
//! - A step on a table that an earlier step distributed (a Citus call, or
//!   the distribution of its schema) keeps its own transaction: Citus runs DDL on a distributed table over
//!   several connections per node, after which the same transaction may
//!   not touch a table with a foreign key to a reference table.
//! - Only `joins_previous` changes; the order of the steps does not.

use super::{Action, Step};
use crate::model::{Ident, Model, QualifiedName};
use std::collections::BTreeSet;

/// Marks every fresh step that follows a fresh step as joining it.
pub(crate) fn join_fresh_steps(
    steps: &mut [Step],
    current: &Model,
    created: &BTreeSet<QualifiedName>,
) {
    let fresh_relations = fresh_relations(steps, current, created);
    let mut distributed: BTreeSet<&QualifiedName> = BTreeSet::new();
    let mut distributed_schemas: BTreeSet<&Ident> = BTreeSet::new();
    let mut fresh = Vec::with_capacity(steps.len());
    for step in steps.iter() {
        let on_distributed = step.locks.iter().any(|lock| {
            distributed.contains(&lock.relation)
                || distributed_schemas.contains(&lock.relation.schema)
        });
        fresh.push(!on_distributed && is_fresh(step, &fresh_relations));
        match &step.action {
            Action::Distribute { table, .. } | Action::AlterDistribution { table } => {
                distributed.insert(table);
            }
            Action::DistributeSchema { schema } => {
                distributed_schemas.insert(schema);
            }
            _ => {}
        }
    }
    for idx in 1..steps.len() {
        if fresh[idx] && fresh[idx - 1] {
            steps[idx].joins_previous = true;
        }
    }
}

/// Relations that do not exist before the plan and that it creates: new
/// tables, and views and sequences no current object has the name of.
fn fresh_relations(
    steps: &[Step],
    current: &Model,
    created: &BTreeSet<QualifiedName>,
) -> BTreeSet<QualifiedName> {
    let exists = |name: &QualifiedName| {
        current.tables.contains_key(name)
            || current.views.contains_key(name)
            || current.sequences.contains_key(name)
    };
    let mut res = created.clone();
    for step in steps {
        match &step.action {
            Action::CreateView { name, .. } | Action::CreateSequence { name } if !exists(name) => {
                res.insert(name.clone());
            }
            _ => {}
        }
    }
    res.retain(|name| !exists(name));
    res
}

fn is_fresh(step: &Step, fresh_relations: &BTreeSet<QualifiedName>) -> bool {
    let fresh = |name: &QualifiedName| fresh_relations.contains(name);
    let new_object = match &step.action {
        // New objects that do not lock any relation.
        Action::CreateSchema { .. }
        | Action::CreateExtension { .. }
        | Action::CreateEnum { .. }
        | Action::CreateDomain { .. }
        | Action::CreateFunction { .. }
        | Action::CreateAggregate { .. }
        // A comment changes the catalog only; on a relation it locks it
        // (recorded), and that lock must be on a new one as well.
        | Action::SetComment { .. }
        // GRANT and REVOKE change the catalog only and lock no relation.
        | Action::Grant { .. }
        | Action::Revoke { .. }
        | Action::AlterDefaultPrivileges { .. } => true,
        Action::CreateSequence { name } | Action::CreateView { name, .. } => fresh(name),
        // What is built on a new table.
        Action::CreateTable { table, .. }
        | Action::AddColumn { table, .. }
        | Action::AddConstraint { table, .. }
        | Action::CreateIndex { table, .. }
        | Action::EnableRls { table }
        | Action::ForceRls { table }
        | Action::CreatePolicy { table, .. }
        | Action::CreateTrigger { table, .. } => fresh(table),
        Action::SetSequenceOwner { name, owner } => {
            fresh(name) && owner.as_ref().is_none_or(|(table, _)| fresh(table))
        }
        _ => false,
    };
    new_object
        && step.transactional
        && step.hazards.is_empty()
        && step.locks.iter().all(|lock| fresh(&lock.relation))
}

#[cfg(test)]
mod tests {
    use crate::model::*;
    use crate::plan::strategy::test_support::*;

    /// New tables (with their FKs to each other) form one transaction; a
    /// step on a table that exists keeps its own, and so does a step that
    /// locks an existing table (an FK from a new table to it).
    #[test]
    fn new_objects_share_a_transaction_existing_tables_do_not() {
        let users = table("users", vec![not_null(column("id", "bigint"))]);
        let current = model(vec![add_constraint(
            users.clone(),
            pk("users_pkey", &["id"]),
        )]);
        let mut desired = current.clone();
        let users = desired
            .tables
            .get_mut(&QualifiedName::public("users"))
            .expect("users");
        users.columns.push(column("email", "text"));
        for name in ["a", "b"] {
            desired.tables.insert(
                QualifiedName::public(name),
                table(name, vec![not_null(column("id", "bigint"))]),
            );
        }
        let audit = add_constraint(
            table("audit", vec![column("user_id", "bigint")]),
            fk("audit_user_fk", &["user_id"], "users", &["id"]),
        );
        desired.tables.insert(audit.name.clone(), audit);
        insta::assert_snapshot!(plan_text(&current, &desired), @r#"
tx CREATE TABLE public.a (id bigint NOT NULL)
+tx CREATE TABLE public.audit (user_id bigint)
+tx CREATE TABLE public.b (id bigint NOT NULL)
tx ALTER TABLE public.users ADD COLUMN email text
tx ALTER TABLE public.audit ADD CONSTRAINT audit_user_fk FOREIGN KEY (user_id) REFERENCES public.users (id)
"#);
    }

    /// A foreign key added to a table after Citus distributed it keeps its
    /// own transaction (Citus refuses an FK to a reference table in a
    /// transaction that already ran parallel DDL on a distributed table).
    #[test]
    fn steps_after_a_distribution_call_keep_their_own_transaction() {
        let current = model(vec![]);
        let mut accounts = add_constraint(
            table("accounts", vec![not_null(column("id", "bigint"))]),
            pk("accounts_pkey", &["id"]),
        );
        accounts.distribution = Some(Distribution::Reference);
        let mut orders = table(
            "orders",
            vec![
                not_null(column("account_id", "bigint")),
                column("other", "bigint"),
            ],
        );
        orders = add_constraint(
            orders,
            fk("orders_account_fk", &["account_id"], "accounts", &["id"]),
        );
        orders = add_constraint(
            orders,
            fk("orders_other_fk", &["other"], "accounts", &["id"]),
        );
        orders.distribution = Some(Distribution::Hash {
            column: Ident::new("account_id"),
            colocation: Colocation::Default,
            shard_count: None,
        });
        let desired = model(vec![accounts, orders]);
        insta::assert_snapshot!(plan_text(&current, &desired), @r"
tx CREATE TABLE public.accounts (id bigint NOT NULL, CONSTRAINT accounts_pkey PRIMARY KEY (id))
+tx CREATE TABLE public.orders (account_id bigint NOT NULL, other bigint)
tx SELECT create_reference_table('public.accounts')
tx SELECT create_distributed_table('public.orders', 'account_id')
tx ALTER TABLE public.orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES public.accounts (id)
tx ALTER TABLE public.orders ADD CONSTRAINT orders_other_fk FOREIGN KEY (other) REFERENCES public.accounts (id)
");
    }
}
