//! Connecting to PostgreSQL: connection strings (URLs and `key=value`
//! pairs), TLS as libpq's `sslmode` describes it, and errors a user can act
//! on.
//!
//! Owns: reading the TLS parameters tokio-postgres does not know
//! (`sslmode=verify-ca|verify-full`, `sslrootcert`, `sslcert`, `sslkey`,
//! and the `PGSSLMODE`, `PGSSLROOTCERT`, `PGSSLCERT`, `PGSSLKEY` fallbacks)
//! out of the string before the rest goes to [`tokio_postgres::Config`];
//! building the rustls client configuration (ring provider); connecting;
//! and sorting connection failures into [`IntrospectError`] variants.
//!
//! TLS, as libpq (<https://www.postgresql.org/docs/current/libpq-ssl.html>):
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
//! Invariants: a password never leaves [`ConnString`] in printed form
//! (its `Display` and `Debug` redact it, and error messages name the
//! target as `user@host:port/dbname`); every connection announces itself
//! as `application_name=schemac` unless the string sets another; a cancel
//! request goes out with the TLS settings of its connection
//! ([`Tls::cancel_query`]).

use super::IntrospectError;
use percent_encoding::percent_decode_str;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, WebPkiServerVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_postgres::config::{Host, SslMode as PgSslMode};
use tokio_postgres::error::SqlState;
use tokio_postgres::tls::NoTlsStream;
use tokio_postgres::{CancelToken, Client, Config, Connection, NoTls, Socket};
use tokio_postgres_rustls::MakeRustlsConnect;

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
    fn parse(value: &str) -> Result<SslMode, String> {
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
enum RootSource {
    /// A PEM file (`sslrootcert=FILE`, or the default `~/.postgresql/root.crt`).
    File(PathBuf),
    /// The operating system's store (`sslrootcert=system`, or no file).
    System,
}

/// The TLS parameters of one connection string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct TlsParams {
    mode: SslMode,
    /// `sslrootcert` as given (a path or `system`).
    root_cert: Option<String>,
    /// `sslcert`: the client certificate chain (PEM).
    cert: Option<String>,
    /// `sslkey`: the client certificate's private key (PEM).
    key: Option<String>,
    /// `$HOME`, for libpq's default `~/.postgresql/root.crt`.
    home: Option<PathBuf>,
}

impl TlsParams {
    /// The root file or store that verification uses. `None`: no
    /// verification (`prefer`, or `require` without a root file).
    fn roots(&self) -> Option<RootSource> {
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
    fn effective_mode(&self) -> SslMode {
        match (self.mode, self.roots()) {
            (SslMode::Require, Some(_)) => SslMode::VerifyCa,
            (mode, _) => mode,
        }
    }
}

/// A parsed connection string: the driver's [`Config`] (with `sslmode`
/// set and `application_name` defaulted) and the TLS parameters.
#[derive(Clone)]
pub struct ConnParams {
    config: Config,
    tls: TlsParams,
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
    /// Parses a URL or `key=value` string; `PGSSLMODE`, `PGSSLROOTCERT`,
    /// `PGSSLCERT` and `PGSSLKEY` fill in what the string leaves out.
    pub fn parse(text: &str) -> Result<ConnParams, IntrospectError> {
        ConnParams::parse_with_env(text, &|name| std::env::var(name).ok())
    }

