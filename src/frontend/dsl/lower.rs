//! Parse trees of grammar/schema.pest -> [`Model`].
//!
//! Owns the meaning of the `.schema` language: name folding (unquoted ->
//! lower case, quoted verbatim, unqualified -> `public`), type and
//! expression normalisation (through `model::normalize`), PostgreSQL's
//! default constraint and index names, serial and identity columns, and the
//! expansion of generated partition ranges.
//!
//! Invariants: never panics; an error in one expression is reported and the
//! rest of the file is still lowered (the expression is kept verbatim); every
//! object gets a [`Meta`] with its declaration span and name span.

use super::parse::{Entry, Rule};
use super::tree::{child, children, docs_of, find, first_kid, has, kids, string_value, Node};
use crate::diagnostics::{Diagnostic, Parsed};
use crate::frontend::expr::{collapse_whitespace, lower_expr, split_top_level};
use crate::model::normalize;
use crate::model::*;
use crate::source::{SourceFile, Span};
use std::collections::BTreeMap;

mod partition;
mod table;

/// Lowers the parsed entries of one file.
pub fn lower_entries(file: &SourceFile, entries: &[Entry<'_>]) -> Parsed<Model> {
    let mut cx = Cx {
        file,
        base: 0,
        model: Model::default(),
        diagnostics: Vec::new(),
        standalone_indexes: Vec::new(),
    };
    for entry in entries {
        cx.base = entry.base;
        if let Some(item) = child(&entry.pair, Rule::item) {
            cx.lower_item(&item);
        }
    }
    cx.attach_standalone_indexes();
    Parsed::new(cx.model, cx.diagnostics)
}

pub(super) struct Cx<'a> {
    pub file: &'a SourceFile,
    /// Byte offset of the entry being lowered (pest positions are relative).
    pub base: usize,
    pub model: Model,
    pub diagnostics: Vec<Diagnostic>,
    /// `index NAME on TARGET (...)`: attached once the whole file is read.
    standalone_indexes: Vec<(QualifiedName, Index, Option<Ident>, Vec<String>)>,
}

