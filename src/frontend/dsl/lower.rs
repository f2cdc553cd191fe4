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
use super::tree::{child, children, docs_of, find, first_kid, kids, string_value, Node};
use crate::diagnostics::{Diagnostic, Parsed};
use crate::frontend::expr::{lower_expr, split_top_level};
use crate::model::*;
use crate::source::{SourceFile, Span};

mod function;
mod grant;
mod index;
mod object;
mod partition;
mod rls;
mod table;
mod view;

/// Lowers the parsed entries of one file, in order. Each entry is dropped
/// once lowered, so with a lazy iterator ([`super::parse::Entries`]) only
/// one entry's parse tree is alive at a time.
pub fn lower_entries<'i>(
    file: &SourceFile,
    entries: impl IntoIterator<Item = Entry<'i>>,
) -> Parsed<Model> {
    lower_part(file, entries).finish()
}

/// Lowers a run of a file's entries, leaving out what needs the whole file
/// (standalone indexes, grants, aggregates, catalog relations): the runs of
/// one file, lowered apart ([`Part::absorb`]) and then finished
/// ([`Part::finish`]), give what [`lower_entries`] gives for the file.
pub fn lower_part<'a, 'i>(
    file: &'a SourceFile,
    entries: impl IntoIterator<Item = Entry<'i>>,
) -> Part<'a> {
    let mut cx = Cx {
        file,
        base: 0,
        model: Model::default(),
        diagnostics: Vec::new(),
        standalone_indexes: Vec::new(),
        pending_grants: Vec::new(),
        default_privilege_schemas: Vec::new(),
        catalog_candidates: Vec::new(),
        raw_views: Vec::new(),
        pending_aggregates: Vec::new(),
        writes_default_privileges: false,
    };
    for entry in entries {
        cx.base = entry.base;
        if let Some(item) = child(&entry.pair, Rule::item) {
            cx.lower_item(&item);
        }
    }
    Part(cx)
}

/// A run of a file's entries, lowered ([`lower_part`]).
pub struct Part<'a>(Cx<'a>);

impl Part<'_> {
    /// Appends `later`, the run that follows this one in the file. False
    /// (and nothing appended) when the two runs touch the same object (a
    /// duplicate declaration, default privileges in both): only lowering
    /// the runs one after the other handles that as the file's order
    /// demands.
    pub fn absorb(&mut self, later: Part<'_>) -> bool {
        let (cx, other) = (&mut self.0, &later.0);
        let (mine, theirs) = (&cx.model, &other.model);
        let overlaps = shares_key(&mine.schemas, &theirs.schemas)
            || shares_key(&mine.extensions, &theirs.extensions)
            || shares_key(&mine.roles, &theirs.roles)
            || shares_key(&mine.enums, &theirs.enums)
            || shares_key(&mine.domains, &theirs.domains)
            || shares_key(&mine.composites, &theirs.composites)
            || shares_key(&mine.sequences, &theirs.sequences)
            || shares_key(&mine.functions, &theirs.functions)
            || shares_key(&mine.tables, &theirs.tables)
            || shares_key(&mine.views, &theirs.views)
            || (cx.writes_default_privileges && other.writes_default_privileges);
        if overlaps {
            return false;
        }
        let other = later.0;
        let duplicates = cx.model.merge(other.model);
        debug_assert!(duplicates.is_empty());
        cx.diagnostics.extend(other.diagnostics);
        cx.standalone_indexes.extend(other.standalone_indexes);
        cx.pending_grants.extend(other.pending_grants);
        cx.default_privilege_schemas
            .extend(other.default_privilege_schemas);
        cx.catalog_candidates.extend(other.catalog_candidates);
        cx.raw_views.extend(other.raw_views);
        cx.pending_aggregates.extend(other.pending_aggregates);
        cx.writes_default_privileges |= other.writes_default_privileges;
        true
    }

    /// Does what needs the whole file and returns its Model.
    pub fn finish(self) -> Parsed<Model> {
        let mut cx = self.0;
        cx.lower_aggregates();
        cx.attach_standalone_indexes();
        cx.apply_grants();
        cx.resolve_catalog_relations();
        Parsed::new(cx.model, cx.diagnostics)
    }
}

