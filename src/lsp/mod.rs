//! The language server (`schemac lsp`): the Language Server Protocol over
//! stdio (lsp-server, lsp-types) for `.schema` and `.sql` files.
//!
//! - diagnostics on open and change: what `schemac check` reports
//!   (`cli::check::findings`: parse and validation errors, lint findings,
//!   and migration findings when the project names a current schema),
//!   with the same rule ids and positions;
//! - quick fixes: inline suppressions for lint findings, removal of unused
//!   ones (`actions`);
//! - hover on any object the Model holds (tables and what they hold,
//!   views, functions and procedures, types, sequences, schemas,
//!   extensions): its SQL definition and facts (a function's signature,
//!   language and volatility; a view's output columns as the database
//!   has them) and, when `--from`/`[lsp] from` or `--db`/`[lsp] db` names
//!   a current schema, the plan steps that touch it (`hover`);
//! - formatting of `.schema` files through `fmt`'s printer.
//!
//! Invariants: one thread answers messages in order; diagnostics are
//! published once the queue of incoming messages is empty, so a burst of
//! keystrokes is checked once; nothing is written to stdout but protocol
//! messages; a failing request is answered with an error, never a panic or
//! a dead server; the database (hover only) is read, never changed: the
//! plan is made without a shadow database, without the data checks, and
//! at most once per edit.

mod actions;
mod hover;
pub mod text;
mod workspace;

use crate::config::{Citus, Database};
use crate::diagnostics::Severity;
use crate::frontend::dsl::fmt::format_source;
use crate::live::{self, ConnParams, LiveOptions, ShadowChoice};
use crate::model::citus_off;
use crate::plan::{plan_models, PlanOptions, Step};
use crate::source::{FileId, Language, SourceFile};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Exit, Notification as _, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{CodeActionRequest, Formatting, HoverRequest, Request as _, Shutdown};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, DiagnosticSeverity, DidChangeTextDocumentParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DocumentFormattingParams, Hover,
    HoverContents, HoverParams, HoverProviderCapability, InitializeParams, MarkupContent,
    MarkupKind, MessageType, NumberOrString, OneOf, PositionEncodingKind, PublishDiagnosticsParams,
    ServerCapabilities, ServerInfo, ShowMessageParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextEdit, Uri,
};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;
use text::LineIndex;
use workspace::{Document, Unit, Workspace};

/// The `source` of every diagnostic the server publishes.
pub const SOURCE: &str = "schemac";

/// How long a hover waits for the database's plan.
const DATABASE_TIMEOUT: Duration = Duration::from_secs(10);

/// What the command line says (`schemac lsp [--config F] [--from P] [--db URL]`).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The settings file, relative to the workspace root.
    pub config: Option<PathBuf>,
    /// The current schema's files, overriding `[lsp] from`.
    pub from: Vec<PathBuf>,
    /// The database hovers plan against, overriding `[lsp] db`.
    pub db: Option<String>,
}

/// A failure of the connection itself (requests that fail are answered
/// with an error instead).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LspError {
    #[error("language server protocol error: {0}")]
    #[diagnostic(
        code("lsp-protocol"),
        help("`schemac lsp` is started by an editor, which talks to it over stdin and stdout (docs/editors.md)")
    )]
    Protocol(String),
    #[error("language server i/o error: {0}")]
    #[diagnostic(code("lsp-io"))]
    Io(#[from] std::io::Error),
}

impl From<lsp_server::ProtocolError> for LspError {
    fn from(err: lsp_server::ProtocolError) -> LspError {
        if err.channel_is_disconnected() {
            LspError::Protocol(
                "the input ended, or a message was not a Content-Length header and JSON body"
                    .to_string(),
            )
        } else {
            LspError::Protocol(err.to_string())
        }
    }
}

/// How the session ended: the LSP specification wants exit code 0 only
/// when `shutdown` came before `exit` (or before the input ended), 1
/// otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    AfterShutdown,
    WithoutShutdown,
}

