//! Schema evolutions for the property-based convergence test
//! (`tests/property_convergence.rs`): a [`Unit`] describes one schema in two
//! versions, `current` and `desired`, and the rows the current one holds;
//! this module writes both versions as `.schema` or `.sql` text, the rows
//! as INSERTs, and the queries that read back every row that must survive.
//!
//! A unit lives in its own PostgreSQL schema and holds an enum, one to a
//! few tables (columns of many types with NOT NULL, defaults, UNIQUE,
//! CHECK, indexes, a foreign key to an earlier table, row-level security
//! with a policy, a view over the table) and a partitioned table whose
//! partitions come and go. Between the two versions any object can
//! appear, disappear, be renamed (with a `was` hint) or change.
//!
//! [`Unit::settle`] makes a randomly drawn unit one whose migration can
//! succeed on its rows (a new NOT NULL column gets a default, a new UNIQUE
//! column over existing rows gets a volatile default or none, a foreign
//! key added over rows only where the parent keeps its rows, type changes
//! only to types every value casts to), so every failure of the
//! property is a defect of schemac, not of the data.
//!
//! Invariants: pure functions of the unit; names of constraints and
//! indexes are explicit and do not follow table or column renames, so
//! both versions name them alike; every value written for a column is
//! distinct per row (UNIQUE holds) and satisfies the CHECK the column may
//! have on either side.

use schemac::synth::Form;
use std::fmt::Write;

/// Where an object exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Only in the current version: the migration drops it.
    Current,
    /// Only in the desired version: the migration creates it.
    Desired,
    /// In both.
    Both,
}

impl Presence {
    pub fn in_current(self) -> bool {
        matches!(self, Presence::Current | Presence::Both)
    }

    pub fn in_desired(self) -> bool {
        matches!(self, Presence::Desired | Presence::Both)
    }

    fn on(self, side: Side) -> bool {
        match side {
            Side::Current => self.in_current(),
            Side::Desired => self.in_desired(),
        }
    }
}

/// One of the two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Current,
    Desired,
}

/// A boolean property in each version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pair {
    pub current: bool,
    pub desired: bool,
}

impl Pair {
    pub fn new(current: bool, desired: bool) -> Pair {
        Pair { current, desired }
    }

    pub fn on(self, side: Side) -> bool {
        match side {
            Side::Current => self.current,
            Side::Desired => self.desired,
        }
    }
}

/// Column types the generator uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    SmallInt,
    Integer,
    BigInt,
    Numeric,
    WideNumeric,
    Real,
    Text,
    ShortVarchar,
    LongVarchar,
    Boolean,
    Date,
    Timestamptz,
    Jsonb,
    Uuid,
    IntArray,
    TextArray,
    Bytea,
    Interval,
    Inet,
    /// The unit's enum.
    Enum,
}

