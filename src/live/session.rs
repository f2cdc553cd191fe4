//! One connection of the live session and its connection task.
//!
//! Invariant: [`Session::close`] drops the client before awaiting the
//! task, so the task always ends; its error, if any, is the one the last
//! query already reported, and is not reported twice.

use crate::introspect::IntrospectError;
use crate::live::ConnParams;
use tokio::task::JoinHandle;
use tokio_postgres::Client;

/// An open connection.
pub(crate) struct Session {
    pub(crate) client: Client,
    connection: JoinHandle<Result<(), tokio_postgres::Error>>,
}

impl Session {
    /// Connects with `conn`'s own TLS settings.
    pub(crate) async fn open(conn: &ConnParams) -> Result<Session, IntrospectError> {
        let (client, connection) = conn.connect().await?;
        Ok(Session { client, connection })
    }

    /// Ends the session and waits for its connection task.
    pub(crate) async fn close(self) {
        let Session { client, connection } = self;
        drop(client);
        let _ = connection.await;
    }
}
