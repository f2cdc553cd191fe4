//! Shadow-database normalisation (DESIGN.md §1): the desired schema is
//! built in a scratch database on the target's server and read back
//! through the same introspector, so that `plan --db` decides equality
//! catalog against catalog instead of trusting the offline normaliser.
//!
//! Owns: creating and always dropping a throwaway database, creating
//! the kept shadow of a target ([`ShadowDb`]), checking a kept or
//! user-provided one is empty and emptying it again, running the from-empty plan there with tokio-postgres (no psql at
//! run time), and carrying the file Model's spans and hints over to the
//! introspected Model ([`transfer_meta`], in `transfer`). The fallback
//! without a shadow, which names the expressions it could not prove equal,
//! is the offline normaliser's
//! ([`crate::model::normalize::unproven_expressions`]).
//!
//! Invariants:
//! - A throwaway database this module created is dropped on every path:
//!   explicitly ([`ShadowDb::drop_now`]) on success and on error, and by
//!   `Drop` when the future owning it is cancelled (Ctrl-C) or unwinds.
//! - The kept shadow of a target ([`ShadowDb::kept`], the default) and a
//!   user's `--shadow-db` are never dropped: each must be empty before use
//!   (or hold only what an interrupted run recorded) and is emptied again
//!   afterwards, by one run at a time (a session advisory lock; a busy
//!   kept shadow sends the run to a throwaway database). There, a build
//!   that can run in one transaction is read back inside it and rolled
//!   back, so nothing is ever committed (nor left by a killed run);
//!   otherwise it commits and is dropped again. `DROP DATABASE` forces an
//!   immediate checkpoint of the whole cluster; neither of these does. What schemac builds there is
//!   recorded first (`marker`), so that what a killed run left behind is
//!   emptied by the next run, and a shadow holding anything schemac did
//!   not record is refused, never emptied.
//! - A statement that fails in the shadow is an error naming the statement
//!   (never a silent fallback to offline normalisation).
//! - The shadow session uses the target session's `TimeZone`, `DateStyle`,
//!   `IntervalStyle` and `search_path`, so constants are folded as apply
//!   would fold them; catalog text is read back with the settings the
//!   introspector pins. Function bodies are not validated there
//!   (`check_function_bodies = off`, as in a pg_dump restore): they are
//!   compared as text.
//! - The shadow database is created from `template0` with the target
//!   database's encoding and locale, so nothing an administrator added to
//!   `template1` leaks into the desired schema.
//! - The throwaway database is reached with the target's own parsed
//!   [`ConnParams`] (only the database name changes); no connection
//!   string is parsed again or printed.
//!
//! Boundary: the database (this is the one place schemac creates and
//! drops databases); reads back through `introspect`.

use crate::introspect::{
    error_message, introspect, introspect_in_open_transaction, introspect_sharded, Filter,
    IntrospectError,
};
use crate::live::{ConnParams, ConnectError};
use crate::model::{Ident, Model};
use crate::plan::{plan_models, Plan, PlanError, PlanOptions};
use tokio_postgres::Client;

mod marker;
mod select;
mod transfer;
mod verbatim;

pub use select::{select, Selection};
pub use transfer::transfer_meta;
use transfer::{first_object, name_list, strip_citus};

