//! Diff of the indexes of one table or materialized view. A changed index
//! is dropped and created again (the planner builds the new one first);
//! current indexes are compared in the names after column renames, and on
//! a renamed table, or over a renamed column, an index with an identical
//! definition under another (unwanted) name is renamed instead. An
//! INVALID index the schema wants is rebuilt; one it does not want is
//! left alone (see the notes of `live::read_live`).

use super::{Change, DiffCtx};
use crate::model::{Ident, Index, ObjectId, QualifiedName};
use std::collections::BTreeMap;

pub(crate) fn comment_target(table: &QualifiedName, name: &Ident) -> String {
    format!("INDEX {}", table.with_name(name.clone()))
}

/// Equal apart from the name and the comment (and Meta, which never
/// counts). Destructured, so a new field of `Index` must be listed here.
pub(super) fn same_definition(a: &Index, b: &Index) -> bool {
    let Index {
        name: _,
        unique,
        nulls_not_distinct,
        method,
        keys,
        include,
        predicate,
        with,
        invalid: _,
        comment: _,
        meta: _,
    } = a;
    *unique == b.unique
        && *nulls_not_distinct == b.nulls_not_distinct
        && *method == b.method
        && *keys == b.keys
        && *include == b.include
        && *predicate == b.predicate
        && *with == b.with
}

pub(super) fn diff_indexes(
    ctx: &mut DiffCtx<'_>,
    table: &QualifiedName,
    current: &BTreeMap<Ident, Box<Index>>,
    desired: &BTreeMap<Ident, Box<Index>>,
    table_renamed: bool,
) {
    // The current indexes in the names after column renames (the current
    // map itself when no column of the table is renamed).
    let renamed_indexes: BTreeMap<Ident, Box<Index>>;
    let translated = if ctx.renames.renames_columns_of(table) {
        renamed_indexes = current
            .iter()
            .map(|(name, index)| (name.clone(), Box::new(ctx.renames.index(table, index))))
            .collect();
        &renamed_indexes
    } else {
        current
    };
    let mut matched: Vec<Ident> = Vec::new();
    for (name, desired_index) in desired {
        let mut current_index = translated.get(name).map(Box::as_ref);
        if current_index.is_none() {
            let hinted = desired_index
                .meta
                .renamed_from
                .as_ref()
                .and_then(|old| translated.get(old).map(Box::as_ref))
                .filter(|old| !desired.contains_key(&old.name));
            // A name that changed with a renamed table or column.
            let implicit = || {
                translated.values().map(Box::as_ref).find(|old| {
                    !old.invalid
                        && (table_renamed || current.get(&old.name).map(Box::as_ref) != Some(*old))
                        && !desired.contains_key(&old.name)
                        && same_definition(old, desired_index)
                })
            };
            if let Some(old) = hinted.or_else(implicit) {
                ctx.push(Change::RenameIndex {
                    table: table.clone(),
                    from: old.name.clone(),
                    to: name.clone(),
                    span: desired_index.meta.span,
                });
                current_index = Some(old);
            }
        }
        // An INVALID index the schema wants is rebuilt like a changed one:
        // the planner builds a valid copy concurrently under a temporary
        // name while the INVALID one stays (an INVALID unique index still
        // rejects duplicates among new rows), then drops it concurrently
        // and renames the copy (`plan::strategy::create_index`). That is
        // chosen over `REINDEX INDEX CONCURRENTLY` because it uses the steps
        // the executor already cleans up and resumes (an interrupted build
        // is an INVALID `<name>_new`, dropped before the retry), while a
        // failed REINDEX leaves an INVALID `_ccnew` index of its own, and
        // REINDEX cannot make an INVALID partitioned index valid.
        let rebuild = |c: &Index| c.invalid || !same_definition(c, desired_index);
        let recreated = current_index.is_some_and(rebuild);
        match current_index {
            None => ctx.push(Change::CreateIndex {
                table: table.clone(),
                index: Index::clone(desired_index),
            }),
            Some(current_index) => {
                matched.push(current_index.name.clone());
                if rebuild(current_index) {
                    let mut renamed = current_index.clone();
                    renamed.name = name.clone();
                    ctx.push(Change::DropIndex {
                        table: table.clone(),
                        index: renamed,
                    });
                    ctx.push(Change::CreateIndex {
                        table: table.clone(),
                        index: Index::clone(desired_index),
                    });
                }
            }
        }
        ctx.diff_comment(
            current_index
                .filter(|_| !recreated)
                .and_then(|index| index.comment.as_ref()),
            desired_index.comment.as_ref(),
            desired_index.meta.span,
            || {
                (
                    ObjectId::Index(table.clone(), name.clone()),
                    comment_target(table, name),
                )
            },
        );
    }
    for (name, current_index) in current {
        // An INVALID index the schema does not want is left alone, as
        // before this change: it may be a build still running; apply drops
        // it before it builds an index of that name.
        if !matched.contains(name) && !current_index.invalid {
            ctx.push(Change::DropIndex {
                table: table.clone(),
                index: Index::clone(current_index),
            });
        }
    }
}
