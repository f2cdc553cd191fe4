//! Privileges (`GRANT` / `REVOKE`): what PostgreSQL's ACL columns
//! (`relacl`, `proacl`, `nspacl`, `typacl`) hold, as a canonical set.
//!
//! Invariants:
//! - The Model keeps an object's ACL in [`Model::privileges`] only when it
//!   differs from the kind's built-in default ([`default_acl`], PostgreSQL's
//!   `acldefault` without the owner's entries): an object with no GRANT or
//!   REVOKE in the files and a live object whose ACL is NULL (or spelled
//!   out but equal to the default) compare equal because neither has an
//!   entry. [`Model::set_acl`] keeps this canonical form.
//! - The owner's own entries are never part of the Model. The owner is not
//!   managed per object (it is the role the creating statement ran under,
//!   `Meta::role`, or the applying user), and its implicit privileges
//!   follow it; the introspector drops the entries whose grantee is the
//!   object's owner, and the `.sql` frontend drops the ones granted to the
//!   role of the file's `SET ROLE` at the object's creation.
//! - The grantor is not modelled: PostgreSQL records the role that ran the
//!   GRANT, which is the owner for everything schemac plans.
//! - One entry per (grantee, privilege); `grantable` is the grant option.

use super::{FunctionId, Ident, QualifiedName};
use std::collections::BTreeMap;
use std::fmt;

/// Who receives a privilege.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grantee {
    Public,
    Role(Ident),
}

impl fmt::Display for Grantee {
    /// SQL spelling: `PUBLIC` or the (quoted when needed) role name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grantee::Public => f.write_str("PUBLIC"),
            Grantee::Role(name) => write!(f, "{name}"),
        }
    }
}

/// One privilege, as `aclexplode` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Privilege {
    Select,
    Insert,
    Update,
    Delete,
    Truncate,
    References,
    Trigger,
    /// PostgreSQL 17's `MAINTAIN` on tables.
    Maintain,
    Usage,
    Execute,
    Create,
}

impl Privilege {
    pub const ALL: [Privilege; 11] = [
        Privilege::Select,
        Privilege::Insert,
        Privilege::Update,
        Privilege::Delete,
        Privilege::Truncate,
        Privilege::References,
        Privilege::Trigger,
        Privilege::Maintain,
        Privilege::Usage,
        Privilege::Execute,
        Privilege::Create,
    ];

    /// The SQL keyword (`SELECT`), also `aclexplode`'s `privilege_type`.
    pub fn as_sql(self) -> &'static str {
        match self {
            Privilege::Select => "SELECT",
            Privilege::Insert => "INSERT",
            Privilege::Update => "UPDATE",
            Privilege::Delete => "DELETE",
            Privilege::Truncate => "TRUNCATE",
            Privilege::References => "REFERENCES",
            Privilege::Trigger => "TRIGGER",
            Privilege::Maintain => "MAINTAIN",
            Privilege::Usage => "USAGE",
            Privilege::Execute => "EXECUTE",
            Privilege::Create => "CREATE",
        }
    }

    /// Reads a keyword (any case).
    pub fn parse(word: &str) -> Option<Privilege> {
        Privilege::ALL
            .into_iter()
            .find(|privilege| privilege.as_sql().eq_ignore_ascii_case(word))
    }
}

impl fmt::Display for Privilege {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_sql())
    }
}

/// The object an ACL belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AclTarget {
    Schema(Ident),
    /// A table, partition, view or materialized view.
    Table(QualifiedName),
    Sequence(QualifiedName),
    /// A function or procedure.
    Function(FunctionId),
    /// An enum, domain or composite type.
    Type(QualifiedName),
}

/// The kinds of objects, as far as privileges go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AclKind {
    Schema,
    Table,
    Sequence,
    Function,
    Type,
}