impl ColumnType {
    pub const ALL: &'static [ColumnType] = &[
        ColumnType::SmallInt,
        ColumnType::Integer,
        ColumnType::BigInt,
        ColumnType::Numeric,
        ColumnType::WideNumeric,
        ColumnType::Real,
        ColumnType::Text,
        ColumnType::ShortVarchar,
        ColumnType::LongVarchar,
        ColumnType::Boolean,
        ColumnType::Date,
        ColumnType::Timestamptz,
        ColumnType::Jsonb,
        ColumnType::Uuid,
        ColumnType::IntArray,
        ColumnType::TextArray,
        ColumnType::Bytea,
        ColumnType::Interval,
        ColumnType::Inet,
        ColumnType::Enum,
    ];

    /// The type this one may change to such that every generated value
    /// casts (widening, or to text).
    pub fn retyped(self) -> Option<ColumnType> {
        match self {
            ColumnType::SmallInt => Some(ColumnType::Integer),
            ColumnType::Integer => Some(ColumnType::BigInt),
            ColumnType::BigInt => Some(ColumnType::Numeric),
            ColumnType::Numeric => Some(ColumnType::WideNumeric),
            ColumnType::ShortVarchar => Some(ColumnType::LongVarchar),
            ColumnType::LongVarchar => Some(ColumnType::Text),
            ColumnType::Text => Some(ColumnType::LongVarchar),
            ColumnType::Real => Some(ColumnType::Text),
            ColumnType::Inet => Some(ColumnType::Text),
            _ => None,
        }
    }

    /// Whether distinct rows can hold distinct values (UNIQUE possible).
    fn may_be_unique(self) -> bool {
        !matches!(self, ColumnType::Boolean | ColumnType::Enum)
    }

    /// The type's SQL spelling (`enum_name` for [`ColumnType::Enum`]).
    pub fn sql(self, enum_name: &str) -> String {
        match self {
            ColumnType::SmallInt => "smallint".into(),
            ColumnType::Integer => "integer".into(),
            ColumnType::BigInt => "bigint".into(),
            ColumnType::Numeric => "numeric(10,2)".into(),
            ColumnType::WideNumeric => "numeric(14,2)".into(),
            ColumnType::Real => "real".into(),
            ColumnType::Text => "text".into(),
            ColumnType::ShortVarchar => "varchar(20)".into(),
            ColumnType::LongVarchar => "varchar(40)".into(),
            ColumnType::Boolean => "boolean".into(),
            ColumnType::Date => "date".into(),
            ColumnType::Timestamptz => "timestamptz".into(),
            ColumnType::Jsonb => "jsonb".into(),
            ColumnType::Uuid => "uuid".into(),
            ColumnType::IntArray => "integer[]".into(),
            ColumnType::TextArray => "text[]".into(),
            ColumnType::Bytea => "bytea".into(),
            ColumnType::Interval => "interval".into(),
            ColumnType::Inet => "inet".into(),
            ColumnType::Enum => enum_name.into(),
        }
    }

    /// The default the column gets when it has one; `None` marks a
    /// volatile default (each row gets its own value).
    fn default_sql(self, first_enum_value: &str) -> String {
        match self {
            ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt => "0".into(),
            ColumnType::Numeric | ColumnType::WideNumeric | ColumnType::Real => "0".into(),
            ColumnType::Text | ColumnType::ShortVarchar | ColumnType::LongVarchar => "'x'".into(),
            ColumnType::Boolean => "false".into(),
            ColumnType::Date => "'2000-01-01'".into(),
            ColumnType::Timestamptz => "now()".into(),
            ColumnType::Jsonb => "'{}'".into(),
            ColumnType::Uuid => "gen_random_uuid()".into(),
            ColumnType::IntArray | ColumnType::TextArray => "'{}'".into(),
            ColumnType::Bytea => "'\\x'".into(),
            ColumnType::Interval => "'0 days'".into(),
            ColumnType::Inet => "'0.0.0.0'".into(),
            ColumnType::Enum => format!("'{first_enum_value}'"),
        }
    }

    /// Whether the default gives each row its own value.
    fn volatile_default(self) -> bool {
        self == ColumnType::Uuid
    }

    /// The CHECK expression over `column`, for types that have one; every
    /// generated value and the default satisfy it.
    fn check_sql(self, column: &str) -> Option<String> {
        match self {
            ColumnType::SmallInt
            | ColumnType::Integer
            | ColumnType::BigInt
            | ColumnType::Numeric
            | ColumnType::WideNumeric
            | ColumnType::Real => Some(format!("{column} >= 0")),
            ColumnType::Text | ColumnType::ShortVarchar | ColumnType::LongVarchar => {
                Some(format!("length({column}) < 100"))
            }
            ColumnType::Date => Some(format!("{column} > '1999-01-01'")),
            ColumnType::IntArray | ColumnType::TextArray => {
                Some(format!("cardinality({column}) < 10"))
            }
            _ => None,
        }
    }

    /// Value of row `row` (1-based) in column number `column_idx`, distinct
    /// per row.
    fn value(self, row: usize, column_idx: usize, enum_values: &[String]) -> String {
        let n = row * 10 + column_idx;
        match self {
            ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt => n.to_string(),
            ColumnType::Numeric | ColumnType::WideNumeric => format!("{n}.25"),
            ColumnType::Real => format!("{n}.5"),
            ColumnType::Text | ColumnType::ShortVarchar | ColumnType::LongVarchar => {
                format!("'v{n}'")
            }
            ColumnType::Boolean => (row.is_multiple_of(2)).to_string(),
            ColumnType::Date => format!("date '2024-01-01' + {n}"),
            ColumnType::Timestamptz => {
                format!("timestamptz '2024-01-01 00:00:00+00' + interval '{n} hours'")
            }
            ColumnType::Jsonb => format!("'{{\"n\": {n}}}'"),
            ColumnType::Uuid => format!("'00000000-0000-4000-8000-{n:012}'"),
            ColumnType::IntArray => format!("ARRAY[{n}, {column_idx}]"),
            ColumnType::TextArray => format!("ARRAY['a{n}']"),
            ColumnType::Bytea => format!("'\\x{n:04x}'"),
            ColumnType::Interval => format!("interval '{n} minutes'"),
            ColumnType::Inet => format!("'10.0.{}.{}'", n / 250, n % 250 + 1),
            ColumnType::Enum => {
                let value = enum_values.first().map_or("a", String::as_str);
                format!("'{value}'")
            }
        }
    }
}

