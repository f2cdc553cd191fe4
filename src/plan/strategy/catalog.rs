//! Catalog-only changes: schemas, extensions, enum creation and removal,
//! sequences, functions, renames and comments (domains: `domain`).
//!
//! PostgreSQL behaviour relied on: these statements only update the system
//! catalogs. Renames (`ALTER TABLE ... RENAME`, `ALTER INDEX ... RENAME`)
//! take ACCESS EXCLUSIVE on the relation, but only for the catalog update
//! (https://www.postgresql.org/docs/current/sql-altertable.html);
//! `COMMENT ON` a relation takes SHARE UPDATE EXCLUSIVE
//! (https://www.postgresql.org/docs/current/explicit-locking.html).
//! `CREATE OR REPLACE FUNCTION` cannot change the return type or the
//! argument names (https://www.postgresql.org/docs/current/sql-createfunction.html),
//! so such a change is a drop and a create in one transaction.
//!
//! Ordering invariant: every object requires its schema; a sequence's
//! `OWNED BY` is a separate node after the owning column exists, so a
//! serial column's default and its sequence never form a cycle.

use super::{dep_keys, schema_key, Cx};
use crate::graph::deps;
use crate::model::{
    sql, Enum, Extension, Function, Ident, ObjectId, QualifiedName, Schema, Sequence,
};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, Hazard, LockMode};

pub(super) fn create_schema(cx: &Cx<'_>, schema: &Schema) -> Vec<Node> {
    let step = cx.step(
        Action::CreateSchema {
            schema: schema.name.clone(),
        },
        format!("create schema {}", schema.name),
        sql::create_schema(schema),
    );
    let mut steps = vec![step];
    let mut requires = Vec::new();
    // Distributed before its tables are created (Citus places each at
    // `CREATE TABLE`), after the citus extension.
    if schema.distributed {
        steps.push(super::distribute_schema::distribute_new_schema_step(
            cx, schema,
        ));
        requires.push(Key::Extension(Ident::new("citus")));
    }
    vec![cx
        .node(Phase::CreateSchema, steps)
        .provides([Key::Schema(schema.name.clone())])
        .requires(requires)]
}

pub(super) fn drop_schema(cx: &Cx<'_>, schema: &Schema) -> Vec<Node> {
    let step = cx
        .step(
            Action::DropSchema {
                schema: schema.name.clone(),
            },
            format!("drop schema {}", schema.name),
            format!("DROP SCHEMA {}", schema.name),
        )
        .hazard(
            Hazard::DataLoss,
            format!("schema {} is dropped", schema.name),
        );
    vec![cx
        .node(Phase::DropSchema, vec![step])
        .removes([Key::Schema(schema.name.clone())])]
}

pub(super) fn create_extension(cx: &Cx<'_>, ext: &Extension) -> Vec<Node> {
    let step = cx.step(
        Action::CreateExtension {
            extension: ext.name.clone(),
        },
        format!("create extension {}", ext.name),
        sql::create_extension(ext),
    );
    let schema = if ext.schema.as_str() == "public" {
        Vec::new()
    } else {
        vec![Key::Schema(ext.schema.clone())]
    };
    vec![cx
        .node(Phase::CreateExtension, vec![step])
        .provides([Key::Extension(ext.name.clone())])
        .requires(schema)]
}

pub(super) fn alter_extension(cx: &Cx<'_>, current: &Extension, desired: &Extension) -> Vec<Node> {
    let mut steps = Vec::new();
    if current.schema != desired.schema {
        steps.push(cx.step(
            Action::AlterExtension {
                extension: desired.name.clone(),
            },
            format!(
                "move extension {} to schema {}",
                desired.name, desired.schema
            ),
            format!(
                "ALTER EXTENSION {} SET SCHEMA {}",
                desired.name, desired.schema
            ),
        ));
    }
    if let Some(version) = desired
        .version
        .as_ref()
        .filter(|v| Some(*v) != current.version.as_ref())
    {
        steps.push(cx.step(
            Action::AlterExtension {
                extension: desired.name.clone(),
            },
            format!("update extension {} to version {version}", desired.name),
            format!(
                "ALTER EXTENSION {} UPDATE TO {}",
                desired.name,
                sql::quote_literal(version)
            ),
        ));
    }
    vec![cx
        .node(Phase::CreateExtension, steps)
        .provides([Key::Extension(desired.name.clone())])]
}

