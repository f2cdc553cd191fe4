//! Live TLS and connection-error tests against the server named by
//! `SCHEMAC_TEST_DATABASE_URL` (default
//! `postgresql://postgres@127.0.0.1:5432/postgres`).
//!
//! What each `sslmode` does is read back from the server itself
//! (`pg_stat_ssl` for this backend), not from our own connector. The
//! server's configuration is never changed: when it has `ssl = off`, the
//! tests check that the TLS-only modes fail with a clear error instead.
//! Certificate checks that need a certificate of our own making (a chain
//! from a test CA, a name that matches) are unit tests in
//! `src/live/connect/`; here the server's own certificate serves as
//! the trust anchor when this process can read it (a local server).
//!
//! Every URL carries a password (the local server's trust authentication
//! ignores it): no error may show it.

mod common;

use common::TestDb;
use schemac::live::{connect, ConnParams, ConnectError};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio_postgres::Client;

const SECRET: &str = "hunter2-tls-secret";

/// `url` (URL or key=value form) with `params` appended.
fn with_params(url: &str, params: &[(&str, &str)]) -> String {
    let mut res = url.to_string();
    for (key, value) in params {
        if url.contains("://") {
            let sep = if res.contains('?') { '&' } else { '?' };
            res.push_str(&format!("{sep}{key}={value}"));
        } else {
            res.push_str(&format!(" {key}='{value}'"));
        }
    }
    res
}

/// `url` with a password for its user (and `user` instead, if given).
fn with_secret(url: &str, user: Option<&str>) -> String {
    match url.find("://") {
        Some(idx) => {
            let (scheme, rest) = url.split_at(idx + 3);
            let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
            let (authority, tail) = rest.split_at(authority_end);
            let (userinfo, host) = match authority.rfind('@') {
                Some(at) => (&authority[..at], &authority[at + 1..]),
                None => ("", authority),
            };
            let current = userinfo.split(':').next().unwrap_or("");
            let name = user.unwrap_or(if current.is_empty() {
                "postgres"
            } else {
                current
            });
            format!("{scheme}{name}:{SECRET}@{host}{tail}")
        }
        None => match user {
            Some(user) => format!("{url} user={user} password={SECRET}"),
            None => format!("{url} password={SECRET}"),
        },
    }
}

/// The server's `ssl` setting.
fn server_ssl(db: &TestDb) -> bool {
    let rows = db.query("SHOW ssl").expect("SHOW ssl");
    rows.first().map(String::as_str) == Some("on")
}

/// Whether this backend's session is encrypted, by the server's account.
async fn encrypted(client: &Client) -> bool {
    client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .expect("pg_stat_ssl")
        .get(0)
}

async fn connect_ok(url: &str) -> Client {
    match connect(url).await {
        Ok((client, _connection)) => client,
        Err(err) => panic!("connecting failed: {err}\n{err:?}"),
    }
}

/// Asserts the error (display, debug and help) never shows the password.
fn assert_sealed(err: &ConnectError) {
    let help = miette::Diagnostic::help(err)
        .map(|help| help.to_string())
        .unwrap_or_default();
    for text in [err.to_string(), format!("{err:?}"), help] {
        assert!(!text.contains(SECRET), "password shown: {text}");
    }
}

/// The server's certificate file, when this process can read it (the
/// server runs on this machine).
fn server_certificate(db: &TestDb) -> Option<PathBuf> {
    let url = TestDb::server_url();
    let local = url.contains("@127.0.0.1")
        || url.contains("@localhost")
        || url.contains("//127.0.0.1")
        || url.contains("//localhost")
        || url.contains("host=127.0.0.1")
        || url.contains("host=localhost");
    if !local {
        return None;
    }
    let file = db.query("SHOW ssl_cert_file").ok()?.first()?.clone();
    let dir = db.query("SHOW data_directory").ok()?.first()?.clone();
    let path = PathBuf::from(dir).join(file);
    std::fs::read(&path).ok().map(|_| path)
}

