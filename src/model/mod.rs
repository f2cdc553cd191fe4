//! The one Model: a plain-data description of a PostgreSQL schema.
//!
//! Both frontends (`.schema`, `.sql`) and the introspector produce a
//! [`Model`]; the diff never knows where a Model came from.
//!
//! Invariants:
//! - Names are stored as PostgreSQL stores them: unquoted identifiers folded
//!   to lower case, quoted ones verbatim ([`Ident`]).
//! - Everything that only records where an object came from (spans, rename
//!   hints) lives in [`Meta`], which never takes part in equality or hashing,
//!   so two Models from different sources compare equal when they describe
//!   the same database.
//! - Spelling is normalised on the way in ([`normalize`]): types are stored
//!   in `format_type` spelling, expressions as [`SqlExpr`] whose equality is
//!   decided on a canonical form, constraint and index names default to the
//!   names PostgreSQL would choose.
//! - Collections are `BTreeMap`s keyed by name, so iteration order (and so
//!   every output) is stable. Column order is a `Vec` in declaration order.

pub mod aggregate;
pub mod constraint;
pub mod distribution;
pub mod extension;
pub mod function;
pub mod index;
pub mod inherit;
pub mod normalize;
pub mod partition;
pub mod policy;
pub mod privilege;
pub mod rule;
pub mod sequence;
pub mod session;
pub mod sql;
pub mod statistics;
pub mod table;
pub mod trigger;
pub mod types;
pub mod validate;
pub mod view;

pub use aggregate::{aggregate_args, Aggregate, Modify};
pub use constraint::*;
pub use distribution::*;
pub use extension::*;
pub use function::*;
pub use index::*;
pub use partition::*;
pub use policy::*;
pub use privilege::{AclKind, AclTarget, DefaultAclKey, Grantee, Privilege};
pub use rule::*;
pub use sequence::*;
pub use session::{FileSession, VerbatimStatement};
pub use statistics::*;
pub use table::*;
pub use trigger::*;
pub use types::*;
pub use view::*;

use crate::source::Span;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// An identifier as PostgreSQL stores it (unquoted names folded to lower
/// case by the frontend, quoted names verbatim).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Ident(pub String);

impl Ident {
    /// An identifier that is already in stored form.
    pub fn new(name: impl Into<String>) -> Ident {
        Ident(name.into())
    }

    /// Folds an identifier the way PostgreSQL does for unquoted names.
    pub fn folded(name: &str) -> Ident {
        Ident(name.to_lowercase())
    }

    /// The parts of a name as sqlparser read it: quoted parts as written,
    /// unquoted ones folded (parts that are not identifiers left out).
    pub fn parts_of(name: &sqlparser::ast::ObjectName) -> Vec<Ident> {
        name.0
            .iter()
            .filter_map(|part| part.as_ident())
            .map(|part| match part.quote_style {
                Some(_) => Ident::new(part.value.clone()),
                None => Ident::folded(&part.value),
            })
            .collect()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when the name must be double-quoted in SQL.
    pub fn needs_quotes(&self) -> bool {
        let name = &self.0;
        let mut chars = name.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
        !(first_ok
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$'))
            || normalize::is_reserved_keyword(name)
    }
}

impl fmt::Display for Ident {
    /// SQL spelling: quoted when needed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.needs_quotes() {
            write!(f, "\"{}\"", self.0.replace('"', "\"\""))
        } else {
            f.write_str(&self.0)
        }
    }
}

/// A collation as a column, domain, composite attribute or index key
/// names it (`COLLATE "C"`, `COLLATE app.case_insensitive`). The schema
/// is kept only outside `pg_catalog` and `public`, which every session
/// the plan runs in searches, so a file's `COLLATE public.ci` and the
/// catalog's `ci` compare equal, and `app.ci` is never printed as the one
/// identifier `"app.ci"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Collation {
    pub schema: Option<Ident>,
    pub name: Ident,
}

