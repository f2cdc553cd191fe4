//! Helpers of `tests/live_convergence.rs`: seeding rows from a Model
//! ([`seed`]), recording and checking them ([`rows`]), and the `pg_dump`
//! oracle ([`dump`]); plus the `[convergence]` table of `case.toml`.

pub mod dump;
pub mod partition;
pub mod rows;
pub mod seed;
pub mod values;

use std::path::Path;

/// `[convergence]` in a fixture's `case.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConvergenceMeta {
    /// `pg_dump_differs = "reason"`: the migrated database's `pg_dump`
    /// legitimately differs from that of a database built from `to`. The
    /// test then requires a difference (so a stale exception is noticed)
    /// and still checks everything else.
    pub pg_dump_differs: Option<String>,
}

/// Reads `[convergence]` from `<case_dir>/case.toml` (absent: defaults).
pub fn read_meta(case_dir: &Path) -> Result<ConvergenceMeta, String> {
    let path = case_dir.join("case.toml");
    if !path.exists() {
        return Ok(ConvergenceMeta::default());
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    parse_meta(&text).map_err(|err| format!("{}: {err}", path.display()))
}

pub fn parse_meta(text: &str) -> Result<ConvergenceMeta, String> {
    let table: toml::Table = toml::from_str(text).map_err(|err| err.to_string())?;
    let mut meta = ConvergenceMeta::default();
    let Some(section) = table.get("convergence") else {
        return Ok(meta);
    };
    let section = section
        .as_table()
        .ok_or("`[convergence]` must be a table")?;
    for (key, value) in section {
        match key.as_str() {
            "pg_dump_differs" => {
                let reason = value
                    .as_str()
                    .filter(|reason| !reason.trim().is_empty())
                    .ok_or("`[convergence] pg_dump_differs` must be a non-empty reason")?;
                meta.pg_dump_differs = Some(reason.to_string());
            }
            other => {
                return Err(format!(
                    "unknown key `{other}` in [convergence] (known: pg_dump_differs)"
                ))
            }
        }
    }
    Ok(meta)
}