/// A column of a table (besides `id` and the foreign key column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    pub presence: Presence,
    /// The current type (and the desired one unless `retype`).
    pub ty: ColumnType,
    /// The desired version has [`ColumnType::retyped`].
    pub retype: bool,
    /// Renamed in the desired version (`.schema` only: `was`).
    pub renamed: bool,
    pub not_null: Pair,
    pub default: Pair,
    pub unique: Pair,
    pub check: Pair,
    pub index: Pair,
    /// Some rows hold NULL (only when NULL is allowed on both sides).
    pub nulls: bool,
}

/// A table of a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    pub presence: Presence,
    /// Renamed in the desired version, with a `was` hint.
    pub renamed: bool,
    pub columns: Vec<ColumnSpec>,
    /// An earlier table of the unit its `ref` column points at.
    pub parent: Option<usize>,
    /// The foreign key constraint on `ref`.
    pub foreign_key: Pair,
    /// Row-level security, with one policy.
    pub rls: Pair,
    /// A view over `id` and the first column.
    pub view: Pair,
    /// Rows in the current version.
    pub rows: usize,
}

/// A partitioned table: `(id, k, note)`, by range or list of `k`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionedSpec {
    pub presence: Presence,
    pub list: bool,
    /// Partition `m` holds keys `100 m ..` (range) or `100 m, 100 m + 1,
    /// ...` (list).
    pub partitions: Vec<Presence>,
    /// An index on `note` (on the parent, so on every partition).
    pub index: Pair,
    /// Rows per partition in the current version.
    pub rows: usize,
}

/// The unit's enum: values `a, b, ...`; the desired version appends
/// `n_added` values and may rename the type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumSpec {
    pub n_values: usize,
    pub n_added: usize,
    pub renamed: bool,
}

/// One schema in two versions (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// The PostgreSQL schema the unit lives in.
    pub schema: String,
    pub form: Form,
    pub enum_type: EnumSpec,
    pub tables: Vec<TableSpec>,
    pub partitioned: Option<PartitionedSpec>,
}

/// A query that reads rows as `key|id|value` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowQueries {
    /// Run on the current version, values cast to their desired type.
    pub before: String,
    /// Run on the desired version.
    pub after: String,
}

impl Unit {
    /// Makes the unit one whose migration can succeed on its rows (see the
    /// module documentation). Idempotent.
    pub fn settle(&mut self) {
        self.enum_type.n_values = self.enum_type.n_values.max(1);
        if self.form == Form::Sql {
            // `.sql` has no column rename hint.
            for table in &mut self.tables {
                for column in &mut table.columns {
                    column.renamed = false;
                }
            }
        }
        let presences: Vec<(Presence, usize)> = self
            .tables
            .iter()
            .map(|table| (table.presence, table.rows))
            .collect();
        for (idx, table) in self.tables.iter_mut().enumerate() {
            if !table.presence.in_current() {
                table.rows = 0;
            }
            if table.presence != Presence::Both {
                table.renamed = false;
            }
            let table_has_rows = table.presence == Presence::Both && table.rows > 0;
            for column in &mut table.columns {
                settle_column(column, table.presence, table_has_rows);
            }
            // The parent is an earlier table; the constraint exists only
            // where both ends do, and is added over rows only when the
            // parent had rows to point at.
            table.parent = table.parent.filter(|&parent| parent < idx);
            match table.parent {
                Some(parent) => {
                    let (parent_presence, _) = presences[parent];
                    table.foreign_key.current &=
                        parent_presence.in_current() && table.presence.in_current();
                    table.foreign_key.desired &=
                        parent_presence.in_desired() && table.presence.in_desired();
                }
                None => table.foreign_key = Pair::default(),
            }
            if !table.presence.in_current() {
                table.rls.current = false;
                table.view.current = false;
                table.foreign_key.current = false;
            }
            if !table.presence.in_desired() {
                table.rls.desired = false;
                table.view.desired = false;
                table.foreign_key.desired = false;
            }
        }
        if let Some(partitioned) = &mut self.partitioned {
            if !partitioned.presence.in_current() {
                partitioned.rows = 0;
            }
            for partition in &mut partitioned.partitions {
                *partition = match partitioned.presence {
                    Presence::Both => *partition,
                    presence => presence,
                };
            }
            if !partitioned.presence.in_current() {
                partitioned.index.current = false;
            }
            if !partitioned.presence.in_desired() {
                partitioned.index.desired = false;
            }
        }
    }

