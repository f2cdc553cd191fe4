//! Builders of small Models for the planner's unit tests, and a compact
//! text form of a plan to assert on.

use crate::model::*;
use crate::plan::{plan_models, Plan, PlanOptions};

pub(crate) fn column(name: &str, ty: &str) -> Column {
    Column::new(Ident::new(name), TypeName::new(ty))
}

pub(crate) fn not_null(mut column: Column) -> Column {
    column.not_null = true;
    column
}

pub(crate) fn with_default(mut column: Column, default: &str) -> Column {
    column.default = Some(SqlExpr::raw(default));
    column
}

pub(crate) fn table(name: &str, columns: Vec<Column>) -> Table {
    let mut res = Table::new(QualifiedName::public(name));
    res.columns = columns;
    res
}

pub(crate) fn constraint(name: &str, kind: ConstraintKind) -> Constraint {
    Constraint {
        name: Ident::new(name),
        kind,
        deferrable: false,
        initially_deferred: false,
        not_valid: false,
        comment: None,
        meta: Meta::default(),
    }
}

pub(crate) fn pk(name: &str, columns: &[&str]) -> Constraint {
    constraint(
        name,
        ConstraintKind::PrimaryKey {
            columns: idents(columns),
            include: Vec::new(),
        },
    )
}

pub(crate) fn fk(
    name: &str,
    columns: &[&str],
    ref_table: &str,
    ref_columns: &[&str],
) -> Constraint {
    constraint(
        name,
        ConstraintKind::ForeignKey(ForeignKey {
            columns: idents(columns),
            ref_table: QualifiedName::public(ref_table),
            ref_columns: idents(ref_columns),
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            match_full: false,
        }),
    )
}

pub(crate) fn check(name: &str, expr: &str) -> Constraint {
    constraint(
        name,
        ConstraintKind::Check {
            expr: SqlExpr::raw(expr),
            no_inherit: false,
        },
    )
}

pub(crate) fn idents(names: &[&str]) -> Vec<Ident> {
    names.iter().map(|name| Ident::new(*name)).collect()
}

pub(crate) fn index(name: &str, columns: &[&str]) -> Index {
    Index {
        name: Ident::new(name),
        unique: false,
        nulls_not_distinct: false,
        method: "btree".to_string(),
        keys: columns
            .iter()
            .map(|column| IndexKey {
                expr: IndexExpr::Column(Ident::new(*column)),
                collation: None,
                opclass: None,
                descending: false,
                nulls_first: None,
            })
            .collect(),
        include: Vec::new(),
        predicate: None,
        with: Vec::new(),
        invalid: false,
        comment: None,
        meta: Meta::default(),
    }
}

pub(crate) fn policy(name: &str, using: &str) -> Policy {
    Policy {
        name: Ident::new(name),
        permissive: true,
        command: PolicyCommand::All,
        roles: Vec::new(),
        using: Some(SqlExpr::raw(using)),
        with_check: None,
        comment: None,
        meta: Meta::default(),
    }
}

pub(crate) fn add_constraint(mut table: Table, constraint: Constraint) -> Table {
    table
        .constraints
        .insert(constraint.name.clone(), Box::new(constraint));
    table
}

pub(crate) fn add_index(mut table: Table, index: Index) -> Table {
    table.indexes.insert(index.name.clone(), Box::new(index));
    table
}

pub(crate) fn model(tables: Vec<Table>) -> Model {
    let mut res = Model::default();
    for table in tables {
        res.tables.insert(table.name.clone(), table);
    }
    res
}

/// One line per step: `tx|+tx|no-tx  sql`, then `  ! hazard` lines.
pub(crate) fn render(plan: &Plan) -> String {
    let mut res = String::new();
    for step in &plan.steps {
        let mode = if !step.transactional {
            "no-tx"
        } else if step.joins_previous {
            "+tx"
        } else {
            "tx"
        };
        res.push_str(&format!("{mode} {}\n", step.sql));
        for note in &step.hazards {
            res.push_str(&format!("  ! {}\n", note.hazard));
        }
    }
    for note in &plan.notes {
        res.push_str(&format!("note: {note}\n"));
    }
    res
}

/// Diff + plan with default options, rendered.
pub(crate) fn plan_text(current: &Model, desired: &Model) -> String {
    match plan_models(current, desired, &PlanOptions::default()) {
        Ok(plan) => render(&plan),
        Err(err) => format!("error: {err}"),
    }
}
