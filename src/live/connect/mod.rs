//! Connecting to PostgreSQL as libpq does: a connection string (URL or
//! `key=value`, [`conninfo`]) read in an environment ([`Env`]) with
//! libpq's precedence (the string, then `PGHOST`, `PGPORT`, `PGUSER`,
//! `PGDATABASE`, `PGPASSWORD`, ..., then the defaults: the
//! operating-system user, a database named after the user, port 5432 and
//! the local Unix socket), the password file ([`passfile`]), several hosts
//! tried in order ([`target`]), TLS as `sslmode` says ([`tls`]), and
//! errors a user can act on ([`ConnectError`]).
//!
//! Invariants:
//! - A password never leaves [`ConnString`] or [`ConnParams`] in printed
//!   form: `Display` and `Debug` redact it, errors name the target as
//!   `user@host:port/dbname`, and messages about the string quote neither
//!   the userinfo nor any value that could hold a password.
//! - A target is named as it was tried (the socket directory that was
//!   found, each host of a list), never a host or database that was not.
//! - The string is read once, by [`ConnParams::parse`] (the process
//!   environment) or [`ConnParams::parse_with`] (an injected one); the
//!   password file is read then too. The default socket directory is
//!   looked for when connecting (and when naming the target).
//! - Like libpq, a password file skipped for its permissions is reported:
//!   [`ConnParams::parse`] writes each such note once per process on
//!   stderr; [`ConnParams::parse_with`] leaves them in
//!   [`ConnParams::notes`].
//! - Hosts are tried in order until one connects; a server that answers
//!   with an error (wrong password, missing database) ends the attempts,
//!   as in libpq.

mod attempt;
mod conninfo;
mod env;
mod error;
mod options;
mod passfile;
mod redact;
#[cfg(test)]
mod scratch;
mod target;
mod tls;

pub use env::{Env, DEFAULT_SOCKET_DIRS};
pub use error::ConnectError;
pub use redact::{redact, ConnString};
pub use tls::{SslMode, Tls};

use env::Settings;
use passfile::PassFile;
use std::fmt;
use std::path::PathBuf;
use target::{Endpoint, Resolved};
use tls::TlsParams;
use tokio_postgres::{Client, Config};

/// The spawned connection task of [`connect`].
pub type ConnectionTask = tokio::task::JoinHandle<Result<(), tokio_postgres::Error>>;

/// A connection string read as libpq reads it: the hosts to try, the
/// settings they share, the password (given, or from the password file)
/// and the TLS parameters.
#[derive(Clone)]
pub struct ConnParams {
    endpoints: Vec<Endpoint>,
    /// Everything but host, port, password and `sslmode`.
    base: Config,
    user: String,
    dbname: String,
    /// From the string or `PGPASSWORD`.
    password: Option<String>,
    /// Consulted per host when no password is given.
    passfile: Option<std::sync::Arc<PassFile>>,
    tls: TlsParams,
    socket_dirs: Vec<PathBuf>,
    notes: Vec<String>,
}

impl fmt::Debug for ConnParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnParams")
            .field("target", &self.target())
            .field("sslmode", &self.tls.mode)
            .finish_non_exhaustive()
    }
}

impl ConnParams {
    /// Reads a URL or `key=value` string in the process environment, and
    /// writes the notes of [`ConnParams::notes`] on stderr (each once per
    /// process), as libpq does.
    pub fn parse(text: &str) -> Result<ConnParams, ConnectError> {
        let params = ConnParams::parse_with(text, &Env::process())?;
        print_notes_once(&params.notes);
        Ok(params)
    }

    /// Reads a URL or `key=value` string in `env`.
    pub fn parse_with(text: &str, env: &Env) -> Result<ConnParams, ConnectError> {
        let invalid = |message: String| ConnectError::InvalidConnString {
            message: redact(&message),
        };
        let pairs = conninfo::parse_conninfo(text).map_err(invalid)?;
        let settings = Settings::resolve(pairs, env).map_err(invalid)?;
        let endpoints = target::endpoints(&settings).map_err(invalid)?;
        let user = settings.user(env).map_err(invalid)?;
        let dbname = settings.get("dbname").unwrap_or(&user).to_string();
        let base = options::driver_config(&settings, &user, &dbname).map_err(invalid)?;
        let password = settings.get("password").map(str::to_string);
        let mut notes = Vec::new();
        let passfile = match (&password, passfile_path(&settings, env)) {
            (None, Some(path)) => PassFile::read(&path, &mut notes).map(std::sync::Arc::new),
            _ => None,
        };
        let tls = tls_params(&settings, env).map_err(invalid)?;
        Ok(ConnParams {
            endpoints,
            base,
            user,
            dbname,
            password,
            passfile,
            tls,
            socket_dirs: env.socket_dirs().to_vec(),
            notes,
        })
    }

