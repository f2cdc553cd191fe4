//! `was` rename hints on objects other than tables, columns, constraints,
//! indexes and policies: schemas, enums, domains, composite types,
//! sequences, views,
//! materialized views, functions, procedures and triggers.
//!
//! A hinted object whose old name exists in the current Model (and whose
//! new name does not, and whose old name the desired Model no longer
//! uses) is renamed with `ALTER ... RENAME TO`, never dropped and created:
//! PostgreSQL keeps everything that refers to it (column types and their
//! values, a sequence's value, triggers calling a function).
//!
//! The current Model is then translated into the new names
//! ([`translate`]: keys, references and names inside expressions), so the
//! ordinary diff compares the renamed objects, and everything that
//! follows them, in the new names, and only a real difference becomes a
//! change.
//!
//! Invariant: without a hint nothing is translated ([`follow_renames`]
//! returns `None`), so diffs without hints are exactly as before.

mod translate;

use super::Change;
use crate::model::{FunctionId, Ident, Model, ObjectId, QualifiedName, RenameKind};
use crate::source::Span;
use std::collections::BTreeMap;
pub(crate) use translate::Translation;

/// The current Model in the new names, and the renames that get it there.
#[derive(Debug, Clone)]
pub struct Followed {
    pub current: Model,
    pub changes: Vec<Change<'static>>,
}

/// Renames hinted in `desired` that apply to `current`; `None` when there
/// are none.
pub fn follow_renames(current: &Model, desired: &Model) -> Option<Followed> {
    let mut translation = Translation::default();
    let mut changes: Vec<Change<'static>> = Vec::new();
    for (name, schema) in &desired.schemas {
        let Some(old) = &schema.meta.renamed_from else {
            continue;
        };
        if current.schemas.contains_key(old)
            && !current.schemas.contains_key(name)
            && !desired.schemas.contains_key(old)
        {
            translation.schemas.insert(Ident::clone(old), name.clone());
            changes.push(Change::RenameSchema {
                from: Ident::clone(old),
                to: name.clone(),
                span: schema.meta.span,
            });
        }
    }
    let renamed_schemas = translation.schemas.clone();
    let old_schema = |schema: &Ident| -> Ident {
        renamed_schemas
            .iter()
            .find(|(_, new)| *new == schema)
            .map(|(old, _)| old.clone())
            .unwrap_or_else(|| schema.clone())
    };
    // (current name, desired name, kind, span) of relation-like objects.
    let mut hinted: Vec<(QualifiedName, QualifiedName, RenameKind, Option<Span>)> = Vec::new();
    let mut candidate =
        |name: &QualifiedName, old: &Option<Box<Ident>>, kind: RenameKind, span: Option<Span>| {
            if let Some(old) = old {
                let current_name = QualifiedName {
                    schema: old_schema(&name.schema),
                    name: Ident::clone(old),
                };
                hinted.push((current_name, name.clone(), kind, span));
            }
        };
    for (name, e) in &desired.enums {
        candidate(name, &e.meta.renamed_from, RenameKind::Enum, e.meta.span);
    }
    for (name, d) in &desired.domains {
        candidate(name, &d.meta.renamed_from, RenameKind::Domain, d.meta.span);
    }
    for (name, t) in &desired.composites {
        candidate(
            name,
            &t.meta.renamed_from,
            RenameKind::Composite,
            t.meta.span,
        );
    }
    for (name, s) in &desired.sequences {
        candidate(
            name,
            &s.meta.renamed_from,
            RenameKind::Sequence,
            s.meta.span,
        );
    }
    for (name, v) in &desired.views {
        let kind = if v.materialized {
            RenameKind::MaterializedView
        } else {
            RenameKind::View
        };
        candidate(name, &v.meta.renamed_from, kind, v.meta.span);
    }
    for (current_name, desired_name, kind, span) in hinted {
        let exists = |model: &Model, name: &QualifiedName| match kind {
            RenameKind::Enum => model.enums.contains_key(name),
            RenameKind::Domain => model.domains.contains_key(name),
            RenameKind::Composite => model.composites.contains_key(name),
            RenameKind::Sequence => model.sequences.contains_key(name),
            RenameKind::View => model.views.get(name).is_some_and(|v| !v.materialized),
            RenameKind::MaterializedView => model.views.get(name).is_some_and(|v| v.materialized),
            RenameKind::Schema
            | RenameKind::Function
            | RenameKind::Procedure
            | RenameKind::Trigger => false,
        };
        let unchanged_schema = QualifiedName {
            schema: old_schema(&desired_name.schema),
            name: desired_name.name.clone(),
        };
        if exists(current, &current_name)
            && !exists(current, &unchanged_schema)
            && !exists(desired, &desired_name.with_name(current_name.name.clone()))
        {
            let from = translation.schema_of(&current_name);
            let from_id = match kind {
                RenameKind::Enum => ObjectId::Enum(from),
                RenameKind::Domain => ObjectId::Domain(from),
                RenameKind::Composite => ObjectId::CompositeType(from),
                RenameKind::Sequence => ObjectId::Sequence(from),
                RenameKind::View
                | RenameKind::MaterializedView
                | RenameKind::Schema
                | RenameKind::Function
                | RenameKind::Procedure
                | RenameKind::Trigger => ObjectId::View(from),
            };
            changes.push(Change::RenameObject {
                kind,
                from: from_id,
                to: desired_name.name.clone(),
                span,
            });
            translation.objects.insert(current_name, desired_name);
        }
    }
    follow_functions(
        current,
        desired,
        &mut translation,
        &mut changes,
        &old_schema,
    );
    follow_triggers(
        current,
        desired,
        &mut translation,
        &mut changes,
        &old_schema,
    );
    if changes.is_empty() {
        return None;
    }
    Some(Followed {
        current: translation.apply(current),
        changes,
    })
}