impl Collation {
    /// An unqualified collation (stored form).
    pub fn new(name: impl Into<String>) -> Collation {
        Collation {
            schema: None,
            name: Ident::new(name),
        }
    }

    /// A name as the introspection queries print it: `name`, or, outside
    /// `pg_catalog` and `public`, `schema` and `name` joined by a unit
    /// separator (U+001F; a name can hold dots, as `en_US.utf8` does).
    pub fn from_catalog(text: &str) -> Collation {
        match text.split_once('\u{1f}') {
            Some((schema, name)) => {
                Collation::qualified(Some(Ident::new(schema)), Ident::new(name))
            }
            None => Collation::new(text),
        }
    }

    /// A `COLLATE` name as sqlparser read it (unquoted parts folded);
    /// `None` for an empty name.
    pub fn from_object_name(name: &sqlparser::ast::ObjectName) -> Option<Collation> {
        let parts = Ident::parts_of(name);
        match parts.as_slice() {
            [schema, name] => Some(Collation::qualified(Some(schema.clone()), name.clone())),
            [.., name] => Some(Collation::qualified(None, name.clone())),
            [] => None,
        }
    }

    /// `schema.name`, with `pg_catalog` and `public` left out.
    pub fn qualified(schema: Option<Ident>, name: Ident) -> Collation {
        let schema = schema.filter(|schema| !matches!(schema.as_str(), "pg_catalog" | "public"));
        Collation { schema, name }
    }
}

impl fmt::Display for Collation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{schema}.{}", self.name),
            None => write!(f, "{}", self.name),
        }
    }
}

/// `schema.name`; the schema is always filled in (`public` when the source
/// did not say).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct QualifiedName {
    pub schema: Ident,
    pub name: Ident,
}

impl QualifiedName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> QualifiedName {
        QualifiedName {
            schema: Ident::new(schema),
            name: Ident::new(name),
        }
    }

    /// `name` in schema `public`.
    pub fn public(name: impl Into<String>) -> QualifiedName {
        QualifiedName::new("public", name)
    }

    pub fn with_name(&self, name: Ident) -> QualifiedName {
        QualifiedName {
            schema: self.schema.clone(),
            name,
        }
    }
}

impl fmt::Display for QualifiedName {
    /// SQL spelling, always schema-qualified: `public.accounts`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

/// An SQL expression. `sql` is what schemac prints when it emits DDL;
/// equality and hashing use only `canonical`, the normalised form computed
/// by [`normalize::expr`], so `'a'` and `'a'::text` or `x IN (1, 2)` and
/// `x = ANY (ARRAY[1, 2])` compare equal.
#[derive(Debug, Clone, Default)]
pub struct SqlExpr {
    pub sql: String,
    pub canonical: String,
}

impl SqlExpr {
    /// An expression whose text is already canonical (tests, generated SQL).
    pub fn raw(sql: impl Into<String>) -> SqlExpr {
        let sql = sql.into();
        SqlExpr {
            canonical: sql.clone(),
            sql,
        }
    }
}

impl PartialEq for SqlExpr {
    fn eq(&self, other: &SqlExpr) -> bool {
        self.canonical == other.canonical
    }
}

impl Eq for SqlExpr {}

impl std::hash::Hash for SqlExpr {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.canonical.hash(state);
    }
}

impl fmt::Display for SqlExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sql)
    }
}

/// Where an object came from, and hints that are not part of the schema.
/// Never takes part in equality or hashing: two objects that differ only in
/// their `Meta` are the same object.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// The object's definition in the user's file (the whole block or
    /// statement); `None` for introspected objects.
    pub span: Option<Span>,
    /// Span of just the object's name, for diagnostics that point at it.
    pub name_span: Option<Span>,
    // The two rarely set names are boxed: every column, constraint and
    // index has a `Meta`, and a 10,000-table Model has 200,000 of them.
    /// Explicit rename hint (`was old_name`): the previous name.
    pub renamed_from: Option<Box<Ident>>,
    /// The role the file's session had taken (`SET ROLE name`) when the
    /// statement that creates the object ran; PostgreSQL makes that role
    /// the owner. `None`: the applying user's own role (no `SET ROLE`, or
    /// after `RESET ROLE`), and for introspected objects. See
    /// [`session`] and `plan::step::Step::role`.
    pub role: Option<Box<Ident>>,
}

