//! TLS as libpq's `sslmode` describes it
//! (<https://www.postgresql.org/docs/current/libpq-ssl.html>), with rustls
//! (ring provider):
//! - `disable`: no TLS.
//! - `prefer` (default): TLS when the server offers it, else plain; the
//!   certificate is not checked; a failed handshake retries without TLS.
//! - `require`: TLS or fail; the certificate is not checked, unless a root
//!   certificate file is given (`sslrootcert`, or `~/.postgresql/root.crt`
//!   exists), when it is checked as by `verify-ca`.
//! - `verify-ca`: TLS; the chain must lead to a trusted root, the host
//!   name is not checked.
//! - `verify-full`: `verify-ca`, and the certificate must name the host.
//!
//! Roots: `sslrootcert=FILE` (PEM), `sslrootcert=system` (the operating
//! system's store), or by default `~/.postgresql/root.crt` when it exists,
//! else the system store. A client certificate is sent when `sslcert` (and
//! `sslkey`) are given. As in libpq, TLS is never used on Unix sockets.
//!
//! Invariants: the handshake signature is always checked, whatever the
//! mode; a cancel request goes out with the TLS settings of its connection
//! ([`Tls::cancel_query`]); certificate files are read when a connector is
//! built, never at parse time.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, WebPkiServerVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_postgres::tls::NoTlsStream;
use tokio_postgres::{CancelToken, Client, Config, Connection, NoTls, Socket};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::ConnectionTask;

/// libpq's `sslmode` values, except `allow` (plain first, TLS as a
/// fallback), which tokio-postgres cannot do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SslMode {
    Disable,
    #[default]
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub(super) fn parse(value: &str) -> Result<SslMode, String> {
        match value {
            "disable" => Ok(SslMode::Disable),
            "prefer" => Ok(SslMode::Prefer),
            "require" => Ok(SslMode::Require),
            "verify-ca" => Ok(SslMode::VerifyCa),
            "verify-full" => Ok(SslMode::VerifyFull),
            other => Err(format!(
                "unsupported sslmode `{other}` (use disable, prefer, require, verify-ca or verify-full)"
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where trusted root certificates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RootSource {
    /// A PEM file (`sslrootcert=FILE`, or the default `~/.postgresql/root.crt`).
    File(PathBuf),
    /// The operating system's store (`sslrootcert=system`, or no file).
    System,
}

/// The TLS parameters of one connection string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct TlsParams {
    pub(super) mode: SslMode,
    /// `sslrootcert` as given (a path or `system`).
    pub(super) root_cert: Option<String>,
    /// `sslcert`: the client certificate chain (PEM).
    pub(super) cert: Option<String>,
    /// `sslkey`: the client certificate's private key (PEM).
    pub(super) key: Option<String>,
    /// `$HOME`, for libpq's default `~/.postgresql/root.crt`.
    pub(super) home: Option<PathBuf>,
}

impl TlsParams {
    /// The root file or store that verification uses. `None`: no
    /// verification (`prefer`, or `require` without a root file).
    pub(super) fn roots(&self) -> Option<RootSource> {
        let explicit = self.root_cert.as_deref().map(|root| match root {
            "system" => RootSource::System,
            path => RootSource::File(PathBuf::from(path)),
        });
        let default_file = || {
            self.home
                .as_ref()
                .map(|home| home.join(".postgresql").join("root.crt"))
                .filter(|path| path.is_file())
                .map(RootSource::File)
        };
        match self.mode {
            SslMode::Disable | SslMode::Prefer => None,
            SslMode::Require => explicit.or_else(default_file),
            SslMode::VerifyCa | SslMode::VerifyFull => {
                Some(explicit.or_else(default_file).unwrap_or(RootSource::System))
            }
        }
    }

    /// What is checked, for messages: `verify-ca` when `require` verifies.
    pub(super) fn effective_mode(&self) -> SslMode {
        match (self.mode, self.roots()) {
            (SslMode::Require, Some(_)) => SslMode::VerifyCa,
            (mode, _) => mode,
        }
    }
}

/// The TLS connector of one connection string: none (`sslmode=disable`, or
/// Unix sockets only) or rustls configured from its `sslmode`.
#[derive(Clone)]
pub struct Tls(Option<MakeRustlsConnect>);

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Tls(rustls)"
        } else {
            "Tls(none)"
        })
    }
}

