//! Synthetic schemas for benchmarks: N tables of a realistic shape, written
//! both in the `.schema` language and as PostgreSQL DDL, plus a variant in
//! which 5% of the tables differ.
//!
//! Shape of table `i` (named `t00000`, `t00001`, ...):
//! - 15 columns (ids, text, numeric, arrays, jsonb, timestamps), a primary
//!   key, one CHECK constraint, one foreign key to the previous
//!   non-partitioned table (table 0 references itself), three indexes (one
//!   partial, one with a descending key);
//! - every 10th table (`i % 10 == 9`) is range-partitioned by `created_at`
//!   with 12 monthly partitions (its primary key includes `created_at`);
//! - every 4th table (`i % 4 == 0`) enables row-level security with two
//!   policies.
//!
//! The changed variant ([`Variant::Changed`]) alters every table with
//! `i % 20 == 3` (5%): one added column, one index whose keys change (same
//! name), one new CHECK constraint.
//!
//! Invariants: output is a pure function of `(n_tables, variant, form)`;
//! both forms describe the same schema (equal Models once loaded), and every
//! name is the one PostgreSQL would choose or print, so a plan between the
//! two forms is empty.

pub mod pathological;

use crate::source::{Language, SourceSet};
use std::fmt::Write;
use std::path::PathBuf;

/// Tables per generated file (a real project spreads its schema over files).
pub const TABLES_PER_FILE: usize = 100;
/// Partitions of each partitioned table.
pub const PARTITIONS: usize = 12;

/// The base schema, or the one where 5% of the tables differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Base,
    Changed,
}

/// The notation to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The `.schema` language.
    Schema,
    /// PostgreSQL DDL (`.sql`).
    Sql,
}

impl Form {
    pub fn extension(self) -> &'static str {
        match self {
            Form::Schema => "schema",
            Form::Sql => "sql",
        }
    }

    fn language(self) -> Language {
        match self {
            Form::Schema => Language::Schema,
            Form::Sql => Language::Sql,
        }
    }
}

/// True when table `idx` is range-partitioned.
pub fn is_partitioned(idx: usize) -> bool {
    idx % 10 == 9
}

/// True when table `idx` has row-level security and two policies.
pub fn has_rls(idx: usize) -> bool {
    idx.is_multiple_of(4)
}

/// True when table `idx` differs in [`Variant::Changed`].
pub fn is_changed(idx: usize) -> bool {
    idx % 20 == 3
}

/// The name of table `idx`.
pub fn table_name(idx: usize) -> String {
    format!("t{idx:05}")
}

/// Number of relations (tables plus partitions) in a schema of `n_tables`.
pub fn n_relations(n_tables: usize) -> usize {
    n_tables + (0..n_tables).filter(|&idx| is_partitioned(idx)).count() * PARTITIONS
}

/// The whole schema as one text.
pub fn source(n_tables: usize, variant: Variant, form: Form) -> String {
    let mut out = String::new();
    for idx in 0..n_tables {
        write_table(&mut out, idx, variant, form);
    }
    out
}

/// The schema split into files of [`TABLES_PER_FILE`] tables, named
/// `synth/part_0000.schema` (or `.sql`), in memory.
pub fn source_set(n_tables: usize, variant: Variant, form: Form) -> SourceSet {
    let mut set = SourceSet::default();
    let mut start = 0;
    while start < n_tables {
        let end = (start + TABLES_PER_FILE).min(n_tables);
        let mut text = String::new();
        for idx in start..end {
            write_table(&mut text, idx, variant, form);
        }
        let path = PathBuf::from(format!(
            "synth/part_{:04}.{}",
            start / TABLES_PER_FILE,
            form.extension()
        ));
        set.add(path, text, form.language());
        start = end;
    }
    set
}

/// The table that table `idx` references: the previous non-partitioned
/// table, or itself for table 0 (a self-reference).
fn fk_target(idx: usize) -> usize {
    match idx {
        0 => 0,
        _ if is_partitioned(idx - 1) => idx.saturating_sub(2),
        _ => idx - 1,
    }
}

/// The index keys of the status index: changed tables add `updated_at`.
fn status_index_keys(idx: usize, variant: Variant) -> &'static str {
    if variant == Variant::Changed && is_changed(idx) {
        "status, updated_at"
    } else {
        "status"
    }
}

/// First day of month `month_idx` (0-based) after January 2025.
fn month_start(month_idx: usize) -> (usize, usize) {
    (2025 + month_idx / 12, month_idx % 12 + 1)
}

const TENANT_EXPR: &str = "tenant_id = current_setting('app.tenant_id')::bigint";

fn write_table(out: &mut String, idx: usize, variant: Variant, form: Form) {
    match form {
        Form::Schema => write_schema_table(out, idx, variant),
        Form::Sql => write_sql_table(out, idx, variant),
    }
}