impl Meta {
    pub fn at(span: Span) -> Meta {
        Meta {
            span: Some(span),
            name_span: None,
            renamed_from: None,
            role: None,
        }
    }
}

impl PartialEq for Meta {
    fn eq(&self, _other: &Meta) -> bool {
        true
    }
}

impl Eq for Meta {}

impl std::hash::Hash for Meta {
    fn hash<H: std::hash::Hasher>(&self, _state: &mut H) {}
}

/// The whole schema.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Model {
    pub schemas: BTreeMap<Ident, Schema>,
    pub extensions: BTreeMap<Ident, Extension>,
    /// Roles the schema refers to. schemac does not create roles (they are
    /// cluster-wide); declaring them lets validation check references.
    pub roles: BTreeMap<Ident, Role>,
    pub enums: BTreeMap<QualifiedName, Enum>,
    pub domains: BTreeMap<QualifiedName, Domain>,
    /// Composite types declared on their own (`CREATE TYPE t AS (...)`).
    pub composites: BTreeMap<QualifiedName, CompositeType>,
    pub sequences: BTreeMap<QualifiedName, Sequence>,
    pub functions: BTreeMap<FunctionId, Function>,
    pub tables: BTreeMap<QualifiedName, Table>,
    pub views: BTreeMap<QualifiedName, View>,
    /// Privileges of schemas, tables (also partitions and views),
    /// sequences, functions and types whose ACL differs from the kind's
    /// default, owner aside (see [`privilege`]): no entry means
    /// PostgreSQL's default (a NULL ACL).
    pub privileges: BTreeMap<AclTarget, privilege::Acl>,
    /// Owners of the objects as the catalog says (introspection only;
    /// never part of equality, see [`privilege::Owners`]).
    pub owners: privilege::Owners,
    /// `pg_default_acl` (`ALTER DEFAULT PRIVILEGES`): entries that differ
    /// from their default, owner aside (see [`privilege::DefaultAclKey`]).
    pub default_privileges: BTreeMap<privilege::DefaultAclKey, privilege::Acl>,
    /// The role the catalog was read as (introspection only; never part
    /// of equality): the diff reads a desired `FOR ROLE` of this role as
    /// the connected role's entries.
    pub connected_role: privilege::NotCompared<Option<Ident>>,
    /// Objects managed by someone else: never diffed, never dropped.
    pub external: Vec<ExternalPattern>,
    /// The file's own session (search_path, verbatim statements); never
    /// part of equality.
    pub session: FileSession,
}

/// Identifies one object in the Model (graph nodes, change origins).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectId {
    Schema(Ident),
    Extension(Ident),
    Enum(QualifiedName),
    Domain(QualifiedName),
    CompositeType(QualifiedName),
    Sequence(QualifiedName),
    Function(FunctionId),
    Table(QualifiedName),
    Column(QualifiedName, Ident),
    Constraint(QualifiedName, Ident),
    Index(QualifiedName, Ident),
    Policy(QualifiedName, Ident),
    Trigger(QualifiedName, Ident),
    /// Extended statistics on a table (named in the table's schema).
    Statistics(QualifiedName, Ident),
    /// A rewrite rule on a table (`CREATE RULE`).
    Rule(QualifiedName, Ident),
    View(QualifiedName),
    /// An entry of `pg_default_acl` (`ALTER DEFAULT PRIVILEGES`).
    DefaultPrivileges(DefaultAclKey),
}

/// The kinds of objects that `ALTER <kind> ... RENAME TO` renames and
/// that have no rename variant of their own (tables, columns,
/// constraints, indexes and policies do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RenameKind {
    Schema,
    Enum,
    Domain,
    /// A composite type (`CREATE TYPE t AS (...)`).
    Composite,
    Sequence,
    View,
    MaterializedView,
    Function,
    Procedure,
    Trigger,
}

