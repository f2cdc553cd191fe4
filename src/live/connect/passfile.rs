//! The password file, as libpq reads it
//! (<https://www.postgresql.org/docs/current/libpq-pgpass.html>):
//! `passfile` / `PGPASSFILE`, else `~/.pgpass`; one
//! `hostname:port:database:username:password` per line, `*` matching
//! anything in the first four fields, `\:` and `\\` escaping, `#` starting
//! a comment line, the first matching line winning. `localhost` also
//! matches a connection through the default socket directories.
//!
//! Invariants: a file that is missing is skipped silently; one that is not
//! a plain file, or that the group or others may access (mode must be 0600
//! or stricter), is skipped with one note in libpq's words (the caller
//! prints it on stderr, as libpq does); passwords never appear in `Debug`
//! output or in notes.

use std::fmt;
use std::path::{Path, PathBuf};

/// The lines of a password file.
pub(super) struct PassFile {
    path: PathBuf,
    entries: Vec<Entry>,
}

impl fmt::Debug for PassFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PassFile")
            .field("path", &self.path)
            .field("entries", &self.entries.len())
            .finish()
    }
}

/// One line: four patterns (`None`: `*`) and the password.
struct Entry {
    fields: [Option<String>; 4],
    password: String,
}

/// What a connection attempt is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Lookup<'a> {
    /// The host name, the hostaddr when there is no host name, or the
    /// socket directory.
    pub(super) host: &'a str,
    /// True when `host` is one of the default socket directories (so the
    /// line's `localhost` matches too).
    pub(super) default_socket: bool,
    pub(super) port: u16,
    pub(super) dbname: &'a str,
    pub(super) user: &'a str,
}

impl PassFile {
    /// Reads the file at `path`. `None` when it is missing or unreadable;
    /// also when it is not a plain file or too open, with a note saying so.
    pub(super) fn read(path: &Path, notes: &mut Vec<String>) -> Option<PassFile> {
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() {
            notes.push(format!(
                "WARNING: password file \"{}\" is not a plain file",
                path.display()
            ));
            return None;
        }
        if too_open(&meta) {
            notes.push(format!(
                "WARNING: password file \"{}\" has group or world access; permissions \
                 should be u=rw (0600) or less",
                path.display()
            ));
            return None;
        }
        let text = std::fs::read_to_string(path).ok()?;
        Some(PassFile::parse(path, &text))
    }

    fn parse(path: &Path, text: &str) -> PassFile {
        let entries = text
            .lines()
            .map(|line| line.strip_suffix('\r').unwrap_or(line))
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .filter_map(parse_line)
            .collect();
        PassFile {
            path: path.to_path_buf(),
            entries,
        }
    }

    /// The password of the first line matching `lookup`.
    pub(super) fn password(&self, lookup: &Lookup<'_>) -> Option<&str> {
        let port = lookup.port.to_string();
        self.entries
            .iter()
            .find(|entry| {
                let [host, port_field, dbname, user] = &entry.fields;
                let host_matches = matches(host, lookup.host)
                    || (lookup.default_socket && matches(host, "localhost"));
                host_matches
                    && matches(port_field, &port)
                    && matches(dbname, lookup.dbname)
                    && matches(user, lookup.user)
            })
            .map(|entry| entry.password.as_str())
    }
}

#[cfg(unix)]
fn too_open(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o077 != 0
}

#[cfg(not(unix))]
fn too_open(_meta: &std::fs::Metadata) -> bool {
    false
}

fn matches(pattern: &Option<String>, value: &str) -> bool {
    pattern.as_deref().is_none_or(|pattern| pattern == value)
}

