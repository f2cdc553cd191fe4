//! Functions and procedures (bodies kept as raw SQL).
//!
//! Invariants: `body` is either the text between the dollar quotes of `AS
//! $$...$$`, or a SQL-standard body (`RETURN expr`, `BEGIN ATOMIC ... END`,
//! PostgreSQL 14+) kept as written, keywords included; the two are told
//! apart by [`Function::has_standard_body`]. Equality compares a standard
//! body by its canonical form (`RETURN a * 2` equals the catalog's `RETURN
//! (a * 2)`; `BEGIN ATOMIC` bodies by their whitespace-collapsed text) and
//! a quoted body byte for byte; spans never take part.

use super::{Ident, Meta, QualifiedName, SqlExpr, TypeName};
use std::fmt;

/// A function is identified by its name and its input argument types.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FunctionId {
    pub name: QualifiedName,
    pub arg_types: Vec<TypeName>,
}

impl fmt::Display for FunctionId {
    /// `public.set_updated_at()`, `app.f(integer, text)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.name)?;
        for (idx, ty) in self.arg_types.iter().enumerate() {
            if idx > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{ty}")?;
        }
        f.write_str(")")
    }
}

#[derive(Debug, Clone, Eq)]
pub struct Function {
    pub id: FunctionId,
    pub procedure: bool,
    pub args: Vec<FunctionArg>,
    /// Return type as SQL (`trigger`, `integer`, `SETOF public.orders`,
    /// `TABLE(id bigint, total numeric)`); `None` for procedures.
    pub returns: Option<String>,
    /// Lower case: `sql`, `plpgsql`.
    pub language: String,
    /// The body exactly as written between the dollar quotes, or a
    /// SQL-standard body as written (see the module doc).
    pub body: String,
    pub volatility: Volatility,
    pub strict: bool,
    pub security_definer: bool,
    pub parallel: Parallel,
    /// `SET name = value` options, in the order written (PostgreSQL keeps
    /// it in `proconfig` and prints it so); equality ignores the order.
    pub config: Vec<(String, String)>,
    /// `COST n` as written (`procost`); `None`: the default. Compared by
    /// [`Function::cost`].
    pub cost: Option<String>,
    /// `ROWS n` as written (`prorows`); `None`: the default. Compared by
    /// [`Function::rows`].
    pub rows: Option<String>,
    pub comment: Option<String>,
    pub meta: Meta,
    /// For an aggregate (`CREATE AGGREGATE`), what `pg_aggregate` holds;
    /// the function-only fields then take fixed values (see
    /// [`super::aggregate`]).
    pub aggregate: Option<Box<super::Aggregate>>,
}

impl Function {
    /// True when `CREATE OR REPLACE` can turn this routine into `desired`
    /// (same kind, result, and arguments by mode, name and type; a
    /// default may be added but not removed). Otherwise PostgreSQL needs a
    /// DROP and a CREATE, and the new routine starts with a new ACL.
    pub fn replaceable_by(&self, desired: &Function) -> bool {
        if let (Some(current), Some(wanted)) = (&self.aggregate, &desired.aggregate) {
            // CREATE OR REPLACE AGGREGATE (PostgreSQL 12+) keeps the
            // kind, the arguments (names too) and the result type; the
            // result is the final function's, or the state type, so a
            // changed final function or state type goes by drop and create.
            return current.direct_args == wanted.direct_args
                && current.hypothetical == wanted.hypothetical
                && current.stype == wanted.stype
                && current.finalfunc == wanted.finalfunc
                && current.finalfunc_extra == wanted.finalfunc_extra
                && self.args == desired.args;
        }
        self.aggregate.is_none() == desired.aggregate.is_none()
            && self.procedure == desired.procedure
            && self.returns == desired.returns
            && self.args.len() == desired.args.len()
            && self.args.iter().zip(&desired.args).all(|(a, b)| {
                a.mode == b.mode
                    && a.name == b.name
                    && a.ty == b.ty
                    && (a.default.is_none() || b.default.is_some())
            })
    }

    /// The planner's cost estimate, as PostgreSQL stores it: the declared
    /// `COST`, else 1 for C and internal functions and 100 for the others
    /// (<https://www.postgresql.org/docs/current/sql-createfunction.html>).
    pub fn cost(&self) -> f64 {
        let default = if matches!(self.language.as_str(), "c" | "internal") {
            1.0
        } else {
            100.0
        };
        declared_number(self.cost.as_deref()).unwrap_or(default)
    }

    /// The estimated rows of a set-returning function: the declared
    /// `ROWS`, else 1000; 0 for every other function.
    pub fn rows(&self) -> f64 {
        let returns_set = self.returns.as_deref().is_some_and(|returns| {
            let returns = returns.trim_start().to_ascii_uppercase();
            returns.starts_with("SETOF ") || returns.starts_with("TABLE")
        });
        if !returns_set {
            return 0.0;
        }
        declared_number(self.rows.as_deref()).unwrap_or(1000.0)
    }

    /// `COST n` / `ROWS n` clauses for the values that differ from the
    /// defaults (with a leading space each), as `CREATE FUNCTION` takes them.
    pub fn cost_rows_sql(&self) -> String {
        let defaults = Function {
            cost: None,
            rows: None,
            ..self.clone()
        };
        let mut res = String::new();
        if self.cost() != defaults.cost() {
            res.push_str(&format!(" COST {}", self.cost()));
        }
        if self.rows() != defaults.rows() {
            res.push_str(&format!(" ROWS {}", self.rows()));
        }
        res
    }

    /// True when the body is SQL-standard (`RETURN ...` or `BEGIN ATOMIC
    /// ... END`) and is printed without quotes: neither form is a valid
    /// quoted body of a `sql` function, and other languages have no such form.
    pub fn has_standard_body(&self) -> bool {
        self.language == "sql" && standard_body_kind(&self.body).is_some()
    }

