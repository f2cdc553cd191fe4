//! Fleet output as text: the summary of `plan --target` (databases with
//! identical plans grouped, each distinct plan printed once, drift and
//! failures named) and the per-database table of `apply --target`.
//!
//! Invariants: pure; databases are named by their labels (never a
//! connection string); the order follows the fleet's groups and the
//! target's order of databases, so the same results print the same bytes.

use crate::fleet::{FleetPlan, MemberState, RolloutReport};
use std::io::{self, Write};

/// The summary of a fleet plan; `color` for the plans' text.
pub fn plan_summary(
    target: &str,
    fleet: &FleetPlan,
    color: bool,
    out: &mut impl Write,
) -> io::Result<()> {
    let groups = fleet.groups();
    let failures = fleet.failures();
    let total = fleet.members.len();
    writeln!(
        out,
        "target `{target}`: {} planned in {:.1}s: {}{}",
        count(total, "database"),
        fleet.elapsed.as_secs_f64(),
        match groups.len() {
            0 => "no plan".to_string(),
            1 if groups[0].steps == 0 => "all match the schema".to_string(),
            1 => "one plan for all".to_string(),
            n => format!("{n} distinct plans (drift)"),
        },
        if failures.is_empty() {
            String::new()
        } else {
            format!(
                ", {} could not be planned",
                count(failures.len(), "database")
            )
        }
    )?;
    for (group_idx, group) in groups.iter().enumerate() {
        let what = if group.steps == 0 {
            "no changes".to_string()
        } else {
            format!("plan {}, {}", group.key, count(group.steps, "step"))
        };
        let drift = if group_idx > 0 { "drift: " } else { "" };
        writeln!(
            out,
            "\n== {drift}{what}: {} ==",
            count(group.members.len(), "database")
        )?;
        for &idx in &group.members {
            let refusal = fleet.plans[idx].preflight_refusal();
            let flag = if refusal.is_some() {
                "  (preflight: apply would refuse it)"
            } else {
                ""
            };
            writeln!(out, "  {}{flag}", fleet.members[idx].label)?;
            if let Some(refusal) = refusal {
                for line in refusal.lines() {
                    writeln!(out, "      {line}")?;
                }
            }
        }
        if group.steps > 0 {
            let representative = group.members[0];
            if let Ok(live) = &fleet.plans[representative].result {
                writeln!(out)?;
                crate::render::text::render(&live.plan, out, color)?;
            }
        }
    }
    if !failures.is_empty() {
        writeln!(
            out,
            "\n== could not be planned: {} ==",
            count(failures.len(), "database")
        )?;
        for (idx, reason) in failures {
            write_reason(out, &fleet.members[idx].label, reason)?;
        }
    }
    Ok(())
}

