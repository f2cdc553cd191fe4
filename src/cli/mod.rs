//! The command line (clap derive). Only `cli` knows clap, stdout/stderr,
//! exit codes and terminals.
//!
//! OWNER: render/cli helper.