/// A failure to build, read or drop the shadow database.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ShadowError {
    #[error("cannot create the shadow database {name}: {message}")]
    #[diagnostic(
        code("shadow-create"),
        help("pass --shadow-db URL to use an existing empty database, or --no-shadow to compare offline")
    )]
    Create {
        name: String,
        message: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("cannot connect to the shadow database: {source}")]
    #[diagnostic(
        code("shadow-connect"),
        help("check --shadow-db (or that the role may connect to databases it creates)")
    )]
    Connect {
        #[source]
        source: IntrospectError,
    },

    #[error("invalid shadow connection string: {message}")]
    #[diagnostic(
        code("invalid-connection-string"),
        help("use a URL such as postgresql://user@host:5432/dbname, or key=value pairs")
    )]
    InvalidConnString { message: String },

    #[error("the shadow database {target} is not empty (it holds {found})")]
    #[diagnostic(
        code("shadow-not-empty"),
        help("--shadow-db must name an empty scratch database: schemac builds the desired schema in it and empties it afterwards")
    )]
    NotEmpty { target: String, found: String },

    #[error("the shadow database {target} holds {found}, which schemac did not create there (it also holds what an interrupted schemac run left behind)")]
    #[diagnostic(
        code("shadow-not-empty"),
        help("schemac only empties what it recorded building in --shadow-db; drop {found} there yourself (or pass another empty scratch database), then run again")
    )]
    NotOnlySchemac { target: String, found: String },

    #[error("building the desired schema in the shadow database failed at statement {number}/{total} ({description}): {message}\n  SQL: {sql}")]
    #[diagnostic(
        code("shadow-statement"),
        help("the schema does not run on this server as written (a missing role or extension, or an invalid expression); fix it, or run with --no-shadow to compare offline")
    )]
    Statement {
        number: usize,
        total: usize,
        description: String,
        sql: String,
        message: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("{action} failed: {message}")]
    #[diagnostic(code("shadow-database-error"))]
    Database {
        action: &'static str,
        message: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("the shadow database {target} is in use by another schemac run")]
    #[diagnostic(
        code("shadow-busy"),
        help("one run at a time builds in a shadow database: wait for the other run, or pass another empty --shadow-db")
    )]
    Busy { target: String },

    #[error("cannot plan the desired schema from an empty database: {0}")]
    #[diagnostic(code("shadow-plan"))]
    Plan(#[source] PlanError),

    #[error("reading the shadow database back failed: {0}")]
    #[diagnostic(code("shadow-introspect"))]
    Introspect(#[source] IntrospectError),
}

/// The desired schema as the server stores it.
#[derive(Debug, Clone)]
pub struct Normalized {
    /// The shadow's introspected Model, with the file Model's `Meta`,
    /// roles, external patterns, extension version pins and (when Citus
    /// could not run there) shard distribution.
    pub model: Model,
    /// What the user should know (printed on stderr).
    pub notes: Vec<String>,
}

/// A shadow database. When schemac created it, it is dropped by
/// [`ShadowDb::drop_now`] or, failing that, by `Drop`.
pub struct ShadowDb {
    /// The target's connection parameters (to reach the server for the
    /// final `DROP DATABASE`); for a provided shadow, the shadow's own.
    admin: ConnParams,
    /// Connection parameters of the shadow database itself.
    config: ConnParams,
    name: String,
    /// Created by schemac, so schemac drops it.
    owned: bool,
    /// schemac's kept shadow of the target (not dropped; emptied).
    kept: bool,
    dropped: bool,
}

impl std::fmt::Debug for ShadowDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShadowDb")
            .field("name", &self.name)
            .field("owned", &self.owned)
            .finish_non_exhaustive()
    }
}

impl ShadowDb {
    /// Creates `schemac_shadow_<pid>_<nanos>` on the target's server
    /// through `target` (connected with `target_conn`).
    pub async fn create(
        target: &Client,
        target_conn: &ConnParams,
    ) -> Result<ShadowDb, ShadowError> {
        let mut config = target_conn.clone();
        let name = throwaway_name();
        let create = create_database_sql(target, &name).await?;
        target
            .batch_execute(&create)
            .await
            .map_err(|source| ShadowError::Create {
                name: name.clone(),
                message: error_message(&source),
                source,
            })?;
        config.set_dbname(&name);
        Ok(ShadowDb {
            admin: target_conn.clone(),
            config,
            name,
            owned: true,
            kept: false,
            dropped: false,
        })
    }

