//! The hazards a plan may contain: `--allow-hazards LIST|all`, else
//! `[plan] allow-hazards` in schemac.toml. The one place either is parsed.
//! The same list also names the error-level lint findings about the plan
//! that may pass ([`AllowedLint`]): a lint rule id in it (for example
//! `add-required-column`) lets `apply` run a plan with that finding and
//! keeps `plan` from exiting 1 on it.
//!
//! Invariants: an id that is neither a hazard nor a lint rule is an error
//! naming it and where it was written, with the list of known hazards;
//! `all` allows every hazard and every lint finding; the flag replaces the
//! file's list, it does not add to it.

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
            if crate::lint::registry::find(id).is_some() {
                // A lint rule id: read by [`AllowedLint`].
                continue;
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

/// Error-level lint findings about a plan (migration rules) that may pass:
/// the lint rule ids of `--allow-hazards` / `[plan] allow-hazards`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AllowedLint {
    All,
    #[default]
    None,
    Only(BTreeSet<String>),
}

impl AllowedLint {
    /// The rule ids among `ids` (`all` allows every rule). Hazard ids and
    /// unknown ids are left to [`AllowedHazards::parse`].
    pub fn parse<'a>(ids: impl IntoIterator<Item = &'a str>) -> AllowedLint {
        let mut res = BTreeSet::new();
        for id in ids {
            let id = id.trim();
            if id == "all" {
                return AllowedLint::All;
            }
            if let Some(rule) = crate::lint::registry::find(id) {
                res.insert(rule.id.to_string());
            }
        }
        if res.is_empty() {
            AllowedLint::None
        } else {
            AllowedLint::Only(res)
        }
    }

    pub fn allows(&self, rule: &str) -> bool {
        match self {
            AllowedLint::All => true,
            AllowedLint::None => false,
            AllowedLint::Only(rules) => rules.contains(rule),
        }
    }

    /// The flag when given, else the file's list (as [`AllowedHazards`]).
    pub(super) fn resolve(flag: Option<&str>, file: Option<&[String]>) -> AllowedLint {
        match (flag, file) {
            (Some(flag), _) => AllowedLint::parse(flag.split(',')),
            (None, Some(ids)) => AllowedLint::parse(ids.iter().map(String::as_str)),
            (None, None) => AllowedLint::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lint_rule_ids_sit_next_to_hazards() {
        let flag = "data-loss,add-required-column";
        let hazards = AllowedHazards::parse_flag(flag).expect("rule ids are accepted");
        assert_eq!(
            hazards,
            AllowedHazards::Only([Hazard::DataLoss].into_iter().collect())
        );
        let lint = AllowedLint::resolve(Some(flag), None);
        assert!(lint.allows("add-required-column"));
        assert!(!lint.allows("drop-table"));
        assert_eq!(
            AllowedLint::resolve(Some("data-loss"), None),
            AllowedLint::None
        );
        assert_eq!(AllowedLint::resolve(Some("all"), None), AllowedLint::All);
        let file = vec!["add-required-column".to_string()];
        assert!(AllowedLint::resolve(None, Some(&file)).allows("add-required-column"));
        assert!(AllowedHazards::parse_flag("add-required-colum").is_err());
    }

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
