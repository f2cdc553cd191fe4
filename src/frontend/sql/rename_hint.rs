//! Rename hints in `.sql` files: a comment `-- schemac:was OLD_NAME` (or
//! `/* schemac:was OLD_NAME */`) in the comments right before a statement
//! says that the object the statement creates was called `OLD_NAME`, as
//! `was OLD_NAME` does in a `.schema` file. It applies to the statement's
//! own object: a schema, enum, domain, sequence, function or procedure,
//! table, (materialized) view, trigger, policy, or the index of a `CREATE
//! INDEX` and the constraint of an `ALTER TABLE ... ADD CONSTRAINT`.
//!
//! Invariants: a hint never changes what the statement declares (only
//! `Meta::renamed_from`); a hint that names no identifier, or that stands
//! before a statement creating none of those objects, is a warning
//! (`rename-hint`) pointing at the comment, never silently ignored.

use super::{Ctx, Stmt};
use crate::model::{Ident, Meta};
use crate::source::Span;

/// The marker inside a comment.
const MARKER: &str = "schemac:was";

/// One hint found before a statement.
pub(super) struct Hint {
    /// Start of the statement it applies to.
    pub statement: usize,
    /// Byte range of the hint in the file.
    pub at: std::ops::Range<usize>,
    /// The schema a qualified hint (`schema.name`) names.
    pub schema: Option<Ident>,
    /// `None` when the marker is not followed by a name.
    pub old: Option<Ident>,
}

/// The hint in `file[gap]` (the whitespace and comments before the
/// statement starting at `statement`), if any.
pub(super) fn find(text: &str, gap: std::ops::Range<usize>, statement: usize) -> Option<Hint> {
    let between = text.get(gap.clone())?;
    let idx = between.rfind(MARKER)?;
    let start = gap.start + idx;
    let rest = &between[idx + MARKER.len()..];
    let trimmed = rest.trim_start();
    let offset = rest.len() - trimmed.len();
    // `name`, `schema.name`, each part plain or double-quoted.
    let mut parts: Vec<Ident> = Vec::new();
    let mut len = 0;
    let mut complete = false;
    loop {
        let (part, part_len) = ident_at(&trimmed[len..]);
        let Some(part) = part else {
            break;
        };
        parts.push(part);
        len += part_len;
        if trimmed[len..].starts_with('.') {
            len += 1;
        } else {
            complete = true;
            break;
        }
    }
    let (schema, old) = match (complete, parts.len()) {
        (true, 1) => (None, parts.pop()),
        (true, 2) => {
            let old = parts.pop();
            (parts.pop(), old)
        }
        _ => (None, None),
    };
    let end = start + MARKER.len() + offset + len;
    Some(Hint {
        statement,
        at: start..end,
        schema,
        old,
    })
}

/// One identifier at the start of `text` (folded to lower case unless
/// quoted, as PostgreSQL does) and the bytes it takes.
fn ident_at(text: &str) -> (Option<Ident>, usize) {
    if let Some(quoted) = text.strip_prefix('"') {
        return match quoted.find('"') {
            Some(end) if end > 0 => (Some(Ident::new(&quoted[..end])), end + 2),
            _ => (None, 0),
        };
    }
    let len = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(text.len());
    let word = &text[..len];
    let valid = word
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_');
    (valid.then(|| Ident::new(word.to_lowercase())), len)
}

