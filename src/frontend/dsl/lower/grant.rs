//! `grant ... on KIND name to roles [with grant option]` and `revoke ...
//! on KIND name from roles`: privileges (see [`crate::model::privilege`]).
//!
//! The language is declarative: an object's privileges are its kind's
//! default with the file's grants and revokes applied in file order, once
//! every object of the file is lowered (a grant may precede its object).
//! `public` (unquoted) is PUBLIC. A privilege the kind does not have, or
//! an object the file does not declare, is an error at the statement.

use super::super::parse::Rule;
use super::super::tree::{child, children, kids, Node};
use super::{ident, qualified, type_spelling, Cx};
use crate::diagnostics::Diagnostic;
use crate::model::privilege::apply_grant;
use crate::model::{
    normalize, AclKind, AclTarget, DefaultAclKey, FunctionId, Grantee, Privilege, QualifiedName,
};
use crate::source::Span;

/// A grant or revoke read from the file, applied by [`Cx::apply_grants`].
pub(in crate::frontend::dsl) struct PendingGrant {
    grant: bool,
    /// `None`: `all`.
    privileges: Option<Vec<Privilege>>,
    kind: String,
    name: QualifiedName,
    /// A function's argument types, when written.
    arg_types: Option<Vec<crate::model::TypeName>>,
    grantees: Vec<Grantee>,
    with_grant_option: bool,
    span: Span,
}

