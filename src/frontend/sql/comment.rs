//! `COMMENT ON <kind> <object> IS 'text' | NULL` for every kind the Model
//! carries comments for, including the forms sqlparser 0.63 cannot read
//! (`COMMENT ON POLICY/CONSTRAINT/TRIGGER ... ON table`, `COMMENT ON
//! FUNCTION f(argument list)`).
//!
//! Invariant: comments are queued and applied after the whole file was
//! read ([`super::pgdump::finish`]), so a comment may precede its object;
//! a comment on an object the file never declares is an `unknown-reference`,
//! except `COMMENT ON SCHEMA public` (that schema always exists and its
//! comment is not managed: noted and skipped).

use super::pgdump::{CommentTarget, Deferred};
use super::{ident, Ctx, Stmt};
use crate::model::{normalize, FunctionId, Ident, QualifiedName};
use sqlparser::ast::ObjectName;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

/// What `COMMENT ON` names, before lookup.
enum Parsed {
    Target(CommentTarget),
    /// A kind the Model has no comment for (EXTENSION, ROLE, ...).
    NotModelled(String),
}

pub(crate) fn comment(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let resolve = |name: &ObjectName| ctx.object(name);
    let parsed = super::parser(stmt.text).and_then(|mut p| {
        p.expect_keywords(&[Keyword::COMMENT, Keyword::ON])?;
        let target = target(&mut p, &resolve)?;
        p.expect_keyword(Keyword::IS)?;
        let text = if p.parse_keyword(Keyword::NULL) {
            None
        } else {
            Some(p.parse_literal_string()?)
        };
        super::forms::expect_end(&mut p)?;
        Ok((target, text))
    });
    let (target, text) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            ctx.syntax_error(&stmt, &error);
            return;
        }
    };
    match target {
        // A rule on a view is built verbatim (`super::rule`): so is its comment.
        Parsed::Target(CommentTarget::Rule(relation, name))
            if ctx.model.views.contains_key(&relation) =>
        {
            super::skipped::verbatim(
                ctx,
                &stmt,
                &format!("COMMENT ON RULE {name} ON {relation} (a rule on a view) not modelled: with a database, the shadow database runs it as written"),
            )
        }
        Parsed::Target(target) => ctx.deferred.push(Deferred::Comment {
            target,
            text,
            span: ctx.span(&stmt),
        }),
        Parsed::NotModelled(kind) if kind == "SCHEMA public" => ctx.info(
            "skipped-statement",
            &stmt,
            "COMMENT ON SCHEMA public skipped (the public schema always exists; its comment is not managed by schemac)",
        ),
        Parsed::NotModelled(kind) => ctx.info(
            "skipped-statement",
            &stmt,
            format!("COMMENT ON {kind} skipped (schemac keeps no comment for this kind of object)"),
        ),
    }
}