/// True when the two maps have a key in common.
fn shares_key<K: Ord, V>(
    a: &std::collections::BTreeMap<K, V>,
    b: &std::collections::BTreeMap<K, V>,
) -> bool {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small.keys().any(|key| large.contains_key(key))
}

pub(super) struct Cx<'a> {
    pub file: &'a SourceFile,
    /// Byte offset of the entry being lowered (pest positions are relative).
    pub base: usize,
    pub model: Model,
    pub diagnostics: Vec<Diagnostic>,
    /// `index NAME on TARGET (...)`: attached once the whole file is read.
    standalone_indexes: Vec<(QualifiedName, Index, Option<Ident>, Vec<String>)>,
    /// `grant` / `revoke` items: applied once the whole file is read.
    pending_grants: Vec<grant::PendingGrant>,
    /// The `in schema` of `default privileges` items: checked once the
    /// whole file is read.
    default_privilege_schemas: Vec<(Ident, Span)>,
    /// (view, unqualified `pg_*` relation it reads): resolved once the
    /// whole file is read ([`Cx::resolve_catalog_relations`]).
    catalog_candidates: Vec<(QualifiedName, QualifiedName)>,
    /// Views whose query sqlparser could not read: their `depends_on` holds
    /// every name of the query until the declared relations are known.
    raw_views: Vec<QualifiedName>,
    /// `aggregate` items: read once the whole file is read, so that the
    /// functions they name may be declared anywhere in it.
    pending_aggregates: Vec<function::PendingAggregate>,
    /// A `default privileges` item was lowered: each one updates the entry
    /// the items before it left ([`Part::absorb`]).
    writes_default_privileges: bool,
}

impl Cx<'_> {
    /// The node's absolute span, without the trailing whitespace pest
    /// includes in some non-atomic rules.
    pub fn span(&self, node: &Node<'_>) -> Span {
        let start = self.base + node.as_span().start();
        let end = start + node.as_str().trim_end().len();
        Span::new(self.file.id, start, end)
    }

    pub fn meta(&self, node: &Node<'_>, name: Option<&Node<'_>>) -> Meta {
        Meta {
            span: Some(self.span(node)),
            name_span: name.map(|name| self.span(name)),
            renamed_from: child(node, Rule::was)
                .and_then(|was| child(&was, Rule::ident))
                .map(|old| Box::new(ident(&old))),
            role: None,
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
                self.diagnostics.push(*diagnostic);
                SqlExpr::raw(text.trim())
            }
        }
    }

    pub fn error(&mut self, node: &Node<'_>, message: impl Into<String>) {
        let span = self.span(node);
        self.diagnostics
            .push(Diagnostic::error("syntax-error", span, message));
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
            Rule::grant_def => self.lower_grant(&def, true),
            Rule::revoke_def => self.lower_grant(&def, false),
            Rule::default_privileges_def => self.lower_default_privileges(&def),
            Rule::enum_def => self.lower_enum(&def, comment),
            Rule::domain_def => self.lower_domain(&def, comment),
            Rule::type_def => self.lower_composite(&def, comment),
            Rule::sequence_def => self.lower_sequence(&def, comment),
            Rule::function_def => self.lower_function(&def, comment),
            Rule::aggregate_def => self.lower_aggregate(&def, comment),
            Rule::view_def => self.lower_view(&def, comment),
            Rule::index_def => self.lower_standalone_index(&def, comment),
            Rule::table_def => self.lower_table(&def, comment),
            _ => {}
        }
    }
}

/// The Ident of an `ident` node (or a node whose first child is one).
pub fn ident(node: &Node<'_>) -> Ident {
    let node = if node.as_rule() == Rule::ident {
        node.clone()
    } else {
        child(node, Rule::ident).unwrap_or_else(|| node.clone())
    };
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
        [schema, name] => QualifiedName {
            schema: schema.clone(),
            name: name.clone(),
        },
        [name] => QualifiedName {
            schema: Ident::new("public"),
            name: name.clone(),
        },
        _ => QualifiedName::public(""),
    }
}