fn write_schema_table(out: &mut String, idx: usize, variant: Variant) {
    let name = table_name(idx);
    let target = table_name(fk_target(idx));
    let changed = variant == Variant::Changed && is_changed(idx);
    let partitioned = is_partitioned(idx);
    // `write!` to a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(out, "/// Synthetic table {idx}.");
    let _ = writeln!(out, "table {name} {{");
    let _ = writeln!(out, "  id           bigint        not null");
    let _ = writeln!(out, "  tenant_id    bigint        not null");
    let _ = writeln!(out, "  parent_id    bigint");
    let _ = writeln!(out, "  name         text          not null");
    let _ = writeln!(out, "  status       text          not null default 'new'");
    let _ = writeln!(
        out,
        "  amount       numeric(12,2) not null default 0 check (amount >= 0)"
    );
    let _ = writeln!(out, "  quantity     integer       not null default 1");
    let _ = writeln!(out, "  note         text");
    let _ = writeln!(out, "  tags         text[]        not null default '{{}}'");
    let _ = writeln!(out, "  payload      jsonb");
    let _ = writeln!(out, "  is_active    boolean       not null default true");
    let _ = writeln!(out, "  external_ref uuid");
    let _ = writeln!(out, "  created_at   timestamptz   not null default now()");
    let _ = writeln!(out, "  updated_at   timestamptz");
    let _ = writeln!(out, "  version      integer       not null default 0");
    if changed {
        let _ = writeln!(out, "  extra        text");
    }
    if partitioned {
        let _ = writeln!(out, "  primary key (id, created_at)");
    } else {
        let _ = writeln!(out, "  primary key (id)");
    }
    let _ = writeln!(out, "  foreign key (parent_id) references {target} (id)");
    if changed {
        let _ = writeln!(
            out,
            "  constraint {name}_quantity_positive check (quantity > 0)"
        );
    }
    let _ = writeln!(
        out,
        "  index {name}_tenant_id_created_at_idx (tenant_id, created_at desc)"
    );
    let _ = writeln!(out, "  index {name}_parent_id_idx (parent_id)");
    let _ = writeln!(
        out,
        "  index {name}_status_idx ({}) where (is_active)",
        status_index_keys(idx, variant)
    );
    if partitioned {
        let _ = writeln!(out, "  partition by range (created_at)");
        for month in 0..PARTITIONS {
            let (year, mon) = month_start(month);
            let (next_year, next_mon) = month_start(month + 1);
            let _ = writeln!(
                out,
                "  partition {name}_p{year}_{mon:02} for values from ('{year}-{mon:02}-01') to ('{next_year}-{next_mon:02}-01')"
            );
        }
    }
    if has_rls(idx) {
        let _ = writeln!(out, "  row level security");
        let _ = writeln!(out, "  policy tenant_read for select using ({TENANT_EXPR})");
        let _ = writeln!(
            out,
            "  policy tenant_write for insert with check ({TENANT_EXPR})"
        );
    }
    let _ = writeln!(out, "}}\n");
}