impl AclKind {
    /// What `ALL [PRIVILEGES]` grants on this kind (PostgreSQL 13 to 16;
    /// 17 adds MAINTAIN on tables, which is then an entry of its own).
    pub fn all_privileges(self) -> &'static [Privilege] {
        match self {
            AclKind::Schema => &[Privilege::Usage, Privilege::Create],
            AclKind::Table => &[
                Privilege::Select,
                Privilege::Insert,
                Privilege::Update,
                Privilege::Delete,
                Privilege::Truncate,
                Privilege::References,
                Privilege::Trigger,
            ],
            AclKind::Sequence => &[Privilege::Usage, Privilege::Select, Privilege::Update],
            AclKind::Function => &[Privilege::Execute],
            AclKind::Type => &[Privilege::Usage],
        }
    }

    /// True when the privilege applies to this kind.
    pub fn allows(self, privilege: Privilege) -> bool {
        self.all_privileges().contains(&privilege)
            || (self == AclKind::Table && privilege == Privilege::Maintain)
    }

    /// The objects clause of `ALTER DEFAULT PRIVILEGES`: `TABLES`.
    pub fn objects_sql(self) -> &'static str {
        match self {
            AclKind::Schema => "SCHEMAS",
            AclKind::Table => "TABLES",
            AclKind::Sequence => "SEQUENCES",
            AclKind::Function => "FUNCTIONS",
            AclKind::Type => "TYPES",
        }
    }

    /// Lower-case name for messages and the JSON plan.
    pub fn as_str(self) -> &'static str {
        match self {
            AclKind::Schema => "schema",
            AclKind::Table => "table",
            AclKind::Sequence => "sequence",
            AclKind::Function => "function",
            AclKind::Type => "type",
        }
    }
}

impl AclTarget {
    pub fn kind(&self) -> AclKind {
        match self {
            AclTarget::Schema(_) => AclKind::Schema,
            AclTarget::Table(_) => AclKind::Table,
            AclTarget::Sequence(_) => AclKind::Sequence,
            AclTarget::Function(_) => AclKind::Function,
            AclTarget::Type(_) => AclKind::Type,
        }
    }

    /// The object clause of GRANT and REVOKE: `TABLE public.t`,
    /// `ROUTINE public.f(integer)` (functions and procedures alike).
    pub fn sql(&self) -> String {
        match self {
            AclTarget::Schema(name) => format!("SCHEMA {name}"),
            AclTarget::Table(name) => format!("TABLE {name}"),
            AclTarget::Sequence(name) => format!("SEQUENCE {name}"),
            AclTarget::Function(id) => format!("ROUTINE {id}"),
            AclTarget::Type(name) => format!("TYPE {name}"),
        }
    }

    /// The schema the object lives in (itself for a schema).
    pub fn schema(&self) -> &Ident {
        match self {
            AclTarget::Schema(name) => name,
            AclTarget::Table(name) | AclTarget::Sequence(name) | AclTarget::Type(name) => {
                &name.schema
            }
            AclTarget::Function(id) => &id.name.schema,
        }
    }
}

impl fmt::Display for AclTarget {
    /// `table public.t`, `function public.f(integer)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AclTarget::Schema(name) => write!(f, "schema {name}"),
            AclTarget::Table(name) => write!(f, "table {name}"),
            AclTarget::Sequence(name) => write!(f, "sequence {name}"),
            AclTarget::Function(id) => write!(f, "function {id}"),
            AclTarget::Type(name) => write!(f, "type {name}"),
        }
    }
}

/// An object's ACL without the owner's entries: (grantee, privilege) ->
/// with grant option.
pub type Acl = BTreeMap<(Grantee, Privilege), bool>;

/// The owner of each object, as the catalog says (filled by introspection
/// only). Not part of the schema and never part of equality: the diff uses
/// it to leave out a desired grant to the object's current owner, whose
/// own privileges are not modelled (pgstac creates its schema with
/// `AUTHORIZATION pgstac_admin` and then grants ALL on it to pgstac_admin).
#[derive(Debug, Clone, Default)]
pub struct Owners(pub BTreeMap<AclTarget, Ident>);

impl PartialEq for Owners {
    fn eq(&self, _other: &Owners) -> bool {
        true
    }
}

impl Eq for Owners {}

/// The ACL PostgreSQL gives a new object of this kind, owner aside
/// (`acldefault`): PUBLIC may execute functions and use types; nothing
/// else is granted to anyone but the owner.
pub fn default_acl(kind: AclKind) -> Acl {
    let mut res = Acl::new();
    match kind {
        AclKind::Function => {
            res.insert((Grantee::Public, Privilege::Execute), false);
        }
        AclKind::Type => {
            res.insert((Grantee::Public, Privilege::Usage), false);
        }
        AclKind::Schema | AclKind::Table | AclKind::Sequence => {}
    }
    res
}

