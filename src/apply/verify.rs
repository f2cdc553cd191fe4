//! Convergence: after the last step the database is introspected again and
//! diffed against the desired Model; any change left is a failure that
//! names exactly what differs.
//!
//! Invariant: the comparison is the planner's own (`diff::diff`, on the
//! desired schema normalised the way `plan --db` normalises it), so
//! "converged" means "a new plan would be empty"; schemac's own schema is
//! never part of it.

use super::{current_model, ApplyError, VerifyTarget};
use crate::diff::{self, Change, ColumnChange};
use crate::plan::{PlanCtx, PlanOptions};
use tokio_postgres::Client;

/// Introspects and compares; `Err(NotConverged)` lists every difference.
pub async fn verify(client: &Client, target: &VerifyTarget<'_>) -> Result<(), ApplyError> {
    let mut after = current_model(client, target.filter).await?;
    // Citus names a colocation group by its first table: the schema's
    // spelling of the same placement is no difference.
    let shard_count = crate::introspect::citus_default_shard_count(client).await;
    crate::model::align_distribution(&mut after, target.desired, shard_count);
    let settled;
    let desired = if target.offline {
        let mut desired = target.desired.clone();
        crate::model::normalize::unproven_expressions(&after, &mut desired);
        settled = desired;
        &settled
    } else {
        target.desired
    };
    let changes = diff::diff(&after, desired);
    if changes.is_empty() {
        return Ok(());
    }
    Err(ApplyError::NotConverged {
        differences: describe_changes(&after, desired, &changes),
    })
}

/// One line per change (`- add column public.t.c`), each followed by the
/// SQL a new plan would run for it, when it can be planned.
pub fn describe_changes(
    current: &crate::model::Model,
    desired: &crate::model::Model,
    changes: &diff::ChangeSet,
) -> String {
    let ctx = PlanCtx::new(current, desired, PlanOptions::default());
    let planned = crate::plan::plan(changes, &ctx).ok();
    let mut lines = Vec::new();
    for (idx, change) in changes.changes.iter().enumerate() {
        lines.push(format!("  - {}", describe_change(change)));
        if let Some(plan) = &planned {
            for step in plan.steps.iter().filter(|step| step.origin.change == idx) {
                lines.push(format!("      would run: {}", one_line(&step.sql)));
            }
        }
    }
    lines.join("\n")
}

/// `add column public.t.c`, `alter column public.t.c: type integer -> bigint`.
pub fn describe_change(change: &Change) -> String {
    let object = change.object();
    let verb = match change {
        Change::CreateSchema(_)
        | Change::CreateExtension(_)
        | Change::CreateEnum(_)
        | Change::CreateDomain(_)
        | Change::CreateCompositeType(_)
        | Change::CreateStatistics { .. }
        | Change::CreateSequence(_)
        | Change::CreateFunction(_)
        | Change::CreateTable(_)
        | Change::CreateIndex { .. }
        | Change::CreatePolicy { .. }
        | Change::CreateTrigger { .. }
        | Change::CreateRule { .. }
        | Change::CreateView(_) => "create".to_string(),
        Change::DropSchema(_)
        | Change::DropExtension(_)
        | Change::DropEnum(_)
        | Change::DropDomain(_)
        | Change::DropCompositeType(_)
        | Change::DropStatistics { .. }
        | Change::DropSequence(_)
        | Change::DropFunction(_)
        | Change::DropTable(_)
        | Change::DropColumn { .. }
        | Change::DropConstraint { .. }
        | Change::DropIndex { .. }
        | Change::DropPolicy { .. }
        | Change::DropTrigger { .. }
        | Change::DropRule { .. }
        | Change::DropView(_) => "drop".to_string(),
        Change::AlterExtension { .. }
        | Change::AlterDomain { .. }
        | Change::AlterCompositeType { .. }
        | Change::AlterStatistics { .. }
        | Change::AlterSequence { .. }
        | Change::AlterPolicy { .. } => "alter".to_string(),
        Change::ReplaceFunction { .. }
        | Change::ReplaceRule { .. }
        | Change::ReplaceTrigger { .. }
        | Change::ReplaceView { .. } => "replace".to_string(),
        Change::AddEnumValue { value, .. } => format!("add value '{value}' to"),
        Change::RecreateEnum { .. } => "recreate".to_string(),
        Change::RenameTable { from, .. } => format!("rename {from} to"),
        Change::RenameSchema { from, .. } => format!("rename schema {from} to"),
        Change::RenameObject { from, .. } => format!("rename {from} to"),
        Change::AddColumn { .. } => "add".to_string(),
        Change::RenameColumn { from, .. }
        | Change::RenameConstraint { from, .. }
        | Change::RenameIndex { from, .. }
        | Change::RenamePolicy { from, .. } => format!("rename {from} to"),
        Change::AlterColumn { change, .. } => {
            return format!("alter {object}: {}", describe_column_change(change))
        }
        Change::AddConstraint { .. } | Change::AddConstraintUsingIndex { .. } => "add".to_string(),
        Change::ValidateConstraint { .. } => "validate".to_string(),
        Change::AttachPartition(_) => "attach partition".to_string(),
        Change::DetachPartition(_) => "detach partition".to_string(),
        Change::SetPartitioning { .. } => "change the partitioning of".to_string(),
        Change::AttachTable { .. } => "attach as a partition".to_string(),
        Change::DetachTable { .. } => "detach from its parent".to_string(),
        Change::EnableRls { .. } => "enable row level security on".to_string(),
        Change::DisableRls { .. } => "disable row level security on".to_string(),
        Change::ForceRls { .. } => "force row level security on".to_string(),
        Change::NoForceRls { .. } => "stop forcing row level security on".to_string(),
        Change::SetComment { comment, .. } => match comment {
            Some(_) => "set the comment of".to_string(),
            None => "remove the comment of".to_string(),
        },
        Change::Distribute { .. } | Change::DistributeSchema(_) => "distribute".to_string(),
        Change::UndistributeSchema(_) => "undistribute".to_string(),
        Change::SetPrivileges { .. } => "grant or revoke privileges on".to_string(),
        Change::SetDefaultPrivileges { .. } => "alter".to_string(),
        Change::Undistribute { .. } => "undistribute".to_string(),
        Change::SetInherits { .. } => "change the parents of".to_string(),
        Change::SetTableOptions { .. } => "set the storage parameters of".to_string(),
    };
    format!("{verb} {object}")
}

