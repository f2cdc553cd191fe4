//! Output formats for plans and diagnostics. Pure: every renderer reads a
//! value and writes to a `&mut impl Write`; nothing here touches files,
//! terminals, the clock or the environment.
//!
//! Plans: [`text`] (terminal), [`sql`] (a psql script, exactly what apply
//! runs), [`json`] (versioned, documented in docs/plan-json.md), [`markdown`]
//! (a pull-request comment). Diagnostics: [`diagnostics`].
//!
//! Invariant: same input, same bytes. Positions shown to users are 1-based
//! and resolved from byte spans through the [`SourceSet`] only here.

pub mod diagnostics;
pub mod fleet;
pub mod json;
pub mod markdown;
pub mod sql;
pub mod text;

use crate::model::ObjectId;
use crate::plan::{Plan, TableSize};
use crate::source::{SourceSet, Span};

/// What a plan report carries beside the plan, for a reviewer: the
/// database it was made for and the lint findings about it (markdown and
/// JSON print them; the text format leaves findings to stderr).
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras<'a> {
    pub target: Option<&'a Target>,
    pub findings: &'a [crate::diagnostics::Diagnostic],
}

/// The database a plan was made against, without credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `user@host:port/dbname` (never the password).
    pub database: String,
    /// Major version of the server.
    pub server_version: u32,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PostgreSQL {} at {}", self.server_version, self.database)
    }
}

/// The line every format prints for an empty plan.
pub const NO_CHANGES: &str = "No changes: the database matches the schema.";

/// A span resolved to a file and 1-based line/column positions. The end is
/// exclusive: `end_column` is the column just after the last character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRange {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl SourceRange {
    /// Resolves a span through the set; `None` when its file is not there.
    pub fn resolve(sources: &SourceSet, span: Span) -> Option<SourceRange> {
        let file = sources.file(span.file)?;
        let start = file.line_col(span.start as usize);
        let end = file.line_col(span.end as usize);
        Some(SourceRange {
            file: file.display_path(),
            line: start.line,
            column: start.col,
            end_line: end.line,
            end_column: end.col,
        })
    }
}

/// The object's name without its kind: `public.orders.orders_status_idx`.
pub fn object_name(object: &ObjectId) -> String {
    match object {
        ObjectId::Schema(name) | ObjectId::Extension(name) => name.to_string(),
        ObjectId::Enum(name)
        | ObjectId::Domain(name)
        | ObjectId::CompositeType(name)
        | ObjectId::Sequence(name)
        | ObjectId::Table(name)
        | ObjectId::View(name) => name.to_string(),
        ObjectId::Function(id) => id.to_string(),
        ObjectId::Column(table, name)
        | ObjectId::Constraint(table, name)
        | ObjectId::Index(table, name)
        | ObjectId::Policy(table, name)
        | ObjectId::Trigger(table, name)
        | ObjectId::Statistics(table, name)
        | ObjectId::Rule(table, name) => format!("{table}.{name}"),
        // `for role r in schema s on tables`.
        ObjectId::DefaultPrivileges(key) => key
            .to_string()
            .trim_start_matches("default privileges")
            .trim_start()
            .to_string(),
    }
}

/// 1-based number of the transaction group of each step, in step order.
pub fn group_numbers(plan: &Plan) -> Vec<usize> {
    let mut res = Vec::with_capacity(plan.steps.len());
    for (group_idx, group) in plan.transaction_groups().iter().enumerate() {
        res.extend(std::iter::repeat_n(group_idx + 1, group.len()));
    }
    res
}

/// For each step, the 1-based number of the transaction it runs in,
/// counting only transactional groups; `None` outside a transaction.
pub fn transaction_numbers(plan: &Plan) -> Vec<Option<usize>> {
    let mut res = Vec::with_capacity(plan.steps.len());
    let mut n_transactions = 0;
    for group in plan.transaction_groups() {
        let transactional = group.first().is_some_and(|step| step.transactional);
        if transactional {
            n_transactions += 1;
        }
        res.extend(
            group
                .iter()
                .map(|_| transactional.then_some(n_transactions)),
        );
    }
    res
}