/// The per-database table of a rollout, its totals and the full reason of
/// each failure.
pub fn rollout_table(target: &str, report: &RolloutReport, out: &mut impl Write) -> io::Result<()> {
    let label_width = report
        .members
        .iter()
        .map(|member| member.label.len())
        .max()
        .unwrap_or(0)
        .max("database".len());
    let phase_width = report
        .phases
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max("phase".len());
    let state_width = "not started".len();
    writeln!(
        out,
        "{:label_width$}  {:phase_width$}  {:state_width$}  detail",
        "database", "phase", "state"
    )?;
    for ((member, phase), state) in report
        .members
        .iter()
        .zip(&report.phases)
        .zip(&report.states)
    {
        let detail = match state {
            MemberState::Applied {
                steps,
                resumed,
                elapsed,
            } => {
                let mut detail =
                    format!("{} in {:.1}s", count(*steps, "step"), elapsed.as_secs_f64());
                if *resumed > 0 {
                    detail.push_str(&format!(
                        " ({resumed} done by an earlier run, not repeated)"
                    ));
                }
                detail
            }
            MemberState::Unchanged => "already matches the schema".to_string(),
            MemberState::Failed { reason } => crate::fleet::plan::first_line(reason).to_string(),
            MemberState::NotStarted => String::new(),
        };
        let line = format!(
            "{:label_width$}  {phase:phase_width$}  {:state_width$}  {detail}",
            member.label,
            state.as_str()
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    let tally = |wanted: &str| {
        report
            .states
            .iter()
            .filter(|state| state.as_str() == wanted)
            .count()
    };
    write!(
        out,
        "\ntarget `{target}`: {} in {:.1}s: {} applied, {} unchanged, {} failed, {} not started",
        count(report.members.len(), "database"),
        report.elapsed.as_secs_f64(),
        tally("applied"),
        tally("unchanged"),
        tally("failed"),
        tally("not started"),
    )?;
    match &report.stopped {
        Some(reason) => writeln!(out, "; stopped: {reason}")?,
        None => writeln!(out)?,
    }
    let failures: Vec<(&str, &str)> = report
        .members
        .iter()
        .zip(&report.states)
        .filter_map(|(member, state)| match state {
            MemberState::Failed { reason } => Some((member.label.as_str(), reason.as_str())),
            _ => None,
        })
        .collect();
    if !failures.is_empty() {
        writeln!(out, "\nfailures:")?;
        for (label, reason) in failures {
            write_reason(out, label, reason)?;
        }
    }
    if !report.converged() {
        writeln!(
            out,
            "\nfix the cause, then run the same command again: databases already converged \
             are skipped, an interrupted one resumes from its own history"
        )?;
    }
    Ok(())
}

fn write_reason(out: &mut impl Write, label: &str, reason: &str) -> io::Result<()> {
    let mut lines = reason.lines();
    writeln!(out, "  {label}: {}", lines.next().unwrap_or_default())?;
    for line in lines {
        writeln!(out, "      {line}")?;
    }
    Ok(())
}

/// `1 database`, `3 databases`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::Member;
    use crate::live::{ConnParams, Env};
    use std::time::Duration;

    fn member(name: &str) -> Member {
        let conn = ConnParams::parse_with(
            &format!("postgresql://app:hunter2@db:5432/{name}"),
            &Env::empty(),
        )
        .expect("valid");
        Member {
            label: conn.target(),
            conn,
        }
    }

    #[test]
    fn the_table_names_every_state() {
        let report = RolloutReport {
            members: ["t0", "t1", "t2", "t3"].into_iter().map(member).collect(),
            states: vec![
                MemberState::Applied {
                    steps: 2,
                    resumed: 0,
                    elapsed: Duration::from_millis(400),
                },
                MemberState::Unchanged,
                MemberState::Failed {
                    reason: "preflight: 1 step(s) would fail\n  step 2: rows violate".to_string(),
                },
                MemberState::NotStarted,
            ],
            phases: vec![
                "canary".to_string(),
                "wave 1 of 2".to_string(),
                "wave 1 of 2".to_string(),
                "wave 2 of 2".to_string(),
            ],
            stopped: Some("app@db:5432/t2 failed".to_string()),
            elapsed: Duration::from_millis(1500),
        };
        let mut out = Vec::new();
        rollout_table("tenants", &report, &mut out).expect("write");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(!text.contains("hunter2"));
        insta::assert_snapshot!(text, @r"
        database        phase        state        detail
        app@db:5432/t0  canary       applied      2 steps in 0.4s
        app@db:5432/t1  wave 1 of 2  unchanged    already matches the schema
        app@db:5432/t2  wave 1 of 2  failed       preflight: 1 step(s) would fail
        app@db:5432/t3  wave 2 of 2  not started

        target `tenants`: 4 databases in 1.5s: 1 applied, 1 unchanged, 1 failed, 1 not started; stopped: app@db:5432/t2 failed

        failures:
          app@db:5432/t2: preflight: 1 step(s) would fail
                step 2: rows violate

        fix the cause, then run the same command again: databases already converged are skipped, an interrupted one resumes from its own history
        ");
    }
}
