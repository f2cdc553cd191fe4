//! Altering an existing column: type, default, nullability, identity,
//! generation expression, collation.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES):
//! every form takes ACCESS EXCLUSIVE. `ALTER COLUMN TYPE` does not rewrite
//! the table (nor rebuild indexes) when the old type is binary coercible to
//! the new one without a stricter modifier: `varchar(n)` to `varchar(m>=n)`
//! or unbounded `varchar`/`text`, `numeric(p,s)` to `numeric(q>=p,s)` or
//! unbounded `numeric`, `varbit(n)` to `varbit(m>=n)`. Anything else
//! (including `timestamp` to `timestamptz`) is treated as a rewrite under
//! ACCESS EXCLUSIVE. A collation change rebuilds the column's indexes
//! under the lock. `DROP EXPRESSION` (PostgreSQL 13+) turns a generated
//! column into a plain one in place; any other change of a stored
//! generated column drops and adds the column (a rewrite) in one
//! transaction. SET NOT NULL goes through `set_not_null`.
//!
//! Ordering invariant: the node removes the table's `Shape` (views over it
//! are dropped first) and provides its `Layout` (views are recreated
//! after); the new type exists before, the old type is dropped after.

use super::add_column::add_column_action;
use super::add_constraint::{add_action, declared_sql};
use super::create_index::index_action;
use super::set_not_null::set_not_null;
use super::{expr_keys, type_keys, Cx};
use crate::diff::ColumnChange;
use crate::model::{
    sql, Column, ConstraintKind, Ident, Identity, IndexExpr, QualifiedName, TypeName,
};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, Hazard, IdentityChange, LockMode, Step};

pub(super) fn alter_column(
    cx: &Cx<'_>,
    table: &QualifiedName,
    column: &Ident,
    change: &ColumnChange,
) -> Vec<Node> {
    if let ColumnChange::SetNotNull = change {
        return set_not_null(cx, table, column);
    }
    let current_column = cx
        .ctx
        .current
        .tables
        .get(table)
        .and_then(|t| t.column(column));
    let alter = format!("ALTER TABLE {table} ALTER COLUMN {column}");
    let mut requires = vec![
        Key::Relation(table.clone()),
        Key::ColumnDefined(table.clone(), column.clone()),
    ];
    let mut releases = Vec::new();
    let mut removes = Vec::new();
    let mut provides = vec![Key::Column(table.clone(), column.clone())];
    let steps: Vec<Step> = match change {
        ColumnChange::SetNotNull => Vec::new(),
        ColumnChange::Type {
            from,
            to,
            collation,
        } => {
            requires.extend(type_keys(cx.ctx.desired, to));
            releases.extend(type_keys(cx.ctx.current, from));
            removes.push(Key::Shape(table.clone()));
            // Constraints and indexes on the column that the plan drops
            // go first: they were written for the old type, and the
            // retype would rebuild them (a CHECK `c >= 0` fails on text).
            removes.push(Key::Column(table.clone(), column.clone()));
            provides.push(Key::ColumnDefined(table.clone(), column.clone()));
            provides.push(Key::Layout(table.clone()));
            let mut steps = Vec::new();
            // The current default may not cast to the new type, so it is
            // dropped first; in the same transaction, so that a type change
            // that fails on the rows leaves the default in place.
            if let Some(current) = current_column.and_then(|c| c.default.as_ref()) {
                releases.extend(expr_keys(cx.ctx.current, None, &current.sql));
                steps.push(drop_default_step(cx, table, column));
            }
            let retype = type_step(cx, table, column, from, to, collation.as_ref());
            steps.push(if steps.is_empty() {
                retype
            } else {
                retype.joining()
            });
            steps
        }
        ColumnChange::Collation { ty, to, .. } => {
            removes.push(Key::Shape(table.clone()));
            provides.push(Key::ColumnDefined(table.clone(), column.clone()));
            provides.push(Key::Layout(table.clone()));
            let collate = to
                .as_ref()
                .map_or_else(|| "\"default\"".to_string(), |c| c.to_string());
            vec![cx
                .step(
                    Action::AlterColumnType {
                        table: table.clone(),
                        column: column.clone(),
                        to: ty.clone(),
                        collation: Some(collate.clone()),
                        using: None,
                        rewrite: false,
                    },
                    format!("change collation of {table}.{column}"),
                    format!("{alter} TYPE {ty} COLLATE {collate}"),
                )
                .on(table, LockMode::AccessExclusive)
                .hazard(Hazard::LongLock, format!("indexes on {table}.{column} are rebuilt while ACCESS EXCLUSIVE blocks {table}"))]
        }
        ColumnChange::SetDefault(default) => {
            requires.extend(expr_keys(cx.ctx.desired, None, &default.sql));
            if let Some(current) = current_column.and_then(|c| c.default.as_ref()) {
                releases.extend(expr_keys(cx.ctx.current, None, &current.sql));
            }
            vec![cx
                .step(
                    Action::SetDefault {
                        table: table.clone(),
                        column: column.clone(),
                        default: default.to_string(),
                    },
                    format!("set default of {table}.{column}"),
                    format!("{alter} SET DEFAULT {default}"),
                )
                .on(table, LockMode::AccessExclusive)]
        }
        ColumnChange::DropDefault => {
            if type_changes(cx, table, column) {
                // The type change drops it, in its own transaction.
                return Vec::new();
            }
            if let Some(current) = current_column.and_then(|c| c.default.as_ref()) {
                releases.extend(expr_keys(cx.ctx.current, None, &current.sql));
            }
            vec![drop_default_step(cx, table, column)]
        }
        ColumnChange::DropNotNull => vec![cx
            .step(
                Action::DropNotNull {
                    table: table.clone(),
                    column: column.clone(),
                },
                format!("drop not null of {table}.{column}"),
                format!("{alter} DROP NOT NULL"),
            )
            .on(table, LockMode::AccessExclusive)],
        ColumnChange::Identity { from, to } => {
            identity_steps(cx, table, column, from.as_ref(), to.as_ref())
        }
        ColumnChange::Generated { from, to } => {
            removes.push(Key::Shape(table.clone()));
            provides.push(Key::Layout(table.clone()));
            if let Some(generated) = &to.generated {
                let desired_table = cx.ctx.desired.tables.get(table);
                requires.extend(expr_keys(cx.ctx.desired, desired_table, &generated.sql));
            }
            // The old expression's functions may be dropped after this.
            if let Some(generated) = from {
                releases.extend(expr_keys(cx.ctx.current, None, &generated.sql));
            }
            generated_steps(cx, table, from.is_some(), to)
        }
    };
    vec![cx
        .node(Phase::AlterTable, steps)
        .requires(requires)
        .provides(provides)
        .removes(removes)
        .releases(releases)]
}

