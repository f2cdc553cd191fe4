//! Settings: `schemac.toml` (in the current directory, or the file given
//! with `--config`), the environment (`NO_COLOR`, `DATABASE_URL`) and
//! command-line flags, resolved once into one [`Options`].
//!
//! Invariants: flags override the file; the file overrides built-in
//! defaults; every key in the file does something, and an unknown key is an
//! error naming it (a typo must never be silently ignored). Keys are
//! kebab-case. Paths in the file are relative to the file's directory.
//! This is the one place that reads the database flag and `DATABASE_URL`
//! ([`Database`]), parses `--allow-hazards` ([`AllowedHazards`]) and
//! merges the `[apply]` timeouts with their flags ([`ApplySettings`]);
//! commands read the result and never look at the environment again. The
//! connection string stays sealed in a [`crate::live::ConnString`]
//! until the command parses it, once.
//!
//! ```toml
//! paths = ["schema"]          # default PATHS of check, plan, fmt, graph
//!
//! [plan]
//! allow-hazards = ["index-build", "full-scan"]   # or ["all"]
//! citus = "auto"          # "auto", "on", "off" (shard distribution left out) or "if-installed"
//!
//! [apply]                               # flags of `schemac apply` override these
//! lock-timeout = "3s"                   # how long a step waits for a lock
//! statement-timeout = "30min"           # how long one statement may run
//! lock-attempts = 5                     # attempts per step on lock timeouts
//! wait-timeout = "10min"                # wait for another apply to finish
//!
//! [lint]
//! target-version = 15                   # PostgreSQL version of offline plans and lint
//!                                       # (a live server's own version wins)
//! large-table-bytes = 1073741824        # a table this large counts as large
//! large-table-rows = 1000000
//! app-role-owns-tables = false          # true: RLS must be FORCEd
//! tenant-columns = ["tenant_id", "account_id"]
//!
//! [lint.rules]                          # per rule: error, warning, info or off
//! json-type = "off"
//!
//! [lint.groups]                         # per group (see `schemac rules`)
//! naming = "info"
//!
//! [lsp]                                 # what `schemac lsp` hovers plan against
//! from = ["deployed.sql"]               # or: db = "postgresql://app@localhost/app"
//! [targets.tenants]                     # a fleet: `plan/apply --target tenants`
//! databases-file = "tenants.txt"        # see `target` for every key
//! ```

mod apply;
mod database;
mod hazards;
mod lsp;
mod target;

pub use apply::{parse_duration, ApplyFileConfig, ApplyOverrides, ApplySettings};
pub use database::Database;
pub use hazards::{AllowedHazards, AllowedLint};
pub use lsp::{LspFileConfig, LspSettings};
pub use target::{DatabaseSource, OnFailure, RolloutSettings, Target, TargetFileConfig};

use crate::diagnostics::Severity;
use crate::lint::{registry, Group, LintConfig};
use apply::apply_settings;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file looked for in the current directory.
pub const CONFIG_FILE: &str = "schemac.toml";

/// The file's contents as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// Files and directories of the desired schema.
    pub paths: Option<Vec<PathBuf>>,
    pub plan: Option<PlanConfig>,
    pub apply: Option<ApplyFileConfig>,
    pub lint: Option<LintFileConfig>,
    /// What `schemac lsp` plans against (see [`LspSettings`]).
    pub lsp: Option<LspFileConfig>,
    /// `[targets.NAME]`: fleets of databases.
    pub targets: Option<BTreeMap<String, TargetFileConfig>>,
}

/// The `[lint]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LintFileConfig {
    /// Rule id -> `error`, `warning`, `info` or `off`.
    pub rules: Option<BTreeMap<String, String>>,
    /// Group id -> `error`, `warning`, `info` or `off`.
    pub groups: Option<BTreeMap<String, String>>,
    pub target_version: Option<u32>,
    pub large_table_bytes: Option<i64>,
    pub large_table_rows: Option<i64>,
    pub app_role_owns_tables: Option<bool>,
    pub tenant_columns: Option<Vec<String>>,
}