#[tokio::test]
async fn sslmodes_decide_encryption() {
    let db = TestDb::create();
    let url = with_secret(db.url(), None);
    let ssl = server_ssl(&db);

    let client = connect_ok(&with_params(&url, &[("sslmode", "disable")])).await;
    assert!(
        !encrypted(&client).await,
        "sslmode=disable must not encrypt"
    );
    let name: String = client
        .query_one("SELECT current_setting('application_name')", &[])
        .await
        .expect("application_name")
        .get(0);
    assert_eq!(name, "schemac");

    let client = connect_ok(&with_params(&url, &[("sslmode", "prefer")])).await;
    assert_eq!(
        encrypted(&client).await,
        ssl,
        "sslmode=prefer encrypts exactly when the server offers TLS"
    );

    let require = with_params(&url, &[("sslmode", "require")]);
    if ssl {
        let client = connect_ok(&require).await;
        assert!(encrypted(&client).await, "sslmode=require must encrypt");
    } else {
        let err = connect(&require).await.expect_err("server has ssl = off");
        assert!(matches!(err, ConnectError::TlsNotOffered { .. }), "{err:?}");
        assert_sealed(&err);
    }
}

#[tokio::test]
async fn verify_full_refuses_an_unknown_ca() {
    let db = TestDb::create();
    if !server_ssl(&db) {
        eprintln!("server has ssl = off: the sslmodes_decide_encryption test covers it");
        return;
    }
    // A CA the server's certificate surely does not chain to.
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "schemac live test CA");
    let key = rcgen::KeyPair::generate().expect("key");
    let ca = params.self_signed(&key).expect("ca");
    let dir = std::env::temp_dir().join(format!("schemac-live-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ca_file = dir.join("unknown-ca.pem");
    std::fs::write(&ca_file, ca.pem()).expect("write ca");

    for mode in ["verify-full", "verify-ca", "require"] {
        let url = with_params(
            &with_secret(db.url(), None),
            &[
                ("sslmode", mode),
                ("sslrootcert", &ca_file.display().to_string()),
            ],
        );
        let err = connect(&url).await.expect_err("unknown CA");
        assert_sealed(&err);
        let ConnectError::Certificate { reason, help, .. } = &err else {
            panic!("{mode}: expected a certificate error, got {err:?}");
        };
        assert_eq!(
            reason, "the server's certificate is not signed by a trusted root",
            "{mode}"
        );
        assert!(help.contains("sslrootcert=FILE"), "{mode}: {help}");
        let shown = if mode == "require" { "verify-ca" } else { mode };
        assert!(
            err.to_string()
                .starts_with("TLS certificate check failed for "),
            "{err}"
        );
        assert!(
            err.to_string().contains(&format!("(sslmode={shown})")),
            "{mode}: {err}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_servers_own_certificate_is_a_trust_anchor() {
    let db = TestDb::create();
    if !server_ssl(&db) {
        eprintln!("server has ssl = off: the sslmodes_decide_encryption test covers it");
        return;
    }
    let Some(cert) = server_certificate(&db) else {
        eprintln!("the server's certificate is not readable here (remote server?): skipped");
        return;
    };
    let cert = cert.display().to_string();
    let url = with_secret(db.url(), None);

    let client = connect_ok(&with_params(
        &url,
        &[("sslmode", "verify-ca"), ("sslrootcert", &cert)],
    ))
    .await;
    assert!(encrypted(&client).await);

    // verify-full checks the name: the same server under a name its
    // certificate does not list is refused, and says to use verify-ca.
    let dbname = db.name().to_string();
    let port = ConnParams::parse(&url)
        .expect("valid url")
        .config()
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432);
    let renamed = format!(
        "host=not-in-the-certificate.invalid hostaddr=127.0.0.1 port={port} user=postgres \
         password={SECRET} dbname={dbname} sslmode=verify-full sslrootcert='{cert}'"
    );
    let err = connect(&renamed).await.expect_err("wrong name");
    assert_sealed(&err);
    let ConnectError::Certificate { reason, help, .. } = &err else {
        panic!("expected a certificate error, got {err:?}");
    };
    assert!(
        reason.starts_with("the certificate does not name this host"),
        "{reason}"
    );
    assert!(help.contains("sslmode=verify-ca"), "{help}");
    // verify-ca does not check the name.
    let client = connect_ok(&renamed.replace("sslmode=verify-full", "sslmode=verify-ca")).await;
    assert!(encrypted(&client).await);
}

#[tokio::test]
async fn a_cancel_request_uses_the_connections_tls() {
    let db = TestDb::create();
    let mode = if server_ssl(&db) {
        "require"
    } else {
        "disable"
    };
    let params = ConnParams::parse(&with_params(
        &with_secret(db.url(), None),
        &[("sslmode", mode)],
    ))
    .expect("valid url");
    let (client, _connection) = params.connect().await.expect("connect");
    let tls = params.tls().expect("tls");
    let token = client.cancel_token();
    let started = Instant::now();
    let sleeping = client.batch_execute("SELECT pg_sleep(60)");
    let cancel = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        tls.cancel_query(&token).await
    };
    let (res, cancelled) = tokio::join!(sleeping, cancel);
    cancelled.expect("the cancel request reached the server");
    let err = res.expect_err("the query was cancelled");
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::QUERY_CANCELED),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test]
async fn connection_failures_say_what_to_fix() {
    let db = TestDb::create();
    let mode = if server_ssl(&db) { "require" } else { "prefer" };

    // A database that does not exist.
    let missing = common::with_database(db.url(), "schemac_tls_no_such_database");
    let err = connect(&with_params(
        &with_secret(&missing, None),
        &[("sslmode", mode)],
    ))
    .await
    .expect_err("missing database");
    assert_sealed(&err);
    assert!(
        matches!(err, ConnectError::MissingDatabase { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with("database does not exist: ")
            && err.to_string().ends_with("/schemac_tls_no_such_database"),
        "{err}"
    );

    // A port nothing listens on.
    let err = connect(&format!(
        "postgresql://postgres:{SECRET}@127.0.0.1:1/postgres?sslmode={mode}"
    ))
    .await
    .expect_err("nothing listens on port 1");
    assert_sealed(&err);
    assert!(matches!(err, ConnectError::Unreachable { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "cannot reach PostgreSQL at postgres@127.0.0.1:1/postgres"
    );

    // A role without CONNECT on the database.
    let role = format!("schemac_tls_noconnect_{}", std::process::id());
    let _role = RoleGuard::create(&db, &role);
    db.run_sql(&format!(
        "REVOKE CONNECT ON DATABASE \"{}\" FROM PUBLIC",
        db.name()
    ))
    .expect("revoke connect");
    let err = connect(&with_params(
        &with_secret(db.url(), Some(&role)),
        &[("sslmode", mode)],
    ))
    .await
    .expect_err("no CONNECT privilege");
    assert_sealed(&err);
    assert!(
        matches!(err, ConnectError::InsufficientPrivilege { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with(&format!("permission denied to connect to {role}@")),
        "{err}"
    );
    let help = miette::Diagnostic::help(&err).map(|help| help.to_string());
    assert!(
        help.is_some_and(|help| help.contains("GRANT CONNECT")),
        "{err:?}"
    );
}

/// A login role, dropped on `Drop`.
struct RoleGuard<'a> {
    db: &'a TestDb,
    name: String,
}

impl<'a> RoleGuard<'a> {
    fn create(db: &'a TestDb, name: &str) -> RoleGuard<'a> {
        db.run_sql(&format!(
            "DROP ROLE IF EXISTS \"{name}\"; CREATE ROLE \"{name}\" LOGIN"
        ))
        .expect("create role");
        RoleGuard {
            db,
            name: name.to_string(),
        }
    }
}

impl Drop for RoleGuard<'_> {
    fn drop(&mut self) {
        if let Err(err) = self
            .db
            .run_sql(&format!("DROP ROLE IF EXISTS \"{}\"", self.name))
        {
            eprintln!("warning: could not drop role {}: {err}", self.name);
        }
    }
}
