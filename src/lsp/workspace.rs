//! The open documents and the schemas they belong to.
//!
//! A document that is one of the project's files (`paths` in schemac.toml,
//! else every `.schema` and `.sql` file under the workspace root) is
//! checked with the whole project, as `schemac check` checks it, with the
//! text of every open document in place of the file on disk; any other
//! document is checked alone. The project's current schema (`--from`, else
//! `[lsp] from`) adds the migration rules, as `schemac check --from` does.
//!
//! Invariants: files are read afresh for every analysis (an edit saved by
//! another program is seen); the settings file is read afresh too, so an
//! edit to schemac.toml takes effect on the next keystroke.

use super::text::path_to_uri;
use super::Settings;
use crate::cli::check;
use crate::cli::load_sources;
use crate::config::{Database, Environment, Options, Overrides, CONFIG_FILE};
use crate::diagnostics::Diagnostic;
use crate::source::{language_of, Language, SourceFile, SourceSet};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// An open document.
#[derive(Debug, Clone)]
pub struct Document {
    pub uri: String,
    /// Its file, for a `file:` URI.
    pub path: Option<PathBuf>,
    pub text: String,
    pub language: Language,
    pub version: i32,
}

impl Document {
    pub fn new(uri: String, language_id: &str, text: String, version: i32) -> Document {
        let path = super::text::uri_to_path(&uri);
        let language = path.as_deref().and_then(language_of).unwrap_or(
            if language_id.eq_ignore_ascii_case("sql") {
                Language::Sql
            } else {
                Language::Schema
            },
        );
        Document {
            uri,
            path,
            text,
            language,
            version,
        }
    }
}

/// One schema checked as a whole.
#[derive(Debug)]
pub struct Unit {
    pub options: Options,
    /// The desired schema's files (ids from 0).
    pub desired: SourceSet,
    /// The current schema's files (ids after the desired ones), when the
    /// project names one.
    pub current: Option<SourceSet>,
    /// The URI of each file of `desired` then `current`, by file id.
    pub uris: Vec<String>,
    /// What `schemac check` reports on these files.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether this is the project (not a document checked alone).
    pub is_project: bool,
}

impl Unit {
    /// `desired` followed by `current`: every file a span may point into.
    pub fn all_sources(&self) -> SourceSet {
        let mut all = self.desired.clone();
        if let Some(current) = &self.current {
            all.files.extend(current.files.iter().cloned());
        }
        all
    }

    pub fn file_of_uri(&self, uri: &str) -> Option<crate::source::FileId> {
        self.uris
            .iter()
            .position(|known| known == uri)
            .map(|idx| crate::source::FileId(idx as u32))
    }
}

/// The server's state: settings and open documents.
#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub settings: Settings,
    pub docs: BTreeMap<String, Document>,
    /// Bumped on every change to a document; the plan cache's key.
    pub generation: u64,
}

impl Workspace {
    pub fn new(root: PathBuf, settings: Settings) -> Workspace {
        Workspace {
            root,
            settings,
            docs: BTreeMap::new(),
            generation: 0,
        }
    }

    /// The settings in effect: `--config`, else `schemac.toml` in the
    /// workspace root, else the defaults with the root as the schema.
    pub fn options(&self) -> Result<Options, String> {
        let config = self
            .settings
            .config
            .clone()
            .or_else(|| Some(self.root.join(CONFIG_FILE)).filter(|path| path.is_file()));
        let res = match config {
            Some(path) => Options::load(Some(&self.root.join(path)), Overrides::default()),
            None => Options::resolve(
                None,
                &Environment::default(),
                Overrides {
                    paths: vec![self.root.clone()],
                    ..Overrides::default()
                },
            ),
        };
        res.map_err(|err| format!("schemac: {err}"))
    }

    /// The current schema's paths: `--from`, else `[lsp] from`.
    pub fn current_paths(&self, options: &Options) -> Vec<PathBuf> {
        if self.settings.from.is_empty() {
            options.lsp.from.clone()
        } else {
            self.settings
                .from
                .iter()
                .map(|path| self.root.join(path))
                .collect()
        }
    }

    /// The database hovers plan against: `--db`, else `[lsp] db`.
    pub fn database(&self, options: &Options) -> Database {
        match &self.settings.db {
            Some(db) => Database::resolve(Some(db), None),
            None => options.lsp.database.clone(),
        }
    }

