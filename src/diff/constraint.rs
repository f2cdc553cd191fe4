//! Diff of the constraints of one table. A changed constraint is dropped
//! and added again (PostgreSQL cannot alter a constraint's definition).
//! Current constraints are compared in the names after table and column
//! renames (`super::rename`). On a renamed table, a constraint with
//! PostgreSQL's default name for the old table and an identical definition
//! is renamed, not rebuilt; so is a constraint over a renamed column (or
//! referencing a renamed table) whose definition, translated, is equal.
//! A constraint the database holds NOT VALID that the schema wants valid
//! is validated (`ValidateConstraint`); NOT VALID never counts as a
//! difference of definition.

use super::{Change, DiffCtx};
use crate::model::{Constraint, Ident, ObjectId, QualifiedName, Table};
use std::collections::BTreeMap;

pub(crate) fn comment_target(table: &QualifiedName, name: &Ident) -> String {
    format!("CONSTRAINT {name} ON {table}")
}

/// Equal apart from the name (and Meta, which never counts).
pub(super) fn same_definition(a: &Constraint, b: &Constraint) -> bool {
    a.kind == b.kind && a.deferrable == b.deferrable && a.initially_deferred == b.initially_deferred
}

pub(super) fn diff_constraints(
    ctx: &mut DiffCtx<'_>,
    current: &Table,
    desired: &Table,
    table_renamed: bool,
    adopted_indexes: &[Ident],
) {
    let table = &desired.name;
    // The current constraints in the names after renames (the current map
    // itself when nothing is renamed).
    let renamed_constraints: BTreeMap<Ident, Box<Constraint>>;
    let translated = if ctx.renames.is_empty() {
        &current.constraints
    } else {
        renamed_constraints = current
            .constraints
            .iter()
            .map(|(name, c)| (name.clone(), Box::new(ctx.renames.constraint(table, c))))
            .collect();
        &renamed_constraints
    };
    let mut matched: Vec<Ident> = Vec::new();
    for (name, desired_constraint) in &desired.constraints {
        let mut current_constraint = translated.get(name);
        if current_constraint.is_none() {
            let hinted = desired_constraint
                .meta
                .renamed_from
                .as_ref()
                .and_then(|old| translated.get(old))
                .filter(|old| !desired.constraints.contains_key(&old.name));
            // A default name that changed with a renamed table or column.
            let implicit = || {
                translated.values().find(|old| {
                    let follows_rename = (table_renamed
                        && old.name.as_str().starts_with(current.name.name.as_str()))
                        || current.constraints.get(&old.name) != Some(*old);
                    follows_rename
                        && !desired.constraints.contains_key(&old.name)
                        && same_definition(old, desired_constraint)
                })
            };
            if let Some(old) = hinted.or_else(implicit) {
                ctx.push(Change::RenameConstraint {
                    table: table.clone(),
                    from: old.name.clone(),
                    to: name.clone(),
                    span: desired_constraint.meta.span,
                });
                current_constraint = Some(old);
            }
        }
        let recreated = current_constraint.is_some_and(|c| !same_definition(c, desired_constraint));
        match current_constraint {
            None if adopted_indexes.contains(name) => ctx.push(Change::AddConstraintUsingIndex {
                table: table.clone(),
                constraint: Constraint::clone(desired_constraint),
            }),
            None => ctx.push(Change::AddConstraint {
                table: table.clone(),
                constraint: Constraint::clone(desired_constraint),
            }),
            Some(current_constraint) => {
                matched.push(current_constraint.name.clone());
                if same_definition(current_constraint, desired_constraint) {
                    // Convergence means valid: a constraint the database
                    // holds NOT VALID (added so, or its VALIDATE failed)
                    // is validated unless the schema declares it NOT VALID.
                    if current_constraint.not_valid && !desired_constraint.not_valid {
                        ctx.push(Change::ValidateConstraint {
                            table: table.clone(),
                            constraint: Constraint::clone(desired_constraint),
                        });
                    }
                } else {
                    // Dropped as it is now (by its current name).
                    let original = current
                        .constraints
                        .get(&current_constraint.name)
                        .unwrap_or(current_constraint);
                    ctx.push(Change::DropConstraint {
                        table: table.clone(),
                        constraint: Constraint::clone(original),
                    });
                    ctx.push(Change::AddConstraint {
                        table: table.clone(),
                        constraint: Constraint::clone(desired_constraint),
                    });
                }
            }
        }
        ctx.diff_comment(
            current_constraint
                .filter(|_| !recreated)
                .and_then(|c| c.comment.as_ref()),
            desired_constraint.comment.as_ref(),
            desired_constraint.meta.span,
            || {
                (
                    ObjectId::Constraint(table.clone(), name.clone()),
                    comment_target(table, name),
                )
            },
        );
    }
    for (name, current_constraint) in &current.constraints {
        if !matched.contains(name) && !is_consumed_helper(current, desired, current_constraint) {
            ctx.push(Change::DropConstraint {
                table: table.clone(),
                constraint: Constraint::clone(current_constraint),
            });
        }
    }
}

/// A helper CHECK of an interrupted online `SET NOT NULL` that this plan's
/// `SET NOT NULL` of the same column takes over (and drops itself).
fn is_consumed_helper(current: &Table, desired: &Table, constraint: &Constraint) -> bool {
    // A constraint the desired schema declares is never a helper.
    if desired.constraints.contains_key(&constraint.name) {
        return false;
    }
    desired.columns.iter().any(|column| {
        column.not_null
            && current.column(&column.name).is_some_and(|c| !c.not_null)
            && current
                .not_null_helper(&column.name)
                .is_some_and(|helper| helper.name == constraint.name)
    })
}
