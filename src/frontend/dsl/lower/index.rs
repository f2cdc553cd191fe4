//! Lowering of indexes: inside a table block, and standalone
//! `index NAME on TARGET (...)` (attached to the table or materialized view
//! of the same file once the whole file is read).
//!
//! Invariant: an unnamed index gets PostgreSQL's name
//! (`<table>_<keys>_idx`, even when unique; an expression key contributes
//! its function name or `expr`), deduplicated against the relation's
//! constraint and index names.

use super::{ident, option_list, paren_ident_list, qname_text, qualified, unique_name, Cx};
use crate::diagnostics::Diagnostic;
use crate::frontend::dsl::parse::Rule;
use crate::frontend::dsl::tree::{child, children, first_kid, has, Node};
use crate::model::normalize;
use crate::model::*;

impl Cx<'_> {
    pub(super) fn lower_standalone_index(&mut self, def: &Node<'_>, comment: Option<String>) {
        let Some(target) = child(def, Rule::qname) else {
            return;
        };
        let target = qualified(&target);
        let (index, explicit, key_names) = self.lower_index(def, comment);
        self.standalone_indexes
            .push((target, index, explicit, key_names));
    }

    pub(super) fn attach_standalone_indexes(&mut self) {
        for (target, mut index, explicit, key_names) in std::mem::take(&mut self.standalone_indexes)
        {
            let taken: Vec<Ident> = if let Some(table) = self.model.tables.get(&target) {
                table
                    .constraints
                    .keys()
                    .chain(table.indexes.keys())
                    .cloned()
                    .collect()
            } else if let Some(view) = self.model.views.get(&target) {
                view.indexes.keys().cloned().collect()
            } else {
                let span = index.meta.span.unwrap_or_default();
                self.diagnostics.push(
                    Diagnostic::error(
                        "unknown-reference",
                        span,
                        format!("index on {target}: no table or materialized view {target} in this file"),
                    )
                    .with_help("declare the index inside the table block, or in the file that declares the table"),
                );
                continue;
            };
            index.name = explicit.unwrap_or_else(|| {
                unique_name(
                    normalize::default_index_name(&target.name, &key_names, false),
                    |c| taken.contains(c),
                )
            });
            let indexes = match self.model.tables.get_mut(&target) {
                Some(table) => &mut table.indexes,
                None => match self.model.views.get_mut(&target) {
                    Some(view) => &mut view.indexes,
                    None => continue,
                },
            };
            indexes.insert(index.name.clone(), Box::new(index));
        }
    }

    /// Lowers a `table_index` or `index_def`; returns the index (named only
    /// when a name was written), the explicit name, and the key names
    /// PostgreSQL would use for a default name.
    pub(super) fn lower_index(
        &mut self,
        def: &Node<'_>,
        comment: Option<String>,
    ) -> (Index, Option<Ident>, Vec<String>) {
        let name_node = child(def, Rule::ident);
        let explicit = name_node.as_ref().map(ident);
        let body = child(def, Rule::index_body);
        let mut index = Index {
            name: explicit.clone().unwrap_or_default(),
            unique: has(def, Rule::kw_unique),
            nulls_not_distinct: false,
            method: "btree".to_string(),
            keys: Vec::new(),
            include: Vec::new(),
            predicate: None,
            with: Vec::new(),
            invalid: false,
            comment,
            meta: self.meta(def, name_node.as_ref()),
        };
        let mut key_names = Vec::new();
        let Some(body) = body else {
            return (index, explicit, key_names);
        };
        if let Some(method) = child(&body, Rule::ident) {
            index.method = ident(&method).0;
        }
        for key in children(&body, Rule::index_key) {
            let (key, key_name) = self.lower_index_key(&key);
            key_names.push(key_name);
            index.keys.push(key);
        }
        for tail in children(&body, Rule::index_tail) {
            let Some(tail) = first_kid(&tail) else {
                continue;
            };
            match tail.as_rule() {
                Rule::idx_include => index.include = paren_ident_list(&tail),
                Rule::nulls_not_distinct => index.nulls_not_distinct = true,
                Rule::idx_with => index.with = option_list(&tail),
                Rule::idx_where => {
                    if let Some(expr) = child(&tail, Rule::paren_expr) {
                        index.predicate = Some(self.expr(&expr));
                    }
                }
                _ => {}
            }
        }
        (index, explicit, key_names)
    }

    pub(super) fn lower_index_key(&mut self, key: &Node<'_>) -> (IndexKey, String) {
        let (expr, key_name) = match first_kid(key) {
            Some(node) if node.as_rule() == Rule::paren_expr => {
                let expr = self.expr(&node);
                let name = figure_colname(child(&node, Rule::expr_text).map_or("", |t| t.as_str()));
                (IndexExpr::Expr(expr), name)
            }
            Some(node) => {
                let column = ident(&node);
                let name = column.0.clone();
                (IndexExpr::Column(column), name)
            }
            None => (IndexExpr::Column(Ident::default()), String::new()),
        };
        let descending =
            child(key, Rule::key_order).is_some_and(|order| has(&order, Rule::kw_desc));
        let nulls_first = child(key, Rule::key_nulls)
            .map(|nulls| has(&nulls, Rule::kw_first))
            .filter(|first| *first != descending);
        let key = IndexKey {
            expr,
            collation: child(key, Rule::key_collate)
                .and_then(|c| child(&c, Rule::qname))
                .map(|q| super::collation(&q)),
            opclass: child(key, Rule::key_opclass)
                .and_then(|o| child(&o, Rule::qname))
                .map(|q| qname_text(&q)),
            descending,
            nulls_first,
        };
        (key, key_name)
    }
}

/// PostgreSQL's FigureColname for an index expression: the function name
/// of a call, otherwise `expr`.
fn figure_colname(text: &str) -> String {
    let text = text.trim();
    let name_len = text
        .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '.'))
        .unwrap_or(text.len());
    let rest = text[name_len..].trim_start();
    if name_len > 0 && rest.starts_with('(') && !text.starts_with(|ch: char| ch.is_ascii_digit()) {
        let name = &text[..name_len];
        let last = name.rsplit('.').next().unwrap_or(name);
        if !last.is_empty() {
            return last.to_lowercase();
        }
    }
    if name_len == text.len() && name_len > 0 {
        return text.rsplit('.').next().unwrap_or(text).to_lowercase();
    }
    "expr".to_string()
}
