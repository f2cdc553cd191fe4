//! The `[lsp]` table: what the language server (`schemac lsp`) plans
//! against to show, on hover, the plan steps that touch an object.
//!
//! ```toml
//! [lsp]
//! from = ["deployed/schema.sql"]           # a current schema in files, or
//! db = "postgresql://app@localhost/app"    # a database (read only)
//! ```
//!
//! Invariants: paths are relative to the config file's directory, as
//! `paths` are; the connection string is sealed in a [`Database`] like
//! `--db` (a password is better kept in `~/.pgpass` or `PGPASSWORD`).

use super::Database;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The `[lsp]` table as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LspFileConfig {
    /// Files and directories of the current schema.
    pub from: Option<Vec<PathBuf>>,
    /// The database whose plan hovers show.
    pub db: Option<String>,
}

/// The resolved `[lsp]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LspSettings {
    /// The current schema's files (empty: none).
    pub from: Vec<PathBuf>,
    /// The database to plan against (`Absent`: none).
    pub database: Database,
}

pub(super) fn lsp_settings(file: LspFileConfig, base: &Path) -> LspSettings {
    LspSettings {
        from: file
            .from
            .unwrap_or_default()
            .iter()
            .map(|path| base.join(path))
            .collect(),
        database: file
            .db
            .map_or(Database::Absent, |db| Database::resolve(Some(&db), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_file() {
        let file = LspFileConfig {
            from: Some(vec![PathBuf::from("prod.sql")]),
            db: Some("  ".into()),
        };
        let settings = lsp_settings(file, Path::new("/repo"));
        assert_eq!(settings.from, vec![PathBuf::from("/repo/prod.sql")]);
        assert_eq!(settings.database, Database::Blank);
    }
}
