//! Partition checks: the parent exists and is partitioned, each bound has
//! the parent's strategy and key arity, MINVALUE/MAXVALUE are placed as
//! PostgreSQL requires, ranges are not empty, and no two partitions of one
//! parent overlap (range, list, hash, default).
//!
//! Range overlap is only decided for numbers and ISO dates/timestamps
//! (after `frontend::resolve` they are in the catalog's form, which sorts
//! as text); text keys compare under a collation and are left alone.

use super::{span_of, unknown, TableCtx};
use crate::diagnostics::Diagnostic;
use crate::model::{BoundValue, Model, PartitionBound, PartitionStrategy, QualifiedName, Table};
use std::cmp::Ordering;
use std::collections::BTreeMap;

pub(super) fn check_partition(ctx: &TableCtx<'_>, out: &mut Vec<Diagnostic>) {
    check_key(ctx, out);
    let Some(partition_of) = &ctx.table.partition_of else {
        return;
    };
    let span = ctx.table_span();
    let name = &ctx.table.name;
    let Some(parent) = ctx.model.tables.get(&partition_of.parent) else {
        if !ctx.model.is_external(&partition_of.parent) {
            out.push(
                unknown(
                    span,
                    format!(
                        "partition {name} belongs to table {}, which is not declared",
                        partition_of.parent
                    ),
                )
                .with_label(format!("unknown table {}", partition_of.parent))
                .with_help("declare the partitioned parent table"),
            );
        }
        return;
    };
    let parent_span = span_of(&parent.meta).unwrap_or_default();
    let Some(partition_by) = &parent.partition_by else {
        out.push(
            Diagnostic::error(
                "partition-of-non-partitioned",
                span,
                format!(
                    "{name} is a partition of {}, which is not partitioned",
                    parent.name
                ),
            )
            .with_label("parent has no PARTITION BY")
            .with_secondary(parent_span, "parent declared here")
            .with_help("add `partition by` to the parent table"),
        );
        return;
    };
    let mismatch = |message: String, label: &str, help: &str| {
        Diagnostic::error("partition-bound-mismatch", span, message)
            .with_label(label.to_string())
            .with_secondary(parent_span, "parent declared here")
            .with_help(help.to_string())
    };
    let strategy = partition_by.strategy;
    let arity = partition_by.key.len();
    match (&partition_of.bound, strategy) {
        (PartitionBound::Default, PartitionStrategy::Hash) => out.push(mismatch(
            format!(
                "partition {name} is a default partition of hash-partitioned {}",
                parent.name
            ),
            "hash partitioning has no default partition",
            "use `for values with (modulus m, remainder r)`",
        )),
        (PartitionBound::Default, _) => {}
        (PartitionBound::Range { from, to }, PartitionStrategy::Range) => {
            if from.len() != arity || to.len() != arity {
                out.push(mismatch(
                    format!(
                        "partition {name} has bounds of {} and {} values, but the key of {} has {arity} columns",
                        from.len(),
                        to.len(),
                        parent.name
                    ),
                    "wrong number of bound values",
                    "give one value per key column in both FROM and TO",
                ));
                return;
            }
            for (values, side) in [(from, "FROM"), (to, "TO")] {
                if let Some(problem) = placement_problem(values) {
                    out.push(mismatch(
                        format!("partition {name}: {problem} in its {side} bound"),
                        "misplaced MINVALUE/MAXVALUE or NULL",
                        "after MINVALUE only MINVALUE may follow, after MAXVALUE only MAXVALUE; NULL is not allowed in range bounds",
                    ));
                    return;
                }
            }
            if let (Some(low), Some(high)) = (comparable(from), comparable(to)) {
                if compare_tuples(&low, &high) != Ordering::Less {
                    out.push(mismatch(
                        format!("partition {name} has an empty range: its FROM bound is not below its TO bound"),
                        "empty range",
                        "make the TO bound greater than the FROM bound",
                    ));
                }
            }
        }
        (PartitionBound::List(values), PartitionStrategy::List) => {
            if values
                .iter()
                .any(|value| matches!(value, BoundValue::MinValue | BoundValue::MaxValue))
            {
                out.push(mismatch(
                    format!("partition {name} lists MINVALUE or MAXVALUE"),
                    "not a list value",
                    "list only values of the key column",
                ));
            }
        }
        (PartitionBound::Hash { modulus, remainder }, PartitionStrategy::Hash) => {
            if *modulus == 0 || remainder >= modulus {
                out.push(mismatch(
                    format!("partition {name} has remainder {remainder} for modulus {modulus}"),
                    "remainder must be below a positive modulus",
                    "use 0 <= remainder < modulus",
                ));
            }
        }
        (bound, strategy) => out.push(mismatch(
            format!(
                "partition {name} has a {} bound, but {} is partitioned by {}",
                bound_kind(bound),
                parent.name,
                strategy.as_sql().to_lowercase()
            ),
            "bound does not match the partitioning strategy",
            "write the bound the parent's strategy expects",
        )),
    }
}