    fn parse_with_env(
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<ConnParams, IntrospectError> {
        let invalid = |message: String| IntrospectError::InvalidConnString {
            message: redact(&message),
        };
        let (rest, found) = split_tls_params(text).map_err(invalid)?;
        let mut config: Config = rest
            .parse()
            .map_err(|error: tokio_postgres::Error| invalid(error.to_string()))?;
        let pick = |given: Option<String>, var: &str| {
            given.or_else(|| env(var).filter(|value| !value.is_empty()))
        };
        let mode = match pick(found.mode, "PGSSLMODE") {
            Some(mode) => SslMode::parse(&mode).map_err(invalid)?,
            None => SslMode::Prefer,
        };
        let tls = TlsParams {
            mode,
            root_cert: pick(found.root_cert, "PGSSLROOTCERT"),
            cert: pick(found.cert, "PGSSLCERT"),
            key: pick(found.key, "PGSSLKEY"),
            home: env("HOME")
                .filter(|home| !home.is_empty())
                .map(PathBuf::from),
        };
        match (&tls.cert, &tls.key) {
            (Some(_), None) => return Err(invalid("sslcert is given without sslkey".to_string())),
            (None, Some(_)) => return Err(invalid("sslkey is given without sslcert".to_string())),
            _ => {}
        }
        #[cfg(unix)]
        let only_sockets = !config.get_hosts().is_empty()
            && config
                .get_hosts()
                .iter()
                .all(|host| matches!(host, Host::Unix(_)));
        #[cfg(not(unix))]
        let only_sockets = false;
        config.ssl_mode(match mode {
            _ if only_sockets => PgSslMode::Disable,
            SslMode::Disable => PgSslMode::Disable,
            SslMode::Prefer => PgSslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => PgSslMode::Require,
        });
        if config.get_application_name().is_none() {
            config.application_name("schemac");
        }
        Ok(ConnParams { config, tls })
    }

    /// The driver's configuration (password inside: never print it).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Points the parameters at another database of the same server.
    pub fn set_dbname(&mut self, dbname: &str) {
        self.config.dbname(dbname);
    }

    /// `user@host:port/dbname`, never with the password.
    pub fn target(&self) -> String {
        describe_target(&self.config)
    }

    pub fn ssl_mode(&self) -> SslMode {
        self.tls.mode
    }

    /// The TLS connector for these parameters. Reads the certificate files
    /// (and the system store) each time.
    pub fn tls(&self) -> Result<Tls, IntrospectError> {
        if self.config.get_ssl_mode() == PgSslMode::Disable {
            return Ok(Tls(None));
        }
        let config = client_config(&self.tls).map_err(|message| IntrospectError::TlsSetup {
            target: self.target(),
            mode: self.tls.mode,
            message,
        })?;
        Ok(Tls(Some(MakeRustlsConnect::new(config))))
    }

    /// Connects and spawns the connection task. The task's handle yields
    /// the connection's final error, if any, once the client is dropped.
    pub async fn connect(&self) -> Result<(Client, ConnectionTask), IntrospectError> {
        let tls = self.tls()?;
        let target = self.target();
        match tls.connect(&self.config).await {
            Ok(connected) => Ok(connected),
            // libpq's `prefer`: a failed handshake retries without TLS.
            Err(source)
                if self.config.get_ssl_mode() == PgSslMode::Prefer
                    && is_tls_handshake_error(&source) =>
            {
                let mut plain = self.config.clone();
                plain.ssl_mode(PgSslMode::Disable);
                Tls(None)
                    .connect(&plain)
                    .await
                    .map_err(|source| connect_error(target, self.tls.effective_mode(), source))
            }
            Err(source) => Err(connect_error(target, self.tls.effective_mode(), source)),
        }
    }
}

/// The spawned connection task of [`connect`].
pub type ConnectionTask = tokio::task::JoinHandle<Result<(), tokio_postgres::Error>>;

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