fn target(
    p: &mut Parser<'_>,
    resolve: &dyn Fn(&ObjectName) -> QualifiedName,
) -> Result<Parsed, ParserError> {
    let name = |p: &mut Parser<'_>| p.parse_object_name(false).map(|name| resolve(&name));
    let on_table = |p: &mut Parser<'_>| -> Result<(Ident, QualifiedName), ParserError> {
        let object = ident(&p.parse_identifier()?);
        p.expect_keyword(Keyword::ON)?;
        Ok((object, resolve(&p.parse_object_name(false)?)))
    };
    let target = if p.parse_keyword(Keyword::TABLE) {
        CommentTarget::Table(name(p)?)
    } else if p.parse_keyword(Keyword::COLUMN) {
        let object = p.parse_object_name(false)?;
        let mut parts = object.0.clone();
        let column = parts.pop().and_then(|part| part.as_ident().map(ident));
        match column {
            Some(column) if !parts.is_empty() => {
                CommentTarget::Column(resolve(&ObjectName(parts)), column)
            }
            _ => return p.expected("table.column", p.peek_token()),
        }
    } else if p.parse_keyword(Keyword::CONSTRAINT) {
        let object = ident(&p.parse_identifier()?);
        p.expect_keyword(Keyword::ON)?;
        if p.parse_keyword(Keyword::DOMAIN) {
            CommentTarget::DomainConstraint(name(p)?, object)
        } else {
            CommentTarget::Constraint(name(p)?, object)
        }
    } else if p.parse_keyword(Keyword::INDEX) {
        CommentTarget::Index(name(p)?)
    } else if p.parse_keyword(Keyword::POLICY) {
        let (object, table) = on_table(p)?;
        CommentTarget::Policy(table, object)
    } else if p.parse_keyword(Keyword::TRIGGER) {
        let (object, table) = on_table(p)?;
        CommentTarget::Trigger(table, object)
    } else if p.parse_keyword(Keyword::RULE) {
        let (object, table) = on_table(p)?;
        CommentTarget::Rule(table, object)
    } else if p
        .parse_one_of_keywords(&[Keyword::FUNCTION, Keyword::PROCEDURE])
        .is_some()
    {
        let function = name(p)?;
        let arg_types = if p.consume_token(&Token::LParen) {
            argument_types(p)?
        } else {
            Vec::new()
        };
        CommentTarget::Function(FunctionId {
            name: function,
            arg_types,
        })
    } else if p.parse_keyword(Keyword::AGGREGATE) {
        let aggregate = name(p)?;
        p.expect_token(&Token::LParen)?;
        CommentTarget::Function(FunctionId {
            name: aggregate,
            arg_types: aggregate_argument_types(p)?,
        })
    } else if p.parse_keyword(Keyword::VIEW)
        || p.parse_keywords(&[Keyword::MATERIALIZED, Keyword::VIEW])
    {
        CommentTarget::View(name(p)?)
    } else if p.parse_keyword(Keyword::SEQUENCE) {
        CommentTarget::Sequence(name(p)?)
    } else if p.parse_keyword(Keyword::TYPE) {
        CommentTarget::Type(name(p)?)
    } else if p.parse_keyword(Keyword::DOMAIN) {
        CommentTarget::Domain(name(p)?)
    } else if p.parse_keyword(Keyword::SCHEMA) {
        let schema = ident(&p.parse_identifier()?);
        if schema.as_str() == "public" {
            // `public` always exists and is not a Model schema; pg_dump 15+
            // prints its comment whenever it differs from the default.
            return Ok(Parsed::NotModelled("SCHEMA public".to_string()));
        }
        CommentTarget::Schema(schema)
    } else {
        let mut kind = Vec::new();
        while let Token::Word(word) = p.peek_token().token {
            if word.keyword == Keyword::IS {
                break;
            }
            kind.push(word.value.to_uppercase());
            p.next_token();
            if kind.len() == 1 {
                // The kind is one word (EXTENSION, ROLE, COLLATION...); skip the name.
                skip_name(p);
                break;
            }
        }
        if kind.is_empty() {
            return p.expected("an object kind", p.peek_token());
        }
        return Ok(Parsed::NotModelled(kind.join(" ")));
    };
    Ok(Parsed::Target(target))
}

