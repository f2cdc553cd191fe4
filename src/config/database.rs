//! The database of a live command (`plan`, `apply`, `inspect`): `--db`,
//! else `DATABASE_URL` where the command falls back to it, resolved once
//! by [`super::Options::load`].
//!
//! Invariants: `--db` wins even when blank (so that an unset shell
//! variable in `--db "$URL"` is reported, not silently replaced); a blank
//! `DATABASE_URL` counts as unset. The connection string stays sealed in a
//! [`ConnString`] (its `Debug` and `Display` redact the password) and is
//! parsed once, by the command that uses it.

use crate::live::ConnString;

/// `DATABASE_URL`, when it stands in for `--db`: `from_env` and no flag.
/// The one place schemac reads the variable.
pub(super) fn database_url_from_env(flag: Option<&str>, from_env: bool) -> Option<String> {
    if flag.is_none() && from_env {
        std::env::var("DATABASE_URL").ok()
    } else {
        None
    }
}

/// The database a live command talks to, resolved from `--db` and
/// `DATABASE_URL`. Each command decides what a missing one means (plan
/// starts offline, apply and inspect refuse).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Database {
    /// Neither `--db` nor a non-empty `DATABASE_URL` (where it applies).
    #[default]
    Absent,
    /// `--db` was given but is empty or white space (often an unset shell
    /// variable).
    Blank,
    /// The connection string, unparsed and sealed.
    Url(ConnString),
}

impl Database {
    /// `--db` wins, even when blank; otherwise a non-empty `DATABASE_URL`.
    pub fn resolve(flag: Option<&str>, env: Option<&str>) -> Database {
        match flag {
            Some(text) if text.trim().is_empty() => Database::Blank,
            Some(text) => Database::Url(ConnString::new(text)),
            None => match env {
                Some(text) if !text.trim().is_empty() => Database::Url(ConnString::new(text)),
                _ => Database::Absent,
            },
        }
    }

    /// [`Database::resolve`] with `DATABASE_URL` read from the environment
    /// when `from_env` and `--db` is not given, for a command that reads
    /// no configuration file (`inspect`).
    pub fn load(flag: Option<&str>, from_env: bool) -> Database {
        Database::resolve(flag, database_url_from_env(flag, from_env).as_deref())
    }

    /// The connection string, when there is one.
    pub fn url(&self) -> Option<&ConnString> {
        match self {
            Database::Url(url) => Some(url),
            Database::Absent | Database::Blank => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Environment, Options, Overrides};
    use super::*;

    fn database(flag: Option<&str>, from_env: bool, env: Option<&str>) -> Database {
        let env = Environment {
            database_url: env.map(str::to_string),
            ..Environment::default()
        };
        let overrides = Overrides {
            db: flag.map(str::to_string),
            db_from_env: from_env,
            ..Overrides::default()
        };
        Options::resolve(None, &env, overrides)
            .expect("valid")
            .database
    }

    #[test]
    fn the_database_comes_from_the_flag_then_the_environment() {
        let url = |text: &str| Database::Url(ConnString::new(text));
        assert_eq!(
            database(Some("postgres:///a"), true, Some("postgres:///b")),
            url("postgres:///a")
        );
        assert_eq!(
            database(None, true, Some("postgres:///b")),
            url("postgres:///b")
        );
        // `plan --from`: DATABASE_URL is not used.
        assert_eq!(
            database(None, false, Some("postgres:///b")),
            Database::Absent
        );
        // A blank flag is not replaced by the environment; a blank
        // environment counts as unset.
        assert_eq!(
            database(Some("  "), true, Some("postgres:///b")),
            Database::Blank
        );
        assert_eq!(database(None, true, Some(" ")), Database::Absent);
        assert_eq!(database(None, true, None), Database::Absent);
        assert_eq!(
            url("postgres:///a").url(),
            Some(&ConnString::new("postgres:///a"))
        );
        assert_eq!(Database::Blank.url(), None);
    }
}