/// The `qname` of a `collate` clause (`"C"`, `app.case_insensitive`).
pub fn collation(node: &Node<'_>) -> crate::model::Collation {
    let parts: Vec<Ident> = children(node, Rule::ident).iter().map(ident).collect();
    match parts.as_slice() {
        [schema, name] => crate::model::Collation::qualified(Some(schema.clone()), name.clone()),
        [.., name] => crate::model::Collation::qualified(None, name.clone()),
        [] => crate::model::Collation::default(),
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
    let mut res = String::new();
    spell_type(node, &mut res);
    res
}

fn spell_type(node: &Node<'_>, res: &mut String) {
    for kid in kids(node) {
        match kid.as_rule() {
            Rule::qname => {
                let parts: Vec<String> = children(&kid, Rule::ident)
                    .iter()
                    .map(type_name_part)
                    .collect();
                push_word(res, &parts.join("."));
            }
            Rule::type_mods => {
                let mods: Vec<String> = children(&kid, Rule::type_mod)
                    .iter()
                    .map(|m| m.as_str().to_lowercase())
                    .collect();
                res.push_str(&format!("({})", mods.join(",")));
            }
            Rule::array_suffix => {
                let size = child(&kid, Rule::int)
                    .map(|n| n.as_str().to_string())
                    .unwrap_or_default();
                res.push_str(&format!("[{size}]"));
            }
            rule if super::tree::is_keyword(rule) => push_word(res, &kid.as_str().to_lowercase()),
            _ => spell_type(&kid, res),
        }
    }
}

/// One dotted part of a type name: unquoted folded, quoted kept quoted
/// unless it reads the same unquoted.
fn type_name_part(node: &Node<'_>) -> String {
    let name = ident(node).0;
    let mut chars = name.chars();
    let plain = chars
        .next()
        .is_some_and(|ch| ch.is_ascii_lowercase() || ch == '_')
        && chars.all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_' || ch == '$');
    if plain {
        name
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

fn push_word(res: &mut String, word: &str) {
    if !res.is_empty() {
        res.push(' ');
    }
    res.push_str(word);
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
            let key = child(kv, Rule::ident)
                .map(|k| ident(&k).0)
                .unwrap_or_default();
            let value = child(kv, Rule::option_value).map_or_else(
                || "true".to_string(),
                |v| {
                    if v.as_str().starts_with('\'') {
                        string_value(v.as_str())
                    } else {
                        v.as_str().to_lowercase()
                    }
                },
            );
            (key, value)
        })
        .collect();
    res.sort();
    res
}

/// `with (fillfactor = 70, toast.autovacuum_enabled = false)` (a
/// `table_with`) into a table's storage parameters; a bare name means
/// `true`.
pub fn storage_options(node: &Node<'_>, options: &mut crate::model::StorageOptions) {
    for option in children(node, Rule::table_option) {
        let Some(name) = child(&option, Rule::qname) else {
            continue;
        };
        let name: Vec<String> = children(&name, Rule::ident)
            .iter()
            .map(|part| ident(part).0.to_lowercase())
            .collect();
        let value = child(&option, Rule::option_value).map_or_else(
            || "true".to_string(),
            |v| {
                if v.as_str().starts_with('\'') {
                    string_value(v.as_str())
                } else {
                    v.as_str().to_string()
                }
            },
        );
        options.set(&name.join("."), &value);
    }
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

/// [`unique_name`] for many names in a row while names are only added: per
/// base it remembers the number after the last name it gave, below which
/// no number is free, so naming n constraints of one base is linear, not
/// quadratic, and gives the same names.
#[derive(Default)]
pub struct NameSequence(std::collections::HashMap<Ident, u64>);

impl NameSequence {
    pub fn next(&mut self, base: Ident, taken: impl Fn(&Ident) -> bool) -> Ident {
        let candidate = |n: u64| {
            if n == 0 {
                base.clone()
            } else {
                Ident::new(format!("{}{n}", base.0))
            }
        };
        let mut n = self.0.get(&base).copied().unwrap_or(0);
        while taken(&candidate(n)) {
            n += 1;
        }
        let name = candidate(n);
        self.0.insert(base, n + 1);
        name
    }
}

/// Splits the text of a `paren_expr` at top-level commas; each part with
/// its absolute offset.
fn paren_parts(cx: &Cx<'_>, node: &Node<'_>) -> Vec<(usize, String)> {
    let Some(text) = child(node, Rule::expr_text) else {
        return Vec::new();
    };
    let start = cx.base + text.as_span().start();
    split_top_level(text.as_str())
        .into_iter()
        .filter(|(_, part)| !part.trim().is_empty())
        .map(|(offset, part)| (start + offset, part.to_string()))
        .collect()
}