impl Cx<'_> {
    pub(super) fn lower_grant(&mut self, def: &Node<'_>, grant: bool) {
        let span = self.span(def);
        let privileges = match child(def, Rule::acl_privileges) {
            Some(list) if child(&list, Rule::kw_all).is_some() => None,
            Some(list) => {
                let mut res = Vec::new();
                for word in children(&list, Rule::acl_privilege) {
                    match Privilege::parse(word.as_str()) {
                        Some(privilege) => res.push(privilege),
                        None => {
                            self.error(&word, format!("unknown privilege {}", word.as_str()));
                            return;
                        }
                    }
                }
                Some(res)
            }
            None => return,
        };
        let Some(object) = child(def, Rule::acl_object) else {
            return;
        };
        let kind = child(&object, Rule::acl_kind)
            .map(|kind| kind.as_str().to_lowercase())
            .unwrap_or_default();
        let (name, arg_types) = match child(&object, Rule::acl_function) {
            Some(function) => {
                let name = child(&function, Rule::qname)
                    .map(|name| qualified(&name))
                    .unwrap_or_default();
                let types = children(&function, Rule::type_ref)
                    .iter()
                    .map(|ty| normalize::type_name(&type_spelling(ty), "public"))
                    .collect();
                (name, Some(types))
            }
            None => match child(&object, Rule::qname) {
                Some(name) if kind == "schema" => {
                    let parts: Vec<_> = kids(&name).collect();
                    if parts.len() != 1 {
                        self.error(&name, "a schema name has no schema qualifier");
                        return;
                    }
                    (QualifiedName::new("", ident(&parts[0]).0), None)
                }
                Some(name) => (qualified(&name), None),
                None => return,
            },
        };
        let grantees = child(def, Rule::acl_grantees)
            .map(|list| grantee_list(&list))
            .unwrap_or_default();
        self.pending_grants.push(PendingGrant {
            grant,
            privileges,
            kind,
            name,
            arg_types,
            grantees,
            with_grant_option: child(def, Rule::acl_option).is_some(),
            span,
        });
    }

    /// `default privileges [for role r] [in schema s] grant | revoke ...
    /// on tables | sequences | functions | routines | types | schemas ...`:
    /// the `pg_default_acl` entry, in file order (it does not touch the
    /// file's objects).
    pub(super) fn lower_default_privileges(&mut self, def: &Node<'_>) {
        self.writes_default_privileges = true;
        let span = self.span(def);
        let role = child(def, Rule::dp_role)
            .and_then(|node| child(&node, Rule::ident))
            .map(|node| ident(&node));
        let schema = child(def, Rule::dp_schema)
            .and_then(|node| child(&node, Rule::ident))
            .map(|node| ident(&node));
        let (body, grant) = match (child(def, Rule::dp_grant), child(def, Rule::dp_revoke)) {
            (Some(body), _) => (body, true),
            (None, Some(body)) => (body, false),
            (None, None) => return,
        };
        let Some(objects) = child(&body, Rule::dp_objects) else {
            return;
        };
        let kind = match objects.as_str().to_lowercase().as_str() {
            "tables" => AclKind::Table,
            "sequences" => AclKind::Sequence,
            "functions" | "routines" => AclKind::Function,
            "types" => AclKind::Type,
            _ => AclKind::Schema,
        };
        if kind == AclKind::Schema && schema.is_some() {
            self.error(
                &objects,
                "default privileges on schemas cannot be limited to a schema (leave out `in schema`)",
            );
            return;
        }
        let privileges = match child(&body, Rule::acl_privileges) {
            Some(list) if child(&list, Rule::kw_all).is_some() => kind.all_privileges().to_vec(),
            Some(list) => {
                let mut res = Vec::new();
                for word in children(&list, Rule::acl_privilege) {
                    match Privilege::parse(word.as_str()) {
                        Some(privilege) if kind.allows(privilege) => res.push(privilege),
                        Some(privilege) => {
                            let span = self.span(&word);
                            self.diagnostics.push(Diagnostic::error(
                                "invalid-privilege",
                                span,
                                format!(
                                    "invalid privilege type {privilege} for {}",
                                    kind.objects_sql().to_lowercase()
                                ),
                            ));
                            return;
                        }
                        None => {
                            self.error(&word, format!("unknown privilege {}", word.as_str()));
                            return;
                        }
                    }
                }
                res
            }
            None => return,
        };
        let grantees = child(&body, Rule::acl_grantees)
            .map(|list| grantee_list(&list))
            .unwrap_or_default();
        if let Some(schema) = &schema {
            self.default_privilege_schemas.push((schema.clone(), span));
        }
        let key = DefaultAclKey {
            role: role.clone(),
            schema,
            kind,
        };
        let mut acl = self.model.default_acl_entry(&key);
        for grantee in &grantees {
            if key.drops_own_entry(grantee) {
                continue;
            }
            apply_grant(
                &mut acl,
                grant,
                false,
                &privileges,
                grantee,
                grant && child(&body, Rule::acl_option).is_some(),
            );
        }
        self.model.set_default_acl_entry(key, acl);
    }

    /// Applies the file's grants and revokes in order (see the module doc).
    pub(super) fn apply_grants(&mut self) {
        for (schema, span) in std::mem::take(&mut self.default_privilege_schemas) {
            if !self.model.schemas.contains_key(&schema) && schema.as_str() != "public" {
                self.diagnostics.push(Diagnostic::error(
                    "unknown-reference",
                    span,
                    format!(
                        "default privileges in schema {schema}, which this file does not declare"
                    ),
                ));
            }
        }
        for pending in std::mem::take(&mut self.pending_grants) {
            let Some(target) = self.grant_target(&pending) else {
                continue;
            };
            let kind = target.kind();
            let privileges = match &pending.privileges {
                None => kind.all_privileges().to_vec(),
                Some(listed) => {
                    if let Some(bad) = listed.iter().find(|privilege| !kind.allows(**privilege)) {
                        self.diagnostics.push(Diagnostic::error(
                            "invalid-privilege",
                            pending.span,
                            format!("invalid privilege type {bad} for {target}"),
                        ));
                        continue;
                    }
                    listed.clone()
                }
            };
            let mut acl = self.model.acl(&target);
            for grantee in &pending.grantees {
                apply_grant(
                    &mut acl,
                    pending.grant,
                    false,
                    &privileges,
                    grantee,
                    pending.with_grant_option,
                );
            }
            self.model.set_acl(target, acl);
        }
    }

    fn grant_target(&mut self, pending: &PendingGrant) -> Option<AclTarget> {
        let name = &pending.name;
        let model = &self.model;
        let target = match pending.kind.as_str() {
            "schema" => Some(AclTarget::Schema(name.name.clone())),
            "table" | "view" if model.sequences.contains_key(name) => {
                Some(AclTarget::Sequence(name.clone()))
            }
            "table" | "view" => Some(AclTarget::Table(name.clone())),
            "sequence" => Some(AclTarget::Sequence(name.clone())),
            "type" | "domain" => Some(AclTarget::Type(name.clone())),
            _ => {
                let found: Vec<&FunctionId> = model
                    .functions
                    .keys()
                    .filter(|id| {
                        &id.name == name
                            && pending
                                .arg_types
                                .as_ref()
                                .is_none_or(|types| &id.arg_types == types)
                    })
                    .collect();
                match found.as_slice() {
                    [id] => Some(AclTarget::Function((*id).clone())),
                    [] => None,
                    _ => {
                        self.diagnostics.push(Diagnostic::error(
                            "ambiguous-reference",
                            pending.span,
                            format!("function name {name} is not unique: name its argument types"),
                        ));
                        return None;
                    }
                }
            }
        };
        match target {
            Some(target) if self.model.has_acl_target(&target) => Some(target),
            _ => {
                let what = match pending.kind.as_str() {
                    "schema" => format!("schema {}", name.name),
                    kind => format!("{kind} {name}"),
                };
                self.diagnostics.push(Diagnostic::error(
                    "unknown-reference",
                    pending.span,
                    format!(
                        "{} on {what}, which this file does not declare",
                        if pending.grant { "grant" } else { "revoke" }
                    ),
                ));
                None
            }
        }
    }
}