/// True when the column's type changes in this plan (the diff then drops
/// the current default before the type change).
fn type_changes(cx: &Cx<'_>, table: &QualifiedName, column: &Ident) -> bool {
    let column_of = |model: &crate::model::Model| {
        model
            .tables
            .get(table)
            .and_then(|t| t.column(column))
            .map(|c| c.ty.clone())
    };
    match (column_of(cx.ctx.current), column_of(cx.ctx.desired)) {
        (Some(current), Some(desired)) => current != desired,
        _ => false,
    }
}

fn drop_default_step(cx: &Cx<'_>, table: &QualifiedName, column: &Ident) -> Step {
    cx.step(
        Action::DropDefault {
            table: table.clone(),
            column: column.clone(),
        },
        format!("drop default of {table}.{column}"),
        format!("ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT"),
    )
    .on(table, LockMode::AccessExclusive)
}

/// `(base, modifiers)`: `character varying(20)` -> (`character varying`, [20]).
fn split_type(ty: &TypeName) -> (String, Vec<u32>) {
    let text = ty.as_str();
    match text.find('(') {
        Some(open) if !ty.is_array() && text.ends_with(')') => {
            let modifiers = text[open + 1..text.len() - 1]
                .split(',')
                .filter_map(|part| part.trim().parse().ok())
                .collect();
            (text[..open].trim().to_string(), modifiers)
        }
        _ => (text.to_string(), Vec::new()),
    }
}

/// True when PostgreSQL changes the type without rewriting the table.
pub(crate) fn is_binary_coercible(from: &TypeName, to: &TypeName) -> bool {
    let (from_base, from_mods) = split_type(from);
    let (to_base, to_mods) = split_type(to);
    let widen = |from_mods: &[u32], to_mods: &[u32]| match (from_mods.first(), to_mods.first()) {
        (_, None) => true,
        (Some(f), Some(t)) => t >= f,
        (None, Some(_)) => false,
    };
    match (from_base.as_str(), to_base.as_str()) {
        ("character varying", "character varying") | ("bit varying", "bit varying") => {
            widen(&from_mods, &to_mods)
        }
        ("character varying", "text") => true,
        ("text", "character varying") => to_mods.is_empty(),
        ("numeric", "numeric") => match (from_mods.as_slice(), to_mods.as_slice()) {
            (_, []) => true,
            ([p, s], [q, t]) => q >= p && s == t,
            ([p], [q]) => q >= p,
            _ => false,
        },
        _ => false,
    }
}

