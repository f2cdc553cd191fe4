//! Introspection: a live PostgreSQL database -> [`Model`].
//!
//! Owns reading the system catalogs of PostgreSQL 13 to 17 and turning the
//! rows into the same Model the frontends build, through the same
//! normalisation ([`crate::model::normalize`]).
//!
//! Invariants:
//! - A constant number of queries, independent of the number of objects: one
//!   query per object kind over `pg_catalog` joined wholesale (see
//!   [`IntrospectStats::queries`]), the per-table ones once per connection,
//!   and at most one more for index definitions the catalog columns cannot
//!   describe. The catalog queries live in `queries/` and are loaded with
//!   `include_str!`.
//! - One consistent snapshot: every query runs in a `REPEATABLE READ READ
//!   ONLY` transaction; with a second connection
//!   ([`introspect_sharded`]), that one imports the first one's snapshot
//!   (`pg_export_snapshot`, `SET TRANSACTION SNAPSHOT`), so both read the
//!   same catalog state. The settings that shape catalog text are pinned by
//!   `SET LOCAL` (`search_path = ''` so that every name prints
//!   schema-qualified, `TimeZone = 'UTC'` for timestamptz partition bounds,
//!   `DateStyle`, `IntervalStyle`, `bytea_output` and `extra_float_digits`
//!   for literals), and so are JIT (off) and `work_mem`. `SET LOCAL` ends
//!   with the transaction, so the caller's sessions are left as they were.
//! - Text is deparsed only where the catalog has no columns for it: index
//!   keys, constraint columns, types and defaults' owners come from catalog
//!   columns (names resolved from column positions on the client), and the
//!   `pg_get_*` deparse functions are called for expressions, predicates,
//!   partition keys and bounds, views, functions and triggers. Each deparse
//!   in a fresh server process fills that process's catalog caches, which
//!   is most of the time introspection takes on a large database; the two
//!   connections of [`introspect_sharded`] split the tables between them
//!   (by a hash of the table's oid) so that each fills half.
//! - Queries keep their cost proportional to what they return whatever the
//!   planner's catalog statistics say (they are often stale on a database
//!   that just had its schema loaded): exclusions are hashed `NOT IN` lists,
//!   per-row lookups are index probes gated on the catalog saying there is
//!   something to find, never joins whose plan depends on a row estimate.
//! - No per-table locks held: only plain SELECTs and `pg_get_*` deparse
//!   functions. Deparsing an expression that names columns (CHECK,
//!   generated columns, policies, index predicates and expressions,
//!   partition keys, triggers) opens the table (`AccessShareLock`, released
//!   as soon as the name lookup is done, so no lock accumulates, unlike
//!   pg_dump's `LOCK TABLE` on every table); expressions that cannot name a
//!   column (DEFAULTs, partition bounds) are deparsed without the relation
//!   (`pg_get_expr(expr, 0)`), which also spares building its relcache
//!   entry. The view deparser (`pg_get_viewdef` and `pg_get_ruledef` alike
//!   run `AcquireRewriteLocks`) keeps `AccessShareLock` on each view and on
//!   the relations the view reads, for the rest of the snapshot. That mode
//!   conflicts only with `ACCESS EXCLUSIVE`, and `lock_timeout` (5 s) makes
//!   introspection fail with [`IntrospectError::LockTimeout`] rather than
//!   queue behind DDL (and block everyone queued behind it).
//! - The catalog queries are pipelined: all are sent before the first
//!   answer is read, and index, column and constraint rows are converted
//!   while the server still runs the later queries.
//! - System schemas and objects owned by extensions (`pg_depend` deptype
//!   `e`) are never part of the Model; neither are objects a partition
//!   inherits from its parent.
//!
//! - Read only: nothing here creates, alters or drops anything, and no
//!   plan is run (the shadow database and the session around a live plan
//!   are `crate::live`'s). The queries that feed the planner's table
//!   statistics and name INVALID indexes ([`table_stats`],
//!   [`invalid_indexes`]) live in `queries/` with the others.
//! - Depends on the Model only: never on `apply`, `plan` or `live`.
//!
//! Boundary: the database, read only (with `apply`, which writes, and
//! `live`, which owns the session and the shadow database); the Model
//! knows nothing of tokio-postgres.

