//! Lowering of `partition by`, explicit partitions and generated ranges
//! (`every 1 month from '2025-01-01' to '2027-01-01'`).
//!
//! Invariants: generated partitions are named `NAME_pYYYY_MM` (month),
//! `NAME_pYYYY_MM_DD` (day, week), `NAME_pYYYY` (year) or `NAME_pN`
//! (integer keys); bound literals are kept as written (`'2025-01-01'`), a
//! later resolve pass normalises them to the key's type. At most
//! [`MAX_GENERATED`] partitions are generated per table.

use super::{ident, paren_parts, Cx};
use crate::diagnostics::Diagnostic;
use crate::frontend::dsl::parse::Rule;
use crate::frontend::dsl::tree::{child, children, has, string_value, Node};
use crate::model::*;

pub const MAX_GENERATED: usize = 10_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Day,
    Week,
    Month,
    Year,
}

impl Cx<'_> {
    pub(super) fn lower_partition_by(
        &mut self,
        parent: &QualifiedName,
        node: &Node<'_>,
    ) -> (PartitionBy, Vec<Table>) {
        let strategy = if has(node, Rule::kw_range) {
            PartitionStrategy::Range
        } else if has(node, Rule::kw_list) {
            PartitionStrategy::List
        } else {
            PartitionStrategy::Hash
        };
        let key = match child(node, Rule::paren_expr) {
            Some(paren) => paren_parts(self, &paren)
                .into_iter()
                .map(|(offset, part)| self.expr_text(&part, offset))
                .collect(),
            None => Vec::new(),
        };
        let partitions = match child(node, Rule::every) {
            Some(every) if strategy == PartitionStrategy::Range => self.lower_every(parent, &every),
            Some(every) => {
                self.error(
                    &every,
                    "`every` generates range partitions: use `partition by range (...)`",
                );
                Vec::new()
            }
            None => Vec::new(),
        };
        (PartitionBy { strategy, key }, partitions)
    }

    fn lower_every(&mut self, parent: &QualifiedName, every: &Node<'_>) -> Vec<Table> {
        let step = child(every, Rule::int)
            .and_then(|n| self.int(&n))
            .unwrap_or(0);
        if step <= 0 {
            self.error(every, "the step of `every` must be a positive number");
            return Vec::new();
        }
        let bounds = children(every, Rule::bound_literal);
        let (Some(from), Some(to)) = (bounds.first(), bounds.get(1)) else {
            return Vec::new();
        };
        let unit = child(every, Rule::every_unit).map(|unit| {
            let text = unit.as_str().to_lowercase();
            match text.trim_end_matches('s') {
                "day" => Unit::Day,
                "week" => Unit::Week,
                "month" => Unit::Month,
                _ => Unit::Year,
            }
        });
        let ranges = match unit {
            Some(unit) => self.date_ranges(every, from, to, step, unit),
            None => self.int_ranges(every, from, to, step),
        };
        ranges
            .into_iter()
            .map(|(suffix, lower, upper)| {
                let name =
                    parent.with_name(Ident::new(format!("{}_p{suffix}", parent.name.as_str())));
                let mut table = Table::new(name);
                table.partition_of = Some(PartitionOf {
                    parent: parent.clone(),
                    bound: PartitionBound::Range {
                        from: vec![bound_literal(lower)],
                        to: vec![bound_literal(upper)],
                    },
                });
                table.meta = Meta::at(self.span(every));
                table
            })
            .collect()
    }

    fn date_ranges(
        &mut self,
        every: &Node<'_>,
        from: &Node<'_>,
        to: &Node<'_>,
        step: i64,
        unit: Unit,
    ) -> Vec<(String, String, String)> {
        let (Some(start), Some(end)) = (self.date(from), self.date(to)) else {
            return Vec::new();
        };
        let mut res = Vec::new();
        let mut lower = start;
        while lower < end {
            if res.len() >= MAX_GENERATED {
                self.too_many(every);
                return Vec::new();
            }
            let upper = add(lower, step, unit);
            let suffix = match unit {
                Unit::Year => format!("{:04}", lower.0),
                Unit::Month => format!("{:04}_{:02}", lower.0, lower.1),
                Unit::Day | Unit::Week => format!("{:04}_{:02}_{:02}", lower.0, lower.1, lower.2),
            };
            let upper_text = format_date(upper.min(end));
            res.push((suffix, format_date(lower), upper_text));
            lower = upper;
        }
        res
    }

    fn int_ranges(
        &mut self,
        every: &Node<'_>,
        from: &Node<'_>,
        to: &Node<'_>,
        step: i64,
    ) -> Vec<(String, String, String)> {
        let (Some(start), Some(end)) = (self.bound_int(from), self.bound_int(to)) else {
            return Vec::new();
        };
        let mut res = Vec::new();
        let mut lower = start;
        while lower < end {
            if res.len() >= MAX_GENERATED {
                self.too_many(every);
                return Vec::new();
            }
            let upper = lower.saturating_add(step).min(end);
            let suffix = if lower < 0 {
                format!("m{}", lower.unsigned_abs())
            } else {
                lower.to_string()
            };
            res.push((suffix, lower.to_string(), upper.to_string()));
            lower = upper;
        }
        res
    }

    fn too_many(&mut self, every: &Node<'_>) {
        let span = self.span(every);
        self.diagnostics.push(
            Diagnostic::error(
                "syntax-error",
                span,
                format!("`every` would generate more than {MAX_GENERATED} partitions"),
            )
            .with_help("use a larger step or a shorter range"),
        );
    }

    fn date(&mut self, node: &Node<'_>) -> Option<(i64, u32, u32)> {
        let parsed =
            child(node, Rule::sq_string).and_then(|s| parse_date(&string_value(s.as_str())));
        if parsed.is_none() {
            self.error(
                node,
                format!(
                    "expected a date like '2025-01-01', found `{}`",
                    node.as_str()
                ),
            );
        }
        parsed
    }

    fn bound_int(&mut self, node: &Node<'_>) -> Option<i64> {
        let parsed = child(node, Rule::int)
            .and_then(|n| n.as_str().trim_start_matches('+').parse::<i64>().ok());
        if parsed.is_none() {
            self.error(
                node,
                format!(
                    "expected an integer bound, found `{}` (add a unit for dates: `every 1 month`)",
                    node.as_str()
                ),
            );
        }
        parsed
    }

    pub(super) fn lower_partition_def(
        &mut self,
        parent: &QualifiedName,
        node: &Node<'_>,
        comment: Option<String>,
    ) -> Option<Table> {
        let name_node = child(node, Rule::ident)?;
        let mut table = Table::new(parent.with_name(ident(&name_node)));
        table.comment = comment;
        table.meta = self.meta(node, Some(&name_node));
        let bound = if has(node, Rule::kw_default) {
            PartitionBound::Default
        } else if let Some(range) = child(node, Rule::bound_range) {
            let lists = children(&range, Rule::paren_expr);
            PartitionBound::Range {
                from: lists
                    .first()
                    .map(|l| self.bound_values(l))
                    .unwrap_or_default(),
                to: lists
                    .get(1)
                    .map(|l| self.bound_values(l))
                    .unwrap_or_default(),
            }
        } else if let Some(list) = child(node, Rule::bound_list) {
            PartitionBound::List(
                child(&list, Rule::paren_expr)
                    .map(|l| self.bound_values(&l))
                    .unwrap_or_default(),
            )
        } else {
            let hash = child(node, Rule::bound_hash)?;
            let numbers: Vec<u32> = children(&hash, Rule::int)
                .iter()
                .filter_map(|n| n.as_str().parse::<u32>().ok())
                .collect();
            match numbers.as_slice() {
                [modulus, remainder] if *modulus > 0 && remainder < modulus => {
                    PartitionBound::Hash {
                        modulus: *modulus,
                        remainder: *remainder,
                    }
                }
                _ => {
                    self.error(&hash, "a hash partition needs 0 <= remainder < modulus");
                    return None;
                }
            }
        };
        table.partition_of = Some(PartitionOf {
            parent: parent.clone(),
            bound,
        });
        Some(table)
    }

    fn bound_values(&mut self, paren: &Node<'_>) -> Vec<BoundValue> {
        paren_parts(self, paren)
            .into_iter()
            .map(|(offset, part)| match part.trim().to_lowercase().as_str() {
                "minvalue" => BoundValue::MinValue,
                "maxvalue" => BoundValue::MaxValue,
                "null" => BoundValue::Null,
                _ => BoundValue::Literal(self.expr_text(&part, offset)),
            })
            .collect()
    }
}