    /// The body as compared (see the module doc).
    fn body_key(&self) -> std::borrow::Cow<'_, str> {
        if !self.has_standard_body() {
            return std::borrow::Cow::Borrowed(&self.body);
        }
        let body = self.body.trim();
        if let Some(StandardBody::Return(expr)) = standard_body_kind(body) {
            if let Ok(canonical) = super::normalize::expr(expr) {
                return std::borrow::Cow::Owned(format!("RETURN {}", canonical.canonical));
            }
        }
        let unquoted = unquote_plain_names(body);
        let collapsed: Vec<&str> = unquoted.split_whitespace().collect();
        std::borrow::Cow::Owned(collapsed.join(" ").to_lowercase())
    }
}

/// `"s"` -> `s` for quoted names that need no quotes (lower case letters,
/// digits, `_`), outside string literals: what `pg_dump
/// --quote-all-identifiers` adds to a body.
fn unquote_plain_names(text: &str) -> String {
    let mut res = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(idx) = rest.find(['\'', '"']) {
        res.push_str(&rest[..idx]);
        let quote = rest.as_bytes()[idx] as char;
        let after = &rest[idx + 1..];
        let end = after.find(quote).map_or(after.len(), |n| n);
        let inner = &after[..end];
        let plain = quote == '"'
            && !inner.is_empty()
            && inner.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && inner
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if plain {
            res.push_str(inner);
        } else {
            res.push(quote);
            res.push_str(inner);
            if end < after.len() {
                res.push(quote);
            }
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    res.push_str(rest);
    res
}

enum StandardBody<'a> {
    Return(&'a str),
    Atomic,
}

fn standard_body_kind(body: &str) -> Option<StandardBody<'_>> {
    let body = body.trim_start();
    let mut words = body.split_whitespace();
    let first = words.next()?;
    if first.eq_ignore_ascii_case("RETURN") {
        return Some(StandardBody::Return(body[first.len()..].trim()));
    }
    let second = words.next()?;
    (first.eq_ignore_ascii_case("BEGIN") && second.eq_ignore_ascii_case("ATOMIC"))
        .then_some(StandardBody::Atomic)
}

/// A `COST` / `ROWS` value as a number.
fn declared_number(text: Option<&str>) -> Option<f64> {
    text.and_then(|text| text.trim().parse::<f64>().ok())
}

/// The options sorted by name, for comparisons where the order does not
/// count.
fn sorted_config(config: &[(String, String)]) -> Vec<&(String, String)> {
    let mut res: Vec<&(String, String)> = config.iter().collect();
    res.sort();
    res
}

impl PartialEq for Function {
    fn eq(&self, other: &Function) -> bool {
        let Function {
            id,
            procedure,
            args,
            returns,
            language,
            body: _,
            volatility,
            strict,
            security_definer,
            parallel,
            config,
            cost: _,
            rows: _,
            comment,
            meta,
            aggregate,
        } = self;
        *id == other.id
            && *procedure == other.procedure
            && *args == other.args
            && *returns == other.returns
            && *language == other.language
            && self.body_key() == other.body_key()
            && *volatility == other.volatility
            && *strict == other.strict
            && *security_definer == other.security_definer
            && *parallel == other.parallel
            && sorted_config(config) == sorted_config(&other.config)
            && self.cost() == other.cost()
            && self.rows() == other.rows()
            && *comment == other.comment
            && *meta == other.meta
            && *aggregate == other.aggregate
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionArg {
    pub mode: ArgMode,
    pub name: Option<Ident>,
    pub ty: TypeName,
    pub default: Option<SqlExpr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ArgMode {
    #[default]
    In,
    Out,
    InOut,
    Variadic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Volatility {
    Immutable,
    Stable,
    #[default]
    Volatile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Parallel {
    #[default]
    Unsafe,
    Restricted,
    Safe,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function(language: &str, body: &str) -> Function {
        Function {
            id: FunctionId {
                name: QualifiedName::new("app", "f"),
                arg_types: Vec::new(),
            },
            procedure: false,
            args: Vec::new(),
            returns: Some("integer".to_string()),
            language: language.to_string(),
            body: body.to_string(),
            volatility: Volatility::Immutable,
            strict: false,
            security_definer: false,
            parallel: Parallel::Unsafe,
            config: Vec::new(),
            cost: None,
            rows: None,
            comment: None,
            meta: Meta::default(),
            aggregate: None,
        }
    }

    #[test]
    fn standard_bodies_compare_by_their_canonical_form() {
        let written = function("sql", "RETURN a * 2");
        assert!(written.has_standard_body());
        assert_eq!(written, function("sql", "RETURN (a * 2)"));
        assert_ne!(written, function("sql", "RETURN a * 3"));
        let atomic = function("sql", "BEGIN ATOMIC\n SELECT 1;\nEND");
        assert!(atomic.has_standard_body());
        assert_eq!(atomic, function("sql", "begin atomic select 1; end"));
        assert_ne!(atomic, function("sql", "BEGIN ATOMIC SELECT 2; END"));
        let quoted = function("sql", " select 1 ");
        assert!(!quoted.has_standard_body());
        assert_ne!(quoted, function("sql", "select 1"));
        assert!(!function("plpgsql", "BEGIN RETURN 1; END").has_standard_body());
        assert_eq!(
            function("sql", "RETURN COLLATION FOR (s) || 'a\"b\"'"),
            function("sql", "RETURN COLLATION FOR (\"s\") || 'a\"b\"'")
        );
        assert_ne!(
            function("sql", "RETURN COLLATION FOR (s)"),
            function("sql", "RETURN COLLATION FOR (\"S\")")
        );
    }
}