    /// The unit's schema as `.schema` or `.sql` text, in one version.
    pub fn render(&self, side: Side) -> String {
        match self.form {
            Form::Schema => self.render_schema(side),
            Form::Sql => self.render_sql(side),
        }
    }

    /// INSERTs of the current version's rows (parents before children).
    pub fn seed_sql(&self) -> String {
        let mut out = String::new();
        let enum_values = self.enum_values(Side::Current);
        for (idx, table) in self.tables.iter().enumerate() {
            if table.rows == 0 || !table.presence.in_current() {
                continue;
            }
            let mut names = vec!["id".to_string()];
            let columns: Vec<(usize, &ColumnSpec)> = table
                .columns
                .iter()
                .enumerate()
                .filter(|(_, column)| column.presence.in_current())
                .collect();
            names.extend(columns.iter().map(|(idx, _)| column_name(*idx)));
            let parent_rows = self.parent_rows(table);
            if table.parent.is_some() {
                names.push("ref".into());
            }
            let _ = write!(
                out,
                "INSERT INTO {} ({}) VALUES ",
                self.table_name(idx, Side::Current),
                names.join(", ")
            );
            for row in 1..=table.rows {
                let mut values = vec![row.to_string()];
                for (column_idx, column) in &columns {
                    if column.nulls && row % 2 == 0 {
                        values.push("NULL".into());
                    } else {
                        values.push(column.ty.value(row, *column_idx, &enum_values));
                    }
                }
                if table.parent.is_some() {
                    values.push(match parent_rows {
                        0 => "NULL".into(),
                        n => (1 + (row - 1) % n).to_string(),
                    });
                }
                let sep = if row == table.rows { ";\n" } else { ", " };
                let _ = write!(out, "({}){sep}", values.join(", "));
            }
        }
        if let Some(partitioned) = &self.partitioned {
            for (m, presence) in partitioned.partitions.iter().enumerate() {
                if !presence.in_current() || partitioned.rows == 0 {
                    continue;
                }
                let values: Vec<String> = (0..partitioned.rows)
                    .map(|row| format!("({}, {}, 'n{row}')", m * 1000 + row, m * 100 + row))
                    .collect();
                let _ = writeln!(
                    out,
                    "INSERT INTO {}.pt_{m} (id, k, note) VALUES {};",
                    self.schema,
                    values.join(", ")
                );
            }
        }
        out
    }

