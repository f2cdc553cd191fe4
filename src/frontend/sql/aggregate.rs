//! `CREATE [OR REPLACE] AGGREGATE` in every form PostgreSQL 13-17 reads
//! (<https://www.postgresql.org/docs/current/sql-createaggregate.html>):
//! `name (args) (options)` with `*`, `direct ORDER BY aggregated` and
//! VARIADIC argument lists, and the old `name (BASETYPE = t, options)`.
//! sqlparser has no such statement, so it is read here from its tokens;
//! the `.schema` language's `aggregate` item goes through the same reader
//! ([`parse_aggregate`]), with its own name resolution.
//!
//! Invariants: the options are read as PostgreSQL's `DefineAggregate`
//! reads them (names case-insensitive unless quoted, the old `sfunc1`,
//! `stype1` and `initcond1` spellings, flags written bare or as
//! booleans); an option PostgreSQL ignores with a warning is a warning
//! here too; anything else unreadable is an error at its tokens, never a
//! guess.

use super::{parser, Ctx, Stmt};
use crate::diagnostics::Diagnostic;
use crate::model::{
    normalize, Aggregate, ArgMode, Function, FunctionArg, Ident, Meta, Modify, Parallel,
    QualifiedName, TypeName,
};
use crate::source::Span;
use sqlparser::ast::ObjectName;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;
use std::ops::Range;

/// A problem in the statement, at a byte range of its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AggregateProblem {
    pub message: String,
    pub range: Range<usize>,
    pub help: Option<String>,
}

impl AggregateProblem {
    fn new(message: impl Into<String>, range: Range<usize>) -> AggregateProblem {
        AggregateProblem {
            message: message.into(),
            range,
            help: None,
        }
    }

    fn help(mut self, help: impl Into<String>) -> AggregateProblem {
        self.help = Some(help.into());
        self
    }
}

/// How the caller resolves the names the statement writes.
pub(crate) struct Resolve<'a> {
    /// The aggregate's own name (the creation schema when unqualified).
    pub name: &'a dyn Fn(&ObjectName) -> QualifiedName,
    /// A support function (`SFUNC = f`).
    pub function: &'a dyn Fn(&ObjectName) -> QualifiedName,
    /// A type as written (`text`, `app.state`).
    pub type_name: &'a dyn Fn(&str) -> TypeName,
}

/// A read statement: the routine standing for the aggregate, whether
/// `OR REPLACE` was written, and the options PostgreSQL ignores.
#[derive(Debug)]
pub(crate) struct ParsedAggregate {
    pub function: Function,
    pub or_replace: bool,
    pub warnings: Vec<AggregateProblem>,
}

/// `CREATE [OR REPLACE] AGGREGATE ...` of a `.sql` file.
pub(crate) fn create_aggregate(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let resolve_name = |name: &ObjectName| ctx.qualified(name);
    let resolve_function = |name: &ObjectName| support_function(ctx, name);
    let resolve_type = |spelling: &str| ctx.type_name(spelling);
    let resolve = Resolve {
        name: &resolve_name,
        function: &resolve_function,
        type_name: &resolve_type,
    };
    let parsed = parse_aggregate(stmt.text, &resolve, ctx.meta(&stmt));
    let problem_span = |range: &Range<usize>| {
        Span::new(
            ctx.file.id,
            stmt.start + range.start,
            stmt.start + range.end.max(range.start + 1).min(stmt.text.len()),
        )
    };
    match parsed {
        Err(problem) => {
            let span = problem_span(&problem.range);
            let mut diagnostic = Diagnostic::error("syntax-error", span, problem.message)
                .with_label("here")
                .with_secondary(ctx.span(&stmt), "in this CREATE AGGREGATE");
            if let Some(help) = problem.help {
                diagnostic = diagnostic.with_help(help);
            }
            ctx.diagnostics.push(diagnostic);
        }
        Ok(parsed) => {
            for warning in &parsed.warnings {
                let span = problem_span(&warning.range);
                ctx.diagnostics.push(
                    Diagnostic::warning("unsupported-statement", span, warning.message.clone())
                        .with_label("ignored, as PostgreSQL ignores it"),
                );
            }
            let id = parsed.function.id.clone();
            let previous = ctx.model.functions.insert(id.clone(), parsed.function);
            if previous.is_some() && !parsed.or_replace {
                ctx.error(
                    "duplicate-object",
                    &stmt,
                    format!("aggregate {id} is declared more than once (a function or aggregate of that signature already exists)"),
                );
            }
        }
    }
}