/// The `[plan]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PlanConfig {
    /// Hazard ids a plan may contain, or `["all"]`.
    #[serde(alias = "allow_hazards")]
    pub allow_hazards: Option<Vec<String>>,
    /// Whether the target runs Citus (see [`Citus`]).
    pub citus: Option<Citus>,
}

/// Whether the target database runs Citus, for a schema that distributes
/// tables (`--citus`, `[plan] citus`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Citus {
    /// Plan the distribution; against a database without the `citus`
    /// extension that is refused before anything runs.
    #[default]
    Auto,
    /// Plan the distribution whatever the database has.
    On,
    /// The target has no Citus (development databases): shard distribution
    /// is left out of the plan on both sides, with one note.
    Off,
    /// Decided per database: `on` where the database has the `citus`
    /// extension, `off` where it has not (a fleet that mixes a Citus
    /// coordinator with plain databases). Planned from files, like `auto`.
    IfInstalled,
}

/// A config file read from disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedConfig {
    pub path: PathBuf,
    pub file: ConfigFile,
}

/// Values given on the command line; `None`/empty means "not given".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub paths: Vec<PathBuf>,
    pub allow_hazards: Option<String>,
    /// `--db` as given, by a command that talks to a database.
    pub db: Option<String>,
    /// `DATABASE_URL` stands in for a missing `--db` (`apply` and
    /// `inspect` always; `plan` when `--from` is not given).
    pub db_from_env: bool,
    /// The flags of `schemac apply` that override `[apply]`.
    pub apply: ApplyOverrides,
    /// `--citus`.
    pub citus: Option<Citus>,
    /// `--color`.
    pub color: Option<ColorMode>,
    /// `--all-findings`: text output shows every finding.
    pub all_findings: bool,
    /// `--target NAME`.
    pub target: Option<String>,
}

impl Environment {
    /// `NO_COLOR` and `CLICOLOR_FORCE` from the process environment.
    pub fn read_color() -> Environment {
        let value = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
        Environment {
            no_color: value("NO_COLOR").is_some(),
            clicolor_force: value("CLICOLOR_FORCE").is_some_and(|value| value != "0"),
            database_url: None,
        }
    }
}

/// When output is coloured (`--color`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorMode {
    /// On a terminal, unless `NO_COLOR` is set; also off a terminal when
    /// `CLICOLOR_FORCE` is set.
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorMode {
    /// The flag wins; then `NO_COLOR` (never), then `CLICOLOR_FORCE`
    /// (always), else auto.
    pub fn resolve(flag: Option<ColorMode>, env: &Environment) -> ColorMode {
        match flag {
            Some(mode) => mode,
            None if env.no_color => ColorMode::Never,
            None if env.clicolor_force => ColorMode::Always,
            None => ColorMode::Auto,
        }
    }

    /// Whether a stream that is (or is not) a terminal gets colour.
    pub fn colors(self, is_terminal: bool) -> bool {
        match self {
            ColorMode::Always => true,
            ColorMode::Never => false,
            ColorMode::Auto => is_terminal,
        }
    }
}

/// What the environment says, read once by [`Options::load`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    /// `NO_COLOR` is set to anything but the empty string.
    pub no_color: bool,
    /// `CLICOLOR_FORCE` is set to anything but the empty string or `0`.
    pub clicolor_force: bool,
    /// `DATABASE_URL`, read only when [`Overrides::db_from_env`] asks for
    /// it and `--db` is not given.
    pub database_url: Option<String>,
}