pub(super) fn drop_extension(cx: &Cx<'_>, ext: &Extension) -> Vec<Node> {
    let step = cx
        .step(
            Action::DropExtension {
                extension: ext.name.clone(),
            },
            format!("drop extension {}", ext.name),
            format!("DROP EXTENSION {}", ext.name),
        )
        .hazard(
            Hazard::DataLoss,
            format!("extension {} and its objects are dropped", ext.name),
        );
    vec![cx
        .node(Phase::DropExtension, vec![step])
        .removes([Key::Extension(ext.name.clone())])]
}

pub(super) fn create_enum(cx: &Cx<'_>, e: &Enum) -> Vec<Node> {
    let step = cx.step(
        Action::CreateEnum {
            name: e.name.clone(),
        },
        format!("create enum {}", e.name),
        sql::create_enum(e),
    );
    vec![cx
        .node(Phase::CreateType, vec![step])
        .provides([Key::Type(e.name.clone())])
        .provides(
            e.values
                .iter()
                .map(|v| Key::EnumValue(e.name.clone(), v.clone())),
        )
        .requires(schema_key(&e.name))]
}

pub(super) fn drop_enum(cx: &Cx<'_>, e: &Enum) -> Vec<Node> {
    let step = cx.step(
        Action::DropEnum {
            name: e.name.clone(),
        },
        format!("drop enum {}", e.name),
        format!("DROP TYPE {}", e.name),
    );
    vec![cx
        .node(Phase::DropType, vec![step])
        .removes([Key::Type(e.name.clone())])
        .releases(schema_key(&e.name))]
}

pub(super) fn create_sequence(cx: &Cx<'_>, sequence: &Sequence) -> Vec<Node> {
    let step = cx.step(
        Action::CreateSequence {
            name: sequence.name.clone(),
        },
        format!("create sequence {}", sequence.name),
        sql::create_sequence(sequence),
    );
    let mut nodes = vec![cx
        .node(Phase::CreateSequence, vec![step])
        .provides([Key::Sequence(sequence.name.clone())])
        .requires(schema_key(&sequence.name))];
    if let Some((table, column)) = &sequence.owned_by {
        nodes.push(owned_by(cx, sequence, table, column));
    }
    nodes
}

fn owned_by(cx: &Cx<'_>, sequence: &Sequence, table: &QualifiedName, column: &Ident) -> Node {
    let step = cx.step(
        Action::SetSequenceOwner {
            name: sequence.name.clone(),
            owner: Some((table.clone(), column.clone())),
        },
        format!("sequence {} owned by {table}.{column}", sequence.name),
        sql::sequence_owned_by(sequence),
    );
    // Citus refuses to alter a sequence a distributed table uses
    // ("Altering a distributed sequence is currently not supported"):
    // attached before the table is distributed.
    cx.node(Phase::OwnedBy, vec![step])
        .requires([
            Key::Sequence(sequence.name.clone()),
            Key::Relation(table.clone()),
            Key::Column(table.clone(), column.clone()),
        ])
        .provides([Key::ReadyToDistribute(table.clone())])
}

