//! The output of `schemac plan`, offline or live: lint findings (schema
//! rules and migration rules on this plan) and refused hazards on stderr,
//! the plan on stdout in the chosen format, and the exit status.
//!
//! Invariants: stdout gets only the rendered plan. The exit status is 1
//! when an error-level finding about the plan is not allowed
//! ([`crate::lint::gate`]; `apply` would refuse the plan), also with
//! `--detailed-exitcode`; else 2 for changes with `--detailed-exitcode`,
//! else 0.

use super::{PlanArgs, PlanFormat};
use crate::cli::{report_to_stderr, use_color, CliError, ExitStatus};
use crate::config::Options;
use crate::lint::LintConfig;
use crate::model::Model;
use crate::plan::Plan;
use crate::render;
use crate::source::SourceSet;
use std::io::{self, IsTerminal, Write};

/// What the output of a plan refers to.
pub(super) struct Output<'a> {
    pub desired_sources: &'a SourceSet,
    /// Every file a span of the plan may point into.
    pub all_sources: &'a SourceSet,
    pub desired: &'a Model,
    /// The desired schema as the files write it, which the schema rules
    /// judge (`desired` without the shard distribution under `--citus
    /// off`).
    pub written: &'a Model,
    pub current: &'a Model,
    /// The database planned against; `None` offline.
    pub target: Option<render::Target>,
}

/// Lint findings to stderr, the plan to stdout, refused hazards to stderr,
/// and the exit status.
pub(super) fn finish(
    options: &Options,
    lint: &LintConfig,
    args: &PlanArgs,
    output: &Output<'_>,
    plan: &Plan,
) -> Result<ExitStatus, CliError> {
    let lint_stage = crate::timings::stage("lint");
    let mut findings = crate::lint::run_written(
        output.desired_sources,
        output.written,
        output.desired,
        Some((plan, output.current)),
        lint,
    );
    render::diagnostics::sort(&mut findings);
    drop(lint_stage);
    crate::timings::time("render findings", || {
        report_to_stderr(options, &findings, output.all_sources)
    })?;
    let render_stage = crate::timings::stage("render plan");
    let stdout = io::stdout();
    let color = use_color(options, stdout.is_terminal());
    let mut out = stdout.lock();
    let extras = render::Extras {
        target: output.target.as_ref(),
        findings: &findings,
    };
    let text = render::text::TextOptions {
        color,
        fold_new_objects: !args.all_steps,
    };
    write_plan(
        args.format,
        plan,
        output.all_sources,
        extras,
        text,
        &mut out,
    )?;
    out.flush()?;
    drop(out);
    drop(render_stage);
    warn_refused_hazards(options, plan)?;
    let blocking = crate::lint::gate::blocking(&findings, &options.allow_lint);
    if !blocking.is_empty() {
        let rules = crate::lint::gate::rule_list(&blocking);
        writeln!(
            io::stderr(),
            "error: the plan has error-level lint findings: {rules}\n  \
             apply will refuse it; change the schema, or after reading the findings \
             re-run with --allow-hazards {rules}"
        )?;
        return Ok(ExitStatus::Failure);
    }
    Ok(if args.detailed_exitcode && !plan.is_empty() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    })
}

/// The plan on stdout; markdown and JSON also carry the target and the
/// lint findings (which text and SQL leave to stderr).
fn write_plan(
    format: PlanFormat,
    plan: &Plan,
    sources: &SourceSet,
    extras: render::Extras<'_>,
    text: render::text::TextOptions,
    out: &mut impl Write,
) -> io::Result<()> {
    match format {
        PlanFormat::Text => render::text::render_with(plan, out, text),
        PlanFormat::Sql => render::sql::render(plan, out),
        PlanFormat::Json => render::json::render_with(plan, sources, extras, out),
        PlanFormat::Markdown => render::markdown::render_with(plan, sources, extras, out),
    }
}

/// Tells (on stderr) which hazards `apply` would refuse.
fn warn_refused_hazards(options: &Options, plan: &Plan) -> Result<(), CliError> {
    let refused = options.allow_hazards.refused(plan);
    if refused.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = refused.iter().map(|hazard| hazard.id()).collect();
    let list = ids.join(",");
    writeln!(
        io::stderr(),
        "warning: the plan has hazards that are not allowed: {list}\n  \
         apply will refuse it; after reading the plan, re-run with --allow-hazards {list} \
         or add them to [plan] allow-hazards in schemac.toml"
    )?;
    Ok(())
}

/// `--out FILE`: writes the saved plan and says how to apply it.
pub(super) fn save(path: &std::path::Path, json: &str) -> Result<(), CliError> {
    std::fs::write(path, json).map_err(|source| CliError::WriteFile {
        path: path.display().to_string(),
        source,
    })?;
    writeln!(
        std::io::stderr(),
        "saved the plan to {} (apply it with `schemac apply --plan {}`)",
        path.display(),
        path.display()
    )?;
    Ok(())
}
