//! Connecting: each host of [`ConnParams`] in order until one answers,
//! with its own driver configuration (address, port, password from the
//! string or the password file, `sslmode`), as libpq does
//! (<https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-MULTIPLE-HOSTS>).
//!
//! Invariants: a host that cannot be reached (or speaks no usable TLS)
//! passes to the next; a server that answers with an error ends the
//! attempts; the error names every host tried, and only those. Unix
//! sockets never use TLS. Under `sslmode=prefer` a failed TLS handshake is
//! retried without TLS.

use super::error::{connect_error, is_tls_handshake_error};
use super::passfile::Lookup;
use super::target::{Endpoint, HostKind, Resolved};
use super::{ConnParams, ConnectError, ConnectionTask, SslMode, Tls};
use tokio_postgres::config::SslMode as PgSslMode;
use tokio_postgres::{Client, Config};

impl ConnParams {
    /// Connects to the first host that answers and spawns the connection
    /// task. The task's handle yields the connection's final error, if
    /// any, once the client is dropped.
    pub async fn connect(&self) -> Result<(Client, ConnectionTask), ConnectError> {
        let mut attempts = Vec::new();
        for endpoint in &self.endpoints {
            match self.connect_endpoint(endpoint).await {
                Ok(connected) => return Ok(connected),
                Err(err) => {
                    let go_on = err.tries_next_host();
                    attempts.push(err);
                    if !go_on {
                        break;
                    }
                }
            }
        }
        Err(
            ConnectError::from_attempts(attempts).unwrap_or(ConnectError::InvalidConnString {
                message: "no host to connect to".to_string(),
            }),
        )
    }

