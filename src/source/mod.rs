//! Source files: loading them once, up front, and turning byte offsets into
//! line:column for output.
//!
//! Invariant: a [`Span`] is a byte range into one [`SourceFile`] of a
//! [`SourceSet`]; line and column are computed only when a diagnostic is
//! printed (1-based, columns counted in characters).

pub mod encoding;

use std::path::{Path, PathBuf};

/// Index of a file inside a [`SourceSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// The smallest span covering both (same file assumed).
    pub fn join(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// 1-based line and column (column counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub col: usize,
}

/// A line start found by [`SourceFile::window_before`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineStart {
    /// Byte offset of the line's first character.
    pub offset: usize,
    /// 0-based line number.
    pub line: usize,
}

/// The language a file is written in, decided by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Schema,
    Sql,
}

#[derive(Debug, Clone)]
pub struct SourceFile {
    pub id: FileId,
    /// The path as the user gave it (or as found under a directory).
    pub path: PathBuf,
    pub text: String,
    pub language: Language,
    line_starts: Vec<usize>,
    /// The encoding the file was read in (`UTF8`, or what a `.sql` file
    /// declares, see [`encoding`]).
    pub encoding: &'static str,
    /// Bytes that encoding does not allow, each read as U+FFFD; the `.sql`
    /// frontend judges them. Empty for text that was already a string.
    pub invalid_bytes: Vec<encoding::InvalidByte>,
}

impl SourceFile {
    pub fn new(id: FileId, path: PathBuf, text: String, language: Language) -> SourceFile {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(idx, _)| idx + 1));
        SourceFile {
            id,
            path,
            text,
            language,
            line_starts,
            encoding: "UTF8",
            invalid_bytes: Vec::new(),
        }
    }

    /// 1-based line and character column of a byte offset.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(idx) => idx,
            Err(idx) => idx - 1,
        };
        let line_start = self.line_starts[line_idx];
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let col = self.text[line_start..end].chars().count() + 1;
        LineCol {
            line: line_idx + 1,
            col,
        }
    }

    /// Byte offset of a 1-based line and character column (clamped).
    pub fn offset_of(&self, line: usize, col: usize) -> usize {
        let line_idx = line.saturating_sub(1).min(self.line_starts.len() - 1);
        let line_start = self.line_starts[line_idx];
        let rest = &self.text[line_start..];
        let mut offset = line_start;
        for (n, (idx, _)) in rest.char_indices().enumerate() {
            if n + 1 == col {
                return line_start + idx;
            }
            offset = line_start + idx;
        }
        if col <= 1 {
            line_start
        } else {
            (offset
                + rest[offset - line_start..]
                    .chars()
                    .next()
                    .map_or(0, char::len_utf8))
            .min(self.text.len())
        }
    }

    /// The start of the line `lines_before` lines above the one holding
    /// `offset` (clamped to the first line), with its 0-based line number.
    pub fn window_before(&self, offset: usize, lines_before: usize) -> LineStart {
        let offset = offset.min(self.text.len());
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(idx) => idx,
            Err(idx) => idx - 1,
        };
        let line = line_idx.saturating_sub(lines_before);
        LineStart {
            offset: self.line_starts[line],
            line,
        }
    }

    /// Whether one of the 1-based lines `first..=last` (clamped to the
    /// file) is longer than `limit` characters. Only a line whose byte
    /// length leaves the answer open is counted (at most `4 * limit`
    /// bytes), so asking about a very long line costs nothing.
    pub fn has_line_longer_than(&self, first: usize, last: usize, limit: usize) -> bool {
        let n_lines = self.line_starts.len();
        let first = first.clamp(1, n_lines);
        let last = last.clamp(first, n_lines);
        (first..=last).any(|line| {
            let start = self.line_starts[line - 1];
            let end = self
                .line_starts
                .get(line)
                .copied()
                .unwrap_or(self.text.len());
            let line = &self.text[start..end];
            if line.len() <= limit {
                false
            } else if line.len() > limit.saturating_mul(4) {
                true
            } else {
                line.chars().count() > limit
            }
        })
    }

    pub fn display_path(&self) -> String {
        self.path.display().to_string()
    }
}