/// Number of transactions (transactional groups) in the plan.
pub fn transaction_count(plan: &Plan) -> usize {
    transaction_numbers(plan)
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0)
}

/// `1 step`, `3 steps`.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("{count} {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// `about 1,200 rows, 96.0 KiB` (estimates from the live statistics);
/// `rows unknown, 8 KiB` for a table PostgreSQL has never analysed.
pub fn describe_table_size(size: TableSize) -> String {
    match size.rows {
        Some(rows) => format!(
            "about {} rows, {}",
            group_thousands(rows),
            human_bytes(size.bytes)
        ),
        None => format!("rows unknown (never analysed), {}", human_bytes(size.bytes)),
    }
}

fn group_thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut res = String::new();
    for (idx, ch) in digits.chars().enumerate() {
        if idx > 0 && (digits.len() - idx).is_multiple_of(3) {
            res.push(',');
        }
        res.push(ch);
    }
    if value < 0 {
        res.insert(0, '-');
    }
    res
}

/// Binary units with one decimal (`512 B`, `94.2 MiB`), through humansize.
pub fn human_bytes(bytes: i64) -> String {
    if bytes.unsigned_abs() < 1024 {
        return format!("{bytes} B");
    }
    let options = humansize::BINARY.decimal_places(1).decimal_zeroes(1);
    let text = humansize::format_size(bytes.unsigned_abs(), options);
    if bytes < 0 {
        format!("-{text}")
    } else {
        text
    }
}

#[cfg(test)]
pub(crate) mod sample {
    //! The shared sample plan every plan renderer snapshots.

    use crate::model::{Ident, ObjectId, QualifiedName};
    use crate::plan::{Action, Hazard, HazardNote, Lock, LockMode, Origin, Plan, Step, TableSize};
    use crate::source::{FileId, SourceSet, Span};

    pub const SCHEMA: &str = "table accounts {\n  id uuid primary key\n}\n\ntable orders {\n  id bigint primary key\n  status text not null\n  index (status)\n}\n";

    pub fn sources() -> SourceSet {
        SourceSet::single("db/app.schema", SCHEMA)
    }

    fn step(
        action: Action,
        description: &str,
        sql: &str,
        object: ObjectId,
        span: Option<Span>,
    ) -> Step {
        Step {
            role: None,
            description: description.to_string(),
            action,
            sql: sql.to_string(),
            transactional: true,
            joins_previous: false,
            locks: Vec::new(),
            rewrites: false,
            scans: false,
            hazards: Vec::new(),
            table: None,
            table_size: None,
            origin: Origin {
                change: 0,
                object,
                span,
            },
        }
    }