    async fn connect_endpoint(
        &self,
        endpoint: &Endpoint,
    ) -> Result<(Client, ConnectionTask), ConnectError> {
        let resolved = endpoint.resolve(&self.socket_dirs);
        let target = endpoint.describe(&resolved, &self.user, &self.dbname);
        if let Resolved::NoSocket(tried) = &resolved {
            return Err(ConnectError::NoSocket {
                target,
                tried: tried
                    .iter()
                    .map(|path| path.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let config = self.endpoint_config(endpoint, &resolved);
        let tls = if config.get_ssl_mode() == PgSslMode::Disable {
            Tls::none()
        } else {
            Tls::for_params(&self.tls).map_err(|message| ConnectError::TlsSetup {
                target: target.clone(),
                mode: self.tls.mode,
                message,
            })?
        };
        let mode = self.tls.effective_mode();
        match tls.connect(&config).await {
            Ok(connected) => Ok(connected),
            // libpq's `prefer`: a failed handshake retries without TLS.
            Err(source)
                if config.get_ssl_mode() == PgSslMode::Prefer
                    && is_tls_handshake_error(&source) =>
            {
                let mut plain = config.clone();
                plain.ssl_mode(PgSslMode::Disable);
                Tls::none()
                    .connect(&plain)
                    .await
                    .map_err(|source| connect_error(target, mode, source))
            }
            Err(source) => Err(connect_error(target, mode, source)),
        }
    }

    /// The driver configuration of one host: its address, port, password
    /// and `sslmode` (never TLS on a Unix socket, as in libpq).
    pub(super) fn endpoint_config(&self, endpoint: &Endpoint, resolved: &Resolved) -> Config {
        let mut config = self.base.clone();
        config.port(endpoint.port);
        let ssl_mode = match resolved {
            Resolved::Tcp => {
                if let HostKind::Tcp(host) = &endpoint.host {
                    if !host.is_empty() {
                        config.host(host);
                    }
                }
                if let Some(addr) = endpoint.hostaddr {
                    config.hostaddr(addr);
                }
                match self.tls.mode {
                    SslMode::Disable => PgSslMode::Disable,
                    SslMode::Prefer => PgSslMode::Prefer,
                    SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                        PgSslMode::Require
                    }
                }
            }
            Resolved::Socket(dir, _) => {
                #[cfg(unix)]
                config.host_path(dir);
                #[cfg(not(unix))]
                config.host(dir.display().to_string());
                PgSslMode::Disable
            }
            Resolved::NoSocket(_) => PgSslMode::Disable,
        };
        config.ssl_mode(ssl_mode);
        if let Some(password) = self.password_for(endpoint, resolved) {
            config.password(password);
        }
        config
    }

    /// The given password, else the password file's for this host.
    fn password_for(&self, endpoint: &Endpoint, resolved: &Resolved) -> Option<&str> {
        if let Some(password) = &self.password {
            return Some(password);
        }
        let host = endpoint.passfile_host(resolved);
        self.passfile.as_ref()?.password(&Lookup {
            host: &host,
            default_socket: matches!(resolved, Resolved::Socket(_, true)),
            port: endpoint.port,
            dbname: &self.dbname,
            user: &self.user,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::scratch::scratch_dir;
    use super::super::Env;
    use super::*;

    /// A password with every character a URL parser trips on.
    const SECRET: &str = "p@ss:w/rd";

    fn parse(text: &str, env: &Env) -> ConnParams {
        ConnParams::parse_with(text, env).unwrap_or_else(|err| panic!("{text}: {err}"))
    }

    fn me() -> Env {
        Env::empty().with_os_user("me")
    }

    #[tokio::test]
    async fn tls_setup_errors_name_the_target_and_mode() {
        let missing = scratch_dir().join("missing.pem");
        let url = format!(
            "postgresql://u:{SECRET}@127.0.0.1:1/db?sslmode=verify-full&sslrootcert={}",
            missing.display()
        );
        let err = parse(&url, &me())
            .connect()
            .await
            .expect_err("no root file");
        assert!(matches!(err, ConnectError::TlsSetup { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.starts_with("cannot set up TLS (sslmode=verify-full) for u@127.0.0.1:1/db: cannot read sslrootcert"),
            "{text}"
        );
        assert!(!text.contains(SECRET) && !format!("{err:?}").contains(SECRET));
    }

    #[tokio::test]
    async fn unreachable_servers_are_named_without_passwords() {
        // Port 1 on loopback: nothing listens there.
        for url in [
            format!("postgresql://u:{SECRET}@127.0.0.1:1/db"),
            "postgresql://u:p%40ss%3Aw%2Frd@127.0.0.1:1/db".to_string(),
            format!("host=127.0.0.1 port=1 user=u password='{SECRET}' dbname=db sslmode=require"),
            format!("host=127.0.0.1 port=1 user=u password={SECRET} dbname=db sslmode=disable"),
            format!("postgresql://127.0.0.1:1/db?user=u&password={SECRET}"),
        ] {
            let err = parse(&url, &me())
                .connect()
                .await
                .expect_err("nothing listens");
            let ConnectError::Unreachable { target, .. } = &err else {
                panic!("{url}: expected Unreachable, got {err:?}");
            };
            assert_eq!(target, "u@127.0.0.1:1/db", "{url}");
            assert_eq!(
                err.to_string(),
                "cannot reach PostgreSQL at u@127.0.0.1:1/db"
            );
            let debug = format!("{err:?}");
            assert!(
                !debug.contains("p@ss") && !debug.contains("w/rd"),
                "{debug}"
            );
        }
    }

    #[tokio::test]
    async fn every_host_tried_is_named() {
        let sockets = scratch_dir();
        let env = me().with_socket_dirs(vec![sockets.to_path_buf()]);
        let params = parse(
            "host=127.0.0.1,,127.0.0.2 port=1,2,3 user=u dbname=db",
            &env,
        );
        let err = params.connect().await.expect_err("nothing listens");
        let ConnectError::AllHostsFailed {
            count, attempts, ..
        } = &err
        else {
            panic!("expected AllHostsFailed, got {err:?}");
        };
        assert_eq!(*count, 3);
        assert!(
            matches!(attempts[1], ConnectError::NoSocket { .. }),
            "{attempts:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "cannot connect to any of the 3 hosts tried: cannot reach PostgreSQL at \
                 u@127.0.0.1:1/db; no PostgreSQL socket for u@(unix socket):2/db: tried {}; \
                 cannot reach PostgreSQL at u@127.0.0.2:3/db",
                sockets.join(".s.PGSQL.2").display()
            )
        );
    }
}
