//! Partition keys of generated rows: values inside the bound of the leaf
//! the rows go to (see [`super::seed`]).

use super::seed::{ancestry, Generator, Pinned};
use super::values::with_offset;
use schemac::model::{BoundValue, Column, PartitionBound, PartitionStrategy, QualifiedName, Table};
use std::collections::BTreeSet;

impl Generator<'_> {
    /// Pins the key columns of every partition level between `leaf` and
    /// `root` to values inside the leaf's bounds.
    pub(super) fn pin_partition_keys(
        &self,
        leaf: &Table,
        root: &Table,
        ks: &[usize],
        pinned: &mut Pinned,
    ) -> Result<(), String> {
        for level in ancestry(self.from, leaf) {
            let Some(of) = &level.partition_of else {
                continue;
            };
            let Some(parent) = self.from.tables.get(&of.parent) else {
                continue;
            };
            let Some(by) = &parent.partition_by else {
                continue;
            };
            let key_columns: Vec<&Column> = by
                .key
                .iter()
                .map(|key| {
                    let name = key.sql.trim().trim_matches('"');
                    root.columns
                        .iter()
                        .find(|column| column.name.as_str() == name)
                        .ok_or_else(|| {
                            format!(
                                "{}: partition key `{}` is an expression; write seed.sql",
                                parent.name, key.sql
                            )
                        })
                })
                .collect::<Result<_, _>>()?;
            let values = match &of.bound {
                PartitionBound::Range { from, to } => range_values(&key_columns, from, to, ks)?,
                PartitionBound::List(values) => list_values(&key_columns, values, ks)?,
                PartitionBound::Hash { modulus, remainder } => {
                    self.hash_values(&parent.name, &key_columns, *modulus, *remainder, ks)?
                }
                PartitionBound::Default => {
                    self.default_values(parent, by.strategy, &key_columns, ks)?
                }
            };
            for (column, values) in key_columns.iter().zip(values) {
                if let Some(values) = values {
                    pinned.insert(column.name.clone(), values);
                }
            }
        }
        Ok(())
    }

    /// Key values of hash partition `remainder` of `parent`: the first
    /// generated candidates the server places there.
    fn hash_values(
        &self,
        parent: &QualifiedName,
        key_columns: &[&Column],
        modulus: u32,
        remainder: u32,
        ks: &[usize],
    ) -> Result<Vec<Option<Vec<String>>>, String> {
        let mut candidates = Vec::new();
        for candidate in 1..=200 {
            let values: Vec<String> = key_columns
                .iter()
                .map(|column| self.value(&column.ty.0, candidate, column.name.as_str()))
                .collect::<Result<_, _>>()?;
            candidates.push(format!("({candidate}, {})", values.join(", ")));
        }
        let aliases: Vec<String> = (0..key_columns.len())
            .map(|idx| format!("c{idx}"))
            .collect();
        let literal = parent.to_string().replace('\'', "''");
        let sql = format!(
            "SELECT k FROM (VALUES {}) AS v(k, {}) \
             WHERE satisfies_hash_partition('{literal}'::regclass, {modulus}, {remainder}, {}) \
             ORDER BY k LIMIT {}",
            candidates.join(", "),
            aliases.join(", "),
            aliases.join(", "),
            ks.len()
        );
        let found: Vec<usize> = self
            .db
            .query(&sql)?
            .iter()
            .filter_map(|row| row.trim().parse().ok())
            .collect();
        if found.len() < ks.len() {
            return Err(format!(
                "{parent}: found only {} generated keys for hash partition \
                 (modulus {modulus}, remainder {remainder}); write seed.sql",
                found.len()
            ));
        }
        key_columns
            .iter()
            .map(|column| {
                found
                    .iter()
                    .map(|candidate| self.value(&column.ty.0, *candidate, column.name.as_str()))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Some)
            })
            .collect()
    }

    /// Key values for the default partition of `parent`: outside every
    /// sibling's bound.
    fn default_values(
        &self,
        parent: &Table,
        strategy: PartitionStrategy,
        key_columns: &[&Column],
        ks: &[usize],
    ) -> Result<Vec<Option<Vec<String>>>, String> {
        let siblings: Vec<&PartitionBound> = self
            .from
            .partitions_of(&parent.name)
            .filter_map(|sibling| sibling.partition_of.as_ref().map(|of| &of.bound))
            .filter(|bound| !matches!(bound, PartitionBound::Default))
            .collect();
        match strategy {
            PartitionStrategy::Range => {
                let [column] = key_columns else {
                    return Err(format!(
                        "{}: default partition of a multi-column range; write seed.sql",
                        parent.name
                    ));
                };
                let mut uppers = Vec::new();
                for bound in &siblings {
                    match bound {
                        PartitionBound::Range { to, .. } => match to.first() {
                            Some(BoundValue::Literal(expr)) => {
                                uppers.push(format!("({})::{}", expr.sql, column.ty))
                            }
                            _ => {
                                return Err(format!(
                                    "{}: a sibling of the default partition has no upper \
                                     literal bound; write seed.sql",
                                    parent.name
                                ))
                            }
                        },
                        _ => continue,
                    }
                }
                if uppers.is_empty() {
                    return Ok(vec![None]);
                }
                // The largest upper bound is excluded from every range.
                let base = format!("GREATEST({})", uppers.join(", "));
                Ok(vec![Some(
                    ks.iter()
                        .enumerate()
                        .map(|(idx, _)| with_offset(&base, &column.ty.0, idx as i64))
                        .collect(),
                )])
            }
            PartitionStrategy::List => {
                let listed: BTreeSet<String> = siblings
                    .iter()
                    .filter_map(|bound| match bound {
                        PartitionBound::List(values) => Some(values),
                        _ => None,
                    })
                    .flatten()
                    .filter_map(|value| match value {
                        BoundValue::Literal(expr) => Some(expr.sql.clone()),
                        _ => None,
                    })
                    .collect();
                key_columns
                    .iter()
                    .map(|column| {
                        ks.iter()
                            .map(|k| {
                                // Far from the values the generator gives
                                // other partitions; checked against the lists.
                                let value =
                                    self.value(&column.ty.0, 1000 + k, column.name.as_str())?;
                                if listed.iter().any(|literal| value.starts_with(literal)) {
                                    return Err(format!(
                                        "{}: the generated default-partition key {value} is \
                                         listed by a sibling; write seed.sql",
                                        parent.name
                                    ));
                                }
                                Ok(value)
                            })
                            .collect::<Result<Vec<_>, _>>()
                            .map(Some)
                    })
                    .collect()
            }
            PartitionStrategy::Hash => Err(format!(
                "{}: a hash-partitioned table cannot have a default partition",
                parent.name
            )),
        }
    }
}

