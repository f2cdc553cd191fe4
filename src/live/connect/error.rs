//! Connection failures: [`ConnectError`], and sorting a driver error into
//! the variant that says what the user must fix.
//!
//! Invariants: every variant names its target as resolved
//! (`user@host:port/dbname`, or `user@/socket/dir:port/dbname`), never a
//! host or database that was not tried, and no message carries a password
//! (server messages go through [`redact`] as well).

use super::redact::redact;
use super::tls::SslMode;
use rustls::CertificateError;
use tokio_postgres::error::SqlState;

/// A failure to connect, or to read the connection string.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConnectError {
    #[error("invalid connection string: {message}")]
    #[diagnostic(
        code("invalid-connection-string"),
        help("use a URL such as postgresql://user@host:5432/dbname, or key=value pairs such as `host=localhost dbname=app`")
    )]
    InvalidConnString { message: String },

    #[error("cannot reach PostgreSQL at {target}")]
    #[diagnostic(
        code("server-unreachable"),
        help("check that the server is running and accepts TCP connections on that host and port (locally: `pg_ctlcluster --skip-systemctl-redirect 15 main start`)")
    )]
    Unreachable {
        target: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("password authentication failed for {target}")]
    #[diagnostic(
        code("bad-credentials"),
        help("check the user and password in the connection string (or PGPASSWORD / ~/.pgpass)")
    )]
    BadCredentials {
        target: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("the server refused the connection to {target}: {message}")]
    #[diagnostic(
        code("not-authorized"),
        help("the role may not exist, or pg_hba.conf has no entry allowing this user, database and address")
    )]
    NotAuthorized {
        target: String,
        message: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("database does not exist: {target}")]
    #[diagnostic(
        code("missing-database"),
        help(
            "create it first (`createdb NAME`) or fix the database name in the connection string"
        )
    )]
    MissingDatabase {
        target: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("permission denied to connect to {target}: {message}")]
    #[diagnostic(
        code("insufficient-privilege"),
        help("grant the role CONNECT on the database (`GRANT CONNECT ON DATABASE name TO role`), or connect as a role that has it")
    )]
    InsufficientPrivilege {
        target: String,
        message: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("{target} does not accept TLS connections, but sslmode={mode} requires TLS")]
    #[diagnostic(
        code("tls-not-offered"),
        help("turn on `ssl` in the server's postgresql.conf, or connect with sslmode=prefer (TLS when offered) or sslmode=disable")
    )]
    TlsNotOffered {
        target: String,
        mode: SslMode,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("TLS certificate check failed for {target} (sslmode={mode}): {reason}")]
    #[diagnostic(code("tls-certificate"), help("{help}"))]
    Certificate {
        target: String,
        mode: SslMode,
        reason: String,
        help: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("TLS handshake with {target} failed (sslmode={mode}): {message}")]
    #[diagnostic(
        code("tls-handshake"),
        help("the server and schemac share no TLS version or cipher, or the server rejected the client certificate (sslcert/sslkey); sslmode=disable connects without TLS")
    )]
    TlsHandshake {
        target: String,
        mode: SslMode,
        message: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("cannot set up TLS (sslmode={mode}) for {target}: {message}")]
    #[diagnostic(
        code("tls-setup"),
        help("sslrootcert, sslcert and sslkey must name PEM files this user can read (sslrootcert=system uses the system's trusted roots)")
    )]
    TlsSetup {
        target: String,
        mode: SslMode,
        message: String,
    },

    #[error("cannot connect to {target}: {message}")]
    #[diagnostic(
        code("connection-failed"),
        help("the server is starting up, shutting down or out of connection slots; retry in a moment")
    )]
    Connect {
        target: String,
        message: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error("no PostgreSQL socket for {target}: tried {tried}")]
    #[diagnostic(
        code("server-unreachable"),
        help("start the server (locally: `pg_ctlcluster --skip-systemctl-redirect 15 main start`), or name the socket directory (host=/path) or a TCP host (host=127.0.0.1, or PGHOST)")
    )]
    NoSocket {
        /// `user@(unix socket):port/dbname`.
        target: String,
        /// The socket files looked for, in order.
        tried: String,
    },

    #[error("cannot connect to any of the {count} hosts tried: {summary}")]
    #[diagnostic(
        code("all-hosts-failed"),
        help("each host was tried in order (as libpq does); the failure of each is listed below")
    )]
    AllHostsFailed {
        count: usize,
        /// Each attempt's message, in order, separated by `; `.
        summary: String,
        #[related]
        attempts: Vec<ConnectError>,
    },
}