fn type_step(
    cx: &Cx<'_>,
    table: &QualifiedName,
    column: &Ident,
    from: &TypeName,
    to: &TypeName,
    collation: Option<&crate::model::Collation>,
) -> Step {
    let collate = collation
        .map(|c| format!(" COLLATE {c}"))
        .unwrap_or_default();
    if is_binary_coercible(from, to) {
        return cx
            .step(
                Action::AlterColumnType {
                    table: table.clone(),
                    column: column.clone(),
                    to: to.clone(),
                    collation: collation.map(ToString::to_string),
                    using: None,
                    rewrite: false,
                },
                format!("change type of {table}.{column} to {to} (no rewrite)"),
                format!("ALTER TABLE {table} ALTER COLUMN {column} TYPE {to}{collate}"),
            )
            .on(table, LockMode::AccessExclusive);
    }
    cx.step(
        Action::AlterColumnType {
            table: table.clone(),
            column: column.clone(),
            to: to.clone(),
            collation: collation.map(ToString::to_string),
            using: Some(format!("{column}::{to}")),
            rewrite: true,
        },
        format!("change type of {table}.{column} from {from} to {to}"),
        format!(
            "ALTER TABLE {table} ALTER COLUMN {column} TYPE {to}{collate} USING {column}::{to}"
        ),
    )
    .on(table, LockMode::AccessExclusive)
    .rewriting()
    .hazard(
        Hazard::TableRewrite,
        format!("changing {table}.{column} from {from} to {to} rewrites {table}"),
    )
    .hazard(
        Hazard::LongLock,
        format!("ACCESS EXCLUSIVE blocks reads and writes of {table} during the rewrite"),
    )
}

fn identity_steps(
    cx: &Cx<'_>,
    table: &QualifiedName,
    column: &Ident,
    from: Option<&Identity>,
    to: Option<&Identity>,
) -> Vec<Step> {
    let alter = format!("ALTER TABLE {table} ALTER COLUMN {column}");
    let step = |change: IdentityChange, description: String, sql: String| {
        let action = Action::AlterIdentity {
            table: table.clone(),
            column: column.clone(),
            change,
        };
        cx.step(action, description, sql)
            .on(table, LockMode::AccessExclusive)
    };
    let generated = |identity: &Identity| {
        if identity.always {
            "ALWAYS"
        } else {
            "BY DEFAULT"
        }
    };
    match (from, to) {
        (None, None) => Vec::new(),
        (Some(_), None) => vec![step(
            IdentityChange::Drop,
            format!("drop identity of {table}.{column}"),
            format!("{alter} DROP IDENTITY"),
        )],
        (None, Some(identity)) => {
            let column_type = cx
                .ctx
                .desired
                .tables
                .get(table)
                .and_then(|t| t.column(column))
                .map_or_else(|| identity.options.data_type.clone(), |c| c.ty.clone());
            vec![step(
                IdentityChange::Add,
                format!("make {table}.{column} an identity column"),
                format!(
                    "{alter} ADD{}",
                    sql::identity_clause(identity, &column_type)
                ),
            )]
        }
        (Some(current), Some(desired)) => {
            let (from, to) = (&current.options, &desired.options);
            let mut sets = Vec::new();
            if current.always != desired.always {
                sets.push(format!("SET GENERATED {}", generated(desired)));
            }
            if from.increment != to.increment {
                sets.push(format!("SET INCREMENT BY {}", to.increment));
            }
            if from.min_value != to.min_value {
                sets.push(format!("SET MINVALUE {}", to.min_value));
            }
            if from.max_value != to.max_value {
                sets.push(format!("SET MAXVALUE {}", to.max_value));
            }
            if from.start != to.start {
                sets.push(format!("SET START WITH {}", to.start));
            }
            if from.cache != to.cache {
                sets.push(format!("SET CACHE {}", to.cache));
            }
            if from.cycle != to.cycle {
                sets.push(
                    if to.cycle {
                        "SET CYCLE"
                    } else {
                        "SET NO CYCLE"
                    }
                    .to_string(),
                );
            }
            if sets.is_empty() {
                return Vec::new();
            }
            vec![step(
                IdentityChange::Set,
                format!("alter identity of {table}.{column}"),
                format!("{alter} {}", sets.join(" ")),
            )]
        }
    }
}

