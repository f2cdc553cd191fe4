//! Extended statistics (`pg_statistic_ext`), read back through the same
//! reader the `.sql` frontend uses ([`crate::model::parse_statistics`]).
//!
//! Invariant: statistics of tables the Model does not hold are skipped.

use super::{get, IntrospectError};
use crate::model::{parse_statistics, Model, QualifiedName};
use tokio_postgres::Row;

pub(super) const STATISTICS: &str = include_str!("queries/statistics.sql");

pub(crate) fn introspect_statistics(
    rows: Vec<Row>,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    const KIND: &str = "statistics";
    for row in rows {
        let table_name = QualifiedName::new(
            get::<String>(&row, KIND, "table_schema")?,
            get::<String>(&row, KIND, "table_name")?,
        );
        let Some(table) = model.tables.get_mut(&table_name) else {
            continue;
        };
        let definition: String = get(&row, KIND, "definition")?;
        let mut def = parse_statistics(&definition).map_err(|message| IntrospectError::Row {
            object_kind: KIND,
            message: format!("cannot read statistics of {table_name}: {definition}: {message}"),
        })?;
        def.statistics.target = get::<Option<i32>>(&row, KIND, "target")?.filter(|n| *n >= 0);
        table
            .statistics
            .insert(def.statistics.name.clone(), def.statistics);
    }
    Ok(())
}