/// Splits a line on unescaped `:`; a line with fewer than five fields is
/// skipped (libpq skips it too).
fn parse_line(line: &str) -> Option<Entry> {
    let mut fields: Vec<(String, bool)> = Vec::with_capacity(5);
    let mut current = String::new();
    let mut escaped_any = false;
    let mut chars = line.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => {
                escaped_any = true;
                current.push(chars.next().unwrap_or('\\'));
            }
            ':' if fields.len() < 4 => {
                fields.push((std::mem::take(&mut current), escaped_any));
                escaped_any = false;
            }
            // The password ends at an unescaped `:`, as in libpq.
            ':' => break,
            ch => current.push(ch),
        }
    }
    if fields.len() < 4 {
        return None;
    }
    let mut patterns = fields
        .into_iter()
        .map(|(field, escaped)| (escaped || field != "*").then_some(field));
    Some(Entry {
        fields: [
            patterns.next()?,
            patterns.next()?,
            patterns.next()?,
            patterns.next()?,
        ],
        password: current,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::connect::scratch::scratch_dir;

    fn lookup<'a>(host: &'a str, port: u16, dbname: &'a str, user: &'a str) -> Lookup<'a> {
        Lookup {
            host,
            default_socket: false,
            port,
            dbname,
            user,
        }
    }

    #[test]
    fn the_first_matching_line_wins() {
        let file = PassFile::parse(
            Path::new("pgpass"),
            "# comment\n\
             db.example:5432:prod:app:first\n\
             db.example:*:*:app:second\n\
             *:*:*:*:fallback\r\n\
             short:line\n",
        );
        let pick = |host, port, dbname, user| {
            file.password(&lookup(host, port, dbname, user))
                .map(str::to_string)
        };
        assert_eq!(
            pick("db.example", 5432, "prod", "app").as_deref(),
            Some("first")
        );
        assert_eq!(
            pick("db.example", 5433, "prod", "app").as_deref(),
            Some("second")
        );
        assert_eq!(pick("other", 5432, "x", "y").as_deref(), Some("fallback"));
        assert!(!format!("{file:?}").contains("first"));
    }

    #[test]
    fn escapes_and_literal_stars() {
        let file = PassFile::parse(
            Path::new("pgpass"),
            "h\\:x:5432:d\\*:u:p\\:a\\\\ss:ignored\n\\*:5432:d:u:star\n",
        );
        assert_eq!(
            file.password(&lookup("h:x", 5432, "d*", "u")),
            Some("p:a\\ss")
        );
        // An escaped `*` is a literal star, not a wildcard.
        assert_eq!(file.password(&lookup("h:x", 5432, "dd", "u")), None);
        assert_eq!(file.password(&lookup("*", 5432, "d", "u")), Some("star"));
        assert_eq!(file.password(&lookup("h", 5432, "d", "u")), None);
    }

    #[test]
    fn localhost_matches_the_default_socket() {
        let file = PassFile::parse(Path::new("pgpass"), "localhost:5432:*:*:local\n");
        let mut socket = lookup("/var/run/postgresql", 5432, "db", "me");
        assert_eq!(file.password(&socket), None);
        socket.default_socket = true;
        assert_eq!(file.password(&socket), Some("local"));
        assert_eq!(
            file.password(&lookup("localhost", 5432, "db", "me")),
            Some("local")
        );
        let file = PassFile::parse(Path::new("pgpass"), "/sock:5432:*:*:bydir\n");
        assert_eq!(
            file.password(&lookup("/sock", 5432, "db", "me")),
            Some("bydir")
        );
    }

    #[cfg(unix)]
    #[test]
    fn open_files_are_skipped_with_a_note() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch_dir();
        let path = dir.join("pgpass");
        std::fs::write(&path, "*:*:*:*:secret\n").expect("write");
        let set_mode = |mode| {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod")
        };
        set_mode(0o644);
        let mut notes = Vec::new();
        assert!(PassFile::read(&path, &mut notes).is_none());
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("has group or world access"), "{notes:?}");
        assert!(!notes[0].contains("secret"));
        set_mode(0o600);
        let mut notes = Vec::new();
        let file = PassFile::read(&path, &mut notes).expect("0600 is read");
        assert!(notes.is_empty());
        assert_eq!(file.password(&lookup("h", 1, "d", "u")), Some("secret"));
        // Missing: silent. A directory: a note.
        assert!(PassFile::read(&dir.join("missing"), &mut notes).is_none());
        assert!(notes.is_empty());
        assert!(PassFile::read(&dir, &mut notes).is_none());
        assert!(notes[0].contains("is not a plain file"), "{notes:?}");
    }
}
