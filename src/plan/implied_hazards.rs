//! Hazards recomputed from the typed steps of a plan: what a step's
//! [`Action`] and its recorded effects (`rewrites`) imply, whatever its
//! `hazards` list says. `apply --plan FILE` uses it so that a saved plan
//! whose hazards were removed by hand is refused instead of run
//! ([`super::saved::from_json`]).
//!
//! Invariants:
//! - A floor, never more: every hazard implied here is one the strategy
//!   that builds such a step raises too (the fixture tests check every
//!   plan, online and direct); strategies may raise more (a long lock in
//!   direct mode, a scan of a default partition), which is kept.
//! - Pure, and read from actions and step flags only, never from SQL.
//! - Steps on a table that an earlier step of the same plan created imply
//!   no build or scan hazard: the table is empty.

use super::{Action, Hazard, Plan, Step};
use crate::model::QualifiedName;
use std::collections::BTreeSet;

/// The hazards each step (by position) implies.
pub fn implied(plan: &Plan) -> Vec<BTreeSet<Hazard>> {
    let mut created: BTreeSet<&QualifiedName> = BTreeSet::new();
    let mut res = Vec::with_capacity(plan.steps.len());
    for (idx, step) in plan.steps.iter().enumerate() {
        let next = plan.steps.get(idx + 1);
        res.push(step_hazards(step, next, &created));
        if let Action::CreateTable { table, .. } = &step.action {
            created.insert(table);
        }
    }
    res
}

/// A step whose recorded hazards lack some that its action implies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrecorded {
    /// 0-based position of the step.
    pub index: usize,
    pub description: String,
    pub missing: Vec<Hazard>,
}

/// The steps whose recorded hazards lack an implied one (empty for every
/// plan the planner makes).
pub fn unrecorded(plan: &Plan) -> Vec<Unrecorded> {
    plan.steps
        .iter()
        .zip(implied(plan))
        .enumerate()
        .filter_map(|(index, (step, implied))| {
            let recorded: BTreeSet<Hazard> = step.hazards.iter().map(|note| note.hazard).collect();
            let missing: Vec<Hazard> = implied.difference(&recorded).copied().collect();
            (!missing.is_empty()).then(|| Unrecorded {
                index,
                description: step.description.clone(),
                missing,
            })
        })
        .collect()
}

fn step_hazards(
    step: &Step,
    next: Option<&Step>,
    created: &BTreeSet<&QualifiedName>,
) -> BTreeSet<Hazard> {
    let mut res = BTreeSet::new();
    if step.rewrites {
        res.insert(Hazard::TableRewrite);
    }
    match &step.action {
        Action::DropSchema { .. } | Action::DropExtension { .. } | Action::DropSequence { .. } => {
            res.insert(Hazard::DataLoss);
        }
        Action::DropTable { table, .. } if !created.contains(table) => {
            res.insert(Hazard::DataLoss);
        }
        Action::DropColumn { table, column } if !created.contains(table) => {
            // A generated column dropped to be added again with another
            // expression loses nothing its expression cannot recompute;
            // the strategy decides that and says so. Any other drop loses
            // the column's values.
            let re_added = next.is_some_and(|next| {
                next.joins_previous
                    && matches!(&next.action, Action::AddColumn { table: t, column: c, generated: true, .. }
                        if t == table && c == column)
            });
            if !re_added {
                res.insert(Hazard::DataLoss);
            }
        }
        Action::RenameEnumForRebuild { removed_values, .. } if !removed_values.is_empty() => {
            res.insert(Hazard::EnumValueRemoval);
        }
        Action::CreateIndex {
            table,
            concurrently: true,
            ..
        } if !created.contains(table) => {
            res.insert(Hazard::IndexBuild);
        }
        Action::ValidateConstraint { table, .. } if !created.contains(table) => {
            res.insert(Hazard::FullScan);
        }
        Action::Backfill { table, .. } if !created.contains(table) => {
            res.insert(Hazard::FullScan);
        }
        _ => {}
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, Ident, Model, Table, TypeName};
    use crate::plan::{plan_models, PlanOptions};

    fn model(tables: &[(&str, &[&str])]) -> Model {
        let mut model = Model::default();
        for (name, columns) in tables {
            let qualified = QualifiedName::new("public", *name);
            let mut table = Table::new(qualified.clone());
            for column in *columns {
                table
                    .columns
                    .push(Column::new(Ident::new(*column), TypeName::new("integer")));
            }
            model.tables.insert(qualified, table);
        }
        model
    }

    #[test]
    fn dropping_data_implies_data_loss_and_planned_steps_record_it() {
        let current = model(&[("a", &["id", "x"]), ("b", &["id"])]);
        let desired = model(&[("a", &["id"])]);
        let plan = plan_models(&current, &desired, &PlanOptions::default()).expect("plans");
        assert!(unrecorded(&plan).is_empty(), "{plan:#?}");
        let implied = implied(&plan);
        assert!(implied.iter().all(|set| set.contains(&Hazard::DataLoss)));
        assert_eq!(implied.len(), 2);

        let mut edited = plan.clone();
        for step in &mut edited.steps {
            step.hazards.clear();
        }
        let missing = unrecorded(&edited);
        assert_eq!(missing.len(), 2);
        assert!(missing
            .iter()
            .all(|step| step.missing == vec![Hazard::DataLoss]));
    }

    #[test]
    fn tables_created_by_the_plan_imply_nothing() {
        let desired = model(&[("a", &["id"])]);
        let plan =
            plan_models(&Model::default(), &desired, &PlanOptions::default()).expect("plans");
        assert!(implied(&plan).iter().all(BTreeSet::is_empty));
    }
}
