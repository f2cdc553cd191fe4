//! Reading a connection string as libpq does
//! (<https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING>):
//! a URL (`postgresql://` or `postgres://`) or `key=value` pairs, into the
//! list of (keyword, value) pairs it sets, in order (a later pair wins).
//!
//! URL: `postgresql://[user[:password]@][host[:port][,host[:port]...]][/dbname][?key=value&...]`.
//! Every part is percent-decoded (`%2Fvar%2Frun%2Fpostgresql` is a socket
//! directory), an IPv6 address is written in brackets (`[::1]:5432`), and
//! several hosts become libpq's comma-separated `host` and `port` lists.
//! The userinfo ends at the last `@` before the query (see
//! [`super::redact::userinfo_end`]), so a password with an unencoded `@`,
//! `:` or `/` still reads as one.
//!
//! Key=value: pairs separated by whitespace, spaces allowed around `=`,
//! values bare or in single quotes, `\` escaping the next character in
//! both. An empty string sets nothing (everything comes from the
//! environment and the defaults).
//!
//! Invariant: error messages never quote the userinfo, a host, a port or a
//! value, since any of them may hold (part of) a misplaced password; they
//! quote only keywords that look like keywords.

use super::redact::userinfo_end;

/// The (keyword, value) pairs of `text`, in order.
pub(super) fn parse_conninfo(text: &str) -> Result<Vec<(String, String)>, String> {
    for scheme in ["postgresql://", "postgres://"] {
        if let Some(rest) = text.strip_prefix(scheme) {
            return parse_url(rest);
        }
    }
    if let Some(scheme_end) = text.find("://") {
        let scheme = &text[..scheme_end];
        if !scheme.is_empty() && scheme.chars().all(|ch| ch.is_ascii_alphanumeric()) {
            return Err(format!(
                "the URL scheme `{scheme}` is not postgresql:// or postgres://"
            ));
        }
    }
    parse_key_values(text)
}

/// A keyword as it may be quoted in a message: only when it looks like one.
pub(super) fn quote_keyword(key: &str) -> String {
    if !key.is_empty()
        && key.len() <= 40
        && key
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
    {
        format!("`{key}`")
    } else {
        "a parameter".to_string()
    }
}

fn parse_url(rest: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    let after_userinfo = match userinfo_end(rest) {
        Some(at) => {
            let userinfo = &rest[..at];
            let (user, password) = match userinfo.split_once(':') {
                Some((user, password)) => (user, Some(password)),
                None => (userinfo, None),
            };
            let user = decode(user, "user name")?;
            if !user.is_empty() {
                pairs.push(("user".to_string(), user));
            }
            if let Some(password) = password {
                let password = decode(password, "password")?;
                if !password.is_empty() {
                    pairs.push(("password".to_string(), password));
                }
            }
            &rest[at + 1..]
        }
        None => rest,
    };
    let (main, query) = match after_userinfo.split_once('?') {
        Some((main, query)) => (main, Some(query)),
        None => (after_userinfo, None),
    };
    let (hostspec, path) = match main.split_once('/') {
        Some((hostspec, path)) => (hostspec, Some(path)),
        None => (main, None),
    };
    parse_hostspec(hostspec, &mut pairs)?;
    if let Some(path) = path {
        let dbname = decode(path, "database name")?;
        if !dbname.is_empty() {
            pairs.push(("dbname".to_string(), dbname));
        }
    }
    if let Some(query) = query {
        for param in query.split('&').filter(|param| !param.is_empty()) {
            let Some((key, value)) = param.split_once('=') else {
                return Err(format!(
                    "the URL parameter {} has no `=value`",
                    quote_keyword(&decode(param, "parameter").unwrap_or_default())
                ));
            };
            let key = decode(key, "parameter name")?;
            let value = decode(value, "parameter value")?;
            // libpq reads the JDBC spelling `ssl=true` as sslmode=require.
            if key == "ssl" && value == "true" {
                pairs.push(("sslmode".to_string(), "require".to_string()));
            } else {
                pairs.push((key, value));
            }
        }
    }
    Ok(pairs)
}