    /// The queries reading every row that must survive the migration, as
    /// `key|id|value` lines (values in their desired type's text form).
    pub fn row_queries(&self) -> RowQueries {
        let mut before = Vec::new();
        let mut after = Vec::new();
        for (idx, table) in self.tables.iter().enumerate() {
            if table.presence != Presence::Both || table.rows == 0 {
                continue;
            }
            let key = format!("{}.t{idx}", self.schema);
            let current = self.table_name(idx, Side::Current);
            let desired = self.table_name(idx, Side::Desired);
            let row_line =
                |table_name: &str| format!("SELECT '{key}|' || id || '|' FROM {table_name}");
            before.push(row_line(&current));
            after.push(row_line(&desired));
            for (column_idx, column) in table.columns.iter().enumerate() {
                if column.presence != Presence::Both {
                    continue;
                }
                let name = column_name(column_idx);
                let desired_name = self.column_name_on(column, column_idx, Side::Desired);
                let cast = if column.retype {
                    let to = column.ty.retyped().unwrap_or(column.ty);
                    format!("({name})::{}::text", to.sql("text"))
                } else {
                    format!("({name})::text")
                };
                before.push(format!(
                    "SELECT '{key}.{name}|' || id || '|' || coalesce({cast}, '<null>') FROM {current}"
                ));
                after.push(format!(
                    "SELECT '{key}.{name}|' || id || '|' || coalesce(({desired_name})::text, '<null>') FROM {desired}"
                ));
            }
        }
        if let Some(partitioned) = &self.partitioned {
            for (m, presence) in partitioned.partitions.iter().enumerate() {
                if *presence != Presence::Both || partitioned.rows == 0 {
                    continue;
                }
                let line = format!(
                    "SELECT '{0}.pt_{m}|' || id || '|' || k || ',' || note FROM {0}.pt_{m}",
                    self.schema
                );
                before.push(line.clone());
                after.push(line);
            }
        }
        let query = |parts: Vec<String>| {
            if parts.is_empty() {
                String::new()
            } else {
                format!("{};\n", parts.join("\nUNION ALL\n"))
            }
        };
        RowQueries {
            before: query(before),
            after: query(after),
        }
    }

    fn enum_name(&self, side: Side) -> String {
        match (side, self.enum_type.renamed) {
            (Side::Desired, true) => format!("{}.mood_r", self.schema),
            _ => format!("{}.mood", self.schema),
        }
    }

    fn enum_values(&self, side: Side) -> Vec<String> {
        let n = match side {
            Side::Current => self.enum_type.n_values,
            Side::Desired => self.enum_type.n_values + self.enum_type.n_added,
        };
        (0..n.max(1)).map(|idx| format!("m{idx}")).collect()
    }

    fn table_name(&self, idx: usize, side: Side) -> String {
        format!("{}.{}", self.schema, self.bare_table_name(idx, side))
    }

    fn bare_table_name(&self, idx: usize, side: Side) -> String {
        match (side, self.tables[idx].renamed) {
            (Side::Desired, true) => format!("t{idx}_r"),
            _ => format!("t{idx}"),
        }
    }

    fn column_name_on(&self, column: &ColumnSpec, column_idx: usize, side: Side) -> String {
        match (side, column.renamed) {
            (Side::Desired, true) => format!("c{column_idx}_r"),
            _ => column_name(column_idx),
        }
    }

    fn parent_rows(&self, table: &TableSpec) -> usize {
        table
            .parent
            .map(|parent| &self.tables[parent])
            .filter(|parent| parent.presence.in_current())
            .map_or(0, |parent| parent.rows)
    }

    fn column_type(&self, column: &ColumnSpec, side: Side) -> ColumnType {
        match side {
            Side::Desired if column.retype => column.ty.retyped().unwrap_or(column.ty),
            _ => column.ty,
        }
    }

    /// Each column present on `side`, its clauses in SQL (which the
    /// `.schema` language shares).
    fn columns_on(&self, idx: usize, side: Side) -> Vec<RenderedColumn> {
        let table = &self.tables[idx];
        let enum_name = self.enum_name(side);
        let first_value = self.enum_values(side)[0].clone();
        let mut res = vec![RenderedColumn {
            name: "id".to_string(),
            ty: "bigint".to_string(),
            clauses: vec![format!("CONSTRAINT t{idx}_pkey PRIMARY KEY")],
            was: None,
        }];
        for (column_idx, column) in table.columns.iter().enumerate() {
            if !column.presence.on(side) {
                continue;
            }
            let ty = self.column_type(column, side);
            let name = self.column_name_on(column, column_idx, side);
            let mut clauses = Vec::new();
            if column.not_null.on(side) {
                clauses.push("NOT NULL".to_string());
            }
            if column.default.on(side) {
                clauses.push(format!("DEFAULT {}", ty.default_sql(&first_value)));
            }
            if column.unique.on(side) {
                clauses.push(format!("CONSTRAINT t{idx}_c{column_idx}_key UNIQUE"));
            }
            if column.check.on(side) {
                if let Some(check) = ty.check_sql(&name) {
                    clauses.push(format!(
                        "CONSTRAINT t{idx}_c{column_idx}_check CHECK ({check})"
                    ));
                }
            }
            let was = (side == Side::Desired && column.renamed).then(|| column_name(column_idx));
            res.push(RenderedColumn {
                name,
                ty: ty.sql(&enum_name),
                clauses,
                was,
            });
        }
        if let Some(parent) = table.parent {
            let mut clauses = Vec::new();
            if table.foreign_key.on(side) {
                clauses.push(format!(
                    "CONSTRAINT t{idx}_ref_fkey REFERENCES {} (id)",
                    self.table_name(parent, side)
                ));
            }
            res.push(RenderedColumn {
                name: "ref".to_string(),
                ty: "bigint".to_string(),
                clauses,
                was: None,
            });
        }
        res
    }