/// `GRANT` (`grant` true) or `REVOKE` of `privileges` on `acl` for
/// `grantee`, as PostgreSQL applies them: a grant with the grant option
/// sets it, one without keeps an option already held; `REVOKE GRANT
/// OPTION FOR` (`option_only`) clears only the option.
pub fn apply_grant(
    acl: &mut Acl,
    grant: bool,
    option_only: bool,
    privileges: &[Privilege],
    grantee: &Grantee,
    with_grant_option: bool,
) {
    for &privilege in privileges {
        let key = (grantee.clone(), privilege);
        if grant {
            let held = acl.get(&key).copied().unwrap_or(false);
            acl.insert(key, held || with_grant_option);
        } else if option_only {
            if let Some(option) = acl.get_mut(&key) {
                *option = false;
            }
        } else {
            acl.remove(&key);
        }
    }
}

/// One entry of `pg_default_acl` (`ALTER DEFAULT PRIVILEGES`): the
/// privileges that objects of `kind` get when `role` creates them, in
/// `schema` or (`None`) anywhere.
///
/// `role` `None` is the role schemac runs as (the applying user): a file's
/// `ALTER DEFAULT PRIVILEGES` without `FOR ROLE` and outside any `SET
/// ROLE`, and, on the catalog side, an entry of the connected role.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DefaultAclKey {
    pub role: Option<Ident>,
    pub schema: Option<Ident>,
    pub kind: AclKind,
}

impl DefaultAclKey {
    /// What the entry holds when nothing altered it, owner aside: a
    /// global entry replaces the kind's built-in default; a per-schema one
    /// only adds to the global result, so its default is empty.
    pub fn base(&self) -> Acl {
        match self.schema {
            None => default_acl(self.kind),
            Some(_) => Acl::new(),
        }
    }

    /// True when an entry for `grantee` is left out of this key's ACL:
    /// the role's own entries of a global entry, which PostgreSQL keeps as
    /// part of the full ACL (the owner's privileges, not modelled). A
    /// per-schema entry holds only what was granted, the role's own grants
    /// included (pg_dump prints them).
    pub fn drops_own_entry(&self, grantee: &Grantee) -> bool {
        self.schema.is_none()
            && matches!((grantee, &self.role), (Grantee::Role(name), Some(own)) if name == own)
    }

    /// The clause between `ALTER DEFAULT PRIVILEGES` and `GRANT`:
    /// `FOR ROLE r IN SCHEMA s` (either part may be absent).
    pub fn scope_sql(&self) -> String {
        let mut res = String::new();
        if let Some(role) = &self.role {
            res.push_str(&format!("FOR ROLE {role}"));
        }
        if let Some(schema) = &self.schema {
            if !res.is_empty() {
                res.push(' ');
            }
            res.push_str(&format!("IN SCHEMA {schema}"));
        }
        res
    }
}

impl fmt::Display for DefaultAclKey {
    /// `default privileges for role r in schema s on tables`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("default privileges")?;
        if let Some(role) = &self.role {
            write!(f, " for role {role}")?;
        }
        if let Some(schema) = &self.schema {
            write!(f, " in schema {schema}")?;
        }
        write!(f, " on {}", self.kind.objects_sql().to_lowercase())
    }
}

/// A value that is carried along but never part of equality.
#[derive(Debug, Clone, Default)]
pub struct NotCompared<T>(pub T);

impl<T> PartialEq for NotCompared<T> {
    fn eq(&self, _other: &NotCompared<T>) -> bool {
        true
    }
}

impl<T> Eq for NotCompared<T> {}

