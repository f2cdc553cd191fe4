//! The token-level reading of `CREATE AGGREGATE`: a cursor over the
//! statement's tokens ([`Reader`]) that takes parenthesised groups, the
//! argument list and the `key = value` options, each value read as
//! PostgreSQL's `defGet*` functions read it.
//!
//! Invariant: every problem carries the byte range of the tokens it is
//! about, inside the statement's text.

use super::{AggregateProblem, Resolve};
use crate::frontend::sql::{forms, ident, parser};
use crate::model::{ArgMode, FunctionArg, Ident, QualifiedName};
use sqlparser::ast::ObjectName;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;
use std::ops::Range;

/// A walk over the statement's tokens.
pub(super) struct Reader<'a> {
    pub text: &'a str,
    pub tokens: &'a [(Token, usize)],
    pub idx: usize,
}

impl Reader<'_> {
    pub(super) fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.idx).map(|(token, _)| token)
    }

    pub(super) fn keyword(&mut self, keyword: Keyword) -> bool {
        let found = matches!(self.peek(), Some(Token::Word(word)) if word.keyword == keyword && word.quote_style.is_none());
        if found {
            self.idx += 1;
        }
        found
    }

    pub(super) fn expect_keyword(
        &mut self,
        keyword: Keyword,
        text: &str,
    ) -> Result<(), AggregateProblem> {
        if self.keyword(keyword) {
            Ok(())
        } else {
            Err(AggregateProblem::new(
                format!("expected {text}"),
                self.range_of(self.idx..(self.idx + 1).min(self.tokens.len())),
            ))
        }
    }

    /// Byte offset where token `idx` starts (the text's end past the last).
    fn start(&self, idx: usize) -> usize {
        self.tokens
            .get(idx)
            .map_or(self.text.len(), |(_, offset)| *offset)
    }

    /// Byte offset where token `idx` ends.
    fn end(&self, idx: usize) -> usize {
        let start = self.start(idx);
        let next = self.start(idx + 1);
        let token_len = self
            .tokens
            .get(idx)
            .map_or(0, |(token, _)| token.to_string().len());
        (start + token_len).min(next).max(start)
    }

    /// The byte range of tokens `range`.
    pub(super) fn range_of(&self, range: Range<usize>) -> Range<usize> {
        if range.is_empty() {
            let at = self.start(range.start);
            return at..at;
        }
        self.start(range.start)..self.end(range.end - 1).max(self.start(range.end - 1))
    }

    /// The text of tokens `range`, as written.
    pub(super) fn text_of(&self, range: Range<usize>) -> &str {
        if range.is_empty() {
            return "";
        }
        let start = self.start(range.start);
        let end = self.start(range.end).min(self.text.len());
        self.text[start..end].trim_end()
    }

    /// A parenthesised group at the cursor: the token range inside it.
    pub(super) fn group(&mut self) -> Result<Range<usize>, AggregateProblem> {
        if self.peek() != Some(&Token::LParen) {
            return Err(AggregateProblem::new(
                "expected (",
                self.range_of(self.idx..(self.idx + 1).min(self.tokens.len())),
            ));
        }
        let open = self.idx;
        let mut depth = 0usize;
        while let Some(token) = self.peek() {
            match token {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        self.idx += 1;
                        return Ok(open + 1..self.idx - 1);
                    }
                }
                _ => {}
            }
            self.idx += 1;
        }
        Err(AggregateProblem::new(
            "this ( is never closed",
            self.range_of(open..open + 1),
        ))
    }

    /// The depth-0 comma-separated items of a token range.
    fn items(&self, range: Range<usize>) -> Vec<Range<usize>> {
        let mut res = Vec::new();
        let mut depth = 0usize;
        let mut start = range.start;
        for idx in range.clone() {
            match self.tokens[idx].0 {
                Token::LParen | Token::LBracket => depth += 1,
                Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
                Token::Comma if depth == 0 => {
                    res.push(start..idx);
                    start = idx + 1;
                }
                _ => {}
            }
        }
        if start < range.end || !res.is_empty() {
            res.push(start..range.end);
        }
        res
    }

    fn is_keyword(&self, idx: usize, keyword: Keyword) -> bool {
        matches!(&self.tokens[idx].0, Token::Word(word) if word.keyword == keyword && word.quote_style.is_none())
    }

    /// The argument list: `*`, `args`, `[direct] ORDER BY aggregated`.
    pub(super) fn args(
        &self,
        range: Range<usize>,
        resolve: &Resolve<'_>,
    ) -> Result<(Vec<FunctionArg>, Option<usize>), AggregateProblem> {
        if range.len() == 1 && self.tokens[range.start].0 == Token::Mul {
            return Ok((Vec::new(), None));
        }
        let mut depth = 0usize;
        let mut order_by = None;
        for idx in range.clone() {
            match self.tokens[idx].0 {
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                _ if depth == 0
                    && idx + 1 < range.end
                    && self.is_keyword(idx, Keyword::ORDER)
                    && self.is_keyword(idx + 1, Keyword::BY) =>
                {
                    order_by = Some(idx);
                    break;
                }
                _ => {}
            }
        }
        let list = |range: Range<usize>| -> Result<Vec<FunctionArg>, AggregateProblem> {
            self.items(range)
                .into_iter()
                .map(|item| self.arg(item, resolve))
                .collect()
        };
        let Some(order_by) = order_by else {
            if range.is_empty() {
                return Err(AggregateProblem::new(
                    "an aggregate's argument list is `*` or at least one type",
                    self.range_of(range.start.saturating_sub(1)..range.end + 1),
                )
                .help("write `name(*)` for an aggregate without arguments"));
            }
            return Ok((list(range)?, None));
        };
        let mut direct = list(range.start..order_by)?;
        let ordered_range = order_by + 2..range.end;
        let ordered = list(ordered_range.clone())?;
        if ordered.is_empty() {
            return Err(AggregateProblem::new(
                "expected the aggregated arguments after ORDER BY",
                self.range_of(order_by..order_by + 2),
            ));
        }
        let n_direct = direct.len();
        // PostgreSQL keeps a VARIADIC last direct argument once: the
        // aggregated list must then be that same one argument.
        if direct
            .last()
            .is_some_and(|arg| arg.mode == ArgMode::Variadic)
        {
            let last = direct.last().map(|arg| (arg.mode, arg.ty.clone()));
            if ordered.len() != 1 || Some((ordered[0].mode, ordered[0].ty.clone())) != last {
                return Err(AggregateProblem::new(
                    "an ordered-set aggregate with a VARIADIC direct argument must have one VARIADIC aggregated argument of the same data type",
                    self.range_of(ordered_range),
                ));
            }
            return Ok((direct, Some(n_direct)));
        }
        direct.extend(ordered);
        Ok((direct, Some(n_direct)))
    }

    /// One argument: `[IN | VARIADIC] [name] type`.
    fn arg(
        &self,
        range: Range<usize>,
        resolve: &Resolve<'_>,
    ) -> Result<FunctionArg, AggregateProblem> {
        let whole = self.range_of(range.clone());
        if range.is_empty() {
            return Err(AggregateProblem::new("expected an argument type", whole));
        }
        let mut start = range.start;
        let mut mode = ArgMode::In;
        if self.is_keyword(start, Keyword::VARIADIC) {
            mode = ArgMode::Variadic;
            start += 1;
        } else if self.is_keyword(start, Keyword::IN) {
            start += 1;
        } else if self.is_keyword(start, Keyword::OUT) || self.is_keyword(start, Keyword::INOUT) {
            return Err(AggregateProblem::new(
                "aggregates cannot have output arguments",
                self.range_of(start..start + 1),
            ));
        }
        let text = self.text_of(start..range.end);
        let whole_type = parser(text).and_then(|mut p| {
            let ty = p.parse_data_type()?;
            forms::expect_end(&mut p)?;
            Ok(ty)
        });
        let (name, ty) = match whole_type {
            Ok(ty) => (None, ty),
            Err(_) => {
                let named = parser(text).and_then(|mut p| {
                    let name = p.parse_identifier()?;
                    let ty = p.parse_data_type()?;
                    forms::expect_end(&mut p)?;
                    Ok((name, ty))
                });
                match named {
                    Ok((name, ty)) => (Some(ident(&name)), ty),
                    Err(_) => {
                        return Err(AggregateProblem::new(
                            "expected `[IN | VARIADIC] [name] type`",
                            whole,
                        ))
                    }
                }
            }
        };
        Ok(FunctionArg {
            mode,
            name,
            ty: (resolve.type_name)(&ty.to_string()),
            default: None,
        })
    }
}