    /// schemac's kept shadow of the target (`schemac_shadow_<database>`,
    /// [`kept_name`]), created on first use with the target's encoding
    /// and locale (a note says so) and emptied after each run instead of
    /// dropped: `DROP DATABASE` forces an immediate checkpoint of the
    /// whole cluster, an I/O burst on a busy server, and `CREATE
    /// DATABASE` copies a template. `None` when it cannot serve this role
    /// (another role owns it, or its encoding or locale differ from the
    /// target's): the caller takes a throwaway database instead.
    pub async fn kept(
        target: &Client,
        target_conn: &ConnParams,
        notes: &mut Vec<String>,
    ) -> Result<Option<ShadowDb>, ShadowError> {
        let target_config = target_conn.config();
        let name = kept_name(
            target_config
                .get_dbname()
                .or(target_config.get_user())
                .unwrap_or("postgres"),
        );
        let database_error = |source: tokio_postgres::Error| ShadowError::Database {
            action: "looking for the kept shadow database",
            message: error_message(&source),
            source,
        };
        let row = target
            .query_opt(
                "SELECT s.datdba = (SELECT oid FROM pg_roles WHERE rolname = current_user) AS owned,
                        s.encoding = t.encoding AND s.datcollate = t.datcollate
                        AND s.datctype = t.datctype AS same_locale,
                        s.datallowconn AS allows_connections
                 FROM pg_database s, pg_database t
                 WHERE s.datname = $1 AND t.datname = current_database()",
                &[&name],
            )
            .await
            .map_err(database_error)?;
        match row {
            Some(row) => {
                let flag = |column: &str| row.try_get::<_, bool>(column).unwrap_or(false);
                let why = if !flag("owned") {
                    "belongs to another role"
                } else if !flag("same_locale") {
                    "has another encoding or locale than the target"
                } else if !flag("allows_connections") {
                    "does not allow connections"
                } else {
                    ""
                };
                if !why.is_empty() {
                    // Said every time: each such run pays for creating and
                    // dropping a database.
                    notes.push(format!(
                        "the shadow database {name} kept for this database {why}, so this run used a throwaway one (creating and dropping a database forces a checkpoint of the whole server); DROP DATABASE {} lets the next run keep one for this role, or pass --shadow-db URL",
                        Ident::new(&name)
                    ));
                    return Ok(None);
                }
            }
            None => {
                let create = create_database_sql(target, &name).await?;
                match target.batch_execute(&create).await {
                    Ok(()) => notes.push(format!(
                        "created the shadow database {name} on the target's server; schemac keeps it, empty, for the next runs (DROP DATABASE {} removes it)",
                        Ident::new(&name)
                    )),
                    // Another run created it a moment ago.
                    Err(err)
                        if err.code() == Some(&tokio_postgres::error::SqlState::DUPLICATE_DATABASE) => {}
                    Err(source) => {
                        return Err(ShadowError::Create {
                            name,
                            message: error_message(&source),
                            source,
                        })
                    }
                }
            }
        }
        let mut config = target_conn.clone();
        config.set_dbname(&name);
        Ok(Some(ShadowDb {
            admin: target_conn.clone(),
            config,
            name,
            owned: false,
            kept: true,
            dropped: false,
        }))
    }

    /// Parses `--shadow-db URL`.
    pub fn parse_url(url: &str) -> Result<ConnParams, ShadowError> {
        parse_config(url)
    }