    /// The project with the open documents' text, when it can be read.
    fn project(&self, options: &Options) -> Result<Unit, String> {
        let desired = self.overlay(
            load_sources(&absolute(&self.root, &options.paths), 0)
                .map_err(|err| format!("schemac: {err}"))?,
        );
        let from = self.current_paths(options);
        let current = if from.is_empty() {
            None
        } else {
            Some(
                self.overlay(
                    load_sources(&from, desired.files.len() as u32)
                        .map_err(|err| format!("schemac: [lsp] from: {err}"))?,
                ),
            )
        };
        let uris = desired
            .files
            .iter()
            .chain(current.iter().flat_map(|set| set.files.iter()))
            .map(|file| self.uri_of(&file.path))
            .collect();
        let diagnostics = check::findings(options, &desired, current.as_ref())
            .map_err(|err| format!("schemac: {err}"))?;
        Ok(Unit {
            options: options.clone(),
            desired,
            current,
            uris,
            diagnostics,
            is_project: true,
        })
    }

    /// A document checked alone.
    fn alone(&self, options: &Options, doc: &Document) -> Result<Unit, String> {
        let mut desired = SourceSet::default();
        let path = doc.path.clone().unwrap_or_else(|| PathBuf::from(&doc.uri));
        desired.add(path, doc.text.clone(), doc.language);
        let diagnostics =
            check::findings(options, &desired, None).map_err(|err| format!("schemac: {err}"))?;
        Ok(Unit {
            options: options.clone(),
            desired,
            current: None,
            uris: vec![doc.uri.clone()],
            diagnostics,
            is_project: false,
        })
    }

    /// The units covering every open document (the project first, when an
    /// open document belongs to it), and the problems met on the way.
    pub fn units(&self) -> (Vec<Unit>, Vec<String>) {
        let mut problems = Vec::new();
        let options = match self.options() {
            Ok(options) => options,
            Err(problem) => {
                problems.push(problem);
                match Options::resolve(None, &Environment::default(), Overrides::default()) {
                    Ok(options) => options,
                    Err(err) => return (Vec::new(), vec![err.to_string()]),
                }
            }
        };
        let mut units = Vec::new();
        match self.project(&options) {
            Ok(project) => {
                if self.docs.keys().any(|uri| project.uris.contains(uri)) {
                    units.push(project);
                }
            }
            Err(problem) => problems.push(problem),
        }
        for doc in self.docs.values() {
            if units.iter().any(|unit| unit.uris.contains(&doc.uri)) {
                continue;
            }
            match self.alone(&options, doc) {
                Ok(unit) => units.push(unit),
                Err(problem) => problems.push(problem),
            }
        }
        (units, problems)
    }

    /// The unit holding one document.
    pub fn unit_of(&self, uri: &str) -> Result<Unit, String> {
        let options = self.options()?;
        if let Ok(project) = self.project(&options) {
            if project.uris.iter().any(|known| known == uri) {
                return Ok(project);
            }
        }
        let doc = self
            .docs
            .get(uri)
            .ok_or_else(|| format!("{uri} is not open"))?;
        self.alone(&options, doc)
    }

    /// Replaces the text of files that are open in the editor.
    fn overlay(&self, set: SourceSet) -> SourceSet {
        let files = set
            .files
            .into_iter()
            .map(|file| {
                let key = canonical(&file.path);
                let open = self
                    .docs
                    .values()
                    .find(|doc| doc.path.as_deref().map(canonical).as_ref() == Some(&key));
                match open {
                    Some(doc) => {
                        SourceFile::new(file.id, file.path, doc.text.clone(), file.language)
                    }
                    None => file,
                }
            })
            .collect();
        SourceSet { files }
    }

    /// The URI of a project file: an open document's own URI when it is
    /// open (editors compare URIs as text), else built from the path.
    fn uri_of(&self, path: &Path) -> String {
        let key = canonical(path);
        self.docs
            .values()
            .find(|doc| doc.path.as_deref().map(canonical).as_ref() == Some(&key))
            .map_or_else(|| path_to_uri(&key), |doc| doc.uri.clone())
    }
}

fn absolute(root: &Path, paths: &[PathBuf]) -> Vec<PathBuf> {
    paths.iter().map(|path| root.join(path)).collect()
}

/// The path with symbolic links and `.`/`..` resolved, when it exists.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}
