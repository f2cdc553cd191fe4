//! Diagnostics for editors and compilers' conventions, one line each:
//! `path:line:col: severity[code]: message` (1-based, as gcc and rustc's
//! short format print them), then the help as a `note:` line.
//!
//! Invariant: every line starts with `path:line:col: `, so editors that
//! parse gcc output (Vim's quickfix, Emacs' compile mode) jump to it.

use crate::diagnostics::Diagnostic;
use crate::render::SourceRange;
use crate::source::SourceSet;
use std::io::{self, Write};

/// Writes one line per diagnostic, plus one `note:` line per help.
pub fn render(
    diagnostics: &[Diagnostic],
    sources: &SourceSet,
    out: &mut impl Write,
) -> io::Result<()> {
    for diagnostic in diagnostics {
        let message = diagnostic.message.replace(['\r', '\n'], " ");
        let location = location(sources, diagnostic);
        writeln!(
            out,
            "{location}: {}[{}]: {message}",
            diagnostic.severity, diagnostic.code
        )?;
        if let Some(help) = &diagnostic.help {
            writeln!(out, "{location}: note: {}", help.replace(['\r', '\n'], " "))?;
        }
    }
    Ok(())
}

fn location(sources: &SourceSet, diagnostic: &Diagnostic) -> String {
    match SourceRange::resolve(sources, diagnostic.primary.span) {
        Some(range) => format!("{}:{}:{}", range.file, range.line, range.column),
        None => "<unknown>:1:1".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::diagnostics::sample;

    #[test]
    fn one_line_each() {
        let mut out = Vec::new();
        render(&sample::diagnostics(), &sample::sources(), &mut out)
            .expect("writing to a Vec cannot fail");
        insta::assert_snapshot!(String::from_utf8(out).expect("utf-8"), @r#"
            db/orders, main.schema:3:30: error[unknown-reference]: foreign key of public.orders references unknown table public.acounts
            db/orders, main.schema:3:30: note: declare table acounts, or fix the name: did you mean accounts?
            db/orders, main.schema:3:2: warning[fk-without-index]: foreign key columns (account_id) of public.orders lead no index
            db/orders, main.schema:1:1: info[note-only]: 100% covered: a,b second line
            "#);
    }
}
