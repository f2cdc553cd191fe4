//! Connecting to PostgreSQL: connection strings (URLs and `key=value`
//! pairs) and errors a user can act on.
//!
//! Invariants: a password never leaves [`ConnString`] in printed form
//! (its `Display` and `Debug` redact it, and error messages name the
//! target as `user@host:port/dbname`); every connection announces itself
//! as `application_name=schemac` unless the string sets another.

use super::IntrospectError;
use std::fmt;
use tokio_postgres::config::Host;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Config, NoTls};

/// A connection string. Holds the password; prints without it.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnString(String);

impl ConnString {
    pub fn new(text: impl Into<String>) -> ConnString {
        ConnString(text.into())
    }

    /// The full string, password included: only for handing to the driver.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// The string with its password replaced by `***`.
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }
}

impl fmt::Display for ConnString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for ConnString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConnString({:?})", self.redacted())
    }
}

/// Connects without TLS and spawns the connection task. The task's handle
/// yields the connection's final error, if any, once the client is dropped.
pub async fn connect(
    url: &str,
) -> Result<
    (
        Client,
        tokio::task::JoinHandle<Result<(), tokio_postgres::Error>>,
    ),
    IntrospectError,
> {
    let conn_string = ConnString::new(url);
    let mut config: Config =
        conn_string
            .expose_secret()
            .parse()
            .map_err(
                |error: tokio_postgres::Error| IntrospectError::InvalidConnString {
                    message: redact(&error.to_string()),
                },
            )?;
    if config.get_application_name().is_none() {
        config.application_name("schemac");
    }
    let target = describe_target(&config);
    let (client, connection) = config
        .connect(NoTls)
        .await
        .map_err(|source| connect_error(target, source))?;
    let handle = tokio::spawn(connection);
    Ok((client, handle))
}

/// `user@host:port/dbname`, never with the password.
pub fn describe_target(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => host.clone(),
        #[cfg(unix)]
        Some(Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("(default user)");
    let dbname = config.get_dbname().unwrap_or(user);
    format!("{user}@{host}:{port}/{dbname}")
}

/// Sorts a connection failure into what the user must fix.
fn connect_error(target: String, source: tokio_postgres::Error) -> IntrospectError {
    let code = source.code().cloned();
    let message = super::error_message(&source);
    match code {
        Some(code) if code == SqlState::INVALID_PASSWORD => {
            IntrospectError::BadCredentials { target, source }
        }
        Some(code) if code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
            IntrospectError::NotAuthorized {
                target,
                message,
                source,
            }
        }
        Some(code) if code == SqlState::INVALID_CATALOG_NAME => {
            IntrospectError::MissingDatabase { target, source }
        }
        Some(_) => IntrospectError::Connect {
            target,
            message,
            source,
        },
        None if is_io_error(&source) => IntrospectError::Unreachable { target, source },
        None => IntrospectError::Connect {
            target,
            message: redact(&message),
            source,
        },
    }
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

/// Replaces passwords in URLs (`user:secret@`), URL parameters
/// (`password=secret`) and key=value strings (`password=secret`,
/// `password='a b'`).
fn redact(text: &str) -> String {
    let mut res = redact_url_userinfo(text);
    res = redact_key_values(&res);
    res
}

fn redact_url_userinfo(text: &str) -> String {
    let Some(scheme_end) = text.find("://") else {
        return text.to_string();
    };
    let authority_start = scheme_end + 3;
    let rest = &text[authority_start..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return text.to_string();
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return text.to_string();
    };
    format!(
        "{}{}:***{}",
        &text[..authority_start],
        &userinfo[..colon],
        &text[authority_start + at..]
    )
}

fn redact_key_values(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut res = String::with_capacity(text.len());
    let mut idx = 0;
    while let Some(found) = lower[idx..].find("password") {
        let key_start = idx + found;
        let after_key = key_start + "password".len();
        let preceded_ok =
            key_start == 0 || matches!(text.as_bytes()[key_start - 1], b' ' | b'?' | b'&' | b'\t');
        let rest = &text[after_key..];
        let trimmed = rest.trim_start();
        if !preceded_ok || !trimmed.starts_with('=') {
            res.push_str(&text[idx..after_key]);
            idx = after_key;
            continue;
        }
        let value_start = after_key + (rest.len() - trimmed.len()) + 1;
        let value_rest = &text[value_start..];
        let value_trimmed = value_rest.trim_start();
        let value_begin = value_start + (value_rest.len() - value_trimmed.len());
        let value_end = if let Some(quoted) = value_trimmed.strip_prefix('\'') {
            let mut end = None;
            let mut escaped = false;
            for (offset, ch) in quoted.char_indices() {
                match ch {
                    '\\' if !escaped => escaped = true,
                    '\'' if !escaped => {
                        end = Some(value_begin + 1 + offset + 1);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            end.unwrap_or(text.len())
        } else {
            value_trimmed
                .find([' ', '&', '\t'])
                .map(|end| value_begin + end)
                .unwrap_or(text.len())
        };
        res.push_str(&text[idx..value_begin]);
        res.push_str("***");
        idx = value_end;
    }
    res.push_str(&text[idx..]);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_url_passwords() {
        let conn = ConnString::new("postgres://app:s3cr%40t@db.example:5433/prod?sslmode=disable");
        assert_eq!(
            conn.to_string(),
            "postgres://app:***@db.example:5433/prod?sslmode=disable"
        );
        assert!(!format!("{conn:?}").contains("s3cr"));
        assert_eq!(
            ConnString::new("postgresql://app@localhost/db").to_string(),
            "postgresql://app@localhost/db"
        );
        assert_eq!(
            ConnString::new("postgresql://localhost/db?user=a&password=hunter2&x=1").to_string(),
            "postgresql://localhost/db?user=a&password=***&x=1"
        );
    }

    #[test]
    fn redacts_key_value_passwords() {
        assert_eq!(
            ConnString::new("host=db user=app password=hunter2 dbname=prod").to_string(),
            "host=db user=app password=*** dbname=prod"
        );
        assert_eq!(
            ConnString::new("host=db password = 'a \\' b' dbname=prod").to_string(),
            "host=db password = *** dbname=prod"
        );
        assert_eq!(ConnString::new("password=x").to_string(), "password=***");
        // Only the key `password` is secret, not a database named so.
        assert_eq!(
            ConnString::new("dbname=mypassword host=h").to_string(),
            "dbname=mypassword host=h"
        );
    }

    #[test]
    fn describes_targets_without_passwords() {
        let config: Config = "postgresql://app:secret@db.example:6543/prod"
            .parse()
            .expect("valid url");
        assert_eq!(describe_target(&config), "app@db.example:6543/prod");
        let config: Config = "host=localhost user=me password=x".parse().expect("valid");
        assert_eq!(describe_target(&config), "me@localhost:5432/me");
    }

    #[tokio::test]
    async fn invalid_strings_are_reported_without_secrets() {
        let err = connect("host=h port=notaport password=hunter2")
            .await
            .expect_err("invalid port");
        assert!(
            matches!(err, IntrospectError::InvalidConnString { .. }),
            "{err:?}"
        );
        assert!(!err.to_string().contains("hunter2"));
    }

    #[tokio::test]
    async fn unreachable_servers_are_named() {
        // Port 1 on loopback: nothing listens there.
        let err = connect("postgresql://u:pw@127.0.0.1:1/db")
            .await
            .expect_err("nothing listens on port 1");
        assert!(
            matches!(err, IntrospectError::Unreachable { .. }),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "cannot reach PostgreSQL at u@127.0.0.1:1/db"
        );
    }
}
