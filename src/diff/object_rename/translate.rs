//! The current Model in the names after hinted renames: every key, every
//! reference (column and argument types, foreign keys, partition parents,
//! trigger functions, view dependencies, sequence owners) and the names
//! inside expressions and view queries.
//!
//! Names inside SQL text are found with the one SQL lexer (`sql_lex`):
//! a qualified name `schema.name`, a schema qualifier `schema.`, a type
//! after `::`, and a string literal that names a relation (`'x'::regclass`
//! and the argument of `nextval`, `currval` and `setval`). Catalog text is
//! always schema-qualified (introspection pins `search_path = ''`), so
//! these forms are the ones that occur.
//!
//! Invariant: only names a hinted rename renames are replaced; function
//! bodies are left as they are (PostgreSQL does not rewrite them).

use crate::model::{
    sql::quote_literal, AclTarget, ConstraintKind, Ident, IndexExpr, Model, QualifiedName, SqlExpr,
    Table, TypeName,
};
use crate::sql_lex;
use sqlparser::tokenizer::Token;
use std::collections::BTreeMap;

/// Old names -> new names.
#[derive(Debug, Clone, Default)]
pub(crate) struct Translation {
    pub schemas: BTreeMap<Ident, Ident>,
    /// Current (old) qualified name -> desired name, for enums, domains,
    /// sequences, views and functions.
    pub objects: BTreeMap<QualifiedName, QualifiedName>,
    /// (table in its new schema, old trigger name) -> new trigger name.
    pub triggers: BTreeMap<(QualifiedName, Ident), Ident>,
}

impl Translation {
    /// `name` with only its schema renamed.
    pub fn schema_of(&self, name: &QualifiedName) -> QualifiedName {
        match self.schemas.get(&name.schema) {
            Some(schema) => QualifiedName {
                schema: schema.clone(),
                name: name.name.clone(),
            },
            None => name.clone(),
        }
    }

    /// `name` after every rename.
    pub fn name(&self, name: &QualifiedName) -> QualifiedName {
        self.objects
            .get(name)
            .cloned()
            .unwrap_or_else(|| self.schema_of(name))
    }

    fn ty(&self, ty: &TypeName) -> TypeName {
        let text = ty.as_str();
        // A bare type name (offline sources may leave `public` out).
        let bare_end = text.find(['(', '[']).unwrap_or(text.len());
        let bare = &text[..bare_end];
        if !bare.contains('.') && !bare.contains('"') {
            let public = QualifiedName::public(bare);
            if let Some(new) = self.objects.get(&public) {
                return TypeName::new(format!("{}{}", new.name, &text[bare_end..]));
            }
            return ty.clone();
        }
        TypeName::new(self.text(text))
    }

    fn expr(&self, expr: &SqlExpr) -> SqlExpr {
        SqlExpr {
            sql: self.text(&expr.sql),
            canonical: self.text(&expr.canonical),
        }
    }

