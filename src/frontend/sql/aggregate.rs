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

mod reader;

use reader::{Options, Reader};

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
mod tests;