pub(super) fn alter_sequence(cx: &Cx<'_>, current: &Sequence, desired: &Sequence) -> Vec<Node> {
    let mut nodes = Vec::new();
    if current.options != desired.options {
        let options = &desired.options;
        // RESTART is not issued: the current value is live data.
        let sql = format!(
            "ALTER SEQUENCE {} AS {} INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {} CACHE {}{}",
            desired.name,
            options.data_type,
            options.increment,
            options.min_value,
            options.max_value,
            options.start,
            options.cache,
            if options.cycle { " CYCLE" } else { " NO CYCLE" }
        );
        let step = cx.step(
            Action::AlterSequence {
                name: desired.name.clone(),
            },
            format!("alter sequence {}", desired.name),
            sql,
        );
        nodes.push(
            cx.node(Phase::CreateSequence, vec![step])
                .provides([Key::Sequence(desired.name.clone())]),
        );
    }
    if current.owned_by != desired.owned_by {
        match &desired.owned_by {
            Some((table, column)) => nodes.push(owned_by(cx, desired, table, column)),
            None => {
                let step = cx.step(
                    Action::SetSequenceOwner {
                        name: desired.name.clone(),
                        owner: None,
                    },
                    format!("sequence {} owned by none", desired.name),
                    sql::sequence_owned_by(desired),
                );
                nodes.push(cx.node(Phase::OwnedBy, vec![step]));
            }
        }
    }
    nodes
}

pub(super) fn drop_sequence(cx: &Cx<'_>, sequence: &Sequence) -> Vec<Node> {
    let step = cx
        .step(
            Action::DropSequence {
                name: sequence.name.clone(),
            },
            format!("drop sequence {}", sequence.name),
            format!("DROP SEQUENCE {}", sequence.name),
        )
        .hazard(
            Hazard::DataLoss,
            format!(
                "sequence {} and its current value are dropped",
                sequence.name
            ),
        );
    vec![cx
        .node(Phase::DropSequence, vec![step])
        .removes([Key::Sequence(sequence.name.clone())])
        .releases(schema_key(&sequence.name))]
}

fn function_requires(cx: &Cx<'_>, function: &Function) -> Vec<Key> {
    let mut res = dep_keys(deps::function(cx.ctx.desired, function));
    // A function taking or returning a table's row type is created (or
    // replaced) after the table's columns are final: PostgreSQL checks a
    // SQL function's result against the row type as it is then, and a
    // body written for the new columns only fits them.
    res.extend(
        deps::row_types(cx.ctx.desired, function)
            .into_iter()
            .map(Key::Layout),
    );
    res
}

/// The keys a function stands for: its name and its signature.
fn function_keys(function: &Function) -> [Key; 2] {
    [
        Key::Function(function.id.name.clone()),
        Key::Overload(function.id.clone()),
    ]
}

/// `function`, `procedure` or `aggregate`, for step descriptions.
fn routine_kind(function: &Function) -> &'static str {
    if function.is_aggregate() {
        "aggregate"
    } else if function.procedure {
        "procedure"
    } else {
        "function"
    }
}

/// The typed action of `CREATE [OR REPLACE]` of the routine.
fn create_action(function: &Function, or_replace: bool) -> Action {
    if function.is_aggregate() {
        Action::CreateAggregate {
            name: function.id.name.clone(),
            or_replace,
        }
    } else {
        Action::CreateFunction {
            name: function.id.name.clone(),
            procedure: function.procedure,
            or_replace,
        }
    }
}

/// The typed action of `DROP` of the routine.
fn drop_action(function: &Function) -> Action {
    if function.is_aggregate() {
        Action::DropAggregate {
            name: function.id.name.clone(),
        }
    } else {
        Action::DropFunction {
            name: function.id.name.clone(),
            procedure: function.procedure,
        }
    }
}

/// `DROP FUNCTION|PROCEDURE|AGGREGATE signature`.
fn drop_sql(function: &Function) -> String {
    format!(
        "DROP {} {}",
        sql::routine_keyword(function),
        sql::routine_signature(function)
    )
}

/// Creates, replaces or drops a function, procedure or aggregate
/// (`CREATE AGGREGATE`, catalog only: an aggregate holds no data, so
/// dropping one is no data loss; it is created after its support
/// functions and state types, which it names, and dropped before them,
/// since PostgreSQL records it as depending on them).
pub(super) fn create_function(cx: &Cx<'_>, function: &Function) -> Vec<Node> {
    let step = cx.step(
        create_action(function, false),
        format!("create {} {}", routine_kind(function), function.id),
        sql::create_function(function, false),
    );
    vec![cx
        .node(Phase::CreateFunction, vec![step])
        .provides(function_keys(function))
        .requires(function_requires(cx, function))]
}