fn bound_literal(text: String) -> BoundValue {
    BoundValue::Literal(crate::model::normalize::expr(&text).unwrap_or_else(|_| SqlExpr::raw(text)))
}

/// `'2025-01-01'` (optionally followed by a time, which is ignored) ->
/// (year, month, day).
fn parse_date(text: &str) -> Option<(i64, u32, u32)> {
    let date = text.get(..10)?;
    let mut parts = date.split('-');
    let year = parts.next()?.parse::<i64>().ok()?;
    let month = parts.next()?.parse::<u32>().ok()?;
    let day = parts.next()?.parse::<u32>().ok()?;
    let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
    valid.then_some((year, month, day))
}

fn format_date(date: (i64, u32, u32)) -> String {
    format!("'{:04}-{:02}-{:02}'", date.0, date.1, date.2)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn add(date: (i64, u32, u32), step: i64, unit: Unit) -> (i64, u32, u32) {
    match unit {
        Unit::Day => from_days(to_days(date) + step),
        Unit::Week => from_days(to_days(date) + 7 * step),
        Unit::Month => {
            let months = date.0 * 12 + i64::from(date.1 - 1) + step;
            let (year, month) = (months.div_euclid(12), (months.rem_euclid(12) + 1) as u32);
            (year, month, date.2.min(days_in_month(year, month)))
        }
        Unit::Year => (
            date.0 + step,
            date.1,
            date.2.min(days_in_month(date.0 + step, date.1)),
        ),
    }
}

/// Days since 1970-01-01 (Howard Hinnant's civil-from-days algorithms).
fn to_days((year, month, day): (i64, u32, u32)) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let month = i64::from(month);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_arithmetic() {
        assert_eq!(add((2025, 1, 31), 1, Unit::Month), (2025, 2, 28));
        assert_eq!(add((2024, 12, 1), 1, Unit::Month), (2025, 1, 1));
        assert_eq!(add((2024, 2, 28), 1, Unit::Day), (2024, 2, 29));
        assert_eq!(add((2024, 12, 30), 1, Unit::Week), (2025, 1, 6));
        assert_eq!(add((2024, 2, 29), 1, Unit::Year), (2025, 2, 28));
        assert_eq!(from_days(to_days((1999, 3, 1))), (1999, 3, 1));
        assert_eq!(to_days((1970, 1, 1)), 0);
    }

    #[test]
    fn dates_are_validated() {
        assert_eq!(parse_date("2025-02-01"), Some((2025, 2, 1)));
        assert_eq!(parse_date("2025-02-01 00:00:00+00"), Some((2025, 2, 1)));
        assert_eq!(parse_date("2025-02-30"), None);
        assert_eq!(parse_date("soon"), None);
    }
}
