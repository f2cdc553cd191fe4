//! Diff of the row-level-security policies of one table.

use super::{Change, DiffCtx};
use crate::model::{Ident, ObjectId, Policy, Table};

fn same_definition(a: &Policy, b: &Policy) -> bool {
    a.permissive == b.permissive
        && a.command == b.command
        && a.roles == b.roles
        && a.using == b.using
        && a.with_check == b.with_check
}

pub(super) fn diff_policies(ctx: &mut DiffCtx<'_>, current: &Table, desired: &Table) {
    let table = &desired.name;
    let mut matched: Vec<Ident> = Vec::new();
    for (name, desired_policy) in &desired.policies {
        let mut current_policy = current.policies.get(name);
        if current_policy.is_none() {
            if let Some(old) = desired_policy
                .meta
                .renamed_from
                .as_ref()
                .and_then(|old| current.policies.get(old))
                .filter(|old| !desired.policies.contains_key(&old.name))
            {
                ctx.push(Change::RenamePolicy {
                    table: table.clone(),
                    from: old.name.clone(),
                    to: name.clone(),
                    span: desired_policy.meta.span,
                });
                current_policy = Some(old);
            }
        }
        match current_policy {
            None => ctx.push(Change::CreatePolicy {
                table: table.clone(),
                policy: Policy::clone(desired_policy),
            }),
            Some(current_policy) => {
                matched.push(current_policy.name.clone());
                if !same_definition(current_policy, desired_policy) {
                    let mut renamed = current_policy.clone();
                    renamed.name = name.clone();
                    ctx.push(Change::AlterPolicy {
                        table: table.clone(),
                        current: *renamed,
                        desired: Policy::clone(desired_policy),
                    });
                }
            }
        }
        ctx.diff_comment(
            current_policy.and_then(|p| p.comment.as_ref()),
            desired_policy.comment.as_ref(),
            desired_policy.meta.span,
            || {
                (
                    ObjectId::Policy(table.clone(), name.clone()),
                    format!("POLICY {name} ON {table}"),
                )
            },
        );
    }
    for (name, current_policy) in &current.policies {
        if !matched.contains(name) {
            ctx.push(Change::DropPolicy {
                table: table.clone(),
                policy: Policy::clone(current_policy),
            });
        }
    }
}
