//! Domains: creation, removal, and changes of default, checks and NOT NULL.
//!
//! PostgreSQL behaviour relied on: `ALTER DOMAIN ... ADD CONSTRAINT ...
//! NOT VALID` only updates the catalog; `VALIDATE CONSTRAINT` and `SET NOT
//! NULL` check every column of the domain
//! (https://www.postgresql.org/docs/current/sql-alterdomain.html). A change
//! of base type or collation is refused (every column would be rewritten).
//!
//! Ordering invariant: a domain requires its schema and the types its base
//! refers to; checks are added NOT VALID, then validated.

use super::{expr_keys, schema_key, type_keys, Cx};
use crate::model::{sql, Domain, QualifiedName};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, DomainChange, Hazard, PlanError};

pub(super) fn create_domain(cx: &Cx<'_>, domain: &Domain) -> Vec<Node> {
    let step = cx.step(
        Action::CreateDomain {
            name: domain.name.clone(),
        },
        format!("create domain {}", domain.name),
        sql::create_domain(domain),
    );
    let mut requires = schema_key(&domain.name);
    requires.extend(type_keys(cx.ctx.desired, &domain.base));
    for check in domain.checks.values() {
        requires.extend(expr_keys(cx.ctx.desired, None, &check.sql));
    }
    vec![cx
        .node(Phase::CreateType, vec![step])
        .provides([Key::Type(domain.name.clone())])
        .requires(requires)]
}

pub(super) fn alter_domain(
    cx: &Cx<'_>,
    current: &Domain,
    desired: &Domain,
) -> Result<Vec<Node>, PlanError> {
    let name = &desired.name;
    if current.base != desired.base || current.collation != desired.collation {
        return Err(PlanError::Unsupported {
            object: format!("domain {name}"),
            action: "a change of base type or collation".to_string(),
            reason: "every column of the domain would have to be rewritten".to_string(),
        });
    }
    let mut steps = Vec::new();
    if current.default != desired.default {
        let (change, sql) = match &desired.default {
            Some(default) => (
                DomainChange::SetDefault,
                format!("ALTER DOMAIN {name} SET DEFAULT {default}"),
            ),
            None => (
                DomainChange::DropDefault,
                format!("ALTER DOMAIN {name} DROP DEFAULT"),
            ),
        };
        steps.push(cx.step(
            alter_domain_action(name, change),
            format!("change default of domain {name}"),
            sql,
        ));
    }
    for (check_name, expr) in &current.checks {
        if desired.checks.get(check_name) != Some(expr) {
            steps.push(cx.step(
                alter_domain_action(
                    name,
                    DomainChange::DropConstraint {
                        constraint: check_name.clone(),
                    },
                ),
                format!("drop check {check_name} of domain {name}"),
                format!("ALTER DOMAIN {name} DROP CONSTRAINT {check_name}"),
            ));
        }
    }
    for (check_name, expr) in &desired.checks {
        if current.checks.get(check_name) != Some(expr) {
            // NOT VALID then VALIDATE: the check of existing columns runs
            // without blocking writes to them for the whole scan.
            steps.push(cx.step(
                alter_domain_action(
                    name,
                    DomainChange::AddCheck {
                        constraint: check_name.clone(),
                        expr: expr.sql.clone(),
                    },
                ),
                format!("add check {check_name} to domain {name} (not valid)"),
                format!("ALTER DOMAIN {name} ADD CONSTRAINT {check_name} CHECK ({expr}) NOT VALID"),
            ));
            steps.push(
                cx.step(
                    alter_domain_action(
                        name,
                        DomainChange::ValidateConstraint {
                            constraint: check_name.clone(),
                        },
                    ),
                    format!("validate check {check_name} of domain {name}"),
                    format!("ALTER DOMAIN {name} VALIDATE CONSTRAINT {check_name}"),
                )
                .scanning()
                .hazard(
                    Hazard::FullScan,
                    format!("every column of domain {name} is scanned to validate {check_name}"),
                ),
            );
        }
    }
    if current.not_null != desired.not_null {
        let step = if desired.not_null {
            cx.step(
                alter_domain_action(name, DomainChange::SetNotNull),
                format!("set domain {name} not null"),
                format!("ALTER DOMAIN {name} SET NOT NULL"),
            )
            .scanning()
            .hazard(
                Hazard::FullScan,
                format!("every column of domain {name} is scanned for nulls"),
            )
        } else {
            cx.step(
                alter_domain_action(name, DomainChange::DropNotNull),
                format!("drop not null of domain {name}"),
                format!("ALTER DOMAIN {name} DROP NOT NULL"),
            )
        };
        steps.push(step);
    }
    Ok(vec![cx
        .node(Phase::CreateType, steps)
        .provides([Key::Type(name.clone())])])
}

fn alter_domain_action(name: &QualifiedName, change: DomainChange) -> Action {
    Action::AlterDomain {
        name: name.clone(),
        change,
    }
}

pub(super) fn drop_domain(cx: &Cx<'_>, domain: &Domain) -> Vec<Node> {
    let step = cx.step(
        Action::DropDomain {
            name: domain.name.clone(),
        },
        format!("drop domain {}", domain.name),
        format!("DROP DOMAIN {}", domain.name),
    );
    vec![cx
        .node(Phase::DropType, vec![step])
        .removes([Key::Type(domain.name.clone())])
        .releases(schema_key(&domain.name))]
}