/// Values of the key columns inside a range bound: the lower bound (plus
/// a small offset for a single-column key), or just under the upper bound
/// when the lower one is MINVALUE.
fn range_values(
    key_columns: &[&Column],
    from: &[BoundValue],
    to: &[BoundValue],
    ks: &[usize],
) -> Result<Vec<Option<Vec<String>>>, String> {
    let single = key_columns.len() == 1;
    key_columns
        .iter()
        .enumerate()
        .map(|(idx, column)| {
            let ty = &column.ty.0;
            let values: Vec<String> = match (from.get(idx), to.get(idx)) {
                (Some(BoundValue::Literal(lower)), _) => {
                    let base = format!("({})::{ty}", lower.sql);
                    ks.iter()
                        .enumerate()
                        .map(|(row, _)| {
                            if single {
                                with_offset(&base, ty, row as i64)
                            } else {
                                base.clone()
                            }
                        })
                        .collect()
                }
                (Some(BoundValue::MinValue), Some(BoundValue::Literal(upper))) if single => {
                    let base = format!("({})::{ty}", upper.sql);
                    ks.iter()
                        .enumerate()
                        .map(|(row, _)| with_offset(&base, ty, -(row as i64 + 1)))
                        .collect()
                }
                (Some(BoundValue::MinValue), Some(BoundValue::MaxValue)) => return Ok(None),
                other => {
                    return Err(format!(
                        "range bound {other:?} on {}: no generic key value; write seed.sql",
                        column.name
                    ))
                }
            };
            Ok(Some(values))
        })
        .collect()
}

/// Values of the key columns of a list partition: its listed values in turn.
fn list_values(
    key_columns: &[&Column],
    values: &[BoundValue],
    ks: &[usize],
) -> Result<Vec<Option<Vec<String>>>, String> {
    let [column] = key_columns else {
        return Err("a list partition key has exactly one column".to_string());
    };
    if values.is_empty() {
        return Err(format!("list partition on {} lists no values", column.name));
    }
    let values = ks
        .iter()
        .enumerate()
        .map(|(row, _)| match &values[row % values.len()] {
            BoundValue::Literal(expr) => Ok(format!("({})::{}", expr.sql, column.ty)),
            BoundValue::Null => Ok("NULL".to_string()),
            other => Err(format!("list bound {other:?} on {}", column.name)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(vec![Some(values)])
}
