//! ChangeSet + graph -> Plan: ordered, lock-aware, zero-downtime steps.
//!
//! OWNER: plan helper.

pub mod hazard;
pub mod lock;
pub mod step;

pub use hazard::Hazard;
pub use lock::{Lock, LockMode};
pub use step::{HazardNote, Origin, Plan, Step, TableSize};
