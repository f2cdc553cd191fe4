//! Lowering of the small top-level objects: schemas, extensions, roles,
//! external patterns, enums, domains and sequences.
//!
//! Invariant: the `public` schema is never part of `Model::schemas`;
//! sequence options always carry PostgreSQL's defaults for what was not
//! written.

use super::{ident, ident_verbatim, qualified, type_spelling, unique_name, Cx};
use crate::frontend::dsl::parse::Rule;
use crate::frontend::dsl::tree::{child, children, first_kid, has, string_value, Node};
use crate::model::normalize;
use crate::model::*;
use std::collections::BTreeMap;

impl Cx<'_> {
    pub(super) fn lower_schema(&mut self, def: &Node<'_>, comment: Option<String>) {
        let Some(name_node) = child(def, Rule::ident) else {
            return;
        };
        let name = ident(&name_node);
        if name.as_str() == "public" {
            if has(def, Rule::kw_distributed) {
                self.error(
                    def,
                    "the public schema cannot be distributed (Citus refuses it): distribute a schema of its own",
                );
            }
            return;
        }
        let meta = self.meta(def, Some(&name_node));
        if let Some(first) = self.model.schemas.get(&name) {
            let first = first.meta.span;
            return self.duplicate(def, format!("schema {name}"), first);
        }
        self.model.schemas.insert(
            name.clone(),
            Schema {
                name,
                comment,
                distributed: has(def, Rule::kw_distributed),
                meta,
            },
        );
    }

    pub(super) fn lower_extension(&mut self, def: &Node<'_>) {
        let Some(name_node) = child(def, Rule::ident) else {
            return;
        };
        let name = ident(&name_node);
        let schema = child(def, Rule::ext_schema)
            .and_then(|node| child(&node, Rule::ident))
            .map_or_else(|| Ident::new("public"), |node| ident(&node));
        let version = child(def, Rule::ext_version).and_then(|node| {
            child(&node, Rule::string)
                .map(|s| string_value(s.as_str()))
                .or_else(|| child(&node, Rule::version_word).map(|w| w.as_str().to_string()))
        });
        let meta = self.meta(def, Some(&name_node));
        if let Some(first) = self.model.extensions.get(&name) {
            let first = first.meta.span;
            return self.duplicate(def, format!("extension {name}"), first);
        }
        self.model.extensions.insert(
            name.clone(),
            Extension {
                name,
                schema,
                version,
                meta,
            },
        );
    }

    pub(super) fn lower_role(&mut self, def: &Node<'_>) {
        let Some(name_node) = child(def, Rule::ident) else {
            return;
        };
        let name = ident(&name_node);
        let meta = self.meta(def, Some(&name_node));
        self.model.roles.insert(name.clone(), Role { name, meta });
    }

    pub(super) fn lower_external(&mut self, def: &Node<'_>) {
        let Some(pattern) = child(def, Rule::pattern) else {
            return;
        };
        let text = pattern.as_str();
        let unquoted = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .or_else(|| text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')))
            .unwrap_or(text);
        let meta = self.meta(def, Some(&pattern));
        self.model.external.push(ExternalPattern {
            pattern: unquoted.to_string(),
            meta,
        });
    }

    pub(super) fn lower_enum(&mut self, def: &Node<'_>, comment: Option<String>) {
        let Some(name_node) = child(def, Rule::qname) else {
            return;
        };
        let name = qualified(&name_node);
        let values: Vec<String> = children(def, Rule::enum_value)
            .iter()
            .filter_map(first_kid)
            .map(|value| match value.as_rule() {
                Rule::string => string_value(value.as_str()),
                _ => ident_verbatim(&value),
            })
            .collect();
        let meta = self.meta(def, Some(&name_node));
        if let Some(first) = self.model.enums.get(&name) {
            let first = first.meta.span;
            return self.duplicate(def, format!("enum {name}"), first);
        }
        self.model.enums.insert(
            name.clone(),
            Enum {
                name,
                values,
                comment,
                meta,
            },
        );
    }

    /// `type name (attribute type [collate c], ...)`: a composite type.
    pub(super) fn lower_composite(&mut self, def: &Node<'_>, comment: Option<String>) {
        let Some(name_node) = child(def, Rule::qname) else {
            return;
        };
        let name = qualified(&name_node);
        let mut attributes: Vec<CompositeAttribute> = Vec::new();
        for attr in children(def, Rule::type_attr) {
            let (Some(attr_name), Some(ty)) =
                (child(&attr, Rule::ident), child(&attr, Rule::type_ref))
            else {
                continue;
            };
            let attribute = CompositeAttribute {
                name: ident(&attr_name),
                ty: normalize::type_name(&type_spelling(&ty), "public"),
                collation: child(&attr, Rule::opt_collate)
                    .and_then(|collate| child(&collate, Rule::qname))
                    .map(|n| super::collation(&n)),
            };
            if attributes.iter().any(|known| known.name == attribute.name) {
                self.error(
                    &attr,
                    format!(
                        "attribute {} is declared twice in type {name}",
                        attribute.name
                    ),
                );
                continue;
            }
            attributes.push(attribute);
        }
        if let Some(first) = self.model.composites.get(&name) {
            let first = first.meta.span;
            return self.duplicate(def, format!("type {name}"), first);
        }
        let meta = self.meta(def, Some(&name_node));
        self.model.composites.insert(
            name.clone(),
            CompositeType {
                name,
                attributes,
                comment,
                meta,
            },
        );
    }

    pub(super) fn lower_domain(&mut self, def: &Node<'_>, comment: Option<String>) {
        let Some(name_node) = child(def, Rule::qname) else {
            return;
        };
        let name = qualified(&name_node);
        let base = child(def, Rule::type_ref).map_or_else(TypeName::default, |ty| {
            normalize::type_name(&type_spelling(&ty), "public")
        });
        let mut domain = Domain {
            name: name.clone(),
            base,
            collation: None,
            default: None,
            not_null: false,
            checks: BTreeMap::new(),
            comment,
            meta: self.meta(def, Some(&name_node)),
        };
        for opt in children(def, Rule::domain_opt) {
            let Some(opt) = first_kid(&opt) else { continue };
            match opt.as_rule() {
                Rule::opt_not_null => domain.not_null = true,
                Rule::opt_null => domain.not_null = false,
                Rule::opt_default => {
                    if let Some(expr) = child(&opt, Rule::default_expr) {
                        domain.default = Some(self.expr(&expr));
                    }
                }
                Rule::opt_collate => {
                    domain.collation = child(&opt, Rule::qname).map(|n| super::collation(&n))
                }
                Rule::dom_check => {
                    let Some(expr_node) = child(&opt, Rule::paren_expr) else {
                        continue;
                    };
                    let expr = self.expr(&expr_node);
                    let check_name = match child(&opt, Rule::ident) {
                        Some(explicit) => ident(&explicit),
                        None => unique_name(
                            Ident::new(format!("{}_check", name.name.as_str())),
                            |candidate| domain.checks.contains_key(candidate),
                        ),
                    };
                    domain.checks.insert(check_name, expr);
                }
                _ => {}
            }
        }
        if let Some(first) = self.model.domains.get(&name) {
            let first = first.meta.span;
            return self.duplicate(def, format!("domain {name}"), first);
        }
        self.model.domains.insert(name, domain);
    }

    pub(super) fn lower_sequence(&mut self, def: &Node<'_>, comment: Option<String>) {
        let Some(name_node) = child(def, Rule::qname) else {
            return;
        };
        let name = qualified(&name_node);
        let opts = children(def, Rule::seq_opt);
        let data_type = opts
            .iter()
            .filter_map(|opt| child(opt, Rule::seq_as))
            .filter_map(|opt| child(&opt, Rule::type_ref))
            .map(|ty| normalize::type_name(&type_spelling(&ty), "public"))
            .next_back()
            .unwrap_or_else(|| TypeName::new("bigint"));
        let options = self.sequence_options(data_type, &opts);
        let mut owned_by = None;
        for opt in opts.iter().filter_map(|opt| child(opt, Rule::seq_owned_by)) {
            owned_by = child(&opt, Rule::dotted_name).and_then(|dotted| {
                let mut parts: Vec<Ident> =
                    children(&dotted, Rule::ident).iter().map(ident).collect();
                let column = parts.pop()?;
                let table = match parts.as_slice() {
                    [table] => QualifiedName {
                        schema: Ident::new("public"),
                        name: table.clone(),
                    },
                    [schema, table] => QualifiedName {
                        schema: schema.clone(),
                        name: table.clone(),
                    },
                    _ => return None,
                };
                Some((table, column))
            });
        }
        let meta = self.meta(def, Some(&name_node));
        if let Some(first) = self.model.sequences.get(&name) {
            let first = first.meta.span;
            return self.duplicate(def, format!("sequence {name}"), first);
        }
        self.model.sequences.insert(
            name.clone(),
            Sequence {
                name,
                options,
                owned_by,
                comment,
                meta,
            },
        );
    }

    /// PostgreSQL's defaults for `data_type`, overridden by the options
    /// written (`seq_opt` nodes; `as` and `owned by` are ignored here).
    pub(super) fn sequence_options(
        &mut self,
        data_type: TypeName,
        opts: &[Node<'_>],
    ) -> SequenceOptions {
        let mut increment = 1;
        let (mut start, mut min, mut max, mut cache, mut cycle) = (None, None, None, None, None);
        for opt in opts {
            let Some(opt) = first_kid(opt) else { continue };
            let number = child(&opt, Rule::int).and_then(|n| self.int(&n));
            match opt.as_rule() {
                Rule::seq_start => start = number,
                Rule::seq_increment => increment = number.filter(|n| *n != 0).unwrap_or(1),
                Rule::seq_minvalue => min = Some(number),
                Rule::seq_maxvalue => max = Some(number),
                Rule::seq_cache => cache = number,
                Rule::seq_cycle => cycle = Some(!has(&opt, Rule::kw_no)),
                _ => {}
            }
        }
        let mut options = SequenceOptions::defaults(data_type, increment);
        if let Some(Some(min)) = min {
            options.min_value = min;
        }
        if let Some(Some(max)) = max {
            options.max_value = max;
        }
        options.start = start.unwrap_or(if increment > 0 {
            options.min_value
        } else {
            options.max_value
        });
        if let Some(cache) = cache {
            options.cache = cache;
        }
        if let Some(cycle) = cycle {
            options.cycle = cycle;
        }
        options
    }

    pub(super) fn int(&mut self, node: &Node<'_>) -> Option<i64> {
        match node.as_str().trim_start_matches('+').parse::<i64>() {
            Ok(value) => Some(value),
            Err(_) => {
                self.error(node, format!("number `{}` is out of range", node.as_str()));
                None
            }
        }
    }
}