    /// A database the user provided (`--shadow-db URL`, see
    /// [`ShadowDb::parse_url`]): never dropped.
    pub fn provided(config: ConnParams) -> ShadowDb {
        let name = config
            .config()
            .get_dbname()
            .or(config.config().get_user())
            .unwrap_or("postgres")
            .to_string();
        ShadowDb {
            admin: config.clone(),
            config,
            name,
            owned: false,
            kept: false,
            dropped: false,
        }
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True when schemac created it (and so drops it).
    pub fn is_throwaway(&self) -> bool {
        self.owned
    }

    /// True for schemac's kept shadow of the target ([`ShadowDb::kept`]).
    pub fn is_kept(&self) -> bool {
        self.kept
    }

    /// Connects to the shadow database.
    pub async fn connect(&self) -> Result<Client, ShadowError> {
        // The connection task ends when the client is dropped or the server
        // ends the session (DROP DATABASE ... WITH (FORCE)); its error is
        // the one the last query already reported.
        let (client, _connection) =
            self.config
                .connect()
                .await
                .map_err(|source| ShadowError::Connect {
                    source: source.into(),
                })?;
        Ok(client)
    }

    /// Drops a throwaway database through `target` (a connection to
    /// another database of the same server). A provided one is left alone.
    pub async fn drop_now(mut self, target: &Client) -> Result<(), ShadowError> {
        if !self.owned || self.dropped {
            return Ok(());
        }
        self.dropped = true;
        target
            .batch_execute(&drop_database_sql(&self.name))
            .await
            .map_err(|source| {
                // Try once more from a fresh connection when the target's
                // session itself is gone.
                self.dropped = false;
                ShadowError::Database {
                    action: "dropping the shadow database",
                    message: error_message(&source),
                    source,
                }
            })
    }
}

impl Drop for ShadowDb {
    /// The last resort (cancelled future, early return, panic): drop the
    /// database from a fresh connection on a thread of its own, since this
    /// may run inside the caller's async runtime.
    fn drop(&mut self) {
        if !self.owned || self.dropped {
            return;
        }
        self.dropped = true;
        let admin = self.admin.clone();
        let name = self.name.clone();
        let res = std::thread::spawn(move || drop_blocking(&admin, &name)).join();
        if !matches!(res, Ok(Ok(()))) {
            // Nothing can be returned from Drop; leaving a database behind
            // silently would be worse than this one line on stderr.
            eprintln!(
                "warning: could not drop the shadow database {}; drop it with DROP DATABASE \"{}\"",
                self.name, self.name
            );
        }
    }
}

/// Whether the connected role may create databases (`CREATEDB` or
/// superuser).
pub async fn may_create_databases(client: &Client) -> Result<bool, ShadowError> {
    let row = client
        .query_one(
            "SELECT (r.rolcreatedb OR r.rolsuper) AS may FROM pg_roles r WHERE r.rolname = current_user",
            &[],
        )
        .await
        .map_err(|source| ShadowError::Database {
            action: "reading the role's privileges",
            message: error_message(&source),
            source,
        })?;
    Ok(row.try_get::<_, bool>("may").unwrap_or(false))
}

/// Builds `desired` in the shadow database and reads it back.
///
/// With `selection` (the proportional shadow, see [`select`]) only the
/// objects it names are built, and the settled ones are merged back from
/// `desired`; without, the whole desired schema is built.
///
/// `target` is the connection to the database being planned (its session
/// settings are copied); `server_version` is its major version. A kept or
/// provided shadow must be empty, is used by one run at a time
/// ([`ShadowError::Busy`] otherwise), and is left empty again (also on
/// error): the build is rolled back after it is read, or, when it cannot
/// run in one transaction, committed and dropped again; a throwaway one is
/// left for the caller to drop.
pub async fn normalize(
    shadow: &ShadowDb,
    target: &Client,
    desired: &Model,
    selection: Option<&Selection>,
    filter: &Filter,
    server_version: u32,
) -> Result<Normalized, ShadowError> {
    let select_stage = crate::timings::stage("shadow: build model");
    let mut buildable = match selection {
        Some(selection) => selection.build_model(desired),
        None => desired.clone(),
    };
    drop(select_stage);
    // Default privileges are names only, taken as written (below), and
    // never left behind in a shadow database the user provides.
    buildable.default_privileges.clear();
    let connect_stage = crate::timings::stage("shadow: connect");
    let client = shadow.connect().await?;
    copy_session_settings(target, &client).await?;
    drop(connect_stage);
    let mut leftover_note = None;
    if !shadow.owned {
        // One run at a time: the lock is the session's, released when
        // `client` is dropped (also when the run is killed).
        if !try_lock(&client).await? {
            return Err(ShadowError::Busy {
                target: shadow.config.target(),
            });
        }
        let _stage = crate::timings::stage("shadow: check empty");
        leftover_note = empty_leftovers(shadow, &client, filter, server_version).await?;
    }
    let mut built = Built::default();
    let mut res = build_and_read(
        shadow,
        &client,
        desired,
        buildable,
        filter,
        server_version,
        (!shadow.owned).then_some(&mut built),
    )
    .await;
    if let (Some(selection), Ok(normalized)) = (selection, &mut res) {
        let _stage = crate::timings::stage("shadow: merge");
        normalized.model = selection.merge(desired, std::mem::take(&mut normalized.model));
    }
    if let Ok(normalized) = &mut res {
        normalized.model.default_privileges = desired.default_privileges.clone();
    }
    if !shadow.owned && !built.rolled_back {
        // The build's own error, if any, matters more than the cleanup's.
        let empty_stage = crate::timings::stage("shadow: empty");
        let emptied = empty_provided(&client, built.model.as_ref(), filter, server_version).await;
        drop(empty_stage);
        let mut normalized = res?;
        emptied?;
        marker::clear(&client).await?;
        vacuum(&client).await;
        normalized.notes.extend(leftover_note);
        return Ok(normalized);
    }
    if !shadow.owned {
        vacuum(&client).await;
    }
    res.map(|mut normalized| {
        normalized.notes.extend(leftover_note);
        normalized
    })
}

/// Vacuums a kept or provided shadow after a build: a rolled-back (or
/// dropped) build leaves its catalog rows dead, and a catalog that keeps
/// them makes the next build slower (measured: the shadow's build of a
/// 10,000-table schema's 5% change took 2.9 s in a fresh database and
/// 5.5 s after four runs; the `VACUUM` after one run takes about 0.1 s).
/// Maintenance only: a failure changes nothing the run reports.
async fn vacuum(client: &Client) {
    let _stage = crate::timings::stage("shadow: vacuum");
    let _ = client.batch_execute("VACUUM").await;
}

/// How a build in a kept or provided shadow ended, for emptying it.
#[derive(Default)]
struct Built {
    /// The build ran in one transaction that was read and rolled back:
    /// nothing is left to empty.
    rolled_back: bool,
    /// Otherwise, what introspection read after the build (the reverse
    /// plan empties it), if the build got that far.
    model: Option<Model>,
}

/// Checks a provided shadow is empty. When it is not, but everything in it
/// is what an earlier (interrupted) build recorded, empties it and returns
/// a note saying so; anything else there is refused.
async fn empty_leftovers(
    shadow: &ShadowDb,
    client: &Client,
    filter: &Filter,
    server_version: u32,
) -> Result<Option<String>, ShadowError> {
    if !holds_anything(client).await? {
        return Ok(None);
    }
    let existing = introspect(client, filter)
        .await
        .map_err(ShadowError::Introspect)?;
    let Some(found) = first_object(&existing) else {
        return Ok(None);
    };
    let Some(recorded) = marker::recorded(client).await? else {
        return Err(ShadowError::NotEmpty {
            target: shadow.config.target(),
            found,
        });
    };
    if let Some(found) = marker::unrecorded(&existing, &recorded) {
        return Err(ShadowError::NotOnlySchemac {
            target: shadow.config.target(),
            found,
        });
    }
    empty_provided(client, Some(&existing), filter, server_version).await?;
    marker::clear(client).await?;
    Ok(Some(format!(
        "emptied the shadow database {}: an interrupted schemac run had left what it built there",
        shadow.config.target()
    )))
}

/// Builds `buildable` (all or part of `desired`) and reads it back, with
/// `desired`'s spans and hints.
async fn build_and_read(
    shadow: &ShadowDb,
    client: &Client,
    desired: &Model,
    mut buildable: Model,
    filter: &Filter,
    server_version: u32,
    mut keep_nothing: Option<&mut Built>,
) -> Result<Normalized, ShadowError> {
    let mut notes = Vec::new();
    let citus = citus_usable(client).await?;
    let stripped = if citus {
        Vec::new()
    } else {
        strip_citus(&mut buildable)
    };
    if !stripped.is_empty() {
        notes.push(format!(
            "the shadow database cannot run Citus here: shard distribution of {} is compared as declared, not as the server stores it",
            name_list(&stripped)
        ));
    }
    let options = PlanOptions {
        server_version,
        online: false,
        ..PlanOptions::default()
    };
    // Statements of object kinds outside the Model (`CREATE COLLATION
    // app.ci`) usually need the file's schemas and extensions and are
    // needed by its tables: with any, the schemas and extensions are
    // built first, then those statements, then the rest of the plan.
    let unmodelled = desired
        .session
        .verbatim
        .iter()
        .any(|statement| statement.unmodelled.is_some());
    let mut base = Model::default();
    if unmodelled {
        base.schemas = buildable.schemas.clone();
        base.extensions = buildable.extensions.clone();
    }
    let build_stage = crate::timings::stage("shadow: plan and build");
    let first = plan_models(&Model::default(), &base, &options).map_err(ShadowError::Plan)?;
    let plan = plan_models(&base, &buildable, &options).map_err(ShadowError::Plan)?;
    verbatim::set_file_path(client, desired).await?;
    // In a database that outlives the run (kept or provided), a build
    // whose every statement can share one transaction is read back inside
    // that transaction and rolled back: nothing is ever committed there,
    // nothing is left to drop (dropping costs as much as building), and a
    // killed run leaves nothing behind. Otherwise the build commits, is
    // recorded first, and the caller empties it again.
    if let Some(built) = keep_nothing.as_deref_mut() {
        if first.steps.is_empty()
            && desired.session.verbatim.is_empty()
            && plan.steps.iter().all(|step| step.transactional)
        {
            built.rolled_back = true;
            let res = build_rolled_back(client, &plan, filter).await;
            drop(build_stage);
            let mut model = res?;
            let _stage = crate::timings::stage("shadow: transfer meta");
            transfer_meta(desired, &mut model, !citus);
            model.session = desired.session.clone();
            return Ok(Normalized { model, notes });
        }
        marker::record(client, &marker::objects(&buildable)).await?;
    }
    let (mut pending, verbatim_notes) = verbatim::run_before(client, desired, false).await?;
    notes.extend(verbatim_notes);
    run_plan(client, &first).await?;
    pending.extend(verbatim::run_before(client, desired, true).await?.0);
    run_plan(client, &plan).await?;
    notes.extend(verbatim::run_after(client, desired, &pending).await?);
    drop(build_stage);
    let introspect_stage = crate::timings::stage("shadow: introspect");
    // A second connection splits the catalog queries (see
    // `introspect_sharded`); without one, the first reads alone.
    let helper = shadow.connect().await.ok();
    let (mut model, _) = introspect_sharded(client, helper.as_ref(), filter, Default::default())
        .await
        .map_err(ShadowError::Introspect)?;
    drop(introspect_stage);
    if let Some(built) = keep_nothing {
        built.model = Some(model.clone());
    }
    let _stage = crate::timings::stage("shadow: transfer meta");
    transfer_meta(desired, &mut model, !citus);
    model.session = desired.session.clone();
    Ok(Normalized { model, notes })
}

/// Runs every step of `plan` (all transactional) in one transaction,
/// reads the result back inside it, and rolls it back, also on error.
/// A failing batch is run again statement by statement (rolled back too)
/// to name the statement that failed.
async fn build_rolled_back(
    client: &Client,
    plan: &Plan,
    filter: &Filter,
) -> Result<Model, ShadowError> {
    let mut batch = String::from("BEGIN;\n");
    for step in &plan.steps {
        batch.push_str(&step.sql);
        batch.push_str(";\n");
    }
    if let Err(source) = client.batch_execute(&batch).await {
        let _ = client.batch_execute("ROLLBACK").await;
        find_failing_statement(client, &plan.steps, 0, plan.steps.len(), false).await?;
        // Every statement ran alone: the batch's own error stands.
        return Err(ShadowError::Database {
            action: "building the desired schema in the shadow database",
            message: error_message(&source),
            source,
        });
    }
    let _stage = crate::timings::stage("shadow: introspect");
    let read = introspect_in_open_transaction(client, filter).await;
    let rolled_back = client.batch_execute("ROLLBACK").await;
    let model = read.map_err(ShadowError::Introspect)?;
    rolled_back.map_err(|source| ShadowError::Database {
        action: "rolling back the build in the shadow database",
        message: error_message(&source),
        source,
    })?;
    Ok(model)
}

/// Runs `plan` as apply would group it: each transactional group in one
/// transaction, non-transactional steps alone. A group goes to the server
/// as one batch (one round trip); when it fails, it is run again statement
/// by statement inside a transaction that is rolled back, to name the
/// statement that failed.
pub async fn run_plan(client: &Client, plan: &Plan) -> Result<(), ShadowError> {
    let total = plan.steps.len();
    let mut done = 0;
    for group in plan.transaction_groups() {
        let transactional = group.first().is_some_and(|step| step.transactional);
        let res = if transactional && group.len() > 1 {
            let mut batch = String::from("BEGIN;\n");
            for step in group {
                batch.push_str(&step.sql);
                batch.push_str(";\n");
            }
            batch.push_str("COMMIT");
            match client.batch_execute(&batch).await {
                Ok(()) => Ok(()),
                Err(_) => {
                    let _ = client.batch_execute("ROLLBACK").await;
                    find_failing_statement(client, group, done, total, true).await
                }
            }
        } else {
            run_group(client, group, transactional, done, total).await
        };
        res?;
        done += group.len();
    }
    Ok(())
}

/// Runs `group` statement by statement (in a transaction when
/// `transactional`); the first failure names its statement.
async fn run_group(
    client: &Client,
    group: &[crate::plan::Step],
    transactional: bool,
    done: usize,
    total: usize,
) -> Result<(), ShadowError> {
    if transactional {
        exec(client, "BEGIN", "starting a transaction in the shadow").await?;
    }
    for (idx, step) in group.iter().enumerate() {
        if let Err(source) = client.batch_execute(&step.sql).await {
            if transactional {
                let _ = client.batch_execute("ROLLBACK").await;
            }
            return Err(statement_error(step, done + idx + 1, total, source));
        }
    }
    if transactional {
        exec(client, "COMMIT", "committing in the shadow").await?;
    }
    Ok(())
}

/// A batch failed (and was rolled back): runs it again one statement at
/// a time, rolled back whatever happens, to report the failing one.
async fn find_failing_statement(
    client: &Client,
    group: &[crate::plan::Step],
    done: usize,
    total: usize,
    commit: bool,
) -> Result<(), ShadowError> {
    exec(client, "BEGIN", "starting a transaction in the shadow").await?;
    for (idx, step) in group.iter().enumerate() {
        if let Err(source) = client.batch_execute(&step.sql).await {
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(statement_error(step, done + idx + 1, total, source));
        }
    }
    if !commit {
        return exec(client, "ROLLBACK", "rolling back in the shadow").await;
    }
    // Every statement ran alone: the batch failed at COMMIT (a deferred
    // constraint); COMMIT again reports it.
    match client.batch_execute("COMMIT").await {
        Ok(()) => Ok(()),
        Err(source) => Err(ShadowError::Database {
            action: "committing in the shadow",
            message: error_message(&source),
            source,
        }),
    }
}

fn statement_error(
    step: &crate::plan::Step,
    number: usize,
    total: usize,
    source: tokio_postgres::Error,
) -> ShadowError {
    ShadowError::Statement {
        number,
        total,
        description: step.description.clone(),
        sql: step.sql.clone(),
        message: error_message(&source),
        source,
    }
}

/// True when `CREATE EXTENSION citus` can succeed here: the extension is
/// available and preloaded.
async fn citus_usable(client: &Client) -> Result<bool, ShadowError> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'citus')
                    AND current_setting('shared_preload_libraries') ~ 'citus' AS usable",
            &[],
        )
        .await
        .map_err(|source| ShadowError::Database {
            action: "looking for the citus extension",
            message: error_message(&source),
            source,
        })?;
    Ok(row.try_get::<_, bool>("usable").unwrap_or(false))
}