impl Cx<'_> {
    pub fn span(&self, node: &Node<'_>) -> Span {
        let span = node.as_span();
        Span::new(self.file.id, self.base + span.start(), self.base + span.end())
    }

    pub fn meta(&self, node: &Node<'_>, name: Option<&Node<'_>>) -> Meta {
        Meta {
            span: Some(self.span(node)),
            name_span: name.map(|name| self.span(name)),
            renamed_from: child(node, Rule::was).and_then(|was| child(&was, Rule::ident)).map(|old| ident(&old)),
        }
    }

    /// Normalises the SQL of a `paren_expr`, `default_expr` or similar
    /// node; on error reports it and keeps the text verbatim.
    pub fn expr(&mut self, node: &Node<'_>) -> SqlExpr {
        let text_node = match node.as_rule() {
            Rule::paren_expr => child(node, Rule::expr_text).unwrap_or_else(|| node.clone()),
            _ => node.clone(),
        };
        let start = self.base + text_node.as_span().start();
        self.expr_text(text_node.as_str(), start)
    }

    /// Normalises `text`, which starts at absolute byte `start`.
    pub fn expr_text(&mut self, text: &str, start: usize) -> SqlExpr {
        match lower_expr(text, start, self.file.id) {
            Ok(expr) => expr,
            Err(diagnostic) => {
                self.diagnostics.push(diagnostic);
                SqlExpr::raw(text.trim())
            }
        }
    }

    pub fn error(&mut self, node: &Node<'_>, message: impl Into<String>) {
        let span = self.span(node);
        self.diagnostics.push(Diagnostic::error("syntax-error", span, message));
    }

    fn duplicate(&mut self, node: &Node<'_>, what: String, first: Option<Span>) {
        let span = self.span(node);
        let mut diagnostic = Diagnostic::error(
            "duplicate-object",
            span,
            format!("{what} is declared more than once"),
        );
        if let Some(first) = first {
            diagnostic = diagnostic.with_secondary(first, "first declared here");
        }
        self.diagnostics.push(diagnostic);
    }

    fn lower_item(&mut self, item: &Node<'_>) {
        let comment = docs_of(item);
        let Some(def) = kids(item).find(|kid| kid.as_rule() != Rule::docs) else {
            return;
        };
        match def.as_rule() {
            Rule::schema_def => self.lower_schema(&def, comment),
            Rule::extension_def => self.lower_extension(&def),
            Rule::role_def => self.lower_role(&def),
            Rule::external_def => self.lower_external(&def),
            Rule::enum_def => self.lower_enum(&def, comment),
            Rule::domain_def => self.lower_domain(&def, comment),
            Rule::sequence_def => self.lower_sequence(&def, comment),
            Rule::function_def => self.lower_function(&def, comment),
            Rule::view_def => self.lower_view(&def, comment),
            Rule::index_def => self.lower_standalone_index(&def, comment),
            Rule::table_def => self.lower_table(&def, comment),
            _ => {}
        }
    }

    fn lower_schema(&mut self, def: &Node<'_>, comment: Option<String>) {
        let Some(name_node) = child(def, Rule::ident) else { return };
        let name = ident(&name_node);
        if name.as_str() == "public" {
            return;
        }
        let meta = self.meta(def, Some(&name_node));
        if let Some(first) = self.model.schemas.get(&name) {
            let first = first.meta.span;
            return self.duplicate(def, format!("schema {name}"), first);
        }
        self.model.schemas.insert(name.clone(), Schema { name, comment, meta });
    }

    fn lower_extension(&mut self, def: &Node<'_>) {
        let Some(name_node) = child(def, Rule::ident) else { return };
        let name = ident(&name_node);
        let schema = child(def, Rule::ext_schema)
            .and_then(|node| child(&node, Rule::ident))
            .map_or_else(|| Ident::new("public"), |node| ident(&node));
        let version = child(def, Rule::ext_version).and_then(|node| {
            child(&node, Rule::string)
                .map(|s| string_value(s.as_str()))
                .or_else(|| child(&node, Rule::version_word).map(|w| w.as_str().to_string()))
        });
        let meta = self.meta(def, Some(&name_node));
        if let Some(first) = self.model.extensions.get(&name) {
            let first = first.meta.span;
            return self.duplicate(def, format!("extension {name}"), first);
        }
        self.model.extensions.insert(name.clone(), Extension { name, schema, version, meta });
    }

    fn lower_role(&mut self, def: &Node<'_>) {
        let Some(name_node) = child(def, Rule::ident) else { return };
        let name = ident(&name_node);
        let meta = self.meta(def, Some(&name_node));
        self.model.roles.insert(name.clone(), Role { name, meta });
    }

    fn lower_external(&mut self, def: &Node<'_>) {
        let Some(pattern) = child(def, Rule::pattern) else { return };
        let text = pattern.as_str();
        let unquoted = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .or_else(|| text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')))
            .unwrap_or(text);
        let meta = self.meta(def, Some(&pattern));
        self.model.external.push(ExternalPattern { pattern: unquoted.to_string(), meta });
    }

    fn lower_enum(&mut self, def: &Node<'_>, comment: Option<String>) {
        let Some(name_node) = child(def, Rule::qname) else { return };
        let name = qualified(&name_node);
        let values: Vec<String> = children(def, Rule::enum_value)
            .iter()
            .filter_map(first_kid)
            .map(|value| match value.as_rule() {
                Rule::string => string_value(value.as_str()),
                _ => ident_verbatim(&value),
            })
            .collect();
        let meta = self.meta(def, Some(&name_node));
        if let Some(first) = self.model.enums.get(&name) {
            let first = first.meta.span;
            return self.duplicate(def, format!("enum {name}"), first);
        }
        self.model.enums.insert(name.clone(), Enum { name, values, comment, meta });
    }

    fn lower_domain(&mut self, def: &Node<'_>, comment: Option<String>) {
        let Some(name_node) = child(def, Rule::qname) else { return };
        let name = qualified(&name_node);
        let base = child(def, Rule::type_ref).map_or_else(TypeName::default, |ty| {
            normalize::type_name(&type_spelling(&ty), "public")
        });
        let mut domain = Domain {
            name: name.clone(),
            base,
            collation: None,
            default: None,
            not_null: false,
            checks: BTreeMap::new(),
            comment,
            meta: self.meta(def, Some(&name_node)),
        };
        for opt in children(def, Rule::domain_opt) {
            let Some(opt) = first_kid(&opt) else { continue };
            match opt.as_rule() {
                Rule::opt_not_null => domain.not_null = true,
                Rule::opt_null => domain.not_null = false,
                Rule::opt_default => {
                    if let Some(expr) = child(&opt, Rule::default_expr) {
                        domain.default = Some(self.expr(&expr));
                    }
                }
                Rule::opt_collate => domain.collation = child(&opt, Rule::ident).map(|n| ident(&n)),
                Rule::dom_check => {
                    let Some(expr_node) = child(&opt, Rule::paren_expr) else { continue };
                    let expr = self.expr(&expr_node);
                    let check_name = match child(&opt, Rule::ident) {
                        Some(explicit) => ident(&explicit),
                        None => unique_name(
                            Ident::new(format!("{}_check", name.name.as_str())),
                            |candidate| domain.checks.contains_key(candidate),
                        ),
                    };
                    domain.checks.insert(check_name, expr);
                }
                _ => {}
            }
        }
        if let Some(first) = self.model.domains.get(&name) {
            let first = first.meta.span;
            return self.duplicate(def, format!("domain {name}"), first);
        }
        self.model.domains.insert(name, domain);
    }

    fn lower_sequence(&mut self, def: &Node<'_>, comment: Option<String>) {
        let Some(name_node) = child(def, Rule::qname) else { return };
        let name = qualified(&name_node);
        let opts = children(def, Rule::seq_opt);
        let data_type = opts
            .iter()
            .filter_map(|opt| child(opt, Rule::seq_as))
            .filter_map(|opt| child(&opt, Rule::type_ref))
            .map(|ty| normalize::type_name(&type_spelling(&ty), "public"))
            .next_back()
            .unwrap_or_else(|| TypeName::new("bigint"));
        let options = self.sequence_options(data_type, &opts);
        let mut owned_by = None;
        for opt in opts.iter().filter_map(|opt| child(opt, Rule::seq_owned_by)) {
            owned_by = child(&opt, Rule::dotted_name).and_then(|dotted| {
                let mut parts: Vec<Ident> = children(&dotted, Rule::ident).iter().map(ident).collect();
                let column = parts.pop()?;
                let table = match parts.as_slice() {
                    [table] => QualifiedName { schema: Ident::new("public"), name: table.clone() },
                    [schema, table] => QualifiedName { schema: schema.clone(), name: table.clone() },
                    _ => return None,
                };
                Some((table, column))
            });
        }
        let meta = self.meta(def, Some(&name_node));
        if let Some(first) = self.model.sequences.get(&name) {
            let first = first.meta.span;
            return self.duplicate(def, format!("sequence {name}"), first);
        }
        self.model.sequences.insert(name.clone(), Sequence { name, options, owned_by, comment, meta });
    }

    /// PostgreSQL's defaults for `data_type`, overridden by the options
    /// written (`seq_opt` nodes; `as` and `owned by` are ignored here).
    pub fn sequence_options(&mut self, data_type: TypeName, opts: &[Node<'_>]) -> SequenceOptions {
        let mut increment = 1;
        let (mut start, mut min, mut max, mut cache, mut cycle) = (None, None, None, None, None);
        for opt in opts {
            let Some(opt) = first_kid(opt) else { continue };
            let number = child(&opt, Rule::int).and_then(|n| self.int(&n));
            match opt.as_rule() {
                Rule::seq_start => start = number,
                Rule::seq_increment => increment = number.filter(|n| *n != 0).unwrap_or(1),
                Rule::seq_minvalue => min = Some(number),
                Rule::seq_maxvalue => max = Some(number),
                Rule::seq_cache => cache = number,
                Rule::seq_cycle => cycle = Some(!has(&opt, Rule::kw_no)),
                _ => {}
            }
        }
        let mut options = SequenceOptions::defaults(data_type, increment);
        if let Some(Some(min)) = min {
            options.min_value = min;
        }
        if let Some(Some(max)) = max {
            options.max_value = max;
        }
        options.start = start.unwrap_or(if increment > 0 { options.min_value } else { options.max_value });
        if let Some(cache) = cache {
            options.cache = cache;
        }
        if let Some(cycle) = cycle {
            options.cycle = cycle;
        }
        options
    }

    pub fn int(&mut self, node: &Node<'_>) -> Option<i64> {
        match node.as_str().trim_start_matches('+').parse::<i64>() {
            Ok(value) => Some(value),
            Err(_) => {
                self.error(node, format!("number `{}` is out of range", node.as_str()));
                None
            }
        }
    }

    fn lower_function(&mut self, def: &Node<'_>, comment: Option<String>) {
        let Some(name_node) = child(def, Rule::qname) else { return };
        let name = qualified(&name_node);
        let procedure = has(def, Rule::kw_procedure);
        let mut args = Vec::new();
        for arg in children(def, Rule::func_arg) {
            let mode = match child(&arg, Rule::arg_mode).and_then(|m| first_kid(&m)).map(|m| m.as_rule()) {
                Some(Rule::kw_out) => ArgMode::Out,
                Some(Rule::kw_inout) => ArgMode::InOut,
                Some(Rule::kw_variadic) => ArgMode::Variadic,
                _ => ArgMode::In,
            };
            let Some(body) = child(&arg, Rule::named_arg).or_else(|| child(&arg, Rule::unnamed_arg)) else {
                continue;
            };
            let arg_name = child(&body, Rule::arg_name).and_then(|n| child(&n, Rule::ident)).map(|n| ident(&n));
            let ty = child(&body, Rule::type_ref)
                .map_or_else(TypeName::default, |ty| normalize::type_name(&type_spelling(&ty), "public"));
            let default = child(&body, Rule::arg_default)
                .and_then(|d| child(&d, Rule::arg_default_expr))
                .map(|d| self.expr(&d));
            args.push(FunctionArg { mode, name: arg_name, ty, default });
        }
        let returns = if procedure {
            None
        } else {
            child(def, Rule::func_returns).and_then(|ret| first_kid(&ret).and_then(|ret| return_type(&ret)))
        };
        let mut function = Function {
            id: FunctionId {
                name: name.clone(),
                arg_types: args
                    .iter()
                    .filter(|arg| arg.mode != ArgMode::Out)
                    .map(|arg| arg.ty.clone())
                    .collect(),
            },
            procedure,
            args,
            returns,
            language: "sql".to_string(),
            body: find(def, Rule::dollar_body).map(|b| b.as_str().to_string()).unwrap_or_default(),
            volatility: Volatility::Volatile,
            strict: false,
            security_definer: false,
            parallel: Parallel::Unsafe,
            config: Vec::new(),
            comment,
            meta: self.meta(def, Some(&name_node)),
        };
        let mut has_language = false;
        for attr in children(def, Rule::func_attr) {
            let Some(attr) = first_kid(&attr) else { continue };
            match attr.as_rule() {
                Rule::attr_language => {
                    has_language = true;
                    if let Some(lang) = first_kid(&attr).and_then(|_| kids(&attr).nth(1)) {
                        function.language = match lang.as_rule() {
                            Rule::sq_string => string_value(lang.as_str()).to_lowercase(),
                            _ => ident(&lang).0,
                        };
                    }
                }
                Rule::attr_volatility => {
                    function.volatility = if has(&attr, Rule::kw_immutable) {
                        Volatility::Immutable
                    } else if has(&attr, Rule::kw_stable) {
                        Volatility::Stable
                    } else {
                        Volatility::Volatile
                    }
                }
                Rule::attr_strict => function.strict = true,
                Rule::attr_called => function.strict = false,
                Rule::attr_security => function.security_definer = has(&attr, Rule::kw_definer),
                Rule::attr_parallel => {
                    function.parallel = if has(&attr, Rule::kw_safe) {
                        Parallel::Safe
                    } else if has(&attr, Rule::kw_restricted) {
                        Parallel::Restricted
                    } else {
                        Parallel::Unsafe
                    }
                }
                Rule::attr_set => {
                    let key = child(&attr, Rule::ident).map(|k| ident(&k).0).unwrap_or_default();
                    let value = child(&attr, Rule::set_value).map(|v| v.as_str().trim().to_string()).unwrap_or_default();
                    function.config.retain(|(existing, _)| existing != &key);
                    function.config.push((key, value));
                }
                _ => {}
            }
        }
        function.config.sort();
        if !has_language {
            let span = self.span(&name_node);
            self.diagnostics.push(
                Diagnostic::error("syntax-error", span, format!("function {name} has no `language`"))
                    .with_help("add `language sql` or `language plpgsql` before `as $$`"),
            );
        }
        let id = function.id.clone();
        if let Some(first) = self.model.functions.get(&id) {
            let first = first.meta.span;
            return self.duplicate(def, format!("function {id}"), first);
        }
        self.model.functions.insert(id, function);
    }

    fn lower_view(&mut self, def: &Node<'_>, comment: Option<String>) {
        let Some(name_node) = child(def, Rule::qname) else { return };
        let name = qualified(&name_node);
        let columns = child(def, Rule::paren_idents)
            .and_then(|list| child(&list, Rule::ident_list))
            .map(|list| children(&list, Rule::ident).iter().map(ident).collect())
            .unwrap_or_default();
        let mut options: Vec<(String, String)> = child(def, Rule::view_with)
            .map(|with| option_list(&with))
            .unwrap_or_default();
        let Some(query_node) = child(def, Rule::view_query) else { return };
        let (query_text, check_option) = split_check_option(query_node.as_str());
        if let Some(check_option) = check_option {
            options.push(("check_option".to_string(), check_option.to_string()));
        }
        options.sort();
        let start = self.base + query_node.as_span().start();
        let depends_on = match view_relations(query_text) {
            Ok(relations) => relations,
            Err(message) => {
                let span = Span::new(self.file.id, start, start + query_text.len());
                self.diagnostics.push(
                    Diagnostic::error("syntax-error", span, format!("invalid query of view {name}: {message}"))
                        .with_label("this query"),
                );
                Vec::new()
            }
        };
        let query = match normalize::expr(query_text) {
            Ok(expr) => expr,
            Err(_) => {
                let collapsed = collapse_whitespace(query_text);
                SqlExpr { sql: query_text.trim().to_string(), canonical: collapsed }
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
            meta: self.meta(def, Some(&name_node)),
        };
        if let Some(first) = self.model.views.get(&name) {
            let first = first.meta.span;
            return self.duplicate(def, format!("view {name}"), first);
        }
        self.model.views.insert(name, view);
    }

    fn lower_standalone_index(&mut self, def: &Node<'_>, comment: Option<String>) {
        let Some(target) = child(def, Rule::qname) else { return };
        let target = qualified(&target);
        let (index, explicit, key_names) = self.lower_index(def, comment);
        self.standalone_indexes.push((target, index, explicit, key_names));
    }

    fn attach_standalone_indexes(&mut self) {
        for (target, mut index, explicit, key_names) in std::mem::take(&mut self.standalone_indexes) {
            let taken: Vec<Ident> = if let Some(table) = self.model.tables.get(&target) {
                table.constraints.keys().chain(table.indexes.keys()).cloned().collect()
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
                unique_name(normalize::default_index_name(&target.name, &key_names, false), |c| {
                    taken.contains(c)
                })
            });
            let indexes = match self.model.tables.get_mut(&target) {
                Some(table) => &mut table.indexes,
                None => match self.model.views.get_mut(&target) {
                    Some(view) => &mut view.indexes,
                    None => continue,
                },
            };
            indexes.insert(index.name.clone(), index);
        }
    }

    /// Lowers a `table_index` or `index_def`; returns the index (named only
    /// when a name was written), the explicit name, and the key names
    /// PostgreSQL would use for a default name.
    pub fn lower_index(&mut self, def: &Node<'_>, comment: Option<String>) -> (Index, Option<Ident>, Vec<String>) {
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
            comment,
            meta: self.meta(def, name_node.as_ref()),
        };
        let mut key_names = Vec::new();
        let Some(body) = body else { return (index, explicit, key_names) };
        if let Some(method) = child(&body, Rule::ident) {
            index.method = ident(&method).0;
        }
        for key in children(&body, Rule::index_key) {
            let (key, key_name) = self.lower_index_key(&key);
            key_names.push(key_name);
            index.keys.push(key);
        }
        for tail in children(&body, Rule::index_tail) {
            let Some(tail) = first_kid(&tail) else { continue };
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

    fn lower_index_key(&mut self, key: &Node<'_>) -> (IndexKey, String) {
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
        let descending = child(key, Rule::key_order).is_some_and(|order| has(&order, Rule::kw_desc));
        let nulls_first = child(key, Rule::key_nulls)
            .map(|nulls| has(&nulls, Rule::kw_first))
            .filter(|first| *first != descending);
        let key = IndexKey {
            expr,
            collation: child(key, Rule::key_collate)
                .and_then(|c| child(&c, Rule::qname))
                .map(|q| qualified(&q).name),
            opclass: child(key, Rule::key_opclass)
                .and_then(|o| child(&o, Rule::qname))
                .map(|q| qname_text(&q)),
            descending,
            nulls_first,
        };
        (key, key_name)
    }
}

/// The Ident of an `ident` node (or a node whose first child is one).
pub fn ident(node: &Node<'_>) -> Ident {
    let node = if node.as_rule() == Rule::ident { node.clone() } else { child(node, Rule::ident).unwrap_or_else(|| node.clone()) };
    match first_kid(&node) {
        Some(inner) if inner.as_rule() == Rule::quoted_ident => Ident::new(unquote(inner.as_str())),
        _ => Ident::folded(node.as_str()),
    }
}

/// An ident's text as written, without quotes and without folding.
fn ident_verbatim(node: &Node<'_>) -> String {
    match first_kid(node) {
        Some(inner) if inner.as_rule() == Rule::quoted_ident => unquote(inner.as_str()),
        _ => node.as_str().to_string(),
    }
}

fn unquote(text: &str) -> String {
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text)
        .replace("\"\"", "\"")
}

/// A `qname` node -> schema-qualified name (`public` by default).
pub fn qualified(node: &Node<'_>) -> QualifiedName {
    let parts: Vec<Ident> = children(node, Rule::ident).iter().map(ident).collect();
    match parts.as_slice() {
        [schema, name] => QualifiedName { schema: schema.clone(), name: name.clone() },
        [name] => QualifiedName { schema: Ident::new("public"), name: name.clone() },
        _ => QualifiedName::public(""),
    }
}

/// A `qname` in SQL spelling with folding applied (`public.foo`, `"Foo"`).
fn qname_text(node: &Node<'_>) -> String {
    children(node, Rule::ident)
        .iter()
        .map(|part| ident(part).to_string())
        .collect::<Vec<_>>()
        .join(".")
}

/// The spelling of a `type_ref` node handed to `normalize::type_name`:
/// keywords lower case and single-spaced, unquoted names folded, modifiers
/// without spaces.
pub fn type_spelling(node: &Node<'_>) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut res = String::new();
    spell_type(node, &mut words, &mut res);
    res
}

fn spell_type(node: &Node<'_>, words: &mut Vec<String>, res: &mut String) {
    for kid in kids(node) {
        match kid.as_rule() {
            Rule::qname => push_word(res, &qname_text(&kid)),
            Rule::type_mods => {
                let mods: Vec<String> = children(&kid, Rule::type_mod).iter().map(|m| m.as_str().to_lowercase()).collect();
                res.push_str(&format!("({})", mods.join(",")));
            }
            Rule::array_suffix => {
                let size = child(&kid, Rule::int).map(|n| n.as_str().to_string()).unwrap_or_default();
                res.push_str(&format!("[{size}]"));
            }
            rule if super::tree::is_keyword(rule) => push_word(res, &kid.as_str().to_lowercase()),
            _ => spell_type(&kid, words, res),
        }
    }
}

fn push_word(res: &mut String, word: &str) {
    if !res.is_empty() {
        res.push(' ');
    }
    res.push_str(word);
}

fn return_type(ret: &Node<'_>) -> Option<String> {
    match ret.as_rule() {
        Rule::type_ref => Some(normalize::type_name(&type_spelling(ret), "public").0),
        Rule::ret_setof => child(ret, Rule::type_ref)
            .map(|ty| format!("SETOF {}", normalize::type_name(&type_spelling(&ty), "public"))),
        Rule::ret_table => child(ret, Rule::paren_expr)
            .and_then(|p| child(&p, Rule::expr_text))
            .map(|t| format!("TABLE({})", collapse_whitespace(t.as_str()))),
        _ => None,
    }
}

/// `(a, b)` -> idents.
pub fn paren_ident_list(node: &Node<'_>) -> Vec<Ident> {
    find(node, Rule::ident_list)
        .map(|list| children(&list, Rule::ident).iter().map(ident).collect())
        .unwrap_or_default()
}

/// `with (fillfactor = 70, security_barrier)` -> sorted `(name, value)`;
/// quotes around values are dropped, a bare name means `true`.
fn option_list(node: &Node<'_>) -> Vec<(String, String)> {
    let mut res: Vec<(String, String)> = children(node, Rule::option_kv)
        .iter()
        .map(|kv| {
            let key = child(kv, Rule::ident).map(|k| ident(&k).0).unwrap_or_default();
            let value = child(kv, Rule::option_value).map_or_else(
                || "true".to_string(),
                |v| if v.as_str().starts_with('\'') { string_value(v.as_str()) } else { v.as_str().to_lowercase() },
            );
            (key, value)
        })
        .collect();
    res.sort();
    res
}

/// `name`, `name1`, `name2`, ... : the first candidate not taken.
pub fn unique_name(base: Ident, taken: impl Fn(&Ident) -> bool) -> Ident {
    if !taken(&base) {
        return base;
    }
    (1..)
        .map(|n| Ident::new(format!("{}{n}", base.0)))
        .find(|candidate| !taken(candidate))
        .unwrap_or(base)
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
        cut = trimmed[..cut].trim_end().rfind(char::is_whitespace).map_or(0, |idx| idx);
    }
    (&query[..cut], Some(kind))
}

