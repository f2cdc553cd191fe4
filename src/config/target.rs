//! Named targets of `schemac.toml` (`[targets.NAME]`): a fleet of
//! databases that `plan --target NAME` and `apply --target NAME` work on,
//! and how a rollout over them runs.
//!
//! ```toml
//! [targets.tenants]
//! databases = ["postgresql://app@db1/tenant_a", "postgresql://app@db2/tenant_b"]
//! # or: databases-file = "tenants.txt"   (one connection string per line, # comments)
//! # or: databases-query = "SELECT datname FROM pg_database WHERE datname LIKE 'tenant_%'"
//! #     query-db = "postgresql://app@db1/postgres"
//! canary = 1            # the first N databases are applied first, before any other
//! parallel = 4          # at most N databases at a time
//! wave-size = 20        # after the canary, N databases per wave [default: all the rest]
//! on-failure = "stop"   # or "continue": keep starting databases after one failed
//! citus = "if-installed" # overrides [plan] citus for these databases (a Citus
//!                        # coordinator beside plain databases)
//! ```
//!
//! Invariants: exactly one source of databases; the connection strings stay
//! sealed in [`ConnString`] (a target is printed only redacted); a file
//! path is relative to the config file's directory; every number is
//! checked here, naming the key.

use super::ConfigError;
use crate::live::ConnString;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One `[targets.NAME]` table as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TargetFileConfig {
    /// Connection strings (URLs or key=value strings).
    pub databases: Option<Vec<String>>,
    /// A file of connection strings, one per line.
    pub databases_file: Option<PathBuf>,
    /// A query returning one text column: connection strings, or names of
    /// databases on the server of `query-db`.
    pub databases_query: Option<String>,
    /// Where `databases-query` runs.
    pub query_db: Option<String>,
    pub canary: Option<usize>,
    pub parallel: Option<usize>,
    pub wave_size: Option<usize>,
    pub on_failure: Option<OnFailure>,
    /// Overrides `[plan] citus` for this target's databases.
    pub citus: Option<super::Citus>,
}

/// What a rollout does after a database failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnFailure {
    /// Start no other database (those already running finish).
    #[default]
    Stop,
    /// Keep starting the remaining databases; the canary still stops the
    /// rollout when it fails.
    Continue,
}

/// Where the databases of a target come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseSource {
    List(Vec<ConnString>),
    /// Resolved against the config file's directory.
    File(PathBuf),
    Query {
        db: ConnString,
        sql: String,
    },
}

/// How a rollout runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RolloutSettings {
    /// The first `canary` databases are applied first; any failure there
    /// stops the rollout.
    pub canary: usize,
    /// At most this many databases are planned or applied at once (>= 1).
    pub parallel: usize,
    /// After the canary, databases per wave; `None`: one wave.
    pub wave_size: Option<usize>,
    pub on_failure: OnFailure,
}

impl Default for RolloutSettings {
    fn default() -> RolloutSettings {
        RolloutSettings {
            canary: 1,
            parallel: 4,
            wave_size: None,
            on_failure: OnFailure::Stop,
        }
    }
}

/// A resolved target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub name: String,
    pub databases: DatabaseSource,
    pub rollout: RolloutSettings,
    /// `citus` of the target (see [`super::Citus`]), if set.
    pub citus: Option<super::Citus>,
}