/// Copies the settings that fold constants (time zone, date style) and
/// resolve names from the target session to the shadow session, and
/// Citus's permission for triggers on distributed tables.
async fn copy_session_settings(target: &Client, shadow: &Client) -> Result<(), ShadowError> {
    let row = target
        .query_one(
            "SELECT current_setting('TimeZone') AS tz, current_setting('DateStyle') AS ds,
                    current_setting('IntervalStyle') AS iv, current_setting('search_path') AS sp,
                    coalesce(current_setting('citus.enable_unsafe_triggers', true), 'off') AS ut",
            &[],
        )
        .await
        .map_err(|source| ShadowError::Database {
            action: "reading the target's session settings",
            message: error_message(&source),
            source,
        })?;
    let setting = |column: &str| row.try_get::<_, String>(column).unwrap_or_default();
    let (tz, ds, iv, sp) = (setting("tz"), setting("ds"), setting("iv"), setting("sp"));
    // Function bodies are compared as text, never run: like a pg_dump
    // restore, the shadow does not validate them, so a plpgsql function
    // that names a table created later still builds.
    shadow
        .query(
            "SELECT set_config('TimeZone', $1, false), set_config('DateStyle', $2, false),
                    set_config('IntervalStyle', $3, false), set_config('search_path', $4, false),
                    set_config('check_function_bodies', 'off', false)",
            &[&tz, &ds, &iv, &sp],
        )
        .await
        .map_err(|source| ShadowError::Database {
            action: "copying session settings to the shadow",
            message: error_message(&source),
            source,
        })?;
    // Citus refuses triggers on distributed tables unless the target
    // allows them (`ALTER DATABASE ... SET citus.enable_unsafe_triggers`
    // reaches the target only): the shadow allows what the target does.
    if setting("ut") == "on" {
        shadow
            .batch_execute("SET citus.enable_unsafe_triggers = on")
            .await
            .map_err(|source| ShadowError::Database {
                action: "copying citus.enable_unsafe_triggers to the shadow",
                message: error_message(&source),
                source,
            })?;
    }
    Ok(())
}

