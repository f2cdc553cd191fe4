//! Planning against a live database (`schemac plan --db`): read the live
//! Model, normalise the desired schema the way the server would store it
//! (shadow database, else offline), plan, and weigh the steps with live
//! table statistics.
//!
//! Invariants: the target database is only read; a throwaway shadow is
//! dropped on success and on error alike, the kept shadow emptied. The plan is made twice only
//! when statistics exist for the tables it touches (the strategies choose
//! by table size), and a failure to read them keeps the first plan with a
//! note. A saved plan carries the fingerprint of everything read
//! (`LiveModel::raw`), as `apply --plan` recomputes it.

use super::model::{invalid_index_notes, read_live, LiveModel};
use super::session::Session;
use super::shadow::{self, ShadowDb};
use super::{stats, LiveError, LiveOptions, ShadowChoice, ShadowScope};
use crate::apply::{preflight, PreflightReport};
use crate::diff;
use crate::introspect::Filter;
use crate::live::ConnParams;
use crate::model::Model;
use crate::plan::{self as planner, saved, Plan, PlanCtx, PlanOptions};
use tokio_postgres::Client;

/// A plan against a live database.
#[derive(Debug, Clone)]
pub struct LivePlan {
    pub plan: Plan,
    /// Major version of the server.
    pub server_version: u32,
    /// The live schema the plan starts from.
    pub current: Model,
    /// [`saved::fingerprint`] of the introspected database, when
    /// [`LiveOptions::fingerprint`] asked for it.
    pub fingerprint: Option<String>,
    /// For stderr: what was left out, which shadow, what it found.
    pub notes: Vec<String>,
    /// The data checks apply runs before its first step, run now:
    /// findings are steps that would fail on the rows now in the database.
    pub preflight: PreflightReport,
}

impl LivePlan {
    /// The saved-plan JSON (`plan --out FILE`), stamped with the current
    /// time. Made with [`LiveOptions::fingerprint`]; without it the
    /// fingerprint is empty, and `apply --plan` refuses the plan as made
    /// for another database.
    pub fn to_saved_json(&self) -> String {
        let created_at = crate::calendar::rfc3339_utc(std::time::SystemTime::now());
        let fingerprint = self.fingerprint.as_deref().unwrap_or("");
        saved::to_json(&self.plan, fingerprint, Some(created_at))
    }
}

/// Plans the migration of the database `conn` names to `desired`.
pub async fn plan_against_db(
    conn: &ConnParams,
    desired: &Model,
    options: &LiveOptions,
) -> Result<LivePlan, LiveError> {
    let target = read_target(conn, options.fingerprint).await?;
    plan_against_read(target, conn, desired, options).await
}

/// The target database, read: the open session and its live Model. The
/// first half of [`plan_against_db`], which needs no desired schema, so
/// that the CLI reads the target while it parses the files.
pub struct TargetRead {
    session: Session,
    live: LiveModel,
}

impl TargetRead {
    /// Closes the session without planning (the files had errors).
    pub async fn close(self) {
        self.session.close().await;
    }
}

/// Connects to `conn` and reads its schema ([`read_live`]), with the
/// saved plan's fingerprint when `fingerprint`.
pub async fn read_target(conn: &ConnParams, fingerprint: bool) -> Result<TargetRead, LiveError> {
    let session = Session::open(conn).await?;
    let filter = super::filter();
    let read_stage = crate::timings::stage("introspect target");
    let live = read_live(&session.client, conn, &filter, fingerprint).await;
    drop(read_stage);
    match live {
        Ok(live) => Ok(TargetRead { session, live }),
        Err(err) => {
            session.close().await;
            Err(err)
        }
    }
}

/// The second half of [`plan_against_db`]: plans `desired` against the
/// target `read_target` read, then closes its session.
pub async fn plan_against_read(
    target: TargetRead,
    conn: &ConnParams,
    desired: &Model,
    options: &LiveOptions,
) -> Result<LivePlan, LiveError> {
    let TargetRead { session, live } = target;
    let res = plan_against(&session.client, live, conn, desired, options).await;
    session.close().await;
    res
}

