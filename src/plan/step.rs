//! A plan and its steps. Everything about a step is decided at plan time;
//! renderers and apply only read it.
//!
//! Invariant: what a step does is its [`Action`]; `sql` is only what is
//! sent to the server (and printed). No consumer searches or tokenizes
//! `sql` to find out what the step does.

use super::action::Action;
use super::hazard::Hazard;
use super::lock::Lock;
use crate::model::{Ident, ObjectId, QualifiedName};
use crate::source::Span;

/// The ordered migration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// Things the user should know that are not steps: external objects
    /// left alone, expressions that could not be proved equal offline,
    /// roles the schema expects to exist.
    pub notes: Vec<String>,
    /// The session `search_path` every step runs under: the one the
    /// schema file sets for itself (`SET search_path TO app, public`,
    /// [`crate::model::FileSession`]); `None` leaves the session's own.
    pub search_path: Option<Vec<crate::model::Ident>>,
}

impl Plan {
    /// `SET search_path TO ...` for [`Plan::search_path`] (without `;`).
    pub fn search_path_sql(&self) -> Option<String> {
        self.search_path.as_ref().map(|path| {
            format!(
                "SET search_path TO {}",
                crate::model::session::path_sql(path)
            )
        })
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Gives each step the size of its table from `sizes` (live
    /// statistics, `plan --db`); a table `sizes` does not have gets none.
    /// Sizes are shown with the steps and decide nothing about them, so a
    /// plan is annotated after it is made, not made again.
    pub fn set_table_sizes(
        &mut self,
        sizes: &std::collections::BTreeMap<QualifiedName, TableSize>,
    ) {
        for step in &mut self.steps {
            step.table_size = step
                .table
                .as_ref()
                .and_then(|table| sizes.get(table).copied());
        }
    }

    /// Every hazard raised by any step, sorted and deduplicated.
    pub fn hazards(&self) -> Vec<Hazard> {
        let mut res: Vec<Hazard> = self
            .steps
            .iter()
            .flat_map(|step| step.hazards.iter().map(|note| note.hazard))
            .collect();
        res.sort();
        res.dedup();
        res
    }

    /// Consecutive steps that run in one transaction (a non-transactional
    /// step is a group of its own). `render::sql` and `apply` both use this.
    pub fn transaction_groups(&self) -> Vec<&[Step]> {
        let mut groups = Vec::new();
        let mut start = 0;
        for idx in 1..=self.steps.len() {
            let ends_group = idx == self.steps.len()
                || !self.steps[idx].transactional
                || !self.steps[idx - 1].transactional
                || !self.steps[idx].joins_previous;
            if ends_group {
                groups.push(&self.steps[start..idx]);
                start = idx;
            }
        }
        groups
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Short human description: `create index orders_status_idx on public.orders`.
    pub description: String,
    /// What the step does (set by the strategy that built it).
    pub action: Action,
    /// One SQL statement, without the final semicolon.
    pub sql: String,
    /// Runs inside a transaction (false for CONCURRENTLY, ADD VALUE on old
    /// servers, Citus concurrent calls).
    pub transactional: bool,
    /// Runs in the same transaction as the previous step (both transactional).
    pub joins_previous: bool,
    pub locks: Vec<Lock>,
    /// The table is rewritten.
    pub rewrites: bool,
    /// The table is scanned in full.
    pub scans: bool,
    pub hazards: Vec<HazardNote>,
    /// The table whose size matters for this step (for live statistics).
    pub table: Option<QualifiedName>,
    /// Estimated rows and bytes of `table`, when a database is known.
    pub table_size: Option<TableSize>,
    /// The object whose change caused this step, and where it is defined.
    pub origin: Origin,
    /// The role the step runs as (`SET ROLE`), so that PostgreSQL makes it
    /// the owner of what the step creates, as when the schema file runs:
    /// the role the file had set when it created the object
    /// (`model::Meta::role`). Only steps that create an owned object
    /// anew carry one (`Action::creates_owned_object`); every other step
    /// runs as the applying user, who may alter what it does not own.
    pub role: Option<Ident>,
}

impl Step {
    /// `SET ROLE name` before the step, when it has a role (without `;`);
    /// [`Step::reset_role_sql`] follows the step. `render::sql` prints
    /// and `apply` runs both, in the step's transaction.
    pub fn set_role_sql(&self) -> Option<String> {
        self.role.as_ref().map(|role| format!("SET ROLE {role}"))
    }

    /// `RESET ROLE` after a step with a role.
    pub fn reset_role_sql(&self) -> Option<&'static str> {
        self.role.as_ref().map(|_| "RESET ROLE")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HazardNote {
    pub hazard: Hazard,
    /// Why this step has the hazard, naming the object.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSize {
    /// Estimated rows; `None` when the table was never analysed.
    pub rows: Option<i64>,
    pub bytes: i64,
}

/// Back-link from a step to the change and object it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Index of the change in the ChangeSet.
    pub change: usize,
    pub object: ObjectId,
    /// The desired object's definition (or the current one's, for drops).
    pub span: Option<Span>,
}
