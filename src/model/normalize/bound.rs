//! Partition-bound literals in the form `pg_get_expr(relpartbound)` prints
//! them for the key's type (PostgreSQL 15, `get_const_expr` with
//! `showtype = -1`, TimeZone pinned to UTC):
//!
//! | key type | written | catalog |
//! |---|---|---|
//! | `timestamp with time zone` | `'2025-01-01T02:00+02'` | `'2025-01-01 00:00:00+00'` |
//! | `timestamp with time zone`, no offset | `'2025-01-01'` | `'2025-01-01 00:00:00'` (see below) |
//! | `timestamp without time zone` | `'2025-01-01'` | `'2025-01-01 00:00:00'` |
//! | `date` | `'2025-01-01'::date` | `'2025-01-01'` |
//! | `integer` | `100`, `'100'`, `-5` | `100`, `'-5'` |
//! | `bigint`, `smallint` | `100` | `'100'` |
//! | `numeric` | `1`, `1.5` | `'1'`, `1.5` |
//! | `boolean` | `'t'`, `true` | `true` |
//! | anything else | `'eu'` | `'eu'` |
//!
//! A value that does not read as the key's type is left as written (the
//! server will reject it; validation reports what it can).
//!
//! A `timestamptz` value written without an offset is an instant only in a
//! TimeZone: it keeps no offset in its printed form, so the target server
//! (and the shadow database, which runs with the target's TimeZone and
//! DateStyle) reads it in the target's TimeZone, as psql would; offline,
//! without a server, its canonical form takes it as UTC. With a server,
//! `plan --db` compares the bounds the catalog stores, which the
//! introspector prints in UTC.

use super::expr::{canonical_text, parse};
use crate::calendar::parse_timestamp;
use crate::model::{SqlExpr, TypeName};
use sqlparser::ast::{Expr, UnaryOperator, Value};

/// Renders a partition-bound literal in the catalog's form for `key_type`.
pub fn bound_literal(value: &SqlExpr, key_type: &TypeName) -> SqlExpr {
    let Some(literal) = read_literal(value) else {
        return value.clone();
    };
    let rendered = match render(&literal, key_type) {
        Some(rendered) => rendered,
        None => return value.clone(),
    };
    let canonical = parse(&rendered)
        .map(canonical_text)
        .unwrap_or_else(|_| rendered.clone());
    SqlExpr {
        sql: rendered,
        canonical,
    }
}

/// The date and time key types whose literals the session reads
/// (`TimeZone`, `DateStyle`): `"date"`, `"timestamp"` or `"timestamptz"`.
pub fn session_dependent_type(key_type: &TypeName) -> Option<&'static str> {
    match without_modifiers(key_type.as_str()).as_str() {
        "date" => Some("date"),
        "timestamp without time zone" => Some("timestamp"),
        "timestamp with time zone" => Some("timestamptz"),
        _ => None,
    }
}

/// The text of a bound literal (`'2025-01-01'::date` -> `2025-01-01`).
pub fn bound_literal_text(value: &SqlExpr) -> Option<String> {
    match read_literal(value)? {
        Literal::Text(text) | Literal::Number(text) => Some(text),
        Literal::Bool(_) => None,
    }
}

/// The canonical spelling of a string literal that reads as an ISO date or
/// timestamp: `'2020-01-01'`, `'2020-01-01 00:00:00+00'` and
/// `'2020-01-01T02:00+02'` all become `2020-01-01 00:00:00+00` (a value
/// without offset is taken as UTC, the TimeZone schemac pins).
pub(super) fn canonical_datetime(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let iso = bytes.len() >= 10 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-';
    if !iso {
        return None;
    }
    timestamptz(text)
}

/// A timestamp as `timestamp with time zone` prints in UTC:
/// `2025-01-01 00:00:00+00`.
fn timestamptz(text: &str) -> Option<String> {
    let stamp = parse_timestamp(text)?.to_utc()?;
    Some(format!(
        "{} {}+00",
        stamp.date_string(),
        stamp.time_string()
    ))
}

/// A bound literal's value, casts and typed-literal prefixes removed.
#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Text(String),
    Number(String),
    Bool(bool),
}

fn read_literal(value: &SqlExpr) -> Option<Literal> {
    let ast = parse(&value.sql)
        .or_else(|_| parse(&value.canonical))
        .ok()?;
    literal_of(&ast)
}

