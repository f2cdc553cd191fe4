//! Diff of the columns of one table. Column order is not compared (a
//! column cannot be moved in PostgreSQL); new columns are appended.
//!
//! Per column the alterations come out in an order that PostgreSQL
//! accepts: the default is dropped before a type change and set again
//! after it.

use super::{Change, ColumnChange, DiffCtx};
use crate::model::{
    inherit, sql, Column, Ident, Identity, ObjectId, QualifiedName, SequenceOptions, Table,
    TypeName,
};

pub(crate) fn comment_target(table: &QualifiedName, column: &Ident) -> String {
    format!("COLUMN {table}.{column}")
}

pub(super) fn diff_columns(ctx: &mut DiffCtx<'_>, current: &Table, desired: &Table) {
    let table = &desired.name;
    // An inheritance child's columns from its parents are not in
    // `columns` (see `model::inherit`): a column the desired parents
    // provide is never dropped from the child, and one the current parents
    // provide already exists in it (NO INHERIT leaves it there).
    let from_desired_parents = inherit::inherited_columns(ctx.desired, &desired.name);
    let from_current_parents = inherit::inherited_columns(ctx.current, &current.name);
    let mut matched_current: Vec<&Ident> = Vec::new();
    for desired_column in &desired.columns {
        let mut current_column = current.column(&desired_column.name);
        if current_column.is_none() {
            if let Some(old) = &desired_column.meta.renamed_from {
                if let Some(old_column) = current.column(old) {
                    if desired.column(old).is_none() {
                        ctx.push(Change::RenameColumn {
                            table: table.clone(),
                            from: Ident::clone(old),
                            to: desired_column.name.clone(),
                            span: desired_column.meta.span,
                        });
                        ctx.reshaped.insert(table.clone());
                        current_column = Some(old_column);
                    }
                }
            }
        }
        match current_column {
            None if from_current_parents.contains(&desired_column.name) => {}
            None => ctx.push(Change::AddColumn {
                table: table.clone(),
                column: desired_column.clone(),
            }),
            Some(current_column) => {
                matched_current.push(&current_column.name);
                diff_column(ctx, table, current_column, desired_column);
            }
        }
        ctx.diff_comment(
            current_column.and_then(|column| column.comment.as_ref()),
            desired_column.comment.as_ref(),
            desired_column.meta.span,
            || {
                (
                    ObjectId::Column(table.clone(), desired_column.name.clone()),
                    comment_target(table, &desired_column.name),
                )
            },
        );
    }
    for current_column in &current.columns {
        if !matched_current.contains(&&current_column.name)
            && !from_desired_parents.contains(&current_column.name)
        {
            ctx.reshaped.insert(table.clone());
            ctx.dropped_columns
                .insert((current.name.clone(), current_column.name.clone()));
            ctx.push(Change::DropColumn {
                table: table.clone(),
                column: current_column.clone(),
            });
        }
    }
    diff_inherited_columns(ctx, current, desired);
}

/// Columns that change hands when the parents change: `INHERIT` needs the
/// child to have every column of the new parent already (added here, as
/// the parent declares it), and a column of a parent the child leaves
/// stays in the child unless the desired child declares it, so it is
/// dropped (after the `NO INHERIT`: drops come after table alterations).
fn diff_inherited_columns(ctx: &mut DiffCtx<'_>, current: &Table, desired: &Table) {
    if current.inherits == desired.inherits {
        return;
    }
    let table = &desired.name;
    let from_desired_parents = inherit::inherited_columns(ctx.desired, &desired.name);
    let from_current_parents = inherit::inherited_columns(ctx.current, &current.name);
    let mut added: Vec<Ident> = Vec::new();
    for parent in desired
        .inherits
        .iter()
        .filter(|parent| !current.inherits.contains(parent))
    {
        for parent_column in inherit::all_columns(ctx.desired, parent) {
            let name = &parent_column.name;
            if current.column(name).is_some()
                || from_current_parents.contains(name)
                || added.contains(name)
            {
                continue;
            }
            added.push(name.clone());
            let mut column = parent_column.clone();
            column.comment = None;
            ctx.push(Change::AddColumn {
                table: table.clone(),
                column,
            });
        }
    }
    for parent_column in inherit::inherited_column_defs(ctx.current, &current.name) {
        let name = &parent_column.name;
        if from_desired_parents.contains(name) || desired.column(name).is_some() {
            continue;
        }
        ctx.reshaped.insert(table.clone());
        ctx.dropped_columns
            .insert((current.name.clone(), name.clone()));
        ctx.push(Change::DropColumn {
            table: table.clone(),
            column: parent_column.clone(),
        });
    }
}