impl super::Model {
    /// The `pg_default_acl` entry (owner aside), its default when the
    /// Model keeps none.
    pub fn default_acl_entry(&self, key: &DefaultAclKey) -> Acl {
        self.default_privileges
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.base())
    }

    /// Sets a `pg_default_acl` entry, keeping the canonical form (no entry
    /// when it is the default, as PostgreSQL removes such entries).
    pub fn set_default_acl_entry(&mut self, key: DefaultAclKey, acl: Acl) {
        if acl == key.base() {
            self.default_privileges.remove(&key);
        } else {
            self.default_privileges.insert(key, acl);
        }
    }

    /// The ACL (owner aside) PostgreSQL gives an object of `kind` that
    /// `role` (`None`: the role schemac runs as) creates in `schema`, by
    /// this Model's default privileges: the global entry (else the kind's
    /// built-in default) with the per-schema entry added.
    pub fn acl_at_creation(&self, kind: AclKind, role: Option<&Ident>, schema: &Ident) -> Acl {
        let key = |schema: Option<&Ident>| DefaultAclKey {
            role: role.cloned(),
            schema: schema.cloned(),
            kind,
        };
        let mut acl = self.default_acl_entry(&key(None));
        if kind != AclKind::Schema {
            for (entry, option) in self.default_acl_entry(&key(Some(schema))) {
                let held = acl.get(&entry).copied().unwrap_or(false);
                acl.insert(entry, held || option);
            }
        }
        if let Some(role) = role {
            acl.retain(|(grantee, _), _| !matches!(grantee, Grantee::Role(r) if r == role));
        }
        acl
    }
}

impl super::Model {
    /// The object's ACL (owner aside), its kind's default when the Model
    /// keeps none.
    pub fn acl(&self, target: &AclTarget) -> Acl {
        self.privileges
            .get(target)
            .cloned()
            .unwrap_or_else(|| default_acl(target.kind()))
    }

    /// Sets the object's ACL, keeping the canonical form (no entry when it
    /// is the kind's default).
    pub fn set_acl(&mut self, target: AclTarget, acl: Acl) {
        if acl == default_acl(target.kind()) {
            self.privileges.remove(&target);
        } else {
            self.privileges.insert(target, acl);
        }
    }

    /// True when the Model declares the object.
    pub fn has_acl_target(&self, target: &AclTarget) -> bool {
        self.acl_target_meta(target).is_some()
    }

    /// The `Meta` of the object (its span and the role that creates it).
    pub fn acl_target_meta(&self, target: &AclTarget) -> Option<&super::Meta> {
        match target {
            AclTarget::Schema(name) => self.schemas.get(name).map(|s| &s.meta),
            AclTarget::Table(name) => match self.tables.get(name) {
                Some(table) => Some(&table.meta),
                None => self.views.get(name).map(|v| &v.meta),
            },
            AclTarget::Sequence(name) => self.sequences.get(name).map(|s| &s.meta),
            AclTarget::Function(id) => self.functions.get(id).map(|f| &f.meta),
            AclTarget::Type(name) => match self.enums.get(name) {
                Some(found) => Some(&found.meta),
                None => match self.domains.get(name) {
                    Some(found) => Some(&found.meta),
                    None => self.composites.get(name).map(|c| &c.meta),
                },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;

    #[test]
    fn default_acl_is_not_kept() {
        let mut model = Model::default();
        let f = AclTarget::Function(FunctionId {
            name: QualifiedName::public("f"),
            arg_types: Vec::new(),
        });
        let mut acl = model.acl(&f);
        apply_grant(
            &mut acl,
            false,
            false,
            &[Privilege::Execute],
            &Grantee::Public,
            false,
        );
        model.set_acl(f.clone(), acl.clone());
        assert_eq!(model.privileges.get(&f), Some(&Acl::new()));
        apply_grant(
            &mut acl,
            true,
            false,
            &[Privilege::Execute],
            &Grantee::Public,
            false,
        );
        model.set_acl(f.clone(), acl);
        assert!(model.privileges.is_empty(), "{:?}", model.privileges);
    }

    #[test]
    fn grant_option_is_kept_and_revoked_alone() {
        let bob = Grantee::Role(Ident::new("bob"));
        let mut acl = Acl::new();
        apply_grant(&mut acl, true, false, &[Privilege::Select], &bob, true);
        apply_grant(&mut acl, true, false, &[Privilege::Select], &bob, false);
        assert!(acl[&(bob.clone(), Privilege::Select)]);
        apply_grant(&mut acl, false, true, &[Privilege::Select], &bob, false);
        assert!(!acl[&(bob.clone(), Privilege::Select)]);
        apply_grant(&mut acl, false, false, &[Privilege::Select], &bob, false);
        assert!(acl.is_empty());
    }
}