async fn plan_against(
    client: &Client,
    mut live: LiveModel,
    conn: &ConnParams,
    desired: &Model,
    options: &LiveOptions,
) -> Result<LivePlan, LiveError> {
    let filter = super::filter();
    let settled = super::citus::settle(options.citus, &mut live, desired)?;
    let mut notes = invalid_index_notes(&live);
    notes.extend(settled.note);
    let shadow_stage = crate::timings::stage("normalise (shadow)");
    let desired = normalize_desired(
        client,
        &options.shadow,
        options.shadow_scope,
        conn,
        &settled.desired,
        &live,
        &filter,
    )
    .await?;
    drop(shadow_stage);
    notes.extend(desired.notes);
    let plan_notes = desired.unproven;
    let normalized = desired.model;
    super::citus::align(client, &mut live, &normalized).await?;
    // Objects renamed through `was` hints: the rest is diffed against the
    // live schema in the new names.
    let followed = diff::follow_renames(&live.current, &normalized);
    let current = followed.as_ref().map_or(&live.current, |f| &f.current);
    let diff_stage = crate::timings::stage("diff and plan");
    let mut changes = diff::diff(current, &normalized);
    if let Some(followed) = &followed {
        changes
            .changes
            .splice(0..0, followed.changes.iter().cloned());
    }
    let ctx = PlanCtx::new(
        current,
        &normalized,
        PlanOptions {
            server_version: live.server_version,
            ..PlanOptions::default()
        },
    );
    let mut plan = planner::plan(&changes, &ctx)?;
    drop(diff_stage);
    let stats_stage = crate::timings::stage("table sizes");
    match stats::table_sizes(client, &plan).await {
        Ok(stats) => plan.set_table_sizes(&stats),
        Err(message) => notes.push(format!("live table statistics are not shown: {message}")),
    }
    drop(stats_stage);
    plan.notes.extend(plan_notes);
    // Read only, as apply runs it before its first step.
    let preflight_stage = crate::timings::stage("preflight");
    let preflight = preflight::preflight(client, &plan, &options.preflight).await?;
    drop(preflight_stage);
    notes.extend(preflight.notes());
    Ok(LivePlan {
        preflight,
        plan,
        server_version: live.server_version,
        fingerprint: live.fingerprint,
        current: live.current,
        notes,
    })
}

/// The desired schema as the live server stores it.
#[derive(Debug, Clone)]
pub struct NormalizedDesired {
    /// Catalog-to-catalog normalised by a shadow database, or, without
    /// one, the file Model with the expressions the offline normaliser
    /// cannot prove equal to the live ones kept as they are live.
    pub model: Model,
    /// No shadow database was used: after applying, compare again with
    /// [`crate::model::normalize::unproven_expressions`] against the new
    /// live schema.
    pub offline: bool,
    /// Notes for stderr (which shadow, what it found).
    pub notes: Vec<String>,
    /// Offline only: the expressions left unchanged because they could not
    /// be proved equal (notes of the plan).
    pub unproven: Vec<String>,
}

/// Normalises `desired` for comparison with `live`: in a shadow database
/// (always dropped again, also on error), else offline. `client` is the
/// connection to the target `conn` names.
pub async fn normalize_desired(
    client: &Client,
    choice: &ShadowChoice,
    scope: ShadowScope,
    conn: &ConnParams,
    desired: &Model,
    live: &LiveModel,
    filter: &Filter,
) -> Result<NormalizedDesired, LiveError> {
    let mut notes = Vec::new();
    let selection = crate::timings::time("shadow: select", || {
        selection(choice, scope, &live.current, desired)
    });
    let build_in = async |shadow_db: &ShadowDb| {
        shadow::normalize(
            shadow_db,
            client,
            desired,
            selection.as_ref(),
            filter,
            live.server_version,
        )
        .await
    };
    match choose_shadow(client, choice, conn, desired, &mut notes).await? {
        Some(mut shadow_db) => {
            let mut res = build_in(&shadow_db).await;
            if shadow_db.is_kept() && matches!(res, Err(shadow::ShadowError::Busy { .. })) {
                // Another run builds in the kept shadow: this one takes a
                // throwaway database rather than wait.
                notes.push(format!(
                    "the shadow database {} is in use by another schemac run; this run used a throwaway one",
                    shadow_db.name()
                ));
                shadow_db = {
                    let _stage = crate::timings::stage("shadow: create database");
                    ShadowDb::create(client, conn).await?
                };
                res = build_in(&shadow_db).await;
            }
            // Dropped on success and on error alike.
            let dropped = {
                let _stage = crate::timings::stage("shadow: drop database");
                shadow_db.drop_now(client).await
            };
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
            // Date and time bounds as the target's session reads them.
            notes.extend(super::bounds::read_bounds_on_server(client, &mut model).await);
            let unproven = crate::model::normalize::unproven_expressions(&live.current, &mut model);
            Ok(NormalizedDesired {
                model,
                offline: true,
                notes,
                unproven,
            })
        }
    }
}