impl RenameKind {
    /// The SQL keywords after `ALTER` (`MATERIALIZED VIEW`).
    pub fn sql_keyword(self) -> &'static str {
        match self {
            RenameKind::Schema => "SCHEMA",
            RenameKind::Enum | RenameKind::Composite => "TYPE",
            RenameKind::Domain => "DOMAIN",
            RenameKind::Sequence => "SEQUENCE",
            RenameKind::View => "VIEW",
            RenameKind::MaterializedView => "MATERIALIZED VIEW",
            RenameKind::Function => "FUNCTION",
            RenameKind::Procedure => "PROCEDURE",
            RenameKind::Trigger => "TRIGGER",
        }
    }

    /// Lower-case name for messages and the JSON plan (`materialized_view`).
    pub fn as_str(self) -> &'static str {
        match self {
            RenameKind::Schema => "schema",
            RenameKind::Enum => "enum",
            RenameKind::Composite => "type",
            RenameKind::Domain => "domain",
            RenameKind::Sequence => "sequence",
            RenameKind::View => "view",
            RenameKind::MaterializedView => "materialized_view",
            RenameKind::Function => "function",
            RenameKind::Procedure => "procedure",
            RenameKind::Trigger => "trigger",
        }
    }
}

/// The kinds of objects, for messages and exhaustive matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectKind {
    Schema,
    Extension,
    Enum,
    Domain,
    CompositeType,
    Sequence,
    Function,
    Table,
    Column,
    Constraint,
    Index,
    Policy,
    Trigger,
    Statistics,
    Rule,
    View,
    DefaultPrivileges,
}

impl ObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Schema => "schema",
            ObjectKind::Extension => "extension",
            ObjectKind::Enum => "enum",
            ObjectKind::Domain => "domain",
            ObjectKind::CompositeType => "type",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Function => "function",
            ObjectKind::Table => "table",
            ObjectKind::Column => "column",
            ObjectKind::Constraint => "constraint",
            ObjectKind::Index => "index",
            ObjectKind::Policy => "policy",
            ObjectKind::Trigger => "trigger",
            ObjectKind::Statistics => "statistics",
            ObjectKind::Rule => "rule",
            ObjectKind::View => "view",
            ObjectKind::DefaultPrivileges => "default privileges",
        }
    }
}

impl ObjectId {
    /// The schema the object lives in (itself for a schema; `None` for an
    /// extension, which is not schema-bound by its name).
    pub fn schema(&self) -> Option<&Ident> {
        match self {
            ObjectId::Schema(name) => Some(name),
            ObjectId::Extension(_) => None,
            ObjectId::Function(id) => Some(&id.name.schema),
            ObjectId::Enum(name)
            | ObjectId::Domain(name)
            | ObjectId::CompositeType(name)
            | ObjectId::Sequence(name)
            | ObjectId::Table(name)
            | ObjectId::View(name)
            | ObjectId::Column(name, _)
            | ObjectId::Constraint(name, _)
            | ObjectId::Index(name, _)
            | ObjectId::Policy(name, _)
            | ObjectId::Trigger(name, _)
            | ObjectId::Statistics(name, _)
            | ObjectId::Rule(name, _) => Some(&name.schema),
            ObjectId::DefaultPrivileges(key) => key.schema.as_ref(),
        }
    }