mod constraint;
mod distribution;
mod extension;
mod function;
mod index;
mod inherit;
mod partition;
mod policy;
mod privilege;
mod rule;
mod sequence;
mod sql;
mod statistics;
mod stats;
mod table;
mod trigger;
mod types;
mod view;

pub use distribution::{citus_default_shard_count, distribution_from_rows, DistPartitionRow};
pub use stats::{invalid_indexes, table_stats, TableStats};

use crate::model::{glob_match, normalize, Model, QualifiedName, SqlExpr, TypeName};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio_postgres::{Client, Row};

/// The oldest PostgreSQL major version whose catalogs the queries know.
pub const MIN_SERVER_VERSION: i32 = 130000;

/// schemac's own schema, where apply keeps its history
/// (`crate::apply::HISTORY_SCHEMA` names the same schema; a test of
/// `apply` checks that they agree). Defined here so that introspection
/// leaves it out without depending on `apply`.
pub const OWN_SCHEMA: &str = "schemac";

/// Which schemas and objects to read. Every pattern is a glob (`*`, `?`).
///
/// [`Filter::default`] reads every non-system schema except schemac's own
/// history schema ([`OWN_SCHEMA`]), so that no caller
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
            exclude_schemas: vec![OWN_SCHEMA.to_string()],
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
    /// Connections the per-table queries were split over (1 or 2, see
    /// [`introspect_sharded`]).
    pub shards: usize,
    /// With [`IntrospectOptions::probe_locks`]: the relation locks the
    /// snapshot transaction held, after its last query, on relations
    /// outside `pg_catalog`, as `(schema.relation, mode)`, sorted. Expected:
    /// only `AccessShareLock` on views and the relations they read (taken by
    /// the view deparser, see `queries/views.sql`).
    pub non_catalog_relation_locks: Option<Vec<(String, String)>>,
    /// When each catalog query's last row arrived, in arrival order. The
    /// queries are pipelined and each server process runs its queries one
    /// after the other, so the gap between one `finished` and the previous
    /// one on the same connection is the time that query took (server and
    /// transfer).
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
    /// The connection that ran it (0, or 1 for the helper of
    /// [`introspect_sharded`]).
    pub connection: usize,
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
    /// so this sees every lock any query took). One extra query per
    /// connection.
    pub probe_locks: bool,
    /// Read every index from `pg_get_indexdef`, not only those the catalog
    /// columns cannot describe (slower: the reference that the built
    /// definitions are tested against).
    pub deparse_all_indexes: bool,
}

/// A failure to read the database. Each variant names what was being read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum IntrospectError {
    /// Opening the connection failed (see [`crate::live::connect`]).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Connection(#[from] crate::live::ConnectError),

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
    introspect_sharded(client, None, filter, options).await
}

