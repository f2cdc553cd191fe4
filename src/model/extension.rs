//! Schemas, extensions and (referenced, unmanaged) roles.

use super::{Ident, Meta};

/// `CREATE SCHEMA name`. The `public` schema exists in every database and
/// is never part of a Model's `schemas`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    pub name: Ident,
    pub comment: Option<String>,
    /// Citus schema-based sharding (`citus_schema_distribute`): each table
    /// of the schema is a single-shard table of the schema's one
    /// colocation group, placed by Citus with no distribution of its own.
    pub distributed: bool,
    pub meta: Meta,
}

/// `CREATE EXTENSION name [WITH SCHEMA s] [VERSION v]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub name: Ident,
    /// The schema it is installed in; `public` when the source did not say.
    pub schema: Ident,
    /// Only compared when the desired side pins a version.
    pub version: Option<String>,
    pub meta: Meta,
}

/// A role the schema refers to (in policies). Roles are cluster-wide and
/// not created by schemac; declaring one lets validation check references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub name: Ident,
    pub meta: Meta,
}

/// Role names that always exist or are pseudo-roles in `TO` lists.
pub const BUILTIN_ROLES: &[&str] = &[
    "public",
    "current_user",
    "current_role",
    "session_user",
    "postgres",
    "pg_read_all_data",
    "pg_write_all_data",
];
