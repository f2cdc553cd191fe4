//! Diagnostics as GitHub Actions workflow commands, which annotate the
//! lines of a pull request:
//! `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=CODE::MESSAGE`
//! (`warning` and `notice` for the other severities).
//!
//! Invariant: values are escaped as the runner requires
//! (https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts):
//! `%`, `\r`, `\n` everywhere, and also `:` and `,` in properties, so a
//! message or path can never end the command early.

use crate::diagnostics::{Diagnostic, Severity};
use crate::render::SourceRange;
use crate::source::SourceSet;
use std::io::{self, Write};

/// Writes one workflow command per diagnostic; the help follows the
/// message on a new line of the annotation.
pub fn render(
    diagnostics: &[Diagnostic],
    sources: &SourceSet,
    out: &mut impl Write,
) -> io::Result<()> {
    for diagnostic in diagnostics {
        let command = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut properties = Vec::new();
        if let Some(range) = SourceRange::resolve(sources, diagnostic.primary.span) {
            properties.push(format!("file={}", escape_property(&range.file)));
            properties.push(format!("line={}", range.line));
            properties.push(format!("col={}", range.column));
            properties.push(format!("endLine={}", range.end_line));
            properties.push(format!("endColumn={}", range.end_column));
        }
        properties.push(format!("title={}", escape_property(diagnostic.code)));
        let mut message = diagnostic.message.clone();
        if let Some(help) = &diagnostic.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&message)
        )?;
    }
    Ok(())
}

/// Escapes a message (the part after `::`).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=...`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::diagnostics::sample;

    #[test]
    fn workflow_commands() {
        let mut out = Vec::new();
        render(&sample::diagnostics(), &sample::sources(), &mut out)
            .expect("writing to a Vec cannot fail");
        insta::assert_snapshot!(String::from_utf8(out).expect("utf-8"), @r#"
            ::error file=db/orders%2C main.schema,line=3,col=30,endLine=3,endColumn=37,title=unknown-reference::foreign key of public.orders references unknown table public.acounts%0Ahelp: declare table acounts, or fix the name: did you mean accounts?
            ::warning file=db/orders%2C main.schema,line=3,col=2,endLine=3,endColumn=12,title=fk-without-index::foreign key columns (account_id) of public.orders lead no index
            ::notice file=db/orders%2C main.schema,line=1,col=1,endLine=1,endColumn=6,title=note-only::100%25 covered: a,b%0Asecond line
            "#);
    }

    #[test]
    fn escapes() {
        assert_eq!(escape_data("50%\r\nok: a,b"), "50%25%0D%0Aok: a,b");
        assert_eq!(escape_property("c:\\a,b%"), "c%3A\\a%2Cb%25");
    }
}
