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
//! - No per-table locks held: only plain SELECTs and `pg_get_*` deparse
//!   functions. Deparsing an expression that names columns (CHECK,
//!   generated columns, policies, index definitions, partition keys,
//!   triggers) opens the table (`AccessShareLock`, released as soon as the
//!   name lookup is done, so no lock accumulates, unlike pg_dump's
//!   `LOCK TABLE` on every table); expressions that cannot name a column
//!   (DEFAULTs, partition bounds) are deparsed without the relation
//!   (`pg_get_expr(expr, 0)`), which also spares building its relcache
//!   entry. The view deparser (`pg_get_viewdef` and `pg_get_ruledef` alike
//!   run `AcquireRewriteLocks`) keeps `AccessShareLock` on each view and on
//!   the relations the view reads, for the rest of the snapshot. That mode
//!   conflicts only with `ACCESS EXCLUSIVE`, and `lock_timeout` (5 s) makes
//!   introspection fail with [`IntrospectError::LockTimeout`] rather than
//!   queue behind DDL (and block everyone queued behind it).
//! - The catalog queries are pipelined: all are sent before the first
//!   answer is read, and index definitions are parsed while the server
//!   still runs the later queries.
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

pub use connect::{connect, ConnParams, ConnString, SslMode, Tls};
pub use distribution::{distribution_from_rows, DistPartitionRow};

use crate::model::{glob_match, normalize, Model, QualifiedName, SqlExpr, TypeName};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
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
    /// When each catalog query's last row arrived, in arrival order. The
    /// queries are pipelined and the server runs them one after the other,
    /// so the gap between one `finished` and the previous one is the time
    /// that query took (server and transfer).
    pub query_timings: Vec<QueryTiming>,
    /// Time spent turning the rows into the Model after the last row
    /// arrived (index definitions are parsed earlier, while later queries
    /// run, and are not counted here).
    pub rows_to_model: Duration,
}

