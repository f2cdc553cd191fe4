//! Triggers on tables (not internal ones, not those a partition inherits).
//!
//! Invariants: timing, level and events come from `tgtype`'s bits, the
//! UPDATE OF columns from `tgattr`, arguments from `tgargs`; only the WHEN
//! condition is read from `pg_get_triggerdef` text (it has no other
//! printable form). Events are in PostgreSQL's order: INSERT, DELETE,
//! UPDATE, TRUNCATE.

use super::sql::{find_top_level, parenthesised_at};
use super::{catalog_expr, get, IntrospectError};
use crate::model::{
    Ident, Meta, Model, QualifiedName, SqlExpr, Trigger, TriggerEvent, TriggerTiming,
};
use tokio_postgres::Row;

pub(super) const TRIGGERS: &str = include_str!("queries/triggers.sql");
const KIND: &str = "triggers";

const TRIGGER_TYPE_ROW: i32 = 1 << 0;
const TRIGGER_TYPE_BEFORE: i32 = 1 << 1;
const TRIGGER_TYPE_INSERT: i32 = 1 << 2;
const TRIGGER_TYPE_DELETE: i32 = 1 << 3;
const TRIGGER_TYPE_UPDATE: i32 = 1 << 4;
const TRIGGER_TYPE_TRUNCATE: i32 = 1 << 5;
const TRIGGER_TYPE_INSTEAD: i32 = 1 << 6;

pub(crate) fn introspect_triggers(
    rows: Vec<Row>,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    for row in rows {
        let table_name = QualifiedName::new(
            get::<String>(&row, KIND, "schema")?,
            get::<String>(&row, KIND, "table_name")?,
        );
        let Some(table) = model.tables.get_mut(&table_name) else {
            continue;
        };
        let tgtype: i32 = get(&row, KIND, "tgtype")?;
        let update_columns: Vec<String> = get(&row, KIND, "update_columns")?;
        let nargs: i32 = get(&row, KIND, "nargs")?;
        let raw_args: Vec<u8> = get(&row, KIND, "args")?;
        let definition: String = get(&row, KIND, "definition")?;
        let trigger = Trigger {
            name: Ident::new(get::<String>(&row, KIND, "name")?),
            timing: trigger_timing(tgtype),
            events: trigger_events(tgtype, update_columns),
            for_each_row: tgtype & TRIGGER_TYPE_ROW != 0,
            when: trigger_when(&definition),
            function: QualifiedName::new(
                get::<String>(&row, KIND, "function_schema")?,
                get::<String>(&row, KIND, "function_name")?,
            ),
            args: trigger_args(&raw_args, nargs),
            constraint: get(&row, KIND, "is_constraint")?,
            deferrable: get(&row, KIND, "deferrable")?,
            initially_deferred: get(&row, KIND, "initially_deferred")?,
            old_table: get::<Option<String>>(&row, KIND, "old_table")?.map(Ident::new),
            new_table: get::<Option<String>>(&row, KIND, "new_table")?.map(Ident::new),
            comment: get(&row, KIND, "comment")?,
            meta: Meta::default(),
        };
        table.triggers.insert(trigger.name.clone(), trigger);
    }
    Ok(())
}

fn trigger_timing(tgtype: i32) -> TriggerTiming {
    if tgtype & TRIGGER_TYPE_INSTEAD != 0 {
        TriggerTiming::InsteadOf
    } else if tgtype & TRIGGER_TYPE_BEFORE != 0 {
        TriggerTiming::Before
    } else {
        TriggerTiming::After
    }
}

fn trigger_events(tgtype: i32, update_columns: Vec<String>) -> Vec<TriggerEvent> {
    let mut events = Vec::new();
    if tgtype & TRIGGER_TYPE_INSERT != 0 {
        events.push(TriggerEvent::Insert);
    }
    if tgtype & TRIGGER_TYPE_DELETE != 0 {
        events.push(TriggerEvent::Delete);
    }
    if tgtype & TRIGGER_TYPE_UPDATE != 0 {
        events.push(TriggerEvent::Update(
            update_columns.into_iter().map(Ident::new).collect(),
        ));
    }
    if tgtype & TRIGGER_TYPE_TRUNCATE != 0 {
        events.push(TriggerEvent::Truncate);
    }
    events
}

/// `tgargs`: `nargs` strings, each terminated by a NUL byte.
fn trigger_args(raw: &[u8], nargs: i32) -> Vec<String> {
    raw.split(|&byte| byte == 0)
        .take(usize::try_from(nargs).unwrap_or(0))
        .map(|arg| String::from_utf8_lossy(arg).into_owned())
        .collect()
}

/// The `WHEN (...)` condition of a `pg_get_triggerdef` text.
fn trigger_when(definition: &str) -> Option<SqlExpr> {
    let at = find_top_level(definition, " WHEN (")?;
    let condition = parenthesised_at(definition, at + " WHEN ".len())?;
    Some(catalog_expr(condition))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_tgtype() {
        // AFTER INSERT OR UPDATE ... FOR EACH ROW
        assert_eq!(trigger_timing(21), TriggerTiming::After);
        assert_eq!(
            trigger_events(21, vec!["room_id".into()]),
            vec![
                TriggerEvent::Insert,
                TriggerEvent::Update(vec![Ident::new("room_id")])
            ]
        );
        // BEFORE TRUNCATE FOR EACH STATEMENT
        assert_eq!(trigger_timing(34), TriggerTiming::Before);
        assert_eq!(trigger_events(34, vec![]), vec![TriggerEvent::Truncate]);
        assert_eq!(34 & TRIGGER_TYPE_ROW, 0);
        // INSTEAD OF DELETE FOR EACH ROW
        assert_eq!(trigger_timing(64 | 8 | 1), TriggerTiming::InsteadOf);
        assert_eq!(
            trigger_events(64 | 8 | 1, vec![]),
            vec![TriggerEvent::Delete]
        );
    }

    #[test]
    fn decodes_args() {
        assert_eq!(trigger_args(b"bookings\0x'y\0", 2), vec!["bookings", "x'y"]);
        assert!(trigger_args(b"", 0).is_empty());
        assert_eq!(trigger_args(b"\0", 1), vec![""]);
        assert!(trigger_args(b"a\0", -1).is_empty());
    }

    #[test]
    fn reads_when_condition() {
        let when = trigger_when("CREATE TRIGGER t AFTER UPDATE ON a.b FOR EACH ROW WHEN ((new.x)::text = ')'::text) EXECUTE FUNCTION a.f('WHEN (')");
        assert_eq!(
            when.map(|w| w.sql),
            Some("(new.x)::text = ')'::text".to_string())
        );
        assert!(trigger_when(
            "CREATE TRIGGER t AFTER UPDATE ON a.b FOR EACH ROW EXECUTE FUNCTION a.f('WHEN (x)')"
        )
        .is_none());
    }
}