fn follow_functions(
    current: &Model,
    desired: &Model,
    translation: &mut Translation,
    changes: &mut Vec<Change<'static>>,
    old_schema: &dyn Fn(&Ident) -> Ident,
) {
    // Functions are found by name and argument types; a renamed function
    // keeps its signature.
    let mut renamed: BTreeMap<QualifiedName, QualifiedName> = BTreeMap::new();
    for (id, function) in &desired.functions {
        let Some(old) = &function.meta.renamed_from else {
            continue;
        };
        let current_id = FunctionId {
            name: QualifiedName {
                schema: old_schema(&id.name.schema),
                name: Ident::clone(old),
            },
            arg_types: id.arg_types.clone(),
        };
        let unchanged_schema = FunctionId {
            name: QualifiedName {
                schema: old_schema(&id.name.schema),
                name: id.name.name.clone(),
            },
            arg_types: id.arg_types.clone(),
        };
        let old_in_desired = FunctionId {
            name: id.name.with_name(Ident::clone(old)),
            arg_types: id.arg_types.clone(),
        };
        let Some(current_function) = current.functions.get(&current_id) else {
            continue;
        };
        if current.functions.contains_key(&unchanged_schema)
            || desired.functions.contains_key(&old_in_desired)
            || current_function.procedure != function.procedure
            // An aggregate holds no data: a hinted rename is a drop and a
            // create (ALTER FUNCTION refuses an aggregate).
            || current_function.is_aggregate()
            || function.is_aggregate()
        {
            continue;
        }
        let kind = if function.procedure {
            RenameKind::Procedure
        } else {
            RenameKind::Function
        };
        changes.push(Change::RenameObject {
            kind,
            from: ObjectId::Function(FunctionId {
                name: translation.schema_of(&current_id.name),
                arg_types: id.arg_types.clone(),
            }),
            to: id.name.name.clone(),
            span: function.meta.span,
        });
        renamed.insert(current_id.name, id.name.clone());
    }
    translation.objects.extend(renamed);
}

fn follow_triggers(
    current: &Model,
    desired: &Model,
    translation: &mut Translation,
    changes: &mut Vec<Change<'static>>,
    old_schema: &dyn Fn(&Ident) -> Ident,
) {
    for (name, table) in &desired.tables {
        let current_name = QualifiedName {
            schema: old_schema(&name.schema),
            name: name.name.clone(),
        };
        let Some(current_table) = current.tables.get(&current_name) else {
            continue;
        };
        for (trigger_name, trigger) in &table.triggers {
            let Some(old) = &trigger.meta.renamed_from else {
                continue;
            };
            if current_table.triggers.contains_key(old)
                && !current_table.triggers.contains_key(trigger_name)
                && !table.triggers.contains_key(old)
            {
                let table_now = translation.schema_of(&current_name);
                changes.push(Change::RenameObject {
                    kind: RenameKind::Trigger,
                    from: ObjectId::Trigger(table_now.clone(), Ident::clone(old)),
                    to: trigger_name.clone(),
                    span: trigger.meta.span,
                });
                translation
                    .triggers
                    .insert((table_now, Ident::clone(old)), trigger_name.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests;
