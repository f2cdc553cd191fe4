//! Partition keys (`pg_get_partkeydef`) and bounds
//! (`pg_get_expr(relpartbound)`) read back into the Model.
//!
//! Invariant: bound literals are kept exactly as the catalog prints them
//! for the key's type (timestamptz in UTC, as the session pins TimeZone),
//! which is the form [`BoundValue::Literal`] documents.

use super::catalog_expr;
use super::sql::{find_top_level, parenthesised_at, split_top_level};
use crate::model::{BoundValue, PartitionBound, PartitionBy, PartitionStrategy};

/// `RANGE (a, lower(b))` -> strategy and key expressions.
pub(crate) fn parse_partition_key(text: &str) -> Option<PartitionBy> {
    let text = text.trim();
    let (word, rest) = text.split_once(' ')?;
    let strategy = match word.to_ascii_uppercase().as_str() {
        "RANGE" => PartitionStrategy::Range,
        "LIST" => PartitionStrategy::List,
        "HASH" => PartitionStrategy::Hash,
        _ => return None,
    };
    let rest = rest.trim();
    let inner = parenthesised_at(rest, 0)?;
    let key = split_top_level(inner)
        .iter()
        .map(|part| catalog_expr(part))
        .collect::<Vec<_>>();
    if key.is_empty() {
        return None;
    }
    Some(PartitionBy { strategy, key })
}

/// `FOR VALUES FROM (..) TO (..)`, `FOR VALUES IN (..)`,
/// `FOR VALUES WITH (modulus m, remainder r)` or `DEFAULT`.
pub(crate) fn parse_partition_bound(text: &str) -> Option<PartitionBound> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("DEFAULT") {
        return Some(PartitionBound::Default);
    }
    let rest = strip_prefix_ci(text, "FOR VALUES ")?.trim_start();
    if let Some(list) = strip_prefix_ci(rest, "IN ") {
        let list = list.trim_start();
        return Some(PartitionBound::List(bound_values(parenthesised_at(
            list, 0,
        )?)));
    }
    if let Some(range) = strip_prefix_ci(rest, "FROM ") {
        let range = range.trim_start();
        let from = parenthesised_at(range, 0)?;
        let to_at = find_top_level(range, " TO (")?;
        let to = parenthesised_at(range, to_at + 4)?;
        return Some(PartitionBound::Range {
            from: bound_values(from),
            to: bound_values(to),
        });
    }
    if let Some(hash) = strip_prefix_ci(rest, "WITH ") {
        let hash = hash.trim_start();
        let mut modulus = None;
        let mut remainder = None;
        for part in split_top_level(parenthesised_at(hash, 0)?) {
            let (name, value) = part.split_once(' ')?;
            let value: u32 = value.trim().parse().ok()?;
            match name.to_ascii_lowercase().as_str() {
                "modulus" => modulus = Some(value),
                "remainder" => remainder = Some(value),
                _ => return None,
            }
        }
        return Some(PartitionBound::Hash {
            modulus: modulus?,
            remainder: remainder?,
        });
    }
    None
}

fn bound_values(list: &str) -> Vec<BoundValue> {
    split_top_level(list)
        .iter()
        .map(|value| match value.to_ascii_uppercase().as_str() {
            "MINVALUE" => BoundValue::MinValue,
            "MAXVALUE" => BoundValue::MaxValue,
            "NULL" => BoundValue::Null,
            _ => BoundValue::Literal(catalog_expr(value)),
        })
        .collect()
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal_sql(value: &BoundValue) -> String {
        match value {
            BoundValue::MinValue => "MINVALUE".into(),
            BoundValue::MaxValue => "MAXVALUE".into(),
            BoundValue::Null => "NULL".into(),
            BoundValue::Literal(expr) => expr.sql.clone(),
        }
    }

    #[test]
    fn reads_partition_keys() {
        let key = parse_partition_key("RANGE (a, lower(b), c)").expect("key");
        assert_eq!(key.strategy, PartitionStrategy::Range);
        let sql: Vec<_> = key.key.iter().map(|expr| expr.sql.clone()).collect();
        assert_eq!(sql, vec!["a", "lower(b)", "c"]);
        assert_eq!(
            parse_partition_key("HASH (id)").map(|key| key.strategy),
            Some(PartitionStrategy::Hash)
        );
        assert!(parse_partition_key("WEIRD (x)").is_none());
        assert!(parse_partition_key("LIST").is_none());
        assert!(parse_partition_key("LIST ()").is_none());
    }

    #[test]
    fn reads_range_bounds() {
        let bound = parse_partition_bound(
            "FOR VALUES FROM ('2025-01-01 00:00:00+00', MINVALUE) TO ('2026-01-01 00:00:00+00', MAXVALUE)",
        )
        .expect("range");
        let PartitionBound::Range { from, to } = bound else {
            panic!("expected a range bound, got {bound:?}");
        };
        let from: Vec<_> = from.iter().map(literal_sql).collect();
        let to: Vec<_> = to.iter().map(literal_sql).collect();
        assert_eq!(from, vec!["'2025-01-01 00:00:00+00'", "MINVALUE"]);
        assert_eq!(to, vec!["'2026-01-01 00:00:00+00'", "MAXVALUE"]);
    }

    #[test]
    fn reads_list_hash_and_default_bounds() {
        let Some(PartitionBound::List(values)) =
            parse_partition_bound("FOR VALUES IN (NULL, 'a, b', 'it''s')")
        else {
            panic!("expected a list bound");
        };
        let values: Vec<_> = values.iter().map(literal_sql).collect();
        assert_eq!(values, vec!["NULL", "'a, b'", "'it''s'"]);
        assert_eq!(
            parse_partition_bound("FOR VALUES WITH (modulus 4, remainder 3)"),
            Some(PartitionBound::Hash {
                modulus: 4,
                remainder: 3
            })
        );
        assert_eq!(
            parse_partition_bound("DEFAULT"),
            Some(PartitionBound::Default)
        );
        assert_eq!(
            parse_partition_bound("FOR VALUES WITH (modulus x, remainder 3)"),
            None
        );
        assert_eq!(parse_partition_bound("nonsense"), None);
        assert_eq!(parse_partition_bound(""), None);
    }
}
