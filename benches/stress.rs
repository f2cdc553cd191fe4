//! Stress benchmark: the cost of output and of hostile input.
//!
//! 1. Findings output (issue 12): 10,000 findings spread over the synthetic
//!    10,000-table schema as one `.sql` file (about 11 MB), each with a
//!    label, a secondary label and a help, under 20 rule codes; the time to
//!    render them in every diagnostics format: text as shown by default
//!    (first 3 per rule, the rest counted), text with `--all-findings`,
//!    json, sarif, gcc, github and gitlab.
//! 2. Hostile inputs (issue 11): the time `frontend::load` plus validation
//!    takes on each input of `synth::pathological` (about 100 KB each), the
//!    slowest first.
//!
//! Run with `cargo bench --bench stress`; `SCHEMAC_BENCH_FINDINGS=N`
//! changes the number of findings.

use schemac::diagnostics::Diagnostic;
use schemac::render::diagnostics as formats;
use schemac::source::{FileId, SourceSet, Span};
use schemac::synth::{self, Form, Variant};
use std::io::{self, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const DEFAULT_FINDINGS: usize = 10_000;
const CODES: usize = 20;

fn main() {
    if cfg!(debug_assertions) {
        println!("WARNING: debug build; run `cargo bench --bench stress` for release figures.");
    }
    let n_findings = std::env::var("SCHEMAC_BENCH_FINDINGS")
        .ok()
        .and_then(|value| value.replace('_', "").parse().ok())
        .unwrap_or(DEFAULT_FINDINGS);
    findings_output(n_findings);
    println!();
    hostile_inputs();
}

fn findings_output(n_findings: usize) {
    let text = synth::source(10_000, Variant::Base, Form::Sql);
    let mut sources = SourceSet::default();
    sources.add(
        PathBuf::from("synth.sql"),
        text,
        schemac::source::Language::Sql,
    );
    let start = Instant::now();
    let diagnostics = findings(&sources, n_findings);
    let build = start.elapsed();
    let size_mb = sources.files[0].text.len() as f64 / 1e6;
    println!(
        "findings output: {} findings under {CODES} codes on one {size_mb:.1} MB file",
        diagnostics.len()
    );
    println!("{:<34} {:>10} {:>12}", "format", "time", "bytes");
    println!("{:<34} {:>10} {:>12}", "build (sort)", fmt(build), "");
    let rules = formats::sarif::RuleInfo::registry();
    type Render<'a> = Box<dyn Fn(&mut Vec<u8>) -> io::Result<()> + 'a>;
    let renders: Vec<(&str, Render<'_>)> = vec![
        (
            "text (first 3 per rule, default)",
            Box::new(|out: &mut Vec<u8>| {
                let shown = formats::text::Shown::grouped_unless(false);
                formats::text::render(&diagnostics, &sources, false, shown, out)
            }),
        ),
        (
            "text --all-findings",
            Box::new(|out: &mut Vec<u8>| {
                let shown = formats::text::Shown::All;
                formats::text::render(&diagnostics, &sources, false, shown, out)
            }),
        ),
        (
            "json",
            Box::new(|out: &mut Vec<u8>| formats::json::render(&diagnostics, &sources, out)),
        ),
        (
            "sarif",
            Box::new(|out: &mut Vec<u8>| {
                formats::sarif::render_sarif(&diagnostics, &sources, &rules, out)
            }),
        ),
        (
            "gcc",
            Box::new(|out: &mut Vec<u8>| formats::gcc::render(&diagnostics, &sources, out)),
        ),
        (
            "github",
            Box::new(|out: &mut Vec<u8>| formats::github::render(&diagnostics, &sources, out)),
        ),
        (
            "gitlab",
            Box::new(|out: &mut Vec<u8>| formats::gitlab::render(&diagnostics, &sources, out)),
        ),
    ];
    for (name, render) in renders {
        let mut out = Vec::new();
        let start = Instant::now();
        let res = render(&mut out);
        let elapsed = start.elapsed();
        match res {
            Ok(()) => println!("{name:<34} {:>10} {:>12}", fmt(elapsed), out.len()),
            Err(err) => println!("{name:<34} failed: {err}"),
        }
    }
    let _ = io::stdout().flush();
}

/// `n` findings, one per `CREATE TABLE` line (cycling), as lint reports
/// them: code, message, label, secondary label, help, sorted.
fn findings(sources: &SourceSet, n: usize) -> Vec<Diagnostic> {
    let text = &sources.files[0].text;
    let starts: Vec<usize> = text
        .match_indices("CREATE TABLE")
        .map(|(idx, _)| idx)
        .collect();
    let codes: Vec<&'static str> = schemac::lint::registry::RULES
        .iter()
        .map(|rule| rule.id)
        .take(CODES)
        .collect();
    let mut res: Vec<Diagnostic> = (0..n)
        .map(|idx| {
            let start = starts[idx % starts.len()];
            let name_start = start + "CREATE TABLE ".len();
            Diagnostic::warning(
                codes[idx % codes.len()],
                Span::new(FileId(0), name_start, name_start + 13),
                format!("finding {idx} about the table declared here"),
            )
            .with_label("this table")
            .with_secondary(Span::new(FileId(0), start, start + 6), "in this statement")
            .with_help("do the safe thing instead")
        })
        .collect();
    formats::sort(&mut res);
    res
}

fn hostile_inputs() {
    let mut rows: Vec<(Duration, String, usize, usize)> = Vec::new();
    for input in synth::pathological::inputs(synth::pathological::SIZE) {
        let mut sources = SourceSet::default();
        sources.add(PathBuf::from("hostile"), input.text.clone(), input.language);
        let start = Instant::now();
        let parsed = schemac::frontend::load(&sources);
        let mut n_diagnostics = parsed.diagnostics.len();
        if !parsed.has_errors() {
            n_diagnostics += schemac::model::validate::validate(&parsed.value).len();
        }
        rows.push((start.elapsed(), input.name, input.text.len(), n_diagnostics));
    }
    rows.sort_by_key(|row| std::cmp::Reverse(row.0));
    println!(
        "hostile inputs ({} of them): load + validate, slowest first",
        rows.len()
    );
    println!(
        "{:<56} {:>10} {:>9} {:>12}",
        "input", "time", "bytes", "diagnostics"
    );
    for (elapsed, name, len, n_diagnostics) in rows {
        println!(
            "{name:<56} {:>10} {len:>9} {n_diagnostics:>12}",
            fmt(elapsed)
        );
    }
}

fn fmt(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs >= 1.0 {
        format!("{secs:.2} s")
    } else {
        format!("{:.1} ms", secs * 1000.0)
    }
}