/// Everything the commands need to know, resolved once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The config file in effect, if any.
    pub config_path: Option<PathBuf>,
    /// The desired schema's files and directories.
    pub paths: Vec<PathBuf>,
    pub allow_hazards: AllowedHazards,
    /// Whether output is coloured (`--color`, `NO_COLOR`,
    /// `CLICOLOR_FORCE`).
    pub color: ColorMode,
    /// Error-level lint findings about the plan that may pass (the lint
    /// rule ids of the same list).
    pub allow_lint: AllowedLint,
    /// Text output shows every finding (`--all-findings`) instead of the
    /// first few of each rule and a count of the rest.
    pub all_findings: bool,
    /// Lint severities and thresholds.
    pub lint: LintConfig,
    /// `[lint] target-version` was set (else `lint.target_version` is the
    /// default).
    pub target_version_configured: bool,
    /// `[apply]` settings, with the flags of `schemac apply` applied.
    pub apply: ApplySettings,
    /// The database of `plan`, `apply` and `inspect`.
    pub database: Database,
    /// Whether the target runs Citus (`--citus`, else `[plan] citus`).
    pub citus: Citus,
    /// `[lsp]`: what the language server plans against.
    pub lsp: LspSettings,
    /// The fleet named by `--target` (`[targets.NAME]`).
    pub target: Option<Target>,
}

impl Options {
    /// Reads the config file (`explicit`, else `./schemac.toml` when it
    /// exists) and the environment, then applies the flags.
    pub fn load(explicit: Option<&Path>, overrides: Overrides) -> Result<Options, ConfigError> {
        let config = match explicit {
            Some(path) => Some(read_config(path)?),
            None => {
                let path = Path::new(CONFIG_FILE);
                if path.is_file() {
                    Some(read_config(path)?)
                } else {
                    None
                }
            }
        };
        let env = Environment {
            database_url: database::database_url_from_env(
                overrides.db.as_deref(),
                overrides.db_from_env,
            ),
            ..Environment::read_color()
        };
        Options::resolve(config, &env, overrides)
    }

    /// The pure part of [`Options::load`].
    pub fn resolve(
        config: Option<LoadedConfig>,
        env: &Environment,
        overrides: Overrides,
    ) -> Result<Options, ConfigError> {
        let (config_path, file) = match config {
            Some(loaded) => (Some(loaded.path), loaded.file),
            None => (None, ConfigFile::default()),
        };
        let base = config_path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let paths = if !overrides.paths.is_empty() {
            overrides.paths
        } else if let Some(paths) = file.paths.filter(|paths| !paths.is_empty()) {
            paths.iter().map(|path| base.join(path)).collect()
        } else {
            vec![PathBuf::from(".")]
        };
        let plan_file = file.plan.unwrap_or_default();
        let mut citus = overrides.citus.or(plan_file.citus).unwrap_or_default();
        let file_allowed = plan_file.allow_hazards;
        let allow_lint =
            AllowedLint::resolve(overrides.allow_hazards.as_deref(), file_allowed.as_deref());
        let allow_hazards = AllowedHazards::resolve(
            overrides.allow_hazards.as_deref(),
            file_allowed,
            &config_path_display(&config_path),
        )?;
        let apply = apply_settings(
            file.apply.unwrap_or_default(),
            overrides.apply,
            &format!("{} [apply]", config_path_display(&config_path)),
        )?;
        let database = if overrides.db_from_env {
            Database::resolve(overrides.db.as_deref(), env.database_url.as_deref())
        } else {
            Database::resolve(overrides.db.as_deref(), None)
        };
        let origin = format!("{} [lint]", config_path_display(&config_path));
        let lint_file = file.lint.unwrap_or_default();
        let target_version_configured = lint_file.target_version.is_some();
        let lint = lint_config(lint_file, &origin)?;
        let lsp = lsp::lsp_settings(file.lsp.unwrap_or_default(), &base);
        let target = match &overrides.target {
            Some(name) => Some(target::resolve_target(
                file.targets.as_ref(),
                name,
                &base,
                &config_path_display(&config_path),
            )?),
            None => None,
        };
        // A fleet's own setting wins over `[plan] citus`; the flag over both.
        if let Some(target_citus) = target.as_ref().and_then(|target| target.citus) {
            citus = overrides.citus.unwrap_or(target_citus);
        }
        Ok(Options {
            config_path,
            paths,
            allow_hazards,
            color: ColorMode::resolve(overrides.color, env),
            allow_lint,
            all_findings: overrides.all_findings,
            lint,
            target_version_configured,
            apply,
            database,
            citus,
            lsp,
            target,
        })
    }

