//! Findings about the user's schema: one [`Diagnostic`] type for parse,
//! validate and lint, so every output format handles all of them.
//!
//! Invariant: a diagnostic always carries a primary [`Label`] with a span into
//! the [`SourceSet`] it was produced from; messages start lowercase, have no
//! final period and name the object.

pub mod suggest;

use crate::source::{SourceSet, Span};

/// Lines longer than this (in characters) are not shown as a miette snippet:
/// miette pads to the label's column, which fails past 65,535 columns, and
/// such lines (minified SQL, generated files) are unreadable in a terminal.
const MAX_SNIPPET_LINE: usize = 1_000;

/// Characters shown on each side of the span in a cropped excerpt.
const EXCERPT_CONTEXT: usize = 60;
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
            snippet: true,
        }
    }

    /// Whether the lines miette would print around the labels (one line of
    /// context on each side) are all short enough to show as a snippet.
    fn fits_snippet(&self, sources: &SourceSet) -> bool {
        let Some(file) = sources.file(self.primary.span.file) else {
            return true;
        };
        let lines = std::iter::once(&self.primary)
            .chain(
                self.secondary
                    .iter()
                    .filter(|label| label.span.file == file.id),
            )
            .flat_map(|label| {
                [
                    file.line_col(label.span.start as usize).line,
                    file.line_col(label.span.end as usize).line,
                ]
            });
        let (first, last) = lines.fold((usize::MAX, 0), |(lo, hi), line| {
            (lo.min(line), hi.max(line))
        });
        !file.has_line_longer_than(first.saturating_sub(1), last + 1, MAX_SNIPPET_LINE)
    }

    /// `  --> path:line:col` and the primary line cropped around the span,
    /// with a caret line: what replaces miette's snippet for long lines.
    fn cropped_excerpt(&self, sources: &SourceSet) -> String {
        let Some(file) = sources.file(self.primary.span.file) else {
            return String::new();
        };
        // Only the characters shown are visited (never the whole line), so
        // a finding on a line of 100 KB costs what its excerpt costs.
        let mut start = (self.primary.span.start as usize).min(file.text.len());
        while !file.text.is_char_boundary(start) {
            start -= 1;
        }
        let at = file.line_col(start);
        let line_start = file.offset_of(at.line, 1).min(start);
        let line_end = file.text[start..]
            .find('\n')
            .map_or(file.text.len(), |idx| start + idx);
        let before = &file.text[line_start..start];
        let after = &file.text[start..line_end];
        let mut shown: Vec<char> = before.chars().rev().take(EXCERPT_CONTEXT).collect();
        shown.reverse();
        let cropped_left = before.chars().rev().nth(EXCERPT_CONTEXT).is_some();
        let col = shown.len();
        shown.extend(after.chars().take(EXCERPT_CONTEXT));
        let cropped_right = after.chars().nth(EXCERPT_CONTEXT).is_some();
        let from = usize::from(cropped_left);
        let mut excerpt = String::new();
        if cropped_left {
            excerpt.push('…');
        }
        excerpt.extend(shown.iter().map(|c| if c.is_control() { ' ' } else { *c }));
        if cropped_right {
            excerpt.push('…');
        }
        let caret_pad = col + from;
        let caret_len = self.primary.span.len().clamp(1, EXCERPT_CONTEXT.max(1));
        let mut res = format!("  --> {}:{}:{}\n", file.display_path(), at.line, at.col);
        res.push_str(&format!("   | {excerpt}\n"));
        res.push_str(&format!(
            "   | {}{} {}\n",
            " ".repeat(caret_pad),
            "^".repeat(caret_len),
            self.primary.text
        ));
        res
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
    /// Show the source snippet (false when its lines are too long to print).
    snippet: bool,
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
        if !self.snippet {
            return None;
        }
        self.sources
            .file(self.diagnostic.primary.span.file)
            .map(|file| file as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        if !self.snippet {
            return None;
        }
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
    /// miette's own reader for `str` scans the text from its first byte on
    /// every call, so rendering N findings of a large file cost N times the
    /// file. The same reader runs here on the text from a line start a few
    /// lines before the span (found with the file's line index), and the
    /// offsets and line numbers it reports are shifted back: the contents are
    /// identical, and the cost follows the span and its context lines.
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let window = self.window_before(span.offset(), context_lines_before + 1);
        let local = miette::SourceSpan::new(
            span.offset().saturating_sub(window.offset).into(),
            span.len(),
        );
        let contents = self.text[window.offset..].read_span(
            &local,
            context_lines_before,
            context_lines_after,
        )?;
        let start = contents.span().offset() + window.offset;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.display_path(),
            contents.data(),
            (start, contents.span().len()).into(),
            contents.line() + window.line,
            contents.column(),
            contents.line_count() + window.line,
        )))
    }
}

