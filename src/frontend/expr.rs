//! Embedded SQL expressions in `.schema` files: parsed with sqlparser via
//! [`crate::model::normalize::expr`]; errors are remapped to the byte span
//! of the `.schema` file.
//!
//! OWNER: dsl helper.
