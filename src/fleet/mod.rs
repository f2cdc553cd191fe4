//! Fleet rollout: one desired schema planned and applied across many
//! databases (a database per tenant or per shard), named by a
//! `[targets.NAME]` table of `schemac.toml` ([`crate::config::Target`]).
//!
//! Owns: resolving the target's databases ([`members`]: a list, a file of
//! connection strings, or a query), planning every database with bounded
//! parallelism and grouping identical plans ([`plan`]: drift is every
//! group but the largest), the rollout ([`rollout`]: a canary subset
//! first, then waves, stopping on the first failure unless configured
//! otherwise) and the progress events of both ([`progress`]).
//!
//! Invariants:
//! - Each database goes through the single-database code paths unchanged:
//!   [`crate::live::plan_against_db`] to plan and
//!   [`crate::live::apply_to_db`] to apply (its advisory lock, its own
//!   history, preflight, verification). A database already converged
//!   plans empty and is reported unchanged; one interrupted earlier is
//!   resumed by its own history.
//! - At most `parallel` databases are planned or applied at once, on one
//!   task; nothing new starts after a stop (a failure under
//!   `on-failure = "stop"`, any failure in the canary, or Ctrl-C), and
//!   every database ends in exactly one [`rollout::MemberState`].
//! - A database is named by [`crate::live::ConnParams::target`]
//!   (`user@host:port/dbname`); every reason and message is passed through
//!   [`crate::live::connect::redact`]: no password is ever printed.
//!
//! Boundary: the database (through `live`). Output formats are
//! `render::fleet`'s; terminals are the CLI's.

pub mod members;
pub mod plan;
pub mod progress;
pub mod rollout;

pub use members::{resolve_members, Member};
pub use plan::{plan_fleet, plan_key, FleetPlan, MemberPlan, PlanGroup};
pub use progress::{FleetEvent, FleetProgress};
pub use rollout::{roll_out, LintGate, MemberState, RolloutCtx, RolloutReport};

use crate::live::connect::redact;

/// Failures that stop a fleet command before any database is planned.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum FleetError {
    #[error("cannot read the databases file {path} of target `{target}`: {source}")]
    #[diagnostic(
        code("fleet-read-error"),
        help("check `databases-file` in [targets.{target}] (relative to schemac.toml)")
    )]
    ReadFile {
        target: String,
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("{origin} of target `{target}` is not a valid connection string: {message}")]
    #[diagnostic(
        code("fleet-bad-database"),
        help("each database is a postgres:// URL or a key=value string; fix or remove the entry")
    )]
    BadDatabase {
        target: String,
        origin: String,
        message: String,
    },

    #[error("the databases query of target `{target}` failed: {message}")]
    #[diagnostic(
        code("fleet-query-failed"),
        help("check `databases-query` and `query-db` in [targets.{target}]; the query must return one text column of connection strings or database names")
    )]
    Query { target: String, message: String },

    #[error("target `{target}` names no databases")]
    #[diagnostic(
        code("fleet-empty"),
        help("add databases to [targets.{target}] (or check what its query returns)")
    )]
    Empty { target: String },

    #[error("target `{target}` names {database} twice ({first} and {second})")]
    #[diagnostic(
        code("fleet-duplicate"),
        help("remove one of the entries: a database is planned and applied once per rollout")
    )]
    Duplicate {
        target: String,
        database: String,
        first: String,
        second: String,
    },
}

/// One line (or more) saying why, without any password: the error's
/// message and, for an error with its own help, nothing more (the table
/// stays short; the CLI prints the full error of a single database).
pub fn reason(err: &dyn std::fmt::Display) -> String {
    redact(&err.to_string())
}
