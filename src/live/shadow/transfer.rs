//! What the shadow's catalogs cannot say: the file Model's spans, rename
//! hints, partition index names, roles, external patterns and extension
//! version pins carried
//! over to the Model read back from the shadow database, and the Citus
//! distribution as declared (the catalog cannot say how a table was
//! placed).
//!
//! Invariants: pure (no database); only objects present on both sides
//! receive anything, and nothing here changes what the diff compares
//! except the distribution and extension pins it restores.

use crate::model::{Extension, Ident, Index, Model, Table};
use std::collections::BTreeMap;

/// Gives the shadow model the file Model's spans, rename hints and
/// everything a catalog cannot hold or the shadow could not build:
/// declared roles, external patterns, unpinned extension versions (left
/// unpinned, so the server's default version is not mistaken for a pin)
/// and the declared shard distribution; with `citus_stripped`, the citus
/// extension.
pub fn transfer_meta(file: &Model, shadow: &mut Model, citus_stripped: bool) {
    shadow.roles = file.roles.clone();
    shadow.external = file.external.clone();
    for (name, schema) in &mut shadow.schemas {
        if let Some(from) = file.schemas.get(name) {
            schema.meta = from.meta.clone();
            // Schema-based sharding as declared, as for tables: the shadow
            // only proves that Citus accepts it (a session with
            // `citus.enable_schema_based_sharding` on distributes every
            // schema it creates, declared or not).
            schema.distributed = from.distributed;
        }
    }
    for (name, from) in &file.extensions {
        match shadow.extensions.get_mut(name) {
            Some(extension) => {
                extension.meta = from.meta.clone();
                extension.version = from.version.clone();
            }
            None if citus_stripped && name.as_str() == "citus" => {
                shadow.extensions.insert(name.clone(), from.clone());
            }
            None => {}
        }
    }
    for (name, item) in &mut shadow.enums {
        if let Some(from) = file.enums.get(name) {
            item.meta = from.meta.clone();
        }
    }
    for (name, item) in &mut shadow.domains {
        if let Some(from) = file.domains.get(name) {
            item.meta = from.meta.clone();
        }
    }
    for (name, item) in &mut shadow.composites {
        if let Some(from) = file.composites.get(name) {
            item.meta = from.meta.clone();
        }
    }
    for (name, item) in &mut shadow.sequences {
        if let Some(from) = file.sequences.get(name) {
            item.meta = from.meta.clone();
        }
    }
    for (id, item) in &mut shadow.functions {
        let from = file.functions.get(id).or_else(|| {
            // Argument types spelled differently: match by name when the
            // name is not overloaded.
            let mut same_name = file.functions.values().filter(|f| f.id.name == id.name);
            match (same_name.next(), same_name.next()) {
                (Some(only), None) => Some(only),
                _ => None,
            }
        });
        if let Some(from) = from {
            item.meta = from.meta.clone();
        }
    }
    for (name, table) in &mut shadow.tables {
        if let Some(from) = file.tables.get(name) {
            transfer_table(from, table);
        }
    }
    for (name, view) in &mut shadow.views {
        if let Some(from) = file.views.get(name) {
            view.meta = from.meta.clone();
            transfer_indexes(&from.indexes, &mut view.indexes);
        }
    }
}

fn transfer_table(from: &Table, table: &mut Table) {
    table.meta = from.meta.clone();
    // The catalog hides partition indexes attached to their parent's.
    table.index_names = from.index_names.clone();
    // The catalog cannot say how a table was placed (a group of its own
    // and Citus's default group read alike, and a group is named by its
    // first table): the declared distribution is the one to compare, the
    // shadow only proved that Citus accepts it.
    table.distribution = from.distribution.clone();
    for column in &mut table.columns {
        if let Some(source) = from.column(&column.name) {
            column.meta = source.meta.clone();
        }
    }
    for (name, constraint) in &mut table.constraints {
        if let Some(source) = from.constraints.get(name) {
            constraint.meta = source.meta.clone();
        }
    }
    transfer_indexes(&from.indexes, &mut table.indexes);
    for (name, policy) in &mut table.policies {
        if let Some(source) = from.policies.get(name) {
            policy.meta = source.meta.clone();
        }
    }
    for (name, trigger) in &mut table.triggers {
        if let Some(source) = from.triggers.get(name) {
            trigger.meta = source.meta.clone();
        }
    }
}

