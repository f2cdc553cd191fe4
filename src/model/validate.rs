//! Semantic checks of a Model: unknown references, duplicates, type
//! mismatches, partition bounds, invalid identifiers.
//!
//! OWNER: validate helper.

use super::Model;
use crate::diagnostics::Diagnostic;

pub fn validate(model: &Model) -> Vec<Diagnostic> {
    let _ = model;
    Vec::new()
}
