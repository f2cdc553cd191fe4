//! Introspection: a live PostgreSQL database -> [`Model`].
//!
//! Owns reading the system catalogs of PostgreSQL 13 to 17 and turning the
//! rows into the same Model the frontends build, through the same
//! normalisation ([`crate::model::normalize`]).
//!
//! Invariants:
//! - A constant number of queries, independent of the number of objects: one
//!   query per object kind over `pg_catalog` joined wholesale (see
//!   [`IntrospectStats::queries`]). The catalog queries live in `queries/` and
//!   are loaded with `include_str!`.
//! - One consistent snapshot: every query runs in a single
//!   `REPEATABLE READ READ ONLY` transaction, with the settings that shape
//!   catalog text pinned by `SET LOCAL` (`search_path = ''` so that every
//!   name prints schema-qualified, `TimeZone = 'UTC'` for timestamptz
//!   partition bounds, `DateStyle`, `IntervalStyle`, `bytea_output` and
//!   `extra_float_digits` for literals). `SET LOCAL` ends with the
//!   transaction, so the caller's session is left as it was.
//! - No per-table locks: only plain SELECTs and `pg_get_*` deparse
//!   functions, which read the syscache and lock nothing but catalogs
//!   (unlike pg_dump's `LOCK TABLE` on every table). The one exception is
//!   the view deparser (`pg_get_viewdef` and `pg_get_ruledef` alike run
//!   `AcquireRewriteLocks`): it takes `AccessShareLock` on each view and on
//!   the relations the view reads, for the rest of the snapshot. That mode
//!   conflicts only with `ACCESS EXCLUSIVE`, and `lock_timeout` (5 s) makes
//!   introspection fail with [`IntrospectError::LockTimeout`] rather than
//!   queue behind DDL (and block everyone queued behind it).
//! - System schemas and objects owned by extensions (`pg_depend` deptype
//!   `e`) are never part of the Model; neither are objects a partition
//!   inherits from its parent.
//!
//! Boundary: this module and `apply` are the only ones that talk to a
//! database; the Model knows nothing of tokio-postgres.

pub mod connect;
mod constraint;
mod distribution;
mod extension;
mod function;
mod index;
mod partition;
mod policy;
mod sequence;
pub mod shadow;
mod sql;
mod table;
mod trigger;
mod types;
mod view;

pub use connect::{connect, ConnString};
pub use distribution::{distribution_from_rows, DistPartitionRow};

use crate::model::{glob_match, normalize, Model, QualifiedName, SqlExpr, TypeName};
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio_postgres::{Client, Row};

/// The oldest PostgreSQL major version whose catalogs the queries know.
pub const MIN_SERVER_VERSION: i32 = 130000;

/// Which schemas and objects to read. Every pattern is a glob (`*`, `?`).
///
/// [`Filter::default`] reads every non-system schema except schemac's own
/// history schema ([`crate::apply::HISTORY_SCHEMA`]), so that no caller
/// plans to drop it by accident; a filter built field by field states its
/// own exclusions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Only these schemas (empty: every non-system schema).
    pub include_schemas: Vec<String>,
    /// Never these schemas (by default: schemac's own history schema).
    pub exclude_schemas: Vec<String>,
    /// Objects to leave out, matched against `schema.name` when the pattern
    /// has a dot and against the bare name otherwise (as `external`).
    pub exclude_patterns: Vec<String>,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            include_schemas: Vec::new(),
            exclude_schemas: vec![crate::apply::HISTORY_SCHEMA.to_string()],
            exclude_patterns: Vec::new(),
        }
    }
}

impl Filter {
    /// True when objects of `schema` are read.
    pub fn keeps_schema(&self, schema: &str) -> bool {
        let included = self.include_schemas.is_empty()
            || self
                .include_schemas
                .iter()
                .any(|pattern| glob_match(pattern, schema));
        included
            && !self
                .exclude_schemas
                .iter()
                .any(|pattern| glob_match(pattern, schema))
    }

    /// True when the object `name` is read.
    pub fn keeps(&self, name: &QualifiedName) -> bool {
        self.keeps_schema(name.schema.as_str())
            && !self.exclude_patterns.iter().any(|pattern| {
                if pattern.contains('.') {
                    glob_match(pattern, &format!("{}.{}", name.schema.0, name.name.0))
                } else {
                    glob_match(pattern, &name.name.0)
                }
            })
    }
}