/// Sets the comment on the target; false when the file declares no such object.
pub(crate) fn apply(ctx: &mut Ctx<'_>, target: &CommentTarget, text: Option<String>) -> bool {
    let model = &mut ctx.model;
    let slot: Option<&mut Option<String>> = match target {
        CommentTarget::Table(name) => model.tables.get_mut(name).map(|t| &mut t.comment),
        CommentTarget::Column(table, column) => model
            .tables
            .get_mut(table)
            .and_then(|t| t.columns.iter_mut().find(|c| &c.name == column))
            .map(|c| &mut c.comment),
        CommentTarget::Constraint(table, name) => model
            .tables
            .get_mut(table)
            .and_then(|t| t.constraints.get_mut(name))
            .map(|c| &mut c.comment),
        CommentTarget::DomainConstraint(domain, name) => {
            // The Model keeps no comment on a domain's CHECK; accept it
            // when the constraint exists so the statement is not an error.
            return model
                .domains
                .get(domain)
                .is_some_and(|d| d.checks.contains_key(name));
        }
        CommentTarget::Index(name) => {
            let in_tables = model
                .tables
                .values_mut()
                .filter(|t| t.name.schema == name.schema)
                .find_map(|t| t.indexes.get_mut(&name.name));
            match in_tables {
                Some(index) => Some(&mut index.comment),
                None => model
                    .views
                    .values_mut()
                    .filter(|v| v.name.schema == name.schema)
                    .find_map(|v| v.indexes.get_mut(&name.name))
                    .map(|index| &mut index.comment),
            }
        }
        CommentTarget::Policy(table, name) => model
            .tables
            .get_mut(table)
            .and_then(|t| t.policies.get_mut(name))
            .map(|p| &mut p.comment),
        CommentTarget::Trigger(table, name) => model
            .tables
            .get_mut(table)
            .and_then(|t| t.triggers.get_mut(name))
            .map(|t| &mut t.comment),
        CommentTarget::Rule(table, name) => model
            .tables
            .get_mut(table)
            .and_then(|t| t.rules.get_mut(name))
            .map(|r| &mut r.comment),
        CommentTarget::Function(id) => model.functions.get_mut(id).map(|f| &mut f.comment),
        CommentTarget::View(name) => model.views.get_mut(name).map(|v| &mut v.comment),
        CommentTarget::Sequence(name) => model.sequences.get_mut(name).map(|s| &mut s.comment),
        CommentTarget::Type(name) => match model.enums.get_mut(name) {
            Some(found) => Some(&mut found.comment),
            None => match model.composites.get_mut(name) {
                Some(found) => Some(&mut found.comment),
                None => model.domains.get_mut(name).map(|d| &mut d.comment),
            },
        },
        CommentTarget::Domain(name) => model.domains.get_mut(name).map(|d| &mut d.comment),
        CommentTarget::Schema(name) => model.schemas.get_mut(name).map(|s| &mut s.comment),
    };
    match slot {
        Some(slot) => {
            *slot = text;
            true
        }
        None => false,
    }
}