/// A support function the `.sql` file names: a declared function found
/// through the path; otherwise, unqualified, PostgreSQL's own (pg_catalog
/// is searched first; `int4pl`, `array_append`, ...).
fn support_function(ctx: &Ctx<'_>, name: &ObjectName) -> QualifiedName {
    let resolved = ctx.function(name);
    let declared = ctx.model.functions.keys().any(|id| id.name == resolved);
    if name.0.len() == 1 && !declared {
        return QualifiedName::new("pg_catalog", resolved.name.as_str());
    }
    resolved
}

/// Reads `CREATE [OR REPLACE] AGGREGATE ...` (a trailing `;` allowed).
pub(crate) fn parse_aggregate(
    text: &str,
    resolve: &Resolve<'_>,
    meta: Meta,
) -> Result<ParsedAggregate, AggregateProblem> {
    let Some(tokens) = crate::sql_lex::tokens_with_offsets(text) else {
        return Err(AggregateProblem::new(
            "the statement does not lex as SQL (an unterminated quote?)",
            0..text.len(),
        ));
    };
    let mut reader = Reader {
        text,
        tokens: &tokens,
        idx: 0,
    };
    reader.expect_keyword(Keyword::CREATE, "CREATE")?;
    let or_replace = reader.keyword(Keyword::OR);
    if or_replace {
        reader.expect_keyword(Keyword::REPLACE, "REPLACE")?;
    }
    reader.expect_keyword(Keyword::AGGREGATE, "AGGREGATE")?;
    let name_start = reader.idx;
    while reader.idx < tokens.len() && tokens[reader.idx].0 != Token::LParen {
        reader.idx += 1;
    }
    let name_text = reader.text_of(name_start..reader.idx);
    let name_range = reader.range_of(name_start..reader.idx);
    let name = parser(name_text.trim())
        .and_then(|mut p| {
            let name = p.parse_object_name(false)?;
            super::forms::expect_end(&mut p)?;
            Ok(name)
        })
        .map_err(|_| {
            AggregateProblem::new(
                "expected the aggregate's name before its argument list",
                name_range.clone(),
            )
        })?;
    let first = reader.group()?;
    let (arg_group, option_group) = if reader.peek() == Some(&Token::LParen) {
        (Some(first), reader.group()?)
    } else {
        (None, first)
    };
    if reader.peek() == Some(&Token::SemiColon) {
        reader.idx += 1;
    }
    if reader.idx < tokens.len() {
        return Err(AggregateProblem::new(
            "unexpected text after the aggregate's options",
            reader.range_of(reader.idx..tokens.len()),
        ));
    }
    let mut options = Options::read(&reader, option_group.clone())?;
    let (args, direct_args) = match arg_group {
        Some(group) => reader.args(group, resolve)?,
        None => {
            // Old style: BASETYPE is the one argument; `ANY`, none.
            let Some((value, range)) = options.take("basetype") else {
                return Err(AggregateProblem::new(
                    "aggregate input type must be specified (write `name (type) (...)`, or BASETYPE in the old form)",
                    reader.range_of(option_group.clone()),
                ));
            };
            let spelling = value.as_string(&reader);
            if spelling.eq_ignore_ascii_case("any") || spelling.eq_ignore_ascii_case("\"any\"") {
                (Vec::new(), None)
            } else {
                let ty = type_of(&spelling, range, resolve)?;
                (
                    vec![FunctionArg {
                        mode: ArgMode::In,
                        name: None,
                        ty,
                        default: None,
                    }],
                    None,
                )
            }
        }
    };
    if let Some((_, range)) = options.take("basetype") {
        return Err(AggregateProblem::new(
            "BASETYPE is redundant with the aggregate's argument list",
            range,
        ));
    }
    let ordered_set = direct_args.is_some();
    let required = |options: &mut Options, key: &str, also: &str| {
        options
            .take(key)
            .or_else(|| options.take(also))
            .ok_or_else(|| {
                AggregateProblem::new(
                    format!("aggregate {key} must be specified"),
                    reader.range_of(option_group.clone()),
                )
            })
    };
    let (sfunc, sfunc_range) = required(&mut options, "sfunc", "sfunc1")?;
    let (stype, stype_range) = required(&mut options, "stype", "stype1")?;
    let function =
        |options: &mut Options, key: &str| -> Result<Option<QualifiedName>, AggregateProblem> {
            match options.take(key) {
                Some((value, range)) => Ok(Some(value.function(&reader, range, resolve)?)),
                None => Ok(None),
            }
        };
    let mut aggregate = Aggregate::new(
        sfunc.function(&reader, sfunc_range, resolve)?,
        type_of(&stype.as_string(&reader), stype_range, resolve)?,
    );
    aggregate.direct_args = direct_args;
    aggregate.finalfunc_modify = Modify::default_for(ordered_set);
    aggregate.mfinalfunc_modify = Modify::default_for(ordered_set);
    aggregate.finalfunc = function(&mut options, "finalfunc")?;
    aggregate.combinefunc = function(&mut options, "combinefunc")?;
    aggregate.serialfunc = function(&mut options, "serialfunc")?;
    aggregate.deserialfunc = function(&mut options, "deserialfunc")?;
    aggregate.msfunc = function(&mut options, "msfunc")?;
    aggregate.minvfunc = function(&mut options, "minvfunc")?;
    aggregate.mfinalfunc = function(&mut options, "mfinalfunc")?;
    if let Some((value, range)) = options.take("mstype") {
        aggregate.mstype = Some(type_of(&value.as_string(&reader), range, resolve)?);
    }
    for (key, slot) in [
        ("sspace", &mut aggregate.sspace),
        ("msspace", &mut aggregate.msspace),
    ] {
        if let Some((value, range)) = options.take(key) {
            *slot = value.as_string(&reader).parse::<i32>().map_err(|_| {
                AggregateProblem::new(
                    format!("{} requires an integer value", key.to_uppercase()),
                    range,
                )
            })?;
        }
    }
    for (key, slot) in [
        ("finalfunc_extra", &mut aggregate.finalfunc_extra),
        ("mfinalfunc_extra", &mut aggregate.mfinalfunc_extra),
        ("hypothetical", &mut aggregate.hypothetical),
    ] {
        if let Some((value, range)) = options.take(key) {
            *slot = value.flag(&reader, range, key)?;
        }
    }
    for (key, slot) in [
        ("finalfunc_modify", &mut aggregate.finalfunc_modify),
        ("mfinalfunc_modify", &mut aggregate.mfinalfunc_modify),
    ] {
        if let Some((value, range)) = options.take(key) {
            *slot = Modify::parse(&value.as_string(&reader)).ok_or_else(|| {
                AggregateProblem::new(
                    format!(
                        "{} must be READ_ONLY, SHAREABLE, or READ_WRITE",
                        key.to_uppercase()
                    ),
                    range,
                )
            })?;
        }
    }
    aggregate.initcond = options
        .take("initcond")
        .or_else(|| options.take("initcond1"))
        .map(|(value, _)| value.as_string(&reader));
    aggregate.minitcond = options
        .take("minitcond")
        .map(|(value, _)| value.as_string(&reader));
    if let Some((value, range)) = options.take("sortop") {
        aggregate.sortop = Some(value.operator(&reader, range)?);
    }
    let parallel = match options.take("parallel") {
        None => Parallel::Unsafe,
        Some((value, range)) => match value.as_string(&reader).to_ascii_lowercase().as_str() {
            "safe" => Parallel::Safe,
            "restricted" => Parallel::Restricted,
            "unsafe" => Parallel::Unsafe,
            _ => {
                return Err(AggregateProblem::new(
                    "parameter \"parallel\" must be SAFE, RESTRICTED, or UNSAFE",
                    range,
                ))
            }
        },
    };
    if aggregate.hypothetical && !ordered_set {
        return Err(AggregateProblem::new(
            "only ordered-set aggregates can be hypothetical",
            reader.range_of(option_group),
        ));
    }
    let warnings = options
        .rest
        .into_iter()
        .map(|(key, _, range)| {
            AggregateProblem::new(
                format!("aggregate attribute \"{key}\" not recognized"),
                range,
            )
        })
        .collect();
    Ok(ParsedAggregate {
        function: Function::aggregate((resolve.name)(&name), args, aggregate, parallel, meta),
        or_replace,
        warnings,
    })
}

