//! The databases of a target: a list of connection strings, a file of
//! them (one per line, `#` comments and blank lines skipped), or a query
//! run on `query-db` that returns one text column of connection strings or
//! of database names on that server.
//!
//! Invariants: every entry is parsed once, here, into [`ConnParams`];
//! members keep the order of the list, file or query (the canary is the
//! first of them); two entries naming the same database are refused, so
//! no database is applied twice in one rollout; messages name entries by
//! position, never by their text (which may hold a password).

use super::FleetError;
use crate::config::{DatabaseSource, Target};
use crate::live::connect::redact;
use crate::live::ConnParams;

/// One database of the fleet.
#[derive(Debug, Clone)]
pub struct Member {
    /// `user@host:port/dbname`, never a password.
    pub label: String,
    pub conn: ConnParams,
}

/// Reads the target's databases (runs its query when it has one).
pub async fn resolve_members(target: &Target) -> Result<Vec<Member>, FleetError> {
    let name = &target.name;
    let parse = |text: &str, origin: String| {
        ConnParams::parse(text)
            .map(|conn| Member {
                label: conn.target(),
                conn,
            })
            .map_err(|err| FleetError::BadDatabase {
                target: name.clone(),
                origin,
                message: redact(&err.to_string()),
            })
    };
    let mut members = Vec::new();
    let mut origins = Vec::new();
    match &target.databases {
        DatabaseSource::List(list) => {
            for (idx, url) in list.iter().enumerate() {
                let origin = format!("databases entry {}", idx + 1);
                members.push(parse(url.expose_secret(), origin.clone())?);
                origins.push(origin);
            }
        }
        DatabaseSource::File(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| FleetError::ReadFile {
                target: name.clone(),
                path: path.display().to_string(),
                source,
            })?;
            for (line_idx, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let origin = format!("line {} of {}", line_idx + 1, path.display());
                members.push(parse(line, origin.clone())?);
                origins.push(origin);
            }
        }
        DatabaseSource::Query { db, sql } => {
            let query_failed = |message: String| FleetError::Query {
                target: name.clone(),
                message: redact(&message),
            };
            let server = ConnParams::parse(db.expose_secret())
                .map_err(|err| query_failed(format!("query-db: {err}")))?;
            for (idx, value) in run_query(&server, sql)
                .await
                .map_err(query_failed)?
                .into_iter()
                .enumerate()
            {
                let origin = format!("row {} of databases-query", idx + 1);
                let member = if is_conn_string(&value) {
                    parse(&value, origin.clone())?
                } else {
                    let mut conn = server.clone();
                    conn.set_dbname(&value);
                    Member {
                        label: conn.target(),
                        conn,
                    }
                };
                members.push(member);
                origins.push(origin);
            }
        }
    }
    if members.is_empty() {
        return Err(FleetError::Empty {
            target: name.clone(),
        });
    }
    let mut seen = std::collections::BTreeMap::new();
    for (idx, member) in members.iter().enumerate() {
        if let Some(first) = seen.insert(member.label.clone(), idx) {
            return Err(FleetError::Duplicate {
                target: name.clone(),
                database: member.label.clone(),
                first: origins[first].clone(),
                second: origins[idx].clone(),
            });
        }
    }
    Ok(members)
}

/// A value of the query that is a connection string rather than a
/// database name.
fn is_conn_string(value: &str) -> bool {
    value.contains("://") || value.contains('=')
}

/// The first column of every row, as text (NULLs refused).
async fn run_query(server: &ConnParams, sql: &str) -> Result<Vec<String>, String> {
    let (client, connection) = server.connect().await.map_err(|err| err.to_string())?;
    let res = client.simple_query(sql).await;
    drop(client);
    let _ = connection.await;
    let mut values = Vec::new();
    for message in res.map_err(|err| crate::live::connect::redact(&db_message(&err)))? {
        if let tokio_postgres::SimpleQueryMessage::Row(row) = message {
            match row.get(0) {
                Some(value) if !value.trim().is_empty() => values.push(value.trim().to_string()),
                _ => {
                    return Err(format!(
                        "row {} has no value in its first column",
                        values.len() + 1
                    ))
                }
            }
        }
    }
    Ok(values)
}

/// The server's message when there is one (tokio-postgres's `Display`
/// says only "db error").
fn db_message(err: &tokio_postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => db.message().to_string(),
        None => err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RolloutSettings;
    use crate::live::ConnString;

    fn target(source: DatabaseSource) -> Target {
        Target {
            name: "t".to_string(),
            databases: source,
            rollout: RolloutSettings::default(),
            citus: None,
        }
    }

    fn block_on<T>(work: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(work)
    }

    #[test]
    fn lists_keep_their_order_and_refuse_duplicates() {
        let list = |urls: &[&str]| {
            target(DatabaseSource::List(
                urls.iter().map(|url| ConnString::new(*url)).collect(),
            ))
        };
        let members = block_on(resolve_members(&list(&[
            "postgresql://app:hunter2@db1:5433/b",
            "host=db2 user=app dbname=a",
        ])))
        .expect("valid");
        let labels: Vec<&str> = members.iter().map(|member| member.label.as_str()).collect();
        assert_eq!(labels, ["app@db1:5433/b", "app@db2:5432/a"]);

        let err = block_on(resolve_members(&list(&[
            "postgresql://app:hunter2@db1/a",
            "postgresql://app@db1/a",
        ])))
        .expect_err("duplicate");
        let text = err.to_string();
        assert!(
            text.contains("databases entry 1 and databases entry 2"),
            "{text}"
        );
        assert!(!text.contains("hunter2"), "{text}");

        let err = block_on(resolve_members(&list(&[
            "postgresql://app:hunter2@db1:notaport/a",
        ])))
        .expect_err("bad port");
        assert!(err.to_string().contains("databases entry 1"), "{err}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn files_skip_comments_and_name_lines() {
        let dir = std::env::temp_dir().join(format!("schemac_fleet_{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("dbs.txt");
        std::fs::write(
            &path,
            "# tenants\npostgresql://app@db1/a\n\n  postgresql://app@db1/b  \n",
        )
        .expect("file");
        let members =
            block_on(resolve_members(&target(DatabaseSource::File(path.clone())))).expect("ok");
        assert_eq!(members.len(), 2);
        std::fs::write(&path, "# nothing\n").expect("file");
        let err = block_on(resolve_members(&target(DatabaseSource::File(path.clone()))))
            .expect_err("empty");
        assert_eq!(err.to_string(), "target `t` names no databases");
        let _ = std::fs::remove_dir_all(&dir);
        assert!(matches!(
            block_on(resolve_members(&target(DatabaseSource::File(path)))),
            Err(FleetError::ReadFile { .. })
        ));
    }

    #[test]
    fn query_values_are_urls_or_database_names() {
        assert!(is_conn_string("postgresql://h/db"));
        assert!(is_conn_string("host=h dbname=d"));
        assert!(!is_conn_string("tenant_42"));
    }
}