/// Errors reading the user's files (operation failures, not findings).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SourceError {
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code("read-error"), help("check that the path exists and is readable"))]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} does not exist")]
    #[diagnostic(
        code("no-such-path"),
        help("pass the schema's files or directories (relative paths start at the current directory)")
    )]
    Missing { path: String },
    #[error("{path} is not a .schema or .sql file")]
    #[diagnostic(
        code("unknown-file-kind"),
        help(
            "schemac reads files ending in .schema or .sql; pass a directory to read all of them"
        )
    )]
    UnknownKind { path: String },
    #[error("no .schema or .sql files found in {path}")]
    #[diagnostic(
        code("no-input"),
        help("pass a directory or files ending in .schema or .sql")
    )]
    Empty { path: String },
}

/// All files of one schema source, in a stable order.
#[derive(Debug, Clone, Default)]
pub struct SourceSet {
    pub files: Vec<SourceFile>,
}

impl SourceSet {
    /// Reads the given paths; directories are walked recursively and their
    /// `.schema` and `.sql` files read in sorted path order.
    pub fn load(paths: &[PathBuf]) -> Result<SourceSet, SourceError> {
        let mut set = SourceSet::default();
        for path in paths {
            if path.is_dir() {
                let mut found = Vec::new();
                collect_dir(path, &mut found)?;
                found.sort();
                if found.is_empty() {
                    return Err(SourceError::Empty {
                        path: path.display().to_string(),
                    });
                }
                for file in found {
                    set.read_file(&file)?;
                }
            } else if !path.exists() {
                return Err(SourceError::Missing {
                    path: path.display().to_string(),
                });
            } else {
                set.read_file(path)?;
            }
        }
        Ok(set)
    }

    fn read_file(&mut self, path: &Path) -> Result<(), SourceError> {
        let language = language_of(path).ok_or_else(|| SourceError::UnknownKind {
            path: path.display().to_string(),
        })?;
        let read_error = |source| SourceError::Read {
            path: path.display().to_string(),
            source,
        };
        if language == Language::Sql {
            // As PostgreSQL reads a script: in its client encoding.
            let bytes = std::fs::read(path).map_err(read_error)?;
            let decoded = encoding::decode_sql(&bytes);
            let id = self.add(path.to_path_buf(), decoded.text, language);
            let file = &mut self.files[id.0 as usize];
            file.encoding = decoded.encoding;
            file.invalid_bytes = decoded.invalid;
            return Ok(());
        }
        let text = std::fs::read_to_string(path).map_err(read_error)?;
        self.add(path.to_path_buf(), text, language);
        Ok(())
    }

    /// Adds an in-memory file (tests, stdin) and returns its id.
    pub fn add(&mut self, path: PathBuf, text: String, language: Language) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile::new(id, path, text, language));
        id
    }

    /// A one-file set; the language is taken from the name's extension
    /// (`.sql` is SQL, everything else the schema language).
    pub fn single(name: &str, text: &str) -> SourceSet {
        let mut set = SourceSet::default();
        let language = language_of(Path::new(name)).unwrap_or(Language::Schema);
        set.add(PathBuf::from(name), text.to_string(), language);
        set
    }

    pub fn file(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }
}

pub fn language_of(path: &Path) -> Option<Language> {
    match path.extension().and_then(|ext| ext.to_str()) {
        Some("schema") => Some(Language::Schema),
        Some("sql") => Some(Language::Sql),
        _ => None,
    }
}

fn collect_dir(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), SourceError> {
    let entries = std::fs::read_dir(dir).map_err(|source| SourceError::Read {
        path: dir.display().to_string(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| SourceError::Read {
            path: dir.display().to_string(),
            source,
        })?;
        let path = entry.path();
        if path.is_dir() {
            collect_dir(&path, out)?;
        } else if language_of(&path).is_some() {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_path_says_so() {
        let err =
            SourceSet::load(&[PathBuf::from("/nonexistent/schema.sql")]).expect_err("missing");
        assert!(matches!(err, SourceError::Missing { .. }), "{err:?}");
        assert_eq!(err.to_string(), "/nonexistent/schema.sql does not exist");
        let err = SourceSet::load(&[PathBuf::from("Cargo.toml")]).expect_err("not a schema");
        assert!(matches!(err, SourceError::UnknownKind { .. }), "{err:?}");
    }

    #[test]
    fn line_col_round_trips() {
        let file = SourceFile::new(
            FileId(0),
            "a.schema".into(),
            "ab\nçd\n\nx".into(),
            Language::Schema,
        );
        assert_eq!(file.line_col(0), LineCol { line: 1, col: 1 });
        assert_eq!(file.line_col(3), LineCol { line: 2, col: 1 });
        assert_eq!(file.line_col(5), LineCol { line: 2, col: 2 });
        assert_eq!(file.offset_of(2, 2), 5);
        assert_eq!(file.offset_of(4, 1), 8);
    }
}
