//! The file's `search_path`, as PostgreSQL keeps it for the session that
//! runs the file: `SET [SESSION|LOCAL] search_path {TO|=} a, b`,
//! `SET search_path TO DEFAULT`, `RESET search_path` and
//! `SELECT [pg_catalog.]set_config('search_path', 'a, b', bool)` change it
//! for every statement after them.
//!
//! - An unqualified name a statement creates goes into the first schema of
//!   the path ([`Ctx::qualified`]).
//! - An unqualified name a statement refers to is looked up through the
//!   path, in order, among what the file declared so far
//!   ([`Ctx::relation`], [`Ctx::function`], [`Ctx::type_schema`]);
//!   `pg_catalog` is searched first implicitly, which the callers that know
//!   built-in names handle (a built-in is never a Model object).
//! - A name found nowhere (declared by an extension, or outside the
//!   managed schemas) resolves to `public` when the path holds it
//!   (extensions install there by default), otherwise to the first schema.
//!
//! The default path is PostgreSQL's `"$user", public`; `"$user"` names a
//! schema per role, which a schema file does not declare, so it is left
//! out. An empty path (`set_config('search_path', '', false)`, as pg_dump
//! prints it) keeps `public` as the fallback: PostgreSQL would refuse an
//! unqualified CREATE there, and pg_dump qualifies every name.

use super::{ident, Ctx, Stmt};
use crate::model::{normalize, Ident, QualifiedName};
use sqlparser::ast::ObjectName;
use sqlparser::tokenizer::Token;

/// PostgreSQL's default path, without `"$user"`.
pub(crate) fn default_path() -> Vec<Ident> {
    vec![Ident::new("public")]
}

/// `SET ... search_path ...` / `RESET search_path`: updates the path and
/// returns true; false (nothing changed) for any other setting.
pub(crate) fn set_statement(ctx: &mut Ctx<'_>, stmt: &Stmt<'_>) -> bool {
    let Some(tokens) = super::tokens(stmt.text) else {
        return false;
    };
    let mut toks = tokens
        .into_iter()
        .map(|(token, _)| token)
        .filter(|token| !matches!(token, Token::EOF));
    let word = |token: Option<Token>| match token {
        Some(Token::Word(word)) if word.quote_style.is_none() => Some(word.value.to_lowercase()),
        _ => None,
    };
    let first = word(toks.next());
    let mut next = toks.next();
    if first.as_deref() == Some("reset") {
        if word(next).as_deref() == Some("search_path") && toks.next().is_none() {
            ctx.search_path = default_path();
            return true;
        }
        return false;
    }
    if first.as_deref() != Some("set") {
        return false;
    }
    if matches!(word(next.clone()).as_deref(), Some("session" | "local")) {
        next = toks.next();
    }
    if word(next).as_deref() != Some("search_path") {
        return false;
    }
    match toks.next() {
        Some(Token::Eq) => {}
        Some(Token::Word(word)) if word.value.eq_ignore_ascii_case("to") => {}
        _ => return false,
    }
    let rest: Vec<Token> = toks.collect();
    let Some(path) = path_from_tokens(&rest) else {
        return false;
    };
    ctx.search_path = path;
    true
}

/// The value of `SET search_path TO ...`: identifiers (folded unless
/// quoted) and string literals (taken as written), comma separated, or
/// `DEFAULT`. `None` for anything else.
fn path_from_tokens(tokens: &[Token]) -> Option<Vec<Ident>> {
    if let [Token::Word(word)] = tokens {
        if word.quote_style.is_none() && word.value.eq_ignore_ascii_case("default") {
            return Some(default_path());
        }
    }
    let mut path = Vec::new();
    for (idx, token) in tokens.iter().enumerate() {
        match (idx % 2, token) {
            (0, Token::Word(word)) => path.push(ident(&sqlparser::ast::Ident {
                value: word.value.clone(),
                quote_style: word.quote_style,
                span: sqlparser::tokenizer::Span::empty(),
            })),
            (0, Token::SingleQuotedString(text)) => path.push(Ident::new(text.clone())),
            (1, Token::Comma) => {}
            _ => return None,
        }
    }
    // `SET search_path = ''` (an empty name, as some dumps print it)
    // finds nothing but pg_catalog: an empty path.
    path.retain(|schema| !schema.as_str().is_empty());
    (tokens.len() % 2 == 1).then(|| without_user(path))
}