fn literal_of(ast: &Expr) -> Option<Literal> {
    match ast {
        Expr::Nested(inner) | Expr::Cast { expr: inner, .. } => literal_of(inner),
        Expr::TypedString(typed) => literal_of(&Expr::Value(typed.value.clone())),
        Expr::Value(value) => match &value.value {
            Value::Number(text, _) => Some(Literal::Number(text.clone())),
            Value::SingleQuotedString(text) | Value::EscapedStringLiteral(text) => {
                Some(Literal::Text(text.clone()))
            }
            Value::Boolean(flag) => Some(Literal::Bool(*flag)),
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match literal_of(expr)? {
            Literal::Number(text) if !text.starts_with('-') => {
                Some(Literal::Number(format!("-{text}")))
            }
            _ => None,
        },
        _ => None,
    }
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn render(literal: &Literal, key_type: &TypeName) -> Option<String> {
    let text = match literal {
        Literal::Text(text) | Literal::Number(text) => text.trim().to_string(),
        Literal::Bool(flag) => flag.to_string(),
    };
    match without_modifiers(key_type.as_str()).as_str() {
        "integer" => {
            let number = parse_integer(&text)?;
            Some(if number < 0 {
                quote(&number.to_string())
            } else {
                number.to_string()
            })
        }
        "smallint" | "bigint" => Some(quote(&parse_integer(&text)?.to_string())),
        "numeric" => {
            let normalized = normalize_decimal(&text)?;
            let bare =
                normalized.starts_with(|c: char| c.is_ascii_digit()) && normalized.contains('.');
            Some(if bare { normalized } else { quote(&normalized) })
        }
        "boolean" => match text.to_lowercase().as_str() {
            "t" | "true" | "yes" | "y" | "on" | "1" => Some("true".into()),
            "f" | "false" | "no" | "n" | "off" | "0" => Some("false".into()),
            _ => None,
        },
        "date" => {
            let stamp = parse_timestamp(&text)?;
            Some(quote(&stamp.date_string()))
        }
        "timestamp without time zone" => {
            let stamp = parse_timestamp(&text)?;
            Some(quote(&format!(
                "{} {}",
                stamp.date_string(),
                stamp.time_string()
            )))
        }
        "timestamp with time zone" => {
            let stamp = parse_timestamp(&text)?;
            if stamp.offset_seconds.is_some() {
                Some(quote(&timestamptz(&text)?))
            } else {
                // Without an offset the value means what it means in the
                // target's TimeZone (as when the file runs in psql there):
                // printed without one, so the server that runs the plan (and
                // the shadow, which copies the target's TimeZone) reads it
                // that way; offline it compares as UTC (its canonical form).
                Some(quote(&format!(
                    "{} {}",
                    stamp.date_string(),
                    stamp.time_string()
                )))
            }
        }
        _ => match literal {
            Literal::Bool(flag) => Some(flag.to_string()),
            _ => Some(quote(&text)),
        },
    }
}

/// `timestamp(3) with time zone` -> `timestamp with time zone`.
fn without_modifiers(ty: &str) -> String {
    match (ty.find('('), ty.find(')')) {
        (Some(open), Some(close)) if open < close => {
            format!("{}{}", &ty[..open], &ty[close + 1..])
        }
        _ => ty.to_string(),
    }
}

fn parse_integer(text: &str) -> Option<i64> {
    text.parse::<i64>().ok()
}

/// `+1.50` -> `1.50`; `-0` stays; no exponent handling beyond validity.
fn normalize_decimal(text: &str) -> Option<String> {
    let body = text.strip_prefix('+').unwrap_or(text);
    let digits = body.strip_prefix('-').unwrap_or(body);
    let valid = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1
        && digits.chars().any(|c| c.is_ascii_digit());
    valid.then(|| body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::normalize::expr;

    fn check(input: &str, key_type: &str, expect: &str) {
        let value = expr(input).expect("test input parses");
        let got = bound_literal(&value, &TypeName::new(key_type));
        assert_eq!(got.sql, expect, "bound {input:?} for {key_type}");
        // The catalog's own form is a fixed point and compares equal.
        let catalog = expr(expect).expect("catalog form parses");
        assert_eq!(got, catalog);
        assert_eq!(
            bound_literal(&catalog, &TypeName::new(key_type)).sql,
            expect
        );
    }

    #[test]
    fn timestamps() {
        let tz = "timestamp with time zone";
        // No offset: read in the target's TimeZone, compared as UTC offline.
        check("'2025-01-01'", tz, "'2025-01-01 00:00:00'");
        assert_eq!(
            expr("'2025-01-01 00:00:00'").expect("parses"),
            expr("'2025-01-01 00:00:00+00'").expect("parses")
        );
        check("'2025-01-01 00:00:00+00'", tz, "'2025-01-01 00:00:00+00'");
        check("'2025-02-01 00:00:00+02'", tz, "'2025-01-31 22:00:00+00'");
        check(
            "'2025-01-01T05:30:00-03:30'",
            tz,
            "'2025-01-01 09:00:00+00'",
        );
        check("'2024-12-31 23:59:59.5Z'", tz, "'2024-12-31 23:59:59.5+00'");
        check("timestamptz '2025-03-01'", tz, "'2025-03-01 00:00:00'");
        check("'2024-03-01 01:00+0130'", tz, "'2024-02-29 23:30:00+00'");
        check(
            "'2025-01-01'",
            "timestamp(3) with time zone",
            "'2025-01-01 00:00:00'",
        );
        let plain = "timestamp without time zone";
        check("'2025-01-01'", plain, "'2025-01-01 00:00:00'");
        check("'2025-01-01 12:34'", plain, "'2025-01-01 12:34:00'");
        check("'2025-01-01'::date", "date", "'2025-01-01'");
        check("date '2025-01-01'", "date", "'2025-01-01'");
    }

    #[test]
    fn numbers() {
        check("100", "integer", "100");
        check("-100", "integer", "'-100'");
        check("'100'", "integer", "100");
        check("100", "bigint", "'100'");
        check("-100", "bigint", "'-100'");
        check("1", "smallint", "'1'");
        check("1", "numeric", "'1'");
        check("1.5", "numeric", "1.5");
        check("-1.5", "numeric", "'-1.5'");
    }

    #[test]
    fn others() {
        check("'eu'", "text", "'eu'");
        check("'eu'", "character varying(10)", "'eu'");
        check("'it''s'", "text", "'it''s'");
        check("'t'", "boolean", "true");
        check("false", "boolean", "false");
        check("'pending'", "public.order_status", "'pending'");
        check("1", "text", "'1'");
    }

    #[test]
    fn unreadable_values_are_kept() {
        let value = expr("'not a date'").expect("parses");
        let got = bound_literal(&value, &TypeName::new("date"));
        assert_eq!(got.sql, "'not a date'");
        let value = expr("'2025-02-30'").expect("parses");
        assert_eq!(
            bound_literal(&value, &TypeName::new("date")).sql,
            "'2025-02-30'"
        );
        let value = expr("now()").expect("parses");
        assert_eq!(bound_literal(&value, &TypeName::new("date")).sql, "now()");
    }
}
