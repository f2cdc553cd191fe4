//! Partition-bound literals in the form `pg_get_expr(relpartbound)` prints
//! them for the key's type (PostgreSQL 15, `get_const_expr` with
//! `showtype = -1`, TimeZone pinned to UTC):
//!
//! | key type | written | catalog |
//! |---|---|---|
//! | `timestamp with time zone` | `'2025-01-01'`, `'2025-01-01T02:00+02'` | `'2025-01-01 00:00:00+00'` |
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

use super::expr::{canonical_text, parse};
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
    let stamp = parse_timestamp(text)?.to_utc();
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
            let stamp = parse_timestamp(&text)?.to_utc();
            Some(quote(&format!(
                "{} {}+00",
                stamp.date_string(),
                stamp.time_string()
            )))
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

/// A date and time with an optional UTC offset in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Timestamp {
    days: i64,
    /// Microseconds since midnight.
    micros: i64,
    offset_seconds: Option<i64>,
}

impl Timestamp {
    fn to_utc(self) -> Timestamp {
        let offset = self.offset_seconds.unwrap_or(0);
        let total = self.days * 86_400_000_000 + self.micros - offset * 1_000_000;
        Timestamp {
            days: total.div_euclid(86_400_000_000),
            micros: total.rem_euclid(86_400_000_000),
            offset_seconds: Some(0),
        }
    }

    fn date_string(&self) -> String {
        let (year, month, day) = civil_from_days(self.days);
        format!("{year:04}-{month:02}-{day:02}")
    }

    fn time_string(&self) -> String {
        let seconds = self.micros / 1_000_000;
        let fraction = self.micros % 1_000_000;
        let mut res = format!(
            "{:02}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        );
        if fraction > 0 {
            let digits = format!("{fraction:06}");
            res.push('.');
            res.push_str(digits.trim_end_matches('0'));
        }
        res
    }
}

/// `YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]][Z|±HH[[:]MM]]`.
fn parse_timestamp(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    let (date, rest) = text.split_at(text.find([' ', 'T']).unwrap_or(text.len()));
    let mut date_parts = date.splitn(3, '-');
    let year: i64 = date_parts.next()?.parse().ok()?;
    let month: u32 = date_parts.next()?.parse().ok()?;
    let day: u32 = date_parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let rest = rest.trim_start_matches([' ', 'T']).trim();
    if rest.is_empty() {
        return Some(Timestamp {
            days,
            micros: 0,
            offset_seconds: None,
        });
    }
    let zone_start = rest.find(['+', '-', 'Z', 'z']).unwrap_or(rest.len());
    let (time, zone) = rest.split_at(zone_start);
    let micros = parse_time(time.trim())?;
    let offset_seconds = parse_offset(zone.trim())?;
    Some(Timestamp {
        days,
        micros,
        offset_seconds,
    })
}

fn parse_time(text: &str) -> Option<i64> {
    let mut parts = text.splitn(3, ':');
    let hours: i64 = parts.next()?.parse().ok()?;
    let minutes: i64 = parts.next()?.parse().ok()?;
    let (seconds, fraction) = match parts.next() {
        Some(seconds) => match seconds.split_once('.') {
            Some((whole, fraction)) => (whole.parse::<i64>().ok()?, fraction),
            None => (seconds.parse::<i64>().ok()?, ""),
        },
        None => (0, ""),
    };
    if hours > 24 || minutes > 59 || seconds > 60 || fraction.len() > 6 {
        return None;
    }
    if !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let fraction_micros: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<6}").parse().ok()?
    };
    Some(((hours * 60 + minutes) * 60 + seconds) * 1_000_000 + fraction_micros)
}

/// `None` for no zone; `Some(None)`-like failure is `None` overall, so the
/// result is wrapped: `Some(None)` means "no offset given".
fn parse_offset(text: &str) -> Option<Option<i64>> {
    if text.is_empty() {
        return Some(None);
    }
    if text.eq_ignore_ascii_case("z") {
        return Some(Some(0));
    }
    let (sign, digits) = match text.split_at(1) {
        ("+", rest) => (1, rest),
        ("-", rest) => (-1, rest),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes) = match digits.len() {
        1 | 2 => (digits.parse::<i64>().ok()?, 0),
        4 => (
            digits[..2].parse::<i64>().ok()?,
            digits[2..].parse::<i64>().ok()?,
        ),
        _ => return None,
    };
    Some(Some(sign * (hours * 3600 + minutes * 60)))
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
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
        check("'2025-01-01'", tz, "'2025-01-01 00:00:00+00'");
        check("'2025-01-01 00:00:00+00'", tz, "'2025-01-01 00:00:00+00'");
        check("'2025-02-01 00:00:00+02'", tz, "'2025-01-31 22:00:00+00'");
        check(
            "'2025-01-01T05:30:00-03:30'",
            tz,
            "'2025-01-01 09:00:00+00'",
        );
        check("'2024-12-31 23:59:59.5Z'", tz, "'2024-12-31 23:59:59.5+00'");
        check("timestamptz '2025-03-01'", tz, "'2025-03-01 00:00:00+00'");
        check("'2024-03-01 01:00+0130'", tz, "'2024-02-29 23:30:00+00'");
        check(
            "'2025-01-01'",
            "timestamp(3) with time zone",
            "'2025-01-01 00:00:00+00'",
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

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -1, 0, 1, 19_000, 20_089, 2_932_896] {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(20_089), (2025, 1, 1));
    }
}