/// The value of `set_config('search_path', VALUE, ...)`: a list as
/// PostgreSQL splits it (commas, double quotes keep case, other names
/// fold). `None` when the text is malformed.
pub(crate) fn path_from_text(text: &str) -> Option<Vec<Ident>> {
    let mut path = Vec::new();
    let mut rest = text.trim();
    if rest.is_empty() {
        return Some(path);
    }
    loop {
        let (name, after) = if let Some(quoted) = rest.strip_prefix('"') {
            let mut name = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((idx, ch)) = chars.next() {
                if ch == '"' {
                    if quoted[idx + 1..].starts_with('"') {
                        name.push('"');
                        chars.next();
                    } else {
                        end = Some(idx + 1);
                        break;
                    }
                } else {
                    name.push(ch);
                }
            }
            (Ident::new(name), &quoted[end?..])
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            let word = rest[..end].trim();
            if word.is_empty() || word.contains(char::is_whitespace) {
                return None;
            }
            (Ident::folded(word), &rest[end..])
        };
        path.push(name);
        let after = after.trim_start();
        match after.strip_prefix(',') {
            Some(more) => rest = more.trim_start(),
            None if after.is_empty() => return Some(without_user(path)),
            None => return None,
        }
    }
}

/// The path as a note prints it: `pgstac, public`, or `an empty search_path`.
pub(crate) fn describe(path: &[Ident]) -> String {
    if path.is_empty() {
        return "an empty search_path".to_string();
    }
    let names: Vec<String> = path.iter().map(ToString::to_string).collect();
    format!("search_path {}", names.join(", "))
}

/// `"$user"` (a schema per role) is never a schema the file declares.
fn without_user(path: Vec<Ident>) -> Vec<Ident> {
    path.into_iter()
        .filter(|schema| schema.as_str() != "$user")
        .collect()
}

impl Ctx<'_> {
    /// Where an unqualified CREATE puts its object.
    pub fn creation_schema(&self) -> Ident {
        self.search_path
            .first()
            .cloned()
            .unwrap_or_else(|| Ident::new("public"))
    }

    /// The schema an unresolved reference falls back to (see the module doc).
    fn fallback_schema(&self) -> Ident {
        if self.search_path.iter().any(|s| s.as_str() == "public") {
            Ident::new("public")
        } else {
            self.creation_schema()
        }
    }

    /// A name a statement creates: qualified as written, or in the first
    /// schema of the path.
    pub fn qualified(&self, name: &ObjectName) -> QualifiedName {
        super::qualified_in(name, &self.creation_schema())
    }

    /// `name` looked up through the path with `exists`; the fallback
    /// schema when no schema of the path has it.
    fn resolve(&self, name: &ObjectName, exists: impl Fn(&QualifiedName) -> bool) -> QualifiedName {
        if name.0.len() > 1 {
            return super::qualified_in(name, &self.creation_schema());
        }
        for schema in &self.search_path {
            let candidate = super::qualified_in(name, schema);
            if exists(&candidate) {
                return candidate;
            }
        }
        super::qualified_in(name, &self.fallback_schema())
    }

    /// A table, view or sequence a statement refers to.
    pub fn relation(&self, name: &ObjectName) -> QualifiedName {
        let model = &self.model;
        self.resolve(name, |candidate| {
            model.tables.contains_key(candidate)
                || model.views.contains_key(candidate)
                || model.sequences.contains_key(candidate)
        })
    }

    /// A relation a query reads: as [`Ctx::relation`], except that an
    /// unqualified `pg_*` name the file does not declare is PostgreSQL's
    /// own (`pg_catalog` is searched first, whatever the path says).
    pub fn read_relation(&self, name: &ObjectName) -> QualifiedName {
        let resolved = self.relation(name);
        let declared = self.model.tables.contains_key(&resolved)
            || self.model.views.contains_key(&resolved)
            || self.model.sequences.contains_key(&resolved);
        if name.0.len() == 1 && !declared && resolved.name.as_str().starts_with("pg_") {
            return QualifiedName::new("pg_catalog", resolved.name.as_str());
        }
        resolved
    }

    /// Any object a statement names (COMMENT ON, ALTER INDEX): a relation,
    /// sequence, type, function or index of that name.
    pub fn object(&self, name: &ObjectName) -> QualifiedName {
        let model = &self.model;
        self.resolve(name, |candidate| {
            model.tables.contains_key(candidate)
                || model.views.contains_key(candidate)
                || model.sequences.contains_key(candidate)
                || model.enums.contains_key(candidate)
                || model.domains.contains_key(candidate)
                || model.composites.contains_key(candidate)
                || model.functions.keys().any(|id| &id.name == candidate)
                || model.tables.values().any(|table| {
                    table.name.schema == candidate.schema
                        && table.indexes.contains_key(&candidate.name)
                })
        })
    }

    /// A function a statement calls (triggers, comments).
    pub fn function(&self, name: &ObjectName) -> QualifiedName {
        let model = &self.model;
        self.resolve(name, |candidate| {
            model.functions.keys().any(|id| &id.name == candidate)
        })
    }

    /// The schema an unqualified user type in `spelling` resolves to: the
    /// first schema of the path that declares an enum, domain, table or
    /// view (row type) of that name.
    pub fn type_schema(&self, spelling: &str) -> String {
        for schema in &self.search_path {
            let ty = normalize::type_name(spelling, schema.as_str());
            if let Some(name) = normalize::user_type_name(&ty) {
                if &name.schema == schema
                    && (self.model.enums.contains_key(&name)
                        || self.model.domains.contains_key(&name)
                        || self.model.composites.contains_key(&name)
                        || self.model.tables.contains_key(&name)
                        || self.model.views.contains_key(&name))
                {
                    return schema.as_str().to_string();
                }
            }
        }
        self.fallback_schema().as_str().to_string()
    }

    /// `spelling` as a type name, unqualified user types resolved through
    /// the path.
    pub fn type_name(&self, spelling: &str) -> crate::model::TypeName {
        normalize::type_name(spelling, &self.type_schema(spelling))
    }
}

