//! The offline normaliser: spellings PostgreSQL treats as the same become
//! the same value, so a plan never contains a change that is only a
//! spelling difference. When a database is reachable, equality is decided
//! catalog against catalog (shadow database); this module is the best
//! effort used without one, and for everything the frontends store.
//!
//! API used by the frontends, the introspector and validation:
//! - [`type_name`]: user, sqlparser-`Display` or catalog spelling ->
//!   `format_type` spelling (details in `normalize/types.rs`).
//! - [`expr`], [`expr_from_ast`]: SQL expression -> [`SqlExpr`] whose
//!   `canonical` form is equal for the user's and the catalog's spelling.
//! - [`query`], [`query_from_ast`]: a view's SELECT, canonicalised the same
//!   way (every expression in it, folded relation names).
//! - [`drop_implicit_casts`]: over a whole Model, drops the casts the
//!   catalog adds around columns of domains and numeric columns promoted
//!   to the other operand's type (`normalize/casts.rs`).
//! - [`bound_literal`]: partition-bound literal in the catalog's form for
//!   the key type (`normalize/bound.rs`).
//! - [`default_constraint_name`], [`default_index_name`],
//!   [`default_check_name`], [`choose_object_name`], [`choose_unique_name`]:
//!   the names PostgreSQL chooses (`normalize/names.rs`).
//!
//! # Canonical expressions
//!
//! `canonical` is sqlparser's `Display` of the AST after these rewrites
//! (`normalize/expr.rs`), applied bottom-up:
//! - Redundant parentheses are dropped, then every operator node
//!   (binary/unary operators, `IS ...`, `ANY`/`ALL`, `AT TIME ZONE`,
//!   `COLLATE`) is parenthesised, except at the top; so precedence never
//!   depends on how the source was parenthesised (`a + b * c` and
//!   `(a + (b * c))` are equal, `(a + b) * c` is not).
//! - Unquoted identifiers fold to lower case; identifiers are quoted only
//!   when `quote_identifier` would (`"Foo"`, `"user"`); function names are
//!   lower-cased and lose a `pg_catalog.` or `public.` prefix.
//! - Casts of literals are dropped (`'a'::text`, `(0)::numeric`,
//!   `'pending'::public.order_status`, `'1 day'::interval`, typed literals
//!   such as `date '...'` and `interval '...'`), and a numeric string cast
//!   to a numeric type becomes a number (`'-1'::integer` == `-1`); a column
//!   cast to `text` loses the cast (the catalog adds it to varchar columns);
//!   other casts print `::` with the type in `format_type` spelling
//!   (`CAST(x AS int8)` == `x::bigint`).
//! - `x IN (a, b)` == `x = ANY (ARRAY[a, b])`, `NOT IN` == `<> ALL`, one
//!   element is a plain `=`/`<>`, elements that mention columns are split
//!   off as OR-ed (AND-ed) comparisons after the array, as
//!   `transformAExprIn` does.
//! - `BETWEEN` == `>= AND <=`; `NOT BETWEEN` == `< OR >`.
//! - `LIKE`/`ILIKE`/`NOT LIKE`/`NOT ILIKE` == `~~`/`~~*`/`!~~`/`!~~*`
//!   (with `ESCAPE e`: `like_escape(pattern, e)`); `SIMILAR TO` ==
//!   `~ similar_to_escape(pattern)`.
//! - `ROW(a, b) = ROW(1, 2)` == `a = 1 AND b = 2` (`<>`: OR of `<>`);
//!   other `ROW(...)` print as `(...)`.
//! - `OPERATOR(pg_catalog.+)` == `OPERATOR(public.+)` == `+`; `!=` ==
//!   `<>`; `-1` is one literal.
//! - `substring(x, 1, 3)` / `substr(...)` are plain function calls.
//! - String literals that read as ISO dates or timestamps are spelled as
//!   UTC timestamps (`'2020-01-01'` == `'2020-01-01 00:00:00+00'`), as the
//!   catalog prints them for timestamptz (a value without offset is taken
//!   as UTC, the TimeZone schemac pins); casts of literal arrays are
//!   dropped like casts of literals.
//! - `nextval('seq')` == `nextval('public.seq'::regclass)` (also currval,
//!   setval): the sequence name is folded and qualified with `public`.
//!
//! Not normalised (such expressions compare unequal offline; the shadow
//! database decides): implicit casts the catalog adds around non-literal
//! operands (`(a)::double precision ^ (2)::double precision`, varchar
//! columns cast to anything but text), subqueries (the catalog adds column
//! aliases and reformats them), `BETWEEN SYMMETRIC`, `trim(x)` vs
//! `TRIM(BOTH FROM x)`, array literals (`'{a}'` vs `ARRAY['a']`), `E'...'`
//! escapes, numeric literal spellings (`0.00` vs `0`), schema-qualified
//! column references in views, function names qualified with a schema
//! other than `public`, and anything sqlparser cannot parse. Known false
//! equalities: casts of literals are dropped whatever the target type, so
//! `'x'::date` and `'x'::timestamp` compare equal; a text column compared
//! with `'2020-01-01'` or with `'2020-01-01 00:00:00+00'` compares equal;
//! `public.f(x)` equals `f(x)` (and `OPERATOR(public.~)` equals `~`) even
//! when the search_path would resolve them elsewhere.