/// What one introspection cost.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IntrospectStats {
    /// Catalog queries sent (session setup, the lock probe and the final
    /// COMMIT excluded).
    pub queries: usize,
    /// `server_version_num` of the server.
    pub server_version: i32,
    /// With [`IntrospectOptions::probe_locks`]: the relation locks the
    /// snapshot transaction held, after its last query, on relations
    /// outside `pg_catalog`, as `(schema.relation, mode)`, sorted. Expected:
    /// only `AccessShareLock` on views and the relations they read (taken by
    /// the view deparser, see `queries/views.sql`).
    pub non_catalog_relation_locks: Option<Vec<(String, String)>>,
}

/// Knobs of one introspection run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IntrospectOptions {
    /// Before committing, count the relation locks the transaction holds
    /// outside `pg_catalog` (locks are held to the end of a transaction,
    /// so this sees every lock any query took). One extra query.
    pub probe_locks: bool,
}

/// A failure to read the database. Each variant names what was being read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum IntrospectError {
    #[error("invalid connection string: {message}")]
    #[diagnostic(
        code("invalid-connection-string"),
        help("use a URL such as postgresql://user@host:5432/dbname, or key=value pairs such as `host=localhost dbname=app`")
    )]
    InvalidConnString { message: String },

    #[error("cannot reach PostgreSQL at {target}")]
    #[diagnostic(
        code("server-unreachable"),
        help("check that the server is running and accepts TCP connections on that host and port (locally: `pg_ctlcluster --skip-systemctl-redirect 15 main start`)")
    )]
    Unreachable {
        target: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("password authentication failed for {target}")]
    #[diagnostic(
        code("bad-credentials"),
        help("check the user and password in the connection string (or PGPASSWORD / ~/.pgpass)")
    )]
    BadCredentials {
        target: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("the server refused the connection to {target}: {message}")]
    #[diagnostic(
        code("not-authorized"),
        help("the role may not exist, or pg_hba.conf has no entry allowing this user, database and address")
    )]
    NotAuthorized {
        target: String,
        message: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("database does not exist: {target}")]
    #[diagnostic(
        code("missing-database"),
        help(
            "create it first (`createdb NAME`) or fix the database name in the connection string"
        )
    )]
    MissingDatabase {
        target: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("cannot connect to {target}: {message}")]
    #[diagnostic(
        code("connection-failed"),
        help("the server is starting up, shutting down or out of connection slots; retry in a moment")
    )]
    Connect {
        target: String,
        message: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("PostgreSQL {found} is not supported (schemac reads PostgreSQL 13 and later)")]
    #[diagnostic(
        code("unsupported-version"),
        help("upgrade the server, or plan against a newer copy of the database")
    )]
    UnsupportedVersion { found: i32 },

    #[error("could not start the introspection transaction")]
    #[diagnostic(
        code("introspection-transaction"),
        help("the connection must not already be inside a transaction, and the server must accept read-only REPEATABLE READ transactions")
    )]
    Session {
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("reading {object_kind} from the catalogs failed: {message}")]
    #[diagnostic(
        code("query-failed"),
        help("the user needs permission to read pg_catalog; if the message names a missing column, report the server version (schemac supports PostgreSQL 13 to 17)")
    )]
    Query {
        object_kind: &'static str,
        message: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("reading {object_kind} waited too long for a lock")]
    #[diagnostic(
        code("lock-timeout"),
        help("a concurrent DDL statement holds ACCESS EXCLUSIVE on a view or on a relation a view reads; retry when it has finished")
    )]
    LockTimeout {
        object_kind: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("unexpected catalog row while reading {object_kind}: {message}")]
    #[diagnostic(
        code("unexpected-row"),
        help("this is a schemac bug: please report it with the server version")
    )]
    Row {
        object_kind: &'static str,
        message: String,
    },
}

/// Reads every object of the database that `filter` keeps.
pub async fn introspect(client: &Client, filter: &Filter) -> Result<Model, IntrospectError> {
    introspect_with_stats(client, filter, IntrospectOptions::default())
        .await
        .map(|(model, _)| model)
}

