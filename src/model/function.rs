//! Functions and procedures (bodies kept as raw SQL).

use super::{Ident, Meta, QualifiedName, SqlExpr, TypeName};
use std::fmt;

/// A function is identified by its name and its input argument types.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FunctionId {
    pub name: QualifiedName,
    pub arg_types: Vec<TypeName>,
}

impl fmt::Display for FunctionId {
    /// `public.set_updated_at()`, `app.f(integer, text)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.name)?;
        for (idx, ty) in self.arg_types.iter().enumerate() {
            if idx > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{ty}")?;
        }
        f.write_str(")")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub id: FunctionId,
    pub procedure: bool,
    pub args: Vec<FunctionArg>,
    /// Return type as SQL (`trigger`, `integer`, `SETOF public.orders`,
    /// `TABLE(id bigint, total numeric)`); `None` for procedures.
    pub returns: Option<String>,
    /// Lower case: `sql`, `plpgsql`.
    pub language: String,
    /// The body exactly as written between the dollar quotes.
    pub body: String,
    pub volatility: Volatility,
    pub strict: bool,
    pub security_definer: bool,
    pub parallel: Parallel,
    /// `SET name = value` options, sorted by name.
    pub config: Vec<(String, String)>,
    pub comment: Option<String>,
    pub meta: Meta,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionArg {
    pub mode: ArgMode,
    pub name: Option<Ident>,
    pub ty: TypeName,
    pub default: Option<SqlExpr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ArgMode {
    #[default]
    In,
    Out,
    InOut,
    Variadic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Volatility {
    Immutable,
    Stable,
    #[default]
    Volatile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Parallel {
    #[default]
    Unsafe,
    Restricted,
    Safe,
}