/// What the proportional shadow builds; `None` for the full shadow (or
/// none). Statements the frontend cannot model (DO blocks, extension
/// calls) are built as written and may read any object, so a schema with
/// them gets the full shadow. A Citus distribution (of tables or schemas)
/// does not: `shadow::select` builds a table with the tables it is
/// colocated with.
fn selection(
    choice: &ShadowChoice,
    scope: ShadowScope,
    current: &Model,
    desired: &Model,
) -> Option<shadow::Selection> {
    match (choice, scope) {
        (ShadowChoice::Offline, _) | (_, ShadowScope::Full) => None,
        _ if !desired.session.verbatim.is_empty() => None,
        _ => Some(shadow::select(current, desired)),
    }
}

/// The shadow database to use, if any; notes when there is none.
async fn choose_shadow(
    client: &Client,
    choice: &ShadowChoice,
    conn: &ConnParams,
    desired: &Model,
    notes: &mut Vec<String>,
) -> Result<Option<ShadowDb>, LiveError> {
    match choice {
        ShadowChoice::Offline => return Ok(None),
        ShadowChoice::Provided(shadow_conn) => {
            return Ok(Some(ShadowDb::provided(shadow_conn.as_ref().clone())))
        }
        ShadowChoice::OnServer => {}
    }
    if shadow::may_create_databases(client).await? {
        let _stage = crate::timings::stage("shadow: create database");
        if shadow::kept_eligible(desired) {
            if let Some(kept) = ShadowDb::kept(client, conn, notes).await? {
                return Ok(Some(kept));
            }
        }
        return Ok(Some(ShadowDb::create(client, conn).await?));
    }
    notes.push(
        "the role may not create databases, so there is no shadow database: expressions are \
         compared by the offline normaliser (pass --shadow-db URL of an empty database to \
         compare catalog to catalog)"
            .to_string(),
    );
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A schema that distributes tables (and schemas) gets the
    /// proportional shadow: only the changed table and what it is
    /// colocated with are built.
    #[test]
    fn citus_schemas_get_the_proportional_shadow() {
        let text = "schema tenant distributed\ntable tenant.t {\n  id  bigint\n}\n\
                    table a {\n  id  bigint  primary key\n  shard by hash (id) shards 4\n}\n\
                    table b {\n  a_id  bigint  not null\n  shard by hash (a_id) colocate with a\n}\n\
                    table c {\n  id  bigint\n}\n";
        let desired =
            crate::frontend::load(&crate::source::SourceSet::single("app.schema", text)).value;
        let mut current = desired.clone();
        let b = crate::model::QualifiedName::public("b");
        current
            .tables
            .get_mut(&b)
            .expect("b")
            .columns
            .push(crate::model::Column::new(
                crate::model::Ident::new("old"),
                crate::model::TypeName::new("text"),
            ));
        let picked = selection(
            &ShadowChoice::OnServer,
            ShadowScope::Changed,
            &current,
            &desired,
        )
        .expect("the proportional shadow");
        let built = picked.build_model(&desired);
        let mut names: Vec<String> = built.tables.keys().map(|t| t.to_string()).collect();
        names.sort();
        assert_eq!(names, ["public.a", "public.b"]);
        assert!(selection(
            &ShadowChoice::OnServer,
            ShadowScope::Full,
            &current,
            &desired
        )
        .is_none());
    }

    #[test]
    fn saved_plans_carry_the_fingerprint_and_a_timestamp() {
        let live = LivePlan {
            plan: Plan::default(),
            server_version: 15,
            current: Model::default(),
            fingerprint: Some("fp-123".to_string()),
            notes: Vec::new(),
            preflight: PreflightReport::default(),
        };
        let loaded = saved::from_json(&live.to_saved_json()).expect("round trip");
        assert_eq!(loaded.fingerprint, "fp-123");
        let created_at = loaded.created_at.expect("stamped");
        assert!(
            created_at.ends_with('Z') && created_at.len() == 20,
            "{created_at}"
        );
    }
}