/// A sqlparser identifier for a Model identifier (quoted when needed).
fn sql_ident(name: &Ident) -> sqlparser::ast::Ident {
    if name.needs_quotes() {
        sqlparser::ast::Ident::with_quote('"', name.as_str())
    } else {
        sqlparser::ast::Ident::new(name.as_str())
    }
}

impl Ctx<'_> {
    /// The schema outside `public` through which the path finds a
    /// declared object named `name` (by `exists`), if any: the name must
    /// then be qualified to mean the same in a session with another path.
    fn schema_outside_public(
        &self,
        name: &ObjectName,
        exists: impl Fn(&QualifiedName) -> bool,
    ) -> Option<Ident> {
        if name.0.len() != 1 {
            return None;
        }
        for schema in &self.search_path {
            if exists(&super::qualified_in(name, schema)) {
                return (schema.as_str() != "public").then(|| schema.clone());
            }
        }
        None
    }

    /// Qualifies, inside `node`, the unqualified calls of functions the
    /// file declared in a schema of the path other than `public` (and,
    /// for a view's query, the relations it reads the same way), so that
    /// the expression means in any session what it meant under the file's
    /// search_path. The plan, the shadow and the catalog (which prints
    /// `pgstac.f(x)` under `search_path = ''`) then all agree.
    pub fn qualify_names<V: sqlparser::ast::VisitMut>(&self, node: &mut V, relations: bool) {
        use std::ops::ControlFlow;
        let model = &self.model;
        let _ = sqlparser::ast::visit_expressions_mut(node, |expr| {
            if let sqlparser::ast::Expr::Function(call) = expr {
                let found = self.schema_outside_public(&call.name, |candidate| {
                    model.functions.keys().any(|id| &id.name == candidate)
                });
                if let Some(schema) = found {
                    call.name.0.insert(
                        0,
                        sqlparser::ast::ObjectNamePart::Identifier(sql_ident(&schema)),
                    );
                }
            }
            ControlFlow::<()>::Continue(())
        });
        if relations {
            let _ = node.visit(&mut QualifyFrom { ctx: self });
        }
    }
}

/// Qualifies the relations and table functions a `FROM` names (see
/// [`Ctx::qualify_names`]).
struct QualifyFrom<'c, 'a> {
    ctx: &'c Ctx<'a>,
}

impl sqlparser::ast::VisitorMut for QualifyFrom<'_, '_> {
    type Break = ();

    fn pre_visit_table_factor(
        &mut self,
        factor: &mut sqlparser::ast::TableFactor,
    ) -> std::ops::ControlFlow<()> {
        if let sqlparser::ast::TableFactor::Table { name, args, .. } = factor {
            let model = &self.ctx.model;
            let found = if args.is_some() {
                self.ctx.schema_outside_public(name, |candidate| {
                    model.functions.keys().any(|id| &id.name == candidate)
                })
            } else {
                self.ctx.schema_outside_public(name, |candidate| {
                    model.tables.contains_key(candidate) || model.views.contains_key(candidate)
                })
            };
            if let Some(schema) = found {
                name.0.insert(
                    0,
                    sqlparser::ast::ObjectNamePart::Identifier(sql_ident(&schema)),
                );
            }
        }
        std::ops::ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(path: Option<Vec<Ident>>) -> Option<Vec<String>> {
        path.map(|path| path.iter().map(|s| s.as_str().to_string()).collect())
    }

    #[test]
    fn set_config_values_split_like_postgres() {
        assert_eq!(
            names(path_from_text("pgstac, public")),
            Some(vec!["pgstac".into(), "public".into()])
        );
        assert_eq!(
            names(path_from_text("\"$user\", Public, \"App\"")),
            Some(vec!["public".into(), "App".into()])
        );
        assert_eq!(names(path_from_text("")), Some(vec![]));
        assert_eq!(names(path_from_text("a b")), None);
        assert_eq!(names(path_from_text("\"a")), None);
    }

    #[test]
    fn an_empty_string_in_set_is_an_empty_path() {
        let tokens = |text: &str| -> Vec<Token> {
            crate::sql_lex::tokens_with_offsets(text)
                .expect("tokenizes")
                .into_iter()
                .map(|(token, _)| token)
                .collect()
        };
        assert_eq!(names(path_from_tokens(&tokens("''"))), Some(vec![]));
        assert_eq!(
            names(path_from_tokens(&tokens("app, public"))),
            Some(vec!["app".into(), "public".into()])
        );
        assert_eq!(names(path_from_tokens(&tokens(""))), None);
    }
}
