//! The plan as a pull-request comment (GitHub-flavoured Markdown): a title
//! with counts, a summary table, a hazards table, the steps, the SQL script
//! in a fenced block and the notes. Sections longer than
//! [`LONG_SECTION_LINES`] lines are folded into `<details>`.
//!
//! Invariants: table cells never break the table (pipes escaped, newlines
//! replaced); the SQL block is exactly [`super::sql::render`]'s output, in
//! a fence longer than any backtick run inside it.

use super::{
    describe_table_size, plural, transaction_count, transaction_numbers, Extras, NO_CHANGES,
};
use crate::diagnostics::Diagnostic;
use crate::plan::Plan;
use crate::render::SourceRange;
use crate::source::SourceSet;
use std::io::{self, Write};

/// Sections with more lines than this are collapsed.
pub const LONG_SECTION_LINES: usize = 20;

/// Writes the plan as Markdown.
pub fn render(plan: &Plan, out: &mut impl Write) -> io::Result<()> {
    render_with(plan, &SourceSet::default(), Extras::default(), out)
}

/// Writes the plan as Markdown with its target and lint findings
/// (positions resolve through `sources`).
pub fn render_with(
    plan: &Plan,
    sources: &SourceSet,
    extras: Extras<'_>,
    out: &mut impl Write,
) -> io::Result<()> {
    if plan.is_empty() {
        writeln!(out, "## schemac plan: no changes")?;
        writeln!(out)?;
        if let Some(target) = extras.target {
            writeln!(out, "Target: {}", cell(&target.to_string()))?;
            writeln!(out)?;
        }
        writeln!(out, "{NO_CHANGES}")?;
        write_findings(extras.findings, sources, out)?;
        return write_notes(plan, out);
    }
    let hazards = plan.hazards();
    writeln!(
        out,
        "## schemac plan: {}, {}",
        plural(plan.steps.len(), "step"),
        plural(hazards.len(), "hazard")
    )?;
    writeln!(out)?;
    if let Some(target) = extras.target {
        writeln!(out, "Target: {}", cell(&target.to_string()))?;
        writeln!(out)?;
    }
    write_summary(plan, extras.findings, out)?;
    write_hazards(plan, out)?;
    write_findings(extras.findings, sources, out)?;
    write_section(out, "Steps", &steps_table(plan))?;
    let mut script = Vec::new();
    super::sql::render(plan, &mut script)?;
    let script = String::from_utf8_lossy(&script);
    let fence = fence_for(&script);
    let block = format!("{fence}sql\n{script}{fence}\n");
    write_section(out, "SQL", &block)?;
    write_notes(plan, out)
}

fn write_summary(plan: &Plan, findings: &[Diagnostic], out: &mut impl Write) -> io::Result<()> {
    let hazards = plan.hazards();
    let hazard_cell = if hazards.is_empty() {
        "none".to_string()
    } else {
        let ids: Vec<String> = hazards.iter().map(|h| format!("`{}`", h.id())).collect();
        ids.join(", ")
    };
    let mut rewritten: Vec<String> = plan
        .steps
        .iter()
        .filter(|step| step.rewrites)
        .filter_map(|step| step.table.as_ref().map(|t| format!("`{t}`")))
        .collect();
    rewritten.sort();
    rewritten.dedup();
    let n_outside = plan.steps.iter().filter(|s| !s.transactional).count();
    writeln!(out, "| | |")?;
    writeln!(out, "|---|---|")?;
    writeln!(out, "| Steps | {} |", plan.steps.len())?;
    writeln!(out, "| Transactions | {} |", transaction_count(plan))?;
    writeln!(out, "| Steps outside a transaction | {n_outside} |")?;
    writeln!(out, "| Hazards | {hazard_cell} |")?;
    if !rewritten.is_empty() {
        writeln!(out, "| Tables rewritten | {} |", rewritten.join(", "))?;
    }
    if !findings.is_empty() {
        let counts = super::diagnostics::Counts::of(findings);
        writeln!(out, "| Lint findings | {} |", counts.summary())?;
    }
    writeln!(out)
}

/// The lint findings as a table: severity, rule, `file:line:col`, message.
fn write_findings(
    findings: &[Diagnostic],
    sources: &SourceSet,
    out: &mut impl Write,
) -> io::Result<()> {
    if findings.is_empty() {
        return Ok(());
    }
    let mut table = String::from("| Severity | Rule | Location | Message |\n|---|---|---|---|\n");
    for finding in findings {
        let location = SourceRange::resolve(sources, finding.primary.span)
            .map(|range| format!("`{}:{}:{}`", range.file, range.line, range.column))
            .unwrap_or_default();
        table.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            finding.severity.as_str(),
            finding.code,
            cell(&location),
            cell(&finding.message)
        ));
    }
    write_section(out, "Lint findings", &table)
}

fn write_hazards(plan: &Plan, out: &mut impl Write) -> io::Result<()> {
    let mut rows = Vec::new();
    for (idx, step) in plan.steps.iter().enumerate() {
        for note in &step.hazards {
            rows.push(format!(
                "| {} | `{}` | {} |",
                idx + 1,
                note.hazard.id(),
                cell(&note.message)
            ));
        }
    }
    if rows.is_empty() {
        return Ok(());
    }
    let mut table = String::from("| Step | Hazard | Message |\n|---:|---|---|\n");
    for row in rows {
        table.push_str(&row);
        table.push('\n');
    }
    write_section(out, "Hazards", &table)
}

