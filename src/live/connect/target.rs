//! Where to connect: libpq's `host`, `hostaddr` and `port` lists turned
//! into the [`Endpoint`]s tried in order, and how each is named in
//! messages.
//!
//! As libpq (<https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-MULTIPLE-HOSTS>):
//! `host` and `hostaddr` are comma-separated lists of the same length
//! (either may be absent); `port` has one entry for all hosts or one per
//! host, an empty entry meaning 5432. A host beginning with `/` is a Unix
//! socket directory; an empty host (and no hostaddr) is the default
//! socket, looked for in the [`Env`]'s socket directories
//! (`/var/run/postgresql`, then `/tmp`): the first holding
//! `.s.PGSQL.<port>` is used. A hostaddr is connected to instead of
//! resolving the host name, which still serves TLS and the password file.
//!
//! Invariant: a target is named exactly as it is tried:
//! `user@host:port/dbname`, `user@[::1]:port/dbname`,
//! `user@/socket/dir:port/dbname`, with `(address A)` when a hostaddr is
//! used, and never with a password.

use super::env::Settings;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// One host to try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Endpoint {
    pub(super) host: HostKind,
    pub(super) hostaddr: Option<IpAddr>,
    pub(super) port: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum HostKind {
    /// A host name or IP address (empty with only a hostaddr).
    Tcp(String),
    /// A socket directory given as `host=/path`.
    Socket(PathBuf),
    /// No host: the first default socket directory that has the socket.
    DefaultSocket,
}

/// Where an endpoint leads once the default socket is looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Resolved {
    Tcp,
    /// A socket directory; `true` when it is one of the default ones.
    Socket(PathBuf, bool),
    /// No default directory has the socket: the socket files looked for.
    NoSocket(Vec<PathBuf>),
}

/// The endpoints of `settings`, in the order they are tried.
pub(super) fn endpoints(settings: &Settings) -> Result<Vec<Endpoint>, String> {
    let hosts: Vec<&str> = settings
        .get("host")
        .map_or(vec![], |h| h.split(',').collect());
    let addrs: Vec<&str> = settings
        .get("hostaddr")
        .map_or(vec![], |a| a.split(',').collect());
    if !hosts.is_empty() && !addrs.is_empty() && hosts.len() != addrs.len() {
        return Err(format!(
            "could not match {} host names to {} hostaddr values",
            hosts.len(),
            addrs.len()
        ));
    }
    let count = hosts.len().max(addrs.len()).max(1);
    let ports: Vec<&str> = settings
        .get("port")
        .map_or(vec![], |p| p.split(',').collect());
    if ports.len() > 1 && ports.len() != count {
        return Err(format!(
            "could not match {} port numbers to {} hosts",
            ports.len(),
            count
        ));
    }
    (0..count)
        .map(|idx| {
            let host = hosts.get(idx).copied().unwrap_or("").trim();
            let addr = addrs.get(idx).copied().unwrap_or("").trim();
            let port = match ports.get(idx).or(ports.first()).map(|port| port.trim()) {
                None | Some("") => 5432,
                Some(port) => port.parse().ok().filter(|port| *port > 0).ok_or_else(|| {
                    format!(
                        "{} holds `{port}`, which is not a port number (1 to 65535)",
                        settings.describe("port")
                    )
                })?,
            };
            let hostaddr = match addr {
                "" => None,
                addr => Some(addr.parse::<IpAddr>().map_err(|_| {
                    format!(
                        "{} holds `{addr}`, which is not a numeric IP address",
                        settings.describe("hostaddr")
                    )
                })?),
            };
            let host = if host.starts_with('/') {
                HostKind::Socket(PathBuf::from(host))
            } else if host.is_empty() && hostaddr.is_none() {
                HostKind::DefaultSocket
            } else {
                HostKind::Tcp(host.to_string())
            };
            Ok(Endpoint {
                host,
                hostaddr,
                port,
            })
        })
        .collect()
}

impl Endpoint {
    /// Looks for the default socket; other endpoints are as given.
    pub(super) fn resolve(&self, socket_dirs: &[PathBuf]) -> Resolved {
        if self.hostaddr.is_some() {
            return Resolved::Tcp;
        }
        match &self.host {
            HostKind::Tcp(_) => Resolved::Tcp,
            HostKind::Socket(dir) => {
                let default = socket_dirs.iter().any(|known| known == dir);
                Resolved::Socket(dir.clone(), default)
            }
            HostKind::DefaultSocket => {
                let tried: Vec<PathBuf> = socket_dirs
                    .iter()
                    .map(|dir| socket_file(dir, self.port))
                    .collect();
                match socket_dirs
                    .iter()
                    .zip(&tried)
                    .find(|(_, file)| file.exists())
                {
                    Some((dir, _)) => Resolved::Socket(dir.clone(), true),
                    None => Resolved::NoSocket(tried),
                }
            }
        }
    }

    /// The host the password file is matched against: the host name, else
    /// the hostaddr, else the socket directory.
    pub(super) fn passfile_host(&self, resolved: &Resolved) -> String {
        match (&self.host, &self.hostaddr, resolved) {
            (HostKind::Tcp(host), _, _) if !host.is_empty() => host.clone(),
            (_, Some(addr), _) => addr.to_string(),
            (_, _, Resolved::Socket(dir, _)) => dir.display().to_string(),
            _ => "localhost".to_string(),
        }
    }