/// [`introspect`], also returning what it cost.
pub async fn introspect_with_stats(
    client: &Client,
    filter: &Filter,
    options: IntrospectOptions,
) -> Result<(Model, IntrospectStats), IntrospectError> {
    client
        .batch_execute(SESSION_SETUP)
        .await
        .map_err(|source| IntrospectError::Session { source })?;
    let res = introspect_in_snapshot(client, filter, options).await;
    // The transaction is read-only: ending it either way changes nothing.
    let end = if res.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let ended = client.batch_execute(end).await;
    let (model, stats) = res?;
    ended.map_err(|source| IntrospectError::Session { source })?;
    Ok((model, stats))
}

/// Opens the snapshot and pins every setting that shapes catalog text.
const SESSION_SETUP: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SET LOCAL search_path = '';
SET LOCAL TimeZone = 'UTC';
SET LOCAL DateStyle = 'ISO, YMD';
SET LOCAL IntervalStyle = 'postgres';
SET LOCAL extra_float_digits = 3;
SET LOCAL bytea_output = 'hex';
SET LOCAL standard_conforming_strings = on;
SET LOCAL quote_all_identifiers = off;
SET LOCAL lock_timeout = '5s';";

/// Relation locks of this backend on anything outside `pg_catalog`.
const LOCK_PROBE: &str = "SELECT l.relation::regclass::text AS relation, l.mode
FROM pg_locks l
WHERE l.locktype = 'relation' AND l.pid = pg_backend_pid()
  AND l.relation NOT IN (SELECT c.oid FROM pg_class c
                         WHERE c.relnamespace = 'pg_catalog'::regnamespace)
ORDER BY 1, 2";

async fn introspect_in_snapshot(
    client: &Client,
    filter: &Filter,
    options: IntrospectOptions,
) -> Result<(Model, IntrospectStats), IntrospectError> {
    let mut session = Session {
        client,
        server_version: 0,
        queries: AtomicUsize::new(0),
    };
    let version_rows = session
        .query(
            "server version",
            "SELECT current_setting('server_version_num')::int4 AS v",
        )
        .await?;
    let version: i32 = match version_rows.first() {
        Some(row) => get(row, "server version", "v")?,
        None => {
            return Err(IntrospectError::Row {
                object_kind: "server version",
                message: "no row".to_string(),
            })
        }
    };
    if version < MIN_SERVER_VERSION {
        return Err(IntrospectError::UnsupportedVersion { found: version });
    }
    session.server_version = version;

    let mut model = Model::default();
    extension::introspect_schemas(&session, filter, &mut model).await?;
    let has_citus = extension::introspect_extensions(&session, filter, &mut model).await?;
    types::introspect_enums(&session, filter, &mut model).await?;
    types::introspect_domains(&session, filter, &mut model).await?;
    sequence::introspect_sequences(&session, filter, &mut model).await?;
    function::introspect_functions(&session, filter, &mut model).await?;
    table::introspect_tables(&session, filter, &mut model).await?;
    table::introspect_columns(&session, &mut model).await?;
    constraint::introspect_constraints(&session, &mut model).await?;
    view::introspect_views(&session, filter, &mut model).await?;
    index::introspect_indexes(&session, &mut model).await?;
    policy::introspect_policies(&session, &mut model).await?;
    trigger::introspect_triggers(&session, &mut model).await?;
    if has_citus {
        distribution::introspect_distribution(&session, &mut model).await?;
    }
    let queries = session.queries.load(Ordering::Relaxed);
    let non_catalog_relation_locks = if options.probe_locks {
        let mut locks = Vec::new();
        for row in session.query("lock probe", LOCK_PROBE).await? {
            locks.push((
                get::<String>(&row, "lock probe", "relation")?,
                get::<String>(&row, "lock probe", "mode")?,
            ));
        }
        Some(locks)
    } else {
        None
    };
    let stats = IntrospectStats {
        queries,
        server_version: version,
        non_catalog_relation_locks,
    };
    Ok((model, stats))
}

/// The connection, the server version and the query counter (atomic, so
/// that the introspection future is `Send`).
pub(crate) struct Session<'a> {
    client: &'a Client,
    server_version: i32,
    queries: AtomicUsize,
}

