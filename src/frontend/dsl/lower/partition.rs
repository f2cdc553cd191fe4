//! Lowering of `partition by`, explicit partitions and generated ranges
//! (`every 1 month from '2025-01-01' to '2027-01-01'`).
//!
//! Invariants: generated partitions are named `NAME_pYYYY_MM` (month),
//! `NAME_pYYYY_MM_DD` (day, week), `NAME_pYYYY` (year) or `NAME_pN`
//! (integer keys); bound literals are kept as written (`'2025-01-01'`), a
//! later resolve pass normalises them to the key's type. At most
//! [`MAX_GENERATED`] partitions are generated per table.

use super::{ident, paren_parts, Cx};
use crate::calendar::{self, Date};
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
            // Past the calendar's last date the range ends at `end`.
            let upper = add(lower, step, unit).unwrap_or(end);
            let (year, month, day) = (lower.year(), u8::from(lower.month()), lower.day());
            let suffix = match unit {
                Unit::Year => format!("{year:04}"),
                Unit::Month => format!("{year:04}_{month:02}"),
                Unit::Day | Unit::Week => format!("{year:04}_{month:02}_{day:02}"),
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

    fn date(&mut self, node: &Node<'_>) -> Option<Date> {
        let parsed = child(node, Rule::sq_string)
            .and_then(|s| calendar::parse_date_prefix(&string_value(s.as_str())));
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
    ) -> Vec<Table> {
        self.lower_partition(parent, node, comment)
            .map(|(partition, sub)| std::iter::once(partition).chain(sub).collect())
            .unwrap_or_default()
    }

    /// A partition and, when it has its own block, the sub-partitions
    /// declared there.
    fn lower_partition(
        &mut self,
        parent: &QualifiedName,
        node: &Node<'_>,
        comment: Option<String>,
    ) -> Option<(Table, Vec<Table>)> {
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
        if let Some(with) = child(node, Rule::table_with) {
            super::storage_options(&with, &mut table.options);
        }
        let sub = match child(node, Rule::partition_body) {
            Some(body) => self.lower_table_items(&mut table, &body, true),
            None => Vec::new(),
        };
        Some((table, sub))
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

/// `'2025-01-01'`, quoted as a bound literal.
fn format_date(date: Date) -> String {
    format!("'{}'", calendar::format_date(date))
}

/// `date` plus `step` units; `None` past the calendar's last date.
fn add(date: Date, step: i64, unit: Unit) -> Option<Date> {
    match unit {
        Unit::Day => calendar::add_days(date, step),
        Unit::Week => calendar::add_days(date, step.checked_mul(7)?),
        Unit::Month => calendar::add_months(date, step),
        Unit::Year => calendar::add_years(date, step),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_add(date: &str, step: i64, unit: Unit, expect: Option<&str>) {
        let date = calendar::parse_date_prefix(date).expect("valid test date");
        assert_eq!(add(date, step, unit).map(format_date).as_deref(), expect);
    }

    #[test]
    fn date_arithmetic() {
        check_add("2025-01-31", 1, Unit::Month, Some("'2025-02-28'"));
        check_add("2024-12-01", 1, Unit::Month, Some("'2025-01-01'"));
        check_add("2024-02-28", 1, Unit::Day, Some("'2024-02-29'"));
        check_add("2024-12-30", 1, Unit::Week, Some("'2025-01-06'"));
        check_add("2024-02-29", 1, Unit::Year, Some("'2025-02-28'"));
        check_add("2025-01-01", 3, Unit::Month, Some("'2025-04-01'"));
        // A step past the calendar's end is no date (the range then ends
        // at its upper bound), never an overflow.
        check_add("2025-01-01", i64::MAX, Unit::Week, None);
        check_add("2025-01-01", i64::MAX, Unit::Year, None);
    }
}