    /// The lint configuration for a plan against a live server: the rules
    /// that depend on the PostgreSQL version judge the server's own
    /// version, whatever `target-version` the configuration names. The
    /// note says so when one is configured and differs.
    pub fn lint_for_server(&self, server_version: u32) -> (LintConfig, Option<String>) {
        let configured = &self.lint;
        let note = (self.target_version_configured && configured.target_version != server_version)
            .then(|| {
                format!(
                    "the server runs PostgreSQL {server_version}; lint rules judge version \
                     {server_version}, not the configured target-version {}",
                    configured.target_version
                )
            });
        let lint = LintConfig {
            target_version: server_version,
            ..configured.clone()
        };
        (lint, note)
    }
}

/// Resolves the `[lint]` table, naming unknown rules, groups and severities.
fn lint_config(file: LintFileConfig, origin: &str) -> Result<LintConfig, ConfigError> {
    let mut res = LintConfig::default();
    for (id, value) in file.rules.unwrap_or_default() {
        if registry::find(&id).is_none() {
            let suggestion = rule_suggestion(&id);
            return Err(ConfigError::UnknownRule {
                id,
                origin: origin.to_string(),
                suggestion,
            });
        }
        res.severities.insert(
            id.clone(),
            severity(&value, &format!("{origin} rules.{id}"))?,
        );
    }
    for (id, value) in file.groups.unwrap_or_default() {
        if Group::from_id(&id).is_none() {
            return Err(ConfigError::UnknownGroup {
                id,
                origin: origin.to_string(),
                known: Group::ALL
                    .iter()
                    .map(|g| g.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        res.groups.insert(
            id.clone(),
            severity(&value, &format!("{origin} groups.{id}"))?,
        );
    }
    if let Some(version) = file.target_version {
        res.target_version = version;
    }
    if let Some(bytes) = file.large_table_bytes {
        res.large_table_bytes = bytes;
    }
    if let Some(rows) = file.large_table_rows {
        res.large_table_rows = rows;
    }
    if let Some(owns) = file.app_role_owns_tables {
        res.app_role_owns_tables = owns;
    }
    if let Some(columns) = file.tenant_columns {
        res.tenant_columns = columns;
    }
    Ok(res)
}

/// Applies `--select` / `--ignore` (rule ids or group ids, as ruff's
/// flags): with a selection only the selected rules run (a selected rule
/// that is off runs at its default severity); ignored rules are off.
pub fn select_rules(
    lint: &mut LintConfig,
    select: &[String],
    ignore: &[String],
) -> Result<(), ConfigError> {
    for (flag, ids) in [("--select", select), ("--ignore", ignore)] {
        for id in ids {
            if registry::find(id).is_none() && Group::from_id(id).is_none() {
                return Err(ConfigError::UnknownRule {
                    id: id.clone(),
                    origin: flag.to_string(),
                    suggestion: rule_suggestion(id),
                });
            }
        }
    }
    let names = |ids: &[String], rule: &crate::lint::Rule| {
        ids.iter()
            .any(|id| id == rule.id || id == rule.group.as_str())
    };
    for rule in registry::RULES.iter().copied() {
        if !select.is_empty() {
            if !names(select, rule) {
                lint.severities.insert(rule.id.to_string(), None);
            } else if lint.severity_of(rule).is_none() {
                lint.severities
                    .insert(rule.id.to_string(), Some(rule.default_severity));
            }
        }
        if names(ignore, rule) {
            lint.severities.insert(rule.id.to_string(), None);
        }
    }
    Ok(())
}

/// "did you mean `rule`? " for a misspelt rule id (or group id), else "".
pub fn rule_suggestion(id: &str) -> String {
    let rules = registry::RULES.iter().map(|rule| rule.id);
    let groups = Group::ALL.iter().map(|group| group.as_str());
    crate::diagnostics::suggest::did_you_mean(id, rules.chain(groups))
        .map(|suggestion| format!("{suggestion} "))
        .unwrap_or_default()
}

/// `error`, `warning`, `info` or `off` (`None`).
fn severity(value: &str, origin: &str) -> Result<Option<Severity>, ConfigError> {
    match value {
        "error" => Ok(Some(Severity::Error)),
        "warning" => Ok(Some(Severity::Warning)),
        "info" => Ok(Some(Severity::Info)),
        "off" => Ok(None),
        _ => Err(ConfigError::UnknownSeverity {
            value: value.to_string(),
            origin: origin.to_string(),
        }),
    }
}

fn config_path_display(path: &Option<PathBuf>) -> String {
    path.as_ref().map_or_else(
        || CONFIG_FILE.to_string(),
        |path| path.display().to_string(),
    )
}

/// Reads and parses one config file.
pub fn read_config(path: &Path) -> Result<LoadedConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let file = parse_config(path, &text)?;
    Ok(LoadedConfig {
        path: path.to_path_buf(),
        file,
    })
}

/// Parses config text; `path` only names the file in errors.
pub fn parse_config(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
    toml::from_str(text).map_err(|err| {
        let span = err
            .span()
            .map(|range| miette::SourceSpan::from(range.start..range.end));
        ConfigError::Parse(Box::new(ConfigParseError {
            path: path.display().to_string(),
            message: err.message().to_string(),
            src: miette::NamedSource::new(path.display().to_string(), text.to_string()),
            span,
        }))
    })
}

/// A config file that is not valid TOML or has an unknown key or a value
/// of the wrong type; points at the place in the file.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("invalid {path}: {message}")]
#[diagnostic(
    code("config-invalid"),
    help("schemac.toml accepts `paths = [...]`, `[plan] allow-hazards = [...]` and `citus = ...` (auto, on, off, if-installed), an `[apply]` table (lock-timeout, statement-timeout, lock-attempts, wait-timeout), a `[lint]` table and `[targets.NAME]` tables (see the README and docs/apply.md)")
)]
pub struct ConfigParseError {
    pub path: String,
    pub message: String,
    #[source_code]
    pub src: miette::NamedSource<String>,
    #[label("here")]
    pub span: Option<miette::SourceSpan>,
}

/// Failures reading the configuration.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    #[diagnostic(
        code("config-read-error"),
        help("check that the file exists and is readable")
    )]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Parse(Box<ConfigParseError>),
    #[error("unknown hazard `{id}` in {origin}")]
    #[diagnostic(
        code("unknown-hazard"),
        help("known hazards: {known}; a lint rule id (`schemac rules`); or `all`")
    )]
    UnknownHazard {
        id: String,
        origin: String,
        known: String,
    },
    #[error("unknown lint rule `{id}` in {origin}")]
    #[diagnostic(
        code("unknown-rule"),
        help("{suggestion}run `schemac rules` for the list of rule ids")
    )]
    UnknownRule {
        id: String,
        origin: String,
        /// "did you mean `x`? " or empty.
        suggestion: String,
    },
    #[error("unknown lint group `{id}` in {origin}")]
    #[diagnostic(code("unknown-group"), help("known groups: {known}"))]
    UnknownGroup {
        id: String,
        origin: String,
        known: String,
    },
    #[error("unknown severity `{value}` in {origin}")]
    #[diagnostic(code("unknown-severity"), help("use error, warning, info or off"))]
    UnknownSeverity { value: String, origin: String },
    #[error("there is no target `{name}` in {origin} (targets: {known})")]
    #[diagnostic(
        code("unknown-target"),
        help("define it as a [targets.{name}] table in schemac.toml (see docs/fleet.md)")
    )]
    UnknownTarget {
        name: String,
        origin: String,
        known: String,
    },
    #[error("bad value for {origin}: {message}")]
    #[diagnostic(code("config-bad-value"))]
    BadValue { origin: String, message: String },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Hazard;
    use std::time::Duration;

    fn loaded(path: &str, text: &str) -> LoadedConfig {
        LoadedConfig {
            path: PathBuf::from(path),
            file: parse_config(Path::new(path), text).expect("valid config"),
        }
    }

    #[test]
    fn apply_settings_come_from_the_file() {
        let config = loaded(
            "schemac.toml",
            "[apply]\nlock-timeout = \"500ms\"\nstatement-timeout = \"2h\"\nlock-attempts = 9\n",
        );
        let options = Options::resolve(Some(config), &Environment::default(), Overrides::default())
            .expect("valid");
        assert_eq!(options.apply.lock_timeout, Duration::from_millis(500));
        assert_eq!(options.apply.statement_timeout, Duration::from_secs(7200));
        assert_eq!(options.apply.lock_attempts, 9);
        assert_eq!(options.apply.wait_timeout, Duration::from_secs(600));

        let bad = loaded("schemac.toml", "[apply]\nlock-timeout = \"3 parsecs\"\n");
        let err = Options::resolve(Some(bad), &Environment::default(), Overrides::default())
            .expect_err("bad unit");
        assert!(err.to_string().contains("[apply] lock-timeout"), "{err}");
        let zero = loaded("schemac.toml", "[apply]\nlock-attempts = 0\n");
        assert!(
            Options::resolve(Some(zero), &Environment::default(), Overrides::default()).is_err()
        );
    }

    #[test]
    fn defaults_without_a_file() {
        let options =
            Options::resolve(None, &Environment::default(), Overrides::default()).expect("valid");
        assert_eq!(options.paths, vec![PathBuf::from(".")]);
        assert_eq!(options.allow_hazards, AllowedHazards::default());
        assert!(!options.allow_hazards.allows(Hazard::DataLoss));
    }

    #[test]
    fn citus_comes_from_the_flag_then_the_file() {
        let resolve = |file: &str, flag: Option<Citus>| {
            Options::resolve(
                Some(loaded("schemac.toml", file)),
                &Environment::default(),
                Overrides {
                    citus: flag,
                    ..Overrides::default()
                },
            )
            .expect("valid")
            .citus
        };
        assert_eq!(resolve("", None), Citus::Auto);
        assert_eq!(resolve("[plan]\ncitus = \"off\"\n", None), Citus::Off);
        assert_eq!(
            resolve("[plan]\ncitus = \"off\"\n", Some(Citus::On)),
            Citus::On
        );
        assert!(parse_config(Path::new("schemac.toml"), "[plan]\ncitus = \"no\"\n").is_err());
    }

    #[test]
    fn a_target_citus_setting_overrides_the_file_and_the_flag_overrides_both() {
        let file = "[plan]\ncitus = \"off\"\n\
                    [targets.mixed]\ndatabases = [\"postgresql:///a\"]\ncitus = \"if-installed\"\n\
                    [targets.plain]\ndatabases = [\"postgresql:///b\"]\n";
        let resolve = |target: Option<&str>, flag: Option<Citus>| {
            Options::resolve(
                Some(loaded("schemac.toml", file)),
                &Environment::default(),
                Overrides {
                    citus: flag,
                    target: target.map(str::to_string),
                    ..Overrides::default()
                },
            )
            .expect("valid")
            .citus
        };
        assert_eq!(resolve(None, None), Citus::Off);
        assert_eq!(resolve(Some("plain"), None), Citus::Off);
        assert_eq!(resolve(Some("mixed"), None), Citus::IfInstalled);
        assert_eq!(resolve(Some("mixed"), Some(Citus::Auto)), Citus::Auto);
    }

    #[test]
    fn file_paths_are_relative_to_the_file() {
        let config = loaded(
            "proj/schemac.toml",
            "paths = [\"schema\"]\n[plan]\nallow-hazards = [\"index-build\"]\n",
        );
        let options = Options::resolve(
            Some(config),
            &Environment {
                no_color: true,
                ..Environment::default()
            },
            Overrides::default(),
        )
        .expect("valid");
        assert_eq!(options.paths, vec![PathBuf::from("proj/schema")]);
        assert!(options.allow_hazards.allows(Hazard::IndexBuild));
        assert!(!options.allow_hazards.allows(Hazard::DataLoss));
        assert_eq!(options.color, ColorMode::Never);
    }

    #[test]
    fn flags_override_the_file() {
        let config = loaded(
            "schemac.toml",
            "paths = [\"schema\"]\n[plan]\nallow_hazards = [\"index-build\"]\n",
        );
        let overrides = Overrides {
            paths: vec![PathBuf::from("other")],
            allow_hazards: Some("all".to_string()),
            apply: ApplyOverrides {
                lock_timeout: Some(Duration::from_millis(250)),
                ..ApplyOverrides::default()
            },
            ..Overrides::default()
        };
        let options =
            Options::resolve(Some(config), &Environment::default(), overrides).expect("valid");
        assert_eq!(options.paths, vec![PathBuf::from("other")]);
        assert_eq!(options.allow_hazards, AllowedHazards::All);
        assert_eq!(options.apply.lock_timeout, Duration::from_millis(250));
        assert_eq!(options.apply.lock_attempts, 5);
    }

    #[test]
    fn a_live_server_decides_the_lint_version() {
        let mut options =
            Options::resolve(None, &Environment::default(), Overrides::default()).expect("valid");
        let (lint, note) = options.lint_for_server(13);
        assert_eq!(lint.target_version, 13);
        assert_eq!(note, None);
        options.target_version_configured = true;
        options.lint.target_version = 16;
        let (lint, note) = options.lint_for_server(13);
        assert_eq!(lint.target_version, 13);
        let note = note.expect("a configured version that differs is noted");
        assert!(
            note.contains("not the configured target-version 16"),
            "{note}"
        );
        assert_eq!(options.lint_for_server(16).1, None);
    }

    #[test]
    fn unknown_keys_are_named() {
        let err = parse_config(Path::new("schemac.toml"), "pathz = []\n").expect_err("unknown key");
        let text = err.to_string();
        assert!(text.contains("pathz"), "{text}");
        let err = parse_config(Path::new("schemac.toml"), "[plan]\nallow = []\n")
            .expect_err("unknown key");
        assert!(err.to_string().contains("allow"), "{err}");
    }

    #[test]
    fn lint_settings_are_read_and_checked() {
        let config = loaded(
            "schemac.toml",
            "[lint]\ntarget-version = 13\napp-role-owns-tables = true\n[lint.rules]\njson-type = \"off\"\ndrop-table = \"error\"\n[lint.groups]\nnaming = \"info\"\n",
        );
        let options = Options::resolve(Some(config), &Environment::default(), Overrides::default())
            .expect("valid");
        assert_eq!(options.lint.target_version, 13);
        assert!(options.lint.app_role_owns_tables);
        let json = registry::find("json-type").expect("rule");
        assert_eq!(options.lint.severity_of(json), None);
        let drop = registry::find("drop-table").expect("rule");
        assert_eq!(options.lint.severity_of(drop), Some(Severity::Error));
        let naming = registry::find("mixed-case-identifier").expect("rule");
        assert_eq!(options.lint.severity_of(naming), Some(Severity::Info));

        let bad_rule = loaded("schemac.toml", "[lint.rules]\njson-typ = \"off\"\n");
        let err = Options::resolve(
            Some(bad_rule),
            &Environment::default(),
            Overrides::default(),
        )
        .expect_err("typo");
        assert_eq!(
            err.to_string(),
            "unknown lint rule `json-typ` in schemac.toml [lint]"
        );
        let bad_severity = loaded("schemac.toml", "[lint.rules]\njson-type = \"warn\"\n");
        let err = Options::resolve(
            Some(bad_severity),
            &Environment::default(),
            Overrides::default(),
        )
        .expect_err("typo");
        assert!(err.to_string().contains("unknown severity `warn`"), "{err}");
    }
}
