//! `CREATE TYPE ... AS ENUM`, `CREATE TYPE ... AS (attributes)` (composite
//! types) and `CREATE DOMAIN` (sqlparser 0.63 reads
//! neither a domain's `NOT NULL` nor `COLLATE pg_catalog."C"`): the domain's
//! COLLATE, DEFAULT and constraints (`[CONSTRAINT n] NOT NULL | NULL | CHECK
//! (e)`) are read in any order.
//!
//! Invariant: unnamed domain CHECKs get PostgreSQL's names (`<domain>_check`,
//! `<domain>_check1`, ...); range and base types are reported as not
//! modelled, never silently dropped.

use super::forms::run;
use super::{collation, ident, Ctx, Stmt};
use crate::model::{normalize, CompositeAttribute, CompositeType, Domain, Enum, Ident};
use sqlparser::ast::{Expr, ObjectName};
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;
use std::collections::BTreeMap;

/// `CREATE TYPE name AS ENUM ('a', ...)` and `CREATE TYPE name AS (...)`;
/// range and base types are not modelled.
pub(crate) fn create_type(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let words = super::dispatch::leading_words(stmt.text, 8);
    if !words.iter().any(|word| word == "ENUM") {
        if is_composite(stmt.text) {
            create_composite(ctx, stmt);
            return;
        }
        super::skipped::unmodelled(ctx, &stmt, "CREATE TYPE (range or base type)");
        return;
    }
    let Some((name, values)) = run(ctx, &stmt, stmt.text, |p| {
        p.expect_keywords(&[Keyword::CREATE, Keyword::TYPE])?;
        let name = p.parse_object_name(false)?;
        p.expect_keywords(&[Keyword::AS, Keyword::ENUM])?;
        p.expect_token(&Token::LParen)?;
        let values = if p.peek_token().token == Token::RParen {
            Vec::new()
        } else {
            p.parse_comma_separated(Parser::parse_literal_string)?
        };
        p.expect_token(&Token::RParen)?;
        Ok((name, values))
    }) else {
        return;
    };
    let name = ctx.qualified(&name);
    let value = Enum {
        name: name.clone(),
        values,
        comment: None,
        meta: ctx.meta(&stmt),
    };
    if ctx.model.enums.insert(name.clone(), value).is_some() {
        ctx.error(
            "duplicate-object",
            &stmt,
            format!("enum {name} is declared more than once"),
        );
    }
}

/// True for `CREATE TYPE name AS (`: a composite type.
fn is_composite(text: &str) -> bool {
    let Ok(mut p) = super::parser(text) else {
        return false;
    };
    p.parse_keywords(&[Keyword::CREATE, Keyword::TYPE])
        && p.parse_object_name(false).is_ok()
        && p.parse_keyword(Keyword::AS)
        && p.peek_token().token == Token::LParen
}

/// `CREATE TYPE name AS (attribute type [COLLATE c], ...)`.
fn create_composite(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let Some((name, attributes)) = run(ctx, &stmt, stmt.text, |p| {
        p.expect_keywords(&[Keyword::CREATE, Keyword::TYPE])?;
        let name = p.parse_object_name(false)?;
        p.expect_keyword(Keyword::AS)?;
        p.expect_token(&Token::LParen)?;
        let mut attributes = Vec::new();
        if !p.consume_token(&Token::RParen) {
            loop {
                let attribute = ident(&p.parse_identifier()?);
                let ty = p.parse_data_type()?.to_string();
                let collation = if p.parse_keyword(Keyword::COLLATE) {
                    Some(collation(&p.parse_object_name(false)?))
                } else {
                    None
                };
                attributes.push(CompositeAttribute {
                    name: attribute,
                    ty: normalize::type_name(&ty, "public"),
                    collation,
                });
                if !p.consume_token(&Token::Comma) {
                    break;
                }
            }
            p.expect_token(&Token::RParen)?;
        }
        Ok((name, attributes))
    }) else {
        return;
    };
    let name = ctx.qualified(&name);
    let composite = CompositeType {
        name: name.clone(),
        attributes,
        comment: None,
        meta: ctx.meta(&stmt),
    };
    if ctx
        .model
        .composites
        .insert(name.clone(), composite)
        .is_some()
    {
        ctx.error(
            "duplicate-object",
            &stmt,
            format!("type {name} is declared more than once"),
        );
    }
}

