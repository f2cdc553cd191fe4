//! Objects renamed through a `was` hint, other than tables, columns,
//! constraints, indexes and policies (`catalog`, `policy`): schemas,
//! enums, domains, sequences, views, materialized views, functions,
//! procedures and triggers, each with one `ALTER ... RENAME TO`.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-altersequence.html,
//! https://www.postgresql.org/docs/current/sql-altertype.html,
//! https://www.postgresql.org/docs/current/sql-altertrigger.html, ...): a
//! rename only changes the catalog entry. Everything that refers to the
//! object does so by OID, so columns keep their enum or domain type and
//! their values, a sequence keeps its current value, and triggers keep
//! calling a renamed function. Relations (sequences, views, the table of
//! a trigger) are locked ACCESS EXCLUSIVE for the instant of the rename;
//! schemas, types and functions take no table lock.
//!
//! Ordering invariant: these renames run first (`Phase::RenameObject`);
//! a schema rename comes before renames of objects in
//! it (which then name the object in its new schema), and every rename
//! comes before the steps that use the new name (it provides the new
//! name's key and removes the old one).

use super::{schema_key, Cx};
use crate::model::{FunctionId, Ident, ObjectId, QualifiedName, RenameKind};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, LockMode};

pub(super) fn rename_schema(cx: &Cx<'_>, from: &Ident, to: &Ident) -> Vec<Node> {
    let step = cx.step(
        Action::RenameSchema {
            from: from.clone(),
            to: to.clone(),
        },
        format!("rename schema {from} to {to}"),
        format!("ALTER SCHEMA {from} RENAME TO {to}"),
    );
    vec![cx
        .node(Phase::RenameObject, vec![step])
        .removes([Key::Schema(from.clone())])
        .provides([Key::Schema(to.clone())])]
}

pub(super) fn rename_object(
    cx: &Cx<'_>,
    kind: RenameKind,
    from: &ObjectId,
    to: &Ident,
) -> Vec<Node> {
    let keyword = kind.sql_keyword();
    let (name, table, arg_types, target) = match from {
        // Default privileges have no name to rename.
        ObjectId::DefaultPrivileges(_) => return Vec::new(),
        ObjectId::Function(id) => (id.name.clone(), None, id.arg_types.clone(), id.to_string()),
        ObjectId::Trigger(table, trigger) | ObjectId::Rule(table, trigger) => (
            table.with_name(trigger.clone()),
            Some(table.clone()),
            Vec::new(),
            format!("{trigger} ON {table}"),
        ),
        ObjectId::Enum(name)
        | ObjectId::Domain(name)
        | ObjectId::Sequence(name)
        | ObjectId::View(name)
        | ObjectId::CompositeType(name)
        | ObjectId::Table(name) => (name.clone(), None, Vec::new(), name.to_string()),
        ObjectId::Schema(schema) | ObjectId::Extension(schema) => (
            QualifiedName {
                schema: schema.clone(),
                name: schema.clone(),
            },
            None,
            Vec::new(),
            schema.to_string(),
        ),
        ObjectId::Column(table, _)
        | ObjectId::Constraint(table, _)
        | ObjectId::Index(table, _)
        | ObjectId::Statistics(table, _)
        | ObjectId::Policy(table, _) => (table.clone(), None, Vec::new(), table.to_string()),
    };
    let new_name = name.with_name(to.clone());
    let mut step = cx.step(
        Action::RenameObject {
            kind,
            from: name.clone(),
            table: table.clone(),
            arg_types: arg_types.clone(),
            to: to.clone(),
        },
        format!(
            "rename {} {target} to {to}",
            kind.as_str().replace('_', " ")
        ),
        format!("ALTER {keyword} {target} RENAME TO {to}"),
    );
    let (old_key, new_key) = match kind {
        RenameKind::Enum | RenameKind::Domain | RenameKind::Composite => {
            (Key::Type(name.clone()), Key::Type(new_name.clone()))
        }
        RenameKind::Sequence => {
            step = step.on(&name, LockMode::AccessExclusive);
            (Key::Sequence(name.clone()), Key::Sequence(new_name.clone()))
        }
        RenameKind::View | RenameKind::MaterializedView => {
            step = step.on(&name, LockMode::AccessExclusive);
            (Key::Relation(name.clone()), Key::Relation(new_name.clone()))
        }
        RenameKind::Function | RenameKind::Procedure => {
            (Key::Function(name.clone()), Key::Function(new_name.clone()))
        }
        RenameKind::Trigger | RenameKind::Schema => {
            let table = table.unwrap_or_else(|| name.clone());
            step = step.on(&table, LockMode::AccessExclusive);
            (
                Key::Trigger(table.clone(), name.name.clone()),
                Key::Trigger(table, to.clone()),
            )
        }
    };
    let (mut removes, mut provides) = (vec![old_key], vec![new_key]);
    // A function's signature keys follow its name.
    if matches!(kind, RenameKind::Function | RenameKind::Procedure) {
        let old_id = FunctionId {
            name: name.clone(),
            arg_types: arg_types.clone(),
        };
        let new_id = FunctionId {
            name: new_name.clone(),
            arg_types,
        };
        removes.push(Key::Overload(old_id));
        provides.push(Key::Overload(new_id));
    }
    vec![cx
        .node(Phase::RenameObject, vec![step])
        .requires(schema_key(&name))
        .removes(removes)
        .provides(provides)]
}