/// Sets `renamed_from` on the object each hint's statement creates;
/// warns about the hints that apply to nothing.
pub(super) fn apply(ctx: &mut Ctx<'_>, hints: Vec<Hint>) {
    for hint in hints {
        let hint_stmt = Stmt {
            text: &ctx.file.text[hint.at.clone()],
            start: hint.at.start,
        };
        let Some(old) = hint.old else {
            ctx.warning(
                "rename-hint",
                &hint_stmt,
                "rename hint names no previous name: write `-- schemac:was OLD_NAME`",
            );
            continue;
        };
        let mut applied = 0;
        let mut elsewhere: Option<Ident> = None;
        for_each_meta(ctx, hint.statement, |schema, meta| {
            match (&hint.schema, schema) {
                (Some(named), Some(own)) if named != own => elsewhere = Some(own.clone()),
                _ => {
                    meta.renamed_from = Some(Box::new(old.clone()));
                    applied += 1;
                }
            }
        });
        if let (Some(named), Some(own)) = (&hint.schema, &elsewhere) {
            ctx.warning(
                "rename-hint",
                &hint_stmt,
                format!("rename hint `was {named}.{old}` names schema {named}, but the statement creates its object in schema {own}; a rename hint renames within one schema: write `-- schemac:was {own}.{old}` or move the object with ALTER ... SET SCHEMA by hand"),
            );
        } else if applied == 0 {
            ctx.warning(
                "rename-hint",
                &hint_stmt,
                format!("rename hint `was {old}` stands before a statement that creates nothing it can rename; put it right before the CREATE statement of the renamed object"),
            );
        }
    }
}

/// Calls `f` on the Meta of every object created by the statement that
/// starts at `start`.
/// `f` gets the object's schema (`None` for a schema itself) and its Meta.
fn for_each_meta(ctx: &mut Ctx<'_>, start: usize, mut f: impl FnMut(Option<&Ident>, &mut Meta)) {
    let starts_here = |meta: &Meta| {
        meta.span
            .is_some_and(|span: Span| span.start as usize == start)
    };
    let model = &mut ctx.model;
    for schema in model.schemas.values_mut() {
        if starts_here(&schema.meta) {
            f(None, &mut schema.meta);
        }
    }
    let metas = model
        .enums
        .iter_mut()
        .map(|(k, o)| (k, &mut o.meta))
        .chain(model.domains.iter_mut().map(|(k, o)| (k, &mut o.meta)))
        .chain(model.composites.iter_mut().map(|(k, o)| (k, &mut o.meta)))
        .chain(model.sequences.iter_mut().map(|(k, o)| (k, &mut o.meta)))
        .chain(
            model
                .functions
                .iter_mut()
                .map(|(k, o)| (&k.name, &mut o.meta)),
        )
        .chain(model.views.iter_mut().map(|(k, o)| (k, &mut o.meta)));
    for (name, meta) in metas {
        if starts_here(meta) {
            f(Some(&name.schema), meta);
        }
    }
    for (name, table) in model.tables.iter_mut() {
        if starts_here(&table.meta) {
            // CREATE TABLE: the table itself (its columns and constraints
            // share the statement's span).
            f(Some(&name.schema), &mut table.meta);
            continue;
        }
        let own = table
            .constraints
            .values_mut()
            .map(|o| &mut o.meta)
            .chain(table.indexes.values_mut().map(|o| &mut o.meta))
            .chain(table.policies.values_mut().map(|o| &mut o.meta))
            .chain(table.triggers.values_mut().map(|o| &mut o.meta));
        for meta in own {
            if starts_here(meta) {
                f(Some(&name.schema), meta);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old(text: &str) -> Option<String> {
        find(text, 0..text.len(), text.len())
            .and_then(|hint| hint.old.map(|o| o.as_str().to_string()))
    }

    #[test]
    fn reads_the_old_name_after_the_marker() {
        assert_eq!(old("-- schemac:was old_seq\n"), Some("old_seq".to_string()));
        assert_eq!(old("/* schemac:was Mood */"), Some("mood".to_string()));
        assert_eq!(
            old("-- schemac:was \"Old Name\"\n"),
            Some("Old Name".to_string())
        );
        assert_eq!(old("-- schemac:was\n"), None);
        assert_eq!(old("-- schemac:was u0.t0\n"), Some("t0".to_string()));
        assert_eq!(
            old("-- schemac:was \"My Schema\".\"Old\"\n"),
            Some("Old".to_string())
        );
        assert_eq!(old("-- schemac:was u0.\n"), None);
        assert_eq!(old("-- schemac:was a.b.c\n"), None);
        let hint = find("-- schemac:was App.t0\n", 0..21, 21).expect("a hint");
        assert_eq!(
            hint.schema.map(|s| s.as_str().to_string()),
            Some("app".into())
        );
        assert!(find("-- nothing here\n", 0..16, 16).is_none());
    }
}