fn describe_column_change(change: &ColumnChange) -> String {
    match change {
        ColumnChange::Type { from, to, .. } => format!("type {} -> {}", from.0, to.0),
        ColumnChange::SetDefault(expr) => format!("set default {}", one_line(&expr.sql)),
        ColumnChange::DropDefault => "drop default".to_string(),
        ColumnChange::SetNotNull => "set not null".to_string(),
        ColumnChange::DropNotNull => "drop not null".to_string(),
        ColumnChange::Identity { from, to } => format!(
            "identity {} -> {}",
            if from.is_some() { "set" } else { "none" },
            if to.is_some() { "set" } else { "none" }
        ),
        ColumnChange::Generated { from, to } => format!(
            "generation expression {} -> {}",
            from.as_ref()
                .map(|expr| one_line(&expr.sql))
                .unwrap_or_else(|| "none".to_string()),
            to.generated
                .as_ref()
                .map(|expr| one_line(&expr.sql))
                .unwrap_or_else(|| "none".to_string())
        ),
        ColumnChange::Collation { from, to, .. } => format!(
            "collation {} -> {}",
            from.as_ref()
                .map(ToString::to_string)
                .unwrap_or_else(|| "default".to_string()),
            to.as_ref()
                .map(ToString::to_string)
                .unwrap_or_else(|| "default".to_string())
        ),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, Ident, Model, QualifiedName, Table, TypeName};

    fn model(columns: &[(&str, &str)]) -> Model {
        let mut model = Model::default();
        let name = QualifiedName::public("t");
        let mut table = Table::new(name.clone());
        for (column, ty) in columns {
            table
                .columns
                .push(Column::new(Ident::new(*column), TypeName::new(*ty)));
        }
        model.tables.insert(name, table);
        model
    }

    #[test]
    fn differences_name_objects_and_sql() {
        let current = model(&[("id", "integer"), ("old", "text")]);
        let desired = model(&[("id", "bigint"), ("new", "text")]);
        let changes = diff::diff(&current, &desired);
        let text = describe_changes(&current, &desired, &changes);
        assert!(
            text.contains("- alter column public.t.id: type integer -> bigint"),
            "{text}"
        );
        assert!(text.contains("- add column public.t.new"), "{text}");
        assert!(text.contains("- drop column public.t.old"), "{text}");
        assert!(text.contains("would run: ALTER TABLE public.t"), "{text}");
        assert!(describe_changes(&current, &current, &diff::diff(&current, &current)).is_empty());
    }
}