/// `host[:port][,host[:port]...]` into libpq's `host` and `port` lists.
fn parse_hostspec(hostspec: &str, pairs: &mut Vec<(String, String)>) -> Result<(), String> {
    if hostspec.is_empty() {
        return Ok(());
    }
    let mut hosts = Vec::new();
    let mut ports = Vec::new();
    for item in hostspec.split(',') {
        let (host, port) = if let Some(bracketed) = item.strip_prefix('[') {
            let Some((host, after)) = bracketed.split_once(']') else {
                return Err("an IPv6 address in the URL lacks its closing `]`".to_string());
            };
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':').ok_or_else(|| {
                    "an IPv6 address in the URL is followed by something other than `:port`"
                        .to_string()
                })?),
            };
            (host.to_string(), port)
        } else {
            match item.split_once(':') {
                Some((host, port)) => (decode(host, "host")?, Some(port)),
                None => (decode(item, "host")?, None),
            }
        };
        let port = match port {
            Some(port) => decode(port, "port")?,
            None => String::new(),
        };
        hosts.push(host);
        ports.push(port);
    }
    if hosts.iter().any(|host| !host.is_empty()) || hosts.len() > 1 {
        pairs.push(("host".to_string(), hosts.join(",")));
    }
    if ports.iter().any(|port| !port.is_empty()) {
        pairs.push(("port".to_string(), ports.join(",")));
    }
    Ok(())
}

/// Percent-decodes one part of a URL, strictly: `%` must start two hex
/// digits, `%00` is refused, and the result must be UTF-8.
fn decode(text: &str, part: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut res = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while idx < bytes.len() {
        if bytes[idx] == b'%' {
            let hex = bytes
                .get(idx + 1..idx + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok());
            match hex {
                Some(0) => return Err(format!("the URL's {part} contains %00")),
                Some(byte) => res.push(byte),
                None => {
                    return Err(format!(
                        "the URL's {part} has a `%` not followed by two hex digits \
                         (write a literal % as %25)"
                    ))
                }
            }
            idx += 3;
        } else {
            res.push(bytes[idx]);
            idx += 1;
        }
    }
    String::from_utf8(res).map_err(|_| format!("the URL's {part} is not UTF-8 once decoded"))
}

