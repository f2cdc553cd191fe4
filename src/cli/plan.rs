//! `schemac plan [--from PATHS | --db URL] [PATHS]`: the migration from one
//! schema to another. With `--from` the current schema is read from files
//! (offline); with `--db URL` (or `DATABASE_URL` when `--from` is not
//! given) it is introspected from a live database; with neither the plan
//! starts from an empty database.
//!
//! Against a live database the desired schema is normalised in a shadow
//! database ([`crate::introspect::shadow`]): `--shadow-db URL` names an
//! empty one; by default schemac creates a throwaway database on the
//! target's server when the role may (and always drops it, also on error
//! or Ctrl-C); with `--no-shadow`, or without the privilege, the offline
//! normaliser decides and the plan notes the expressions it could not
//! prove equal. Steps carry live table statistics, and `--out FILE` saves
//! the plan with the fingerprint of the introspected database.
//!
//! Invariants: stdout gets only the rendered plan; diagnostics, lint
//! findings (schema rules and migration rules on this plan), notes and
//! warnings about hazards go to stderr. A source with errors is reported
//! and nothing is planned (exit 1). With `--detailed-exitcode`: 0 no
//! changes, 2 changes, 1 error. Planning never changes the target
//! database, and a connection string is never printed.

use super::{compile, load_sources, report_to_stderr, use_color, CliError, ExitStatus};
use crate::apply;
use crate::config::Options;
use crate::diagnostics::Parsed;
use crate::diff;
use crate::introspect::shadow::{self, ShadowDb, ShadowError};
use crate::introspect::{self, error_message, Filter, IntrospectError, IntrospectOptions};
use crate::lint::LintConfig;
use crate::model::{Model, QualifiedName};
use crate::plan::TableSize;
use crate::plan::{self as planner, plan_models, saved, Plan, PlanCtx, PlanError, PlanOptions};
use crate::render;
use crate::source::SourceSet;
use clap::{Args, ValueEnum};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use tokio_postgres::Client;

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The desired schema's files or directories [default: `paths` in
    /// schemac.toml, else .].
    pub paths: Vec<PathBuf>,

    /// The current schema's files or directories (repeat for several);
    /// without it (and without --db) the plan starts from an empty database.
    #[arg(long, value_name = "PATH", conflicts_with = "db")]
    pub from: Vec<PathBuf>,

    /// Plan against this live database: a postgres:// URL or a key=value
    /// string [default: $DATABASE_URL when --from is not given].
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,

    #[command(flatten)]
    pub shadow: ShadowArgs,

    /// Also save the plan to FILE (JSON, for `schemac apply --plan FILE`)
    /// with the fingerprint of the database it was made against.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Output format of the plan.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,

    /// Exit 0 when there are no changes, 2 when there are, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Plain DDL without the online strategies (no CONCURRENTLY, no NOT
    /// VALID + VALIDATE, no backfill): for empty or development databases.
    #[arg(long)]
    pub direct: bool,

    /// Hazards the plan may contain: comma-separated ids, or `all`
    /// (overrides `[plan] allow-hazards` in schemac.toml).
    #[arg(long, value_name = "LIST|all")]
    pub allow_hazards: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// For a terminal.
    Text,
    /// A script psql can run: exactly what apply executes.
    Sql,
    /// Versioned JSON (docs/plan-json.md).
    Json,
    /// A pull-request comment.
    Markdown,
}

/// Where the desired schema is normalised before it is compared with a
/// live database (`plan --db` and `apply`).
#[derive(Debug, Clone, Default, Args)]
pub struct ShadowArgs {
    /// An empty database to normalise the desired schema in (it is emptied
    /// again afterwards) [default: a throwaway database on the target's
    /// server, when the role may create databases].
    #[arg(long, value_name = "URL", conflicts_with = "no_shadow")]
    pub shadow_db: Option<String>,

    /// Compare with the offline normaliser only, without a shadow database.
    #[arg(long)]
    pub no_shadow: bool,
}

