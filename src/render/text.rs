//! The plan for a terminal: a summary line, numbered steps with their SQL
//! (indented), the flags that matter to a running site (transaction, locks,
//! rewrites, scans, table size) and hazards, then the plan's notes.
//!
//! [`render_with`] (what `schemac plan` prints) adds a line naming the
//! locks taken on tables that exist, and folds each transaction that only
//! creates new objects into a few lines (counts by kind and the first
//! names): a reviewer reads every change to what exists, and a schema
//! created from scratch fits on one screen. `--all-steps` unfolds them.
//!
//! Invariant: with `color == false` the output has no escape codes (what
//! snapshots and pipes see); colour only adds escapes around the same text.

use super::{describe_table_size, plural, transaction_count, transaction_numbers, NO_CHANGES};
use crate::model::QualifiedName;
use crate::plan::{Action, LockMode, Plan, Step};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

/// A transaction of new objects with at least this many steps is folded.
pub const FOLD_MIN_STEPS: usize = 4;

/// Names listed in a folded transaction before "and N more".
const FOLD_NAMES: usize = 6;

/// How [`render_with`] prints a plan.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    pub color: bool,
    /// Fold transactions that only create new objects, and name the locks
    /// on existing tables under the summary (`schemac plan`'s default).
    pub fold_new_objects: bool,
}

const BOLD: &str = "1";
const RED: &str = "31";
const YELLOW: &str = "33";
const DIM: &str = "2";

/// Writes the plan for a human reader, every step in full.
pub fn render(plan: &Plan, out: &mut impl Write, color: bool) -> io::Result<()> {
    render_with(
        plan,
        out,
        TextOptions {
            color,
            fold_new_objects: false,
        },
    )
}

/// Writes the plan for a human reader (see the module documentation).
pub fn render_with(plan: &Plan, out: &mut impl Write, options: TextOptions) -> io::Result<()> {
    let paint = Painter {
        color: options.color,
    };
    if plan.is_empty() {
        writeln!(out, "{NO_CHANGES}")?;
        return write_notes(plan, out);
    }
    write_summary(plan, out, paint)?;
    let created = created_relations(plan);
    if options.fold_new_objects {
        write_existing_locks(plan, &created, out, paint)?;
    }
    let transactions = transaction_numbers(plan);
    let total = plan.steps.len();
    // Runs of consecutive transactions that each only create new objects
    // fold together; every other step prints in full.
    let mut runs: Vec<(std::ops::Range<usize>, bool)> = Vec::new();
    let mut start = 0;
    for group in plan.transaction_groups() {
        let end = start + group.len();
        let fold = options.fold_new_objects && foldable(group, &created);
        match runs.last_mut() {
            Some((range, true)) if fold => range.end = end,
            _ => runs.push((start..end, fold)),
        }
        start = end;
    }
    for (range, fold) in runs {
        if fold && range.len() >= FOLD_MIN_STEPS {
            writeln!(out)?;
            let first = transactions[range.start];
            let last = transactions[range.end - 1];
            write_folded(
                range.start,
                &plan.steps[range.clone()],
                total,
                (first, last),
                out,
                paint,
            )?;
        } else {
            for idx in range {
                writeln!(out)?;
                write_step(
                    idx + 1,
                    total,
                    &plan.steps[idx],
                    transactions[idx],
                    out,
                    paint,
                )?;
            }
        }
    }
    write_notes(plan, out)
}

/// Relations the plan creates (tables, views, sequences) and never drops
/// or renames: a lock on one of them blocks nobody.
fn created_relations(plan: &Plan) -> BTreeSet<&QualifiedName> {
    let mut created = BTreeSet::new();
    let mut touched_otherwise = BTreeSet::new();
    for step in &plan.steps {
        match &step.action {
            Action::CreateTable { table, .. } => {
                created.insert(table);
            }
            Action::CreateView { name, .. } | Action::CreateSequence { name } => {
                created.insert(name);
            }
            Action::DropTable { table, .. } => {
                touched_otherwise.insert(table);
            }
            Action::DropSequence { name } | Action::RenameTable { from: name, .. } => {
                touched_otherwise.insert(name);
            }
            _ => {}
        }
    }
    created.retain(|name| !touched_otherwise.contains(name));
    created
}

