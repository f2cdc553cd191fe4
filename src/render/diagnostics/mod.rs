//! Diagnostics (parse, validate and lint findings) in every output format:
//! [`text`] (miette graphical), [`json`] (versioned, documented in
//! docs/plan-json.md), [`gcc`] (`path:line:col: severity[code]: message`)
//! and [`github`] (workflow commands that annotate a pull request).
//!
//! Invariant: all positions are 1-based; renderers print diagnostics in the
//! order given (callers sort with [`sort`] for stable output).

pub mod gcc;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod sarif;
pub mod text;

use crate::diagnostics::{Diagnostic, Severity};

/// Sorts by file, then position, then severity (errors first), then code;
/// the sort is stable so equal diagnostics keep their order.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|left, right| {
        (left.primary.span.file, left.primary.span.start)
            .cmp(&(right.primary.span.file, right.primary.span.start))
            .then(right.severity.cmp(&left.severity))
            .then(left.code.cmp(right.code))
    });
}

/// Counts per severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Counts {
    pub fn of(diagnostics: &[Diagnostic]) -> Counts {
        let mut res = Counts::default();
        for diagnostic in diagnostics {
            match diagnostic.severity {
                Severity::Error => res.errors += 1,
                Severity::Warning => res.warnings += 1,
                Severity::Info => res.infos += 1,
            }
        }
        res
    }

    /// `2 errors, 1 warning` (`no problems found` when all are zero).
    pub fn summary(self) -> String {
        let mut parts = Vec::new();
        if self.errors > 0 {
            parts.push(super::plural(self.errors, "error"));
        }
        if self.warnings > 0 {
            parts.push(super::plural(self.warnings, "warning"));
        }
        if self.infos > 0 {
            parts.push(super::plural(self.infos, "note"));
        }
        if parts.is_empty() {
            "no problems found".to_string()
        } else {
            parts.join(", ")
        }
    }
}

#[cfg(test)]
pub(crate) mod sample {
    //! Diagnostics shared by the format tests.

    use crate::diagnostics::Diagnostic;
    use crate::source::{FileId, SourceSet, Span};

    pub const SCHEMA: &str =
        "table orders {\n  id bigint primary key\n  account_id uuid references acounts\n}\n";

    pub fn sources() -> SourceSet {
        SourceSet::single("db/orders, main.schema", SCHEMA)
    }

    pub fn diagnostics() -> Vec<Diagnostic> {
        let start = SCHEMA.find("acounts").expect("invariant: sample text");
        let table = SCHEMA.find("orders").expect("invariant: sample text");
        vec![
            Diagnostic::error(
                "unknown-reference",
                Span::new(FileId(0), start, start + 7),
                "foreign key of public.orders references unknown table public.acounts",
            )
            .with_label("no such table")
            .with_secondary(Span::new(FileId(0), table, table + 6), "in this table")
            .with_help("declare table acounts, or fix the name: did you mean accounts?"),
            Diagnostic::warning(
                "fk-without-index",
                Span::new(FileId(0), start - 28, start - 18),
                "foreign key columns (account_id) of public.orders lead no index",
            ),
            Diagnostic::info(
                "note-only",
                Span::new(FileId(0), 0, 5),
                "100% covered: a,b\nsecond line",
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_summary() {
        let counts = Counts::of(&sample::diagnostics());
        assert_eq!(counts.summary(), "1 error, 1 warning, 1 note");
        assert_eq!(Counts::default().summary(), "no problems found");
    }

    #[test]
    fn sort_orders_by_position() {
        let mut diagnostics = sample::diagnostics();
        sort(&mut diagnostics);
        let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            ["note-only", "fk-without-index", "unknown-reference"]
        );
    }
}