impl Tls {
    /// No TLS: `sslmode=disable`, or a Unix socket.
    pub(super) fn none() -> Tls {
        Tls(None)
    }

    /// rustls configured for `tls`; `Err` says which file or store could
    /// not be read.
    pub(super) fn for_params(tls: &TlsParams) -> Result<Tls, String> {
        client_config(tls).map(|config| Tls(Some(MakeRustlsConnect::new(config))))
    }

    /// For a connection whose TLS settings are unknown: TLS whenever the
    /// connection used it, without checking the certificate (a cancel
    /// request carries only the backend's pid and cancel key).
    pub fn unverified() -> Tls {
        let tls = TlsParams {
            mode: SslMode::Require,
            ..TlsParams::default()
        };
        match client_config(&tls) {
            Ok(config) => Tls(Some(MakeRustlsConnect::new(config))),
            // Only certificate files can fail, and there are none here.
            Err(_) => Tls(None),
        }
    }

    /// Sends a cancel request for `token`'s connection, over TLS when the
    /// connection's `sslmode` asks for it.
    pub async fn cancel_query(&self, token: &CancelToken) -> Result<(), tokio_postgres::Error> {
        match &self.0 {
            Some(tls) => token.cancel_query(tls.clone()).await,
            None => token.cancel_query(NoTls).await,
        }
    }

    pub(super) async fn connect(
        &self,
        config: &Config,
    ) -> Result<(Client, ConnectionTask), tokio_postgres::Error> {
        match &self.0 {
            Some(tls) => {
                let (client, connection) = config.connect(tls.clone()).await?;
                Ok((client, tokio::spawn(connection)))
            }
            None => {
                let (client, connection): (Client, Connection<Socket, NoTlsStream>) =
                    config.connect(NoTls).await?;
                Ok((client, tokio::spawn(connection)))
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The rustls configuration
// ---------------------------------------------------------------------------

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The rustls client configuration for `tls`. `Err` says which file or
/// store could not be read.
pub(super) fn client_config(tls: &TlsParams) -> Result<ClientConfig, String> {
    let provider = provider();
    let verifier = server_verifier(tls, &provider)?;
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| format!("cannot configure TLS: {err}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    match (&tls.cert, &tls.key) {
        (Some(cert), Some(key)) => {
            let key = PathBuf::from(key);
            let chain = read_certificates(Path::new(cert), "sslcert")?;
            let key = PrivateKeyDer::from_pem_file(&key).map_err(|err| {
                format!("cannot read sslkey {}: {}", key.display(), pem_error(&err))
            })?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|err| format!("cannot use the client certificate {cert}: {err}"))
        }
        _ => Ok(builder.with_no_client_auth()),
    }
}

/// The certificate check `tls.mode` asks for (see the module doc).
fn server_verifier(
    tls: &TlsParams,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, String> {
    let algorithms = provider.signature_verification_algorithms;
    Ok(match (tls.mode, tls.roots()) {
        (SslMode::VerifyFull, Some(source)) => WebPkiServerVerifier::builder_with_provider(
            Arc::new(load_roots(&source)?),
            provider.clone(),
        )
        .build()
        .map_err(|err| format!("cannot use the root certificates: {err}"))?,
        (_, Some(source)) => Arc::new(LibpqVerifier {
            roots: Some(Arc::new(load_roots(&source)?)),
            algorithms,
        }),
        (_, None) => Arc::new(LibpqVerifier {
            roots: None,
            algorithms,
        }),
    })
}

fn load_roots(source: &RootSource) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    match source {
        RootSource::File(path) => {
            let certs = read_certificates(path, "sslrootcert")?;
            let (added, ignored) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(format!(
                    "sslrootcert {} holds no usable certificate ({ignored} could not be parsed)",
                    path.display()
                ));
            }
        }
        RootSource::System => {
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
            if roots.is_empty() {
                let errors: Vec<String> = found.errors.iter().map(ToString::to_string).collect();
                return Err(format!(
                    "no trusted root certificates in the system store{}; install the CA \
                     certificates (e.g. `apt-get install ca-certificates`) or pass sslrootcert=FILE",
                    if errors.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", errors.join("; "))
                    }
                ));
            }
        }
    }
    Ok(roots)
}

fn read_certificates(path: &Path, param: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|err| {
            format!(
                "cannot read {param} {}: {}",
                path.display(),
                pem_error(&err)
            )
        })?;
    if certs.is_empty() {
        return Err(format!(
            "{param} {} holds no PEM certificate",
            path.display()
        ));
    }
    Ok(certs)
}

