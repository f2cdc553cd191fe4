//! The environment a connection string is read in ([`Env`]), the
//! keywords schemac knows, and libpq's precedence
//! (<https://www.postgresql.org/docs/current/libpq-envars.html>): a value
//! given in the string wins, then the keyword's environment variable, then
//! the default ([`Settings`]).
//!
//! Defaults as libpq's: `user` is the operating-system user, `dbname` the
//! user, `port` 5432, no `host` (the local Unix socket).
//!
//! Invariants: the process environment is read only by [`Env::process`];
//! everything else takes an [`Env`], so tests inject one. An empty
//! environment variable counts as unset. A keyword schemac cannot honour
//! is an error, never silently ignored.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where the environment variables, the home directory, the
/// operating-system user and the socket directories come from. `Debug`
/// lists the variables' names only (`PGPASSWORD` may be among them).
#[derive(Clone, PartialEq, Eq)]
pub struct Env {
    vars: BTreeMap<String, String>,
    home: Option<PathBuf>,
    os_user: Option<String>,
    socket_dirs: Vec<PathBuf>,
}

/// Where libpq looks for the server's socket when no host is given: the
/// Debian/Ubuntu directory, then the upstream default.
pub const DEFAULT_SOCKET_DIRS: [&str; 2] = ["/var/run/postgresql", "/tmp"];

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env")
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .field("home", &self.home)
            .field("os_user", &self.os_user)
            .field("socket_dirs", &self.socket_dirs)
            .finish()
    }
}

impl Env {
    /// The process's environment variables, `$HOME`, the user running the
    /// process and [`DEFAULT_SOCKET_DIRS`].
    pub fn process() -> Env {
        let vars: BTreeMap<String, String> = std::env::vars().collect();
        let home = vars
            .get("HOME")
            .filter(|home| !home.is_empty())
            .map(PathBuf::from);
        Env {
            vars,
            home,
            os_user: whoami::username().ok().filter(|user| !user.is_empty()),
            socket_dirs: DEFAULT_SOCKET_DIRS.iter().map(PathBuf::from).collect(),
        }
    }

    /// No variables, no home directory, no operating-system user, and
    /// [`DEFAULT_SOCKET_DIRS`]: the start of an injected environment.
    pub fn empty() -> Env {
        Env {
            vars: BTreeMap::new(),
            home: None,
            os_user: None,
            socket_dirs: DEFAULT_SOCKET_DIRS.iter().map(PathBuf::from).collect(),
        }
    }

    /// Sets the environment variable `name`.
    pub fn with_var(mut self, name: &str, value: &str) -> Env {
        self.vars.insert(name.to_string(), value.to_string());
        self
    }

    /// Sets the home directory (for `~/.pgpass` and `~/.postgresql/`).
    pub fn with_home(mut self, home: impl Into<PathBuf>) -> Env {
        self.home = Some(home.into());
        self
    }

    /// Sets the operating-system user (the default `user`).
    pub fn with_os_user(mut self, user: &str) -> Env {
        self.os_user = Some(user.to_string());
        self
    }

    /// Sets the directories searched for the socket when no host is given.
    pub fn with_socket_dirs(mut self, dirs: Vec<PathBuf>) -> Env {
        self.socket_dirs = dirs;
        self
    }

    /// The variable `name`; empty counts as unset.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    pub fn home(&self) -> Option<&PathBuf> {
        self.home.as_ref()
    }

    pub fn os_user(&self) -> Option<&str> {
        self.os_user.as_deref()
    }

    pub fn socket_dirs(&self) -> &[PathBuf] {
        &self.socket_dirs
    }
}