    /// `text` with the renamed names replaced (see the module doc); text
    /// that does not lex is returned unchanged.
    pub fn text(&self, text: &str) -> String {
        let Some(tokens) = sql_lex::tokens_with_offsets(text) else {
            return text.to_string();
        };
        let word = |idx: usize| match tokens.get(idx) {
            Some((Token::Word(word), _)) => Some(Ident::new(sql_lex::folded(word))),
            _ => None,
        };
        let is = |idx: usize, wanted: &Token| tokens.get(idx).is_some_and(|(t, _)| t == wanted);
        let end_of = |idx: usize| -> usize {
            let (token, start) = &tokens[idx];
            start + token_len(text, *start, token)
        };
        // (start, end, replacement), in order and not overlapping.
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        let mut idx = 0;
        while idx < tokens.len() {
            let after_period = idx > 0 && is(idx - 1, &Token::Period);
            if let (Some(first), false) = (word(idx), after_period) {
                if is(idx + 1, &Token::Period) {
                    if let Some(second) = word(idx + 2) {
                        let old = QualifiedName {
                            schema: first,
                            name: second,
                        };
                        let new = self.name(&old);
                        if new != old {
                            edits.push((tokens[idx].1, end_of(idx + 2), new.to_string()));
                        }
                        idx += 3;
                        continue;
                    }
                } else if idx > 0 && is(idx - 1, &Token::DoubleColon) {
                    let old = QualifiedName::public(first.as_str());
                    if let Some(new) = self.objects.get(&old) {
                        edits.push((tokens[idx].1, end_of(idx), new.name.to_string()));
                    }
                }
            } else if let Some((Token::SingleQuotedString(value), start)) = tokens.get(idx) {
                // Only a literal that names a relation: `'x'::regclass`, or
                // the argument of nextval/currval/setval.
                let regclass = is(idx + 1, &Token::DoubleColon)
                    && word(idx + 2).is_some_and(|w| w.as_str() == "regclass");
                let sequence_call = idx >= 2
                    && is(idx - 1, &Token::LParen)
                    && word(idx - 2)
                        .is_some_and(|w| matches!(w.as_str(), "nextval" | "currval" | "setval"));
                let renamed = if regclass || sequence_call {
                    self.literal_name(value)
                } else {
                    None
                };
                if let Some(new) = renamed {
                    edits.push((*start, end_of(idx), quote_literal(&new)));
                }
            }
            idx += 1;
        }
        if edits.is_empty() {
            return text.to_string();
        }
        let mut res = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end, replacement) in edits {
            if start < at || end > text.len() {
                continue;
            }
            res.push_str(&text[at..start]);
            res.push_str(&replacement);
            at = end;
        }
        res.push_str(&text[at..]);
        res
    }

    /// The new spelling of a literal that names a renamed object
    /// (`'public.seq'`, `'seq'`), if it is one.
    fn literal_name(&self, value: &str) -> Option<String> {
        let words: Vec<String> = sql_lex::words(value);
        let old = match words.as_slice() {
            [schema, name] if value.contains('.') => {
                QualifiedName::new(schema.clone(), name.clone())
            }
            [name] => QualifiedName::public(name.as_str()),
            _ => return None,
        };
        let new = self.name(&old);
        if new == old {
            return None;
        }
        // Keep the literal's form: a bare name stays bare where it can.
        if !value.contains('.') && new.schema.as_str() == "public" {
            return Some(new.name.to_string());
        }
        Some(new.to_string())
    }

    /// `model` in the new names.
    pub fn apply(&self, model: &Model) -> Model {
        let mut res = model.clone();
        res.schemas = model
            .schemas
            .iter()
            .map(|(name, schema)| {
                let mut schema = schema.clone();
                schema.name = self.schemas.get(name).cloned().unwrap_or(schema.name);
                (schema.name.clone(), schema)
            })
            .collect();
        for extension in res.extensions.values_mut() {
            if let Some(schema) = self.schemas.get(&extension.schema) {
                extension.schema = schema.clone();
            }
        }
        res.enums = rekey(&model.enums, |e| {
            e.name = self.name(&e.name);
            e.name.clone()
        });
        res.domains = rekey(&model.domains, |d| {
            d.name = self.name(&d.name);
            d.base = self.ty(&d.base);
            d.default = d.default.as_ref().map(|e| self.expr(e));
            for check in d.checks.values_mut() {
                *check = self.expr(check);
            }
            d.name.clone()
        });
        res.composites = rekey(&model.composites, |t| {
            t.name = self.name(&t.name);
            for attribute in &mut t.attributes {
                attribute.ty = self.ty(&attribute.ty);
            }
            t.name.clone()
        });
        res.sequences = rekey(&model.sequences, |s| {
            s.name = self.name(&s.name);
            if let Some((table, _)) = &mut s.owned_by {
                *table = self.name(table);
            }
            s.name.clone()
        });
        res.functions = rekey(&model.functions, |f| {
            f.id.name = self.name(&f.id.name);
            f.id.arg_types = f.id.arg_types.iter().map(|ty| self.ty(ty)).collect();
            for arg in &mut f.args {
                arg.ty = self.ty(&arg.ty);
                arg.default = arg.default.as_ref().map(|e| self.expr(e));
            }
            f.returns = f.returns.as_ref().map(|r| self.text(r));
            f.id.clone()
        });
        res.tables = rekey(&model.tables, |t| {
            self.table(t);
            t.name.clone()
        });
        res.views = rekey(&model.views, |v| {
            v.name = self.name(&v.name);
            v.query = self.expr(&v.query);
            v.depends_on = v.depends_on.iter().map(|d| self.name(d)).collect();
            for index in v.indexes.values_mut() {
                self.index(index);
            }
            v.name.clone()
        });
        // An object keeps its privileges through a rename.
        res.privileges = model
            .privileges
            .iter()
            .map(|(target, acl)| (self.acl_target(target), acl.clone()))
            .collect();
        res
    }

    fn acl_target(&self, target: &AclTarget) -> AclTarget {
        match target {
            AclTarget::Schema(name) => {
                AclTarget::Schema(self.schemas.get(name).cloned().unwrap_or(name.clone()))
            }
            AclTarget::Table(name) => AclTarget::Table(self.name(name)),
            AclTarget::Sequence(name) => AclTarget::Sequence(self.name(name)),
            AclTarget::Type(name) => AclTarget::Type(self.name(name)),
            AclTarget::Function(id) => AclTarget::Function(crate::model::FunctionId {
                name: self.name(&id.name),
                arg_types: id.arg_types.iter().map(|ty| self.ty(ty)).collect(),
            }),
        }
    }

    fn table(&self, table: &mut Table) {
        table.name = self.name(&table.name);
        for column in &mut table.columns {
            column.ty = self.ty(&column.ty);
            column.default = column.default.as_ref().map(|e| self.expr(e));
            column.generated = column.generated.as_ref().map(|e| Box::new(self.expr(e)));
        }
        for constraint in table.constraints.values_mut() {
            match &mut constraint.kind {
                ConstraintKind::Check { expr, .. } => *expr = self.expr(expr),
                ConstraintKind::ForeignKey(fk) => fk.ref_table = self.name(&fk.ref_table),
                ConstraintKind::Exclude {
                    elements,
                    predicate,
                    ..
                } => {
                    for element in elements {
                        element.expr = self.expr(&element.expr);
                    }
                    *predicate = predicate.as_ref().map(|p| self.expr(p));
                }
                ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. } => {}
            }
        }
        for index in table.indexes.values_mut() {
            self.index(index);
        }
        if let Some(by) = &mut table.partition_by {
            by.key = by.key.iter().map(|k| self.expr(k)).collect();
        }
        if let Some(of) = &mut table.partition_of {
            of.parent = self.name(&of.parent);
        }
        for policy in table.policies.values_mut() {
            policy.using = policy.using.as_ref().map(|e| self.expr(e));
            policy.with_check = policy.with_check.as_ref().map(|e| self.expr(e));
        }
        let table_name = table.name.clone();
        table.triggers = std::mem::take(&mut table.triggers)
            .into_iter()
            .map(|(name, mut trigger)| {
                trigger.function = self.name(&trigger.function);
                trigger.when = trigger.when.as_ref().map(|e| self.expr(e));
                if let Some(new) = self.triggers.get(&(table_name.clone(), name.clone())) {
                    trigger.name = new.clone();
                }
                (trigger.name.clone(), trigger)
            })
            .collect();
    }

    fn index(&self, index: &mut crate::model::Index) {
        for key in &mut index.keys {
            if let IndexExpr::Expr(expr) = &key.expr {
                key.expr = IndexExpr::Expr(self.expr(expr));
            }
        }
        index.predicate = index.predicate.as_ref().map(|p| self.expr(p));
    }
}