/// Skips an object name and an optional parenthesised argument list.
fn skip_name(p: &mut Parser<'_>) {
    let mut depth = 0usize;
    loop {
        match p.peek_token().token {
            Token::EOF => return,
            Token::Word(word) if word.keyword == Keyword::IS && depth == 0 => return,
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        p.next_token();
    }
}

/// The argument types of an aggregate's signature after the `(`: `*`,
/// `args`, or `[direct] ORDER BY aggregated`, where a VARIADIC last
/// direct argument stands for the aggregated one too (PostgreSQL keeps
/// it once).
fn aggregate_argument_types(
    p: &mut Parser<'_>,
) -> Result<Vec<crate::model::TypeName>, ParserError> {
    if p.consume_token(&Token::Mul) {
        p.expect_token(&Token::RParen)?;
        return Ok(Vec::new());
    }
    let mut types = Vec::new();
    let mut direct_variadic = false;
    let mut ordered = false;
    loop {
        if !ordered && p.parse_keywords(&[Keyword::ORDER, Keyword::BY]) {
            ordered = true;
            continue;
        }
        let variadic = p.parse_keyword(Keyword::VARIADIC);
        if !variadic {
            let _ = p.parse_keyword(Keyword::IN);
        }
        let ty = argument_type(p, |p| {
            matches!(p.peek_token().token, Token::Comma | Token::RParen)
                || (p.peek_keyword(Keyword::ORDER))
        })?;
        if !(ordered && direct_variadic) {
            types.push(normalize::type_name(&ty.to_string(), "public"));
        }
        if !ordered {
            direct_variadic = variadic;
        }
        if p.consume_token(&Token::RParen) {
            return Ok(types);
        }
        if p.peek_keyword(Keyword::ORDER) {
            continue;
        }
        p.expect_token(&Token::Comma)?;
    }
}

/// One argument's type, `type` or `name type`: a bare type when the
/// argument ends after it (`at_end`), else a name and then the type.
fn argument_type(
    p: &mut Parser<'_>,
    at_end: impl Fn(&Parser<'_>) -> bool,
) -> Result<sqlparser::ast::DataType, ParserError> {
    let bare = p.maybe_parse(|p| {
        let ty = p.parse_data_type()?;
        if at_end(p) {
            Ok(ty)
        } else {
            p.expected(", or )", p.peek_token())
        }
    })?;
    match bare {
        Some(ty) => Ok(ty),
        None => {
            let _name = p.parse_identifier()?;
            p.parse_data_type()
        }
    }
}

/// The input argument types of `f(arg, ...)` after the `(`: each argument
/// is `[mode] [name] type`; OUT arguments are not part of the identity.
pub(crate) fn argument_types(
    p: &mut Parser<'_>,
) -> Result<Vec<crate::model::TypeName>, ParserError> {
    let mut types = Vec::new();
    if p.consume_token(&Token::RParen) {
        return Ok(types);
    }
    loop {
        let mode = p.parse_one_of_keywords(&[
            Keyword::IN,
            Keyword::OUT,
            Keyword::INOUT,
            Keyword::VARIADIC,
        ]);
        let ty = argument_type(p, |p| {
            matches!(p.peek_token().token, Token::Comma | Token::RParen)
        })?;
        if mode != Some(Keyword::OUT) {
            types.push(normalize::type_name(&ty.to_string(), "public"));
        }
        if p.consume_token(&Token::RParen) {
            return Ok(types);
        }
        p.expect_token(&Token::Comma)?;
    }
}

#[cfg(test)]
mod tests {
    use super::super::load_file;
    use crate::model::{Ident, QualifiedName};
    use crate::source::{FileId, Language, SourceFile};

    #[test]
    fn comments_on_every_kind() {
        let sql = "COMMENT ON TABLE t IS 'table';\nCREATE SCHEMA s; COMMENT ON SCHEMA s IS 'schema';\nCREATE TABLE t (a int CONSTRAINT pos CHECK (a > 0));\nCOMMENT ON COLUMN public.t.a IS 'column';\nCOMMENT ON CONSTRAINT pos ON t IS 'constraint';\nCREATE INDEX t_a ON t (a); COMMENT ON INDEX t_a IS 'index';\nCREATE POLICY p ON t USING (true); COMMENT ON POLICY p ON public.t IS 'policy';\nCREATE FUNCTION f(a integer, OUT b text, c double precision) RETURNS record LANGUAGE sql AS $$ select 1, 'x' $$;\nCOMMENT ON FUNCTION f(a integer, OUT b text, c double precision) IS 'function';\nCREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f(); COMMENT ON TRIGGER tr ON t IS E'trigger\\n';\nCOMMENT ON EXTENSION plpgsql IS 'not modelled';\nCOMMENT ON TABLE t IS NULL;";
        let file = SourceFile::new(FileId(0), "t.sql".into(), sql.to_string(), Language::Sql);
        let parsed = load_file(&file);
        let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "{errors:?}");
        let m = parsed.value;
        let t = &m.tables[&QualifiedName::public("t")];
        assert_eq!(t.comment, None, "COMMENT ... IS NULL removes the comment");
        assert_eq!(t.columns[0].comment.as_deref(), Some("column"));
        assert_eq!(
            t.constraints[&Ident::new("pos")].comment.as_deref(),
            Some("constraint")
        );
        assert_eq!(
            t.indexes[&Ident::new("t_a")].comment.as_deref(),
            Some("index")
        );
        assert_eq!(
            t.policies[&Ident::new("p")].comment.as_deref(),
            Some("policy")
        );
        assert_eq!(
            t.triggers[&Ident::new("tr")].comment.as_deref(),
            Some("trigger\n")
        );
        assert_eq!(
            m.schemas[&Ident::new("s")].comment.as_deref(),
            Some("schema")
        );
        let f = m.functions.values().next().expect("function");
        assert_eq!(f.comment.as_deref(), Some("function"));
    }

    #[test]
    fn comment_on_unknown_object_is_an_error() {
        let file = SourceFile::new(
            FileId(0),
            "t.sql".into(),
            "COMMENT ON VIEW nope IS 'x';".to_string(),
            Language::Sql,
        );
        let parsed = load_file(&file);
        assert_eq!(parsed.diagnostics.len(), 1);
        assert_eq!(parsed.diagnostics[0].code, "unknown-reference");
    }

    #[test]
    fn comment_on_schema_public_is_noted() {
        for sql in [
            "COMMENT ON SCHEMA public IS 'standard public schema';",
            "COMMENT ON SCHEMA \"public\" IS 'x';",
        ] {
            let file = SourceFile::new(FileId(0), "t.sql".into(), sql.to_string(), Language::Sql);
            let parsed = load_file(&file);
            assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
            assert_eq!(
                parsed.diagnostics[0].severity,
                crate::diagnostics::Severity::Info
            );
            assert!(parsed.diagnostics[0].message.contains("public"));
        }
    }
}
