//! Secrets in connection strings: [`ConnString`], which holds a string and
//! prints it without its password, and [`redact`], which does the same to
//! any text that may quote one.
//!
//! Invariant: redaction errs on the side of hiding. In a URL everything
//! between the user's `:` and the last `@` before the query is hidden, so
//! a password with unencoded `@`, `:` or `/` is hidden whole; when the
//! query itself holds the `@` (a password with an unencoded `?`), up to
//! that `@`. Key=value `password` values are hidden quoted or not, and so
//! are `password=` URL parameters.

use std::fmt;

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

/// Replaces passwords in URLs (`user:secret@`), URL parameters
/// (`password=secret`) and key=value strings (`password=secret`,
/// `password='a b'`).
pub fn redact(text: &str) -> String {
    let mut res = redact_url_userinfo(text);
    res = redact_key_values(&res);
    res
}

/// Where the userinfo of the URL whose authority starts at `rest` ends:
/// the last `@` before the query; else the first `@` after a `?` that is
/// not followed by a `key=value` (a password with an unencoded `?`). The
/// URL parser uses the same rule.
pub(super) fn userinfo_end(rest: &str) -> Option<usize> {
    let url = &rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())];
    let query_start = url.find('?').unwrap_or(url.len());
    if let Some(at) = url[..query_start].rfind('@') {
        return Some(at);
    }
    let at = url.find('@')?;
    (!url[query_start..at].contains(['=', '&'])).then_some(at)
}

fn redact_url_userinfo(text: &str) -> String {
    let mut res = String::with_capacity(text.len());
    let mut idx = 0;
    while let Some(found) = text[idx..].find("://") {
        let authority_start = idx + found + 3;
        res.push_str(&text[idx..authority_start]);
        idx = authority_start;
        let rest = &text[authority_start..];
        let Some(at) = userinfo_end(rest) else {
            continue;
        };
        let userinfo = &rest[..at];
        if let Some(colon) = userinfo.find(':') {
            res.push_str(&userinfo[..colon]);
            res.push_str(":***");
            idx = authority_start + at;
        }
    }
    res.push_str(&text[idx..]);
    res
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
    fn redacts_unencoded_special_characters_in_url_passwords() {
        for (url, expect) in [
            (
                "postgresql://app:p@ss:w/rd@db:5432/prod",
                "postgresql://app:***@db:5432/prod",
            ),
            (
                "postgres://app:a/b@c@127.0.0.1/prod?sslmode=disable&application_name=x@y",
                "postgres://app:***@127.0.0.1/prod?sslmode=disable&application_name=x@y",
            ),
            // An unencoded `?` in the password: hidden up to the `@`.
            (
                "postgresql://app:pa?ss@db/prod",
                "postgresql://app:***@db/prod",
            ),
            (
                "cannot connect to postgres://u:s@c:r/et@h:5/db: refused",
                "cannot connect to postgres://u:***@h:5/db: refused",
            ),
            (
                "postgresql://app:%40%3A%2F@db/prod",
                "postgresql://app:***@db/prod",
            ),
        ] {
            assert_eq!(redact(url), expect, "{url}");
        }
    }
}