/// The keywords schemac honours, with the environment variable that
/// supplies each when the string does not.
const KEYWORDS: &[(&str, Option<&str>)] = &[
    ("host", Some("PGHOST")),
    ("hostaddr", Some("PGHOSTADDR")),
    ("port", Some("PGPORT")),
    ("dbname", Some("PGDATABASE")),
    ("user", Some("PGUSER")),
    ("password", Some("PGPASSWORD")),
    ("passfile", Some("PGPASSFILE")),
    ("connect_timeout", Some("PGCONNECT_TIMEOUT")),
    ("options", Some("PGOPTIONS")),
    ("application_name", Some("PGAPPNAME")),
    ("fallback_application_name", None),
    // The driver always speaks UTF8, and schemac's output does not depend
    // on the wire encoding: `PGCLIENTENCODING` is not read.
    ("client_encoding", None),
    ("sslmode", Some("PGSSLMODE")),
    ("sslrootcert", Some("PGSSLROOTCERT")),
    ("sslcert", Some("PGSSLCERT")),
    ("sslkey", Some("PGSSLKEY")),
    ("sslnegotiation", Some("PGSSLNEGOTIATION")),
    ("gssencmode", Some("PGGSSENCMODE")),
    ("channel_binding", Some("PGCHANNELBINDING")),
    ("target_session_attrs", Some("PGTARGETSESSIONATTRS")),
    ("load_balance_hosts", Some("PGLOADBALANCEHOSTS")),
    ("keepalives", None),
    ("keepalives_idle", None),
    ("keepalives_interval", None),
    ("keepalives_count", None),
    // tokio-postgres's name for keepalives_count, accepted as before.
    ("keepalives_retries", None),
    ("tcp_user_timeout", None),
];

/// libpq keywords schemac does not honour: refused with a message rather
/// than silently dropped.
const UNSUPPORTED: &[&str] = &[
    "gssdelegation",
    "gsslib",
    "krbsrvname",
    "replication",
    "require_auth",
    "requirepeer",
    "requiressl",
    "service",
    "ssl_max_protocol_version",
    "ssl_min_protocol_version",
    "sslcertmode",
    "sslcompression",
    "sslcrl",
    "sslcrldir",
    "sslpassword",
    "sslsni",
];

/// True for a keyword libpq knows (honoured by schemac or not).
pub(super) fn is_keyword(key: &str) -> bool {
    KEYWORDS.iter().any(|(known, _)| *known == key) || UNSUPPORTED.contains(&key)
}

/// Each keyword's value after precedence, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Settings {
    values: BTreeMap<&'static str, (String, Source)>,
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    /// The connection string.
    String,
    /// The environment variable of that name.
    Env(&'static str),
}

impl Settings {
    /// Applies libpq's precedence to the string's `pairs`: a later pair
    /// overrides an earlier one; a keyword the string leaves out comes from
    /// its environment variable.
    pub(super) fn resolve(pairs: Vec<(String, String)>, env: &Env) -> Result<Settings, String> {
        let mut values = BTreeMap::new();
        for (key, value) in pairs {
            let Some((keyword, _)) = KEYWORDS.iter().find(|(known, _)| *known == key) else {
                return Err(if UNSUPPORTED.contains(&key.as_str()) {
                    format!("`{key}` is a libpq parameter schemac does not support")
                } else {
                    format!("unknown parameter {}", super::conninfo::quote_keyword(&key))
                });
            };
            values.insert(*keyword, (value, Source::String));
        }
        for (keyword, var) in KEYWORDS {
            if let (false, Some(var)) = (values.contains_key(keyword), var) {
                if let Some(value) = env.var(var) {
                    values.insert(*keyword, (value.to_string(), Source::Env(var)));
                }
            }
        }
        Ok(Settings { values })
    }

    /// The value of `keyword`, when set (an empty value counts as unset,
    /// as libpq's defaults apply to it).
    pub(super) fn get(&self, keyword: &str) -> Option<&str> {
        self.values
            .get(keyword)
            .map(|(value, _)| value.as_str())
            .filter(|value| !value.is_empty())
    }

