//! Lowering of views and materialized views: options, the raw SELECT
//! (canonicalised when the normaliser can read it), the relations it
//! reads (`depends_on`, found with sqlparser's visitor) and a trailing
//! `with [local|cascaded] check option`.
//!
//! Invariant: `depends_on` is sorted, deduplicated, schema-qualified and
//! never lists a CTE name.

use super::{ident, option_list, qualified, Cx};
use crate::diagnostics::Diagnostic;
use crate::frontend::dsl::parse::Rule;
use crate::frontend::dsl::tree::{child, children, has, Node};
use crate::frontend::expr::collapse_whitespace;
use crate::model::normalize;
use crate::model::*;
use crate::source::Span;
use std::collections::BTreeMap;

impl Cx<'_> {
    pub(super) fn lower_view(&mut self, def: &Node<'_>, comment: Option<String>) {
        let Some(name_node) = child(def, Rule::qname) else {
            return;
        };
        let name = qualified(&name_node);
        let columns = child(def, Rule::paren_idents)
            .and_then(|list| child(&list, Rule::ident_list))
            .map(|list| children(&list, Rule::ident).iter().map(ident).collect())
            .unwrap_or_default();
        let mut options: Vec<(String, String)> = child(def, Rule::view_with)
            .map(|with| option_list(&with))
            .unwrap_or_default();
        let Some(query_node) = child(def, Rule::view_query) else {
            return;
        };
        let (query_text, check_option) = split_check_option(query_node.as_str());
        if let Some(check_option) = check_option {
            options.push(("check_option".to_string(), check_option.to_string()));
        }
        options.sort();
        let start = self.base + query_node.as_span().start();
        let depends_on = match view_relations(query_text) {
            Ok((relations, catalog_candidates)) => {
                self.catalog_candidates
                    .extend(catalog_candidates.into_iter().map(|r| (name.clone(), r)));
                relations
            }
            Err(message) => {
                // PostgreSQL is the judge of the query: kept as written,
                // what it reads found by name once every relation of the
                // file is known (`resolve_catalog_relations`).
                let span = Span::new(self.file.id, start, start + query_text.len());
                self.diagnostics.push(
                    Diagnostic::warning(
                        "unsupported-statement",
                        span,
                        format!(
                            "the query of view {name} uses a form schemac's SQL parser does not read ({message}); the view is kept as written: with a database the shadow builds it and PostgreSQL's own form is compared, offline it is compared as text"
                        ),
                    )
                    .with_label("this query"),
                );
                self.raw_views.push(name.clone());
                named_relations(query_text)
            }
        };
        let query = match normalize::query(query_text) {
            Ok(mut expr) => {
                // Keep the user's spelling for the SQL schemac emits; only
                // the canonical form is shared with the other frontends.
                expr.sql = query_text.trim().to_string();
                expr
            }
            Err(_) => {
                let collapsed = collapse_whitespace(query_text);
                SqlExpr {
                    sql: query_text.trim().to_string(),
                    canonical: collapsed,
                }
            }
        };
        let view = View {
            name: name.clone(),
            materialized: has(def, Rule::kw_materialized),
            columns,
            query,
            options,
            depends_on,
            indexes: BTreeMap::new(),
            comment,
            output: Default::default(),
            meta: self.meta(def, Some(&name_node)),
        };
        if let Some(first) = self.model.views.get(&name) {
            let first = first.meta.span;
            return self.duplicate(def, format!("view {name}"), first);
        }
        self.model.views.insert(name, view);
    }
}

/// Splits a trailing `with [local|cascaded] check option` off a view query.
fn split_check_option(query: &str) -> (&str, Option<&'static str>) {
    let trimmed = query.trim_end();
    let lower = trimmed.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().rev().take(4).collect();
    if words.len() < 3 || words[0] != "option" || words[1] != "check" {
        return (query, None);
    }
    let (kind, n_words) = match words.get(2) {
        Some(&"local") if words.get(3) == Some(&"with") => ("local", 4),
        Some(&"cascaded") if words.get(3) == Some(&"with") => ("cascaded", 4),
        Some(&"with") => ("cascaded", 3),
        _ => return (query, None),
    };
    let mut cut = trimmed.len();
    for _ in 0..n_words {
        cut = trimmed[..cut]
            .trim_end()
            .rfind(char::is_whitespace)
            .map_or(0, |idx| idx);
    }
    (&query[..cut], Some(kind))
}