/// The identity as PostgreSQL leaves it after `ALTER COLUMN ... TYPE ty`:
/// the sequence takes the new type, and a bound that was the old type's
/// default becomes the new type's default.
fn retyped_identity(identity: &Identity, ty: &TypeName) -> Identity {
    let options = &identity.options;
    let old = SequenceOptions::defaults(options.data_type.clone(), options.increment);
    let new = SequenceOptions::defaults(sql::sequence_type(ty), options.increment);
    let mut res = identity.clone();
    res.options.data_type = new.data_type.clone();
    if options.max_value == old.max_value {
        res.options.max_value = new.max_value;
    }
    if options.min_value == old.min_value {
        res.options.min_value = new.min_value;
    }
    if options.start == old.start {
        res.options.start = new.start;
    }
    res
}

fn diff_column(ctx: &mut DiffCtx<'_>, table: &QualifiedName, current: &Column, desired: &Column) {
    let span = desired.meta.span;
    let alter = |ctx: &mut DiffCtx<'_>, change: ColumnChange| {
        ctx.push(Change::AlterColumn {
            table: table.clone(),
            column: desired.name.clone(),
            change,
            span,
        })
    };
    if current.generated != desired.generated {
        // A stored generated column is dropped and added again; that
        // covers every other attribute too.
        ctx.reshaped.insert(table.clone());
        alter(
            ctx,
            ColumnChange::Generated {
                from: current.generated.as_deref().cloned(),
                to: Box::new(desired.clone()),
            },
        );
        return;
    }
    let type_changed = current.ty != desired.ty;
    // PostgreSQL retypes the identity sequence with the column (and moves
    // a default bound to the new type's), so compare against that.
    let current_identity = match (&current.identity, type_changed) {
        (Some(identity), true) => Some(retyped_identity(identity, &desired.ty)),
        (identity, _) => identity.as_deref().cloned(),
    };
    let mut default_dropped = false;
    if type_changed {
        ctx.reshaped.insert(table.clone());
        if current.default.is_some() {
            alter(ctx, ColumnChange::DropDefault);
            default_dropped = true;
        }
        alter(
            ctx,
            ColumnChange::Type {
                from: current.ty.clone(),
                to: desired.ty.clone(),
                collation: desired.collation.as_deref().cloned(),
            },
        );
    } else if current.collation != desired.collation {
        ctx.reshaped.insert(table.clone());
        alter(
            ctx,
            ColumnChange::Collation {
                ty: desired.ty.clone(),
                from: current.collation.as_deref().cloned(),
                to: desired.collation.as_deref().cloned(),
            },
        );
    }
    // After the type change: the options then refer to the new type.
    if current_identity.as_ref() != desired.identity.as_deref() {
        alter(
            ctx,
            ColumnChange::Identity {
                from: current_identity,
                to: desired.identity.as_deref().cloned(),
            },
        );
    }
    if default_dropped || current.default != desired.default {
        match &desired.default {
            Some(default) => alter(ctx, ColumnChange::SetDefault(default.clone())),
            None if !default_dropped => alter(ctx, ColumnChange::DropDefault),
            None => {}
        }
    }
    if current.not_null && !desired.not_null {
        alter(ctx, ColumnChange::DropNotNull);
    }
    if !current.not_null && desired.not_null {
        alter(ctx, ColumnChange::SetNotNull);
    }
}