fn type_of(
    spelling: &str,
    range: Range<usize>,
    resolve: &Resolve<'_>,
) -> Result<TypeName, AggregateProblem> {
    let spelling = spelling.trim();
    let parsed = parser(spelling).and_then(|mut p| {
        let ty = p.parse_data_type()?;
        super::forms::expect_end(&mut p)?;
        Ok(ty)
    });
    match parsed {
        Ok(ty) => Ok((resolve.type_name)(&ty.to_string())),
        Err(_) if !spelling.is_empty() => Ok((resolve.type_name)(spelling)),
        Err(_) => Err(AggregateProblem::new("expected a type", range)),
    }
}

/// A walk over the statement's tokens.
struct Reader<'a> {
    text: &'a str,
    tokens: &'a [(Token, usize)],
    idx: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.idx).map(|(token, _)| token)
    }

    fn keyword(&mut self, keyword: Keyword) -> bool {
        let found = matches!(self.peek(), Some(Token::Word(word)) if word.keyword == keyword && word.quote_style.is_none());
        if found {
            self.idx += 1;
        }
        found
    }

    fn expect_keyword(&mut self, keyword: Keyword, text: &str) -> Result<(), AggregateProblem> {
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
    fn range_of(&self, range: Range<usize>) -> Range<usize> {
        if range.is_empty() {
            let at = self.start(range.start);
            return at..at;
        }
        self.start(range.start)..self.end(range.end - 1).max(self.start(range.end - 1))
    }

    /// The text of tokens `range`, as written.
    fn text_of(&self, range: Range<usize>) -> &str {
        if range.is_empty() {
            return "";
        }
        let start = self.start(range.start);
        let end = self.start(range.end).min(self.text.len());
        self.text[start..end].trim_end()
    }

    /// A parenthesised group at the cursor: the token range inside it.
    fn group(&mut self) -> Result<Range<usize>, AggregateProblem> {
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
    fn args(
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
            super::forms::expect_end(&mut p)?;
            Ok(ty)
        });
        let (name, ty) = match whole_type {
            Ok(ty) => (None, ty),
            Err(_) => {
                let named = parser(text).and_then(|mut p| {
                    let name = p.parse_identifier()?;
                    let ty = p.parse_data_type()?;
                    super::forms::expect_end(&mut p)?;
                    Ok((name, ty))
                });
                match named {
                    Ok((name, ty)) => (Some(super::ident(&name)), ty),
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
struct Value {
    tokens: Range<usize>,
}

impl Value {
    /// The value as `defGetString` reads it: a string literal's content,
    /// an identifier folded, a number or anything else as written.
    fn as_string(&self, reader: &Reader<'_>) -> String {
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

    fn function(
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
                super::forms::expect_end(&mut p)?;
                Ok(name)
            })
            .map(|name| (resolve.function)(&name))
            .map_err(|_| AggregateProblem::new("expected a function name", range))
    }

    /// A flag: bare, or a boolean value.
    fn flag(
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
    fn operator(
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
struct Options {
    rest: Vec<(String, Value, Range<usize>)>,
}

impl Options {
    fn read(reader: &Reader<'_>, range: Range<usize>) -> Result<Options, AggregateProblem> {
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

    fn take(&mut self, key: &str) -> Option<(Value, Range<usize>)> {
        let idx = self.rest.iter().position(|(name, _, _)| name == key)?;
        let (_, value, range) = self.rest.remove(idx);
        Some((value, range))
    }
}

/// The `.schema` language's resolution of an aggregate's names: qualified
/// as written, else `public` for the aggregate and its types and, for a
/// support function, `public` when `declared` says the file has it there,
/// else PostgreSQL's own (`pg_catalog`).
pub(crate) fn parse_dsl_aggregate(
    text: &str,
    declared: &dyn Fn(&QualifiedName) -> bool,
    meta: Meta,
) -> Result<ParsedAggregate, AggregateProblem> {
    let public = Ident::new("public");
    let name = |name: &ObjectName| super::qualified_in(name, &public);
    let function = |name: &ObjectName| {
        let resolved = super::qualified_in(name, &public);
        if name.0.len() == 1 && !declared(&resolved) {
            QualifiedName::new("pg_catalog", resolved.name.as_str())
        } else {
            resolved
        }
    };
    let type_name = |spelling: &str| normalize::type_name(spelling, "public");
    let resolve = Resolve {
        name: &name,
        function: &function,
        type_name: &type_name,
    };
    parse_aggregate(text, &resolve, meta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::sql::load_file;
    use crate::model::{FunctionId, Model};
    use crate::source::{FileId, Language, SourceFile};

    fn load(sql: &str) -> (Model, Vec<String>) {
        let file = SourceFile::new(FileId(0), "t.sql".into(), sql.to_string(), Language::Sql);
        let parsed = load_file(&file);
        let diagnostics = parsed
            .diagnostics
            .iter()
            .filter(|d| d.code != "skipped-statement")
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect();
        (parsed.value, diagnostics)
    }

    fn aggregate(model: &Model, name: &str, args: &[&str]) -> Function {
        let id = FunctionId {
            name: QualifiedName::public(name),
            arg_types: args.iter().map(|ty| TypeName::new(*ty)).collect(),
        };
        model.functions.get(&id).cloned().unwrap_or_else(|| {
            panic!(
                "no {id} in {:?}",
                model.functions.keys().collect::<Vec<_>>()
            )
        })
    }

    const STEP: &str = "CREATE FUNCTION public.concat_step(acc text, item text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT acc || item $$;\n";

    #[test]
    fn new_and_old_style_and_pg_dump_forms_are_one_aggregate() {
        let forms = [
            "CREATE AGGREGATE public.text_join(text) (SFUNC = public.concat_step, STYPE = text);",
            "create aggregate text_join (text) (stype = text, sfunc = concat_step)",
            "CREATE AGGREGATE text_join (BASETYPE = text, SFUNC = concat_step, STYPE = pg_catalog.text, FINALFUNC_MODIFY = read_only, PARALLEL = unsafe)",
            "CREATE OR REPLACE AGGREGATE \"text_join\"(IN item text) (\"sfunc\" = public.\"concat_step\", STYPE = text)",
        ];
        let mut seen = Vec::new();
        for form in forms {
            let (model, diagnostics) = load(&format!("{STEP}{form}"));
            assert!(diagnostics.is_empty(), "{form}: {diagnostics:?}");
            let mut found = aggregate(&model, "text_join", &["text"]);
            // Argument names are part of the routine, not of the aggregate's identity.
            for arg in &mut found.args {
                arg.name = None;
            }
            seen.push(found);
        }
        for other in &seen[1..] {
            assert_eq!(&seen[0], other);
        }
        let agg = seen[0].aggregate.as_ref().expect("an aggregate");
        assert_eq!(agg.sfunc, QualifiedName::public("concat_step"));
        assert_eq!(agg.stype, TypeName::new("text"));
        assert_eq!(agg.finalfunc_modify, Modify::ReadOnly);
    }

    #[test]
    fn ordered_set_variadic_and_star_forms() {
        let sql = "CREATE AGGREGATE pct(double precision ORDER BY double precision) (SFUNC = ordered_set_transition, STYPE = internal, FINALFUNC = percentile_disc_final, FINALFUNC_EXTRA);\n\
            CREATE AGGREGATE rnk(VARIADIC \"any\" ORDER BY VARIADIC \"any\") (SFUNC = ordered_set_transition_multi, STYPE = internal, FINALFUNC = rank_final, FINALFUNC_EXTRA, HYPOTHETICAL);\n\
            CREATE AGGREGATE cnt(*) (SFUNC = int8inc, STYPE = int8, INITCOND = 0, PARALLEL = SAFE, COMBINEFUNC = int8pl);\n\
            CREATE AGGREGATE mx(integer) (SFUNC = int4larger, STYPE = int4, SORTOP = >, MSFUNC = int4pl, MINVFUNC = int4mi, MSTYPE = int4, MINITCOND = '0');";
        let (model, diagnostics) = load(sql);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let pct = aggregate(&model, "pct", &["double precision", "double precision"]);
        let agg = pct.aggregate.as_ref().expect("aggregate");
        assert_eq!(agg.direct_args, Some(1));
        assert_eq!(agg.finalfunc_modify, Modify::ReadWrite);
        assert!(agg.finalfunc_extra);
        assert_eq!(
            agg.sfunc,
            QualifiedName::new("pg_catalog", "ordered_set_transition")
        );
        let rnk = aggregate(&model, "rnk", &["any"]);
        let agg = rnk.aggregate.as_ref().expect("aggregate");
        assert_eq!((agg.direct_args, agg.hypothetical), (Some(1), true));
        assert_eq!(
            crate::model::sql::create_function(&rnk, false),
            "CREATE AGGREGATE public.rnk(VARIADIC \"any\" ORDER BY VARIADIC \"any\") (SFUNC = pg_catalog.ordered_set_transition_multi, STYPE = internal, FINALFUNC = pg_catalog.rank_final, FINALFUNC_EXTRA, HYPOTHETICAL)"
        );
        let cnt = aggregate(&model, "cnt", &[]);
        assert_eq!(cnt.parallel, Parallel::Safe);
        assert_eq!(
            crate::model::sql::create_function(&cnt, false),
            "CREATE AGGREGATE public.cnt(*) (SFUNC = pg_catalog.int8inc, STYPE = bigint, COMBINEFUNC = pg_catalog.int8pl, INITCOND = '0', PARALLEL = SAFE)"
        );
        let mx = aggregate(&model, "mx", &["integer"]);
        let agg = mx.aggregate.as_ref().expect("aggregate");
        assert_eq!(
            agg.sortop,
            Some((Ident::new("pg_catalog"), ">".to_string()))
        );
        assert_eq!(agg.minitcond.as_deref(), Some("0"));
        assert_eq!(agg.mstype, Some(TypeName::new("integer")));
    }

    #[test]
    fn comments_and_owners_of_aggregates() {
        let sql = format!(
            "{STEP}CREATE AGGREGATE text_join(text) (SFUNC = concat_step, STYPE = text);\nCOMMENT ON AGGREGATE text_join(text) IS 'joins';\nALTER AGGREGATE public.text_join(text) OWNER TO postgres;\nCREATE AGGREGATE pct(float8 ORDER BY float8) (SFUNC = ordered_set_transition, STYPE = internal);\nCOMMENT ON AGGREGATE pct(float8 ORDER BY float8) IS 'pct';\nCREATE AGGREGATE cnt(*) (SFUNC = int8inc, STYPE = int8);\nCOMMENT ON AGGREGATE cnt(*) IS 'count';"
        );
        let (model, diagnostics) = load(&sql);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(
            aggregate(&model, "text_join", &["text"]).comment.as_deref(),
            Some("joins")
        );
        assert_eq!(
            aggregate(&model, "pct", &["double precision", "double precision"])
                .comment
                .as_deref(),
            Some("pct")
        );
        assert_eq!(
            aggregate(&model, "cnt", &[]).comment.as_deref(),
            Some("count")
        );
    }

    #[test]
    fn unreadable_forms_are_errors_at_their_place() {
        let cases = [
            (
                "CREATE AGGREGATE a(text) (STYPE = text)",
                "aggregate sfunc must be specified",
            ),
            (
                "CREATE AGGREGATE a(text) (SFUNC = f, STYPE = text, SSPACE = big)",
                "SSPACE requires an integer value",
            ),
            (
                "CREATE AGGREGATE a(OUT text) (SFUNC = f, STYPE = text)",
                "aggregates cannot have output arguments",
            ),
            (
                "CREATE AGGREGATE a(text) (SFUNC = f, STYPE = text, HYPOTHETICAL)",
                "only ordered-set aggregates can be hypothetical",
            ),
            (
                "CREATE AGGREGATE a(text) (SFUNC = f, STYPE = text) extra",
                "unexpected text after the aggregate's options",
            ),
            (
                "CREATE AGGREGATE a(text) (SFUNC = f, STYPE = text, FINALFUNC_MODIFY = never)",
                "FINALFUNC_MODIFY must be READ_ONLY, SHAREABLE, or READ_WRITE",
            ),
            (
                "CREATE AGGREGATE a(text) (SFUNC = f, STYPE = text",
                "this ( is never closed",
            ),
            (
                "CREATE AGGREGATE a() (SFUNC = f, STYPE = text)",
                "an aggregate's argument list is `*` or at least one type",
            ),
        ];
        for (sql, expected) in cases {
            let (model, diagnostics) = load(sql);
            assert!(model.functions.is_empty(), "{sql}");
            assert_eq!(
                diagnostics,
                vec![format!("syntax-error: {expected}")],
                "{sql}"
            );
        }
        let (model, diagnostics) =
            load("CREATE AGGREGATE a(text) (SFUNC = f, STYPE = text, COLOUR = red)");
        assert_eq!(model.functions.len(), 1);
        assert_eq!(
            diagnostics,
            vec![
                "unsupported-statement: aggregate attribute \"colour\" not recognized".to_string()
            ]
        );
    }
}