fn pem_error(error: &rustls::pki_types::pem::Error) -> String {
    match error {
        rustls::pki_types::pem::Error::Io(err) => err.to_string(),
        rustls::pki_types::pem::Error::NoItemsFound => {
            "no PEM item of the expected kind".to_string()
        }
        other => format!("{other:?}"),
    }
}

/// Verification for `prefer`, `require` and `verify-ca`: the chain against
/// `roots` when given (never the host name), nothing otherwise. The
/// handshake signature is always checked, so the server holds the key of
/// the certificate it sent.
#[derive(Debug)]
struct LibpqVerifier {
    roots: Option<Arc<RootCertStore>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for LibpqVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Some(roots) = &self.roots {
            let cert = ParsedCertificate::try_from(end_entity)?;
            verify_server_cert_signed_by_trust_anchor(
                &cert,
                roots,
                intermediates,
                now,
                self.algorithms.all,
            )?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::connect::scratch::{scratch_dir, Scratch};
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    use rustls::CertificateError;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn roots_follow_libpq() {
        let home = scratch_dir();
        let tls = |mode, root_cert: Option<&str>, home: Option<&Path>| TlsParams {
            mode,
            root_cert: root_cert.map(str::to_string),
            home: home.map(Path::to_path_buf),
            ..TlsParams::default()
        };
        assert_eq!(tls(SslMode::Prefer, Some("/ca.pem"), None).roots(), None);
        assert_eq!(tls(SslMode::Require, None, Some(&home)).roots(), None);
        assert_eq!(
            tls(SslMode::Require, Some("/ca.pem"), None).effective_mode(),
            SslMode::VerifyCa
        );
        assert_eq!(
            tls(SslMode::VerifyFull, None, Some(&home)).roots(),
            Some(RootSource::System)
        );
        assert_eq!(
            tls(SslMode::VerifyCa, Some("system"), None).roots(),
            Some(RootSource::System)
        );
        // ~/.postgresql/root.crt, when it exists, is the default file.
        let default_file = home.join(".postgresql").join("root.crt");
        std::fs::create_dir_all(home.join(".postgresql")).expect("scratch dir");
        std::fs::write(&default_file, "").expect("scratch file");
        assert_eq!(
            tls(SslMode::Require, None, Some(&home)).roots(),
            Some(RootSource::File(default_file.clone()))
        );
        assert_eq!(
            tls(SslMode::VerifyFull, None, Some(&home)).roots(),
            Some(RootSource::File(default_file))
        );
    }

    // -- certificate checks, against certificates made here ---------------

    /// Gives each test CA a name of its own.
    static SCRATCH: AtomicUsize = AtomicUsize::new(0);

    struct Pki {
        ca_file: PathBuf,
        server: CertificateDer<'static>,
        dir: Scratch,
    }

    fn make_pki() -> Pki {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        // A name of its own: another test CA must not look like the issuer.
        let name = format!("schemac test CA {}", SCRATCH.fetch_add(1, Ordering::SeqCst));
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let ca =
            CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("key")).expect("ca");
        let server_params =
            CertificateParams::new(vec!["db.test".to_string(), "127.0.0.1".to_string()])
                .expect("server params");
        let server_key = KeyPair::generate().expect("key");
        let server = server_params
            .signed_by(&server_key, &ca)
            .expect("server cert");
        let dir = scratch_dir();
        let ca_file = dir.join("ca.pem");
        std::fs::write(&ca_file, ca.pem()).expect("write ca");
        std::fs::write(dir.join("server.pem"), server.pem()).expect("write cert");
        std::fs::write(dir.join("server.key"), server_key.serialize_pem()).expect("write key");
        Pki {
            ca_file,
            server: server.der().clone(),
            dir,
        }
    }