/// Serves one editor over stdin and stdout until it says `exit` (or its
/// side of the pipe closes).
pub fn serve_stdio(settings: Settings) -> Result<Ending, LspError> {
    let (connection, io_threads) = Connection::stdio();
    let ending = serve(&connection, settings)?;
    drop(connection);
    io_threads.join()?;
    Ok(ending)
}

/// Serves one client over a connection: initialize, then the main loop.
pub fn serve(connection: &Connection, settings: Settings) -> Result<Ending, LspError> {
    let capabilities = ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        document_formatting_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    };
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params)
        .map_err(|err| LspError::Protocol(format!("invalid initialize parameters: {err}")))?;
    let result = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": ServerInfo {
            name: "schemac".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        },
    });
    connection.initialize_finish(id, result)?;
    let mut server = Server {
        connection,
        workspace: Workspace::new(root_of(&params), settings),
        published: BTreeSet::new(),
        shown: BTreeSet::new(),
        plan: None,
    };
    server.run()
}

/// The workspace root: the first workspace folder, else the root URI,
/// else the current directory.
#[allow(deprecated)] // root_uri: older clients send only it.
fn root_of(params: &InitializeParams) -> PathBuf {
    let from_folders = params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .and_then(|folder| text::uri_to_path(folder.uri.as_str()));
    from_folders
        .or_else(|| {
            params
                .root_uri
                .as_ref()
                .and_then(|uri| text::uri_to_path(uri.as_str()))
        })
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The plan hovers show, made once per edit.
struct PlanView {
    generation: u64,
    /// What the plan starts from, for the hover's heading.
    against: String,
    steps: Result<Vec<Step>, String>,
    /// Output columns of the database's views (empty without a database).
    outputs: hover::ViewOutputs,
}

struct Server<'a> {
    connection: &'a Connection,
    workspace: Workspace,
    /// URIs whose last published diagnostics were not empty.
    published: BTreeSet<String>,
    /// Problems already shown to the user (each is shown once).
    shown: BTreeSet<String>,
    plan: Option<PlanView>,
}

