//! Sequences: `CREATE SEQUENCE` with its options in any order (pg_dump
//! prints `START WITH` before `INCREMENT BY`, which sqlparser 0.63 rejects),
//! identity options (also `SEQUENCE NAME x`), and `ALTER SEQUENCE ...
//! OWNED BY` (queued for [`super::pgdump::finish`]).
//!
//! Invariant: options left out get PostgreSQL's defaults for the
//! sequence's type and increment ([`SeqOpts::build`]), so an option written
//! out and the same option left to its default compare equal.

use super::forms::run;
use super::pgdump::Deferred;
use super::{ident, skipped, Ctx, Stmt};
use crate::model::{normalize, Ident, QualifiedName, Sequence, SequenceOptions, TypeName};
use sqlparser::ast::ObjectName;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

/// Sequence options as written; [`SeqOpts::build`] fills PostgreSQL's defaults.
#[derive(Debug, Default, Clone)]
pub(crate) struct SeqOpts {
    pub data_type: Option<TypeName>,
    pub start: Option<i64>,
    pub increment: Option<i64>,
    pub min_value: Option<i64>,
    pub max_value: Option<i64>,
    pub cache: Option<i64>,
    pub cycle: Option<bool>,
    /// `Some(None)` is `OWNED BY NONE`.
    pub owned_by: Option<Option<ObjectName>>,
}

impl SeqOpts {
    /// The options with PostgreSQL's defaults for the sequence's type
    /// (`default_type` when no `AS` was given).
    pub fn build(&self, default_type: TypeName) -> SequenceOptions {
        let data_type = self.data_type.clone().unwrap_or(default_type);
        let increment = self.increment.unwrap_or(1);
        let defaults = SequenceOptions::defaults(data_type, increment);
        let min_value = self.min_value.unwrap_or(defaults.min_value);
        let max_value = self.max_value.unwrap_or(defaults.max_value);
        SequenceOptions {
            start: self
                .start
                .unwrap_or(if increment > 0 { min_value } else { max_value }),
            min_value,
            max_value,
            cache: self.cache.unwrap_or(1),
            cycle: self.cycle.unwrap_or(false),
            ..defaults
        }
    }
}

/// Sequence options in any order (pg_dump prints START before INCREMENT;
/// identity options may begin with `SEQUENCE NAME x`).
pub(crate) fn sequence_options(p: &mut Parser<'_>) -> Result<SeqOpts, ParserError> {
    let mut opts = SeqOpts::default();
    loop {
        if p.parse_keyword(Keyword::AS) {
            let ty = p.parse_data_type()?;
            opts.data_type = Some(normalize::type_name(&ty.to_string(), "public"));
        } else if p.parse_keywords(&[Keyword::SEQUENCE, Keyword::NAME]) {
            let _ = p.parse_object_name(false)?;
        } else if p.parse_keyword(Keyword::INCREMENT) {
            let _ = p.parse_keyword(Keyword::BY);
            opts.increment = Some(signed(p)?);
        } else if p.parse_keyword(Keyword::START) {
            let _ = p.parse_keyword(Keyword::WITH);
            opts.start = Some(signed(p)?);
        } else if p.parse_keyword(Keyword::RESTART) {
            if p.parse_keyword(Keyword::WITH)
                || matches!(p.peek_token().token, Token::Number(..) | Token::Minus)
            {
                let _ = signed(p)?;
            }
        } else if p.parse_keyword(Keyword::MINVALUE) {
            opts.min_value = Some(signed(p)?);
        } else if p.parse_keyword(Keyword::MAXVALUE) {
            opts.max_value = Some(signed(p)?);
        } else if p.parse_keywords(&[Keyword::NO, Keyword::MINVALUE]) {
            opts.min_value = None;
        } else if p.parse_keywords(&[Keyword::NO, Keyword::MAXVALUE]) {
            opts.max_value = None;
        } else if p.parse_keywords(&[Keyword::NO, Keyword::CYCLE]) {
            opts.cycle = Some(false);
        } else if p.parse_keyword(Keyword::CYCLE) {
            opts.cycle = Some(true);
        } else if p.parse_keyword(Keyword::CACHE) {
            opts.cache = Some(signed(p)?);
        } else if p.parse_keywords(&[Keyword::OWNED, Keyword::BY]) {
            opts.owned_by = Some(if p.parse_keyword(Keyword::NONE) {
                None
            } else {
                Some(p.parse_object_name(false)?)
            });
        } else {
            return Ok(opts);
        }
    }
}