/// `CREATE DOMAIN name [AS] type [COLLATE c] [DEFAULT e] [[CONSTRAINT n] NOT NULL | NULL | CHECK (e)]...`.
pub(crate) fn create_domain(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let Some(parsed) = run(ctx, &stmt, stmt.text, |p| {
        p.expect_keywords(&[Keyword::CREATE, Keyword::DOMAIN])?;
        let name = p.parse_object_name(false)?;
        let _ = p.parse_keyword(Keyword::AS);
        let ty = p.parse_data_type()?;
        let mut domain = DomainParts {
            name,
            ty: ty.to_string(),
            collation: None,
            default: None,
            not_null: false,
            checks: Vec::new(),
        };
        loop {
            let constraint_name = if p.parse_keyword(Keyword::CONSTRAINT) {
                Some(p.parse_identifier()?)
            } else {
                None
            };
            if p.parse_keyword(Keyword::COLLATE) {
                domain.collation = Some(collation(&p.parse_object_name(false)?));
            } else if p.parse_keyword(Keyword::DEFAULT) {
                // PostgreSQL's DEFAULT takes a `b_expr`: `DEFAULT 0.01 NOT
                // NULL` is a default and a constraint, never `0.01 IS NOT NULL`.
                domain.default = Some(p.parse_subexpr(default_precedence())?);
            } else if p.parse_keywords(&[Keyword::NOT, Keyword::NULL]) {
                domain.not_null = true;
            } else if p.parse_keyword(Keyword::NULL) {
                domain.not_null = false;
            } else if p.parse_keyword(Keyword::CHECK) {
                p.expect_token(&Token::LParen)?;
                let expr = p.parse_expr()?;
                p.expect_token(&Token::RParen)?;
                let _ = p.parse_keywords(&[Keyword::NOT, Keyword::VALID]);
                domain
                    .checks
                    .push((constraint_name.as_ref().map(ident), expr));
            } else if constraint_name.is_some() {
                return p.expected("NOT NULL, NULL or CHECK", p.peek_token());
            } else {
                return Ok(domain);
            }
        }
    }) else {
        return;
    };
    let name = ctx.qualified(&parsed.name);
    let mut checks = BTreeMap::new();
    for (check_name, expr) in &parsed.checks {
        let check_name = check_name.clone().unwrap_or_else(|| {
            let base = format!("{}_check", name.name.as_str());
            let mut candidate = Ident::new(base.clone());
            let mut n = 1;
            while checks.contains_key(&candidate) {
                candidate = Ident::new(format!("{base}{n}"));
                n += 1;
            }
            candidate
        });
        checks.insert(check_name, normalize::expr_from_ast(expr));
    }
    let domain = Domain {
        name: name.clone(),
        base: ctx.type_name(&parsed.ty),
        collation: parsed.collation,
        default: parsed.default.as_ref().map(normalize::expr_from_ast),
        not_null: parsed.not_null,
        checks,
        comment: None,
        meta: ctx.meta(&stmt),
    };
    if ctx.model.domains.insert(name.clone(), domain).is_some() {
        ctx.error(
            "duplicate-object",
            &stmt,
            format!("domain {name} is declared more than once"),
        );
    }
}

/// Binding power that stops an expression before `IS`, `NOT NULL`, `NOT`,
/// `AND` and `OR` (what PostgreSQL's `b_expr` leaves out).
fn default_precedence() -> u8 {
    use sqlparser::dialect::{Dialect, PostgreSqlDialect, Precedence};
    PostgreSqlDialect {}.prec_value(Precedence::Is)
}

struct DomainParts {
    name: ObjectName,
    ty: String,
    collation: Option<crate::model::Collation>,
    default: Option<Expr>,
    not_null: bool,
    checks: Vec<(Option<Ident>, Expr)>,
}

#[cfg(test)]
mod tests {
    use super::super::load_file;
    use crate::model::{Ident, QualifiedName};
    use crate::source::{FileId, Language, SourceFile};

    fn model(sql: &str) -> crate::model::Model {
        let file = SourceFile::new(FileId(0), "t.sql".into(), sql.to_string(), Language::Sql);
        let parsed = load_file(&file);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        parsed.value
    }

    #[test]
    fn domain_clauses_in_any_order() {
        let written = model("CREATE DOMAIN d AS numeric(12,2) DEFAULT 0.01 NOT NULL CHECK (VALUE > 0);\nCREATE DOMAIN c AS text COLLATE \"C\" CONSTRAINT upper_only CHECK (VALUE = upper(VALUE)) NULL DEFAULT 'A' || 'B';");
        let dumped = model("CREATE DOMAIN public.d AS numeric(12,2) NOT NULL DEFAULT 0.01\n\tCONSTRAINT d_check CHECK ((VALUE > (0)::numeric));\nCREATE DOMAIN public.c AS text COLLATE pg_catalog.\"C\" DEFAULT ('A'::text || 'B'::text)\n\tCONSTRAINT upper_only CHECK ((VALUE = upper(VALUE)));");
        let d = &written.domains[&QualifiedName::public("d")];
        assert!(d.not_null);
        assert_eq!(d.default.as_ref().map(|e| e.sql.as_str()), Some("0.01"));
        assert_eq!(
            d.checks.keys().collect::<Vec<_>>(),
            vec![&Ident::new("d_check")]
        );
        let c = &written.domains[&QualifiedName::public("c")];
        assert!(!c.not_null);
        assert_eq!(c.collation, Some(crate::model::Collation::new("C")));
        assert_eq!(written.domains, dumped.domains);
    }
}