mod bound;
mod casts;
mod expr;
mod names;
mod types;
pub mod unproven;

pub use bound::{bound_literal, bound_literal_text, session_dependent_type};
pub use casts::drop_implicit_casts;
pub use expr::{
    canonicalize, expr, expr_columns, expr_from_ast, index_key_name, parse, query, query_from_ast,
    statement,
};
pub use names::{
    choose_object_name, choose_unique_name, clip_bytes, default_constraint_name,
    default_index_name, index_column_names, is_reserved_keyword, make_object_name, MAX_IDENT_BYTES,
};
pub use types::{extension_of_type, is_builtin_type, type_name, user_type_name};
pub use unproven::unproven_expressions;

use super::{Ident, QualifiedName, Sequence, SqlExpr, TypeName};
use std::cell::RefCell;
use std::collections::HashMap;

/// Entries a memo table keeps before it is emptied (bounds its memory).
const MEMO_CAPACITY: usize = 4096;

/// `compute(key)`, remembered in `memo`: a pure function of the text, so a
/// remembered value is the value.
fn memoized<T: Clone>(
    memo: &'static std::thread::LocalKey<RefCell<HashMap<String, T>>>,
    key: &str,
    compute: impl FnOnce(&str) -> T,
) -> T {
    if let Some(hit) = memo.with(|memo| memo.borrow().get(key).cloned()) {
        return hit;
    }
    let value = compute(key);
    memo.with(|memo| {
        let mut memo = memo.borrow_mut();
        if memo.len() >= MEMO_CAPACITY {
            memo.clear();
        }
        memo.insert(key.to_string(), value.clone());
    });
    value
}

/// An expression that sqlparser could not read. Line and column are
/// 1-based and relative to the expression text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub message: String,
    pub line: usize,
    pub col: usize,
}

/// PostgreSQL's default name for a CHECK constraint: `<table>_<col>_check`
/// when the expression mentions exactly one column, `<table>_check`
/// otherwise (`AddRelationNewConstraints`).
pub fn default_check_name(table: &Ident, check: &SqlExpr) -> Ident {
    let columns = expr_columns(check);
    if columns.len() == 1 {
        default_constraint_name(table, &columns, "check")
    } else {
        default_constraint_name(table, &[], "check")
    }
}

/// `serial` -> `integer`, `bigserial`/`serial8` -> `bigint`,
/// `smallserial`/`serial2` -> `smallint`; `None` for other types.
pub fn serial_type(spelling: &str) -> Option<TypeName> {
    match spelling.trim().to_lowercase().as_str() {
        "serial" | "serial4" => Some(TypeName::new("integer")),
        "bigserial" | "serial8" => Some(TypeName::new("bigint")),
        "smallserial" | "serial2" => Some(TypeName::new("smallint")),
        _ => None,
    }
}

/// What PostgreSQL makes of a serial column: the owned sequence
/// `<table>_<column>_seq` (named by `makeObjectName`, so cut to 63 bytes)
/// and the column default `nextval('<schema>.<sequence>'::regclass)`.
/// The column itself becomes `ty NOT NULL`.
pub fn serial_sequence(table: &QualifiedName, column: &Ident, ty: TypeName) -> (SqlExpr, Sequence) {
    let seq_name = table.with_name(Ident::new(make_object_name(
        table.name.as_str(),
        Some(column.as_str()),
        Some("seq"),
    )));
    let regclass = seq_name.to_string().replace('\'', "''");
    let default_sql = format!("nextval('{regclass}'::regclass)");
    let default = expr(&default_sql).unwrap_or_else(|_| SqlExpr::raw(default_sql));
    let sequence = Sequence {
        name: seq_name,
        options: super::SequenceOptions::defaults(ty, 1),
        owned_by: Some((table.clone(), column.clone())),
        comment: None,
        meta: super::Meta::default(),
    };
    (default, sequence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_names() {
        let name = |sql: &str| {
            let check = expr(sql).expect("parses");
            default_check_name(&Ident::new("ft"), &check).0
        };
        assert_eq!(name("x > 0"), "ft_x_check");
        assert_eq!(name("x > y"), "ft_check");
        assert_eq!(name("x > 0 AND x < 10"), "ft_x_check");
        assert_eq!(name("now() > '2020-01-01'"), "ft_check");
    }

    #[test]
    fn serial() {
        let table = QualifiedName::public("orders");
        let (default, sequence) =
            serial_sequence(&table, &Ident::new("id"), TypeName::new("bigint"));
        assert_eq!(default.sql, "nextval('public.orders_id_seq'::regclass)");
        assert_eq!(default, expr("nextval('orders_id_seq')").expect("parses"));
        assert_eq!(sequence.name, QualifiedName::public("orders_id_seq"));
        assert_eq!(sequence.options.max_value, i64::MAX);
        let long_table = QualifiedName::public("t".repeat(70));
        let (_, sequence) =
            serial_sequence(&long_table, &Ident::new("id"), TypeName::new("integer"));
        assert_eq!(sequence.name.name.0, format!("{}_id_seq", "t".repeat(56)));
        assert_eq!(serial_type("SERIAL"), Some(TypeName::new("integer")));
        assert_eq!(serial_type("text"), None);
    }
}
