//! `schemac inspect`'s library call: the live Model as the source that
//! plans to nothing against the same database.
//!
//! Invariants: the database is only read (one introspection snapshot);
//! schemac's own schema and INVALID indexes are left out, as `plan --db`
//! leaves them out; every role a policy grants to is declared, since roles
//! are cluster-wide and never introspected.

use super::model::{invalid_index_notes, read_live};
use super::session::Session;
use super::LiveError;
use crate::introspect::Filter;
use crate::live::ConnParams;
use crate::model::{Meta, Model, Role, BUILTIN_ROLES};

/// A database read for printing.
#[derive(Debug, Clone)]
pub struct Inspected {
    /// The live schema, policy roles declared.
    pub model: Model,
    /// For stderr: what was left out.
    pub notes: Vec<String>,
}

/// Reads the database `conn` names through `filter` (start from
/// [`super::filter`]).
pub async fn inspect(conn: &ConnParams, filter: &Filter) -> Result<Inspected, LiveError> {
    let session = Session::open(conn).await?;
    let res = read_live(&session.client, conn, filter, false).await;
    session.close().await;
    let live = res?;
    let notes = invalid_index_notes(&live);
    let mut model = live.current;
    // INVALID indexes are not part of the schema (the notes name them).
    for table in model.tables.values_mut() {
        table.indexes.retain(|_, index| !index.invalid);
    }
    for view in model.views.values_mut() {
        view.indexes.retain(|_, index| !index.invalid);
    }
    declare_policy_roles(&mut model);
    Ok(Inspected { model, notes })
}

/// Declares (`role name`) every role the policies grant to: roles are
/// cluster-wide and never introspected, and a `.schema` source that names
/// undeclared roles draws warnings.
pub fn declare_policy_roles(model: &mut Model) {
    let mut named = Vec::new();
    for table in model.tables.values() {
        for policy in table.policies.values() {
            named.extend(policy.roles.iter().cloned());
        }
    }
    for name in named {
        if BUILTIN_ROLES.contains(&name.as_str()) || name.as_str().starts_with("pg_") {
            continue;
        }
        model.roles.entry(name.clone()).or_insert(Role {
            name,
            meta: Meta::default(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, Ident, QualifiedName, Table, TypeName};

    #[test]
    fn policy_roles_are_declared() {
        let mut model = Model::default();
        let mut table = Table::new(QualifiedName::public("accounts"));
        table
            .columns
            .push(Column::new(Ident::new("id"), TypeName("bigint".into())));
        table.policies.insert(
            Ident::new("p"),
            Box::new(crate::model::Policy {
                name: Ident::new("p"),
                permissive: true,
                command: crate::model::PolicyCommand::All,
                roles: vec![
                    Ident::new("app_user"),
                    Ident::new("public"),
                    Ident::new("pg_monitor"),
                ],
                using: None,
                with_check: None,
                comment: None,
                meta: Meta::default(),
            }),
        );
        model.tables.insert(table.name.clone(), table);
        declare_policy_roles(&mut model);
        let roles: Vec<&str> = model.roles.keys().map(Ident::as_str).collect();
        assert_eq!(roles, ["app_user"]);
    }
}