/// The option groups `AS IDENTITY ( ... )` of a CREATE TABLE, in order,
/// read with [`sequence_options`] (any order, `SEQUENCE
/// NAME x`), and the text with each group blanked out; `None` after a
/// syntax error in a group (reported).
pub(crate) fn identity_groups(
    ctx: &mut Ctx<'_>,
    stmt: &Stmt<'_>,
    mut text: String,
) -> Option<(String, Vec<SeqOpts>)> {
    use sqlparser::tokenizer::Token;
    let mut groups = Vec::new();
    // Most tables have no identity column: no need to lex them.
    let mentions_identity = text
        .as_bytes()
        .windows(b"identity".len())
        .any(|window| window.eq_ignore_ascii_case(b"identity"));
    if !mentions_identity {
        return Some((text, groups));
    }
    let Some(toks) = super::tokens(&text) else {
        return Some((text, groups));
    };
    for (idx, (token, _)) in toks.iter().enumerate() {
        let is_identity = matches!(token, Token::Word(word)
            if word.quote_style.is_none() && word.value.eq_ignore_ascii_case("IDENTITY"));
        let Some((Token::LParen, open)) = toks.get(idx + 1) else {
            continue;
        };
        if !is_identity {
            continue;
        }
        let mut depth = 0usize;
        let close = toks[idx + 1..].iter().find_map(|(token, offset)| {
            match token {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(*offset);
                    }
                }
                _ => {}
            }
            None
        })?;
        let inner = Stmt {
            text: &stmt.text[open + 1..close],
            start: stmt.start + open + 1,
        };
        let opts = run(ctx, &inner, inner.text, sequence_options)?;
        groups.push(opts);
        text = super::blank(&text, *open..close + 1);
    }
    Some((text, groups))
}

/// An optionally signed integer literal.
fn signed(p: &mut Parser<'_>) -> Result<i64, ParserError> {
    let negative = if p.consume_token(&Token::Minus) {
        true
    } else {
        let _ = p.consume_token(&Token::Plus);
        false
    };
    let token = p.next_token();
    match &token.token {
        Token::Number(digits, _) => match digits.parse::<i128>() {
            Ok(value) => {
                let value = if negative { -value } else { value };
                i64::try_from(value).or_else(|_| p.expected("a 64-bit integer", token.clone()))
            }
            Err(_) => p.expected("an integer", token.clone()),
        },
        _ => p.expected("an integer", token.clone()),
    }
}

/// `OWNED BY table.column` -> (table, column).
pub(crate) fn owner_column(ctx: &Ctx<'_>, name: &ObjectName) -> Option<(QualifiedName, Ident)> {
    let mut parts = name.0.clone();
    let column = parts.pop()?;
    let column = ident(column.as_ident()?);
    if parts.is_empty() {
        return None;
    }
    Some((ctx.relation(&ObjectName(parts)), column))
}

/// `CREATE [TEMP|UNLOGGED] SEQUENCE [IF NOT EXISTS] name options`.
pub(crate) fn create_sequence(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let Some((name, opts)) = run(ctx, &stmt, stmt.text, |p| {
        p.expect_keyword(Keyword::CREATE)?;
        let _ = p.parse_one_of_keywords(&[Keyword::TEMP, Keyword::TEMPORARY, Keyword::UNLOGGED]);
        p.expect_keyword(Keyword::SEQUENCE)?;
        let _ = p.parse_keywords(&[Keyword::IF, Keyword::NOT, Keyword::EXISTS]);
        let name = p.parse_object_name(false)?;
        Ok((name, sequence_options(p)?))
    }) else {
        return;
    };
    let name = ctx.qualified(&name);
    if let Some(owned_by) = &opts.owned_by {
        ctx.deferred.push(Deferred::OwnedBy {
            sequence: name.clone(),
            owner: owned_by.as_ref().and_then(|name| owner_column(ctx, name)),
            span: ctx.span(&stmt),
        });
    }
    let sequence = Sequence {
        name: name.clone(),
        options: opts.build(TypeName::new("bigint")),
        owned_by: None,
        comment: None,
        meta: ctx.meta(&stmt),
    };
    if ctx.model.sequences.insert(name.clone(), sequence).is_some() {
        ctx.error(
            "duplicate-object",
            &stmt,
            format!("sequence {name} is declared more than once"),
        );
    }
}