impl Server<'_> {
    /// The main loop. After `shutdown` every request but `exit` is
    /// refused (`InvalidRequest`) and notifications are dropped, as the
    /// specification asks.
    fn run(&mut self) -> Result<Ending, LspError> {
        let mut dirty = false;
        let mut ending = Ending::WithoutShutdown;
        loop {
            let message = match self.connection.receiver.try_recv() {
                Ok(message) => message,
                Err(_) if dirty && ending == Ending::WithoutShutdown => {
                    self.publish()?;
                    dirty = false;
                    continue;
                }
                Err(_) => match self.connection.receiver.recv() {
                    Ok(message) => message,
                    Err(_) => return Ok(ending),
                },
            };
            match message {
                Message::Request(request) if ending == Ending::AfterShutdown => {
                    let refused = Response::new_err(
                        request.id,
                        ErrorCode::InvalidRequest as i32,
                        format!("{} after shutdown: the server is exiting", request.method),
                    );
                    self.send(refused.into())?;
                }
                Message::Request(request) if request.method == Shutdown::METHOD => {
                    ending = Ending::AfterShutdown;
                    self.send(Response::new_ok(request.id, ()).into())?;
                }
                Message::Request(request) => {
                    let response = self.answer(request);
                    self.send(response.into())?;
                }
                Message::Notification(notification) if notification.method == Exit::METHOD => {
                    return Ok(ending);
                }
                Message::Notification(_) if ending == Ending::AfterShutdown => {}
                Message::Notification(notification) => {
                    dirty |= self.notified(notification);
                }
                Message::Response(_) => {}
            }
        }
    }

    fn send(&self, message: Message) -> Result<(), LspError> {
        self.connection
            .sender
            .send(message)
            .map_err(|err| LspError::Protocol(format!("the editor hung up: {err}")))
    }

    /// Handles a notification; true when documents changed.
    fn notified(&mut self, notification: Notification) -> bool {
        let changed = match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(params) =
                    serde_json::from_value::<DidOpenTextDocumentParams>(notification.params)
                else {
                    return false;
                };
                let doc = params.text_document;
                let uri = doc.uri.as_str().to_string();
                self.workspace.docs.insert(
                    uri.clone(),
                    Document::new(uri, &doc.language_id, doc.text, doc.version),
                );
                true
            }
            DidChangeTextDocument::METHOD => {
                let Ok(params) =
                    serde_json::from_value::<DidChangeTextDocumentParams>(notification.params)
                else {
                    return false;
                };
                let uri = params.text_document.uri.as_str();
                let Some(doc) = self.workspace.docs.get_mut(uri) else {
                    return false;
                };
                // Full synchronisation: the last change holds the whole text.
                if let Some(change) = params.content_changes.into_iter().last() {
                    doc.text = change.text;
                }
                doc.version = params.text_document.version;
                true
            }
            DidCloseTextDocument::METHOD => {
                let Ok(params) =
                    serde_json::from_value::<DidCloseTextDocumentParams>(notification.params)
                else {
                    return false;
                };
                self.workspace
                    .docs
                    .remove(params.text_document.uri.as_str())
                    .is_some()
            }
            // Saved files and files changed outside the editor are read
            // again on the next analysis.
            DidSaveTextDocument::METHOD | DidChangeWatchedFiles::METHOD => true,
            _ => false,
        };
        if changed {
            self.workspace.generation += 1;
        }
        changed
    }

    fn answer(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        let res = match request.method.as_str() {
            HoverRequest::METHOD => params(request).map(|params| to_json(self.hover(params))),
            CodeActionRequest::METHOD => {
                params(request).map(|params| to_json(self.code_actions(params)))
            }
            Formatting::METHOD => params(request).map(|params| to_json(self.format(params))),
            _ => Err(Response::new_err(
                id.clone(),
                ErrorCode::MethodNotFound as i32,
                format!("schemac lsp does not handle {}", request.method),
            )),
        };
        match res {
            Ok(value) => Response::new_ok(id, value),
            Err(mut response) => {
                response.id = id;
                response
            }
        }
    }

    /// Checks every open document's schema and publishes the findings.
    fn publish(&mut self) -> Result<(), LspError> {
        let (units, problems) = self.workspace.units();
        for problem in problems {
            self.show(problem)?;
        }
        let mut now = BTreeSet::new();
        for unit in &units {
            let all = unit.all_sources();
            for (idx, uri) in unit.uris.iter().enumerate() {
                let file = FileId(idx as u32);
                let diagnostics: Vec<lsp_types::Diagnostic> = unit
                    .diagnostics
                    .iter()
                    .filter(|diagnostic| diagnostic.primary.span.file == file)
                    .map(|diagnostic| to_lsp(diagnostic, &all))
                    .collect();
                let open = self.workspace.docs.get(uri);
                if diagnostics.is_empty() && open.is_none() && !self.published.contains(uri) {
                    continue;
                }
                if !diagnostics.is_empty() {
                    now.insert(uri.clone());
                }
                self.send_diagnostics(uri, diagnostics, open.map(|doc| doc.version))?;
            }
        }
        for stale in self.published.difference(&now).cloned().collect::<Vec<_>>() {
            let covered = units.iter().any(|unit| unit.uris.contains(&stale));
            if !covered {
                self.send_diagnostics(&stale, Vec::new(), None)?;
            }
        }
        self.published = now;
        Ok(())
    }

    fn send_diagnostics(
        &self,
        uri: &str,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) -> Result<(), LspError> {
        let Ok(uri) = Uri::from_str(uri) else {
            return Ok(());
        };
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Notification::new(PublishDiagnostics::METHOD.to_string(), params).into())
    }

    /// Shows a problem (a bad settings file, a missing path) once.
    fn show(&mut self, message: String) -> Result<(), LspError> {
        if !self.shown.insert(message.clone()) {
            return Ok(());
        }
        let params = ShowMessageParams {
            typ: MessageType::WARNING,
            message,
        };
        self.send(Notification::new(ShowMessage::METHOD.to_string(), params).into())
    }

    fn hover(&mut self, params: HoverParams) -> Option<Hover> {
        let position = params.text_document_position_params;
        let uri = position.text_document.uri.as_str();
        let unit = self.workspace.unit_of(uri).ok()?;
        let file_id = unit.file_of_uri(uri)?;
        let file = unit.desired.file(file_id)?;
        let offset = LineIndex::new(&file.text).offset(position.position);
        let model = crate::cli::compile(&unit.desired).value;
        let found = hover::object_at(&model, file_id, offset)?;
        let definition = hover::definition(&model, &found.id)?;
        let plan = if unit.is_project {
            self.plan_for(&unit, &model)
        } else {
            None
        };
        let no_outputs = hover::ViewOutputs::new();
        let outputs = plan.map_or(&no_outputs, |plan| &plan.outputs);
        let mut value = format!(
            "**{}** ({})\n\n",
            hover::title(&model, &found.id),
            hover::location(&unit.desired, file_id, found.start),
        );
        for fact in hover::facts(&model, &found.id, outputs) {
            value.push_str(&format!("- {fact}\n"));
        }
        value.push_str(&format!("\n```sql\n{definition}\n```\n"));
        if let Some(plan) = plan {
            value.push('\n');
            match &plan.steps {
                Ok(steps) => {
                    value.push_str(&hover::steps_markdown(steps, &found.id, &plan.against))
                }
                Err(why) => value.push_str(&format!(
                    "**Plan** ({}): not available: {why}",
                    plan.against
                )),
            }
        }
        let index = LineIndex::new(&file.text);
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range: Some(index.range(found.start, found.end)),
        })
    }

    /// The plan from the project's current schema (or database) to the
    /// desired one, made at most once per edit; `None` when the project
    /// names neither.
    fn plan_for(&mut self, unit: &Unit, desired: &crate::model::Model) -> Option<&PlanView> {
        let generation = self.workspace.generation;
        if self
            .plan
            .as_ref()
            .is_some_and(|plan| plan.generation == generation)
        {
            return self.plan.as_ref();
        }
        let options = &unit.options;
        let database = self.workspace.database(options);
        let view = if let Some(current) = &unit.current {
            let mut current = crate::cli::compile(current);
            let mut desired = desired.clone();
            let against = format!(
                "from {}",
                self.workspace
                    .current_paths(options)
                    .iter()
                    .map(|path| path
                        .strip_prefix(&self.workspace.root)
                        .unwrap_or(path)
                        .display()
                        .to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let steps = if current.has_errors() {
                Err("the current schema has errors".to_string())
            } else {
                if options.citus == Citus::Off {
                    citus_off(&mut current.value, &mut desired);
                }
                let plan_options = PlanOptions {
                    server_version: options.lint.target_version,
                    ..PlanOptions::default()
                };
                plan_models(&current.value, &desired, &plan_options)
                    .map(|plan| plan.steps)
                    .map_err(|err| err.to_string())
            };
            PlanView {
                generation,
                against,
                steps,
                outputs: hover::ViewOutputs::new(),
            }
        } else {
            match database {
                Database::Url(url) => {
                    let (steps, outputs) =
                        match plan_against_database(url.expose_secret(), desired, options.citus) {
                            Ok((steps, outputs)) => (Ok(steps), outputs),
                            Err(why) => (Err(why), hover::ViewOutputs::new()),
                        };
                    PlanView {
                        generation,
                        against: "against the database".to_string(),
                        steps,
                        outputs,
                    }
                }
                Database::Blank => PlanView {
                    generation,
                    against: "against the database".to_string(),
                    steps: Err("[lsp] db is empty".to_string()),
                    outputs: hover::ViewOutputs::new(),
                },
                Database::Absent => return None,
            }
        };
        self.plan = Some(view);
        self.plan.as_ref()
    }

    fn code_actions(&mut self, params: CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
        let uri = params.text_document.uri;
        let doc = self.workspace.docs.get(uri.as_str())?;
        let actions =
            actions::quick_fixes(&uri, &doc.text, doc.language, &params.context.diagnostics);
        Some(
            actions
                .into_iter()
                .map(CodeActionOrCommand::CodeAction)
                .collect(),
        )
    }

    /// `.schema` documents in canonical formatting (one edit replacing the
    /// text); `None` for `.sql` documents and text that does not parse.
    fn format(&mut self, params: DocumentFormattingParams) -> Option<Vec<TextEdit>> {
        let doc = self.workspace.docs.get(params.text_document.uri.as_str())?;
        if doc.language != Language::Schema {
            return None;
        }
        let path = doc.path.clone().unwrap_or_else(|| PathBuf::from(&doc.uri));
        let file = SourceFile::new(FileId(0), path, doc.text.clone(), Language::Schema);
        let formatted = format_source(&file).ok()?;
        if formatted == doc.text {
            return Some(Vec::new());
        }
        let index = LineIndex::new(&doc.text);
        Some(vec![TextEdit::new(index.full_range(), formatted)])
    }
}

/// The plan against a live database and the output columns of its views:
/// read only, no shadow database, no data checks, given up after
/// [`DATABASE_TIMEOUT`].
fn plan_against_database(
    url: &str,
    desired: &crate::model::Model,
    citus: Citus,
) -> Result<(Vec<Step>, hover::ViewOutputs), String> {
    let conn = ConnParams::parse(url).map_err(|err| err.to_string())?;
    let live_options = LiveOptions {
        shadow: ShadowChoice::Offline,
        shadow_scope: crate::live::ShadowScope::default(),
        citus,
        preflight: crate::apply::PreflightSettings {
            skip: crate::apply::PreflightRule::ALL.into_iter().collect(),
            ..crate::apply::PreflightSettings::default()
        },
        fingerprint: false,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| err.to_string())?;
    runtime.block_on(async {
        match tokio::time::timeout(
            DATABASE_TIMEOUT,
            live::plan_against_db(&conn, desired, &live_options),
        )
        .await
        {
            Ok(Ok(live)) => {
                let outputs = live
                    .current
                    .views
                    .into_iter()
                    .map(|(name, view)| (name, view.output.0))
                    .collect();
                Ok((live.plan.steps, outputs))
            }
            Ok(Err(err)) => Err(err.to_string()),
            Err(_) => Err(format!(
                "the database did not answer within {} s",
                DATABASE_TIMEOUT.as_secs()
            )),
        }
    })
}

fn to_json(value: impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// A request's parameters, or the error response naming what is wrong.
fn params<P: serde::de::DeserializeOwned>(request: Request) -> Result<P, Response> {
    serde_json::from_value(request.params).map_err(|err| {
        Response::new_err(
            RequestId::from(0),
            ErrorCode::InvalidParams as i32,
            format!("invalid parameters for {}: {err}", request.method),
        )
    })
}

/// A schemac diagnostic as LSP's: range from the primary span (UTF-16
/// positions), rule id as the code, help after the message.
fn to_lsp(
    diagnostic: &crate::diagnostics::Diagnostic,
    sources: &crate::source::SourceSet,
) -> lsp_types::Diagnostic {
    let span = diagnostic.primary.span;
    let range = sources
        .file(span.file)
        .map_or_else(Default::default, |file| {
            LineIndex::new(&file.text).range(span.start as usize, span.end as usize)
        });
    let mut message = diagnostic.message.clone();
    if !diagnostic.primary.text.is_empty() {
        message.push_str(&format!(" ({})", diagnostic.primary.text));
    }
    if let Some(step) = diagnostic.step {
        message.push_str(&format!(" [plan step {step}]"));
    }
    if let Some(help) = &diagnostic.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    lsp_types::Diagnostic {
        range,
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(diagnostic.code.to_string())),
        source: Some(SOURCE.to_string()),
        message,
        ..lsp_types::Diagnostic::default()
    }
}
