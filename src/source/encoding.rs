//! Reading a `.sql` file's bytes as PostgreSQL reads a script: in the
//! client encoding.
//!
//! The server interprets the bytes psql sends in the session's
//! `client_encoding` (<https://www.postgresql.org/docs/current/multibyte.html>),
//! which a script sets for itself with `SET client_encoding = 'LATIN1'`
//! (pg_dump prints `SET client_encoding = 'UTF8'`) or `SET NAMES`;
//! without one it is the database's encoding, UTF8 on every server
//! schemac targets. A byte sequence invalid in that encoding makes
//! PostgreSQL refuse the statement that holds it ("invalid byte sequence
//! for encoding").
//!
//! So the file is decoded in its declared encoding (UTF8, LATIN1 or
//! WIN1252; the first declaration counts for the whole file, and the bytes
//! before it are ASCII in every such file), otherwise as UTF-8. Invalid
//! sequences become U+FFFD and are recorded ([`InvalidByte`]); the `.sql`
//! frontend decides what they mean: an error where they sit inside a
//! statement schemac models (PostgreSQL refuses it, and reading on would
//! mis-read it), one warning where they sit only in data statements that
//! schemac skips anyway (old sample databases kept in Latin-1).
//!
//! Invariant: the text is never changed except at recorded invalid bytes;
//! offsets of the recorded bytes are byte offsets into the decoded text.

/// One byte the file's encoding does not allow, at `offset` in the
/// decoded text (where a U+FFFD stands for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidByte {
    pub offset: usize,
    pub byte: u8,
}

/// A decoded file: its text, the encoding used and the invalid bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// PostgreSQL's name of the encoding the text was read in.
    pub encoding: &'static str,
    pub invalid: Vec<InvalidByte>,
}

/// Decodes a `.sql` file's bytes (see the module doc).
pub fn decode_sql(bytes: &[u8]) -> Decoded {
    match declared_encoding(bytes).as_deref() {
        Some("latin1" | "iso88591") => Decoded {
            text: bytes.iter().map(|&byte| char::from(byte)).collect(),
            encoding: "LATIN1",
            invalid: Vec::new(),
        },
        Some("win1252") => decode_win1252(bytes),
        _ => decode_utf8(bytes),
    }
}

/// UTF-8, each invalid byte replaced by U+FFFD and recorded.
fn decode_utf8(bytes: &[u8]) -> Decoded {
    let mut text = String::with_capacity(bytes.len());
    let mut invalid = Vec::new();
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for &byte in chunk.invalid() {
            invalid.push(InvalidByte {
                offset: text.len(),
                byte,
            });
            text.push(char::REPLACEMENT_CHARACTER);
        }
    }
    Decoded {
        text,
        encoding: "UTF8",
        invalid,
    }
}

/// Windows-1252: Latin-1 except 0x80..0x9F; its five unassigned bytes are
/// invalid, as in PostgreSQL's WIN1252 conversion.
fn decode_win1252(bytes: &[u8]) -> Decoded {
    const HIGH: [Option<char>; 32] = [
        Some('€'),
        None,
        Some('‚'),
        Some('ƒ'),
        Some('„'),
        Some('…'),
        Some('†'),
        Some('‡'),
        Some('ˆ'),
        Some('‰'),
        Some('Š'),
        Some('‹'),
        Some('Œ'),
        None,
        Some('Ž'),
        None,
        None,
        Some('‘'),
        Some('’'),
        Some('“'),
        Some('”'),
        Some('•'),
        Some('–'),
        Some('—'),
        Some('˜'),
        Some('™'),
        Some('š'),
        Some('›'),
        Some('œ'),
        None,
        Some('ž'),
        Some('Ÿ'),
    ];
    let mut text = String::with_capacity(bytes.len());
    let mut invalid = Vec::new();
    for &byte in bytes {
        let ch = match byte {
            0x80..=0x9f => HIGH[usize::from(byte - 0x80)],
            _ => Some(char::from(byte)),
        };
        match ch {
            Some(ch) => text.push(ch),
            None => {
                invalid.push(InvalidByte {
                    offset: text.len(),
                    byte,
                });
                text.push(char::REPLACEMENT_CHARACTER);
            }
        }
    }
    Decoded {
        text,
        encoding: "WIN1252",
        invalid,
    }
}

/// The encoding of the file's first `SET client_encoding {=|TO} 'name'`
/// or `SET NAMES 'name'` line, lower-cased without `_` and `-`
/// (PostgreSQL's names are case- and punctuation-insensitive:
/// `ISO_8859_1`, `latin1`).
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    for line in bytes.split(|&byte| byte == b'\n') {
        let Ok(line) = std::str::from_utf8(line) else {
            continue;
        };
        let words: Vec<String> = line
            .trim()
            .trim_end_matches(';')
            .split(|ch: char| ch.is_whitespace() || ch == '=')
            .filter(|word| !word.is_empty())
            .map(str::to_lowercase)
            .collect();
        let value = match words.as_slice() {
            [set, name, to, value] if set == "set" && name == "client_encoding" && to == "to" => {
                value
            }
            [set, name, value]
                if set == "set" && (name == "client_encoding" || name == "names") =>
            {
                value
            }
            _ => continue,
        };
        let name: String = value
            .trim_matches(|ch| ch == '\'' || ch == '"')
            .chars()
            .filter(|ch| *ch != '_' && *ch != '-')
            .collect();
        return Some(name);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_files_are_read_as_they_are() {
        let decoded = decode_sql("CREATE TABLE café (a int);".as_bytes());
        assert_eq!(decoded.text, "CREATE TABLE café (a int);");
        assert_eq!(decoded.encoding, "UTF8");
        assert!(decoded.invalid.is_empty());
    }

    #[test]
    fn undeclared_latin1_bytes_are_recorded_where_they_stand() {
        let decoded = decode_sql(b"INSERT INTO t VALUES ('Ant\xf4nio');\n");
        assert_eq!(decoded.text, "INSERT INTO t VALUES ('Ant\u{fffd}nio');\n");
        assert_eq!(
            decoded.invalid,
            vec![InvalidByte {
                offset: 26,
                byte: 0xf4
            }]
        );
    }

    #[test]
    fn a_declared_client_encoding_is_honoured() {
        let latin1 =
            decode_sql(b"SET client_encoding = 'LATIN1';\nCOMMENT ON TABLE t IS 'Ant\xf4nio';");
        assert_eq!(latin1.encoding, "LATIN1");
        assert!(latin1.text.ends_with("'Antônio';"));
        assert!(latin1.invalid.is_empty());
        let win = decode_sql(b"SET NAMES 'win1252';\nSELECT '\x80 \x81';");
        assert_eq!(win.encoding, "WIN1252");
        assert!(win.text.ends_with("'€ \u{fffd}';"));
        assert_eq!(win.invalid.len(), 1);
        let dump = decode_sql(b"SET client_encoding TO 'UTF8';\nSELECT '\xf4';");
        assert_eq!(dump.encoding, "UTF8");
        assert_eq!(dump.invalid.len(), 1);
    }
}