    fn check(
        mode: SslMode,
        root_cert: Option<&Path>,
        cert: &CertificateDer<'static>,
        host: &str,
    ) -> Result<(), rustls::Error> {
        let tls = TlsParams {
            mode,
            root_cert: root_cert.map(|path| path.display().to_string()),
            ..TlsParams::default()
        };
        let verifier = server_verifier(&tls, &provider()).expect("verifier");
        let name = ServerName::try_from(host.to_string()).expect("server name");
        verifier
            .verify_server_cert(cert, &[], &name, &[], UnixTime::now())
            .map(|_| ())
    }

    fn certificate_error(res: Result<(), rustls::Error>) -> CertificateError {
        match res {
            Err(rustls::Error::InvalidCertificate(error)) => error,
            other => panic!("expected a certificate error, got {other:?}"),
        }
    }

    #[test]
    fn verify_full_checks_chain_and_name() {
        let pki = make_pki();
        let ca = Some(pki.ca_file.as_path());
        check(SslMode::VerifyFull, ca, &pki.server, "db.test").expect("trusted, right name");
        check(SslMode::VerifyFull, ca, &pki.server, "127.0.0.1").expect("IP SAN");
        let err = certificate_error(check(SslMode::VerifyFull, ca, &pki.server, "other.test"));
        assert!(
            matches!(
                err,
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
            ),
            "{err:?}"
        );
        let other = make_pki();
        let err = certificate_error(check(
            SslMode::VerifyFull,
            Some(&other.ca_file),
            &pki.server,
            "db.test",
        ));
        assert_eq!(err, CertificateError::UnknownIssuer);
    }

    #[test]
    fn verify_ca_checks_the_chain_but_not_the_name() {
        let pki = make_pki();
        let ca = Some(pki.ca_file.as_path());
        check(SslMode::VerifyCa, ca, &pki.server, "other.test").expect("name not checked");
        let other = make_pki();
        let err = certificate_error(check(
            SslMode::VerifyCa,
            Some(&other.ca_file),
            &pki.server,
            "db.test",
        ));
        assert_eq!(err, CertificateError::UnknownIssuer);
        // require with a root file verifies like verify-ca.
        let err = certificate_error(check(
            SslMode::Require,
            Some(&other.ca_file),
            &pki.server,
            "db.test",
        ));
        assert_eq!(err, CertificateError::UnknownIssuer);
        check(SslMode::Require, ca, &pki.server, "other.test").expect("chain ok");
    }

    #[test]
    fn require_and_prefer_accept_any_certificate() {
        let pki = make_pki();
        check(SslMode::Require, None, &pki.server, "other.test").expect("not checked");
        check(SslMode::Prefer, Some(&pki.ca_file), &pki.server, "x.test").expect("not checked");
    }

    #[test]
    fn unreadable_certificate_files_are_named() {
        let missing = scratch_dir().join("missing.pem");
        let tls = TlsParams {
            mode: SslMode::VerifyCa,
            root_cert: Some(missing.display().to_string()),
            ..TlsParams::default()
        };
        let err = client_config(&tls).expect_err("no such file");
        assert!(err.starts_with("cannot read sslrootcert"), "{err}");
        assert!(err.contains("missing.pem"), "{err}");
        let scratch = scratch_dir();
        let empty = scratch.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").expect("write");
        let tls = TlsParams {
            root_cert: Some(empty.display().to_string()),
            ..tls
        };
        let err = client_config(&tls).expect_err("no certificate");
        assert!(err.contains("holds no PEM certificate"), "{err}");
    }

    #[test]
    fn client_certificates_are_loaded() {
        let pki = make_pki();
        let tls = TlsParams {
            mode: SslMode::Require,
            cert: Some(pki.dir.join("server.pem").display().to_string()),
            key: Some(pki.dir.join("server.key").display().to_string()),
            ..TlsParams::default()
        };
        let config = client_config(&tls).expect("client certificate");
        assert!(config.client_auth_cert_resolver.has_certs());
        let tls = TlsParams {
            key: Some(pki.dir.join("nope.key").display().to_string()),
            ..tls
        };
        let err = client_config(&tls).expect_err("no key file");
        assert!(err.starts_with("cannot read sslkey"), "{err}");
    }
}