fn transfer_indexes(from: &BTreeMap<Ident, Box<Index>>, into: &mut BTreeMap<Ident, Box<Index>>) {
    for (name, index) in into {
        if let Some(source) = from.get(name) {
            index.meta = source.meta.clone();
        }
    }
}

/// Removes shard distribution (of tables and schemas) and the citus
/// extension from a Model to be built where Citus cannot run. Returns the
/// tables and schemas that were distributed.
pub(super) fn strip_citus(model: &mut Model) -> Vec<String> {
    model.extensions.retain(|name, _| name.as_str() != "citus");
    let mut res: Vec<String> = model
        .tables
        .values_mut()
        .filter_map(|table| table.distribution.take().map(|_| table.name.to_string()))
        .collect();
    res.extend(
        crate::model::leave_out_schema_distribution(model)
            .into_iter()
            .map(|schema| format!("schema {schema}")),
    );
    res
}

/// The first object of a Model, for "not empty" messages.
pub(super) fn first_object(model: &Model) -> Option<String> {
    let extension = |e: &Extension| format!("extension {}", e.name);
    model
        .schemas
        .keys()
        .next()
        .map(|name| format!("schema {name}"))
        .or_else(|| model.extensions.values().next().map(extension))
        .or_else(|| {
            model
                .tables
                .keys()
                .next()
                .map(|name| format!("table {name}"))
        })
        .or_else(|| model.views.keys().next().map(|name| format!("view {name}")))
        .or_else(|| {
            model
                .functions
                .keys()
                .next()
                .map(|id| format!("function {id}"))
        })
        .or_else(|| model.enums.keys().next().map(|name| format!("type {name}")))
        .or_else(|| {
            model
                .domains
                .keys()
                .next()
                .map(|name| format!("domain {name}"))
        })
        .or_else(|| {
            model
                .sequences
                .keys()
                .next()
                .map(|name| format!("sequence {name}"))
        })
}

pub(super) fn name_list(names: &[String]) -> String {
    let shown: Vec<&str> = names.iter().take(3).map(String::as_str).collect();
    let more = names.len().saturating_sub(shown.len());
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Constraint, ConstraintKind, Meta, QualifiedName};
    use crate::source::{FileId, Span};

    use crate::model::normalize::unproven::tests::{expr, table_with_default};

    #[test]
    fn meta_moves_to_the_shadow_model() {
        let span = Span {
            file: FileId(0),
            start: 3,
            end: 9,
        };
        let mut file = Model::default();
        let mut table = table_with_default("1");
        table.meta = Meta::at(span);
        table.columns[0].meta = Meta::at(span);
        table.constraints.insert(
            Ident::new("t_c_check"),
            Box::new(Constraint {
                name: Ident::new("t_c_check"),
                kind: ConstraintKind::Check {
                    expr: expr("c > 0"),
                    no_inherit: false,
                },
                deferrable: false,
                initially_deferred: false,
                not_valid: false,
                comment: None,
                meta: Meta::at(span),
            }),
        );
        table.distribution = Some(crate::model::Distribution::Reference);
        file.tables.insert(table.name.clone(), table.clone());
        let mut shadow = Model::default();
        let mut bare = table;
        bare.meta = Meta::default();
        bare.columns[0].meta = Meta::default();
        for constraint in bare.constraints.values_mut() {
            constraint.meta = Meta::default();
        }
        bare.distribution = None;
        shadow.tables.insert(bare.name.clone(), bare);
        transfer_meta(&file, &mut shadow, true);
        let moved = &shadow.tables[&QualifiedName::public("t")];
        assert_eq!(moved.meta.span, Some(span));
        assert_eq!(moved.columns[0].meta.span, Some(span));
        assert_eq!(
            moved.constraints[&Ident::new("t_c_check")].meta.span,
            Some(span)
        );
        assert_eq!(
            moved.distribution,
            Some(crate::model::Distribution::Reference)
        );
    }

    #[test]
    fn names_are_listed_briefly() {
        let names: Vec<String> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(name_list(&names), "a, b, c and 2 more");
        assert_eq!(name_list(&names[..2]), "a, b");
    }
}