/// The actions a folded transaction may hold: each creates something new.
fn creates_something(action: &Action) -> bool {
    matches!(
        action,
        Action::CreateSchema { .. }
            | Action::CreateExtension { .. }
            | Action::CreateEnum { .. }
            | Action::CreateDomain { .. }
            | Action::CreateFunction { .. }
            | Action::CreateAggregate { .. }
            | Action::SetComment { .. }
            | Action::Grant { .. }
            | Action::CreateSequence { .. }
            | Action::CreateView { .. }
            | Action::CreateTable { .. }
            | Action::AddColumn { .. }
            | Action::AddConstraint { .. }
            | Action::CreateIndex { .. }
            | Action::EnableRls { .. }
            | Action::ForceRls { .. }
            | Action::CreatePolicy { .. }
            | Action::CreateTrigger { .. }
            | Action::SetSequenceOwner { .. }
            | Action::Distribute { .. }
    )
}

/// A transaction of hazard-free steps that create new objects and lock
/// only relations the plan creates (runs of them with [`FOLD_MIN_STEPS`]
/// or more steps fold).
fn foldable(group: &[Step], created: &BTreeSet<&QualifiedName>) -> bool {
    group.iter().all(|step| {
        step.transactional
            && step.hazards.is_empty()
            && creates_something(&step.action)
            && step
                .locks
                .iter()
                .all(|lock| created.contains(&lock.relation))
    })
}

/// `Locks on existing tables: ACCESS EXCLUSIVE on public.a; ...`, or that
/// there are none.
fn write_existing_locks(
    plan: &Plan,
    created: &BTreeSet<&QualifiedName>,
    out: &mut impl Write,
    paint: Painter,
) -> io::Result<()> {
    let mut by_mode: BTreeMap<LockMode, BTreeSet<&QualifiedName>> = BTreeMap::new();
    for lock in plan.steps.iter().flat_map(|step| &step.locks) {
        if !created.contains(&lock.relation) {
            by_mode.entry(lock.mode).or_default().insert(&lock.relation);
        }
    }
    if by_mode.is_empty() {
        return writeln!(
            out,
            "Locks on existing tables: none (only objects this plan creates are locked)"
        );
    }
    let parts: Vec<String> = by_mode
        .iter()
        .rev()
        .map(|(mode, relations)| {
            let text = format!(
                "{} on {}",
                mode.as_sql(),
                first_names(relations.iter().map(ToString::to_string), "")
            );
            if mode.blocks_writes() {
                paint.paint(YELLOW, &text)
            } else {
                text
            }
        })
        .collect();
    writeln!(out, "Locks on existing tables: {}", parts.join("; "))
}

/// `a, b, c and 4 more NOUNs` (the first [`FOLD_NAMES`]).
fn first_names(names: impl ExactSizeIterator<Item = String>, noun: &str) -> String {
    let count = names.len();
    let shown: Vec<String> = names.take(FOLD_NAMES).collect();
    let mut res = shown.join(", ");
    if count > FOLD_NAMES {
        let more = count - FOLD_NAMES;
        if noun.is_empty() {
            res.push_str(&format!(" and {more} more"));
        } else {
            res.push_str(&format!(" and {more} more {noun}"));
        }
    }
    res
}