/// [`introspect_with_stats`] over two connections to the same database:
/// `helper` joins `client`'s snapshot (`pg_export_snapshot`), and the
/// per-table queries (tables, columns, indexes, constraints, policies,
/// triggers) are split between the two by table oid, so that two server
/// processes deparse and scan at once. Catalog caches are per server
/// process, and most of a large database's introspection time is spent
/// filling them, so each process fills only its half.
///
/// When the helper cannot join the snapshot (a server that refuses
/// `pg_export_snapshot`, or a helper already inside a transaction),
/// everything runs on `client` alone and [`IntrospectStats::shards`] says 1.
/// The helper must not be used by anything else until this returns.
pub async fn introspect_sharded(
    client: &Client,
    helper: Option<&Client>,
    filter: &Filter,
    options: IntrospectOptions,
) -> Result<(Model, IntrospectStats), IntrospectError> {
    client
        .batch_execute(&format!("{BEGIN_SNAPSHOT};\n{PINNED_SETTINGS}"))
        .await
        .map_err(|source| IntrospectError::Session { source })?;
    let helper = match helper {
        Some(helper) => join_snapshot(client, helper).await.then_some(helper),
        None => None,
    };
    if helper.is_some() {
        // Two server processes already share the work; parallel workers
        // would only compete with them for the same cores.
        client
            .batch_execute(NO_PARALLEL_WORKERS)
            .await
            .map_err(|source| IntrospectError::Session { source })?;
    }
    let res = introspect_in_snapshot(client, helper, filter, options).await;
    // The transactions are read-only: ending them either way changes
    // nothing.
    let end = if res.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let ended = client.batch_execute(end).await;
    if let Some(helper) = helper {
        // The helper's snapshot is a copy; its end cannot fail the run.
        let _ = helper.batch_execute(end).await;
    }
    let (model, stats) = res?;
    ended.map_err(|source| IntrospectError::Session { source })?;
    Ok((model, stats))
}

/// [`introspect`] inside the transaction `client` already has open,
/// so that it reads what that transaction built and has not committed
/// (the shadow database's build, which is rolled back afterwards). The
/// pinned settings are set under a savepoint, which is rolled back again:
/// the transaction is left as it was found, open.
pub async fn introspect_in_open_transaction(
    client: &Client,
    filter: &Filter,
) -> Result<Model, IntrospectError> {
    client
        .batch_execute(&format!("SAVEPOINT schemac_introspect;\n{PINNED_SETTINGS}"))
        .await
        .map_err(|source| IntrospectError::Session { source })?;
    let res = introspect_in_snapshot(client, None, filter, IntrospectOptions::default()).await;
    let restored = client
        .batch_execute("ROLLBACK TO SAVEPOINT schemac_introspect")
        .await;
    let (model, _) = res?;
    restored.map_err(|source| IntrospectError::Session { source })?;
    Ok(model)
}

/// Starts `helper`'s transaction on `client`'s snapshot, with the same
/// pinned settings. False (and `helper` left outside any transaction)
/// when that is not possible.
async fn join_snapshot(client: &Client, helper: &Client) -> bool {
    let snapshot: String = match client.query_one("SELECT pg_export_snapshot()", &[]).await {
        Ok(row) => match row.try_get(0) {
            Ok(snapshot) => snapshot,
            Err(_) => return false,
        },
        Err(_) => return false,
    };
    // A snapshot id is hex digits and dashes; anything else is not
    // interpolated into SQL.
    if snapshot.is_empty()
        || !snapshot
            .chars()
            .all(|ch| ch.is_ascii_hexdigit() || ch == '-')
    {
        return false;
    }
    let setup = format!(
        "{BEGIN_SNAPSHOT};\nSET TRANSACTION SNAPSHOT '{snapshot}';\n{PINNED_SETTINGS}\n{NO_PARALLEL_WORKERS}"
    );
    if helper.batch_execute(&setup).await.is_ok() {
        return true;
    }
    let _ = helper.batch_execute("ROLLBACK").await;
    false
}

/// Opens the snapshot.
const BEGIN_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

/// Pins every setting that shapes catalog text, and two that shape cost:
/// JIT compilation is off (it costs hundreds of milliseconds for the large
/// catalog joins, whose cost estimates pass `jit_above_cost` on a big
/// database, and saves nothing on queries that mostly call deparse
/// functions), and `work_mem` lets the columns query sort in memory.
/// Citus's shard tables (on a coordinator that holds shards, or a worker)
/// stay hidden from the catalog whatever the session's application name
/// (without Citus these two are unused placeholders).
const PINNED_SETTINGS: &str = "SET LOCAL search_path = '';
SET LOCAL TimeZone = 'UTC';
SET LOCAL DateStyle = 'ISO, YMD';
SET LOCAL IntervalStyle = 'postgres';
SET LOCAL extra_float_digits = 3;
SET LOCAL bytea_output = 'hex';
SET LOCAL standard_conforming_strings = on;
SET LOCAL quote_all_identifiers = off;
SET LOCAL jit = off;
SET LOCAL work_mem = '64MB';
SET LOCAL lock_timeout = '5s';
SET LOCAL citus.override_table_visibility = on;
SET LOCAL citus.show_shards_for_app_name_prefixes = '';";

