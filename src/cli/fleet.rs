//! `schemac plan --target NAME` and `schemac apply --target NAME`: the
//! fleet commands ([`crate::fleet`]) over the databases of a
//! `[targets.NAME]` table of schemac.toml.
//!
//! Invariants:
//! - stdout gets the product: the grouped plans, and after an apply the
//!   per-database table; progress, lint findings, warnings and the
//!   question go to stderr.
//! - `apply --target` without `--yes` plans every database, prints the
//!   grouped plans and asks once; each database is then applied only with
//!   the plan shown for it. Without a terminal it refuses before
//!   connecting (a pipeline must say `--yes`).
//! - Exit status: plan 1 when a database cannot be planned, a preflight
//!   check or an error-level lint finding would refuse a plan; else 2 with
//!   `--detailed-exitcode` when any database has changes. Apply 0 only
//!   when every database is applied or unchanged.
//! - No connection string is printed: databases are named by their
//!   labels and every reason is redacted.

use super::apply::ApplyArgs;
use super::plan::{PlanArgs, PlanFormat, PreflightArgs, ShadowArgs};
use super::{
    block_on, block_on_uninterrupted, compile_reported, load_sources, report_to_stderr, use_color,
    CliError, ExitStatus,
};
use crate::apply::{ApplyOptions, Interrupt};
use crate::config::{Options, Target};
use crate::fleet::{self, progress, FleetPlan, FleetProgress, LintGate, RolloutCtx};
use crate::live::LiveOptions;
use crate::model::Model;
use crate::render;
use crate::source::SourceSet;
use std::collections::BTreeSet;
use std::io::{self, BufRead, IsTerminal, Write};

/// `plan --target NAME`.
pub(crate) fn plan(
    options: &Options,
    args: &PlanArgs,
    target: &Target,
) -> Result<ExitStatus, CliError> {
    if args.format != PlanFormat::Text {
        return Err(CliError::NotForFleet {
            flag: "format",
            help: "a fleet plan prints as text (each distinct plan once); plan one database with --db URL for sql, json or markdown",
        });
    }
    let live_options = live_options(options, &args.shadow, &args.preflight)?;
    let sources = load_sources(&options.paths, 0)?;
    let Some(desired) = compile_reported(options, &sources)? else {
        return Ok(ExitStatus::Failure);
    };
    let sink = progress_sink();
    let fleet = block_on(async {
        let members = fleet::resolve_members(target).await?;
        Ok::<_, fleet::FleetError>(
            fleet::plan_fleet(
                members,
                &desired,
                &live_options,
                target.rollout.parallel,
                sink.as_ref(),
            )
            .await,
        )
    })?;
    let lint_blocks = lint_groups(options, &sources, &desired, &fleet)?;
    print_summary(options, target, &fleet)?;
    let refused_preflight = fleet
        .plans
        .iter()
        .any(|plan| plan.preflight_refusal().is_some());
    if !fleet.failures().is_empty() || refused_preflight || lint_blocks {
        return Ok(ExitStatus::Failure);
    }
    let changes = fleet.groups().iter().any(|group| group.steps > 0);
    Ok(if args.detailed_exitcode && changes {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    })
}

/// `apply --target NAME`.
pub(crate) fn apply(
    options: &Options,
    args: &ApplyArgs,
    target: &Target,
) -> Result<ExitStatus, CliError> {
    let live_options = live_options(options, &args.shadow, &args.preflight)?;
    if !args.yes && !io::stdin().is_terminal() {
        return Err(CliError::NotConfirmed);
    }
    let sources = load_sources(&options.paths, 0)?;
    let Some(desired) = compile_reported(options, &sources)? else {
        return Ok(ExitStatus::Failure);
    };
    let sink = progress_sink();
    let apply_options = ApplyOptions {
        interrupt: Interrupt::CtrlC,
        preflight: Some(args.preflight.settings()),
        ..ApplyOptions::from_settings(&options.apply, options.allow_hazards.clone())
    };
    block_on_uninterrupted(async {
        let members = fleet::resolve_members(target).await?;
        let mut expected = None;
        if !args.yes {
            let fleet = fleet::plan_fleet(
                members.clone(),
                &desired,
                &live_options,
                target.rollout.parallel,
                sink.as_ref(),
            )
            .await;
            lint_groups(options, &sources, &desired, &fleet)?;
            print_summary(options, target, &fleet)?;
            let nothing =
                fleet.failures().is_empty() && fleet.groups().iter().all(|group| group.steps == 0);
            if nothing {
                eprintln!("nothing to apply: every database already matches the schema");
                return Ok(ExitStatus::Success);
            }
            if !ask(target, fleet.members.len())? {
                eprintln!("apply cancelled: nothing was changed");
                return Ok(ExitStatus::Failure);
            }
            expected = Some(fleet.keys());
        }
        let ctx = RolloutCtx {
            desired: &desired,
            live_options: &live_options,
            apply_options: &apply_options,
            lint: LintGate {
                sources: &sources,
                lint: &options.lint,
                allow: &options.allow_lint,
            },
            settings: target.rollout,
            expected: expected.as_deref(),
            progress: sink.as_ref(),
        };
        let report = fleet::roll_out(members, &ctx).await;
        let stdout = io::stdout();
        let mut out = stdout.lock();
        render::fleet::rollout_table(&target.name, &report, &mut out)?;
        out.flush()?;
        Ok(if report.converged() {
            ExitStatus::Success
        } else {
            ExitStatus::Failure
        })
    })
}