/// One catalog query of an introspection run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTiming {
    /// What the query reads (`columns`, `indexes`, ...).
    pub object_kind: &'static str,
    /// Rows it returned.
    pub rows: usize,
    /// From the start of the run to its last row.
    pub finished: Duration,
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

    #[error("permission denied to connect to {target}: {message}")]
    #[diagnostic(
        code("insufficient-privilege"),
        help("grant the role CONNECT on the database (`GRANT CONNECT ON DATABASE name TO role`), or connect as a role that has it")
    )]
    InsufficientPrivilege {
        target: String,
        message: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("{target} does not accept TLS connections, but sslmode={mode} requires TLS")]
    #[diagnostic(
        code("tls-not-offered"),
        help("turn on `ssl` in the server's postgresql.conf, or connect with sslmode=prefer (TLS when offered) or sslmode=disable")
    )]
    TlsNotOffered {
        target: String,
        mode: connect::SslMode,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("TLS certificate check failed for {target} (sslmode={mode}): {reason}")]
    #[diagnostic(code("tls-certificate"), help("{help}"))]
    Certificate {
        target: String,
        mode: connect::SslMode,
        reason: String,
        help: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("TLS handshake with {target} failed (sslmode={mode}): {message}")]
    #[diagnostic(
        code("tls-handshake"),
        help("the server and schemac share no TLS version or cipher, or the server rejected the client certificate (sslcert/sslkey); sslmode=disable connects without TLS")
    )]
    TlsHandshake {
        target: String,
        mode: connect::SslMode,
        message: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("cannot set up TLS (sslmode={mode}) for {target}: {message}")]
    #[diagnostic(
        code("tls-setup"),
        help("sslrootcert, sslcert and sslkey must name PEM files this user can read (sslrootcert=system uses the system's trusted roots)")
    )]
    TlsSetup {
        target: String,
        mode: connect::SslMode,
        message: String,
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
        help("a concurrent DDL statement holds ACCESS EXCLUSIVE on a table or view being read; retry when it has finished")
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
    let session = Session::new(client);
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

    // Every query is sent before the first answer is read: the connection
    // pipelines them, so the server runs them back to back without waiting
    // for a round trip (or for the client to convert rows) in between.
    let functions_sql = versioned(function::FUNCTIONS, version);
    let constraints_sql = versioned(constraint::CONSTRAINTS, version);
    let (
        schemas,
        extensions,
        enums,
        domains,
        sequences,
        functions,
        tables,
        indexes,
        columns,
        constraints,
        views,
        policies,
        triggers,
    ) = tokio::try_join!(
        session.query("schemas", extension::SCHEMAS),
        session.query("extensions", extension::EXTENSIONS),
        session.query("enums", types::ENUMS),
        session.query("domains", types::DOMAINS),
        session.query("sequences", sequence::SEQUENCES),
        session.query("functions", &functions_sql),
        session.query("tables", table::TABLES),
        // Indexes early: their definitions are parsed (the costliest
        // conversion) while the server runs the queries after them.
        async {
            let rows = session.query("indexes", index::INDEXES).await?;
            index::parse_index_rows(rows)
        },
        session.query("columns", table::COLUMNS),
        session.query("constraints", &constraints_sql),
        session.query("views", view::VIEWS),
        session.query("policies", policy::POLICIES),
        session.query("triggers", trigger::TRIGGERS),
    )?;

    // Time spent after the last row arrived (index parsing overlaps the
    // queries and is not counted).
    let convert_started = Instant::now();
    let mut model = Model::default();
    extension::introspect_schemas(schemas, filter, &mut model)?;
    let has_citus = extension::introspect_extensions(extensions, filter, &mut model)?;
    types::introspect_enums(enums, filter, &mut model)?;
    types::introspect_domains(domains, filter, &mut model)?;
    sequence::introspect_sequences(sequences, filter, &mut model)?;
    function::introspect_functions(functions, filter, &mut model)?;
    table::introspect_tables(tables, filter, &mut model)?;
    table::introspect_columns(columns, &mut model)?;
    constraint::introspect_constraints(constraints, &mut model)?;
    view::introspect_views(views, filter, &mut model)?;
    index::introspect_indexes(indexes, &mut model)?;
    policy::introspect_policies(policies, &mut model)?;
    trigger::introspect_triggers(triggers, &mut model)?;
    let mut rows_to_model = convert_started.elapsed();
    if has_citus {
        let citus_rows = session
            .query("distribution", distribution::DISTRIBUTION)
            .await?;
        let convert_started = Instant::now();
        distribution::introspect_distribution(citus_rows, &mut model)?;
        rows_to_model += convert_started.elapsed();
    }
    let queries = session.queries.load(Ordering::Relaxed);
    let query_timings = session.timings();
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
        query_timings,
        rows_to_model,
    };
    Ok((model, stats))
}

/// The connection, the query counter and the time each query's rows
/// arrived (atomic and locked, so that the introspection future is `Send`).
pub(crate) struct Session<'a> {
    client: &'a Client,
    queries: AtomicUsize,
    started: Instant,
    timings: Mutex<Vec<QueryTiming>>,
}

impl<'a> Session<'a> {
    fn new(client: &'a Client) -> Session<'a> {
        Session {
            client,
            queries: AtomicUsize::new(0),
            started: Instant::now(),
            timings: Mutex::new(Vec::new()),
        }
    }

    /// Runs one catalog query, counting it and noting when its rows came.
    /// `query_typed` sends parse, bind and execute at once (no separate
    /// prepare round trip); the queries take no parameters.
    async fn query(
        &self,
        object_kind: &'static str,
        sql: &str,
    ) -> Result<Vec<Row>, IntrospectError> {
        self.queries.fetch_add(1, Ordering::Relaxed);
        let rows = self.client.query_typed(sql, &[]).await.map_err(|source| {
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
        })?;
        let timing = QueryTiming {
            object_kind,
            rows: rows.len(),
            finished: self.started.elapsed(),
        };
        // A poisoned lock only means another query's bookkeeping panicked;
        // the timings are figures, never needed for the Model.
        if let Ok(mut timings) = self.timings.lock() {
            timings.push(timing);
        }
        Ok(rows)
    }

    /// The timings so far, in the order the rows arrived.
    fn timings(&self) -> Vec<QueryTiming> {
        let mut timings = match self.timings.lock() {
            Ok(timings) => timings.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        timings.sort_by_key(|timing| timing.finished);
        timings
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