    /// The driver's configuration for the first host (password inside:
    /// never print it).
    pub fn config(&self) -> Config {
        match self.endpoints.first() {
            Some(endpoint) => {
                let resolved = endpoint.resolve(&self.socket_dirs);
                self.endpoint_config(endpoint, &resolved)
            }
            None => self.base.clone(),
        }
    }

    /// Points the parameters at another database of the same server.
    pub fn set_dbname(&mut self, dbname: &str) {
        self.base.dbname(dbname);
        self.dbname = dbname.to_string();
    }

    /// The user connected as.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The database connected to.
    pub fn dbname(&self) -> &str {
        &self.dbname
    }

    /// `user@host:port/dbname` for each host, in the order they are tried,
    /// separated by `, `; never with the password.
    pub fn target(&self) -> String {
        self.endpoints
            .iter()
            .map(|endpoint| {
                endpoint.describe(
                    &endpoint.resolve(&self.socket_dirs),
                    &self.user,
                    &self.dbname,
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `host:port` of each host, in the order they are tried, separated
    /// by `, `: the server, without user or database (two databases with
    /// the same value are on one server).
    pub fn server(&self) -> String {
        self.endpoints
            .iter()
            .map(|endpoint| endpoint.server(&endpoint.resolve(&self.socket_dirs)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn ssl_mode(&self) -> SslMode {
        self.tls.mode
    }

    /// What libpq would warn about on stderr (a password file skipped for
    /// its permissions).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The TLS connector for these parameters' TCP hosts (none when
    /// `sslmode=disable` or every host is a Unix socket). Reads the
    /// certificate files (and the system store) each time.
    pub fn tls(&self) -> Result<Tls, ConnectError> {
        let any_tcp = self
            .endpoints
            .iter()
            .any(|endpoint| endpoint.resolve(&self.socket_dirs) == Resolved::Tcp);
        if self.tls.mode == SslMode::Disable || !any_tcp {
            return Ok(Tls::none());
        }
        Tls::for_params(&self.tls).map_err(|message| ConnectError::TlsSetup {
            target: self.target(),
            mode: self.tls.mode,
            message,
        })
    }
}

/// Connects with the string's settings (in the process environment) and
/// spawns the connection task.
pub async fn connect(url: &str) -> Result<(Client, ConnectionTask), ConnectError> {
    ConnParams::parse(url)?.connect().await
}

/// `passfile`, `PGPASSFILE`, else `~/.pgpass`.
fn passfile_path(settings: &Settings, env: &Env) -> Option<PathBuf> {
    match settings.get("passfile") {
        Some(path) => Some(PathBuf::from(path)),
        None => env.home().map(|home| home.join(".pgpass")),
    }
}

fn tls_params(settings: &Settings, env: &Env) -> Result<TlsParams, String> {
    let mode = match settings.get("sslmode") {
        Some(mode) => SslMode::parse(mode)?,
        None => SslMode::Prefer,
    };
    let tls = TlsParams {
        mode,
        root_cert: settings.get("sslrootcert").map(str::to_string),
        cert: settings.get("sslcert").map(str::to_string),
        key: settings.get("sslkey").map(str::to_string),
        home: env.home().cloned(),
    };
    match (&tls.cert, &tls.key) {
        (Some(_), None) => Err("sslcert is given without sslkey".to_string()),
        (None, Some(_)) => Err("sslkey is given without sslcert".to_string()),
        _ => Ok(tls),
    }
}

/// Writes each note on stderr, once per process (libpq warns on every
/// attempt; schemac parses the same string several times per command).
fn print_notes_once(notes: &[String]) {
    static PRINTED: std::sync::Mutex<std::collections::BTreeSet<String>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let Ok(mut printed) = PRINTED.lock() else {
        return;
    };
    for note in notes {
        if printed.insert(note.clone()) {
            eprintln!("{note}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scratch::scratch_dir;
    use tokio_postgres::config::SslMode as PgSslMode;

    fn parse(text: &str, env: &Env) -> ConnParams {
        ConnParams::parse_with(text, env).unwrap_or_else(|err| panic!("{text}: {err}"))
    }

    fn parse_err(text: &str) -> String {
        ConnParams::parse_with(text, &Env::empty().with_os_user("me"))
            .expect_err("invalid connection string")
            .to_string()
    }

    fn me() -> Env {
        Env::empty().with_os_user("me")
    }

    #[test]
    fn describes_targets_without_passwords() {
        let params = parse("postgresql://app:secret@db.example:6543/prod", &me());
        assert_eq!(params.target(), "app@db.example:6543/prod");
        assert_eq!(
            parse("host=localhost user=me password=x", &me()).target(),
            "me@localhost:5432/me"
        );
        let params = parse(
            "postgresql://app:secret@db:5433/prod?sslmode=verify-full",
            &me(),
        );
        assert_eq!(params.target(), "app@db:5433/prod");
        assert!(!format!("{params:?}").contains("secret"));
        let params = parse("postgresql://h1,h2:5433/db", &me());
        assert_eq!(params.target(), "me@h1:5432/db, me@h2:5433/db");
    }

    #[test]
    fn an_empty_string_takes_everything_from_the_environment() {
        let env = me()
            .with_var("PGHOST", "envhost")
            .with_var("PGPORT", "6543")
            .with_var("PGUSER", "envuser")
            .with_var("PGDATABASE", "envdb");
        assert_eq!(parse("", &env).target(), "envuser@envhost:6543/envdb");
        // Defaults: the operating-system user and a database named after it.
        let sockets = scratch_dir();
        let env = me().with_socket_dirs(vec![sockets.to_path_buf()]);
        assert_eq!(parse("", &env).target(), "me@(unix socket):5432/me");
        std::fs::write(sockets.join(".s.PGSQL.5432"), "").expect("fake socket");
        assert_eq!(
            parse("postgresql:///mydb", &env).target(),
            format!("me@{}:5432/mydb", sockets.display())
        );
    }

    #[test]
    fn the_string_wins_over_the_environment_which_wins_over_defaults() {
        let env = me()
            .with_var("PGHOST", "127.0.0.1")
            .with_var("PGUSER", "postgres");
        let params = parse("postgresql:///DB", &env);
        assert_eq!(params.target(), "postgres@127.0.0.1:5432/DB");
        let config = params.config();
        assert_eq!(config.get_user(), Some("postgres"));
        assert_eq!(config.get_dbname(), Some("DB"));
        // The case: host given, PGDATABASE set: libpq reads PGDATABASE.
        let env = me()
            .with_var("PGDATABASE", "envdb")
            .with_var("PGPORT", "6000");
        assert_eq!(
            parse("host=127.0.0.1", &env).target(),
            "me@127.0.0.1:6000/envdb"
        );
        assert_eq!(
            parse("host=127.0.0.1 port=5432 dbname=app", &env).target(),
            "me@127.0.0.1:5432/app"
        );
        // PGHOSTADDR supplies the address of the string's host.
        let env = me().with_var("PGHOSTADDR", "127.0.0.1");
        assert_eq!(
            parse("host=db.test", &env).target(),
            "me@db.test:5432/me (address 127.0.0.1)"
        );
        let env = me()
            .with_var("PGAPPNAME", "ci")
            .with_var("PGCONNECT_TIMEOUT", "7");
        let config = parse("host=h", &env).config();
        assert_eq!(config.get_application_name(), Some("ci"));
        assert_eq!(
            config.get_connect_timeout(),
            Some(&std::time::Duration::from_secs(7))
        );
    }

    #[test]
    fn passwords_come_from_the_string_then_pgpassword_then_the_file() {
        let home = scratch_dir();
        let pgpass = home.join(".pgpass");
        std::fs::write(
            &pgpass,
            "h:5432:db:u:from-file\nlocalhost:*:*:u:local\n*:*:other:*:other-db\n",
        )
        .expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600))
                .expect("chmod");
        }
        let env = me().with_home(home.to_path_buf());
        let password = |text: &str, env: &Env| {
            parse(text, env)
                .config()
                .get_password()
                .map(|pw| String::from_utf8_lossy(pw).into_owned())
        };
        assert_eq!(
            password("host=h user=u dbname=db", &env).as_deref(),
            Some("from-file")
        );
        assert_eq!(password("host=h user=u dbname=db port=5433", &env), None);
        let with_var = env.clone().with_var("PGPASSWORD", "from-env");
        assert_eq!(
            password("host=h user=u dbname=db", &with_var).as_deref(),
            Some("from-env")
        );
        assert_eq!(
            password("host=h user=u dbname=db password=given", &with_var).as_deref(),
            Some("given")
        );
        // `localhost` matches the default socket directory.
        let sockets = scratch_dir();
        std::fs::write(sockets.join(".s.PGSQL.5432"), "").expect("fake socket");
        let local = env.clone().with_socket_dirs(vec![sockets.to_path_buf()]);
        assert_eq!(
            password("user=u dbname=x", &local).as_deref(),
            Some("local")
        );
        // Another database is matched again.
        let mut params = parse("host=h user=u dbname=db", &env);
        params.set_dbname("other");
        assert_eq!(params.config().get_password(), Some(&b"other-db"[..]));
        // PGPASSFILE names another file; passfile= wins over it.
        let other = home.join("other.pgpass");
        std::fs::write(&other, "*:*:*:*:elsewhere\n").expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o600))
                .expect("chmod");
        }
        let env_file = env
            .clone()
            .with_var("PGPASSFILE", &other.display().to_string());
        assert_eq!(password("host=x", &env_file).as_deref(), Some("elsewhere"));
        let text = format!("host=h user=u dbname=db passfile='{}'", pgpass.display());
        assert_eq!(password(&text, &env_file).as_deref(), Some("from-file"));
    }

    #[cfg(unix)]
    #[test]
    fn a_password_file_others_can_read_is_ignored_with_a_note() {
        use std::os::unix::fs::PermissionsExt;
        let home = scratch_dir();
        let pgpass = home.join(".pgpass");
        std::fs::write(&pgpass, "*:*:*:*:hunter2\n").expect("write");
        std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let params = parse("host=h", &me().with_home(home.to_path_buf()));
        assert_eq!(params.config().get_password(), None);
        assert_eq!(params.notes().len(), 1);
        assert!(
            params.notes()[0].contains("has group or world access"),
            "{:?}",
            params.notes()
        );
    }

    #[test]
    fn sslmodes_map_to_the_driver_and_default_to_prefer() {
        for (text, mode, driver) in [
            ("host=h", SslMode::Prefer, PgSslMode::Prefer),
            (
                "host=h sslmode=disable",
                SslMode::Disable,
                PgSslMode::Disable,
            ),
            (
                "host=h sslmode=require",
                SslMode::Require,
                PgSslMode::Require,
            ),
            (
                "host=h sslmode=verify-ca",
                SslMode::VerifyCa,
                PgSslMode::Require,
            ),
            (
                "postgresql://h/db?sslmode=verify-full",
                SslMode::VerifyFull,
                PgSslMode::Require,
            ),
        ] {
            let params = parse(text, &me());
            assert_eq!(params.ssl_mode(), mode, "{text}");
            assert_eq!(params.config().get_ssl_mode(), driver, "{text}");
            assert_eq!(params.config().get_application_name(), Some("schemac"));
        }
        let params = parse("host=h application_name=mine", &me());
        assert_eq!(params.config().get_application_name(), Some("mine"));
        // libpq never uses TLS on Unix sockets.
        let params = parse("host=/var/run/postgresql sslmode=require", &me());
        assert_eq!(params.config().get_ssl_mode(), PgSslMode::Disable);
        assert!(format!("{:?}", params.tls().expect("no TLS")).contains("none"));
    }

    #[test]
    fn environment_fills_in_the_tls_parameters() {
        let env = me()
            .with_var("PGSSLMODE", "verify-full")
            .with_var("PGSSLROOTCERT", "/env/ca.pem");
        let params = parse("host=h", &env);
        assert_eq!(params.ssl_mode(), SslMode::VerifyFull);
        assert_eq!(
            params.tls.roots(),
            Some(tls::RootSource::File(PathBuf::from("/env/ca.pem")))
        );
        assert_eq!(
            parse("host=h sslmode=disable", &env).ssl_mode(),
            SslMode::Disable
        );
    }

    #[test]
    fn invalid_strings_say_what_is_wrong_without_secrets() {
        for (text, expect) in [
            (
                "postgresql://u:hunter2@h/db?sslmode=allow",
                "unsupported sslmode `allow`",
            ),
            (
                "host=h password=hunter2 sslcert=/c.pem",
                "sslcert is given without sslkey",
            ),
            (
                "host=h sslkey=/k.pem password='hunter2'",
                "sslkey is given without sslcert",
            ),
            (
                "host=h port=notaport password=hunter2",
                "port holds `notaport`, which is not a port number",
            ),
            ("postgresql://u:hunter2@[::1/db", "lacks its closing `]`"),
            ("postgresql://u:hunter2@h:99999/db", "not a port number"),
            (
                "postgresql://u:hun%zzter2@h/db",
                "the URL's password has a `%`",
            ),
        ] {
            let err = parse_err(text);
            assert!(
                err.starts_with("invalid connection string: "),
                "{text}: {err}"
            );
            assert!(err.contains(expect), "{text}: {err}");
            assert!(
                !err.contains("hunter2") && !err.contains("hun"),
                "{text}: {err}"
            );
        }
    }
}