    pub fn kind(&self) -> ObjectKind {
        match self {
            ObjectId::Schema(_) => ObjectKind::Schema,
            ObjectId::Extension(_) => ObjectKind::Extension,
            ObjectId::Enum(_) => ObjectKind::Enum,
            ObjectId::Domain(_) => ObjectKind::Domain,
            ObjectId::CompositeType(_) => ObjectKind::CompositeType,
            ObjectId::Sequence(_) => ObjectKind::Sequence,
            ObjectId::Function(_) => ObjectKind::Function,
            ObjectId::Table(_) => ObjectKind::Table,
            ObjectId::Column(..) => ObjectKind::Column,
            ObjectId::Constraint(..) => ObjectKind::Constraint,
            ObjectId::Index(..) => ObjectKind::Index,
            ObjectId::Policy(..) => ObjectKind::Policy,
            ObjectId::Trigger(..) => ObjectKind::Trigger,
            ObjectId::Statistics(..) => ObjectKind::Statistics,
            ObjectId::Rule(..) => ObjectKind::Rule,
            ObjectId::View(_) => ObjectKind::View,
            ObjectId::DefaultPrivileges(_) => ObjectKind::DefaultPrivileges,
        }
    }
}

impl fmt::Display for ObjectId {
    /// `table public.orders`, `index public.orders.orders_status_idx`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind().as_str();
        match self {
            ObjectId::Schema(name) | ObjectId::Extension(name) => write!(f, "{kind} {name}"),
            ObjectId::Enum(name)
            | ObjectId::Domain(name)
            | ObjectId::CompositeType(name)
            | ObjectId::Sequence(name)
            | ObjectId::Table(name)
            | ObjectId::View(name) => write!(f, "{kind} {name}"),
            ObjectId::Function(id) => write!(f, "{kind} {id}"),
            ObjectId::Column(table, name)
            | ObjectId::Constraint(table, name)
            | ObjectId::Index(table, name)
            | ObjectId::Policy(table, name)
            | ObjectId::Trigger(table, name)
            | ObjectId::Statistics(table, name)
            | ObjectId::Rule(table, name) => write!(f, "{kind} {table}.{name}"),
            ObjectId::DefaultPrivileges(key) => write!(f, "{key}"),
        }
    }
}

impl Model {
    /// The table or partition with this name.
    pub fn table(&self, name: &QualifiedName) -> Option<&Table> {
        self.tables.get(name)
    }

    /// Every partitioned table's partitions, in name order: one pass over
    /// the tables, for callers that ask for the partitions of many parents
    /// ([`Model::partitions_of`] scans every table each time).
    pub fn partitions_by_parent(&self) -> BTreeMap<&QualifiedName, Vec<&Table>> {
        let mut res: BTreeMap<&QualifiedName, Vec<&Table>> = BTreeMap::new();
        for table in self.tables.values() {
            if let Some(of) = &table.partition_of {
                res.entry(&of.parent).or_default().push(table);
            }
        }
        res
    }

    /// Partitions of `parent`, in name order.
    pub fn partitions_of<'a>(
        &'a self,
        parent: &'a QualifiedName,
    ) -> impl Iterator<Item = &'a Table> + 'a {
        self.tables.values().filter(move |table| {
            table
                .partition_of
                .as_ref()
                .is_some_and(|of| &of.parent == parent)
        })
    }

    /// True when `name` is matched by an `external` pattern.
    pub fn is_external(&self, name: &QualifiedName) -> bool {
        self.external.iter().any(|pattern| pattern.matches(name))
    }

    /// Merges another file's Model into this one (the frontends load files
    /// one by one). Returns the ids of objects declared twice.
    pub fn merge(&mut self, other: Model) -> Vec<ObjectId> {
        let mut duplicates = Vec::new();
        merge_map(&mut self.schemas, other.schemas, &mut duplicates, |k| {
            ObjectId::Schema(k.clone())
        });
        merge_map(
            &mut self.extensions,
            other.extensions,
            &mut duplicates,
            |k| ObjectId::Extension(k.clone()),
        );
        merge_map(&mut self.roles, other.roles, &mut Vec::new(), |k| {
            ObjectId::Schema(k.clone())
        });
        merge_map(&mut self.enums, other.enums, &mut duplicates, |k| {
            ObjectId::Enum(k.clone())
        });
        merge_map(&mut self.domains, other.domains, &mut duplicates, |k| {
            ObjectId::Domain(k.clone())
        });
        merge_map(
            &mut self.composites,
            other.composites,
            &mut duplicates,
            |k| ObjectId::CompositeType(k.clone()),
        );
        merge_map(&mut self.sequences, other.sequences, &mut duplicates, |k| {
            ObjectId::Sequence(k.clone())
        });
        merge_map(&mut self.functions, other.functions, &mut duplicates, |k| {
            ObjectId::Function(k.clone())
        });
        merge_map(&mut self.tables, other.tables, &mut duplicates, |k| {
            ObjectId::Table(k.clone())
        });
        merge_map(&mut self.views, other.views, &mut duplicates, |k| {
            ObjectId::View(k.clone())
        });
        // A file grants only on the objects it declares (as with COMMENT
        // ON), so each object's ACL comes from one file.
        for (target, acl) in other.privileges {
            self.privileges.insert(target, acl);
        }
        // Files run one after another: a later file's entry is what the
        // earlier one's became.
        for (key, acl) in other.default_privileges {
            self.default_privileges.insert(key, acl);
        }
        self.external.extend(other.external);
        self.session.merge(other.session);
        duplicates
    }
}