impl Session<'_> {
    /// Runs one catalog query, counting it.
    async fn query(
        &self,
        object_kind: &'static str,
        sql: &str,
    ) -> Result<Vec<Row>, IntrospectError> {
        self.queries.fetch_add(1, Ordering::Relaxed);
        self.client.query(sql, &[]).await.map_err(|source| {
            if source.code() == Some(&tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE) {
                IntrospectError::LockTimeout {
                    object_kind,
                    source,
                }
            } else {
                IntrospectError::Query {
                    object_kind,
                    message: error_message(&source),
                    source,
                }
            }
        })
    }

    /// A query text for this server version (see [`versioned`]).
    fn versioned(&self, sql: &str) -> String {
        versioned(sql, self.server_version)
    }
}

/// Replaces the `{name}` placeholders of a query with the expression for
/// `server_version`: catalog columns that appeared in later releases read
/// as constants on older servers.
fn versioned(sql: &str, server_version: i32) -> String {
    let nulls_not_distinct = if server_version >= 150000 {
        "i.indnullsnotdistinct"
    } else {
        "false"
    };
    let sql_body = if server_version >= 140000 {
        "CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid) END"
    } else {
        "NULL::text"
    };
    sql.replace("{indnullsnotdistinct}", nulls_not_distinct)
        .replace("{sqlbody}", sql_body)
}

/// The server's message (and detail) of a query error, for one-line output.
pub(crate) fn error_message(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({})", db.message(), detail),
            None => db.message().to_string(),
        },
        None => error.to_string(),
    }
}

/// Reads column `column` of a catalog row.
pub(crate) fn get<'a, T: tokio_postgres::types::FromSql<'a>>(
    row: &'a Row,
    object_kind: &'static str,
    column: &str,
) -> Result<T, IntrospectError> {
    row.try_get(column).map_err(|error| IntrospectError::Row {
        object_kind,
        message: format!("column {column}: {error}"),
    })
}

/// A catalog expression as a Model expression: parsed and canonicalised by
/// the same normaliser the frontends use. Catalog text always parses in
/// PostgreSQL; when sqlparser cannot read it, the text itself is the
/// canonical form (compared verbatim).
pub(crate) fn catalog_expr(text: &str) -> SqlExpr {
    let text = sql::strip_outer_parens(text.trim());
    normalize::expr(text).unwrap_or_else(|_| SqlExpr::raw(text))
}

/// A `format_type` spelling as a Model type.
pub(crate) fn catalog_type(spelling: &str) -> TypeName {
    normalize::type_name(spelling, "public")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_keeps_by_schema_and_pattern() {
        let filter = Filter {
            include_schemas: vec!["app*".into(), "public".into()],
            exclude_schemas: vec!["app_old".into()],
            exclude_patterns: vec!["orders_p*".into(), "app.tmp_?".into()],
        };
        assert!(filter.keeps_schema("app"));
        assert!(filter.keeps_schema("app2"));
        assert!(!filter.keeps_schema("app_old"));
        assert!(!filter.keeps_schema("audit"));
        assert!(filter.keeps(&QualifiedName::new("public", "orders")));
        assert!(!filter.keeps(&QualifiedName::new("public", "orders_p2025")));
        assert!(!filter.keeps(&QualifiedName::new("app", "tmp_1")));
        assert!(filter.keeps(&QualifiedName::new("app", "tmp_12")));
        assert!(filter.keeps(&QualifiedName::new("app", "orders")));
    }

    #[test]
    fn default_filter_keeps_everything_but_own_schema() {
        let filter = Filter::default();
        assert!(filter.keeps(&QualifiedName::new("anything", "at_all")));
        assert!(filter.keeps_schema("public"));
        assert!(!filter.keeps_schema(crate::apply::HISTORY_SCHEMA));
        assert!(!filter.keeps(&QualifiedName::new("schemac", "migrations")));
    }

    #[test]
    fn introspection_future_is_send() {
        fn is_send<T: Send>(_: T) {}
        // Compiles only when the future is Send; never polled.
        fn check(client: &Client, filter: &Filter) {
            is_send(introspect(client, filter));
            is_send(introspect_with_stats(
                client,
                filter,
                IntrospectOptions::default(),
            ));
        }
        let _ = check as fn(&Client, &Filter);
    }

    #[test]
    fn versioned_queries_pick_catalog_columns() {
        let sql = "SELECT {indnullsnotdistinct}, {sqlbody}";
        assert_eq!(versioned(sql, 140005), "SELECT false, CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid) END");
        assert_eq!(versioned(sql, 130010), "SELECT false, NULL::text");
        assert!(versioned(sql, 170000).starts_with("SELECT i.indnullsnotdistinct, CASE"));
    }
}