/// The live options of every database; `--shadow-db` cannot serve a
/// fleet (its databases are planned in parallel).
fn live_options(
    options: &Options,
    shadow: &ShadowArgs,
    preflight: &PreflightArgs,
) -> Result<LiveOptions, CliError> {
    if shadow.shadow_db.is_some() {
        return Err(CliError::NotForFleet {
            flag: "shadow-db",
            help: "the databases of a fleet are planned in parallel, each with its own shadow database on its server; leave out --shadow-db, or pass --no-shadow",
        });
    }
    Ok(LiveOptions {
        shadow: shadow.choice()?,
        shadow_scope: shadow.scope(),
        citus: options.citus,
        preflight: preflight.settings(),
        fingerprint: false,
    })
}

/// Bars on a terminal, plain lines otherwise (both on stderr).
fn progress_sink() -> Box<dyn FleetProgress> {
    if io::stderr().is_terminal() {
        Box::new(progress::Bars::stderr())
    } else {
        Box::new(progress::Lines::new(io::stderr()))
    }
}

/// Lint findings of every distinct plan (schema rules and migration
/// rules, each finding once) on stderr, and the refused hazards; `true`
/// when an error-level finding would refuse a plan.
fn lint_groups(
    options: &Options,
    sources: &SourceSet,
    desired: &Model,
    fleet: &FleetPlan,
) -> Result<bool, CliError> {
    let mut findings = Vec::new();
    let mut refused = BTreeSet::new();
    for group in fleet.groups() {
        let Some(Ok(live)) = group
            .members
            .first()
            .map(|&idx| fleet.plans[idx].result.as_ref())
        else {
            continue;
        };
        let (lint, _) = options.lint_for_server(live.server_version);
        for finding in crate::lint::run(sources, desired, Some((&live.plan, &live.current)), &lint)
        {
            if !findings.contains(&finding) {
                findings.push(finding);
            }
        }
        refused.extend(options.allow_hazards.refused(&live.plan));
    }
    render::diagnostics::sort(&mut findings);
    report_to_stderr(options, &findings, sources)?;
    if !refused.is_empty() {
        let list = refused
            .iter()
            .map(|hazard| hazard.id())
            .collect::<Vec<_>>()
            .join(",");
        writeln!(
            io::stderr(),
            "warning: the plans have hazards that are not allowed: {list}\n  \
             apply will refuse them; after reading the plans, re-run with --allow-hazards \
             {list} or add them to [plan] allow-hazards in schemac.toml"
        )?;
    }
    let blocking = crate::lint::gate::blocking(&findings, &options.allow_lint);
    if !blocking.is_empty() {
        let rules = crate::lint::gate::rule_list(&blocking);
        writeln!(
            io::stderr(),
            "error: the plans have error-level lint findings: {rules}\n  \
             apply will refuse them; change the schema, or after reading the findings \
             re-run with --allow-hazards {rules}"
        )?;
    }
    Ok(!blocking.is_empty())
}

fn print_summary(options: &Options, target: &Target, fleet: &FleetPlan) -> Result<(), CliError> {
    let stdout = io::stdout();
    let color = use_color(options, stdout.is_terminal());
    let mut out = stdout.lock();
    render::fleet::plan_summary(&target.name, fleet, color, &mut out)?;
    out.flush()?;
    Ok(())
}

/// Asks once for the whole fleet (stdin is a terminal: checked before).
fn ask(target: &Target, total: usize) -> Result<bool, CliError> {
    let settings = &target.rollout;
    let mut stderr = io::stderr();
    write!(
        stderr,
        "apply to the {total} database(s) of target `{}` ({} canary first, then at most {} at a \
         time)? type `yes` to continue: ",
        target.name,
        settings.canary.min(total),
        settings.parallel
    )?;
    stderr.flush()?;
    let mut answer = String::new();
    io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "yes" | "y"
    ))
}
