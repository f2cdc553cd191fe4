//! Diagnostics for people: miette's graphical reports (source excerpt,
//! labels, help) through [`crate::diagnostics::render_text`].
//!
//! Invariant: with `color == false` the output has no escape codes; the
//! caller decides colour (terminal and `NO_COLOR`), this module never looks.

use crate::diagnostics::{render_text, Diagnostic};
use crate::source::SourceSet;
use std::io::{self, Write};

/// Writes every diagnostic as a graphical report.
pub fn render(
    diagnostics: &[Diagnostic],
    sources: &SourceSet,
    color: bool,
    out: &mut impl Write,
) -> io::Result<()> {
    out.write_all(render_text(diagnostics, sources, color).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::diagnostics::sample;

    #[test]
    fn plain_reports_have_no_escapes() {
        let mut out = Vec::new();
        render(&sample::diagnostics(), &sample::sources(), false, &mut out)
            .expect("writing to a Vec cannot fail");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(!text.contains('\x1b'));
        assert!(text.contains("unknown-reference"));
        assert!(text.contains("no such table"));
        assert!(text.contains("did you mean accounts?"));
    }
}