fn generated_steps(
    cx: &Cx<'_>,
    table: &QualifiedName,
    was_generated: bool,
    to: &Column,
) -> Vec<Step> {
    let column = &to.name;
    if to.generated.is_none() && was_generated && cx.version() >= 13 {
        return vec![cx
            .step(
                Action::DropExpression {
                    table: table.clone(),
                    column: column.clone(),
                },
                format!("make {table}.{column} a plain column"),
                format!("ALTER TABLE {table} ALTER COLUMN {column} DROP EXPRESSION"),
            )
            .on(table, LockMode::AccessExclusive)];
    }
    let mut drop = cx
        .step(
            Action::DropColumn {
                table: table.clone(),
                column: column.clone(),
            },
            format!("drop column {table}.{column} to change its generation"),
            format!("ALTER TABLE {table} DROP COLUMN {column}"),
        )
        .on(table, LockMode::AccessExclusive);
    if !was_generated {
        drop = drop.hazard(
            Hazard::DataLoss,
            format!("the values of {table}.{column} are replaced by its generation expression"),
        );
    }
    let add = cx
        .step(
            add_column_action(cx, table, to),
            format!("add column {table}.{column} again"),
            format!("ALTER TABLE {table} ADD COLUMN {}", sql::column_def(to)),
        )
        .on(table, LockMode::AccessExclusive)
        .joining()
        .rewriting()
        .hazard(
            Hazard::TableRewrite,
            format!("adding generated column {table}.{column} rewrites {table}"),
        )
        .hazard(
            Hazard::LongLock,
            format!("ACCESS EXCLUSIVE blocks {table} during the rewrite"),
        );
    let mut steps = vec![drop, add];
    // DROP COLUMN drops the table's constraints and indexes over the
    // column with it: the ones the schema keeps are added back in the same
    // transaction (the table is locked and rewritten anyway).
    steps.extend(restore_dropped_with(cx, table, column));
    steps
}

/// Steps that add back the desired constraints (not foreign keys, which
/// other tables' rows may need validated) and indexes of `table` that
/// `DROP COLUMN column` drops, joining the drop's transaction.
fn restore_dropped_with(cx: &Cx<'_>, table: &QualifiedName, column: &Ident) -> Vec<Step> {
    let (Some(desired), Some(current)) = (
        cx.ctx.desired.tables.get(table),
        cx.ctx.current.tables.get(table),
    ) else {
        return Vec::new();
    };
    // Only what the diff keeps: a changed one is dropped and added by it.
    let kept_constraint = |c: &crate::model::Constraint| {
        current
            .constraints
            .get(&c.name)
            .is_some_and(|old| old.kind == c.kind)
    };
    let kept_index =
        |i: &crate::model::Index| current.indexes.get(&i.name).map(Box::as_ref) == Some(i);
    let words = |text: &str| {
        crate::sql_lex::words(text)
            .iter()
            .any(|w| w == column.as_str())
    };
    let mut res = Vec::new();
    for constraint in desired.constraints.values() {
        let uses = match &constraint.kind {
            ConstraintKind::PrimaryKey { columns, include }
            | ConstraintKind::Unique {
                columns, include, ..
            } => columns.contains(column) || include.contains(column),
            ConstraintKind::Check { expr, .. } => words(&expr.sql),
            ConstraintKind::Exclude {
                elements,
                include,
                predicate,
                ..
            } => {
                include.contains(column)
                    || elements.iter().any(|e| words(&e.expr.sql))
                    || predicate.as_ref().is_some_and(|p| words(&p.sql))
            }
            ConstraintKind::ForeignKey(_) => false,
        };
        if !uses || !kept_constraint(constraint) {
            continue;
        }
        res.push(
            cx.step(
                add_action(table, constraint, constraint.not_valid),
                format!("add constraint {} on {table} again", constraint.name),
                declared_sql(
                    &format!(
                        "ALTER TABLE {table} ADD {}",
                        sql::constraint_def(constraint)
                    ),
                    constraint,
                ),
            )
            .on(table, LockMode::AccessExclusive)
            .joining(),
        );
    }
    for index in desired.indexes.values() {
        let uses = index.keys.iter().any(|key| match &key.expr {
            IndexExpr::Column(c) => c == column,
            IndexExpr::Expr(expr) => words(&expr.sql),
        }) || index.include.contains(column)
            || index.predicate.as_ref().is_some_and(|p| words(&p.sql));
        if !uses || !kept_index(index) {
            continue;
        }
        res.push(
            cx.step(
                index_action(table, index, false, false),
                format!("create index {} on {table} again", index.name),
                sql::create_index(table, index, sql::IndexForm::default()),
            )
            .on(table, LockMode::Share)
            .joining(),
        );
    }
    res
}