/// Failures of planning against a live database (and of `inspect`).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LiveError {
    #[error("--{flag} needs a live database")]
    #[diagnostic(
        code("no-database"),
        help("pass --db URL or set DATABASE_URL (and leave out --from)")
    )]
    NeedsDatabase { flag: &'static str },

    #[error("--db is empty")]
    #[diagnostic(
        code("no-database"),
        help("pass the connection string, e.g. --db postgresql://user@host/dbname (is the variable you expanded set?)")
    )]
    EmptyDb,

    #[error("cannot start the async runtime: {0}")]
    #[diagnostic(code("runtime-error"))]
    Runtime(#[source] io::Error),

    #[error("interrupted")]
    #[diagnostic(
        code("interrupted"),
        help(
            "nothing was changed in the target database; the shadow database, if any, was dropped"
        )
    )]
    Interrupted,

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

    #[error(transparent)]
    #[diagnostic(transparent)]
    Introspect(#[from] IntrospectError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Shadow(#[from] ShadowError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] PlanError),
}

pub fn run(options: &Options, args: &PlanArgs) -> Result<ExitStatus, CliError> {
    if args.db.as_deref().is_some_and(|url| url.trim().is_empty()) {
        return Err(LiveError::EmptyDb.into());
    }
    if let Some(url) = live_url(args) {
        return run_live(options, args, &url);
    }
    for (given, flag) in [
        (args.out.is_some(), "out"),
        (args.shadow.shadow_db.is_some(), "shadow-db"),
        (args.shadow.no_shadow, "no-shadow"),
    ] {
        if given {
            return Err(LiveError::NeedsDatabase { flag }.into());
        }
    }
    // Desired files first, then current ones with ids after them, so one
    // combined set resolves the spans of both sides.
    let desired_sources = load_sources(&options.paths, 0)?;
    let current_sources = if args.from.is_empty() {
        SourceSet::default()
    } else {
        load_sources(&args.from, desired_sources.files.len() as u32)?
    };
    let mut all_sources = desired_sources.clone();
    all_sources
        .files
        .extend(current_sources.files.iter().cloned());

    let desired = compile(&desired_sources);
    let current = if args.from.is_empty() {
        Parsed::new(Model::default(), Vec::new())
    } else {
        compile(&current_sources)
    };
    let mut diagnostics = current.diagnostics.clone();
    diagnostics.extend(desired.diagnostics.iter().cloned());
    render::diagnostics::sort(&mut diagnostics);
    report_to_stderr(options, &diagnostics, &all_sources)?;
    if desired.has_errors() || current.has_errors() {
        return Ok(ExitStatus::Failure);
    }

    let plan = plan_models(
        &current.value,
        &desired.value,
        &PlanOptions {
            // Offline, the configured target version stands in for the
            // server's (strategies such as DETACH CONCURRENTLY depend on it).
            server_version: options.lint.target_version,
            online: !args.direct,
            ..PlanOptions::default()
        },
    )?;
    let output = Output {
        desired_sources: &desired_sources,
        all_sources: &all_sources,
        desired: &desired.value,
        current: &current.value,
    };
    finish(options, &options.lint, args, &output, &plan)
}

/// The database to plan against: `--db`, else `DATABASE_URL` unless the
/// current schema comes from files (`--from`).
fn live_url(args: &PlanArgs) -> Option<String> {
    let nonempty = |url: &str| !url.trim().is_empty();
    match &args.db {
        Some(url) if nonempty(url) => Some(url.clone()),
        Some(_) => None,
        None if args.from.is_empty() => std::env::var("DATABASE_URL")
            .ok()
            .filter(|url| nonempty(url)),
        None => None,
    }
}

