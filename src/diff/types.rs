//! Diff of enums, domains and composite types.
//!
//! An enum whose desired values only insert into the current list becomes
//! `AddEnumValue`s in the declared positions; a removal or reordering
//! rebuilds the type (`RecreateEnum`). A composite type whose attributes
//! changed is altered in place when `ALTER TYPE` can reach the desired
//! attribute order (new attributes go last), else dropped and created.

use super::{Change, DiffCtx, EnumPosition};
use crate::model::{CompositeType, Enum, Ident, Model, ObjectId, QualifiedName, TypeName};

pub(super) fn diff_enums(ctx: &mut DiffCtx<'_>) {
    for (name, desired) in &ctx.desired.enums {
        if ctx.skip_external("enum", name) {
            continue;
        }
        let current = ctx.current.enums.get(name);
        match current {
            None => ctx.push(Change::CreateEnum(desired.clone())),
            Some(current) if current.values != desired.values => {
                diff_enum_values(ctx, current, desired)
            }
            Some(_) => {}
        }
        ctx.diff_comment(
            current.and_then(|e| e.comment.as_ref()),
            desired.comment.as_ref(),
            desired.meta.span,
            || (ObjectId::Enum(name.clone()), format!("TYPE {name}")),
        );
    }
    for (name, current) in &ctx.current.enums {
        if !ctx.desired.enums.contains_key(name) && !ctx.skip_external("enum", name) {
            ctx.push(Change::DropEnum(current.clone()));
        }
    }
}

/// True when `current` is a subsequence of `desired` (values only added).
fn only_additions(current: &[String], desired: &[String]) -> bool {
    let mut desired_iter = desired.iter();
    current
        .iter()
        .all(|value| desired_iter.any(|candidate| candidate == value))
}

fn diff_enum_values(ctx: &mut DiffCtx<'_>, current: &Enum, desired: &Enum) {
    if !only_additions(&current.values, &desired.values) {
        let columns = enum_columns(ctx.current, ctx.desired, &current.name);
        for (table, _, _) in &columns {
            ctx.reshaped.insert(table.clone());
        }
        ctx.push(Change::RecreateEnum {
            current: current.clone(),
            desired: desired.clone(),
            columns,
        });
        return;
    }
    for (idx, value) in desired.values.iter().enumerate() {
        if current.values.contains(value) {
            continue;
        }
        // Values are added left to right, so the previous value (old or
        // new) already exists when this one is added.
        let position = if idx > 0 {
            EnumPosition::After(desired.values[idx - 1].clone())
        } else if let Some(next) = desired.values.get(1) {
            EnumPosition::Before(next.clone())
        } else {
            EnumPosition::End
        };
        ctx.push(Change::AddEnumValue {
            name: desired.name.clone(),
            value: value.clone(),
            position,
            span: desired.meta.span,
        });
    }
}

/// True when a column of type `ty` uses the type `name` (or an array of it).
pub(crate) fn type_refers_to(ty: &TypeName, name: &QualifiedName) -> bool {
    let element = ty.element();
    let element = element.as_str();
    element == name.to_string() || element == format!("{}.{}", name.schema.0, name.name.0)
}

/// Columns of tables present in both Models that use the enum `name`.
fn enum_columns(
    current: &Model,
    desired: &Model,
    name: &QualifiedName,
) -> Vec<(QualifiedName, Ident, TypeName)> {
    let mut res = Vec::new();
    for (table_name, table) in &current.tables {
        let Some(desired_table) = desired.tables.get(table_name) else {
            continue;
        };
        for column in &table.columns {
            if type_refers_to(&column.ty, name) && desired_table.column(&column.name).is_some() {
                res.push((table_name.clone(), column.name.clone(), column.ty.clone()));
            }
        }
    }
    res
}

pub(super) fn diff_domains(ctx: &mut DiffCtx<'_>) {
    for (name, desired) in &ctx.desired.domains {
        if ctx.skip_external("domain", name) {
            continue;
        }
        let current = ctx.current.domains.get(name);
        match current {
            None => ctx.push(Change::CreateDomain(desired.clone())),
            Some(current) if current != desired => {
                let mut current_sans_comment = current.clone();
                current_sans_comment.comment = desired.comment.clone();
                if &current_sans_comment != desired {
                    ctx.push(Change::AlterDomain {
                        current: current.clone(),
                        desired: desired.clone(),
                    });
                }
            }
            Some(_) => {}
        }
        ctx.diff_comment(
            current.and_then(|d| d.comment.as_ref()),
            desired.comment.as_ref(),
            desired.meta.span,
            || (ObjectId::Domain(name.clone()), format!("DOMAIN {name}")),
        );
    }
    for (name, current) in &ctx.current.domains {
        if !ctx.desired.domains.contains_key(name) && !ctx.skip_external("domain", name) {
            ctx.push(Change::DropDomain(current.clone()));
        }
    }
}

pub(super) fn diff_composites(ctx: &mut DiffCtx<'_>) {
    for (name, desired) in &ctx.desired.composites {
        if ctx.skip_external("type", name) {
            continue;
        }
        let current = ctx.current.composites.get(name);
        match current {
            None => ctx.push(Change::CreateCompositeType(desired.clone())),
            Some(current) if current.attributes != desired.attributes => {
                if alterable(current, desired) {
                    ctx.push(Change::AlterCompositeType {
                        current: current.clone(),
                        desired: desired.clone(),
                    });
                } else {
                    ctx.push(Change::DropCompositeType(current.clone()));
                    ctx.push(Change::CreateCompositeType(desired.clone()));
                }
            }
            Some(_) => {}
        }
        ctx.diff_comment(
            current.and_then(|t| t.comment.as_ref()),
            desired.comment.as_ref(),
            desired.meta.span,
            || {
                (
                    ObjectId::CompositeType(name.clone()),
                    format!("TYPE {name}"),
                )
            },
        );
    }
    for (name, current) in &ctx.current.composites {
        if !ctx.desired.composites.contains_key(name) && !ctx.skip_external("type", name) {
            ctx.push(Change::DropCompositeType(current.clone()));
        }
    }
}

/// True when `ALTER TYPE` reaches `desired`: the attributes kept are in
/// the same relative order and every new attribute comes after them
/// (`ADD ATTRIBUTE` appends).
fn alterable(current: &CompositeType, desired: &CompositeType) -> bool {
    let kept_in_current: Vec<&Ident> = current
        .attributes
        .iter()
        .map(|attribute| &attribute.name)
        .filter(|name| desired.attributes.iter().any(|a| &a.name == *name))
        .collect();
    let n_kept = kept_in_current.len();
    let desired_names: Vec<&Ident> = desired.attributes.iter().map(|a| &a.name).collect();
    desired_names[..n_kept.min(desired_names.len())] == kept_in_current[..]
}
