//! The live session: everything `plan --db`, `apply` and `inspect` do
//! with a database, between the command line and `introspect`/`apply`.
//!
//! Owns: the connection target, read once as libpq reads it ([`connect`]:
//! URLs and key=value strings, the PG* environment, the password file, the
//! default unix socket), reading the live Model over two connections in one snapshot
//! ([`read_live`]: schemac's own schema and INVALID indexes left out),
//! normalising the desired schema in a shadow database or offline
//! ([`shadow`], [`normalize_desired`]), the live table statistics
//! the planner weighs steps with (`stats`), planning against the live
//! Model ([`plan_against_db`]), the names the files leave to PostgreSQL
//! checked against the target's catalogs ([`check_unresolved`]),
//! printing it back ([`inspect`]) and the
//! session `schemac apply` runs under its advisory lock ([`apply_to_db`]).
//!
//! Invariants:
//! - The connection target arrives parsed, as one [`ConnParams`] (the CLI
//!   resolves `--db` or `DATABASE_URL` once, see `crate::config`), and is
//!   passed down as it is: a helper connection, the shadow databases
//!   and the last-resort drop of a throwaway one all derive from it, so
//!   no connection string is parsed twice or printed.
//! - Planning and inspecting never change the target database; the only
//!   databases this module creates are shadows: the kept shadow of the
//!   target (`schemac_shadow_<database>`, emptied after every run, never
//!   holding anything between runs) and throwaway ones, dropped on every
//!   path (see [`shadow::ShadowDb`]). Only [`apply_to_db`]
//!   writes, through [`crate::apply`].
//! - Every connection this module opens is closed before its function
//!   returns, on success and on error.
//! - Notes for the user are returned, never printed: stdout and stderr
//!   belong to the CLI.
//!
//! Boundary: the database. Depends on `introspect` (reading), `apply`
//! (writing) and the pure core; nothing below it depends on it.

mod apply;
mod bounds;
mod citus;
pub mod connect;
mod inspect;
mod model;
mod plan;
mod resolve;
mod session;
pub mod shadow;
mod stats;

pub use apply::{apply_to_db, ApplyOutcome, ApplySource, Review, Turn};
pub use connect::{connect, ConnParams, ConnString, ConnectError, Env, SslMode, Tls};
pub use inspect::{declare_policy_roles, inspect, Inspected};
pub use model::{invalid_index_notes, read_live, LiveModel};
pub use plan::{
    normalize_desired, plan_against_db, plan_against_read, read_target, LivePlan,
    NormalizedDesired, TargetRead,
};
pub use resolve::check_unresolved;

use crate::apply::ApplyError;
use crate::introspect::{Filter, IntrospectError};
use crate::plan::PlanError;
use shadow::ShadowError;

/// Where the desired schema is normalised before it is compared with the
/// live database.
#[derive(Debug, Clone, Default)]
pub enum ShadowChoice {
    /// A database on the target's server when the role may create
    /// databases, else offline: schemac's kept shadow of the target
    /// (`schemac_shadow_<database>`, created once, emptied after each run,
    /// one run at a time), or a throwaway one (dropped again) when that is
    /// busy or the schema needs a fresh database (see
    /// [`shadow::kept_eligible`]).
    #[default]
    OnServer,
    /// An empty database the user named (`--shadow-db`): emptied again
    /// afterwards, never dropped.
    Provided(Box<ConnParams>),
    /// The offline normaliser only (`--no-shadow`).
    Offline,
}

/// How much of the desired schema the shadow database builds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ShadowScope {
    /// Only the objects whose definition differs from the live one (or
    /// that the offline normaliser cannot prove equal), with what they
    /// need (see [`shadow::select`]).
    #[default]
    Changed,
    /// The whole desired schema (hidden `--full-shadow`): the reference
    /// the proportional shadow is tested against.
    Full,
}

/// How a plan against a live database is made.
#[derive(Debug, Clone, Default)]
pub struct LiveOptions {
    pub shadow: ShadowChoice,
    /// What the shadow database builds.
    pub shadow_scope: ShadowScope,
    /// Whether the target runs Citus (`--citus`).
    pub citus: crate::config::Citus,
    /// The data checks `plan --db` runs on the plan's steps, as apply
    /// would before its first step.
    pub preflight: crate::apply::PreflightSettings,
    /// Compute the saved plan's fingerprint of the database read
    /// ([`LivePlan::fingerprint`], for `plan --out`); it plans the whole
    /// database from empty, so only when the plan is saved.
    pub fingerprint: bool,
}

/// A failure of the live session. Each variant names what was being done;
/// the module errors underneath keep their own codes and help.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LiveError {
    #[error("{action} failed: {message}")]
    #[diagnostic(
        code("database-error"),
        help("check the connection and that the role may read pg_catalog")
    )]
    Database {
        action: &'static str,
        message: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("the schema distributes {what} but the database has no citus extension")]
    #[diagnostic(
        code("citus-missing"),
        help("install Citus on the server and run CREATE EXTENSION citus; for a development database without Citus, pass --citus off (or set [plan] citus = \"off\" in schemac.toml) to leave the distribution out")
    )]
    CitusMissing { what: String },

    #[error("citus.enable_schema_based_sharding is on, so Citus would distribute the new schema(s) {schemas}, which the schema does not declare distributed")]
    #[diagnostic(
        code("citus-schema-sharding-on"),
        help("declare the schema(s) `distributed` (`SELECT citus_schema_distribute(...)` in .sql), or turn citus.enable_schema_based_sharding off for this role or database")
    )]
    SchemaShardingOn { schemas: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Introspect(#[from] IntrospectError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Shadow(#[from] ShadowError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] PlanError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Apply(#[from] ApplyError),
}

/// The filter every live command starts from: every non-system schema but
/// schemac's own.
pub fn filter() -> Filter {
    let mut filter = Filter::default();
    crate::apply::exclude_own_schema(&mut filter);
    filter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_live_filter_leaves_out_schemac_only() {
        let filter = filter();
        assert!(!filter.keeps_schema(crate::apply::HISTORY_SCHEMA));
        assert!(filter.keeps_schema("public"));
        assert!(filter.include_schemas.is_empty());
    }

    #[test]
    fn errors_keep_their_codes() {
        use miette::Diagnostic;
        let err = LiveError::from(IntrospectError::UnsupportedVersion { found: 120000 });
        assert_eq!(
            err.code().map(|code| code.to_string()).as_deref(),
            Some("unsupported-version")
        );
        assert!(matches!(ShadowChoice::default(), ShadowChoice::OnServer));
    }
}