/// `plan --db`: the current schema is the live database.
fn run_live(options: &Options, args: &PlanArgs, url: &str) -> Result<ExitStatus, CliError> {
    let desired_sources = load_sources(&options.paths, 0)?;
    let desired = compile(&desired_sources);
    let mut diagnostics = desired.diagnostics.clone();
    render::diagnostics::sort(&mut diagnostics);
    report_to_stderr(options, &diagnostics, &desired_sources)?;
    if desired.has_errors() {
        return Ok(ExitStatus::Failure);
    }
    let live = block_on(live_plan(args, url, &desired.value))?;
    let mut stderr = io::stderr();
    for note in &live.notes {
        writeln!(stderr, "note: {note}")?;
    }
    let lint = lint_for_server(options, live.server_version, &mut stderr)?;
    let output = Output {
        desired_sources: &desired_sources,
        all_sources: &desired_sources,
        desired: &desired.value,
        current: &live.current,
    };
    let status = finish(options, &lint, args, &output, &live.plan)?;
    if let Some(path) = &args.out {
        let created_at = rfc3339_utc(std::time::SystemTime::now());
        let json = saved::to_json(&live.plan, &live.fingerprint, Some(created_at));
        std::fs::write(path, json).map_err(|source| CliError::WriteFile {
            path: path.display().to_string(),
            source,
        })?;
        writeln!(
            stderr,
            "saved the plan to {} (apply it with `schemac apply --plan {}`)",
            path.display(),
            path.display()
        )?;
    }
    Ok(status)
}

/// The lint configuration for a plan against a live server: the rules that
/// depend on the PostgreSQL version judge the server's own version, whatever
/// `target-version` the configuration names (said on stderr when one is
/// configured and differs).
fn lint_for_server(
    options: &Options,
    server_version: u32,
    stderr: &mut impl Write,
) -> io::Result<LintConfig> {
    let configured = &options.lint;
    if options.target_version_configured && configured.target_version != server_version {
        writeln!(
            stderr,
            "note: the server runs PostgreSQL {server_version}; lint rules judge version \
             {server_version}, not the configured target-version {}",
            configured.target_version
        )?;
    }
    Ok(LintConfig {
        target_version: server_version,
        ..configured.clone()
    })
}

/// What the output of a plan refers to.
struct Output<'a> {
    desired_sources: &'a SourceSet,
    /// Every file a span of the plan may point into.
    all_sources: &'a SourceSet,
    desired: &'a Model,
    current: &'a Model,
}

/// Lint findings to stderr, the plan to stdout, refused hazards to stderr,
/// and the exit status.
fn finish(
    options: &Options,
    lint: &LintConfig,
    args: &PlanArgs,
    output: &Output<'_>,
    plan: &Plan,
) -> Result<ExitStatus, CliError> {
    let mut findings = crate::lint::run(
        output.desired_sources,
        output.desired,
        Some((plan, output.current)),
        lint,
    );
    render::diagnostics::sort(&mut findings);
    report_to_stderr(options, &findings, output.all_sources)?;
    let stdout = io::stdout();
    let color = use_color(options, stdout.is_terminal());
    let mut out = stdout.lock();
    write_plan(args.format, plan, output.all_sources, color, &mut out)?;
    out.flush()?;
    drop(out);
    warn_refused_hazards(options, plan)?;
    Ok(if args.detailed_exitcode && !plan.is_empty() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    })
}

fn write_plan(
    format: PlanFormat,
    plan: &Plan,
    sources: &SourceSet,
    color: bool,
    out: &mut impl Write,
) -> io::Result<()> {
    match format {
        PlanFormat::Text => render::text::render(plan, out, color),
        PlanFormat::Sql => render::sql::render(plan, out),
        PlanFormat::Json => render::json::render(plan, sources, out),
        PlanFormat::Markdown => render::markdown::render(plan, out),
    }
}