    pub fn plan() -> Plan {
        let orders = QualifiedName::public("orders");
        let accounts = QualifiedName::public("accounts");
        let index_start = SCHEMA
            .find("index (status)")
            .expect("invariant: sample text");
        let mut create = step(
            Action::CreateTable {
                table: accounts.clone(),
                partition_of: None,
                like: None,
            },
            "create table public.accounts",
            "CREATE TABLE public.accounts (\n    id uuid NOT NULL,\n    CONSTRAINT accounts_pkey PRIMARY KEY (id)\n)",
            ObjectId::Table(accounts.clone()),
            Some(Span::new(FileId(0), 0, 35)),
        );
        create.locks.push(Lock {
            relation: accounts.clone(),
            mode: LockMode::AccessExclusive,
        });
        let mut function = step(
            Action::CreateFunction {
                name: QualifiedName::public("touch"),
                procedure: false,
                or_replace: false,
            },
            "create function public.touch()",
            "CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$\nbegin\n  new.updated_at := now(); -- keep; this\n  return new;\nend\n$$",
            ObjectId::Table(accounts),
            None,
        );
        function.joins_previous = true;
        let mut drop_column = step(
            Action::DropColumn {
                table: orders.clone(),
                column: Ident::new("note"),
            },
            "drop column public.orders.note",
            "ALTER TABLE public.orders DROP COLUMN note",
            ObjectId::Column(orders.clone(), Ident::new("note")),
            None,
        );
        drop_column.locks.push(Lock {
            relation: orders.clone(),
            mode: LockMode::AccessExclusive,
        });
        drop_column.hazards.push(HazardNote {
            hazard: Hazard::DataLoss,
            message: "column public.orders.note is dropped with its data".to_string(),
        });
        drop_column.table = Some(orders.clone());
        let mut index = step(
            Action::CreateIndex {
                table: orders.clone(),
                name: Ident::new("orders_status_idx"),
                unique: false,
                concurrently: true,
                on_only: false,
                columns: vec![Ident::new("status")],
                expressions: Vec::new(),
                predicate: None,
                nulls_not_distinct: false,
            },
            "create index orders_status_idx on public.orders",
            "CREATE INDEX CONCURRENTLY orders_status_idx ON public.orders USING btree (status)",
            ObjectId::Index(orders.clone(), Ident::new("orders_status_idx")),
            Some(Span::new(FileId(0), index_start, index_start + 14)),
        );
        index.transactional = false;
        index.scans = true;
        index.locks.push(Lock {
            relation: orders.clone(),
            mode: LockMode::ShareUpdateExclusive,
        });
        index.hazards.push(HazardNote {
            hazard: Hazard::IndexBuild,
            message: "index orders_status_idx is built on public.orders".to_string(),
        });
        index.table = Some(orders);
        index.table_size = Some(TableSize {
            rows: Some(1_234_567),
            bytes: 98_765_432,
        });
        Plan {
            search_path: None,
            steps: vec![create, function, drop_column, index],
            notes: vec!["external table public.orders_p2024 is left alone".to_string()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Ident, QualifiedName};

    #[test]
    fn sizes_are_human() {
        assert_eq!(
            describe_table_size(TableSize {
                rows: Some(1_234_567),
                bytes: 512
            }),
            "about 1,234,567 rows, 512 B"
        );
        assert_eq!(
            describe_table_size(TableSize {
                rows: None,
                bytes: 8192
            }),
            "rows unknown (never analysed), 8.0 KiB"
        );
        assert_eq!(human_bytes(98_765_432), "94.2 MiB");
        assert_eq!(group_thousands(-1000), "-1,000");
        assert_eq!(group_thousands(999), "999");
    }

    #[test]
    fn object_names_drop_the_kind() {
        let orders = QualifiedName::public("orders");
        assert_eq!(
            object_name(&ObjectId::Index(orders.clone(), Ident::new("i"))),
            "public.orders.i"
        );
        assert_eq!(object_name(&ObjectId::Table(orders)), "public.orders");
    }

    #[test]
    fn groups_are_numbered_in_step_order() {
        assert_eq!(group_numbers(&sample::plan()), vec![1, 1, 2, 3]);
        let mut plan = sample::plan();
        plan.steps.rotate_right(1);
        assert_eq!(
            transaction_numbers(&plan),
            vec![None, Some(1), Some(1), Some(2)]
        );
        assert_eq!(transaction_count(&plan), 2);
    }

    #[test]
    fn ranges_are_one_based() {
        let sources = sample::sources();
        let span = sample::plan().steps[3].origin.span.expect("sample span");
        let range = SourceRange::resolve(&sources, span).expect("file exists");
        assert_eq!(
            range,
            SourceRange {
                file: "db/app.schema".to_string(),
                line: 8,
                column: 3,
                end_line: 8,
                end_column: 17,
            }
        );
    }
}