/// Relations a SELECT reads, schema-qualified (`public` by default), CTE
/// names excluded, sorted and deduplicated.
fn view_relations(query: &str) -> Result<Vec<QualifiedName>, String> {
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
                self.ctes.extend(with.cte_tables.iter().map(|cte| cte.alias.name.value.clone()));
            }
            ControlFlow::Continue(())
        }
        fn pre_visit_relation(&mut self, relation: &sqlparser::ast::ObjectName) -> ControlFlow<()> {
            self.names.push(relation.clone());
            ControlFlow::Continue(())
        }
    }

    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let statements: Vec<Statement> =
        sqlparser::parser::Parser::parse_sql(&dialect, query).map_err(|error| error.to_string())?;
    let mut visitor = Relations { ctes: Vec::new(), names: Vec::new() };
    let _ = statements.visit(&mut visitor);
    let mut res: Vec<QualifiedName> = Vec::new();
    for name in visitor.names {
        let parts: Vec<Ident> = name
            .0
            .iter()
            .filter_map(|part| part.as_ident())
            .map(|part| match part.quote_style {
                Some(_) => Ident::new(part.value.clone()),
                None => Ident::folded(&part.value),
            })
            .collect();
        let qualified = match parts.as_slice() {
            [name] if visitor.ctes.iter().any(|cte| Ident::folded(cte) == *name) => continue,
            [name] => QualifiedName { schema: Ident::new("public"), name: name.clone() },
            [.., schema, name] => QualifiedName { schema: schema.clone(), name: name.clone() },
            [] => continue,
        };
        if !res.contains(&qualified) {
            res.push(qualified);
        }
    }
    res.sort();
    Ok(res)
}

/// Splits the text of a `paren_expr` at top-level commas; each part with
/// its absolute offset.
pub fn paren_parts(cx: &Cx<'_>, node: &Node<'_>) -> Vec<(usize, String)> {
    let Some(text) = child(node, Rule::expr_text) else { return Vec::new() };
    let start = cx.base + text.as_span().start();
    split_top_level(text.as_str())
        .into_iter()
        .filter(|(_, part)| !part.trim().is_empty())
        .map(|(offset, part)| (start + offset, part.to_string()))
        .collect()
}
