//! Enum values: adding one in its declared position, and rebuilding the
//! type when a value is removed or the order changes.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-altertype.html):
//! `ALTER TYPE ... ADD VALUE 'x' BEFORE|AFTER 'y'` only updates the catalog
//! (no table lock). Before PostgreSQL 12 it cannot run inside a transaction
//! block; since 12 it can, but the new value cannot be used until the
//! transaction commits, so each add is its own transaction. Values cannot
//! be removed or reordered: the type is renamed to `<name>_old`, the new
//! type created, every column converted with `USING col::text::new`
//! (ACCESS EXCLUSIVE and a rewrite; the cast fails, and the whole
//! transaction rolls back, if a row still holds a removed value), and the
//! old type dropped, all in one transaction.
//!
//! Ordering invariant: a value is added after the value it is positioned
//! against, and before any column, default or view that could use it
//! (they require the type, which every add provides).

use super::{schema_key, Cx};
use crate::diff::EnumPosition;
use crate::model::{sql, Enum, Ident, QualifiedName, TypeName};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, Hazard, LockMode};

pub(super) fn add_value(
    cx: &Cx<'_>,
    name: &QualifiedName,
    value: &str,
    position: &EnumPosition,
) -> Vec<Node> {
    let mut sql = format!("ALTER TYPE {name} ADD VALUE {}", sql::quote_literal(value));
    let mut requires = vec![];
    match position {
        EnumPosition::Before(other) => {
            sql.push_str(&format!(" BEFORE {}", sql::quote_literal(other)));
            requires.push(Key::EnumValue(name.clone(), other.clone()));
        }
        EnumPosition::After(other) => {
            sql.push_str(&format!(" AFTER {}", sql::quote_literal(other)));
            requires.push(Key::EnumValue(name.clone(), other.clone()));
        }
        EnumPosition::End => {}
    }
    let action = Action::AddEnumValue {
        name: name.clone(),
        value: value.to_string(),
    };
    let mut step = cx.step(action, format!("add value '{value}' to enum {name}"), sql);
    if cx.version() < 12 {
        step = step.non_transactional();
    }
    vec![Node::new(
        Phase::CreateType,
        format!("enum {name} value {value}"),
        vec![step],
    )
    .provides([
        Key::EnumValue(name.clone(), value.to_string()),
        Key::Type(name.clone()),
    ])
    .requires(requires)]
}

/// `public.mood_old` (truncated to 63 bytes).
fn old_name(name: &QualifiedName) -> QualifiedName {
    let mut old = format!("{}_old", name.name.as_str());
    while old.len() > 63 {
        old.remove(old.len() - 5);
    }
    name.with_name(Ident::new(old))
}

pub(super) fn recreate(
    cx: &Cx<'_>,
    current: &Enum,
    desired: &Enum,
    columns: &[(QualifiedName, Ident, TypeName)],
) -> Vec<Node> {
    let name = &desired.name;
    let old = old_name(name);
    let removed: Vec<&String> = current
        .values
        .iter()
        .filter(|v| !desired.values.contains(v))
        .collect();
    let reason = if removed.is_empty() {
        format!("the values of enum {name} are reordered")
    } else {
        let list: Vec<String> = removed.iter().map(|v| format!("'{v}'")).collect();
        format!("value {} of enum {name} is removed", list.join(", "))
    };
    let mut steps = vec![
        cx.step(
            Action::RenameEnumForRebuild {
                name: name.clone(),
                to: old.name.clone(),
                removed_values: removed.iter().map(|value| (*value).clone()).collect(),
            },
            format!("rename enum {name} to {}", old.name),
            format!("ALTER TYPE {name} RENAME TO {}", old.name),
        )
        .hazard(
            Hazard::EnumValueRemoval,
            format!("{reason}: the type is rebuilt"),
        ),
        cx.step(
            Action::CreateEnum { name: name.clone() },
            format!("create enum {name} with the new values"),
            sql::create_enum(desired),
        )
        .joining(),
    ];
    let mut removes = vec![Key::Type(name.clone())];
    let mut provides = vec![Key::Type(name.clone())];
    provides.extend(
        desired
            .values
            .iter()
            .map(|v| Key::EnumValue(name.clone(), v.clone())),
    );
    for (table, column, ty) in columns {
        let alter = format!("ALTER TABLE {table} ALTER COLUMN {column}");
        let desired_default = cx
            .ctx
            .desired
            .tables
            .get(table)
            .and_then(|t| t.column(column))
            .and_then(|c| c.default.clone());
        let has_default = cx
            .ctx
            .current
            .tables
            .get(table)
            .and_then(|t| t.column(column))
            .is_some_and(|c| c.default.is_some());
        if has_default {
            steps.push(
                cx.step(
                    Action::DropDefault {
                        table: table.clone(),
                        column: column.clone(),
                    },
                    format!("drop default of {table}.{column} during the rebuild"),
                    format!("{alter} DROP DEFAULT"),
                )
                .on(table, LockMode::AccessExclusive)
                .joining(),
            );
        }
        let (text, new_ty) = if ty.is_array() {
            ("text[]", format!("{name}[]"))
        } else {
            ("text", name.to_string())
        };
        steps.push(
            cx.step(
                Action::AlterColumnType {
                    table: table.clone(),
                    column: column.clone(),
                    to: TypeName::new(new_ty.clone()),
                    collation: None,
                    using: Some(format!("{column}::{text}::{new_ty}")),
                    rewrite: true,
                },
                format!("convert {table}.{column} to the rebuilt enum {name}"),
                format!("{alter} TYPE {new_ty} USING {column}::{text}::{new_ty}"),
            )
            .on(table, LockMode::AccessExclusive)
            .rewriting()
            .joining()
            .hazard(
                Hazard::TableRewrite,
                format!("{table} is rewritten to convert {column} to the rebuilt enum {name}"),
            )
            .hazard(
                Hazard::LongLock,
                format!("ACCESS EXCLUSIVE blocks {table} during the rewrite"),
            ),
        );
        if let Some(default) = desired_default {
            steps.push(
                cx.step(
                    Action::SetDefault {
                        table: table.clone(),
                        column: column.clone(),
                        default: default.to_string(),
                    },
                    format!("set default of {table}.{column} again"),
                    format!("{alter} SET DEFAULT {default}"),
                )
                .on(table, LockMode::AccessExclusive)
                .joining(),
            );
        }
        removes.push(Key::Shape(table.clone()));
        provides.push(Key::Layout(table.clone()));
    }
    steps.push(
        cx.step(
            Action::DropEnum { name: old.clone() },
            format!("drop the old enum {old}"),
            format!("DROP TYPE {old}"),
        )
        .joining(),
    );
    vec![cx
        .node(Phase::CreateType, steps)
        .removes(removes)
        .provides(provides)
        .requires(schema_key(name))]
}
