//! Findings about the user's schema: one [`Diagnostic`] type for parse,
//! validate and lint, so every output format handles all of them.
//!
//! Invariant: a diagnostic always carries a primary [`Label`] with a span into
//! the [`SourceSet`] it was produced from; messages start lowercase, have no
//! final period and name the object.

use crate::source::{SourceSet, Span};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

impl Label {
    pub fn new(span: Span, text: impl Into<String>) -> Label {
        Label {
            span,
            text: text.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// "syntax-error", "unknown-reference", or a lint rule id.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    /// 1-based number of the plan step a migration finding concerns.
    pub step: Option<usize>,
}

impl Diagnostic {
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, span, message)
    }

    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, span, message)
    }

    pub fn info(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Info, code, span, message)
    }

    pub fn new(
        severity: Severity,
        code: &'static str,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            primary: Label::new(span, ""),
            secondary: Vec::new(),
            help: None,
            step: None,
        }
    }

    /// Short text shown under the primary span.
    pub fn with_label(mut self, text: impl Into<String>) -> Diagnostic {
        self.primary.text = text.into();
        self
    }

    pub fn with_secondary(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label::new(span, text));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Binds the diagnostic to its sources so miette can render it.
    pub fn report<'a>(&'a self, sources: &'a SourceSet) -> Report<'a> {
        Report {
            diagnostic: self,
            sources,
        }
    }

    /// `path:line:col: severity[code]: message` (1-based).
    pub fn to_gcc_line(&self, sources: &SourceSet) -> String {
        let (path, line, col) = match sources.file(self.primary.span.file) {
            Some(file) => {
                let lc = file.line_col(self.primary.span.start as usize);
                (file.display_path(), lc.line, lc.col)
            }
            None => ("<unknown>".to_string(), 1, 1),
        };
        format!(
            "{path}:{line}:{col}: {}[{}]: {}",
            self.severity, self.code, self.message
        )
    }
}

/// A value produced by a frontend plus everything noticed on the way.
/// Frontends never stop at the first problem and never panic.
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    pub value: T,
    pub diagnostics: Vec<Diagnostic>,
}

impl<T> Parsed<T> {
    pub fn new(value: T, diagnostics: Vec<Diagnostic>) -> Parsed<T> {
        Parsed { value, diagnostics }
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// A [`Diagnostic`] together with its sources: what miette renders.
pub struct Report<'a> {
    diagnostic: &'a Diagnostic,
    sources: &'a SourceSet,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.sources
            .file(self.diagnostic.primary.span.file)
            .map(|file| file as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let primary_file = self.diagnostic.primary.span.file;
        let labels = std::iter::once(&self.diagnostic.primary)
            .chain(
                self.diagnostic
                    .secondary
                    .iter()
                    .filter(move |label| label.span.file == primary_file),
            )
            .enumerate()
            .map(|(idx, label)| {
                let text = (!label.text.is_empty()).then(|| label.text.clone());
                let span = (label.span.start as usize, label.span.len());
                if idx == 0 {
                    miette::LabeledSpan::new_primary_with_span(text, span)
                } else {
                    miette::LabeledSpan::new_with_span(text, span)
                }
            });
        Some(Box::new(labels))
    }
}

impl miette::SourceCode for crate::source::SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let contents = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.display_path(),
            contents.data(),
            *contents.span(),
            contents.line(),
            contents.column(),
            contents.line_count(),
        )))
    }
}

/// Renders diagnostics with miette's graphical handler (colours only when
/// `color` is true) into a string.
pub fn render_text(diagnostics: &[Diagnostic], sources: &SourceSet, color: bool) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    for diagnostic in diagnostics {
        let report = diagnostic.report(sources);
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&diagnostic.to_gcc_line(sources));
            out.push('\n');
        }
    }
    out
}
