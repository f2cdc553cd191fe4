//! Output formats for plans and diagnostics. Pure: writes to a `Write`.
//!
//! OWNER: render/cli helper.