/// The roles of an `acl_grantees` list; `public` (unquoted) is PUBLIC.
fn grantee_list(list: &Node<'_>) -> Vec<Grantee> {
    children(list, Rule::ident)
        .iter()
        .map(|node| {
            let name = ident(node);
            if name.as_str() == "public" && !node.as_str().starts_with('"') {
                Grantee::Public
            } else {
                Grantee::Role(name)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Severity;
    use crate::source::{FileId, Language, SourceFile};

    fn load(text: &str, language: Language) -> crate::diagnostics::Parsed<crate::model::Model> {
        let file = SourceFile::new(FileId(0), "t".into(), text.to_string(), language);
        match language {
            Language::Schema => crate::frontend::dsl::load_file(&file),
            Language::Sql => crate::frontend::sql::load_file(&file),
        }
    }

    #[test]
    fn both_notations_give_the_same_privileges() {
        let schema = load(
            "grant select on table app.t to reader with grant option
schema app
table app.t { a integer }
enum app.e { x }
function app.f(a integer) returns integer language sql as $$ select a $$
grant usage, create on schema app to reader
grant all on table app.t to writer
revoke execute on function app.f from public
grant execute on function app.f(integer) to reader
revoke all on type app.e from public
grant usage on type app.e to public",
            Language::Schema,
        );
        let errors: Vec<_> = schema
            .diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Info)
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        let sql = load(
            "CREATE SCHEMA app;
CREATE TABLE app.t (a integer);
CREATE TYPE app.e AS ENUM ('x');
CREATE FUNCTION app.f(a integer) RETURNS integer LANGUAGE sql AS $$ select a $$;
GRANT USAGE, CREATE ON SCHEMA app TO reader;
GRANT SELECT ON app.t TO reader WITH GRANT OPTION;
GRANT ALL ON app.t TO writer;
REVOKE EXECUTE ON FUNCTION app.f(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.f(integer) TO reader;",
            Language::Sql,
        );
        assert_eq!(schema.value.privileges, sql.value.privileges);
        // The type's revoke and grant back leave its default.
        assert_eq!(schema.value.privileges.len(), 3);
        let printed = crate::frontend::dsl::print::print_model(&schema.value);
        assert!(
            printed.contains("revoke execute on function app.f(integer) from public"),
            "{printed}"
        );
    }

    #[test]
    fn unknown_objects_and_privileges_are_errors() {
        let parsed = load(
            "table t { a integer }\ngrant select on table nope to reader\ngrant execute on table t to reader\ngrant frobnicate on table t to reader",
            Language::Schema,
        );
        let codes: Vec<&str> = parsed.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            vec!["unknown-reference", "invalid-privilege", "syntax-error"],
            "{:?}",
            parsed.diagnostics
        );
    }
}