impl ConnectError {
    /// True when libpq would go on to the next host: the server could not
    /// be reached or spoke no usable TLS. A server that answered (wrong
    /// password, missing database) ends the attempts.
    pub(super) fn tries_next_host(&self) -> bool {
        match self {
            ConnectError::Unreachable { .. }
            | ConnectError::NoSocket { .. }
            | ConnectError::TlsNotOffered { .. }
            | ConnectError::Certificate { .. }
            | ConnectError::TlsHandshake { .. } => true,
            ConnectError::InvalidConnString { .. }
            | ConnectError::BadCredentials { .. }
            | ConnectError::NotAuthorized { .. }
            | ConnectError::MissingDatabase { .. }
            | ConnectError::InsufficientPrivilege { .. }
            | ConnectError::TlsSetup { .. }
            | ConnectError::Connect { .. }
            | ConnectError::AllHostsFailed { .. } => false,
        }
    }

    /// The one error of a single attempt, or [`ConnectError::AllHostsFailed`]
    /// listing each. `None` when nothing was tried.
    pub(super) fn from_attempts(mut attempts: Vec<ConnectError>) -> Option<ConnectError> {
        match attempts.len() {
            0 => None,
            1 => attempts.pop(),
            count => Some(ConnectError::AllHostsFailed {
                count,
                summary: attempts
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
                attempts,
            }),
        }
    }
}

/// What went wrong, decided from the error's SQLSTATE and source chain.
#[derive(Debug, Clone, PartialEq)]
enum Failure {
    BadCredentials,
    NotAuthorized,
    MissingDatabase,
    InsufficientPrivilege,
    TlsNotOffered,
    Certificate(CertificateError),
    TlsHandshake,
    Unreachable,
    Other,
}

fn classify(error: &tokio_postgres::Error) -> Failure {
    if let Some(code) = error.code() {
        return classify_code(code);
    }
    if let Some(rustls_error) = find_rustls_error(error) {
        return match rustls_error {
            rustls::Error::InvalidCertificate(cert) => Failure::Certificate(cert.clone()),
            _ => Failure::TlsHandshake,
        };
    }
    let text = error.to_string();
    if text.contains("server does not support TLS") {
        return Failure::TlsNotOffered;
    }
    if is_tls_handshake_error(error) {
        return Failure::TlsHandshake;
    }
    if is_io_error(error) {
        return Failure::Unreachable;
    }
    Failure::Other
}

fn classify_code(code: &SqlState) -> Failure {
    if *code == SqlState::INVALID_PASSWORD {
        Failure::BadCredentials
    } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
        Failure::NotAuthorized
    } else if *code == SqlState::INVALID_CATALOG_NAME {
        Failure::MissingDatabase
    } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
        Failure::InsufficientPrivilege
    } else {
        Failure::Other
    }
}