/// Tells (on stderr) which hazards `apply` would refuse.
fn warn_refused_hazards(options: &Options, plan: &Plan) -> Result<(), CliError> {
    let refused = options.allow_hazards.refused(plan);
    if refused.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = refused.iter().map(|hazard| hazard.id()).collect();
    let list = ids.join(",");
    writeln!(
        io::stderr(),
        "warning: the plan has hazards that are not allowed: {list}\n  \
         apply will refuse it; after reading the plan, re-run with --allow-hazards {list} \
         or add them to [plan] allow-hazards in schemac.toml"
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------
// The live database (shared with `inspect`)
// ---------------------------------------------------------------------------

/// Runs `work` to completion on a fresh runtime; Ctrl-C drops it (and with
/// it any shadow database, see [`ShadowDb`]) and reports an interruption.
pub(crate) fn block_on<T>(
    work: impl Future<Output = Result<T, LiveError>>,
) -> Result<T, LiveError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(LiveError::Runtime)?;
    runtime.block_on(async {
        tokio::select! {
            biased;
            _ = tokio::signal::ctrl_c() => Err(LiveError::Interrupted),
            res = work => res,
        }
    })
}

/// The introspected database.
pub(crate) struct LiveModel {
    /// Everything read (schemac's own schema left out): what a saved
    /// plan's fingerprint is computed from, as `apply --plan` computes it.
    pub raw: Model,
    /// `raw` without INVALID indexes: the current schema to plan from.
    pub current: Model,
    /// INVALID indexes left out of `current`, as `schema.table.index`.
    pub invalid_indexes: Vec<String>,
    /// Major version of the server (e.g. 15).
    pub server_version: u32,
}

/// Introspects (schemac's own schema left out) and leaves out INVALID
/// indexes (a failed or running `CREATE INDEX CONCURRENTLY`: apply drops
/// the ones it left; planning never changes the database).
///
/// A second connection to `url` is opened for the catalog queries to be
/// split over both (see [`introspect::introspect_sharded`]) and closed
/// again; when it cannot be opened, `client` reads alone.
pub(crate) async fn read_live(
    client: &Client,
    url: &str,
    filter: &Filter,
) -> Result<LiveModel, LiveError> {
    let helper = crate::live::connect(url).await.ok();
    let read = introspect::introspect_sharded(
        client,
        helper.as_ref().map(|(helper, _)| helper),
        filter,
        IntrospectOptions::default(),
    )
    .await;
    if let Some((helper, connection)) = helper {
        drop(helper);
        // The task ends with the client; its error, if any, is the one the
        // last query already reported.
        let _ = connection.await;
    }
    let (mut raw, stats) = read?;
    apply::history::strip_own_schema(&mut raw);
    let mut current = raw.clone();
    let mut invalid_indexes = Vec::new();
    for row in client
        .query(INVALID_INDEXES, &[])
        .await
        .map_err(|source| database_error("reading INVALID indexes", source))?
    {
        let column = |idx: usize| row.try_get::<_, String>(idx).unwrap_or_default();
        let table = QualifiedName::new(column(0), column(1));
        let index = crate::model::Ident::new(column(2));
        let removed = current
            .tables
            .get_mut(&table)
            .and_then(|table| table.indexes.remove(&index))
            .or_else(|| {
                current
                    .views
                    .get_mut(&table)
                    .and_then(|view| view.indexes.remove(&index))
            });
        if removed.is_some() {
            invalid_indexes.push(format!("{table}.{index}"));
        }
    }
    let server_version = u32::try_from(stats.server_version / 10000).unwrap_or(15);
    Ok(LiveModel {
        raw,
        current,
        invalid_indexes,
        server_version,
    })
}

/// The filter every live command uses: schemac's own schema left out.
pub(crate) fn live_filter() -> Filter {
    let mut filter = Filter::default();
    apply::exclude_own_schema(&mut filter);
    filter
}

/// Notes about what [`read_live`] left out.
pub(crate) fn invalid_index_notes(live: &LiveModel) -> Vec<String> {
    live.invalid_indexes
        .iter()
        .map(|index| {
            format!(
                "index {index} is INVALID (a failed or still running CREATE INDEX CONCURRENTLY) \
                 and is treated as absent"
            )
        })
        .collect()
}

const INVALID_INDEXES: &str = "SELECT n.nspname::text, t.relname::text, ic.relname::text
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE NOT i.indisvalid
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1, 2, 3";

/// A plan against a live database.
struct LivePlan {
    plan: Plan,
    /// Major version of the server.
    server_version: u32,
    current: Model,
    fingerprint: String,
    /// For stderr.
    notes: Vec<String>,
}

async fn live_plan(args: &PlanArgs, url: &str, desired: &Model) -> Result<LivePlan, LiveError> {
    let (client, connection) = crate::live::connect(url)
        .await
        .map_err(IntrospectError::from)?;
    let res = plan_against(&client, args, url, desired).await;
    drop(client);
    // The connection task ends with the client; its error, if any, is the
    // one the last query already reported.
    let _ = connection.await;
    res
}

async fn plan_against(
    client: &Client,
    args: &PlanArgs,
    url: &str,
    desired: &Model,
) -> Result<LivePlan, LiveError> {
    let filter = live_filter();
    let live = read_live(client, url, &filter).await?;
    let mut notes = invalid_index_notes(&live);
    let desired = normalize_desired(client, &args.shadow, url, desired, &live, &filter).await?;
    notes.extend(desired.notes);
    let plan_notes = desired.unproven;
    let normalized = desired.model;
    let changes = diff::diff(&live.current, &normalized);
    let mut ctx = PlanCtx::new(
        &live.current,
        &normalized,
        PlanOptions {
            server_version: live.server_version,
            ..PlanOptions::default()
        },
    );
    let mut plan = planner::plan(&changes, &ctx)?;
    match table_stats(client, &plan).await {
        Ok(stats) if !stats.is_empty() => {
            ctx.stats = stats;
            plan = planner::plan(&changes, &ctx)?;
        }
        Ok(_) => {}
        Err(err) => notes.push(format!(
            "live table statistics are not shown: {}",
            error_message(&err)
        )),
    }
    plan.notes.extend(plan_notes);
    Ok(LivePlan {
        plan,
        server_version: live.server_version,
        fingerprint: saved::fingerprint(&live.raw),
        current: live.current,
        notes,
    })
}

/// The desired schema as the live server stores it.
pub(crate) struct NormalizedDesired {
    /// Catalog-to-catalog normalised by a shadow database, or, without
    /// one, the file Model with the expressions the offline normaliser
    /// cannot prove equal to the live ones kept as they are live.
    pub model: Model,
    /// No shadow database was used: after applying, compare again with
    /// [`shadow::unproven_expressions`] against the new live schema.
    pub offline: bool,
    /// Notes for stderr (which shadow, what it found).
    pub notes: Vec<String>,
    /// Offline only: the expressions left unchanged because they could not
    /// be proved equal (notes of the plan).
    pub unproven: Vec<String>,
}

/// Normalises `desired` for comparison with `live`: in a shadow database
/// (always dropped again, also on error), else offline.
pub(crate) async fn normalize_desired(
    client: &Client,
    args: &ShadowArgs,
    url: &str,
    desired: &Model,
    live: &LiveModel,
    filter: &Filter,
) -> Result<NormalizedDesired, LiveError> {
    let mut notes = Vec::new();
    match choose_shadow(client, args, url, &mut notes).await? {
        Some(shadow_db) => {
            let res =
                shadow::normalize(&shadow_db, client, desired, filter, live.server_version).await;
            // Dropped on success and on error alike.
            let dropped = shadow_db.drop_now(client).await;
            let normalized = res?;
            dropped?;
            notes.extend(normalized.notes);
            Ok(NormalizedDesired {
                model: normalized.model,
                offline: false,
                notes,
                unproven: Vec::new(),
            })
        }
        None => {
            let mut model = desired.clone();
            let unproven = shadow::unproven_expressions(&live.current, &mut model);
            Ok(NormalizedDesired {
                model,
                offline: true,
                notes,
                unproven,
            })
        }
    }
}

/// The shadow database to use, if any; says on stderr when there is none.
async fn choose_shadow(
    client: &Client,
    args: &ShadowArgs,
    url: &str,
    notes: &mut Vec<String>,
) -> Result<Option<ShadowDb>, LiveError> {
    if args.no_shadow {
        return Ok(None);
    }
    if let Some(shadow_url) = &args.shadow_db {
        return Ok(Some(ShadowDb::provided(shadow_url)?));
    }
    if shadow::may_create_databases(client).await? {
        return Ok(Some(ShadowDb::create(client, url).await?));
    }
    notes.push(
        "the role may not create databases, so there is no shadow database: expressions are \
         compared by the offline normaliser (pass --shadow-db URL of an empty database to \
         compare catalog to catalog)"
            .to_string(),
    );
    Ok(None)
}

/// Estimated rows (`reltuples`) and total size (`pg_total_relation_size`,
/// indexes and TOAST included; a partitioned table sums its leaves) of the
/// tables the plan's steps touch, in one query. Only those tables: the
/// size functions take ACCESS SHARE on each relation they measure, and
/// thousands of them would exhaust the lock table. A short lock_timeout
/// keeps the query from queueing behind DDL.
async fn table_stats(
    client: &Client,
    plan: &Plan,
) -> Result<BTreeMap<QualifiedName, TableSize>, tokio_postgres::Error> {
    let tables: BTreeSet<&QualifiedName> = plan
        .steps
        .iter()
        .filter_map(|step| step.table.as_ref())
        .collect();
    if tables.is_empty() {
        return Ok(BTreeMap::new());
    }
    let schemas: Vec<&str> = tables.iter().map(|name| name.schema.as_str()).collect();
    let names: Vec<&str> = tables.iter().map(|name| name.name.as_str()).collect();
    client
        .batch_execute("BEGIN READ ONLY; SET LOCAL lock_timeout = '2s'")
        .await?;
    let rows = client.query(TABLE_STATS, &[&schemas, &names]).await;
    let end = if rows.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let ended = client.batch_execute(end).await;
    let rows = rows?;
    ended?;
    let mut res = BTreeMap::new();
    for row in rows {
        let (Ok(schema), Ok(name), Ok(rows), Ok(bytes)) = (
            row.try_get::<_, String>(0),
            row.try_get::<_, String>(1),
            row.try_get::<_, i64>(2),
            row.try_get::<_, i64>(3),
        ) else {
            continue;
        };
        res.insert(QualifiedName::new(schema, name), TableSize { rows, bytes });
    }
    Ok(res)
}

const TABLE_STATS: &str = "SELECT n.nspname::text, c.relname::text,
       CASE WHEN c.relkind = 'p' THEN
              (SELECT COALESCE(sum(GREATEST(leaf.reltuples, 0)), 0)
               FROM pg_partition_tree(c.oid) tree
               JOIN pg_class leaf ON leaf.oid = tree.relid
               WHERE tree.isleaf)
            ELSE GREATEST(c.reltuples, 0) END::int8,
       CASE WHEN c.relkind = 'p' THEN
              (SELECT COALESCE(sum(pg_total_relation_size(tree.relid)), 0)
               FROM pg_partition_tree(c.oid) tree WHERE tree.isleaf)
            ELSE pg_total_relation_size(c.oid) END::int8
FROM unnest($1::text[], $2::text[]) AS wanted(schema_name, table_name)
JOIN pg_namespace n ON n.nspname = wanted.schema_name
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = wanted.table_name
WHERE c.relkind IN ('r', 'p', 'm')";

pub(crate) fn database_error(action: &'static str, source: tokio_postgres::Error) -> LiveError {
    LiveError::Database {
        action,
        message: error_message(&source),
        source,
    }
}

/// `2025-01-31T12:34:56Z`.
fn rfc3339_utc(time: std::time::SystemTime) -> String {
    let secs = time
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0);
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// (year, month, day) of a count of days since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::time::{Duration, UNIX_EPOCH};

    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: PlanArgs,
    }

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(rfc3339_utc(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let leap_day = UNIX_EPOCH + Duration::from_secs(951_782_400 + 3_661);
        assert_eq!(rfc3339_utc(leap_day), "2000-02-29T01:01:01Z");
        let later = UNIX_EPOCH + Duration::from_secs(1_767_225_599);
        assert_eq!(rfc3339_utc(later), "2025-12-31T23:59:59Z");
    }

    #[test]
    fn db_and_from_conflict() {
        assert!(
            Wrapper::try_parse_from(["plan", "--db", "postgres://h/d", "--from", "x"]).is_err()
        );
        assert!(Wrapper::try_parse_from(["plan", "--shadow-db", "u", "--no-shadow"]).is_err());
        let parsed = Wrapper::try_parse_from([
            "plan",
            "--db",
            "postgres://h/d",
            "--shadow-db",
            "postgres://h/s",
            "--out",
            "plan.json",
            "schema",
        ])
        .expect("valid flags");
        assert_eq!(live_url(&parsed.args).as_deref(), Some("postgres://h/d"));
        assert_eq!(parsed.args.out, Some(PathBuf::from("plan.json")));
    }

    #[test]
    fn from_wins_over_database_url() {
        let parsed = Wrapper::try_parse_from(["plan", "--from", "old", "new"]).expect("valid");
        assert_eq!(live_url(&parsed.args), None);
    }
}