/// Relations a SELECT reads, schema-qualified (`public` by default), CTE
/// names excluded, sorted and deduplicated.
impl Cx<'_> {
    /// Once the whole file is read: an unqualified `pg_*` relation a view
    /// reads that the file does not declare is PostgreSQL's catalog
    /// (`pg_catalog` comes first on every search path), as in the `.sql`
    /// frontend.
    pub(super) fn resolve_catalog_relations(&mut self) {
        let declared: std::collections::BTreeSet<QualifiedName> = self
            .model
            .tables
            .keys()
            .chain(self.model.views.keys())
            .chain(self.model.sequences.keys())
            .cloned()
            .collect();
        for view in std::mem::take(&mut self.raw_views) {
            if let Some(view) = self.model.views.get_mut(&view) {
                let own = view.name.clone();
                view.depends_on
                    .retain(|read| *read != own && declared.contains(read));
            }
        }
        for (view, relation) in std::mem::take(&mut self.catalog_candidates) {
            if declared.contains(&relation) {
                continue;
            }
            if let Some(view) = self.model.views.get_mut(&view) {
                for read in &mut view.depends_on {
                    if *read == relation {
                        read.schema = Ident::new("pg_catalog");
                    }
                }
                view.depends_on.sort();
                view.depends_on.dedup();
            }
        }
    }
}

/// Every name in a query sqlparser cannot read that could be a relation
/// (`schema.name`, or `name` in `public`), sorted; the caller keeps the
/// declared ones.
fn named_relations(query: &str) -> Vec<QualifiedName> {
    let fold = crate::frontend::sql::ident;
    let mut found: Vec<QualifiedName> = crate::sql_lex::dotted_names(query)
        .iter()
        .map(|parts| match parts.as_slice() {
            [schema, name] => QualifiedName {
                schema: fold(schema),
                name: fold(name),
            },
            [.., name] => QualifiedName {
                schema: Ident::new("public"),
                name: fold(name),
            },
            [] => QualifiedName::public(""),
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// The relations a query reads, and those of them written unqualified
/// with a `pg_` name (PostgreSQL's catalog unless the file declares one).
fn view_relations(query: &str) -> Result<(Vec<QualifiedName>, Vec<QualifiedName>), String> {
    use sqlparser::ast::{Query, Statement, Visit, Visitor};
    use std::ops::ControlFlow;

    struct Relations {
        ctes: Vec<String>,
        names: Vec<sqlparser::ast::ObjectName>,
    }
    impl Visitor for Relations {
        type Break = ();
        fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
            if let Some(with) = &query.with {
                self.ctes.extend(
                    with.cte_tables
                        .iter()
                        .map(|cte| cte.alias.name.value.clone()),
                );
            }
            ControlFlow::Continue(())
        }
        fn pre_visit_relation(&mut self, relation: &sqlparser::ast::ObjectName) -> ControlFlow<()> {
            self.names.push(relation.clone());
            ControlFlow::Continue(())
        }
    }

    // A bare table alias sqlparser reserves for other dialects is read
    // quoted, as in the `.sql` frontend.
    let statements: Vec<Statement> = match crate::sql_lex::parse_statements(query) {
        Ok(statements) => statements,
        Err(error) => crate::frontend::sql::quote_bare_alias_keywords(query)
            .and_then(|quoted| crate::sql_lex::parse_statements(&quoted).ok())
            .ok_or_else(|| error.to_string())?,
    };
    let mut visitor = Relations {
        ctes: Vec::new(),
        names: Vec::new(),
    };
    let _ = statements.visit(&mut visitor);
    let mut res: Vec<QualifiedName> = Vec::new();
    let mut catalog_candidates = Vec::new();
    for name in visitor.names {
        let parts = Ident::parts_of(&name);
        let qualified = match parts.as_slice() {
            [name] if visitor.ctes.iter().any(|cte| Ident::folded(cte) == *name) => continue,
            [name] => {
                let relation = QualifiedName {
                    schema: Ident::new("public"),
                    name: name.clone(),
                };
                if name.as_str().starts_with("pg_") {
                    catalog_candidates.push(relation.clone());
                }
                relation
            }
            [.., schema, name] => QualifiedName {
                schema: schema.clone(),
                name: name.clone(),
            },
            [] => continue,
        };
        if !res.contains(&qualified) {
            res.push(qualified);
        }
    }
    res.sort();
    Ok((res, catalog_candidates))
}
