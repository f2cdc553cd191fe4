//! Lowering of functions and procedures: arguments, return type,
//! attributes and the dollar-quoted body (kept verbatim).
//!
//! Invariant: a function's id lists the types of its IN, INOUT and
//! VARIADIC arguments only, as PostgreSQL identifies functions.

use super::{ident, qualified, type_spelling, Cx};
use crate::diagnostics::Diagnostic;
use crate::frontend::dsl::parse::Rule;
use crate::frontend::dsl::tree::{child, children, find, first_kid, has, kids, string_value, Node};
use crate::frontend::expr::collapse_whitespace;
use crate::model::normalize;
use crate::model::*;

impl Cx<'_> {
    pub(super) fn lower_function(&mut self, def: &Node<'_>, comment: Option<String>) {
        let Some(name_node) = child(def, Rule::qname) else {
            return;
        };
        let name = qualified(&name_node);
        let procedure = has(def, Rule::kw_procedure);
        let mut args = Vec::new();
        for arg in children(def, Rule::func_arg) {
            let mode = match child(&arg, Rule::arg_mode)
                .and_then(|m| first_kid(&m))
                .map(|m| m.as_rule())
            {
                Some(Rule::kw_out) => ArgMode::Out,
                Some(Rule::kw_inout) => ArgMode::InOut,
                Some(Rule::kw_variadic) => ArgMode::Variadic,
                _ => ArgMode::In,
            };
            let Some(body) =
                child(&arg, Rule::named_arg).or_else(|| child(&arg, Rule::unnamed_arg))
            else {
                continue;
            };
            let arg_name = child(&body, Rule::arg_name)
                .and_then(|n| child(&n, Rule::ident))
                .map(|n| ident(&n));
            let ty = child(&body, Rule::type_ref).map_or_else(TypeName::default, |ty| {
                normalize::type_name(&type_spelling(&ty), "public")
            });
            let default = child(&body, Rule::arg_default)
                .and_then(|d| child(&d, Rule::arg_default_expr))
                .map(|d| self.expr(&d));
            args.push(FunctionArg {
                mode,
                name: arg_name,
                ty,
                default,
            });
        }
        let returns = if procedure {
            None
        } else {
            child(def, Rule::func_returns)
                .and_then(|ret| kids(&ret).find(|kid| kid.as_rule() != Rule::kw_returns))
                .and_then(|ret| return_type(&ret))
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
            body: find(def, Rule::dollar_body)
                .map(|b| b.as_str().to_string())
                .unwrap_or_default(),
            volatility: Volatility::Volatile,
            strict: false,
            security_definer: false,
            parallel: Parallel::Unsafe,
            config: Vec::new(),
            cost: None,
            rows: None,
            comment,
            meta: self.meta(def, Some(&name_node)),
            aggregate: None,
        };
        let mut has_language = false;
        for attr in children(def, Rule::func_attr) {
            let Some(attr) = first_kid(&attr) else {
                continue;
            };
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
                    let key = child(&attr, Rule::ident)
                        .map(|k| ident(&k).0)
                        .unwrap_or_default();
                    let value = child(&attr, Rule::set_value)
                        .map(|v| unquote_set_value(v.as_str()))
                        .unwrap_or_default();
                    function.config.retain(|(existing, _)| existing != &key);
                    function.config.push((key, value));
                }
                Rule::attr_cost => {
                    function.cost = child(&attr, Rule::number).map(|n| n.as_str().to_string());
                }
                Rule::attr_rows => {
                    function.rows = child(&attr, Rule::number).map(|n| n.as_str().to_string());
                }
                _ => {}
            }
        }
        function.config.sort();
        if !has_language {
            let span = self.span(&name_node);
            self.diagnostics.push(
                Diagnostic::error(
                    "syntax-error",
                    span,
                    format!("function {name} has no `language`"),
                )
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
}

fn return_type(ret: &Node<'_>) -> Option<String> {
    match ret.as_rule() {
        Rule::type_ref => Some(normalize::type_name(&type_spelling(ret), "public").0),
        Rule::ret_setof => child(ret, Rule::type_ref).map(|ty| {
            format!(
                "SETOF {}",
                normalize::type_name(&type_spelling(&ty), "public")
            )
        }),
        Rule::ret_table => child(ret, Rule::paren_expr)
            .and_then(|p| child(&p, Rule::expr_text))
            .map(|t| format!("TABLE({})", collapse_whitespace(t.as_str()))),
        _ => None,
    }
}

/// `'pg_catalog', 'app'` -> `pg_catalog, app`: the form the `.sql`
/// frontend and the catalog (`proconfig`) give, so spellings compare equal.
fn unquote_set_value(text: &str) -> String {
    text.split(',')
        .map(|item| {
            let item = item.trim();
            match item
                .strip_prefix('\'')
                .and_then(|rest| rest.strip_suffix('\''))
            {
                Some(inner) => inner.replace("''", "'"),
                None => item.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// An `aggregate` item waiting for the end of the file (see
/// [`Cx::lower_aggregates`]).
pub(super) struct PendingAggregate {
    /// `CREATE ` and the item's text.
    text: String,
    /// Absolute byte offset of the item in the file.
    start: usize,
    meta: Meta,
    comment: Option<String>,
}

/// What precedes the item's text in [`PendingAggregate::text`].
const PREFIX: &str = "CREATE ";

impl Cx<'_> {
    /// `aggregate NAME(ARGS) (OPTIONS)`: the same text as `CREATE
    /// AGGREGATE`, kept to be read once the whole file is lowered.
    pub(super) fn lower_aggregate(&mut self, def: &Node<'_>, comment: Option<String>) {
        let Some(name_node) = child(def, Rule::qname) else {
            return;
        };
        self.pending_aggregates.push(PendingAggregate {
            text: format!("{PREFIX}{}", def.as_str()),
            start: self.base + def.as_span().start(),
            meta: self.meta(def, Some(&name_node)),
            comment,
        });
    }

    /// Reads the file's `aggregate` items with the `.sql` frontend's
    /// reader. Names resolve as elsewhere in the language (`public` when
    /// unqualified), except that an unqualified support function the file
    /// does not declare in `public` is PostgreSQL's own, in `pg_catalog`.
    pub(super) fn lower_aggregates(&mut self) {
        use crate::frontend::sql::aggregate::parse_dsl_aggregate;
        for pending in std::mem::take(&mut self.pending_aggregates) {
            let functions = &self.model.functions;
            let declared = |name: &QualifiedName| functions.keys().any(|id| &id.name == name);
            let parsed = parse_dsl_aggregate(&pending.text, &declared, pending.meta.clone());
            let item_len = pending.text.len() - PREFIX.len();
            let file = self.file.id;
            let at = |range: &std::ops::Range<usize>| {
                let start = range.start.saturating_sub(PREFIX.len()).min(item_len);
                let end = range
                    .end
                    .saturating_sub(PREFIX.len())
                    .clamp(start, item_len);
                crate::source::Span::new(
                    file,
                    pending.start + start,
                    pending.start + end.max(start),
                )
            };
            match parsed {
                Err(problem) => {
                    let mut diagnostic =
                        Diagnostic::error("syntax-error", at(&problem.range), problem.message)
                            .with_label("here");
                    if let Some(help) = problem.help {
                        diagnostic = diagnostic.with_help(help);
                    }
                    self.diagnostics.push(diagnostic);
                }
                Ok(parsed) => {
                    for warning in &parsed.warnings {
                        self.diagnostics.push(
                            Diagnostic::warning(
                                "unsupported-statement",
                                at(&warning.range),
                                warning.message.clone(),
                            )
                            .with_label("ignored, as PostgreSQL ignores it"),
                        );
                    }
                    let mut function = parsed.function;
                    function.comment = pending.comment;
                    let id = function.id.clone();
                    if let Some(first) = self.model.functions.get(&id) {
                        let mut diagnostic = Diagnostic::error(
                            "duplicate-object",
                            at(&(0..pending.text.len())),
                            format!("aggregate {id} is declared more than once"),
                        );
                        if let Some(first) = first.meta.span {
                            diagnostic = diagnostic.with_secondary(first, "first declared here");
                        }
                        self.diagnostics.push(diagnostic);
                        continue;
                    }
                    self.model.functions.insert(id, function);
                }
            }
        }
    }
}
