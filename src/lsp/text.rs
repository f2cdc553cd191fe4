//! Positions and document addresses: byte offsets to LSP positions (line
//! and UTF-16 code unit, as LSP counts them) and back, and `file:` URIs to
//! paths and back.
//!
//! Invariant: every conversion clamps instead of failing: a position past
//! the end of a line is the line's end, past the last line the text's end,
//! and an offset inside a character is the character's start.

use lsp_types::{Position, Range};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use std::path::{Path, PathBuf};

/// Line starts of a text, for offset <-> position conversions.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(idx, _)| idx + 1));
        LineIndex { text, starts }
    }

    /// The LSP position of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let character = self.text[self.starts[line]..offset].encode_utf16().count();
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end.max(start)))
    }

    /// The byte offset of an LSP position (clamped to its line).
    pub fn offset(&self, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.text.len();
        };
        let end = self.line_end(position.line as usize);
        let mut units = 0usize;
        for (idx, ch) in self.text[start..end].char_indices() {
            if units >= position.character as usize {
                return start + idx;
            }
            units += ch.len_utf16();
        }
        end
    }

    /// The end of a 0-based line, before its line break.
    fn line_end(&self, line: usize) -> usize {
        let next = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next - 1);
        if next > self.starts[line] && self.text[..next].ends_with('\r') {
            next - 1
        } else {
            next
        }
    }

    /// The text of a 0-based line without its line break ("" past the end).
    pub fn line(&self, line: usize) -> &'a str {
        match self.starts.get(line) {
            Some(&start) => &self.text[start..self.line_end(line)],
            None => "",
        }
    }

    /// The whole text's range.
    pub fn full_range(&self) -> Range {
        self.range(0, self.text.len())
    }
}

/// Characters escaped in a `file:` URI path.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The path of a `file:` URI; `None` for other schemes (`untitled:`).
pub fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file:///path` or `file://localhost/path`.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    if cfg!(windows) {
        // `file:///C:/dir` names `C:/dir`.
        let trimmed = decoded.strip_prefix('/').unwrap_or(&decoded);
        return Some(PathBuf::from(trimmed.replace('/', "\\")));
    }
    Some(PathBuf::from(decoded.into_owned()))
}

/// The `file:` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let text = if text.starts_with('/') {
        text
    } else {
        format!("/{text}")
    };
    format!("file://{}", utf8_percent_encode(&text, PATH))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        // 'é' is one UTF-16 unit (two bytes), '𝄞' two units (four bytes).
        let text = "ab\né𝄞x\r\nlast";
        let index = LineIndex::new(text);
        let x = text.find('x').expect("x");
        assert_eq!(index.position(x), Position::new(1, 3));
        assert_eq!(index.offset(Position::new(1, 3)), x);
        assert_eq!(
            index.offset(Position::new(1, 1)),
            text.find('𝄞').expect("clef")
        );
        // Past the line's end: before the line break.
        assert_eq!(index.offset(Position::new(1, 99)), x + 1);
        assert_eq!(index.line(1), "é𝄞x");
        assert_eq!(index.offset(Position::new(9, 0)), text.len());
        assert_eq!(index.position(text.len()), Position::new(2, 4));
        // Inside a character: its start.
        assert_eq!(index.position(x - 1), Position::new(1, 1));
    }

    #[cfg(unix)]
    #[test]
    fn file_uris_round_trip() {
        let path = Path::new("/tmp/my schema/ü#1.schema");
        let uri = path_to_uri(path);
        assert_eq!(uri, "file:///tmp/my%20schema/%C3%BC%231.schema");
        assert_eq!(uri_to_path(&uri).as_deref(), Some(path));
        assert_eq!(uri_to_path("untitled:Untitled-1"), None);
    }
}