/// `ALTER SEQUENCE [IF EXISTS] name OWNED BY t.c | NONE` (other options are
/// applied to the declared sequence; OWNER TO is skipped).
pub(crate) fn alter_sequence(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let words = super::dispatch::leading_words(stmt.text, 6);
    if stmt.text.to_uppercase().contains("OWNER TO") || words.iter().any(|w| w == "RENAME") {
        skipped::other(ctx, stmt, &words);
        return;
    }
    let Some((name, opts)) = run(ctx, &stmt, stmt.text, |p| {
        p.expect_keywords(&[Keyword::ALTER, Keyword::SEQUENCE])?;
        let _ = p.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
        let name = p.parse_object_name(false)?;
        Ok((name, sequence_options(p)?))
    }) else {
        return;
    };
    let name = ctx.relation(&name);
    if let Some(owned_by) = &opts.owned_by {
        ctx.deferred.push(Deferred::OwnedBy {
            sequence: name.clone(),
            owner: owned_by.as_ref().and_then(|name| owner_column(ctx, name)),
            span: ctx.span(&stmt),
        });
    }
    let changes_options = opts.data_type.is_some()
        || opts.start.is_some()
        || opts.increment.is_some()
        || opts.min_value.is_some()
        || opts.max_value.is_some()
        || opts.cache.is_some()
        || opts.cycle.is_some();
    if changes_options {
        ctx.warning(
            "unsupported-statement",
            &stmt,
            format!("ALTER SEQUENCE options are not applied to sequence {name}; declare them in CREATE SEQUENCE"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::{load_file, parser};
    use super::*;
    use crate::source::{FileId, Language, SourceFile};

    fn model(sql: &str) -> crate::model::Model {
        let file = SourceFile::new(FileId(0), "t.sql".into(), sql.to_string(), Language::Sql);
        let parsed = load_file(&file);
        let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "{errors:?}");
        parsed.value
    }

    #[test]
    fn sequence_options_in_any_order_get_defaults() {
        let mut p =
            parser("START WITH 100 INCREMENT BY -2 NO MINVALUE CACHE 10 CYCLE").expect("tokenizes");
        let opts = sequence_options(&mut p).expect("parses");
        let built = opts.build(TypeName::new("integer"));
        assert_eq!(
            (
                built.start,
                built.increment,
                built.min_value,
                built.max_value,
                built.cache,
                built.cycle
            ),
            (100, -2, i32::MIN as i64, -1, 10, true)
        );
        let mut p = parser(
            "SEQUENCE NAME app.s START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1",
        )
        .expect("tokenizes");
        let opts = sequence_options(&mut p).expect("parses");
        assert_eq!(
            opts.build(TypeName::new("bigint")),
            SequenceOptions::defaults(TypeName::new("bigint"), 1)
        );
    }

    #[test]
    fn owner_columns() {
        let file = SourceFile::new(FileId(0), "t.sql".into(), String::new(), Language::Sql);
        let ctx = super::super::Ctx::new(&file);
        let owner_column = |name: &ObjectName| owner_column(&ctx, name);
        let name = parser("public.accounts.id")
            .expect("tokenizes")
            .parse_object_name(false)
            .expect("parses");
        assert_eq!(
            owner_column(&name),
            Some((QualifiedName::public("accounts"), Ident::new("id")))
        );
        let bare = parser("id")
            .expect("tokenizes")
            .parse_object_name(false)
            .expect("parses");
        assert_eq!(owner_column(&bare), None);
    }

    #[test]
    fn identity_options_in_every_order() {
        let m = model(
            "CREATE TABLE t (a bigint GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 10) PRIMARY KEY,\n b int GENERATED BY DEFAULT AS IDENTITY (SEQUENCE NAME app.b_seq MINVALUE 5 START WITH 7 CACHE 3 NO CYCLE),\n c smallint GENERATED BY DEFAULT AS IDENTITY, d text CHECK (d <> 'IDENTITY (x)'))",
        );
        let table = &m.tables[&QualifiedName::public("t")];
        let a = table.columns[0].identity.as_ref().expect("a is identity");
        assert!(a.always);
        assert_eq!((a.options.start, a.options.increment), (100, 10));
        let b = table.columns[1].identity.as_ref().expect("b is identity");
        assert!(!b.always);
        assert_eq!(
            (b.options.min_value, b.options.start, b.options.cache),
            (5, 7, 3)
        );
        assert_eq!(b.options.max_value, i32::MAX as i64);
        let c = table.columns[2].identity.as_ref().expect("c is identity");
        assert_eq!((c.options.start, c.options.max_value), (1, i16::MAX as i64));
        let file = SourceFile::new(
            FileId(0),
            "t.sql".into(),
            "CREATE TABLE t (\n a int GENERATED ALWAYS AS IDENTITY (START WITH x))".to_string(),
            Language::Sql,
        );
        let parsed = load_file(&file);
        assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
        let at = file.line_col(parsed.diagnostics[0].primary.span.start as usize);
        assert_eq!((at.line, at.col), (2, 49));
    }
}