    async fn connect(
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

/// Connects with the string's TLS settings and spawns the connection task.
pub async fn connect(url: &str) -> Result<(Client, ConnectionTask), IntrospectError> {
    ConnParams::parse(url)?.connect().await
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

// ---------------------------------------------------------------------------
// Reading the TLS parameters out of the string
// ---------------------------------------------------------------------------

/// The TLS parameters found in a string (not yet the environment's).
#[derive(Debug, Default, PartialEq, Eq)]
struct FoundTls {
    mode: Option<String>,
    root_cert: Option<String>,
    cert: Option<String>,
    key: Option<String>,
}

impl FoundTls {
    /// Takes `key`'s value when it is a TLS parameter; `false` otherwise.
    fn take(&mut self, key: &str, value: String) -> bool {
        let slot = match key {
            "sslmode" => &mut self.mode,
            "sslrootcert" => &mut self.root_cert,
            "sslcert" => &mut self.cert,
            "sslkey" => &mut self.key,
            _ => return false,
        };
        *slot = Some(value);
        true
    }
}

/// Splits the TLS parameters off a URL or `key=value` string. The rest is
/// returned unchanged otherwise, for tokio-postgres to parse (and to
/// report errors in).
fn split_tls_params(text: &str) -> Result<(String, FoundTls), String> {
    let mut found = FoundTls::default();
    if text.starts_with("postgres://") || text.starts_with("postgresql://") {
        let Some((base, query)) = text.split_once('?') else {
            return Ok((text.to_string(), found));
        };
        let mut kept = Vec::new();
        for param in query.split('&') {
            let (key, value) = param.split_once('=').unwrap_or((param, ""));
            let key = percent_decode_str(key).decode_utf8_lossy();
            let value = percent_decode_str(value)
                .decode_utf8()
                .map_err(|_| format!("the value of `{key}` is not valid UTF-8"))?
                .into_owned();
            if !found.take(&key, value) {
                kept.push(param);
            }
        }
        let rest = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        return Ok((rest, found));
    }
    let Some(pairs) = key_value_pairs(text) else {
        // Malformed: tokio-postgres says what is wrong.
        return Ok((text.to_string(), found));
    };
    let mut rest = String::with_capacity(text.len());
    let mut last = 0;
    for pair in pairs {
        if found.take(&pair.key, pair.value) {
            rest.push_str(&text[last..pair.span.start]);
            last = pair.span.end;
        }
    }
    rest.push_str(&text[last..]);
    Ok((rest, found))
}

struct KeyValue {
    key: String,
    value: String,
    span: std::ops::Range<usize>,
}

/// The pairs of a libpq `key=value` string (spaces around `=` allowed;
/// values unquoted or in single quotes, with `\` escaping the next
/// character). `None` when it is not such a string.
fn key_value_pairs(text: &str) -> Option<Vec<KeyValue>> {
    let mut pairs = Vec::new();
    let mut chars = text.char_indices().peekable();
    loop {
        while chars.next_if(|(_, ch)| ch.is_whitespace()).is_some() {}
        let Some(&(start, _)) = chars.peek() else {
            return Some(pairs);
        };
        let mut key = String::new();
        while let Some((_, ch)) = chars.next_if(|(_, ch)| *ch != '=' && !ch.is_whitespace()) {
            key.push(ch);
        }
        while chars.next_if(|(_, ch)| ch.is_whitespace()).is_some() {}
        chars.next_if(|(_, ch)| *ch == '=')?;
        while chars.next_if(|(_, ch)| ch.is_whitespace()).is_some() {}
        let mut value = String::new();
        let quoted = chars.next_if(|(_, ch)| *ch == '\'').is_some();
        let end = loop {
            match chars.next() {
                Some((_, '\\')) => value.push(chars.next()?.1),
                Some((idx, '\'')) if quoted => break idx + 1,
                Some((idx, ch)) if !quoted && ch.is_whitespace() => break idx,
                Some((_, ch)) => value.push(ch),
                None if quoted => return None,
                None => break text.len(),
            }
        };
        if key.is_empty() {
            return None;
        }
        pairs.push(KeyValue {
            key,
            value,
            span: start..end,
        });
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
fn client_config(tls: &TlsParams) -> Result<ClientConfig, String> {
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

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

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
fn connect_error(target: String, mode: SslMode, source: tokio_postgres::Error) -> IntrospectError {
    let message = redact(&super::error_message(&source));
    match classify(&source) {
        Failure::BadCredentials => IntrospectError::BadCredentials { target, source },
        Failure::NotAuthorized => IntrospectError::NotAuthorized {
            target,
            message,
            source,
        },
        Failure::MissingDatabase => IntrospectError::MissingDatabase { target, source },
        Failure::InsufficientPrivilege => IntrospectError::InsufficientPrivilege {
            target,
            message,
            source,
        },
        Failure::TlsNotOffered => IntrospectError::TlsNotOffered {
            target,
            mode,
            source,
        },
        Failure::Certificate(cert) => {
            let (reason, help) = certificate_advice(&cert, mode);
            IntrospectError::Certificate {
                target,
                mode,
                reason,
                help,
                source,
            }
        }
        Failure::TlsHandshake => IntrospectError::TlsHandshake {
            target,
            mode,
            message,
            source,
        },
        Failure::Unreachable => IntrospectError::Unreachable { target, source },
        Failure::Other => IntrospectError::Connect {
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
fn is_tls_handshake_error(error: &tokio_postgres::Error) -> bool {
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

// ---------------------------------------------------------------------------
// Redaction
// ---------------------------------------------------------------------------

/// Replaces passwords in URLs (`user:secret@`), URL parameters
/// (`password=secret`) and key=value strings (`password=secret`,
/// `password='a b'`).
pub(crate) fn redact(text: &str) -> String {
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
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn parse(text: &str) -> ConnParams {
        ConnParams::parse_with_env(text, &no_env).expect("valid connection string")
    }

    fn parse_err(text: &str) -> String {
        ConnParams::parse_with_env(text, &no_env)
            .expect_err("invalid connection string")
            .to_string()
    }

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
        assert_eq!(
            ConnString::new(
                "postgresql://app:hunter2@db/prod?sslmode=verify-full&sslrootcert=/etc/ca.pem"
            )
            .to_string(),
            "postgresql://app:***@db/prod?sslmode=verify-full&sslrootcert=/etc/ca.pem"
        );
        assert_eq!(
            ConnString::new("postgresql://db/prod?sslmode=require&password=hunter2").to_string(),
            "postgresql://db/prod?sslmode=require&password=***"
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
        assert_eq!(
            ConnString::new("sslmode=verify-ca password=hunter2 sslrootcert=/ca.pem").to_string(),
            "sslmode=verify-ca password=*** sslrootcert=/ca.pem"
        );
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
        let params = parse("postgresql://app:secret@db:5433/prod?sslmode=verify-full");
        assert_eq!(params.target(), "app@db:5433/prod");
        assert!(!format!("{params:?}").contains("secret"));
    }

    #[test]
    fn tls_parameters_are_split_off_urls() {
        let (rest, found) = split_tls_params(
            "postgresql://u:p@h/db?sslmode=verify-full&connect_timeout=5&sslrootcert=%2Ftmp%2Fmy%20ca.pem&sslcert=c.pem&sslkey=k.pem",
        )
        .expect("valid");
        assert_eq!(rest, "postgresql://u:p@h/db?connect_timeout=5");
        assert_eq!(
            found,
            FoundTls {
                mode: Some("verify-full".into()),
                root_cert: Some("/tmp/my ca.pem".into()),
                cert: Some("c.pem".into()),
                key: Some("k.pem".into()),
            }
        );
        let (rest, found) = split_tls_params("postgres://h/db?sslmode=require").expect("valid");
        assert_eq!(rest, "postgres://h/db");
        assert_eq!(found.mode.as_deref(), Some("require"));
        let (rest, found) = split_tls_params("postgres://h/db").expect("valid");
        assert_eq!(rest, "postgres://h/db");
        assert_eq!(found, FoundTls::default());
    }

    #[test]
    fn tls_parameters_are_split_off_key_value_strings() {
        let (rest, found) = split_tls_params(
            "host=h sslmode = verify-ca dbname=app sslrootcert='/tmp/a b\\'s.pem' user=u",
        )
        .expect("valid");
        assert_eq!(rest, "host=h  dbname=app  user=u");
        assert_eq!(found.mode.as_deref(), Some("verify-ca"));
        assert_eq!(found.root_cert.as_deref(), Some("/tmp/a b's.pem"));
        // Malformed strings go to tokio-postgres as they are.
        let (rest, found) = split_tls_params("host=h sslmode").expect("passed on");
        assert_eq!(rest, "host=h sslmode");
        assert_eq!(found, FoundTls::default());
    }

    #[test]
    fn sslmodes_map_to_the_driver_and_default_to_prefer() {
        let cases = [
            ("host=h", SslMode::Prefer, PgSslMode::Prefer),
            (
                "host=h sslmode=disable",
                SslMode::Disable,
                PgSslMode::Disable,
            ),
            ("host=h sslmode=prefer", SslMode::Prefer, PgSslMode::Prefer),
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
        ];
        for (text, mode, driver) in cases {
            let params = parse(text);
            assert_eq!(params.ssl_mode(), mode, "{text}");
            assert_eq!(params.config().get_ssl_mode(), driver, "{text}");
            assert_eq!(params.config().get_application_name(), Some("schemac"));
        }
        let params = parse("host=h application_name=mine");
        assert_eq!(params.config().get_application_name(), Some("mine"));
        // libpq never uses TLS on Unix sockets.
        #[cfg(unix)]
        assert_eq!(
            parse("host=/var/run/postgresql sslmode=require")
                .config()
                .get_ssl_mode(),
            PgSslMode::Disable
        );
    }

    #[test]
    fn bad_tls_parameters_are_invalid_strings() {
        let err = parse_err("postgresql://u:hunter2@h/db?sslmode=allow");
        assert!(err.contains("unsupported sslmode `allow`"), "{err}");
        assert!(!err.contains("hunter2"));
        let err = parse_err("host=h password=hunter2 sslcert=/c.pem");
        assert!(err.contains("sslcert is given without sslkey"), "{err}");
        assert!(!err.contains("hunter2"));
        let err = parse_err("host=h sslkey=/k.pem");
        assert!(err.contains("sslkey is given without sslcert"), "{err}");
    }

    #[test]
    fn environment_fills_in_what_the_string_leaves_out() {
        let env = |name: &str| match name {
            "PGSSLMODE" => Some("verify-full".to_string()),
            "PGSSLROOTCERT" => Some("/env/ca.pem".to_string()),
            _ => None,
        };
        let params = ConnParams::parse_with_env("host=h", &env).expect("valid");
        assert_eq!(params.ssl_mode(), SslMode::VerifyFull);
        assert_eq!(
            params.tls.roots(),
            Some(RootSource::File(PathBuf::from("/env/ca.pem")))
        );
        let params = ConnParams::parse_with_env("host=h sslmode=disable", &env).expect("valid");
        assert_eq!(params.ssl_mode(), SslMode::Disable);
    }

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

    static SCRATCH: AtomicUsize = AtomicUsize::new(0);

    /// A folder in the temporary directory, removed with its contents
    /// when the value is dropped.
    struct Scratch(PathBuf);

    impl std::ops::Deref for Scratch {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn scratch_dir() -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "schemac-connect-test-{}-{}",
            std::process::id(),
            SCRATCH.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    /// A CA, a server certificate it signed for `db.test` and 127.0.0.1,
    /// and the CA's PEM in a file.
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

    #[tokio::test]
    async fn tls_setup_errors_name_the_target_and_mode() {
        let missing = scratch_dir().join("missing.pem");
        let url = format!(
            "postgresql://u:hunter2@127.0.0.1:1/db?sslmode=verify-full&sslrootcert={}",
            missing.display()
        );
        let err = connect(&url).await.expect_err("no root file");
        assert!(matches!(err, IntrospectError::TlsSetup { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.starts_with("cannot set up TLS (sslmode=verify-full) for u@127.0.0.1:1/db: cannot read sslrootcert"),
            "{text}"
        );
        assert!(!text.contains("hunter2") && !format!("{err:?}").contains("hunter2"));
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

    // -- error mapping -----------------------------------------------------

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
        let err = IntrospectError::Certificate {
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
        let err = IntrospectError::BadCredentials {
            target: "app@db:5432/prod".into(),
            source: some_driver_error(),
        };
        assert_eq!(
            err.to_string(),
            "password authentication failed for app@db:5432/prod"
        );
        let err = IntrospectError::InsufficientPrivilege {
            target: "app@db:5432/prod".into(),
            message: "permission denied for database \"prod\"".into(),
            source: some_driver_error(),
        };
        assert_eq!(
            err.to_string(),
            "permission denied to connect to app@db:5432/prod: permission denied for database \"prod\""
        );
        let err = IntrospectError::TlsNotOffered {
            target: "app@db:5432/prod".into(),
            mode: SslMode::Require,
            source: some_driver_error(),
        };
        assert_eq!(
            err.to_string(),
            "app@db:5432/prod does not accept TLS connections, but sslmode=require requires TLS"
        );
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
        for url in [
            "postgresql://u:pw@127.0.0.1:1/db",
            "postgresql://u:pw@127.0.0.1:1/db?sslmode=verify-full&sslrootcert=system",
            "host=127.0.0.1 port=1 user=u password=pw dbname=db sslmode=require",
        ] {
            match connect(url).await {
                Err(IntrospectError::Unreachable { target, .. }) => {
                    assert_eq!(target, "u@127.0.0.1:1/db", "{url}")
                }
                // A machine without a system trust store cannot even try.
                Err(IntrospectError::TlsSetup { .. }) if url.contains("system") => {}
                other => panic!("{url}: expected Unreachable, got {other:?}"),
            }
        }
        let err = connect("postgresql://u:pw@127.0.0.1:1/db")
            .await
            .expect_err("nothing listens on port 1");
        assert_eq!(
            err.to_string(),
            "cannot reach PostgreSQL at u@127.0.0.1:1/db"
        );
    }
}