pub(super) fn replace_function(cx: &Cx<'_>, current: &Function, desired: &Function) -> Vec<Node> {
    let replaceable = current.replaceable_by(desired);
    let steps = if replaceable {
        vec![cx.step(
            create_action(desired, true),
            format!("replace {} {}", routine_kind(desired), desired.id),
            sql::create_function(desired, true),
        )]
    } else {
        vec![
            cx.step(
                drop_action(current),
                format!(
                    "drop {} {} ({})",
                    routine_kind(current),
                    current.id,
                    if current.is_aggregate() {
                        "CREATE OR REPLACE cannot change its kind, arguments or result"
                    } else {
                        "signature changed"
                    }
                ),
                drop_sql(current),
            ),
            cx.step(
                create_action(desired, false),
                format!("create {} {}", routine_kind(desired), desired.id),
                sql::create_function(desired, false),
            )
            .joining(),
        ]
    };
    // A drop and re-create goes after the changes that stop using the
    // old signature (a generated column, a dropped table: PostgreSQL
    // refuses to drop a function they still use).
    let removes = if replaceable {
        Vec::new()
    } else {
        function_keys(current).to_vec()
    };
    vec![cx
        .node(Phase::CreateFunction, steps)
        .removes(removes)
        .provides(function_keys(desired))
        .requires(function_requires(cx, desired))]
}

pub(super) fn drop_function(cx: &Cx<'_>, function: &Function) -> Vec<Node> {
    let step = cx.step(
        drop_action(function),
        format!("drop {} {}", routine_kind(function), function.id),
        drop_sql(function),
    );
    // Another signature of the same name replaces it: created first, so
    // that callers always find one. A preference, not a need: it gives
    // way when it closes a cycle (the new overload returns a table's row
    // type, the table is created again, and the old overload, which
    // PostgreSQL records as returning the old table's type, must go
    // before the old table does).
    let replaced = cx
        .ctx
        .desired
        .functions
        .keys()
        .any(|id| id.name == function.id.name);
    let prefers = if replaced {
        vec![Key::Function(function.id.name.clone())]
    } else {
        Vec::new()
    };
    // What it holds (a table's row type as an argument, ...) is dropped
    // after it.
    let mut releases = schema_key(&function.id.name);
    releases.extend(dep_keys(deps::function_holds(cx.ctx.current, function)));
    vec![cx
        .node(Phase::DropFunction, vec![step])
        .removes(function_keys(function))
        .prefers(prefers)
        .releases(releases)]
}

pub(super) fn rename_table(cx: &Cx<'_>, from: &QualifiedName, to: &QualifiedName) -> Vec<Node> {
    let step = cx
        .step(
            Action::RenameTable {
                from: from.clone(),
                to: to.name.clone(),
            },
            format!("rename table {from} to {to}"),
            format!("ALTER TABLE {from} RENAME TO {}", to.name),
        )
        .on(from, LockMode::AccessExclusive);
    vec![cx
        .node(Phase::Rename, vec![step])
        .removes([Key::Relation(from.clone())])
        .provides([Key::Relation(to.clone())])]
}

pub(super) fn rename_column(
    cx: &Cx<'_>,
    table: &QualifiedName,
    from: &Ident,
    to: &Ident,
) -> Vec<Node> {
    let step = cx
        .step(
            Action::RenameColumn {
                table: table.clone(),
                from: from.clone(),
                to: to.clone(),
            },
            format!("rename column {table}.{from} to {to}"),
            format!("ALTER TABLE {table} RENAME COLUMN {from} TO {to}"),
        )
        .on(table, LockMode::AccessExclusive);
    vec![cx
        .node(Phase::Rename, vec![step])
        .requires([Key::Relation(table.clone())])
        .removes([
            Key::Column(table.clone(), from.clone()),
            Key::Shape(table.clone()),
        ])
        .provides([
            Key::Column(table.clone(), to.clone()),
            Key::ColumnDefined(table.clone(), to.clone()),
            Key::Layout(table.clone()),
        ])]
}

