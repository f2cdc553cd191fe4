//! The independent oracle: `pg_dump --schema-only` of two databases,
//! normalised so that only schema differences remain.
//!
//! Normalisation, and nothing more:
//! - comment lines (`--`), `SET` and `set_config` lines, psql's
//!   `\restrict`/`\unrestrict` lines (a random key per dump) and blank lines
//!   are dropped;
//! - the lines inside each `CREATE TABLE ... ( ... )` block (columns and
//!   inline constraints) are sorted, without their trailing commas, so the
//!   column order does not matter: a column added by a migration comes
//!   last, while a database built directly has it where it is declared;
//! - each run of consecutive `GRANT` / `REVOKE` lines (pg_dump prints one
//!   object's ACL entries in the order of their grant history) is sorted.
//!
//! Privileges are compared (they are part of the schema); owners are not
//! (`--no-owner`: the applying user owns what it creates).
//!
//! schemac's own schema (`schemac`, the apply history) is excluded from the
//! dump: both databases have it, built by the same code.

use crate::common::redact;
use std::process::{Command, Stdio};

/// `pg_dump --schema-only --no-owner` of `url`.
pub fn schema_dump(url: &str) -> Result<String, String> {
    let output = Command::new("pg_dump")
        .args([
            "--schema-only",
            "--no-owner",
            "--exclude-schema=schemac",
            "-d",
            url,
        ])
        .env("PGCONNECT_TIMEOUT", "5")
        .stdin(Stdio::null())
        .output()
        .map_err(|err| {
            format!("cannot run pg_dump (install the PostgreSQL client tools): {err}")
        })?;
    if !output.status.success() {
        return Err(format!(
            "pg_dump failed: {}",
            redact(String::from_utf8_lossy(&output.stderr).trim_end())
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The dump with everything that is not schema removed and column order
/// made irrelevant (see the module docs).
pub fn normalize(dump: &str) -> String {
    let mut out = Vec::new();
    let mut table_body: Option<Vec<String>> = None;
    let mut acl_run: Vec<String> = Vec::new();
    for line in dump.lines() {
        if line.starts_with("GRANT ") || line.starts_with("REVOKE ") {
            acl_run.push(line.trim_end().to_string());
            continue;
        }
        if !acl_run.is_empty() && !line.trim().is_empty() && !line.starts_with("--") {
            acl_run.sort();
            out.append(&mut acl_run);
        }
        if let Some(body) = &mut table_body {
            if line.starts_with(')') {
                body.sort();
                out.append(body);
                out.push(line.to_string());
                table_body = None;
            } else {
                body.push(line.trim_end().trim_end_matches(',').to_string());
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty()
            || line.starts_with("--")
            || line.starts_with("SET ")
            || line.starts_with("SELECT pg_catalog.set_config(")
            || line.starts_with("\\restrict")
            || line.starts_with("\\unrestrict")
        {
            continue;
        }
        out.push(line.trim_end().to_string());
        if is_create_table(line) {
            table_body = Some(Vec::new());
        }
    }
    // An unterminated block (never produced by pg_dump) keeps its lines.
    if let Some(mut body) = table_body {
        out.append(&mut body);
    }
    acl_run.sort();
    out.append(&mut acl_run);
    let mut res = out.join("\n");
    res.push('\n');
    res
}

fn is_create_table(line: &str) -> bool {
    (line.starts_with("CREATE TABLE ") || line.starts_with("CREATE UNLOGGED TABLE "))
        && line.trim_end().ends_with('(')
}

/// A unified diff from `expected` to `actual`.
pub fn unified_diff(
    expected: &str,
    actual: &str,
    expected_name: &str,
    actual_name: &str,
) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header(expected_name, actual_name)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUILT: &str = "--
-- PostgreSQL database dump
--
\\restrict abc

SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);

CREATE TABLE public.t (
    id bigint NOT NULL,
    note text,
    name text NOT NULL,
    CONSTRAINT t_check CHECK ((id > 0))
);

ALTER TABLE ONLY public.t
    ADD CONSTRAINT t_pkey PRIMARY KEY (id);
\\unrestrict abc
";

    const MIGRATED: &str = "--
\\restrict xyz
CREATE TABLE public.t (
    id bigint NOT NULL,
    name text NOT NULL,
    note text,
    CONSTRAINT t_check CHECK ((id > 0))
);


ALTER TABLE ONLY public.t
    ADD CONSTRAINT t_pkey PRIMARY KEY (id);
";

    #[test]
    fn column_order_and_noise_are_ignored() {
        assert_eq!(normalize(BUILT), normalize(MIGRATED));
        insta::assert_snapshot!(normalize(BUILT), @r"
        CREATE TABLE public.t (
            CONSTRAINT t_check CHECK ((id > 0))
            id bigint NOT NULL
            name text NOT NULL
            note text
        );
        ALTER TABLE ONLY public.t
            ADD CONSTRAINT t_pkey PRIMARY KEY (id);
        ");
    }

    #[test]
    fn a_different_type_or_constraint_is_not_ignored() {
        assert_ne!(
            normalize(BUILT),
            normalize(&MIGRATED.replace("note text", "note character varying"))
        );
        assert_ne!(
            normalize(BUILT),
            normalize(&MIGRATED.replace("t_pkey", "t_id_pkey"))
        );
        let diff = unified_diff(
            &normalize(BUILT),
            &normalize(&MIGRATED.replace("note text", "note integer")),
            "built",
            "migrated",
        );
        assert!(diff.contains("-    note text\n+    note integer"), "{diff}");
    }
}
