//! The live session: everything that talks to a running PostgreSQL on the
//! user's behalf, between the CLI and `introspect`/`apply`. Here: the
//! connection target, read once as libpq reads it ([`connect`]).

pub mod connect;

pub use connect::{connect, ConnParams, ConnString, ConnectError, Env, SslMode, Tls};