/// For the two connections of [`introspect_sharded`].
const NO_PARALLEL_WORKERS: &str = "SET LOCAL max_parallel_workers_per_gather = 0;";

/// Relation locks of this backend on anything outside `pg_catalog`.
const LOCK_PROBE: &str = "SELECT l.relation::regclass::text AS relation, l.mode
FROM pg_locks l
WHERE l.locktype = 'relation' AND l.pid = pg_backend_pid()
  AND l.relation NOT IN (SELECT c.oid FROM pg_class c
                         WHERE c.relnamespace = 'pg_catalog'::regnamespace)
ORDER BY 1, 2";

/// The rows of the per-table queries for one shard of the tables.
#[derive(Default)]
struct ShardRows {
    tables: Vec<Row>,
    columns: (table::ColumnNames, Vec<table::OrderedColumns>),
    indexes: Vec<index::ParsedIndex>,
    constraints: Vec<constraint::ParsedConstraint>,
    policies: Vec<Row>,
    triggers: Vec<Row>,
}

impl ShardRows {
    fn extend(&mut self, other: ShardRows) {
        self.tables.extend(other.tables);
        self.columns.0.extend(other.columns.0);
        self.columns.1.extend(other.columns.1);
        self.indexes.extend(other.indexes);
        self.constraints.extend(other.constraints);
        self.policies.extend(other.policies);
        self.triggers.extend(other.triggers);
    }
}

/// Sends the per-table queries for the tables whose oid is `shard` modulo
/// `shards`, and converts the rows that need no Model as they arrive.
async fn read_shard(
    session: &Session<'_>,
    shard: u32,
    shards: u32,
    server_version: i32,
    options: IntrospectOptions,
) -> Result<ShardRows, IntrospectError> {
    let query = |sql: &str| sharded(&versioned(sql, server_version, options), shard, shards);
    let (tables_sql, indexes_sql, columns_sql, constraints_sql, policies_sql, triggers_sql) = (
        query(table::TABLES),
        query(index::INDEXES),
        query(table::COLUMNS),
        query(constraint::CONSTRAINTS),
        query(policy::POLICIES),
        query(trigger::TRIGGERS),
    );
    let (tables, indexes, columns, constraints, policies, triggers) = tokio::try_join!(
        session.query("tables", &tables_sql),
        // Indexes, columns and constraints are converted while the server
        // runs the queries after them.
        async {
            let rows = session.query("indexes", &indexes_sql).await?;
            index::parse_index_rows(rows)
        },
        async {
            let rows = session.query("columns", &columns_sql).await?;
            Ok(table::order_columns(table::parse_column_rows(rows)?))
        },
        async {
            let rows = session.query("constraints", &constraints_sql).await?;
            constraint::parse_constraint_rows(rows)
        },
        session.query("policies", &policies_sql),
        session.query("triggers", &triggers_sql),
    )?;
    Ok(ShardRows {
        tables,
        columns,
        indexes,
        constraints,
        policies,
        triggers,
    })
}

