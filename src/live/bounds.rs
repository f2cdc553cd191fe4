//! Partition bounds of date and time keys as the target server reads them,
//! for `plan --db` without a shadow database.
//!
//! A literal such as `'2025-01-01'` is an instant of a timestamptz key only
//! in a TimeZone, and `'01/02/2025'` a date only in a DateStyle. The plan
//! runs them in the target's session, so that is where they are read: each
//! desired bound of a `date`, `timestamp` or `timestamptz` key is cast by
//! the target session (its own TimeZone and DateStyle, as apply and psql
//! would) and printed in the form the introspector reads bounds in (ISO,
//! UTC), so it compares with the catalog's bound. With a shadow database
//! this is not needed: the shadow runs with the target's settings and is
//! read back by the introspector.
//!
//! Invariant: reads only (one `SELECT` of casts for all bounds); a value
//! the server cannot cast is left as written (the plan's own step will
//! report it).

use crate::frontend::resolve::key_types;
use crate::introspect::error_message;
use crate::model::normalize::{bound_literal, bound_literal_text, session_dependent_type};
use crate::model::sql::quote_literal;
use crate::model::{BoundValue, Model, PartitionBound, QualifiedName, SqlExpr, TypeName};
use tokio_postgres::Client;

/// One bound value to read: where it is, its text and key type.
struct Pending {
    table: QualifiedName,
    /// `(0, i)`: `from[i]` or the list's `i`th value; `(1, i)`: `to[i]`.
    slot: (usize, usize),
    text: String,
    kind: &'static str,
    ty: TypeName,
}

/// Casts and prints the session-dependent bound values in the target
/// session, as the server stores them. Returns a note when the server
/// could not read them (the bounds are then compared as written).
pub(super) async fn read_bounds_on_server(client: &Client, model: &mut Model) -> Option<String> {
    let pending = collect(model);
    if pending.is_empty() {
        return None;
    }
    let texts: Vec<&str> = pending.iter().map(|p| p.text.as_str()).collect();
    let kinds: Vec<&str> = pending.iter().map(|p| p.kind).collect();
    let rows = match client.query(CAST_BOUNDS, &[&texts, &kinds]).await {
        Ok(rows) => rows,
        Err(err) => {
            return Some(format!(
                "partition bounds of date and time keys are compared as written: the server \
                 could not read them ({})",
                error_message(&err)
            ))
        }
    };
    for (row, pending) in rows.iter().zip(&pending) {
        let Ok(Some(value)) = row.try_get::<_, Option<String>>("value") else {
            continue;
        };
        let value = trim_fraction(&value);
        let literal = if pending.kind == "timestamptz" {
            format!("{value}+00")
        } else {
            value
        };
        let read = bound_literal(&SqlExpr::raw(quote_literal(&literal)), &pending.ty);
        set_value(model, pending, read);
    }
    None
}

/// Each value is cast with the session's settings; `to_char` prints it
/// the same whatever the DateStyle, and a timestamptz in UTC.
const CAST_BOUNDS: &str = "SELECT CASE v.kind
         WHEN 'date' THEN to_char(v.text::date, 'YYYY-MM-DD')
         WHEN 'timestamp' THEN to_char(v.text::timestamp, 'YYYY-MM-DD HH24:MI:SS.US')
         ELSE to_char(v.text::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')
       END AS value
FROM unnest($1::text[], $2::text[]) WITH ORDINALITY v(text, kind, ord)
ORDER BY v.ord";

/// `12:00:00.500000` -> `12:00:00.5`; `12:00:00.000000` -> `12:00:00`.
fn trim_fraction(value: &str) -> String {
    match value.split_once('.') {
        Some((whole, fraction)) => {
            let fraction = fraction.trim_end_matches('0');
            if fraction.is_empty() {
                whole.to_string()
            } else {
                format!("{whole}.{fraction}")
            }
        }
        None => value.to_string(),
    }
}

fn collect(model: &Model) -> Vec<Pending> {
    let mut res = Vec::new();
    for (name, table) in &model.tables {
        let Some(partition_of) = &table.partition_of else {
            continue;
        };
        let types = key_types(model, &partition_of.parent);
        let mut push = |slot: (usize, usize), value: &BoundValue, ty: Option<&Option<TypeName>>| {
            let (BoundValue::Literal(literal), Some(Some(ty))) = (value, ty) else {
                return;
            };
            let (Some(kind), Some(text)) =
                (session_dependent_type(ty), bound_literal_text(literal))
            else {
                return;
            };
            res.push(Pending {
                table: name.clone(),
                slot,
                text,
                kind,
                ty: ty.clone(),
            });
        };
        match &partition_of.bound {
            PartitionBound::Range { from, to } => {
                for (idx, value) in from.iter().enumerate() {
                    push((0, idx), value, types.get(idx));
                }
                for (idx, value) in to.iter().enumerate() {
                    push((1, idx), value, types.get(idx));
                }
            }
            PartitionBound::List(values) => {
                for (idx, value) in values.iter().enumerate() {
                    push((0, idx), value, types.first());
                }
            }
            PartitionBound::Hash { .. } | PartitionBound::Default => {}
        }
    }
    res
}

fn set_value(model: &mut Model, pending: &Pending, read: SqlExpr) {
    let Some(bound) = model
        .tables
        .get_mut(&pending.table)
        .and_then(|table| table.partition_of.as_mut())
        .map(|of| &mut of.bound)
    else {
        return;
    };
    let values = match (bound, pending.slot.0) {
        (PartitionBound::Range { from, .. }, 0) => from,
        (PartitionBound::Range { to, .. }, _) => to,
        (PartitionBound::List(values), _) => values,
        (PartitionBound::Hash { .. } | PartitionBound::Default, _) => return,
    };
    if let Some(value) = values.get_mut(pending.slot.1) {
        *value = BoundValue::Literal(read);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_print_as_the_catalog_prints_them() {
        assert_eq!(
            trim_fraction("2025-01-01 00:00:00.000000"),
            "2025-01-01 00:00:00"
        );
        assert_eq!(
            trim_fraction("2025-01-01 00:00:00.250000"),
            "2025-01-01 00:00:00.25"
        );
        assert_eq!(trim_fraction("2025-01-01"), "2025-01-01");
    }
}