pub(super) fn rename_constraint(
    cx: &Cx<'_>,
    table: &QualifiedName,
    from: &Ident,
    to: &Ident,
) -> Vec<Node> {
    let step = cx
        .step(
            Action::RenameConstraint {
                table: table.clone(),
                from: from.clone(),
                to: to.clone(),
            },
            format!("rename constraint {from} on {table} to {to}"),
            format!("ALTER TABLE {table} RENAME CONSTRAINT {from} TO {to}"),
        )
        .on(table, LockMode::AccessExclusive);
    vec![cx
        .node(Phase::Rename, vec![step])
        .requires([Key::Relation(table.clone())])
        .removes([Key::Constraint(table.clone(), from.clone())])
        .provides([Key::Constraint(table.clone(), to.clone())])]
}

pub(super) fn rename_index(
    cx: &Cx<'_>,
    table: &QualifiedName,
    from: &Ident,
    to: &Ident,
) -> Vec<Node> {
    // ALTER INDEX ... RENAME takes SHARE UPDATE EXCLUSIVE on the index
    // since PostgreSQL 12; the table is not locked against writes.
    let step = cx
        .step(
            Action::RenameIndex {
                table: table.clone(),
                from: from.clone(),
                to: to.clone(),
            },
            format!("rename index {} to {to}", table.with_name(from.clone())),
            format!(
                "ALTER INDEX {} RENAME TO {to}",
                table.with_name(from.clone())
            ),
        )
        .lock(
            &table.with_name(from.clone()),
            LockMode::ShareUpdateExclusive,
        );
    vec![cx
        .node(Phase::Rename, vec![step])
        .requires([Key::Relation(table.clone())])
        .removes([Key::Index(table.clone(), from.clone())])
        .provides([Key::Index(table.clone(), to.clone())])]
}

pub(super) fn set_comment(
    cx: &Cx<'_>,
    object: &ObjectId,
    target: &str,
    comment: Option<&str>,
) -> Vec<Node> {
    let description = match object {
        ObjectId::Function(id)
            if cx
                .ctx
                .desired
                .functions
                .get(id)
                .is_some_and(Function::is_aggregate) =>
        {
            format!("comment on aggregate {id}")
        }
        _ => format!("comment on {object}"),
    };
    let mut step = cx.step(
        Action::SetComment {
            object: object.to_string(),
        },
        description,
        sql::comment_on(target, comment),
    );
    let requires = match object {
        ObjectId::Schema(name) => vec![Key::Schema(name.clone())],
        ObjectId::Extension(name) => vec![Key::Extension(name.clone())],
        ObjectId::Enum(name) | ObjectId::Domain(name) | ObjectId::CompositeType(name) => {
            vec![Key::Type(name.clone())]
        }
        ObjectId::Sequence(name) => vec![Key::Sequence(name.clone())],
        ObjectId::Function(id) => vec![Key::Function(id.name.clone())],
        ObjectId::Table(name) | ObjectId::View(name) => {
            step = step.lock(name, LockMode::ShareUpdateExclusive);
            vec![Key::Relation(name.clone())]
        }
        ObjectId::Column(table, column) => {
            step = step.lock(table, LockMode::ShareUpdateExclusive);
            vec![
                Key::Relation(table.clone()),
                Key::Column(table.clone(), column.clone()),
            ]
        }
        ObjectId::Constraint(table, name) => vec![Key::Constraint(table.clone(), name.clone())],
        ObjectId::Index(table, name) => vec![Key::Index(table.clone(), name.clone())],
        ObjectId::Policy(table, name) => vec![Key::Policy(table.clone(), name.clone())],
        ObjectId::Trigger(table, name) => vec![Key::Trigger(table.clone(), name.clone())],
        ObjectId::Rule(table, name) => vec![Key::Rule(table.clone(), name.clone())],
        ObjectId::Statistics(table, _) => vec![Key::Relation(table.clone())],
        ObjectId::DefaultPrivileges(_) => Vec::new(),
    };
    vec![cx.node(Phase::Comment, vec![step]).requires(requires)]
}
