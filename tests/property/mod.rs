//! Helpers of `tests/property_convergence.rs`: random schema evolutions
//! written in both notations ([`evolution`]).

pub mod evolution;