fn merge_map<K: Ord + Clone, V>(
    into: &mut BTreeMap<K, V>,
    from: BTreeMap<K, V>,
    duplicates: &mut Vec<ObjectId>,
    id: impl Fn(&K) -> ObjectId,
) {
    for (key, value) in from {
        match into.entry(key) {
            std::collections::btree_map::Entry::Occupied(entry) => duplicates.push(id(entry.key())),
            std::collections::btree_map::Entry::Vacant(entry) => {
                entry.insert(value);
            }
        }
    }
}

/// A glob over object names (`*` and `?`), matched against `schema.name`
/// and, for patterns without a dot, against the bare name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalPattern {
    pub pattern: String,
    pub meta: Meta,
}

impl ExternalPattern {
    pub fn matches(&self, name: &QualifiedName) -> bool {
        if self.pattern.contains('.') {
            glob_match(&self.pattern, &format!("{}.{}", name.schema.0, name.name.0))
        } else {
            glob_match(&self.pattern, &name.name.0)
        }
    }
}

/// Shell-style glob through globset: `*` matches any run of characters,
/// `?` one character, `[abc]` one of a set. A pattern globset cannot read
/// (an unclosed `[`) matches only itself. Compiled patterns are kept per
/// thread: the same few patterns are matched against every object.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    thread_local! {
        static COMPILED: std::cell::RefCell<HashMap<String, Option<globset::GlobMatcher>>> =
            std::cell::RefCell::new(HashMap::new());
    }
    COMPILED.with(|compiled| {
        let mut compiled = compiled.borrow_mut();
        if !compiled.contains_key(pattern) {
            let matcher = globset::GlobBuilder::new(pattern)
                .literal_separator(false)
                .backslash_escape(true)
                .build()
                .ok()
                .map(|glob| glob.compile_matcher());
            compiled.insert(pattern.to_string(), matcher);
        }
        match &compiled[pattern] {
            Some(matcher) => matcher.is_match(text),
            None => pattern == text,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idents_quote_when_needed() {
        assert_eq!(Ident::new("orders").to_string(), "orders");
        assert_eq!(Ident::new("Orders").to_string(), "\"Orders\"");
        assert_eq!(Ident::new("user").to_string(), "\"user\"");
        assert_eq!(Ident::new("a\"b").to_string(), "\"a\"\"b\"");
    }

    #[test]
    fn globs() {
        assert!(glob_match("orders_p*", "orders_p2025_01"));
        assert!(!glob_match("orders_p*", "order"));
        assert!(glob_match("a?c", "abc"));
        assert!(glob_match("*", ""));
        assert!(glob_match("p[12]", "p2"));
        assert!(!glob_match("p[12]", "p3"));
        assert!(glob_match("a[b", "a[b"));
        assert!(!glob_match("a[b", "ab"));
    }

    #[test]
    fn meta_is_ignored_by_equality() {
        let a = Meta::at(Span::default());
        let b = Meta::default();
        assert_eq!(a, b);
    }
}
