//! Lowering of the per-table items that are not columns, constraints or
//! indexes: policies, triggers and Citus distribution.
//!
//! Invariants: policy roles are sorted and deduplicated, `public` is
//! dropped (empty means PUBLIC); trigger events are in PostgreSQL's order
//! (INSERT, DELETE, UPDATE, TRUNCATE).

use super::table::deferral;
use super::{ident, qualified, Cx};
use crate::frontend::dsl::parse::Rule;
use crate::frontend::dsl::tree::{child, children, first_kid, has, kids, string_value, Node};
use crate::model::*;

impl Cx<'_> {
    pub(super) fn lower_shard(&mut self, node: &Node<'_>) -> Distribution {
        if has(node, Rule::kw_reference) {
            return Distribution::Reference;
        }
        let column = child(node, Rule::ident)
            .map(|c| ident(&c))
            .unwrap_or_default();
        let mut colocation = Colocation::Default;
        let mut shard_count = None;
        for opt in children(node, Rule::shard_opt) {
            if has(&opt, Rule::kw_colocate) {
                colocation = match child(&opt, Rule::qname) {
                    Some(target) => Colocation::Table(qualified(&target)),
                    None => Colocation::None,
                };
            } else if let Some(count) = child(&opt, Rule::int) {
                match count.as_str().parse::<u32>() {
                    Ok(count) if count > 0 => shard_count = Some(count),
                    _ => self.error(&count, "the shard count must be a positive number"),
                }
            }
        }
        Distribution::Hash {
            column,
            colocation,
            shard_count,
        }
    }

    pub(super) fn lower_policy(&mut self, node: &Node<'_>, comment: Option<String>) -> Policy {
        let name_node = child(node, Rule::ident);
        let mut policy = Policy {
            name: name_node.as_ref().map(ident).unwrap_or_default(),
            permissive: true,
            command: PolicyCommand::All,
            roles: Vec::new(),
            using: None,
            with_check: None,
            comment,
            meta: self.meta(node, name_node.as_ref()),
        };
        for clause in children(node, Rule::policy_clause) {
            let Some(clause) = first_kid(&clause) else {
                continue;
            };
            match clause.as_rule() {
                Rule::pol_as => policy.permissive = !has(&clause, Rule::kw_restrictive),
                Rule::pol_for => {
                    policy.command = match kids(&clause).nth(1).map(|k| k.as_rule()) {
                        Some(Rule::kw_select) => PolicyCommand::Select,
                        Some(Rule::kw_insert) => PolicyCommand::Insert,
                        Some(Rule::kw_update) => PolicyCommand::Update,
                        Some(Rule::kw_delete) => PolicyCommand::Delete,
                        _ => PolicyCommand::All,
                    }
                }
                Rule::pol_to => {
                    policy
                        .roles
                        .extend(children(&clause, Rule::ident).iter().map(ident));
                }
                Rule::pol_using => {
                    policy.using = child(&clause, Rule::paren_expr).map(|e| self.expr(&e))
                }
                Rule::pol_check => {
                    policy.with_check = child(&clause, Rule::paren_expr).map(|e| self.expr(&e))
                }
                _ => {}
            }
        }
        policy.roles.retain(|role| role.as_str() != "public");
        policy.roles.sort();
        policy.roles.dedup();
        policy
    }

    pub(super) fn lower_trigger(&mut self, node: &Node<'_>, comment: Option<String>) -> Trigger {
        let name_node = child(node, Rule::ident);
        let timing = match child(node, Rule::trg_timing)
            .and_then(|t| first_kid(&t))
            .map(|t| t.as_rule())
        {
            Some(Rule::kw_before) => TriggerTiming::Before,
            Some(Rule::kw_after) => TriggerTiming::After,
            _ => TriggerTiming::InsteadOf,
        };
        let mut events: Vec<TriggerEvent> = children(node, Rule::trg_event)
            .iter()
            .filter_map(|event| match first_kid(event).map(|k| k.as_rule()) {
                Some(Rule::kw_insert) => Some(TriggerEvent::Insert),
                Some(Rule::kw_delete) => Some(TriggerEvent::Delete),
                Some(Rule::kw_truncate) => Some(TriggerEvent::Truncate),
                Some(Rule::kw_update) => Some(TriggerEvent::Update(
                    child(event, Rule::ident_list)
                        .map(|l| children(&l, Rule::ident).iter().map(ident).collect())
                        .unwrap_or_default(),
                )),
                _ => None,
            })
            .collect();
        events.sort();
        events.dedup();
        let execute = child(node, Rule::trg_execute);
        let mut trigger = Trigger {
            name: name_node.as_ref().map(ident).unwrap_or_default(),
            timing,
            events,
            for_each_row: false,
            when: None,
            function: execute
                .as_ref()
                .and_then(|e| child(e, Rule::qname))
                .map_or_else(|| QualifiedName::public(""), |q| trigger_function(&q)),
            args: execute
                .as_ref()
                .map(|e| {
                    children(e, Rule::trg_arg)
                        .iter()
                        .map(|arg| match first_kid(arg) {
                            Some(s) if s.as_rule() == Rule::string => string_value(s.as_str()),
                            _ => arg.as_str().to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            constraint: has(node, Rule::kw_constraint),
            deferrable: false,
            initially_deferred: false,
            old_table: None,
            new_table: None,
            comment,
            meta: self.meta(node, name_node.as_ref()),
        };
        for clause in children(node, Rule::trg_clause) {
            let Some(clause) = first_kid(&clause) else {
                continue;
            };
            match clause.as_rule() {
                Rule::trg_for_each => trigger.for_each_row = has(&clause, Rule::kw_row),
                Rule::trg_when => {
                    trigger.when = child(&clause, Rule::paren_expr).map(|e| self.expr(&e))
                }
                Rule::trg_referencing => {
                    for transition in children(&clause, Rule::trg_transition) {
                        let name = child(&transition, Rule::ident).map(|node| ident(&node));
                        if has(&transition, Rule::kw_old) {
                            trigger.old_table = name;
                        } else {
                            trigger.new_table = name;
                        }
                    }
                }
                Rule::deferral => {
                    let (deferrable, deferred) =
                        deferral(&clause, trigger.deferrable, trigger.initially_deferred);
                    trigger.deferrable = deferrable;
                    trigger.initially_deferred = deferred;
                }
                _ => {}
            }
        }
        trigger
    }
}

/// A trigger's function: an unqualified built-in (`tsvector_update_trigger`)
/// is `pg_catalog`'s, as PostgreSQL resolves it; other unqualified names
/// are in `public`.
fn trigger_function(node: &Node<'_>) -> QualifiedName {
    let name = qualified(node);
    let unqualified = children(node, Rule::ident).len() == 1;
    if unqualified && BUILTIN_TRIGGER_FUNCTIONS.contains(&name.name.as_str()) {
        QualifiedName::new("pg_catalog", name.name.as_str())
    } else {
        name
    }
}
