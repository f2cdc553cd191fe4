//! Citus on the target: a schema that distributes tables needs the `citus`
//! extension on the database it is applied to. [`settle`] decides, before
//! anything is normalised or planned, what the plan does with the shard
//! distribution under the `--citus` setting.
//!
//! Invariants: with `auto` a database without Citus is refused before
//! anything runs, naming the extension and the setting; with `off`
//! distribution is left out on both sides (the live database's own is
//! never undistributed), with one note; `if-installed` is `on` for a
//! database with the extension and `off` for one without; the `citus`
//! extension a database has is never planned as a drop; a session with
//! `citus.enable_schema_based_sharding` on is refused a plan that creates
//! a schema not declared `distributed` (Citus would distribute it).

use super::model::LiveModel;
use super::LiveError;
use crate::config::Citus;
use crate::model::{
    citus_off, distributed_schemas, distributed_tables, schema_list, table_list, Ident, Model,
};
use std::borrow::Cow;
use tokio_postgres::Client;

/// What [`settle`] decided: the desired schema to normalise and plan, and
/// a note for the user.
pub(crate) struct Settled<'a> {
    /// `desired` itself when nothing in it changes (no copy of a large
    /// schema is kept beside it).
    pub desired: Cow<'a, Model>,
    pub note: Option<String>,
}

/// Applies the `--citus` setting to the live Model (in place) and the
/// desired schema.
pub(crate) fn settle<'a>(
    mode: Citus,
    live: &mut LiveModel,
    desired: &'a Model,
) -> Result<Settled<'a>, LiveError> {
    let citus = Ident::new("citus");
    let has_citus = live.current.extensions.contains_key(&citus);
    let distributed = distributed_tables(desired);
    let schemas = distributed_schemas(desired);
    let mut desired = Cow::Borrowed(desired);
    // The desired schema is copied only when it has a distribution to
    // leave out.
    let leave_out = |current: &mut Model, desired: &mut Cow<'a, Model>| {
        if distributed.is_empty() && schemas.is_empty() {
            citus_off(current, &mut Model::default())
        } else {
            citus_off(current, desired.to_mut())
        }
    };
    let mut note = None;
    match mode {
        Citus::Off => note = leave_out(&mut live.current, &mut desired),
        Citus::IfInstalled if !has_citus => {
            note = leave_out(&mut live.current, &mut desired).map(|note| {
                note.replacen(
                    "--citus off",
                    "--citus if-installed (this database has no citus extension)",
                    1,
                )
            });
        }
        Citus::Auto if !has_citus && (!distributed.is_empty() || !schemas.is_empty()) => {
            let mut what = Vec::new();
            if !distributed.is_empty() {
                what.push(format!(
                    "{} table(s) ({})",
                    distributed.len(),
                    table_list(&distributed)
                ));
            }
            if !schemas.is_empty() {
                what.push(format!(
                    "{} schema(s) ({})",
                    schemas.len(),
                    schema_list(&schemas)
                ));
            }
            return Err(LiveError::CitusMissing {
                what: what.join(" and "),
            });
        }
        Citus::Auto | Citus::On | Citus::IfInstalled => {}
    }
    // The extension holds the database's shard metadata (and a schema
    // that does not mention it may still be applied to a Citus database):
    // never plan dropping it.
    if has_citus {
        if let Some(extension) = live.current.extensions.get(&citus) {
            if !desired.extensions.contains_key(&citus) {
                desired.to_mut().extensions.insert(citus, extension.clone());
            }
        }
    }
    Ok(Settled { desired, note })
}

/// Brings the live distribution to the desired spelling where both place
/// a table alike (see [`crate::model::align_distribution`]), with the
/// server's default shard count. Nothing to do without Citus.
///
/// Refuses a plan that creates schemas the schema does not declare
/// `distributed` while the session has `citus.enable_schema_based_sharding`
/// on: Citus would distribute them at `CREATE SCHEMA`, and the plan could
/// not converge.
pub(crate) async fn align(
    client: &Client,
    live: &mut LiveModel,
    desired: &Model,
) -> Result<(), LiveError> {
    if !live.current.extensions.contains_key(&Ident::new("citus")) {
        return Ok(());
    }
    let shard_count = crate::introspect::citus_default_shard_count(client).await;
    crate::model::align_distribution(&mut live.current, desired, shard_count);
    let new_plain: Vec<Ident> = desired
        .schemas
        .values()
        .filter(|schema| !schema.distributed && !live.current.schemas.contains_key(&schema.name))
        .map(|schema| schema.name.clone())
        .collect();
    if !new_plain.is_empty() && schema_sharding_on(client).await {
        return Err(LiveError::SchemaShardingOn {
            schemas: schema_list(&new_plain),
        });
    }
    Ok(())
}

/// `citus.enable_schema_based_sharding` of this session (off when Citus
/// does not know it).
async fn schema_sharding_on(client: &Client) -> bool {
    client
        .query_one(
            "SELECT coalesce(current_setting('citus.enable_schema_based_sharding', true), 'off') AS on_",
            &[],
        )
        .await
        .ok()
        .and_then(|row| row.try_get::<_, String>("on_").ok())
        .is_some_and(|value| value == "on")
}