/// Renders diagnostics with miette's graphical handler (colours only when
/// `color` is true) into a string.
pub fn render_text(diagnostics: &[Diagnostic], sources: &SourceSet, color: bool) -> String {
    let reports = TextReports::new(color);
    let mut out = String::new();
    for diagnostic in diagnostics {
        reports.render(diagnostic, sources, &mut out);
    }
    out
}

/// miette's graphical handler, set up once for many reports.
pub struct TextReports {
    handler: miette::GraphicalReportHandler,
}

impl TextReports {
    /// Colours only when `color` is true.
    pub fn new(color: bool) -> TextReports {
        let theme = if color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        TextReports {
            handler: miette::GraphicalReportHandler::new_themed(theme).with_width(100),
        }
    }

    /// Appends one diagnostic's report to `out`: a snippet when its lines
    /// are short enough, else a cropped excerpt; a gcc line if miette fails.
    pub fn render(&self, diagnostic: &Diagnostic, sources: &SourceSet, out: &mut String) {
        let mut report = diagnostic.report(sources);
        report.snippet = diagnostic.fits_snippet(sources);
        if self.handler.render_report(out, &report).is_err() {
            out.push_str(&diagnostic.to_gcc_line(sources));
            out.push('\n');
        } else if !report.snippet {
            out.push_str(&diagnostic.cropped_excerpt(sources));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use miette::SourceCode;

    /// The windowed reader returns exactly what miette's reader returns on
    /// the whole text, for every span of a text with CRLF, blank and long
    /// lines, at every context size miette uses.
    #[test]
    fn windowed_read_span_equals_miettes_reader() {
        let text = "table a {\n  id int\r\n\n  x text check (x <> '')\n}\n\nenum e { a, b }\nlast";
        let sources = SourceSet::single("t.schema", text);
        let file = sources.file(crate::source::FileId(0)).expect("one file");
        for start in 0..=text.len() {
            for len in [0, 1, 3, 12, 40] {
                let len = len.min(text.len() - start);
                let span = miette::SourceSpan::new(start.into(), len);
                for context in [0, 1, 2] {
                    let expected = text.read_span(&span, context, context);
                    let found = file.read_span(&span, context, context);
                    match (expected, found) {
                        (Ok(expected), Ok(found)) => {
                            assert_eq!(
                                found.data(),
                                expected.data(),
                                "{start}+{len} ctx {context}"
                            );
                            assert_eq!(found.span(), expected.span(), "{start}+{len}");
                            assert_eq!(found.line(), expected.line(), "{start}+{len}");
                            assert_eq!(found.column(), expected.column(), "{start}+{len}");
                            assert_eq!(found.line_count(), expected.line_count());
                        }
                        (Err(_), Err(_)) => {}
                        (expected, found) => panic!(
                            "{start}+{len} ctx {context}: miette {:?}, windowed {:?}",
                            expected.is_ok(),
                            found.is_ok()
                        ),
                    }
                }
            }
        }
    }

    /// A finding past column 65,535 used to make miette panic ("Formatting
    /// argument out of range"); long lines are now shown cropped.
    #[test]
    fn findings_on_very_long_lines_render_cropped() {
        let text = format!("table t {{\n  id int {}bogus\n}}\n", " ".repeat(70_000));
        let sources = SourceSet::single("long.schema", &text);
        let start = text.find("bogus").expect("marker");
        let span = Span::new(crate::source::FileId(0), start, start + 5);
        let diagnostic =
            Diagnostic::error("syntax-error", span, "unexpected `bogus`").with_label("here");
        let out = render_text(&[diagnostic], &sources, false);
        assert!(out.contains("--> long.schema:2:70010"), "{out}");
        assert!(out.contains("bogus"), "{out}");
        assert!(out.lines().all(|line| line.chars().count() < 200), "{out}");
    }
}