    /// The view's query on `side`: `id` and the first column there.
    fn view_query(&self, idx: usize, side: Side) -> String {
        let table = &self.tables[idx];
        // The first column the table has on `side`: when that column
        // changes (dropped, renamed, added in front), so do the view's
        // output columns, and the view must be re-created, not replaced.
        let first = table
            .columns
            .iter()
            .enumerate()
            .find(|(_, column)| match side {
                Side::Current => column.presence.in_current(),
                Side::Desired => column.presence.in_desired(),
            })
            .map(|(column_idx, column)| self.column_name_on(column, column_idx, side));
        let columns = match first {
            Some(name) => format!("id, {name}"),
            None => "id".to_string(),
        };
        format!("SELECT {columns} FROM {}", self.table_name(idx, side))
    }

    fn render_sql(&self, side: Side) -> String {
        let mut out = String::new();
        let schema = &self.schema;
        let _ = writeln!(out, "CREATE SCHEMA {schema};");
        if side == Side::Desired && self.enum_type.renamed {
            let _ = writeln!(out, "-- schemac:was {schema}.mood");
        }
        let values: Vec<String> = self
            .enum_values(side)
            .iter()
            .map(|value| format!("'{value}'"))
            .collect();
        let _ = writeln!(
            out,
            "CREATE TYPE {} AS ENUM ({});",
            self.enum_name(side),
            values.join(", ")
        );
        for (idx, table) in self.tables.iter().enumerate() {
            if !table.presence.on(side) {
                continue;
            }
            let name = self.table_name(idx, side);
            if side == Side::Desired && table.renamed {
                let _ = writeln!(out, "-- schemac:was {schema}.t{idx}");
            }
            let columns: Vec<String> = self
                .columns_on(idx, side)
                .into_iter()
                .map(|column| {
                    let mut line = format!("    {} {}", column.name, column.ty);
                    for clause in column.clauses {
                        line.push(' ');
                        line.push_str(&clause);
                    }
                    line
                })
                .collect();
            let _ = writeln!(out, "CREATE TABLE {name} (\n{}\n);", columns.join(",\n"));
            for (column_idx, column) in table.columns.iter().enumerate() {
                if column.presence.on(side) && column.index.on(side) {
                    let _ = writeln!(
                        out,
                        "CREATE INDEX t{idx}_c{column_idx}_idx ON {name} ({});",
                        self.column_name_on(column, column_idx, side)
                    );
                }
            }
            if table.rls.on(side) {
                let _ = writeln!(out, "ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;");
                let _ = writeln!(
                    out,
                    "CREATE POLICY t{idx}_read ON {name} FOR SELECT USING (id > 0);"
                );
            }
            if table.view.on(side) {
                let _ = writeln!(
                    out,
                    "CREATE VIEW {schema}.v{idx} AS {};",
                    self.view_query(idx, side)
                );
            }
        }
        if let Some(partitioned) = &self.partitioned {
            if partitioned.presence.on(side) {
                let method = if partitioned.list { "LIST" } else { "RANGE" };
                let _ = writeln!(
                    out,
                    "CREATE TABLE {schema}.pt (\n    id bigint NOT NULL,\n    k integer NOT NULL,\n    note text,\n    CONSTRAINT pt_pkey PRIMARY KEY (id, k)\n) PARTITION BY {method} (k);"
                );
                for (m, presence) in partitioned.partitions.iter().enumerate() {
                    if presence.on(side) {
                        let _ = writeln!(
                            out,
                            "CREATE TABLE {schema}.pt_{m} PARTITION OF {schema}.pt {};",
                            partition_bound(partitioned, m)
                        );
                    }
                }
                if partitioned.index.on(side) {
                    let _ = writeln!(out, "CREATE INDEX pt_note_idx ON {schema}.pt (note);");
                }
            }
        }
        out
    }

