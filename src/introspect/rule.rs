//! Rewrite rules (`pg_rewrite`), read back through the same reader the
//! `.sql` frontend uses ([`crate::model::parse_rule`]) from
//! `pg_get_ruledef`, the text pg_dump prints.
//!
//! Invariants: rules of tables the Model does not hold are skipped; a
//! view's `_RETURN` rule is never read (the query leaves it out);
//! `depends_on` lists the relations the rule's `pg_depend` entries name
//! besides its table, sorted.

use super::{get, IntrospectError};
use crate::model::{parse_rule, Model, QualifiedName, RuleFiring};
use tokio_postgres::Row;

pub(super) const RULES: &str = include_str!("queries/rules.sql");

pub(crate) fn introspect_rules(rows: Vec<Row>, model: &mut Model) -> Result<(), IntrospectError> {
    const KIND: &str = "rules";
    for row in rows {
        let table_name = QualifiedName::new(
            get::<String>(&row, KIND, "schema")?,
            get::<String>(&row, KIND, "table_name")?,
        );
        let Some(table) = model.tables.get_mut(&table_name) else {
            continue;
        };
        let definition: String = get(&row, KIND, "definition")?;
        let mut rule = parse_rule(&definition)
            .map_err(|message| IntrospectError::Row {
                object_kind: KIND,
                message: format!("cannot read a rule of {table_name}: {definition}: {message}"),
            })?
            .rule;
        let dep_schemas: Vec<String> =
            get::<Option<Vec<String>>>(&row, KIND, "dep_schemas")?.unwrap_or_default();
        let dep_names: Vec<String> =
            get::<Option<Vec<String>>>(&row, KIND, "dep_names")?.unwrap_or_default();
        rule.depends_on = dep_schemas
            .into_iter()
            .zip(dep_names)
            .map(|(schema, relation)| QualifiedName::new(schema, relation))
            .collect();
        let enabled: String = get(&row, KIND, "enabled")?;
        rule.firing = RuleFiring::from_catalog(&enabled).ok_or_else(|| IntrospectError::Row {
            object_kind: KIND,
            message: format!(
                "rule {} of {table_name} has an unknown ev_enabled `{enabled}`",
                rule.name
            ),
        })?;
        rule.comment = get(&row, KIND, "comment")?;
        table.rules.insert(rule.name.clone(), rule);
    }
    Ok(())
}
