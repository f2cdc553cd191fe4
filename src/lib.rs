//! schemac: a declarative schema-as-code compiler and zero-downtime
//! migration planner for PostgreSQL.
//!
//! Codemap (details in ARCHITECTURE.md): `source` reads files; `frontend`
//! turns `.schema`/`.sql` text into the one `model::Model`; `graph` derives
//! object dependencies; `diff` compares two Models; `plan` turns changes into ordered,
//! lock-aware steps; `render` prints plans and diagnostics; `introspect` reads
//! and `apply` changes a database; `live` is the session between them and
//! `cli`, which is the edge.

pub mod apply;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod diff;
pub mod fleet;
pub mod frontend;
pub mod graph;
pub mod introspect;
pub mod lint;
pub mod live;
pub mod lsp;
pub mod model;
pub mod plan;
pub mod render;
pub mod source;
pub(crate) mod sql_lex;
pub mod synth;
pub mod timings;
