//! Values of the generic row generator ([`super::seed`]): SQL expressions
//! of a given type for a row counter `k`, injective in `k` for every
//! supported type so UNIQUE and PRIMARY KEY constraints hold.

use schemac::model::QualifiedName;

/// `base` moved by `steps` units of its type (seconds, days or ones);
/// types without arithmetic keep `base` (rows then differ in other
/// columns).
pub fn with_offset(base: &str, ty: &str, steps: i64) -> String {
    if steps == 0 {
        return base.to_string();
    }
    match type_base(ty) {
        "timestamp with time zone" | "timestamp without time zone" => {
            format!("({base} + interval '{steps} seconds')::{ty}")
        }
        "date" | "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" => {
            format!("({base} + ({steps}))::{ty}")
        }
        _ => base.to_string(),
    }
}

/// A type spelling without modifiers or array brackets.
pub fn type_base(ty: &str) -> &str {
    let ty = ty.trim_end_matches("[]");
    match ty.find('(') {
        Some(idx) => ty[..idx].trim_end(),
        None => ty,
    }
}

/// The length limit of `character varying(n)` / `character(n)`.
pub fn length_limit(ty: &str) -> Option<usize> {
    let open = ty.find('(')?;
    let close = ty[open..].find(')')? + open;
    ty[open + 1..close].trim().parse().ok()
}

pub fn same_type(name: &QualifiedName, ty: &str) -> bool {
    let unquoted = ty.replace('"', "");
    name.to_string() == ty || format!("{}.{}", name.schema.0, name.name.0) == unquoted
}

/// A value of a built-in type.
pub fn builtin_value(ty: &str, k: usize, column: &str) -> Result<String, String> {
    let literal = |text: String| Ok(format!("{}::{ty}", quote_literal(&text)));
    let timestamp = |zone: &str| {
        let minutes = k;
        format!(
            "2025-01-{:02} {:02}:{:02}:00{zone}",
            1 + (minutes / 1440) % 28,
            (minutes / 60) % 24,
            minutes % 60
        )
    };
    match type_base(ty) {
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" | "oid"
        | "money" => literal(k.to_string()),
        "text" | "character varying" | "citext" | "name" => literal(text_value(column, k, ty)),
        "character" => literal(text_value(column, k, ty)),
        "boolean" => literal((k % 2 == 1).to_string()),
        "uuid" => literal(format!("00000000-0000-4000-8000-{k:012}")),
        "timestamp with time zone" => literal(timestamp("+00")),
        "timestamp without time zone" => literal(timestamp("")),
        "date" => Ok(format!("('2025-01-01'::date + {k})::{ty}")),
        "time without time zone" => {
            Ok(format!("('00:00:00'::time + interval '{k} seconds')::{ty}"))
        }
        "time with time zone" => Ok(format!(
            "('00:00:00+00'::timetz + interval '{k} seconds')::{ty}"
        )),
        "interval" => literal(format!("{k} days")),
        "json" | "jsonb" => literal(format!("{{\"n\": {k}}}")),
        "bytea" => literal(format!("\\x{k:08x}")),
        "inet" => literal(format!(
            "10.{}.{}.{}",
            (k >> 16) & 255,
            (k >> 8) & 255,
            k & 255
        )),
        "cidr" => literal(format!(
            "10.{}.{}.{}/32",
            (k >> 16) & 255,
            (k >> 8) & 255,
            k & 255
        )),
        "xml" => literal(format!("<n>{k}</n>")),
        "tstzrange" => Ok(format!(
            "tstzrange('2025-01-01 00:00:00+00'::timestamptz + interval '{k} hours', \
             '2025-01-01 00:00:00+00'::timestamptz + interval '{} hours')",
            k + 1
        )),
        "tsrange" => Ok(format!(
            "tsrange('2025-01-01'::timestamp + interval '{k} hours', \
             '2025-01-01'::timestamp + interval '{} hours')",
            k + 1
        )),
        "daterange" => Ok(format!(
            "daterange('2025-01-01'::date + {k}, '2025-01-01'::date + {})",
            k + 1
        )),
        "int4range" | "int8range" | "numrange" => Ok(format!("{}({k}, {})", type_base(ty), k + 1)),
        other => Err(format!(
            "no generic value for type `{other}` (column {column}); write seed.sql"
        )),
    }
}

/// `<column>-<k>`, cut to the type's length limit keeping `k` whole.
pub fn text_value(column: &str, k: usize, ty: &str) -> String {
    let suffix = k.to_string();
    let limit = match (type_base(ty), length_limit(ty)) {
        (_, Some(limit)) => Some(limit),
        // `character` without a length is character(1).
        ("character", None) => Some(1),
        _ => None,
    };
    match limit {
        Some(limit) if limit <= suffix.len() => suffix[suffix.len() - limit..].to_string(),
        Some(limit) => {
            let room = limit - suffix.len();
            let prefix: String = format!("{column}-").chars().take(room).collect();
            format!("{prefix}{suffix}")
        }
        None => format!("{column}-{suffix}"),
    }
}

/// A JSON value read back with `row_to_json`, as an SQL expression of
/// type `ty`.
pub fn json_to_sql(value: &serde_json::Value, ty: &str) -> String {
    match value {
        serde_json::Value::Null => "NULL".to_string(),
        serde_json::Value::String(text) => format!("{}::{ty}", quote_literal(text)),
        other => format!("{}::{ty}", quote_literal(&other.to_string())),
    }
}

pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_values_respect_length_limits() {
        assert_eq!(text_value("code", 3, "character(2)"), "c3");
        assert_eq!(text_value("code", 3, "character"), "3");
        assert_eq!(text_value("code", 12, "character varying(1)"), "2");
        assert_eq!(text_value("title", 7, "text"), "title-7");
        assert_eq!(text_value("title", 7, "character varying(4)"), "tit7");
    }

    #[test]
    fn builtin_values_differ_per_row() {
        for ty in [
            "integer",
            "numeric(12,2)",
            "text",
            "character(2)",
            "uuid",
            "timestamp with time zone",
            "date",
            "jsonb",
            "bytea",
            "tstzrange",
        ] {
            let one = builtin_value(ty, 1, "c").expect("supported");
            let two = builtin_value(ty, 2, "c").expect("supported");
            assert_ne!(one, two, "{ty}");
        }
        assert!(builtin_value("tsvector", 1, "c").is_err());
    }

    #[test]
    fn offsets_follow_the_type() {
        assert_eq!(
            with_offset("x", "timestamp with time zone", 2),
            "(x + interval '2 seconds')::timestamp with time zone"
        );
        assert_eq!(with_offset("x", "bigint", -1), "(x + (-1))::bigint");
        assert_eq!(with_offset("x", "text", 3), "x");
        assert_eq!(with_offset("x", "bigint", 0), "x");
    }
}
