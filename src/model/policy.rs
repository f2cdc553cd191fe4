//! Row-level-security policies.

use super::{Ident, Meta, SqlExpr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub name: Ident,
    /// PERMISSIVE (default) or RESTRICTIVE.
    pub permissive: bool,
    pub command: PolicyCommand,
    /// Sorted role names; empty means PUBLIC.
    pub roles: Vec<Ident>,
    pub using: Option<SqlExpr>,
    pub with_check: Option<SqlExpr>,
    pub comment: Option<String>,
    pub meta: Meta,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PolicyCommand {
    #[default]
    All,
    Select,
    Insert,
    Update,
    Delete,
}

impl PolicyCommand {
    pub fn as_sql(self) -> &'static str {
        match self {
            PolicyCommand::All => "ALL",
            PolicyCommand::Select => "SELECT",
            PolicyCommand::Insert => "INSERT",
            PolicyCommand::Update => "UPDATE",
            PolicyCommand::Delete => "DELETE",
        }
    }
}