/// The kind of object a folded step creates, singular and plural.
fn created_kind(action: &Action) -> (&'static str, &'static str) {
    match action {
        Action::CreateSchema { .. } => ("schema", "schemas"),
        Action::CreateExtension { .. } => ("extension", "extensions"),
        Action::CreateEnum { .. } => ("enum", "enums"),
        Action::CreateDomain { .. } => ("domain", "domains"),
        Action::CreateFunction { .. } => ("function", "functions"),
        Action::CreateAggregate { .. } => ("aggregate", "aggregates"),
        Action::SetComment { .. } => ("comment", "comments"),
        Action::Grant { .. } => ("grant", "grants"),
        Action::CreateSequence { .. } => ("sequence", "sequences"),
        Action::CreateView { .. } => ("view", "views"),
        Action::CreateTable { .. } => ("table", "tables"),
        Action::AddColumn { .. } => ("column", "columns"),
        Action::AddConstraint { .. } => ("constraint", "constraints"),
        Action::CreateIndex { .. } => ("index", "indexes"),
        Action::EnableRls { .. } | Action::ForceRls { .. } => {
            ("row-level security setting", "row-level security settings")
        }
        Action::CreatePolicy { .. } => ("policy", "policies"),
        Action::CreateTrigger { .. } => ("trigger", "triggers"),
        Action::SetSequenceOwner { .. } => ("sequence owner", "sequence owners"),
        Action::Distribute { .. } => ("table distribution", "table distributions"),
        _ => ("other step", "other steps"),
    }
}

/// Folded transactions: their step range, what they create by kind, the
/// first tables, and how to see every statement.
fn write_folded(
    start: usize,
    group: &[Step],
    total: usize,
    transactions: (Option<usize>, Option<usize>),
    out: &mut impl Write,
    paint: Painter,
) -> io::Result<()> {
    let mut counts: Vec<((&str, &str), usize)> = Vec::new();
    let mut tables = Vec::new();
    for step in group {
        let kind = created_kind(&step.action);
        match counts.iter_mut().find(|(known, _)| *known == kind) {
            Some((_, count)) => *count += 1,
            None => counts.push((kind, 1)),
        }
        if let Action::CreateTable { table, .. } = &step.action {
            tables.push(table.to_string());
        }
    }
    let kinds: Vec<String> = counts
        .iter()
        .map(|((one, many), count)| format!("{count} {}", if *count == 1 { one } else { many }))
        .collect();
    let title = format!(
        "{}-{}/{total} create new objects: {}",
        start + 1,
        start + group.len(),
        kinds.join(", ")
    );
    writeln!(out, "{}", paint.paint(BOLD, &title))?;
    if !tables.is_empty() {
        writeln!(out, "    tables: {}", first_names(tables.into_iter(), ""))?;
    }
    let within = match transactions {
        (Some(first), Some(last)) if first == last => format!("in transaction {first}"),
        (Some(first), Some(last)) => format!("in transactions {first} to {last}"),
        _ => "in transactions".to_string(),
    };
    let text = format!("{within}; locks only objects this plan creates");
    writeln!(out, "    {}", paint.paint(DIM, &text))?;
    writeln!(
        out,
        "    {}",
        paint.paint(
            DIM,
            "--all-steps shows each statement (--format sql: the script)"
        )
    )
}

#[derive(Clone, Copy)]
struct Painter {
    color: bool,
}

