//! Diff of the rewrite rules of one table: created, dropped, and a
//! changed definition replaced in place (`CREATE OR REPLACE RULE`, one
//! statement, so no write ever runs without the rule). Definitions are
//! compared as the Model holds them: canonical forms, which the shadow
//! database has brought to the catalog's text when a database is at hand.

use super::{Change, DiffCtx};
use crate::model::{ObjectId, Table};

pub(super) fn diff_rules(ctx: &mut DiffCtx<'_>, current: Option<&Table>, desired: &Table) {
    let table = &desired.name;
    for (name, wanted) in &desired.rules {
        let existing = current.and_then(|current| current.rules.get(name));
        match existing {
            None => ctx.push(Change::CreateRule {
                table: table.clone(),
                rule: wanted.clone(),
            }),
            Some(existing) => {
                let mut comparable = existing.clone();
                comparable.comment = wanted.comment.clone();
                if &comparable != wanted {
                    ctx.push(Change::ReplaceRule {
                        table: table.clone(),
                        current: existing.clone(),
                        desired: wanted.clone(),
                    });
                }
            }
        }
        ctx.diff_comment(
            // CREATE OR REPLACE RULE keeps the rule's comment.
            existing.and_then(|rule| rule.comment.as_ref()),
            wanted.comment.as_ref(),
            wanted.meta.span,
            || {
                (
                    ObjectId::Rule(table.clone(), name.clone()),
                    format!("RULE {name} ON {table}"),
                )
            },
        );
    }
    let Some(current) = current else {
        return;
    };
    for (name, existing) in &current.rules {
        if !desired.rules.contains_key(name) {
            ctx.push(Change::DropRule {
                table: table.clone(),
                rule: existing.clone(),
            });
        }
    }
}
