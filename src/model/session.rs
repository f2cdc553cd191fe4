//! What a schema file does to its own session rather than to the schema:
//! the `search_path` it sets, and the statements the frontend cannot
//! model that PostgreSQL must run as written (`DO` blocks).
//!
//! PostgreSQL resolves the unqualified names inside a SQL function's body
//! when it inlines the function (an index key, a generated column or a
//! partition key that calls it), under the *session's* search_path. A file
//! that says `SET search_path TO app, public` and then creates such a table
//! only builds in a session with that path; the shadow database and apply
//! set it too ([`FileSession::search_path`]).
//!
//! Invariant: none of this is a schema object. [`FileSession`] never takes
//! part in equality (like [`super::Meta`]), so a Model read from a file and
//! one read from the catalog compare equal when their objects do.

use super::Ident;
use crate::source::Span;

/// The file's session: its `search_path` and its verbatim statements.
#[derive(Debug, Clone, Default)]
pub struct FileSession {
    /// The non-empty `search_path` the file leaves its session in, when it
    /// set one (`SET search_path TO pgstac, public`); `None` when the file
    /// never set one, or set it empty (pg_dump's `set_config('search_path',
    /// '', false)`, where every name is qualified anyway).
    pub search_path: Option<Vec<Ident>>,
    /// Statements built as written in the shadow database (`DO` blocks),
    /// in file order; what they create is read back from its catalog.
    pub verbatim: Vec<VerbatimStatement>,
}

/// One statement handed to PostgreSQL as written.
#[derive(Debug, Clone)]
pub struct VerbatimStatement {
    /// The statement's text, without the final `;`.
    pub sql: String,
    /// The file's search_path at the statement (empty: PostgreSQL's
    /// default).
    pub search_path: Vec<Ident>,
    pub span: Span,
    /// For a `CREATE` of an object kind schemac does not model (a
    /// collation, a text search configuration, an operator, a range
    /// type: `CREATE COLLATION`), that kind. Such a statement is built in
    /// the shadow so that what uses the object builds too, but a failure
    /// is a note, not an error (the object is not compared; before it
    /// was built, the statement was only skipped). `None`: a `DO` block
    /// or a call that must build.
    pub unmodelled: Option<String>,
}

impl FileSession {
    /// Merges the session of another file: the later file's path wins (as
    /// when the files run one after another in one session).
    pub fn merge(&mut self, other: FileSession) {
        if other.search_path.is_some() {
            self.search_path = other.search_path;
        }
        self.verbatim.extend(other.verbatim);
    }
}

impl PartialEq for FileSession {
    fn eq(&self, _other: &FileSession) -> bool {
        true
    }
}

impl Eq for FileSession {}

/// `a, "B"`: a path as `SET search_path TO` takes it.
pub fn path_sql(path: &[Ident]) -> String {
    path.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_never_make_models_differ_and_the_later_path_wins() {
        let mut first = FileSession {
            search_path: Some(vec![Ident::new("app")]),
            verbatim: Vec::new(),
        };
        assert_eq!(first, FileSession::default());
        first.merge(FileSession {
            search_path: Some(vec![Ident::new("pgstac"), Ident::new("Odd")]),
            verbatim: Vec::new(),
        });
        let path = first.search_path.expect("merged");
        assert_eq!(path_sql(&path), "pgstac, \"Odd\"");
    }
}
