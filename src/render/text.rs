//! The plan for a terminal: a summary line, numbered steps with their SQL
//! (indented), the flags that matter to a running site (transaction, locks,
//! rewrites, scans, table size) and hazards, then the plan's notes.
//!
//! Invariant: with `color == false` the output has no escape codes (what
//! snapshots and pipes see); colour only adds escapes around the same text.

use super::{describe_table_size, plural, transaction_count, transaction_numbers, NO_CHANGES};
use crate::plan::{Plan, Step};
use std::io::{self, Write};

const BOLD: &str = "1";
const RED: &str = "31";
const YELLOW: &str = "33";
const DIM: &str = "2";

/// Writes the plan for a human reader.
pub fn render(plan: &Plan, out: &mut impl Write, color: bool) -> io::Result<()> {
    let paint = Painter { color };
    if plan.is_empty() {
        writeln!(out, "{NO_CHANGES}")?;
        return write_notes(plan, out);
    }
    write_summary(plan, out, paint)?;
    let transactions = transaction_numbers(plan);
    for (idx, step) in plan.steps.iter().enumerate() {
        writeln!(out)?;
        write_step(
            idx + 1,
            plan.steps.len(),
            step,
            transactions[idx],
            out,
            paint,
        )?;
    }
    write_notes(plan, out)
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
                table public.orders: about 1,234,567 rows, 94.2 MB
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