    fn render_schema(&self, side: Side) -> String {
        let mut out = String::new();
        let schema = &self.schema;
        let _ = writeln!(out, "schema {schema}");
        let hint = if side == Side::Desired && self.enum_type.renamed {
            " was mood"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "enum {}{hint} {{ {} }}",
            self.enum_name(side),
            self.enum_values(side).join(", ")
        );
        for (idx, table) in self.tables.iter().enumerate() {
            if !table.presence.on(side) {
                continue;
            }
            let name = self.table_name(idx, side);
            let hint = if side == Side::Desired && table.renamed {
                format!(" was t{idx}")
            } else {
                String::new()
            };
            let _ = writeln!(out, "table {name}{hint} {{");
            for column in self.columns_on(idx, side) {
                let mut line = format!("  {} {}", column.name, column.ty);
                for clause in column.clauses {
                    line.push(' ');
                    line.push_str(&clause.to_lowercase_keywords());
                }
                if let Some(old) = column.was {
                    let _ = write!(line, " was {old}");
                }
                let _ = writeln!(out, "{line}");
            }
            for (column_idx, column) in table.columns.iter().enumerate() {
                if column.presence.on(side) && column.index.on(side) {
                    let _ = writeln!(
                        out,
                        "  index t{idx}_c{column_idx}_idx ({})",
                        self.column_name_on(column, column_idx, side)
                    );
                }
            }
            if table.rls.on(side) {
                let _ = writeln!(out, "  row level security");
                let _ = writeln!(out, "  policy t{idx}_read for select using (id > 0)");
            }
            let _ = writeln!(out, "}}");
            if table.view.on(side) {
                let _ = writeln!(
                    out,
                    "view {schema}.v{idx} as {};",
                    self.view_query(idx, side)
                );
            }
        }
        if let Some(partitioned) = &self.partitioned {
            if partitioned.presence.on(side) {
                let method = if partitioned.list { "list" } else { "range" };
                let _ = writeln!(out, "table {schema}.pt {{");
                let _ = writeln!(out, "  id bigint not null");
                let _ = writeln!(out, "  k integer not null");
                let _ = writeln!(out, "  note text");
                let _ = writeln!(out, "  constraint pt_pkey primary key (id, k)");
                if partitioned.index.on(side) {
                    let _ = writeln!(out, "  index pt_note_idx (note)");
                }
                let _ = writeln!(out, "  partition by {method} (k)");
                for (m, presence) in partitioned.partitions.iter().enumerate() {
                    if presence.on(side) {
                        let _ = writeln!(
                            out,
                            "  partition pt_{m} {}",
                            partition_bound(partitioned, m).to_lowercase()
                        );
                    }
                }
                let _ = writeln!(out, "}}");
            }
        }
        out
    }
}

/// `c<idx>`.
pub fn column_name(idx: usize) -> String {
    format!("c{idx}")
}

/// A column as written in either notation.
struct RenderedColumn {
    name: String,
    ty: String,
    clauses: Vec<String>,
    /// The `was` hint (`.schema` only).
    was: Option<String>,
}

fn partition_bound(partitioned: &PartitionedSpec, m: usize) -> String {
    let low = m * 100;
    if partitioned.list {
        let values: Vec<String> = (low..low + 10).map(|value| value.to_string()).collect();
        format!("FOR VALUES IN ({})", values.join(", "))
    } else {
        format!("FOR VALUES FROM ({low}) TO ({})", low + 100)
    }
}