    /// Where `keyword`'s value came from, when set.
    pub(super) fn source(&self, keyword: &str) -> Option<Source> {
        self.values.get(keyword).map(|(_, source)| *source)
    }

    /// The user: `user`, `PGUSER`, else the operating-system user.
    pub(super) fn user(&self, env: &Env) -> Result<String, String> {
        self.get("user")
            .or(env.os_user())
            .map(str::to_string)
            .ok_or_else(|| {
                "no user given and the operating-system user is unknown: set user= or PGUSER"
                    .to_string()
            })
    }

    /// A numeric setting, with the setting's name (and variable) in the
    /// error.
    pub(super) fn number<T: std::str::FromStr>(&self, keyword: &str) -> Result<Option<T>, String> {
        let Some(value) = self.get(keyword) else {
            return Ok(None);
        };
        value
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| format!("{} must be a number, not `{value}`", self.describe(keyword)))
    }

    /// `keyword`, or `keyword (from PGVAR)` when the environment set it.
    pub(super) fn describe(&self, keyword: &str) -> String {
        match self.source(keyword) {
            Some(Source::Env(var)) => format!("{keyword} (from {var})"),
            Some(Source::String) | None => keyword.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(text: &str, env: &Env) -> Settings {
        let pairs = super::super::conninfo::parse_conninfo(text).expect("valid");
        Settings::resolve(pairs, env).expect("known keywords")
    }

    #[test]
    fn the_string_wins_over_the_environment() {
        let env = Env::empty()
            .with_var("PGHOST", "envhost")
            .with_var("PGDATABASE", "envdb")
            .with_var("PGUSER", "envuser")
            .with_var("PGPORT", "6000")
            .with_var("PGAPPNAME", "")
            .with_os_user("osuser");
        let set = settings("host=127.0.0.1 user=me", &env);
        assert_eq!(set.get("host"), Some("127.0.0.1"));
        assert_eq!(set.source("host"), Some(Source::String));
        assert_eq!(set.get("dbname"), Some("envdb"));
        assert_eq!(set.source("dbname"), Some(Source::Env("PGDATABASE")));
        assert_eq!(set.user(&env).as_deref(), Ok("me"));
        assert_eq!(set.get("port"), Some("6000"));
        // Empty variables are unset.
        assert_eq!(set.get("application_name"), None);
        let set = settings("", &env);
        assert_eq!(set.user(&env).as_deref(), Ok("envuser"));
        let set = settings("", &Env::empty().with_os_user("osuser"));
        assert_eq!(
            set.user(&Env::empty().with_os_user("osuser")).as_deref(),
            Ok("osuser")
        );
        assert!(set.user(&Env::empty()).is_err());
        // A later pair wins.
        let set = settings("postgresql://h/db?dbname=other", &env);
        assert_eq!(set.get("dbname"), Some("other"));
    }

    #[test]
    fn unknown_and_unsupported_keywords_are_refused() {
        let pairs = vec![("sslcrl".to_string(), "/crl.pem".to_string())];
        let err = Settings::resolve(pairs, &Env::empty()).expect_err("unsupported");
        assert_eq!(
            err,
            "`sslcrl` is a libpq parameter schemac does not support"
        );
        let pairs = vec![("colour".to_string(), "blue".to_string())];
        let err = Settings::resolve(pairs, &Env::empty()).expect_err("unknown");
        assert_eq!(err, "unknown parameter `colour`");
    }

    #[test]
    fn numbers_name_their_source() {
        let env = Env::empty().with_var("PGCONNECT_TIMEOUT", "soon");
        let set = settings("port=5433", &env);
        assert_eq!(set.number::<u16>("port"), Ok(Some(5433)));
        assert_eq!(
            set.number::<u64>("connect_timeout"),
            Err("connect_timeout (from PGCONNECT_TIMEOUT) must be a number, not `soon`".into())
        );
        assert_eq!(set.number::<u64>("keepalives_idle"), Ok(None));
    }
}