fn write_sql_table(out: &mut String, idx: usize, variant: Variant) {
    let name = table_name(idx);
    let target = table_name(fk_target(idx));
    let changed = variant == Variant::Changed && is_changed(idx);
    let partitioned = is_partitioned(idx);
    // `write!` to a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(out, "CREATE TABLE public.{name} (");
    let _ = writeln!(out, "    id bigint NOT NULL,");
    let _ = writeln!(out, "    tenant_id bigint NOT NULL,");
    let _ = writeln!(out, "    parent_id bigint,");
    let _ = writeln!(out, "    name text NOT NULL,");
    let _ = writeln!(out, "    status text NOT NULL DEFAULT 'new',");
    let _ = writeln!(
        out,
        "    amount numeric(12,2) NOT NULL DEFAULT 0 CHECK (amount >= 0),"
    );
    let _ = writeln!(out, "    quantity integer NOT NULL DEFAULT 1,");
    let _ = writeln!(out, "    note text,");
    let _ = writeln!(out, "    tags text[] NOT NULL DEFAULT '{{}}',");
    let _ = writeln!(out, "    payload jsonb,");
    let _ = writeln!(out, "    is_active boolean NOT NULL DEFAULT true,");
    let _ = writeln!(out, "    external_ref uuid,");
    let _ = writeln!(out, "    created_at timestamptz NOT NULL DEFAULT now(),");
    let _ = writeln!(out, "    updated_at timestamptz,");
    let _ = writeln!(out, "    version integer NOT NULL DEFAULT 0,");
    if changed {
        let _ = writeln!(out, "    extra text,");
        let _ = writeln!(
            out,
            "    CONSTRAINT {name}_quantity_positive CHECK (quantity > 0),"
        );
    }
    if partitioned {
        let _ = writeln!(out, "    PRIMARY KEY (id, created_at),");
    } else {
        let _ = writeln!(out, "    PRIMARY KEY (id),");
    }
    let _ = writeln!(
        out,
        "    FOREIGN KEY (parent_id) REFERENCES public.{target} (id)"
    );
    if partitioned {
        let _ = writeln!(out, ") PARTITION BY RANGE (created_at);");
    } else {
        let _ = writeln!(out, ");");
    }
    let _ = writeln!(
        out,
        "COMMENT ON TABLE public.{name} IS 'Synthetic table {idx}.';"
    );
    let _ = writeln!(
        out,
        "CREATE INDEX {name}_tenant_id_created_at_idx ON public.{name} (tenant_id, created_at DESC);"
    );
    let _ = writeln!(
        out,
        "CREATE INDEX {name}_parent_id_idx ON public.{name} (parent_id);"
    );
    let _ = writeln!(
        out,
        "CREATE INDEX {name}_status_idx ON public.{name} ({}) WHERE is_active;",
        status_index_keys(idx, variant)
    );
    if partitioned {
        for month in 0..PARTITIONS {
            let (year, mon) = month_start(month);
            let (next_year, next_mon) = month_start(month + 1);
            let _ = writeln!(
                out,
                "CREATE TABLE public.{name}_p{year}_{mon:02} PARTITION OF public.{name} FOR VALUES FROM ('{year}-{mon:02}-01') TO ('{next_year}-{next_mon:02}-01');"
            );
        }
    }
    if has_rls(idx) {
        let _ = writeln!(out, "ALTER TABLE public.{name} ENABLE ROW LEVEL SECURITY;");
        let _ = writeln!(
            out,
            "CREATE POLICY tenant_read ON public.{name} FOR SELECT USING ({TENANT_EXPR});"
        );
        let _ = writeln!(
            out,
            "CREATE POLICY tenant_write ON public.{name} FOR INSERT WITH CHECK ({TENANT_EXPR});"
        );
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_follows_the_rules() {
        assert_eq!(n_relations(20), 20 + 2 * PARTITIONS);
        assert_eq!((0..1000).filter(|&idx| is_changed(idx)).count(), 50);
        assert_eq!((0..1000).filter(|&idx| has_rls(idx)).count(), 250);
        assert_eq!(fk_target(0), 0);
        assert_eq!(fk_target(10), 8, "table 9 is partitioned, so 10 skips it");
        assert_eq!(fk_target(11), 10);
        assert_eq!(month_start(11), (2025, 12));
        assert_eq!(month_start(12), (2026, 1));
    }

    #[test]
    fn both_forms_have_the_same_objects() {
        for form in [Form::Schema, Form::Sql] {
            let text = source(20, Variant::Base, form);
            assert_eq!(text.matches("_status_idx").count(), 20, "{form:?}");
            assert_eq!(text.matches("tenant_write").count(), 5, "{form:?}");
            assert_eq!(text.matches("_p2025_").count(), 2 * PARTITIONS, "{form:?}");
            assert_eq!(text.matches("_p2025_12").count(), 2, "{form:?}");
        }
        let schema = source(20, Variant::Base, Form::Schema);
        assert_eq!(schema.matches("\ntable ").count(), 20);
        let sql = source(20, Variant::Base, Form::Sql);
        assert_eq!(sql.matches("PARTITION BY RANGE").count(), 2);
    }

    #[test]
    fn changed_variant_differs_only_in_changed_tables() {
        let base = source(40, Variant::Base, Form::Schema);
        let changed = source(40, Variant::Changed, Form::Schema);
        assert_eq!(changed.matches("  extra ").count(), 2);
        assert_eq!(changed.matches("status, updated_at").count(), 2);
        assert_eq!(changed.matches("_quantity_positive").count(), 2);
        assert!(changed.contains("t00023_quantity_positive"));
        assert!(!base.contains("extra"));
        let changed_lines = changed.lines().count() - base.lines().count();
        assert_eq!(
            changed_lines, 4,
            "two tables gain a column and a check each"
        );
    }

    #[test]
    fn source_sets_split_into_files() {
        let set = source_set(250, Variant::Base, Form::Sql);
        assert_eq!(set.files.len(), 3);
        assert_eq!(set.files[2].path, PathBuf::from("synth/part_0002.sql"));
        assert_eq!(set.files[2].language, Language::Sql);
        let joined: String = set.files.iter().map(|file| file.text.as_str()).collect();
        assert_eq!(joined, source(250, Variant::Base, Form::Sql));
    }

    #[test]
    fn sql_form_table_reads_as_postgres_ddl() {
        let mut out = String::new();
        write_sql_table(&mut out, 3, Variant::Changed);
        let first_lines: Vec<&str> = out.lines().take(3).collect();
        assert_eq!(
            first_lines,
            [
                "CREATE TABLE public.t00003 (",
                "    id bigint NOT NULL,",
                "    tenant_id bigint NOT NULL,"
            ]
        );
        assert!(out.contains("FOREIGN KEY (parent_id) REFERENCES public.t00002 (id)\n);"));
        assert!(out.contains("ON public.t00003 (status, updated_at) WHERE is_active;"));
    }
}