/// Resolves `[targets.<name>]` of the file at `origin` (`base`: its
/// directory).
pub(super) fn resolve_target(
    targets: Option<&BTreeMap<String, TargetFileConfig>>,
    name: &str,
    base: &Path,
    origin: &str,
) -> Result<Target, ConfigError> {
    let Some(file) = targets.and_then(|targets| targets.get(name)) else {
        let known = targets
            .map(|targets| targets.keys().cloned().collect::<Vec<_>>().join(", "))
            .filter(|known| !known.is_empty())
            .unwrap_or_else(|| "none".to_string());
        return Err(ConfigError::UnknownTarget {
            name: name.to_string(),
            origin: origin.to_string(),
            known,
        });
    };
    let key = |key: &str| format!("{origin} [targets.{name}] {key}");
    let bad = |key_name: &str, message: &str| ConfigError::BadValue {
        origin: key(key_name),
        message: message.to_string(),
    };
    let databases = match (&file.databases, &file.databases_file, &file.databases_query) {
        (Some(list), None, None) => {
            if let Some(blank) = list.iter().position(|url| url.trim().is_empty()) {
                return Err(bad("databases", &format!("entry {} is empty", blank + 1)));
            }
            DatabaseSource::List(list.iter().map(ConnString::new).collect())
        }
        (None, Some(path), None) => DatabaseSource::File(base.join(path)),
        (None, None, Some(sql)) => {
            let db = file
                .query_db
                .as_deref()
                .filter(|db| !db.trim().is_empty())
                .ok_or_else(|| {
                    bad(
                        "query-db",
                        "databases-query needs query-db, the database the query runs on",
                    )
                })?;
            DatabaseSource::Query {
                db: ConnString::new(db),
                sql: sql.clone(),
            }
        }
        _ => {
            return Err(bad(
                "databases",
                "give exactly one of databases, databases-file and databases-query",
            ))
        }
    };
    if file.query_db.is_some() && file.databases_query.is_none() {
        return Err(bad(
            "query-db",
            "query-db is only used with databases-query",
        ));
    }
    let defaults = RolloutSettings::default();
    let parallel = file.parallel.unwrap_or(defaults.parallel);
    if parallel == 0 {
        return Err(bad("parallel", "must be at least 1"));
    }
    if file.wave_size == Some(0) {
        return Err(bad("wave-size", "must be at least 1"));
    }
    Ok(Target {
        name: name.to_string(),
        databases,
        rollout: RolloutSettings {
            canary: file.canary.unwrap_or(defaults.canary),
            parallel,
            wave_size: file.wave_size,
            on_failure: file.on_failure.unwrap_or_default(),
        },
        citus: file.citus,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(text: &str, name: &str) -> Result<Target, ConfigError> {
        let file = crate::config::parse_config(Path::new("schemac.toml"), text).expect("toml");
        resolve_target(
            file.targets.as_ref(),
            name,
            Path::new("proj"),
            "schemac.toml",
        )
    }

    #[test]
    fn a_list_with_defaults() {
        let target = resolve(
            "[targets.t]\ndatabases = [\"postgresql://u:pw@h/a\", \"dbname=b\"]\n",
            "t",
        )
        .expect("valid");
        assert_eq!(target.rollout, RolloutSettings::default());
        let DatabaseSource::List(list) = &target.databases else {
            panic!("expected a list, got {:?}", target.databases);
        };
        assert_eq!(list.len(), 2);
        assert!(!format!("{target:?}").contains("pw"));
    }

    #[test]
    fn a_file_is_relative_to_the_config_and_a_query_needs_its_database() {
        let target = resolve(
            "[targets.t]\ndatabases-file = \"dbs.txt\"\nparallel = 8\nwave-size = 3\non-failure = \"continue\"\ncanary = 0\n",
            "t",
        )
        .expect("valid");
        assert_eq!(
            target.databases,
            DatabaseSource::File(PathBuf::from("proj/dbs.txt"))
        );
        assert_eq!(
            target.rollout,
            RolloutSettings {
                canary: 0,
                parallel: 8,
                wave_size: Some(3),
                on_failure: OnFailure::Continue,
            }
        );
        let err =
            resolve("[targets.t]\ndatabases-query = \"SELECT 1\"\n", "t").expect_err("no query-db");
        assert!(err.to_string().contains("query-db"), "{err}");
    }

    #[test]
    fn mistakes_are_named() {
        let err = resolve("[targets.t]\ndatabases = [\"a\"]\n", "x").expect_err("unknown");
        assert_eq!(
            err.to_string(),
            "there is no target `x` in schemac.toml (targets: t)"
        );
        for (text, key) in [
            ("[targets.t]\n", "databases"),
            (
                "[targets.t]\ndatabases = [\"a\"]\ndatabases-file = \"f\"\n",
                "databases",
            ),
            ("[targets.t]\ndatabases = [\"\"]\n", "databases"),
            (
                "[targets.t]\ndatabases = [\"a\"]\nparallel = 0\n",
                "parallel",
            ),
            (
                "[targets.t]\ndatabases = [\"a\"]\nwave-size = 0\n",
                "wave-size",
            ),
            (
                "[targets.t]\ndatabases = [\"a\"]\nquery-db = \"b\"\n",
                "query-db",
            ),
        ] {
            let err = resolve(text, "t").expect_err(text);
            assert!(
                err.to_string().contains(&format!("[targets.t] {key}")),
                "{text}: {err}"
            );
        }
        assert!(crate::config::parse_config(
            Path::new("schemac.toml"),
            "[targets.t]\ndatabases = [\"a\"]\non-failure = \"halt\"\n"
        )
        .is_err());
    }
}