    /// `host:port` of the server this endpoint reaches (with the address
    /// when both are given).
    pub(super) fn server(&self, resolved: &Resolved) -> String {
        let described = self.describe(resolved, "", "");
        described
            .strip_prefix('@')
            .unwrap_or(&described)
            .replacen('/', "", 1)
    }

    /// `user@host:port/dbname` as this endpoint is tried.
    pub(super) fn describe(&self, resolved: &Resolved, user: &str, dbname: &str) -> String {
        let port = self.port;
        let host = match (&self.host, resolved) {
            (_, Resolved::Socket(dir, _)) => dir.display().to_string(),
            (_, Resolved::NoSocket(_)) => "(unix socket)".to_string(),
            (HostKind::Tcp(host), Resolved::Tcp) if !host.is_empty() => bracketed(host),
            (_, Resolved::Tcp) => self
                .hostaddr
                .map(|addr| bracketed(&addr.to_string()))
                .unwrap_or_default(),
        };
        let via = match (&self.host, self.hostaddr) {
            (HostKind::Tcp(host), Some(addr)) if !host.is_empty() => {
                format!(" (address {addr})")
            }
            _ => String::new(),
        };
        format!("{user}@{host}:{port}/{dbname}{via}")
    }
}

/// The socket file of a server on `port` in `dir`.
pub(super) fn socket_file(dir: &Path, port: u16) -> PathBuf {
    dir.join(format!(".s.PGSQL.{port}"))
}

fn bracketed(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::connect::conninfo::parse_conninfo;
    use crate::live::connect::env::Env;
    use crate::live::connect::scratch::scratch_dir;

    fn endpoints_of(text: &str) -> Result<Vec<Endpoint>, String> {
        let settings = Settings::resolve(parse_conninfo(text)?, &Env::empty())?;
        endpoints(&settings)
    }

    fn described(text: &str, env: &Env) -> Vec<String> {
        endpoints_of(text)
            .expect("valid")
            .iter()
            .map(|endpoint| endpoint.describe(&endpoint.resolve(env.socket_dirs()), "u", "db"))
            .collect()
    }

    #[test]
    fn server_is_host_and_port_without_user_or_database() {
        let env = Env::empty();
        let servers: Vec<String> = endpoints_of("postgresql://u@h1:5433,h2/db")
            .expect("valid")
            .iter()
            .map(|endpoint| endpoint.server(&endpoint.resolve(env.socket_dirs())))
            .collect();
        assert_eq!(servers, ["h1:5433", "h2:5432"]);
    }

    #[test]
    fn host_port_and_hostaddr_lists_pair_up() {
        let env = Env::empty();
        assert_eq!(
            described("postgresql://h1:5433,h2,[::1]:6000/db", &env),
            ["u@h1:5433/db", "u@h2:5432/db", "u@[::1]:6000/db"]
        );
        assert_eq!(
            described("host=a,b port=7000", &env),
            ["u@a:7000/db", "u@b:7000/db"]
        );
        assert_eq!(
            described("host=name hostaddr=127.0.0.1", &env),
            ["u@name:5432/db (address 127.0.0.1)"]
        );
        assert_eq!(described("hostaddr=::1", &env), ["u@[::1]:5432/db"]);
        assert_eq!(
            described("host=/run/pg,db port=5433", &env),
            ["u@/run/pg:5433/db", "u@db:5433/db"]
        );
        for (text, expect) in [
            (
                "host=a,b port=1,2,3",
                "could not match 3 port numbers to 2 hosts",
            ),
            (
                "host=a,b hostaddr=127.0.0.1",
                "could not match 2 host names to 1 hostaddr",
            ),
            ("port=0", "port holds `0`, which is not a port number"),
            (
                "hostaddr=db.example",
                "hostaddr holds `db.example`, which is not a numeric",
            ),
        ] {
            let err = endpoints_of(text).expect_err(text);
            assert!(err.contains(expect), "{text}: {err}");
        }
    }

    #[test]
    fn the_default_socket_is_the_first_directory_that_has_it() {
        let first = scratch_dir();
        let second = scratch_dir();
        let env = Env::empty().with_socket_dirs(vec![first.to_path_buf(), second.to_path_buf()]);
        let text = "postgresql:///db";
        let [endpoint] = endpoints_of(text).expect("valid").try_into().expect("one");
        assert_eq!(endpoint.host, HostKind::DefaultSocket);
        assert_eq!(
            endpoint.resolve(env.socket_dirs()),
            Resolved::NoSocket(vec![
                first.join(".s.PGSQL.5432"),
                second.join(".s.PGSQL.5432")
            ])
        );
        assert_eq!(described(text, &env), ["u@(unix socket):5432/db"]);
        std::fs::write(second.join(".s.PGSQL.5432"), "").expect("fake socket");
        assert_eq!(
            endpoint.resolve(env.socket_dirs()),
            Resolved::Socket(second.to_path_buf(), true)
        );
        assert_eq!(
            described(text, &env),
            [format!("u@{}:5432/db", second.display())]
        );
        std::fs::write(first.join(".s.PGSQL.5432"), "").expect("fake socket");
        assert_eq!(
            endpoint.resolve(env.socket_dirs()),
            Resolved::Socket(first.to_path_buf(), true)
        );
        // Another port looks for another file.
        let [other] = endpoints_of("port=5499")
            .expect("valid")
            .try_into()
            .expect("one");
        assert!(matches!(
            other.resolve(env.socket_dirs()),
            Resolved::NoSocket(_)
        ));
        assert_eq!(
            endpoint.passfile_host(&endpoint.resolve(env.socket_dirs())),
            first.display().to_string()
        );
    }
}