/// Sorts a connection failure into what the user must fix.
pub(super) fn connect_error(
    target: String,
    mode: SslMode,
    source: tokio_postgres::Error,
) -> ConnectError {
    let message = redact(&crate::introspect::error_message(&source));
    match classify(&source) {
        Failure::BadCredentials => ConnectError::BadCredentials { target, source },
        Failure::NotAuthorized => ConnectError::NotAuthorized {
            target,
            message,
            source,
        },
        Failure::MissingDatabase => ConnectError::MissingDatabase { target, source },
        Failure::InsufficientPrivilege => ConnectError::InsufficientPrivilege {
            target,
            message,
            source,
        },
        Failure::TlsNotOffered => ConnectError::TlsNotOffered {
            target,
            mode,
            source,
        },
        Failure::Certificate(cert) => {
            let (reason, help) = certificate_advice(&cert, mode);
            ConnectError::Certificate {
                target,
                mode,
                reason,
                help,
                source,
            }
        }
        Failure::TlsHandshake => ConnectError::TlsHandshake {
            target,
            mode,
            message,
            source,
        },
        Failure::Unreachable => ConnectError::Unreachable { target, source },
        Failure::Other => ConnectError::Connect {
            target,
            message,
            source,
        },
    }
}

/// Why a certificate was refused, and what to do about it.
fn certificate_advice(error: &CertificateError, mode: SslMode) -> (String, String) {
    let weaker = match mode {
        SslMode::VerifyFull => {
            "sslmode=verify-ca (no host name check) or sslmode=require (no check)"
        }
        _ => "sslmode=require without sslrootcert (encrypted, certificate not checked)",
    };
    match error {
        CertificateError::UnknownIssuer => (
            "the server's certificate is not signed by a trusted root".to_string(),
            format!(
                "pass sslrootcert=FILE naming the CA certificate (PEM) that signed the server's \
                 certificate (for a self-signed one, the certificate itself), or use {weaker}"
            ),
        ),
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => (
            format!("the certificate does not name this host ({error})"),
            "connect with a host name the certificate lists, or use sslmode=verify-ca to check \
             the chain but not the name"
                .to_string(),
        ),
        CertificateError::Expired
        | CertificateError::ExpiredContext { .. }
        | CertificateError::NotValidYet
        | CertificateError::NotValidYetContext { .. } => (
            format!("the certificate is outside its validity period ({error})"),
            format!(
                "renew the server's certificate (or check this machine's clock), or use {weaker}"
            ),
        ),
        other => (
            format!("the certificate was refused ({other})"),
            format!("fix the server's certificate or sslrootcert, or use {weaker}"),
        ),
    }
}

fn find_rustls_error(error: &tokio_postgres::Error) -> Option<&rustls::Error> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(inner) = current {
        if let Some(found) = inner.downcast_ref::<rustls::Error>() {
            return Some(found);
        }
        // tokio-rustls wraps rustls errors in io::Error, whose `source`
        // skips the wrapped error itself.
        if let Some(found) = inner
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|wrapped| wrapped.downcast_ref::<rustls::Error>())
        {
            return Some(found);
        }
        current = inner.source();
    }
    None
}

/// tokio-postgres reports every TLS failure as "error performing TLS
/// handshake"; it has no public error kind to test instead.
pub(super) fn is_tls_handshake_error(error: &tokio_postgres::Error) -> bool {
    error.code().is_none()
        && error
            .to_string()
            .starts_with("error performing TLS handshake")
}