/// A map with every value changed by `change`, which returns its new key.
fn rekey<K: Ord + Clone, V: Clone>(
    map: &BTreeMap<K, V>,
    mut change: impl FnMut(&mut V) -> K,
) -> BTreeMap<K, V> {
    map.values()
        .map(|value| {
            let mut value = value.clone();
            let key = change(&mut value);
            (key, value)
        })
        .collect()
}

/// The byte length of `token` at `start` in `text`: up to the start of
/// the next token is not known here, so the token is measured by its
/// spelling (literals and quoted words included).
fn token_len(text: &str, start: usize, token: &Token) -> usize {
    let rest = &text[start.min(text.len())..];
    match token {
        Token::SingleQuotedString(_) => {
            // Up to the closing quote that is not doubled.
            let bytes = rest.as_bytes();
            let mut idx = 1;
            while idx < bytes.len() {
                if bytes[idx] == b'\'' {
                    if bytes.get(idx + 1) == Some(&b'\'') {
                        idx += 2;
                        continue;
                    }
                    return idx + 1;
                }
                idx += 1;
            }
            rest.len()
        }
        Token::Word(word) if word.quote_style.is_some() => {
            let bytes = rest.as_bytes();
            let mut idx = 1;
            while idx < bytes.len() {
                if bytes[idx] == b'"' {
                    if bytes.get(idx + 1) == Some(&b'"') {
                        idx += 2;
                        continue;
                    }
                    return idx + 1;
                }
                idx += 1;
            }
            rest.len()
        }
        other => other.to_string().len().min(rest.len()),
    }
}