/// The parent's key: list partitioning takes one column; key columns exist.
fn check_key(ctx: &TableCtx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(partition_by) = &ctx.table.partition_by else {
        return;
    };
    let span = ctx.table_span();
    if partition_by.strategy == PartitionStrategy::List && partition_by.key.len() != 1 {
        out.push(
            Diagnostic::error(
                "partition-bound-mismatch",
                span,
                format!(
                    "table {} is list-partitioned by {} columns",
                    ctx.table.name,
                    partition_by.key.len()
                ),
            )
            .with_label("list partitioning takes exactly one key column")
            .with_help("partition by range or hash for several columns"),
        );
    }
    for key in &partition_by.key {
        super::check_expr_columns(ctx, key, span, "the partition key", out);
    }
}

fn bound_kind(bound: &PartitionBound) -> &'static str {
    match bound {
        PartitionBound::Range { .. } => "range",
        PartitionBound::List(_) => "list",
        PartitionBound::Hash { .. } => "hash",
        PartitionBound::Default => "default",
    }
}

fn placement_problem(values: &[BoundValue]) -> Option<String> {
    let mut seen: Option<&BoundValue> = None;
    for value in values {
        match (seen, value) {
            (_, BoundValue::Null) => return Some("NULL".to_string()),
            (Some(BoundValue::MinValue), BoundValue::MinValue)
            | (Some(BoundValue::MaxValue), BoundValue::MaxValue) => {}
            (Some(BoundValue::MinValue), _) => return Some("a value follows MINVALUE".to_string()),
            (Some(BoundValue::MaxValue), _) => return Some("a value follows MAXVALUE".to_string()),
            (_, BoundValue::MinValue | BoundValue::MaxValue) => seen = Some(value),
            _ => {}
        }
    }
    None
}

/// A bound value that can be ordered offline.
#[derive(Debug, Clone, PartialEq)]
enum Key {
    Min,
    Number(f64),
    Text(String),
    Max,
}

fn comparable(values: &[BoundValue]) -> Option<Vec<Key>> {
    values
        .iter()
        .map(|value| match value {
            BoundValue::MinValue => Some(Key::Min),
            BoundValue::MaxValue => Some(Key::Max),
            BoundValue::Null => None,
            BoundValue::Literal(literal) => literal_key(&literal.canonical),
        })
        .collect()
}

fn literal_key(canonical: &str) -> Option<Key> {
    let unquoted = canonical
        .strip_prefix('\'')
        .and_then(|rest| rest.strip_suffix('\''));
    let text = unquoted.unwrap_or(canonical);
    if let Ok(number) = text.parse::<f64>() {
        return number.is_finite().then_some(Key::Number(number));
    }
    let iso = unquoted.is_some()
        && text.len() >= 10
        && text.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && text.as_bytes()[4] == b'-';
    iso.then(|| Key::Text(text.to_string()))
}