fn steps_table(plan: &Plan) -> String {
    let transactions = transaction_numbers(plan);
    let mut res = String::from(
        "| # | Step | Transaction | Locks | Table size | Hazards |\n|---:|---|---|---|---|---|\n",
    );
    for (idx, step) in plan.steps.iter().enumerate() {
        let transaction = match transactions[idx] {
            Some(number) => number.to_string(),
            None => "none".to_string(),
        };
        let locks: Vec<String> = step.locks.iter().map(ToString::to_string).collect();
        let hazards: Vec<String> = step
            .hazards
            .iter()
            .map(|note| format!("`{}`", note.hazard.id()))
            .collect();
        let size = match (&step.table, step.table_size) {
            (_, Some(size)) => describe_table_size(size),
            (Some(_), None) => "unknown".to_string(),
            (None, None) => String::new(),
        };
        res.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            idx + 1,
            cell(&step.description),
            transaction,
            cell(&locks.join(", ")),
            cell(&size),
            hazards.join(", ")
        ));
    }
    res
}

/// `### title` then the body, folded into `<details>` when long.
fn write_section(out: &mut impl Write, title: &str, body: &str) -> io::Result<()> {
    writeln!(out, "### {title}")?;
    writeln!(out)?;
    let n_lines = body.lines().count();
    if n_lines > LONG_SECTION_LINES {
        writeln!(
            out,
            "<details>\n<summary>{title} ({n_lines} lines)</summary>\n"
        )?;
        write!(out, "{body}")?;
        writeln!(out, "\n</details>")?;
    } else {
        write!(out, "{body}")?;
    }
    writeln!(out)
}

fn write_notes(plan: &Plan, out: &mut impl Write) -> io::Result<()> {
    if plan.notes.is_empty() {
        return Ok(());
    }
    if plan.is_empty() {
        writeln!(out)?;
    }
    writeln!(out, "### Notes")?;
    writeln!(out)?;
    for note in &plan.notes {
        writeln!(out, "- {}", note.replace(['\r', '\n'], " "))?;
    }
    Ok(())
}

/// Text safe inside a table cell.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace(['\r', '\n'], "<br>")
}

/// A backtick fence longer than any run of backticks in `text`.
fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for ch in text.chars() {
        if ch == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;

    fn check(plan: &Plan) -> String {
        let mut out = Vec::new();
        render(plan, &mut out).expect("writing to a Vec cannot fail");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn sample_plan() {
        insta::assert_snapshot!(check(&sample::plan()), @r#"
            ## schemac plan: 4 steps, 2 hazards

            | | |
            |---|---|
            | Steps | 4 |
            | Transactions | 2 |
            | Steps outside a transaction | 1 |
            | Hazards | `data-loss`, `index-build` |

            ### Hazards

            | Step | Hazard | Message |
            |---:|---|---|
            | 3 | `data-loss` | column public.orders.note is dropped with its data |
            | 4 | `index-build` | index orders_status_idx is built on public.orders |

            ### Steps

            | # | Step | Transaction | Locks | Table size | Hazards |
            |---:|---|---|---|---|---|
            | 1 | create table public.accounts | 1 | ACCESS EXCLUSIVE on public.accounts |  |  |
            | 2 | create function public.touch() | 1 |  |  |  |
            | 3 | drop column public.orders.note | 2 | ACCESS EXCLUSIVE on public.orders | unknown | `data-loss` |
            | 4 | create index orders_status_idx on public.orders | none | SHARE UPDATE EXCLUSIVE on public.orders | about 1,234,567 rows, 94.2 MiB | `index-build` |

            ### SQL

            <details>
            <summary>SQL (30 lines)</summary>

            ```sql
            -- Migration generated by schemac.
            -- 4 steps: 3 transactional steps in 2 transactions, 1 outside a transaction.
            -- Hazards: data-loss, index-build.
            -- Note: external table public.orders_p2024 is left alone
            -- Run with: psql -v ON_ERROR_STOP=1 --no-psqlrc -f <this file>

            BEGIN;
            -- step 1: create table public.accounts
            CREATE TABLE public.accounts (
                id uuid NOT NULL,
                CONSTRAINT accounts_pkey PRIMARY KEY (id)
            );
            -- step 2: create function public.touch()
            CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$
            begin
              new.updated_at := now(); -- keep; this
              return new;
            end
            $$;
            COMMIT;

            BEGIN;
            -- step 3: drop column public.orders.note [data-loss]
            ALTER TABLE public.orders DROP COLUMN note;
            COMMIT;

            -- step 4: create index orders_status_idx on public.orders [index-build]
            CREATE INDEX CONCURRENTLY orders_status_idx ON public.orders USING btree (status);
            ```

            </details>

            ### Notes

            - external table public.orders_p2024 is left alone
            "#);
    }

    #[test]
    fn empty_plan() {
        insta::assert_snapshot!(check(&Plan::default()), @r#"
            ## schemac plan: no changes

            No changes: the database matches the schema.
            "#);
    }

    #[test]
    fn cells_and_fences_are_escaped() {
        assert_eq!(cell("a|b\nc"), "a\\|b<br>c");
        assert_eq!(fence_for("no ticks"), "```");
        assert_eq!(fence_for("x ```` y"), "`````");
    }

    #[test]
    fn long_sections_fold() {
        let mut plan = sample::plan();
        let step = plan.steps[2].clone();
        plan.steps.extend(std::iter::repeat_n(step, 30));
        let text = check(&plan);
        assert!(text.contains("<details>\n<summary>Steps (36 lines)</summary>"));
        assert!(text.contains("<summary>SQL ("));
    }
}
