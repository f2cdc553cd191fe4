//! (current, desired) -> ChangeSet. Pure.
//!
//! OWNER: plan helper.