async fn introspect_in_snapshot(
    client: &Client,
    helper: Option<&Client>,
    filter: &Filter,
    options: IntrospectOptions,
) -> Result<(Model, IntrospectStats), IntrospectError> {
    let started = Instant::now();
    let session = Session::new(client, 0, started);
    let helper_session = helper.map(|helper| Session::new(helper, 1, started));
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

    // Every query is sent before the first answer is read: each connection
    // pipelines its queries, so its server process runs them back to back
    // without waiting for a round trip (or for the client to convert rows)
    // in between.
    let shards: u32 = if helper_session.is_some() { 2 } else { 1 };
    let functions_sql = versioned(function::FUNCTIONS, version, options);
    let (
        (
            (schemas, extensions, enums, domains, composites),
            (
                sequences,
                functions,
                views,
                index_keys,
                inherits,
                statistics,
                rules,
                privileges,
                default_privileges,
            ),
        ),
        mut per_table,
        helper_rows,
    ) = tokio::try_join!(
        async {
            tokio::try_join!(
                async {
                    tokio::try_join!(
                        session.query("schemas", extension::SCHEMAS),
                        session.query("extensions", extension::EXTENSIONS),
                        session.query("enums", types::ENUMS),
                        session.query("domains", types::DOMAINS),
                        session.query("composite types", types::COMPOSITES),
                    )
                },
                async {
                    tokio::try_join!(
                        session.query("sequences", sequence::SEQUENCES),
                        session.query("functions", &functions_sql),
                        session.query("views", view::VIEWS),
                        session.query("index keys", index::INDEX_KEYS),
                        session.query("inherits", inherit::INHERITS),
                        session.query("statistics", statistics::STATISTICS),
                        session.query("rules", rule::RULES),
                        session.query("privileges", privilege::PRIVILEGES),
                        session.query("default privileges", privilege::DEFAULT_PRIVILEGES),
                    )
                },
            )
        },
        read_shard(&session, 0, shards, version, options),
        async {
            match &helper_session {
                Some(helper) => read_shard(helper, 1, shards, version, options)
                    .await
                    .map(Some),
                None => Ok(None),
            }
        },
    )?;
    if let Some(helper_rows) = helper_rows {
        per_table.extend(helper_rows);
    }
    let mut convert_time = Duration::ZERO;
    let convert_started = Instant::now();
    let (column_names, columns) = per_table.columns;
    let key_catalog = index::key_catalog(index_keys)?;
    let to_deparse = index::name_keys(&mut per_table.indexes, &column_names, &key_catalog);
    convert_time += convert_started.elapsed();
    if !to_deparse.is_empty() {
        let definitions = session
            .query_oids("index definitions", index::INDEXDEFS, &to_deparse)
            .await?;
        index::apply_definitions(&mut per_table.indexes, definitions)?;
    }

    // Time spent after the last row arrived (index and column rows are
    // converted while later queries run, and are not counted).
    let convert_started = Instant::now();
    let mut model = Model::default();
    extension::introspect_schemas(schemas, filter, &mut model)?;
    let has_citus = extension::introspect_extensions(extensions, filter, &mut model)?;
    types::introspect_enums(enums, filter, &mut model)?;
    types::introspect_domains(domains, filter, &mut model)?;
    types::introspect_composites(composites, filter, &mut model)?;
    sequence::introspect_sequences(sequences, filter, &mut model)?;
    function::introspect_functions(functions, filter, &mut model)?;
    table::introspect_tables(per_table.tables, filter, &mut model)?;
    table::introspect_columns(columns, &mut model);
    inherit::introspect_inherits(inherits, &mut model)?;
    constraint::introspect_constraints(per_table.constraints, &column_names, &mut model)?;
    view::introspect_views(views, filter, &mut model)?;
    index::introspect_indexes(per_table.indexes, &mut model)?;
    policy::introspect_policies(per_table.policies, &mut model)?;
    trigger::introspect_triggers(per_table.triggers, &mut model)?;
    statistics::introspect_statistics(statistics, &mut model)?;
    rule::introspect_rules(rules, &mut model)?;
    let mut rows_to_model = convert_time + convert_started.elapsed();
    if has_citus {
        let citus_rows = session
            .query("distribution", distribution::DISTRIBUTION)
            .await?;
        let convert_started = Instant::now();
        distribution::introspect_distribution(citus_rows, &mut model)?;
        rows_to_model += convert_started.elapsed();
        let leftover_rows = session
            .query("leftover shards", distribution::LEFTOVER_SHARDS)
            .await?;
        distribution::leave_out_leftover_shards(leftover_rows, &mut model)?;
        let has_dist_schema = session
            .query("distributed schemas", distribution::HAS_DIST_SCHEMA)
            .await?
            .first()
            .map(|row| get::<bool>(row, "distributed schemas", "present"))
            .transpose()?
            .unwrap_or(false);
        if has_dist_schema {
            let schema_rows = session
                .query("distributed schemas", distribution::DISTRIBUTED_SCHEMAS)
                .await?;
            distribution::introspect_distributed_schemas(schema_rows, &mut model)?;
        }
    }
    // After everything that decides which objects are in the Model.
    let convert_started = Instant::now();
    privilege::introspect_privileges(privileges, &mut model)?;
    privilege::introspect_default_privileges(default_privileges, &mut model)?;
    rows_to_model += convert_started.elapsed();
    let sessions: Vec<&Session> = std::iter::once(&session)
        .chain(helper_session.as_ref())
        .collect();
    let queries = sessions
        .iter()
        .map(|session| session.queries.load(Ordering::Relaxed))
        .sum();
    let mut query_timings: Vec<QueryTiming> = sessions
        .iter()
        .flat_map(|session| session.timings())
        .collect();
    query_timings.sort_by_key(|timing| timing.finished);
    let non_catalog_relation_locks = if options.probe_locks {
        let mut locks = Vec::new();
        for session in &sessions {
            for row in session.query("lock probe", LOCK_PROBE).await? {
                locks.push((
                    get::<String>(&row, "lock probe", "relation")?,
                    get::<String>(&row, "lock probe", "mode")?,
                ));
            }
        }
        locks.sort();
        locks.dedup();
        Some(locks)
    } else {
        None
    };
    let stats = IntrospectStats {
        queries,
        server_version: version,
        shards: shards as usize,
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
    /// Which connection of a sharded run (0: the one that owns the
    /// snapshot).
    connection: usize,
    queries: AtomicUsize,
    started: Instant,
    timings: Mutex<Vec<QueryTiming>>,
}

impl<'a> Session<'a> {
    fn new(client: &'a Client, connection: usize, started: Instant) -> Session<'a> {
        Session {
            client,
            connection,
            queries: AtomicUsize::new(0),
            started,
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
        let rows = self
            .client
            .query_typed(sql, &[])
            .await
            .map_err(|source| query_error(object_kind, source))?;
        self.note_timing(object_kind, rows.len());
        Ok(rows)
    }

    fn note_timing(&self, object_kind: &'static str, rows: usize) {
        let timing = QueryTiming {
            object_kind,
            connection: self.connection,
            rows,
            finished: self.started.elapsed(),
        };
        // A poisoned lock only means another query's bookkeeping panicked;
        // the timings are figures, never needed for the Model.
        if let Ok(mut timings) = self.timings.lock() {
            timings.push(timing);
        }
    }

    /// [`Session::query`] with one parameter, an `oid[]`.
    async fn query_oids(
        &self,
        object_kind: &'static str,
        sql: &str,
        oids: &[u32],
    ) -> Result<Vec<Row>, IntrospectError> {
        self.queries.fetch_add(1, Ordering::Relaxed);
        let rows = self
            .client
            .query_typed(sql, &[(&oids, tokio_postgres::types::Type::OID_ARRAY)])
            .await
            .map_err(|source| query_error(object_kind, source))?;
        self.note_timing(object_kind, rows.len());
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

fn query_error(object_kind: &'static str, source: tokio_postgres::Error) -> IntrospectError {
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
}

/// Replaces the `{name}` placeholders of a query with the expression for
/// `server_version` and `options`: catalog columns that appeared in later
/// releases read as constants on older servers.
fn versioned(sql: &str, server_version: i32, options: IntrospectOptions) -> String {
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
    let deparse_all = if options.deparse_all_indexes {
        "true"
    } else {
        "false"
    };
    sql.replace("{indnullsnotdistinct}", nulls_not_distinct)
        .replace("{sqlbody}", sql_body)
        .replace("{deparse_all}", deparse_all)
}

/// Replaces each `{shard:EXPR}` placeholder (EXPR an oid) with the
/// condition that keeps shard `shard` of `shards` (`true` for one shard).
/// The oid is hashed first: consecutive objects take oids in steps that
/// are often even (a table with its row type, array type and constraints),
/// so the oid itself would put similar tables in the same shard.
fn sharded(sql: &str, shard: u32, shards: u32) -> String {
    const OPEN: &str = "{shard:";
    let mut res = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(start) = rest.find(OPEN) {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let expr = &rest[start + OPEN.len()..start + len];
        res.push_str(&rest[..start]);
        if shards <= 1 {
            res.push_str("true");
        } else {
            res.push_str(&format!(
                "((hashoid({expr})::int8 + 2147483648) % {shards}) = {shard}"
            ));
        }
        rest = &rest[start + len + 1..];
    }
    res.push_str(rest);
    res
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

/// Converts catalog text that repeats across many rows (column types,
/// DEFAULTs such as `now()` or `0`, identical CHECKs and policies) once
/// per distinct text.
#[derive(Default)]
pub(crate) struct CatalogText {
    exprs: std::collections::HashMap<String, SqlExpr>,
    types: std::collections::HashMap<String, TypeName>,
}

impl CatalogText {
    /// [`catalog_expr`], remembered.
    pub(crate) fn expr(&mut self, text: &str) -> SqlExpr {
        remembered(&mut self.exprs, text, catalog_expr)
    }

    /// [`catalog_type`], remembered.
    pub(crate) fn type_name(&mut self, spelling: &str) -> TypeName {
        remembered(&mut self.types, spelling, catalog_type)
    }
}

/// `convert(text)`, computed once per distinct text.
fn remembered<T: Clone>(
    seen: &mut std::collections::HashMap<String, T>,
    text: &str,
    convert: impl FnOnce(&str) -> T,
) -> T {
    if let Some(value) = seen.get(text) {
        return value.clone();
    }
    let value = convert(text);
    seen.insert(text.to_string(), value.clone());
    value
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
        assert!(!filter.keeps_schema(OWN_SCHEMA));
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
        let sql = "SELECT {indnullsnotdistinct}, {sqlbody}, {deparse_all}";
        let options = IntrospectOptions::default();
        assert_eq!(versioned(sql, 140005, options), "SELECT false, CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid) END, false");
        assert_eq!(
            versioned(sql, 130010, options),
            "SELECT false, NULL::text, false"
        );
        assert!(versioned(sql, 170000, options).starts_with("SELECT i.indnullsnotdistinct, CASE"));
        let all = IntrospectOptions {
            deparse_all_indexes: true,
            ..options
        };
        assert!(versioned(sql, 170000, all).ends_with(", true"));
    }

    #[test]
    fn sharded_queries_split_by_oid() {
        let sql = "WHERE {shard:c.oid} AND x AND {shard:t.tgrelid}";
        assert_eq!(sharded(sql, 0, 1), "WHERE true AND x AND true");
        assert_eq!(
            sharded(sql, 1, 2),
            "WHERE ((hashoid(c.oid)::int8 + 2147483648) % 2) = 1 AND x \
             AND ((hashoid(t.tgrelid)::int8 + 2147483648) % 2) = 1"
        );
        assert_eq!(
            sharded("no placeholder {shard:", 0, 2),
            "no placeholder {shard:"
        );
    }
}
