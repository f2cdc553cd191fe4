//! Sequences and identity options.

use super::{Ident, Meta, QualifiedName, TypeName};

/// Sequence parameters with PostgreSQL's defaults filled in, so an option
/// written out and the same option left to its default compare equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceOptions {
    /// `smallint`, `integer` or `bigint`.
    pub data_type: TypeName,
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cache: i64,
    pub cycle: bool,
}

impl SequenceOptions {
    /// PostgreSQL's defaults for a sequence of `data_type` with `increment`.
    pub fn defaults(data_type: TypeName, increment: i64) -> SequenceOptions {
        let type_max = match data_type.as_str() {
            "smallint" => i16::MAX as i64,
            "integer" => i32::MAX as i64,
            _ => i64::MAX,
        };
        let type_min = match data_type.as_str() {
            "smallint" => i16::MIN as i64,
            "integer" => i32::MIN as i64,
            _ => i64::MIN,
        };
        let (min_value, max_value) = if increment > 0 {
            (1, type_max)
        } else {
            (type_min, -1)
        };
        SequenceOptions {
            data_type,
            start: if increment > 0 { min_value } else { max_value },
            increment,
            min_value,
            max_value,
            cache: 1,
            cycle: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sequence {
    pub name: QualifiedName,
    pub options: SequenceOptions,
    /// `OWNED BY table.column`.
    pub owned_by: Option<(QualifiedName, Ident)>,
    pub comment: Option<String>,
    pub meta: Meta,
}
