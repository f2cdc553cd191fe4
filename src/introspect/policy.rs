//! Row-level-security policies.
//!
//! Invariant: roles are sorted by name and PUBLIC is the empty list, as
//! the Model stores them.

use super::{get, CatalogText, IntrospectError};
use crate::model::{Ident, Meta, Model, Policy, PolicyCommand, QualifiedName};
use tokio_postgres::Row;

pub(super) const POLICIES: &str = include_str!("queries/policies.sql");
const KIND: &str = "policies";

pub(crate) fn introspect_policies(
    rows: Vec<Row>,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    let mut text = CatalogText::default();
    for row in rows {
        let table_name = QualifiedName::new(
            get::<String>(&row, KIND, "schema")?,
            get::<String>(&row, KIND, "table_name")?,
        );
        let Some(table) = model.tables.get_mut(&table_name) else {
            continue;
        };
        let command: String = get(&row, KIND, "command")?;
        let mut roles: Vec<Ident> = get::<Vec<String>>(&row, KIND, "roles")?
            .into_iter()
            .map(Ident::new)
            .collect();
        roles.sort();
        let policy = Policy {
            name: Ident::new(get::<String>(&row, KIND, "name")?),
            permissive: get(&row, KIND, "permissive")?,
            command: policy_command(&command),
            roles,
            using: get::<Option<&str>>(&row, KIND, "using_expr")?.map(|e| text.expr(e)),
            with_check: get::<Option<&str>>(&row, KIND, "with_check_expr")?.map(|e| text.expr(e)),
            comment: get(&row, KIND, "comment")?,
            meta: Meta::default(),
        };
        table.policies.insert(policy.name.clone(), Box::new(policy));
    }
    Ok(())
}

/// `pg_policy.polcmd`: `*` all, `r` select, `a` insert, `w` update, `d` delete.
fn policy_command(code: &str) -> PolicyCommand {
    match code {
        "r" => PolicyCommand::Select,
        "a" => PolicyCommand::Insert,
        "w" => PolicyCommand::Update,
        "d" => PolicyCommand::Delete,
        _ => PolicyCommand::All,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_command_codes() {
        assert_eq!(policy_command("*"), PolicyCommand::All);
        assert_eq!(policy_command("r"), PolicyCommand::Select);
        assert_eq!(policy_command("a"), PolicyCommand::Insert);
        assert_eq!(policy_command("w"), PolicyCommand::Update);
        assert_eq!(policy_command("d"), PolicyCommand::Delete);
    }
}