/// An option's value: its tokens (empty for a bare flag).
#[derive(Debug, Clone)]
pub(super) struct Value {
    tokens: Range<usize>,
}

impl Value {
    /// The value as `defGetString` reads it: a string literal's content,
    /// an identifier folded, a number or anything else as written.
    pub(super) fn as_string(&self, reader: &Reader<'_>) -> String {
        if self.tokens.len() == 1 {
            match &reader.tokens[self.tokens.start].0 {
                Token::SingleQuotedString(text) | Token::EscapedStringLiteral(text) => {
                    return text.clone()
                }
                Token::DollarQuotedString(quoted) => return quoted.value.clone(),
                Token::Word(word) => return crate::sql_lex::folded(word),
                _ => {}
            }
        }
        reader.text_of(self.tokens.clone()).to_string()
    }

    pub(super) fn function(
        &self,
        reader: &Reader<'_>,
        range: Range<usize>,
        resolve: &Resolve<'_>,
    ) -> Result<QualifiedName, AggregateProblem> {
        if self.tokens.len() == 1 {
            if let Token::SingleQuotedString(text) = &reader.tokens[self.tokens.start].0 {
                let name = ObjectName::from(vec![sqlparser::ast::Ident::with_quote('"', text)]);
                return Ok((resolve.function)(&name));
            }
        }
        let text = reader.text_of(self.tokens.clone());
        parser(text)
            .and_then(|mut p| {
                let name = p.parse_object_name(false)?;
                forms::expect_end(&mut p)?;
                Ok(name)
            })
            .map(|name| (resolve.function)(&name))
            .map_err(|_| AggregateProblem::new("expected a function name", range))
    }

