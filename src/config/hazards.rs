//! The hazards a plan may contain: `--allow-hazards LIST|all`, else
//! `[plan] allow-hazards` in schemac.toml. The one place either is parsed.
//!
//! Invariants: an unknown id is an error naming it and where it was
//! written, with the list of known ids; `all` allows every hazard; the
//! flag replaces the file's list, it does not add to it.

use super::ConfigError;
use crate::plan::{Hazard, Plan};
use std::collections::BTreeSet;

/// The hazards a plan may contain without being refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedHazards {
    All,
    Only(BTreeSet<Hazard>),
}

impl Default for AllowedHazards {
    fn default() -> AllowedHazards {
        AllowedHazards::Only(BTreeSet::new())
    }
}

impl AllowedHazards {
    /// Parses ids (`all` allows every hazard); `origin` names where they
    /// were written, for the error message.
    pub fn parse<'a>(
        ids: impl IntoIterator<Item = &'a str>,
        origin: &str,
    ) -> Result<AllowedHazards, ConfigError> {
        let mut res = BTreeSet::new();
        for id in ids {
            let id = id.trim();
            if id.is_empty() {
                continue;
            }
            if id == "all" {
                return Ok(AllowedHazards::All);
            }
            let hazard = Hazard::from_id(id).ok_or_else(|| ConfigError::UnknownHazard {
                id: id.to_string(),
                origin: origin.to_string(),
                known: Hazard::ALL
                    .iter()
                    .map(|hazard| hazard.id())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
            res.insert(hazard);
        }
        Ok(AllowedHazards::Only(res))
    }

    /// Parses the flag's `LIST|all` form: comma-separated ids.
    pub fn parse_flag(value: &str) -> Result<AllowedHazards, ConfigError> {
        AllowedHazards::parse(value.split(','), "--allow-hazards")
    }

    pub fn allows(&self, hazard: Hazard) -> bool {
        match self {
            AllowedHazards::All => true,
            AllowedHazards::Only(allowed) => allowed.contains(&hazard),
        }
    }

    /// The plan's hazards that are not allowed, sorted.
    pub fn refused(&self, plan: &Plan) -> Vec<Hazard> {
        plan.hazards()
            .into_iter()
            .filter(|hazard| !self.allows(*hazard))
            .collect()
    }

    /// `--allow-hazards` when given, else `[plan] allow-hazards` of the
    /// file (`config_name` names it in errors), else none.
    pub(super) fn resolve(
        flag: Option<&str>,
        file: Option<Vec<String>>,
        config_name: &str,
    ) -> Result<AllowedHazards, ConfigError> {
        match (flag, file) {
            (Some(flag), _) => AllowedHazards::parse_flag(flag),
            (None, Some(ids)) => AllowedHazards::parse(
                ids.iter().map(String::as_str),
                &format!("{config_name} [plan] allow-hazards"),
            ),
            (None, None) => Ok(AllowedHazards::default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_hazards_are_named() {
        let err = AllowedHazards::parse_flag("index-build,data-los").expect_err("typo");
        assert_eq!(
            err.to_string(),
            "unknown hazard `data-los` in --allow-hazards"
        );
        assert_eq!(
            AllowedHazards::parse_flag("data-loss, full-scan").expect("valid"),
            AllowedHazards::Only([Hazard::DataLoss, Hazard::FullScan].into_iter().collect())
        );
    }

    #[test]
    fn refused_lists_hazards_not_allowed() {
        let plan = crate::render::sample::plan();
        let allowed = AllowedHazards::parse_flag("index-build").expect("valid");
        assert_eq!(allowed.refused(&plan), vec![Hazard::DataLoss]);
        assert!(AllowedHazards::All.refused(&plan).is_empty());
    }

    #[test]
    fn the_flag_replaces_the_file() {
        let file = Some(vec!["index-build".to_string()]);
        let flag =
            AllowedHazards::resolve(Some("data-loss"), file.clone(), "x.toml").expect("valid");
        assert!(flag.allows(Hazard::DataLoss) && !flag.allows(Hazard::IndexBuild));
        let from_file = AllowedHazards::resolve(None, file, "x.toml").expect("valid");
        assert!(from_file.allows(Hazard::IndexBuild));
        let err = AllowedHazards::resolve(None, Some(vec!["nope".to_string()]), "x.toml")
            .expect_err("unknown id");
        assert_eq!(
            err.to_string(),
            "unknown hazard `nope` in x.toml [plan] allow-hazards"
        );
        assert_eq!(
            AllowedHazards::resolve(None, None, "x.toml").expect("valid"),
            AllowedHazards::default()
        );
    }
}