/// Drops everything in a provided or kept shadow again (the reverse
/// plan of `built`, what introspection read there after the build, or,
/// when the build did not get that far, of what it reads now).
async fn empty_provided(
    client: &Client,
    built: Option<&Model>,
    filter: &Filter,
    server_version: u32,
) -> Result<(), ShadowError> {
    let read;
    let built = match built {
        Some(built) => built,
        None => {
            read = introspect(client, filter)
                .await
                .map_err(ShadowError::Introspect)?;
            &read
        }
    };
    let options = PlanOptions {
        server_version,
        online: false,
        ..PlanOptions::default()
    };
    let plan = plan_models(built, &Model::default(), &options).map_err(ShadowError::Plan)?;
    run_plan(client, &plan).await
}

/// The key of the session lock that keeps two runs out of one shadow
/// database (advisory locks are per database, so one key serves all).
pub const SHADOW_LOCK_KEY: i64 = 0x5c4e_3ac0_5bad_0001;

/// Takes the shadow's run lock for this session; false when another
/// session holds it.
async fn try_lock(client: &Client) -> Result<bool, ShadowError> {
    let row = client
        .query_one(
            "SELECT pg_try_advisory_lock($1) AS locked",
            &[&SHADOW_LOCK_KEY],
        )
        .await
        .map_err(|source| ShadowError::Database {
            action: "locking the shadow database for this run",
            message: error_message(&source),
            source,
        })?;
    Ok(row.try_get::<_, bool>("locked").unwrap_or(false))
}