impl Painter {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

fn write_summary(plan: &Plan, out: &mut impl Write, paint: Painter) -> io::Result<()> {
    let n_outside = plan.steps.iter().filter(|step| !step.transactional).count();
    let hazards = plan.hazards();
    let hazard_text = if hazards.is_empty() {
        "no hazards".to_string()
    } else {
        let ids: Vec<&str> = hazards.iter().map(|hazard| hazard.id()).collect();
        paint.paint(
            RED,
            &format!("{}: {}", plural(hazards.len(), "hazard"), ids.join(", ")),
        )
    };
    writeln!(
        out,
        "{} ({}, {} outside a transaction); {}",
        paint.paint(BOLD, &format!("Plan: {}", plural(plan.steps.len(), "step"))),
        plural(transaction_count(plan), "transaction"),
        plural(n_outside, "step"),
        hazard_text
    )
}

fn write_step(
    number: usize,
    total: usize,
    step: &Step,
    transaction: Option<usize>,
    out: &mut impl Write,
    paint: Painter,
) -> io::Result<()> {
    let title = format!("{number}/{total} {}", step.description);
    writeln!(out, "{}", paint.paint(BOLD, &title))?;
    for line in super::sql::terminated(&step.sql).lines() {
        if line.is_empty() {
            writeln!(out)?;
        } else {
            writeln!(out, "      {line}")?;
        }
    }
    match transaction {
        Some(number) => {
            let text = format!("in transaction {number}");
            writeln!(out, "    {}", paint.paint(DIM, &text))?;
        }
        None => writeln!(out, "    {}", paint.paint(YELLOW, "outside a transaction"))?,
    }
    for lock in &step.locks {
        let text = format!("lock: {lock}");
        if lock.mode.blocks_writes() {
            writeln!(out, "    {}", paint.paint(YELLOW, &text))?;
        } else {
            writeln!(out, "    {text}")?;
        }
    }
    let table = step
        .table
        .as_ref()
        .map_or_else(|| "the table".to_string(), ToString::to_string);
    if step.rewrites {
        writeln!(
            out,
            "    {}",
            paint.paint(YELLOW, &format!("rewrites {table}"))
        )?;
    }
    if step.scans {
        writeln!(out, "    scans {table} in full")?;
    }
    if let (Some(table), Some(size)) = (&step.table, step.table_size) {
        writeln!(out, "    table {table}: {}", describe_table_size(size))?;
    }
    for note in &step.hazards {
        let text = format!("hazard {}: {}", note.hazard.id(), note.message);
        writeln!(out, "    {}", paint.paint(RED, &text))?;
    }
    Ok(())
}

fn write_notes(plan: &Plan, out: &mut impl Write) -> io::Result<()> {
    if plan.notes.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "Notes:")?;
    for note in &plan.notes {
        writeln!(out, "  - {note}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;

    fn check(plan: &Plan, color: bool) -> String {
        let mut out = Vec::new();
        render(plan, &mut out, color).expect("writing to a Vec cannot fail");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn sample_plan() {
        insta::assert_snapshot!(check(&sample::plan(), false), @r#"
            Plan: 4 steps (2 transactions, 1 step outside a transaction); 2 hazards: data-loss, index-build

            1/4 create table public.accounts
                  CREATE TABLE public.accounts (
                      id uuid NOT NULL,
                      CONSTRAINT accounts_pkey PRIMARY KEY (id)
                  );
                in transaction 1
                lock: ACCESS EXCLUSIVE on public.accounts

            2/4 create function public.touch()
                  CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$
                  begin
                    new.updated_at := now(); -- keep; this
                    return new;
                  end
                  $$;
                in transaction 1

            3/4 drop column public.orders.note
                  ALTER TABLE public.orders DROP COLUMN note;
                in transaction 2
                lock: ACCESS EXCLUSIVE on public.orders
                hazard data-loss: column public.orders.note is dropped with its data

            4/4 create index orders_status_idx on public.orders
                  CREATE INDEX CONCURRENTLY orders_status_idx ON public.orders USING btree (status);
                outside a transaction
                lock: SHARE UPDATE EXCLUSIVE on public.orders
                scans public.orders in full
                table public.orders: about 1,234,567 rows, 94.2 MiB
                hazard index-build: index orders_status_idx is built on public.orders

            Notes:
              - external table public.orders_p2024 is left alone
            "#);
    }

    #[test]
    fn empty_plan() {
        insta::assert_snapshot!(check(&Plan::default(), false), @"No changes: the database matches the schema.");
    }

    #[test]
    fn colour_only_adds_escapes() {
        let plan = sample::plan();
        let coloured = check(&plan, true);
        assert!(coloured.contains("\x1b[31m"));
        let stripped = coloured
            .replace("\x1b[0m", "")
            .replace("\x1b[1m", "")
            .replace("\x1b[2m", "")
            .replace("\x1b[31m", "")
            .replace("\x1b[33m", "");
        assert_eq!(stripped, check(&plan, false));
    }
}