    /// A flag: bare, or a boolean value.
    pub(super) fn flag(
        &self,
        reader: &Reader<'_>,
        range: Range<usize>,
        key: &str,
    ) -> Result<bool, AggregateProblem> {
        if self.tokens.is_empty() {
            return Ok(true);
        }
        match self.as_string(reader).to_ascii_lowercase().as_str() {
            "true" | "on" | "1" | "t" | "yes" => Ok(true),
            "false" | "off" | "0" | "f" | "no" => Ok(false),
            _ => Err(AggregateProblem::new(
                format!("{} requires a Boolean value", key.to_uppercase()),
                range,
            )),
        }
    }

    /// `SORTOP = >`, `SORTOP = OPERATOR(schema.>)`: schema and symbol
    /// (PostgreSQL's own operator when unqualified).
    pub(super) fn operator(
        &self,
        reader: &Reader<'_>,
        range: Range<usize>,
    ) -> Result<(Ident, String), AggregateProblem> {
        let mut text = reader.text_of(self.tokens.clone()).trim().to_string();
        let upper = text.to_ascii_uppercase();
        if upper.starts_with("OPERATOR") {
            let inner = text["OPERATOR".len()..].trim();
            match inner
                .strip_prefix('(')
                .and_then(|rest| rest.strip_suffix(')'))
            {
                Some(inner) => text = inner.trim().to_string(),
                None => {
                    return Err(AggregateProblem::new(
                        "expected OPERATOR(schema.operator)",
                        range,
                    ))
                }
            }
        }
        let (schema, op) = match text.rsplit_once('.') {
            Some((schema, op)) if !schema.is_empty() && !op.is_empty() => {
                let schema = schema.trim();
                let schema = match schema.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                    Some(quoted) => Ident::new(quoted),
                    None => Ident::folded(schema),
                };
                (schema, op.trim().to_string())
            }
            _ => (Ident::new("pg_catalog"), text.clone()),
        };
        let symbol_chars = "+-*/<>=~!@#%^&|`?";
        if op.is_empty() || !op.chars().all(|c| symbol_chars.contains(c)) {
            return Err(AggregateProblem::new(
                "expected a sort operator such as > or <",
                range,
            ));
        }
        Ok((schema, op))
    }
}

/// The options of the statement, by lower-case name.
pub(super) struct Options {
    pub rest: Vec<(String, Value, Range<usize>)>,
}

impl Options {
    pub(super) fn read(
        reader: &Reader<'_>,
        range: Range<usize>,
    ) -> Result<Options, AggregateProblem> {
        let mut rest: Vec<(String, Value, Range<usize>)> = Vec::new();
        for item in reader.items(range.clone()) {
            let item_range = reader.range_of(item.clone());
            let key = match item.clone().next().map(|idx| &reader.tokens[idx].0) {
                Some(Token::Word(word)) => crate::sql_lex::folded(word),
                _ => {
                    return Err(AggregateProblem::new(
                        "expected an option such as SFUNC = function",
                        item_range,
                    ))
                }
            };
            let value = if item.len() == 1 {
                Value {
                    tokens: item.end..item.end,
                }
            } else if reader.tokens[item.start + 1].0 == Token::Eq && item.len() > 2 {
                Value {
                    tokens: item.start + 2..item.end,
                }
            } else {
                return Err(AggregateProblem::new(
                    format!("expected `{} = value`", key.to_uppercase()),
                    item_range,
                ));
            };
            if rest.iter().any(|(seen, _, _)| *seen == key) {
                return Err(AggregateProblem::new(
                    format!("option {} is given twice", key.to_uppercase()),
                    item_range,
                ));
            }
            rest.push((key, value, item_range));
        }
        Ok(Options { rest })
    }

    pub(super) fn take(&mut self, key: &str) -> Option<(Value, Range<usize>)> {
        let idx = self.rest.iter().position(|(name, _, _)| name == key)?;
        let (_, value, range) = self.rest.remove(idx);
        Some((value, range))
    }
}
