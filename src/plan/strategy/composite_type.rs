//! Composite types (`CREATE TYPE name AS (...)`): creation, attribute
//! changes and removal.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-altertype.html): `ALTER
//! TYPE ... ADD ATTRIBUTE` appends the attribute, `DROP ATTRIBUTE` removes
//! it (its values in columns of the type are gone), `ALTER ATTRIBUTE ...
//! TYPE` is refused while a table column uses the type (PostgreSQL names
//! the column; schemac does not add CASCADE). These change the catalog
//! only and lock no table.
//!
//! Ordering invariant: a type is created after its schema and the types of
//! its attributes, before the columns, functions and other types that use
//! it (it provides its `Type` key); an altered type's new attribute types
//! exist first. The attribute steps of one type run in one transaction:
//! drops, then type changes, then additions in the desired order, which
//! the diff guarantees reaches the desired attribute order.

use super::{schema_key, type_keys, Cx};
use crate::diff::type_refers_to;
use crate::model::{sql, CompositeType};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, AttributeChange, Hazard};

pub(super) fn create(cx: &Cx<'_>, composite: &CompositeType) -> Vec<Node> {
    let step = cx.step(
        Action::CreateCompositeType {
            name: composite.name.clone(),
        },
        format!("create type {}", composite.name),
        sql::create_composite(composite),
    );
    let mut requires = schema_key(&composite.name);
    for attribute in &composite.attributes {
        requires.extend(type_keys(cx.ctx.desired, &attribute.ty));
    }
    vec![cx
        .node(Phase::CreateType, vec![step])
        .provides([Key::Type(composite.name.clone())])
        .requires(requires)]
}

pub(super) fn alter(cx: &Cx<'_>, current: &CompositeType, desired: &CompositeType) -> Vec<Node> {
    let name = &desired.name;
    let used_by_columns = cx.ctx.current.tables.values().any(|table| {
        table
            .columns
            .iter()
            .any(|column| type_refers_to(&column.ty, name))
    });
    let mut steps = Vec::new();
    let mut requires = Vec::new();
    let action = |attribute: &crate::model::Ident, change| Action::AlterCompositeType {
        name: name.clone(),
        attribute: attribute.clone(),
        change,
    };
    for attribute in &current.attributes {
        if desired.attributes.iter().any(|a| a.name == attribute.name) {
            continue;
        }
        let mut step = cx.step(
            action(&attribute.name, AttributeChange::Drop),
            format!("drop attribute {} of type {name}", attribute.name),
            format!("ALTER TYPE {name} DROP ATTRIBUTE {}", attribute.name),
        );
        if used_by_columns {
            step = step.hazard(
                Hazard::DataLoss,
                format!(
                    "attribute {} of type {name} is dropped from every value stored in columns of the type",
                    attribute.name
                ),
            );
        }
        steps.push(step);
    }
    for attribute in &desired.attributes {
        let Some(existing) = current.attributes.iter().find(|a| a.name == attribute.name) else {
            continue;
        };
        if existing == attribute {
            continue;
        }
        let mut sql = format!(
            "ALTER TYPE {name} ALTER ATTRIBUTE {} SET DATA TYPE {}",
            attribute.name, attribute.ty
        );
        if let Some(collation) = &attribute.collation {
            sql.push_str(&format!(" COLLATE {collation}"));
        }
        requires.extend(type_keys(cx.ctx.desired, &attribute.ty));
        steps.push(cx.step(
            action(&attribute.name, AttributeChange::SetType),
            format!(
                "change the type of attribute {} of type {name}",
                attribute.name
            ),
            sql,
        ));
    }
    for attribute in &desired.attributes {
        if current.attributes.iter().any(|a| a.name == attribute.name) {
            continue;
        }
        requires.extend(type_keys(cx.ctx.desired, &attribute.ty));
        steps.push(cx.step(
            action(&attribute.name, AttributeChange::Add),
            format!("add attribute {} to type {name}", attribute.name),
            format!(
                "ALTER TYPE {name} ADD ATTRIBUTE {}",
                sql::composite_attribute(attribute)
            ),
        ));
    }
    let steps: Vec<_> = steps
        .into_iter()
        .enumerate()
        .map(|(idx, step)| if idx == 0 { step } else { step.joining() })
        .collect();
    if steps.is_empty() {
        return Vec::new();
    }
    vec![cx
        .node(Phase::CreateType, steps)
        .provides([Key::Type(name.clone())])
        .requires(requires)]
}

pub(super) fn drop(cx: &Cx<'_>, composite: &CompositeType) -> Vec<Node> {
    let step = cx.step(
        Action::DropCompositeType {
            name: composite.name.clone(),
        },
        format!("drop type {}", composite.name),
        format!("DROP TYPE {}", composite.name),
    );
    vec![cx
        .node(Phase::DropType, vec![step])
        .removes([Key::Type(composite.name.clone())])
        .releases(schema_key(&composite.name))]
}

#[cfg(test)]
mod tests {
    use crate::model::{
        CompositeAttribute, CompositeType, Ident, Meta, Model, QualifiedName, TypeName,
    };
    use crate::plan::strategy::test_support::{column, plan_text, table};

    fn composite(attributes: &[(&str, &str)]) -> CompositeType {
        CompositeType {
            name: QualifiedName::public("address"),
            attributes: attributes
                .iter()
                .map(|(name, ty)| CompositeAttribute {
                    name: Ident::new(*name),
                    ty: TypeName::new(*ty),
                    collation: None,
                })
                .collect(),
            comment: None,
            meta: Meta::default(),
        }
    }

    fn model(composite: Option<CompositeType>, with_column: bool) -> Model {
        let mut res = Model::default();
        if let Some(composite) = composite {
            res.composites.insert(composite.name.clone(), composite);
        }
        if with_column {
            let people = table("people", vec![column("home", "public.address")]);
            res.tables.insert(people.name.clone(), people);
        }
        res
    }

    #[test]
    fn created_before_the_columns_that_use_it() {
        let desired = model(
            Some(composite(&[("street", "text"), ("zip", "integer")])),
            true,
        );
        insta::assert_snapshot!(plan_text(&Model::default(), &desired), @"
        tx CREATE TYPE public.address AS (street text, zip integer)
        tx CREATE TABLE public.people (home public.address)
        ");
    }

    #[test]
    fn attributes_change_in_place_in_one_transaction() {
        let current = model(
            Some(composite(&[
                ("street", "text"),
                ("zip", "integer"),
                ("old", "text"),
            ])),
            true,
        );
        let desired = model(
            Some(composite(&[
                ("street", "text"),
                ("zip", "bigint"),
                ("city", "text"),
            ])),
            true,
        );
        insta::assert_snapshot!(plan_text(&current, &desired), @"
        tx ALTER TYPE public.address DROP ATTRIBUTE old
          ! data-loss
        +tx ALTER TYPE public.address ALTER ATTRIBUTE zip SET DATA TYPE bigint
        +tx ALTER TYPE public.address ADD ATTRIBUTE city text
        ");
    }

    #[test]
    fn a_reordered_type_is_dropped_and_created() {
        let current = model(
            Some(composite(&[("street", "text"), ("zip", "integer")])),
            false,
        );
        let desired = model(
            Some(composite(&[("zip", "integer"), ("street", "text")])),
            false,
        );
        insta::assert_snapshot!(plan_text(&current, &desired), @"
        tx DROP TYPE public.address
        tx CREATE TYPE public.address AS (zip integer, street text)
        ");
    }
}