/// Whether the database holds anything beyond what a fresh database from
/// template0 has (one catalog round trip; the full introspection runs
/// only when it does).
async fn holds_anything(client: &Client) -> Result<bool, ShadowError> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace n
                            WHERE n.nspname NOT IN ('public', 'information_schema', 'schemac')
                              AND n.nspname !~ '^pg_')
                 OR EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname = 'public')
                 OR EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                            WHERE n.nspname = 'public')
                 OR EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                            WHERE n.nspname = 'public')
                 OR EXISTS (SELECT 1 FROM pg_extension WHERE extname <> 'plpgsql')
                 OR EXISTS (SELECT 1 FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace
                            WHERE n.nspname = 'public')
                 OR EXISTS (SELECT 1 FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
                            WHERE n.nspname = 'public') AS holds",
            &[],
        )
        .await
        .map_err(|source| ShadowError::Database {
            action: "checking the shadow database is empty",
            message: error_message(&source),
            source,
        })?;
    Ok(row.try_get::<_, bool>("holds").unwrap_or(true))
}

/// `CREATE DATABASE` from template0 with the target's encoding and locale.
async fn create_database_sql(target: &Client, name: &str) -> Result<String, ShadowError> {
    let row = target
        .query_one(
            "SELECT pg_encoding_to_char(d.encoding) AS encoding, d.datcollate::text AS collate,
                    d.datctype::text AS ctype
             FROM pg_database d WHERE d.datname = current_database()",
            &[],
        )
        .await
        .map_err(|source| ShadowError::Database {
            action: "reading the target database's encoding",
            message: error_message(&source),
            source,
        })?;
    let text = |column: &str| row.try_get::<_, String>(column).unwrap_or_default();
    let mut sql = format!("CREATE DATABASE {} TEMPLATE template0", Ident::new(name));
    for (option, value) in [
        ("ENCODING", text("encoding")),
        ("LC_COLLATE", text("collate")),
        ("LC_CTYPE", text("ctype")),
    ] {
        if !value.is_empty() {
            sql.push_str(&format!(
                " {option} {}",
                crate::model::sql::quote_literal(&value)
            ));
        }
    }
    Ok(sql)
}