fn is_io_error(error: &tokio_postgres::Error) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(inner) = current {
        if inner.is::<std::io::Error>() {
            return true;
        }
        current = inner.source();
    }
    // tokio-postgres reports "error connecting to server" with the io error
    // as its source; a timeout has no source but is just as unreachable.
    error.to_string().contains("timeout")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_postgres::Config;

    #[test]
    fn sqlstates_map_to_what_to_fix() {
        assert_eq!(
            classify_code(&SqlState::INVALID_PASSWORD),
            Failure::BadCredentials
        );
        assert_eq!(
            classify_code(&SqlState::INVALID_AUTHORIZATION_SPECIFICATION),
            Failure::NotAuthorized
        );
        assert_eq!(
            classify_code(&SqlState::INVALID_CATALOG_NAME),
            Failure::MissingDatabase
        );
        assert_eq!(
            classify_code(&SqlState::INSUFFICIENT_PRIVILEGE),
            Failure::InsufficientPrivilege
        );
        assert_eq!(
            classify_code(&SqlState::TOO_MANY_CONNECTIONS),
            Failure::Other
        );
    }

    /// A real driver error to stand in as the source of a variant.
    fn some_driver_error() -> tokio_postgres::Error {
        "port=notaport".parse::<Config>().expect_err("invalid port")
    }

    #[test]
    fn certificate_errors_say_how_to_fix_them() {
        let (reason, help) =
            certificate_advice(&CertificateError::UnknownIssuer, SslMode::VerifyFull);
        assert_eq!(
            reason,
            "the server's certificate is not signed by a trusted root"
        );
        assert!(help.contains("sslrootcert=FILE"), "{help}");
        assert!(help.contains("sslmode=verify-ca"), "{help}");
        let (reason, help) =
            certificate_advice(&CertificateError::NotValidForName, SslMode::VerifyFull);
        assert!(
            reason.starts_with("the certificate does not name this host"),
            "{reason}"
        );
        assert!(help.contains("sslmode=verify-ca"), "{help}");
        let (_, help) = certificate_advice(&CertificateError::Expired, SslMode::VerifyCa);
        assert!(
            help.contains("sslmode=require without sslrootcert"),
            "{help}"
        );

        let (reason, help) =
            certificate_advice(&CertificateError::UnknownIssuer, SslMode::VerifyFull);
        let err = ConnectError::Certificate {
            target: "app@db:5432/prod".into(),
            mode: SslMode::VerifyFull,
            reason,
            help,
            source: some_driver_error(),
        };
        assert_eq!(
            err.to_string(),
            "TLS certificate check failed for app@db:5432/prod (sslmode=verify-full): \
             the server's certificate is not signed by a trusted root"
        );
        let help = miette::Diagnostic::help(&err).map(|help| help.to_string());
        assert!(help.is_some_and(|help| help.contains("sslrootcert")));
    }

    #[test]
    fn auth_errors_name_the_target_only() {
        let err = ConnectError::BadCredentials {
            target: "app@db:5432/prod".into(),
            source: some_driver_error(),
        };
        assert_eq!(
            err.to_string(),
            "password authentication failed for app@db:5432/prod"
        );
        let err = ConnectError::InsufficientPrivilege {
            target: "app@db:5432/prod".into(),
            message: "permission denied for database \"prod\"".into(),
            source: some_driver_error(),
        };
        assert_eq!(
            err.to_string(),
            "permission denied to connect to app@db:5432/prod: permission denied for database \"prod\""
        );
        let err = ConnectError::TlsNotOffered {
            target: "app@db:5432/prod".into(),
            mode: SslMode::Require,
            source: some_driver_error(),
        };
        assert_eq!(
            err.to_string(),
            "app@db:5432/prod does not accept TLS connections, but sslmode=require requires TLS"
        );
    }

    #[test]
    fn several_failed_hosts_are_each_named() {
        let unreachable = |target: &str| ConnectError::Unreachable {
            target: target.into(),
            source: some_driver_error(),
        };
        let err = ConnectError::from_attempts(vec![
            unreachable("app@h1:5432/prod"),
            ConnectError::NoSocket {
                target: "app@(unix socket):5433/prod".into(),
                tried: "/tmp/.s.PGSQL.5433".into(),
            },
        ])
        .expect("two attempts");
        assert_eq!(
            err.to_string(),
            "cannot connect to any of the 2 hosts tried: cannot reach PostgreSQL at \
             app@h1:5432/prod; no PostgreSQL socket for app@(unix socket):5433/prod: tried \
             /tmp/.s.PGSQL.5433"
        );
        assert_eq!(
            miette::Diagnostic::related(&err).map(Iterator::count),
            Some(2)
        );
        let single = ConnectError::from_attempts(vec![unreachable("app@h1:5432/prod")]);
        assert!(matches!(single, Some(ConnectError::Unreachable { .. })));
        assert!(ConnectError::from_attempts(Vec::new()).is_none());
        assert!(unreachable("x").tries_next_host());
        let refused = ConnectError::BadCredentials {
            target: "x".into(),
            source: some_driver_error(),
        };
        assert!(!refused.tries_next_host());
    }
}