fn settle_column(column: &mut ColumnSpec, table: Presence, table_has_rows: bool) {
    column.presence = match table {
        Presence::Both => column.presence,
        presence => presence,
    };
    if column.presence != Presence::Both {
        column.retype = false;
        column.renamed = false;
    }
    if column.ty.retyped().is_none() {
        column.retype = false;
    }
    if !column.ty.may_be_unique() {
        column.unique = Pair::default();
    }
    let retyped = if column.retype {
        column.ty.retyped().unwrap_or(column.ty)
    } else {
        column.ty
    };
    if column.ty.check_sql("x").is_none() {
        column.check.current = false;
    }
    if retyped.check_sql("x").is_none() {
        column.check.desired = false;
    }
    if !column.presence.in_current() {
        column.not_null.current = false;
        column.default.current = false;
        column.unique.current = false;
        column.check.current = false;
        column.index.current = false;
    }
    if !column.presence.in_desired() {
        column.not_null.desired = false;
        column.default.desired = false;
        column.unique.desired = false;
        column.check.desired = false;
        column.index.desired = false;
    }
    // NULLs only where both versions allow them.
    column.nulls &= !column.not_null.current && !column.not_null.desired;
    if column.presence == Presence::Desired && table_has_rows {
        // Added over existing rows: NOT NULL needs a default, and a
        // constant default gives every row the same value.
        if column.not_null.desired {
            column.default.desired = true;
        }
        if column.default.desired && !retyped.volatile_default() {
            column.unique.desired = false;
        }
    }
}

/// SQL clauses are written in upper case; the `.schema` language takes
/// them case-insensitively, and lower case reads as the language does.
trait LowercaseKeywords {
    fn to_lowercase_keywords(&self) -> String;
}

impl LowercaseKeywords for String {
    fn to_lowercase_keywords(&self) -> String {
        self.replace("NOT NULL", "not null")
            .replace("DEFAULT ", "default ")
            .replace("CONSTRAINT ", "constraint ")
            .replace(" UNIQUE", " unique")
            .replace(" CHECK ", " check ")
            .replace(" PRIMARY KEY", " primary key")
            .replace(" REFERENCES ", " references ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(ty: ColumnType, presence: Presence) -> ColumnSpec {
        ColumnSpec {
            presence,
            ty,
            retype: false,
            renamed: false,
            not_null: Pair::new(false, true),
            default: Pair::default(),
            unique: Pair::new(false, true),
            check: Pair::default(),
            index: Pair::default(),
            nulls: true,
        }
    }

    fn unit(form: Form) -> Unit {
        Unit {
            schema: "u0".into(),
            form,
            enum_type: EnumSpec {
                n_values: 2,
                n_added: 1,
                renamed: true,
            },
            tables: vec![TableSpec {
                presence: Presence::Both,
                renamed: true,
                columns: vec![
                    column(ColumnType::Integer, Presence::Both),
                    column(ColumnType::Text, Presence::Desired),
                ],
                parent: None,
                foreign_key: Pair::default(),
                rls: Pair::new(false, true),
                view: Pair::new(true, true),
                rows: 2,
            }],
            partitioned: None,
        }
    }

    #[test]
    fn settling_gives_a_new_not_null_column_a_default_and_no_unique() {
        let mut unit = unit(Form::Sql);
        unit.settle();
        let added = &unit.tables[0].columns[1];
        assert!(added.default.desired);
        assert!(!added.unique.desired);
        assert!(!unit.tables[0].columns[0].nulls, "NOT NULL in desired");
        let settled = unit.clone();
        unit.settle();
        assert_eq!(unit, settled);
    }

    #[test]
    fn both_forms_render_the_rename_hints() {
        let mut sql = unit(Form::Sql);
        sql.settle();
        let text = sql.render(Side::Desired);
        assert!(
            text.contains("-- schemac:was u0.t0\nCREATE TABLE u0.t0_r ("),
            "{text}"
        );
        assert!(
            text.contains("-- schemac:was u0.mood\nCREATE TYPE u0.mood_r"),
            "{text}"
        );
        let mut schema = unit(Form::Schema);
        schema.tables[0].columns[0].renamed = true;
        schema.settle();
        let text = schema.render(Side::Desired);
        assert!(text.contains("table u0.t0_r was t0 {"), "{text}");
        assert!(
            text.contains("  c0_r integer not null constraint t0_c0_key unique was c0"),
            "{text}"
        );
    }

    #[test]
    fn row_queries_cast_retyped_columns_to_their_desired_type() {
        let mut unit = unit(Form::Sql);
        unit.tables[0].view = Pair::default();
        unit.tables[0].columns[0].retype = true;
        unit.settle();
        let queries = unit.row_queries();
        assert!(
            queries.before.contains("(c0)::bigint::text"),
            "{}",
            queries.before
        );
        assert!(queries.after.contains("FROM u0.t0_r"), "{}", queries.after);
    }
}