fn drop_database_sql(name: &str) -> String {
    format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", Ident::new(name))
}

fn drop_blocking(admin: &ConnParams, name: &str) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| err.to_string())?;
    runtime.block_on(async {
        let (client, connection) = admin.connect().await.map_err(|err| err.to_string())?;
        let res = client
            .batch_execute(&drop_database_sql(name))
            .await
            .map_err(|err| error_message(&err));
        drop(client);
        let _ = connection.await;
        res
    })
}

/// The connection parameters of `url`, TLS settings included;
/// `application_name` defaults to `schemac`.
fn parse_config(url: &str) -> Result<ConnParams, ShadowError> {
    ConnParams::parse(url).map_err(|err| ShadowError::InvalidConnString {
        message: match err {
            ConnectError::InvalidConnString { message } => message,
            other => other.to_string(),
        },
    })
}

/// The name of schemac's kept shadow of the database `target`:
/// `schemac_shadow_<target>`, or, when that would pass PostgreSQL's 63
/// bytes, a prefix of the name and a hash of the whole.
pub fn kept_name(target: &str) -> String {
    let name = format!("schemac_shadow_{target}");
    if name.len() <= 63 {
        return name;
    }
    use sha2::Digest;
    let digest = sha2::Sha256::digest(target.as_bytes());
    let hash: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    let mut prefix = String::new();
    for ch in name.chars() {
        if prefix.len() + ch.len_utf8() > 63 - 13 {
            break;
        }
        prefix.push(ch);
    }
    format!("{prefix}_{hash}")
}

/// Whether the kept shadow can build `desired`: everything it builds
/// must be something the Model sees, so that emptying it again leaves
/// nothing behind. Statements kept as written (DO blocks, object kinds
/// outside the Model) may create what introspection does not read, and a
/// Citus distribution needs the cluster's own set-up: those schemas get
/// a throwaway database.
pub fn kept_eligible(desired: &Model) -> bool {
    desired.session.verbatim.is_empty()
        && !desired.schemas.values().any(|schema| schema.distributed)
        && !desired
            .tables
            .values()
            .any(|table| table.distribution.is_some())
        && !desired
            .extensions
            .keys()
            .any(|name| name.as_str() == "citus")
}

fn throwaway_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or(0);
    format!("schemac_shadow_{}_{}", std::process::id(), nanos)
}

async fn exec(client: &Client, sql: &str, action: &'static str) -> Result<(), ShadowError> {
    client
        .batch_execute(sql)
        .await
        .map_err(|source| ShadowError::Database {
            action,
            message: error_message(&source),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shadow_names_are_unique_and_quoted_safely() {
        let name = throwaway_name();
        assert!(name.starts_with(&format!("schemac_shadow_{}_", std::process::id())));
        assert_eq!(
            drop_database_sql("Odd\"Name"),
            "DROP DATABASE IF EXISTS \"Odd\"\"Name\" WITH (FORCE)"
        );
    }
}