fn compare_keys(a: &Key, b: &Key) -> Option<Ordering> {
    match (a, b) {
        (Key::Min, Key::Min) | (Key::Max, Key::Max) => Some(Ordering::Equal),
        (Key::Min, _) | (_, Key::Max) => Some(Ordering::Less),
        (_, Key::Min) | (Key::Max, _) => Some(Ordering::Greater),
        (Key::Number(a), Key::Number(b)) => a.partial_cmp(b),
        (Key::Text(a), Key::Text(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// Lexicographic order; incomparable elements count as equal, which only
/// makes overlap detection more conservative through `comparable_pair`.
fn compare_tuples(a: &[Key], b: &[Key]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        match compare_keys(x, y).unwrap_or(Ordering::Equal) {
            Ordering::Equal => continue,
            other => return other,
        }
    }
    a.len().cmp(&b.len())
}

/// True when every element pair can be ordered (no number vs text).
fn comparable_pair(a: &[Key], b: &[Key]) -> bool {
    a.iter().zip(b).all(|(x, y)| compare_keys(x, y).is_some())
}

pub(super) fn check_overlaps(model: &Model, out: &mut Vec<Diagnostic>) {
    let mut by_parent: BTreeMap<&QualifiedName, (usize, Vec<&Table>)> = BTreeMap::new();
    for table in model.tables.values() {
        if let Some(of) = &table.partition_of {
            let arity = model
                .tables
                .get(&of.parent)
                .and_then(|parent| parent.partition_by.as_ref())
                .map(|partition_by| partition_by.key.len());
            if let Some(arity) = arity {
                by_parent
                    .entry(&of.parent)
                    .or_insert((arity, Vec::new()))
                    .1
                    .push(table);
            }
        }
    }
    for (arity, partitions) in by_parent.values() {
        check_siblings(*arity, partitions, out);
    }
}

fn overlap(table: &Table, other: &Table, what: &str) -> Diagnostic {
    let span = span_of(&table.meta).unwrap_or_default();
    let mut diagnostic = Diagnostic::error(
        "partition-overlap",
        span,
        format!(
            "partition {} overlaps partition {}: {what}",
            table.name, other.name
        ),
    )
    .with_label("overlapping bound")
    .with_help("partitions of one table must not share values; change one of the bounds");
    if let Some(other_span) = span_of(&other.meta) {
        diagnostic = diagnostic.with_secondary(other_span, "overlapping partition declared here");
    }
    diagnostic
}

/// Overlaps among the partitions of one parent whose key has `arity`
/// columns; bounds that are wrong on their own (reported by
/// [`check_partition`]) are skipped.
fn check_siblings(arity: usize, partitions: &[&Table], out: &mut Vec<Diagnostic>) {
    let mut default: Option<&Table> = None;
    let mut list_values: Vec<(&BoundValue, &Table)> = Vec::new();
    let mut ranges: Vec<(Vec<Key>, Vec<Key>, &Table)> = Vec::new();
    let mut hashes: Vec<(u32, u32, &Table)> = Vec::new();
    for table in partitions {
        let Some(of) = &table.partition_of else {
            continue;
        };
        match &of.bound {
            PartitionBound::Default => match default {
                Some(first) => out.push(overlap(table, first, "both are the default partition")),
                None => default = Some(table),
            },
            PartitionBound::List(values) => {
                for value in values {
                    match list_values.iter().find(|(seen, _)| *seen == value) {
                        Some((_, first)) if first.name != table.name => {
                            let shown = match value {
                                BoundValue::Literal(literal) => literal.sql.clone(),
                                BoundValue::Null => "NULL".to_string(),
                                BoundValue::MinValue => "MINVALUE".to_string(),
                                BoundValue::MaxValue => "MAXVALUE".to_string(),
                            };
                            out.push(overlap(table, first, &format!("both list {shown}")));
                        }
                        Some(_) => {}
                        None => list_values.push((value, table)),
                    }
                }
            }
            PartitionBound::Range { from, to } => {
                let well_formed = from.len() == arity
                    && to.len() == arity
                    && placement_problem(from).is_none()
                    && placement_problem(to).is_none();
                if !well_formed {
                    continue;
                }
                if let (Some(from), Some(to)) = (comparable(from), comparable(to)) {
                    let clash = ranges.iter().find(|(other_from, other_to, _)| {
                        comparable_pair(&from, other_to)
                            && comparable_pair(other_from, &to)
                            && compare_tuples(&from, other_to) == Ordering::Less
                            && compare_tuples(other_from, &to) == Ordering::Less
                    });
                    if let Some((_, _, other)) = clash {
                        out.push(overlap(table, other, "their ranges intersect"));
                    }
                    ranges.push((from, to, table));
                }
            }
            PartitionBound::Hash { modulus, remainder } => {
                if *modulus > 0 && remainder < modulus {
                    check_hash(table, *modulus, *remainder, &hashes, out);
                    hashes.push((*modulus, *remainder, table));
                }
            }
        }
    }
}

/// PostgreSQL requires each modulus to divide the next larger one; two
/// partitions overlap when their remainders agree modulo the smaller one.
fn check_hash(
    table: &Table,
    modulus: u32,
    remainder: u32,
    seen: &[(u32, u32, &Table)],
    out: &mut Vec<Diagnostic>,
) {
    for (other_modulus, other_remainder, other) in seen {
        let (small, small_rem, large, large_rem) = if *other_modulus <= modulus {
            (*other_modulus, *other_remainder, modulus, remainder)
        } else {
            (modulus, remainder, *other_modulus, *other_remainder)
        };
        if large % small != 0 {
            let span = span_of(&table.meta).unwrap_or_default();
            out.push(
                Diagnostic::error(
                    "partition-bound-mismatch",
                    span,
                    format!(
                        "partition {} has modulus {modulus}, which does not divide or is not divided by the modulus {other_modulus} of partition {}",
                        table.name, other.name
                    ),
                )
                .with_label("incompatible modulus")
                .with_help("every modulus must be a factor of the next larger one"),
            );
            return;
        }
        if large_rem % small == small_rem {
            out.push(overlap(
                table,
                other,
                &format!("hash (modulus {modulus}, remainder {remainder}) shares rows with (modulus {other_modulus}, remainder {other_remainder})"),
            ));
            return;
        }
    }
}

/// Used by tests and messages: the bound literal of `sql` as stored.
#[cfg(test)]
pub(super) fn literal(sql: &str) -> BoundValue {
    BoundValue::Literal(crate::model::normalize::expr(sql).expect("test literal parses"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::normalize;
    use crate::source::Span;

    #[test]
    fn keys_order() {
        let key = |sql: &str| literal_key(&normalize::expr(sql).expect("parses").canonical);
        assert_eq!(key("100"), Some(Key::Number(100.0)));
        assert_eq!(key("'-100'"), Some(Key::Number(-100.0)));
        assert_eq!(
            key("'2025-01-01 00:00:00+00'"),
            Some(Key::Text("2025-01-01 00:00:00+00".into()))
        );
        assert_eq!(key("'eu'"), None);
        let low = vec![Key::Number(1.0), Key::Min];
        let high = vec![Key::Number(1.0), Key::Number(5.0)];
        assert_eq!(compare_tuples(&low, &high), Ordering::Less);
        assert_eq!(
            compare_tuples(&[Key::Max], &[Key::Number(1e9)]),
            Ordering::Greater
        );
    }

    #[test]
    fn placement() {
        let lit = || literal("1");
        assert_eq!(placement_problem(&[lit(), BoundValue::MinValue]), None);
        assert_eq!(
            placement_problem(&[BoundValue::MinValue, BoundValue::MinValue]),
            None
        );
        assert!(placement_problem(&[BoundValue::MinValue, lit()]).is_some());
        assert!(placement_problem(&[BoundValue::MaxValue, BoundValue::MinValue]).is_some());
        assert!(placement_problem(&[BoundValue::Null]).is_some());
    }

    #[test]
    fn spans_default_when_missing() {
        let table = Table::new(QualifiedName::public("p"));
        let diagnostic = overlap(&table, &table, "x");
        assert_eq!(diagnostic.primary.span, Span::default());
        assert!(diagnostic.secondary.is_empty());
    }
}