/// libpq's `key=value` form.
fn parse_key_values(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|ch| ch.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(pairs);
        }
        let mut key = String::new();
        while let Some(ch) = chars.next_if(|ch| *ch != '=' && !ch.is_whitespace()) {
            key.push(ch);
        }
        while chars.next_if(|ch| ch.is_whitespace()).is_some() {}
        if chars.next_if(|ch| *ch == '=').is_none() {
            // A stray word may be a password typed in the wrong place:
            // only a known keyword is quoted.
            if super::env::is_keyword(&key) {
                return Err(format!("`{key}` is not followed by `=value`"));
            }
            return Err(
                "it is neither a URL (postgresql://...) nor key=value pairs: a word \
                 stands where a keyword=value pair should"
                    .to_string(),
            );
        }
        if key.is_empty() {
            return Err("a `=value` has no keyword before it".to_string());
        }
        while chars.next_if(|ch| ch.is_whitespace()).is_some() {}
        let mut value = String::new();
        let quoted = chars.next_if(|ch| *ch == '\'').is_some();
        loop {
            match chars.next() {
                Some('\\') => match chars.next() {
                    Some(ch) => value.push(ch),
                    None if quoted => {
                        return Err(format!(
                            "the quoted value of {} is not closed",
                            quote_keyword(&key)
                        ))
                    }
                    None => break,
                },
                Some('\'') if quoted => break,
                Some(ch) if !quoted && ch.is_whitespace() => break,
                Some(ch) => value.push(ch),
                None if quoted => {
                    return Err(format!(
                        "the quoted value of {} is not closed",
                        quote_keyword(&key)
                    ))
                }
                None => break,
            }
        }
        pairs.push((key, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        parse_conninfo(text).unwrap_or_else(|err| panic!("{text}: {err}"))
    }

    fn check(text: &str, expect: &[(&str, &str)]) {
        let expect: Vec<(String, String)> = expect
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        assert_eq!(pairs(text), expect, "{text}");
    }

    #[test]
    fn urls_read_as_libpq_reads_them() {
        check("postgresql://", &[]);
        check("postgresql:///mydb", &[("dbname", "mydb")]);
        check("postgres://localhost", &[("host", "localhost")]);
        check(
            "postgresql://app:s3cr%40t@db.example:5433/prod?sslmode=disable&connect_timeout=5",
            &[
                ("user", "app"),
                ("password", "s3cr@t"),
                ("host", "db.example"),
                ("port", "5433"),
                ("dbname", "prod"),
                ("sslmode", "disable"),
                ("connect_timeout", "5"),
            ],
        );
        check(
            "postgresql://[::1]:5433,[2001:db8::2]/db",
            &[
                ("host", "::1,2001:db8::2"),
                ("port", "5433,"),
                ("dbname", "db"),
            ],
        );
        check(
            "postgresql://h1:5432,h2:5433/db",
            &[("host", "h1,h2"), ("port", "5432,5433"), ("dbname", "db")],
        );
        check(
            "postgresql://%2Fvar%2Frun%2Fpostgresql/db",
            &[("host", "/var/run/postgresql"), ("dbname", "db")],
        );
        check(
            "postgresql:///db?host=/tmp&port=5433&ssl=true",
            &[
                ("dbname", "db"),
                ("host", "/tmp"),
                ("port", "5433"),
                ("sslmode", "require"),
            ],
        );
        check(
            "postgresql://my%20user@/my%2Fdb",
            &[("user", "my user"), ("dbname", "my/db")],
        );
    }

    #[test]
    fn unencoded_special_characters_stay_in_the_password() {
        check(
            "postgresql://h:1/db?user=u&password=p@ss:w/rd",
            &[
                ("host", "h"),
                ("port", "1"),
                ("dbname", "db"),
                ("user", "u"),
                ("password", "p@ss:w/rd"),
            ],
        );
        check(
            "postgresql://u:pa?ss@h/db",
            &[
                ("user", "u"),
                ("password", "pa?ss"),
                ("host", "h"),
                ("dbname", "db"),
            ],
        );
        check(
            "postgresql://app:p@ss:w/rd@127.0.0.1:5432/prod",
            &[
                ("user", "app"),
                ("password", "p@ss:w/rd"),
                ("host", "127.0.0.1"),
                ("port", "5432"),
                ("dbname", "prod"),
            ],
        );
    }

    #[test]
    fn malformed_urls_say_what_is_wrong_without_quoting_values() {
        for (text, expect) in [
            ("postgresql://[::1/db", "lacks its closing `]`"),
            ("postgresql://[::1]x/db", "other than `:port`"),
            (
                "postgresql://h/db%zz",
                "database name has a `%` not followed",
            ),
            ("postgresql://h/db%00", "database name contains %00"),
            ("postgresql://u:hun%ter2@h/db", "password has a `%`"),
            (
                "postgresql://h/db?sslmode",
                "parameter `sslmode` has no `=value`",
            ),
            ("mysql://h/db", "scheme `mysql` is not postgresql://"),
            ("postgresql://h/db%ff", "not UTF-8"),
        ] {
            let err = parse_conninfo(text).expect_err(text);
            assert!(err.contains(expect), "{text}: {err}");
            assert!(!err.contains("hun"), "{text}: {err}");
        }
    }

    #[test]
    fn key_values_read_as_libpq_reads_them() {
        check("", &[]);
        check("   ", &[]);
        check(
            "host=h port = 5433 dbname='my db' password='it\\'s \\\\ x' user=a\\ b",
            &[
                ("host", "h"),
                ("port", "5433"),
                ("dbname", "my db"),
                ("password", "it's \\ x"),
                ("user", "a b"),
            ],
        );
        check("host=/tmp options=''", &[("host", "/tmp"), ("options", "")]);
    }

    #[test]
    fn malformed_key_values_say_what_is_wrong() {
        for (text, expect) in [
            ("host=h dbname", "`dbname` is not followed by `=value`"),
            ("host=h =x", "has no keyword"),
            (
                "password='hunter2",
                "quoted value of `password` is not closed",
            ),
            (
                "hunter2 host=h",
                "neither a URL (postgresql://...) nor key=value pairs",
            ),
        ] {
            let err = parse_conninfo(text).expect_err(text);
            assert!(err.contains(expect), "{text}: {err}");
            assert!(!err.contains("hunter2"), "{text}: {err}");
        }
    }
}
