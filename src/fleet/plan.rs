//! `schemac plan --target NAME`: every database of the fleet planned with
//! [`crate::live::plan_against_db`], at most `parallel` at a time, and the
//! plans grouped by identity ([`plan_key`]).
//!
//! Invariants: planning never changes a database (each plan is the
//! single-database plan, with its own shadow); a database that
//! cannot be planned is a result with its (redacted) reason, never a
//! failure of the whole fleet; groups are ordered by size (largest
//! first), then by key, so the same fleet prints the same summary.

use super::progress::{FleetEvent, FleetProgress};
use super::Member;
use crate::live::{self, LiveOptions, LivePlan};
use crate::model::Model;
use crate::plan::{saved, Plan};
use futures_util::stream::{self, StreamExt};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The plan of one database, or why there is none.
#[derive(Debug, Clone)]
pub struct MemberPlan {
    pub result: Result<LivePlan, String>,
}

impl MemberPlan {
    /// What the preflight data checks found (steps that would fail on
    /// this database's rows), when anything.
    pub fn preflight_refusal(&self) -> Option<String> {
        let live = self.result.as_ref().ok()?;
        (!live.preflight.findings.is_empty()).then(|| live.preflight.describe())
    }
}

/// Databases whose plans are identical.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanGroup {
    /// [`plan_key`] of the plan.
    pub key: String,
    /// Steps of the plan (0: the databases match the schema).
    pub steps: usize,
    /// Indexes into [`FleetPlan::members`], in fleet order.
    pub members: Vec<usize>,
}

/// Every database's plan.
#[derive(Debug, Clone)]
pub struct FleetPlan {
    pub members: Vec<Member>,
    /// One per member, same order.
    pub plans: Vec<MemberPlan>,
    pub elapsed: Duration,
}

impl FleetPlan {
    /// Databases with identical plans, largest group first. The first
    /// group is the fleet's majority; every other group is drift.
    pub fn groups(&self) -> Vec<PlanGroup> {
        let mut by_key: BTreeMap<String, PlanGroup> = BTreeMap::new();
        for (idx, member_plan) in self.plans.iter().enumerate() {
            if let Ok(live) = &member_plan.result {
                let key = plan_key(&live.plan);
                by_key
                    .entry(key.clone())
                    .or_insert_with(|| PlanGroup {
                        key,
                        steps: live.plan.steps.len(),
                        members: Vec::new(),
                    })
                    .members
                    .push(idx);
            }
        }
        let mut groups: Vec<PlanGroup> = by_key.into_values().collect();
        groups.sort_by(|a, b| {
            b.members
                .len()
                .cmp(&a.members.len())
                .then_with(|| a.key.cmp(&b.key))
        });
        groups
    }

    /// The databases that could not be planned, with the reason.
    pub fn failures(&self) -> Vec<(usize, &str)> {
        self.plans
            .iter()
            .enumerate()
            .filter_map(|(idx, plan)| plan.result.as_ref().err().map(|err| (idx, err.as_str())))
            .collect()
    }

    /// The plan key of each member (`None`: it could not be planned), for
    /// checking at apply time that a database still gets the plan shown.
    pub fn keys(&self) -> Vec<Option<String>> {
        self.plans
            .iter()
            .map(|plan| plan.result.as_ref().ok().map(|live| plan_key(&live.plan)))
            .collect()
    }
}

/// The identity of a plan across databases: [`saved::plan_id`] without a
/// database fingerprint (every step's SQL, action, locks, hazards and
/// transaction grouping), shortened to 12 hex digits.
pub fn plan_key(plan: &Plan) -> String {
    let mut id = saved::plan_id(plan, "");
    id.truncate(12);
    id
}

/// Plans `desired` against every member, at most `parallel` at a time.
pub async fn plan_fleet(
    members: Vec<Member>,
    desired: &Model,
    options: &LiveOptions,
    parallel: usize,
    progress: &dyn FleetProgress,
) -> FleetPlan {
    let started = Instant::now();
    progress.report(&FleetEvent::Started {
        action: "plan",
        total: members.len(),
    });
    let mut results: Vec<(usize, MemberPlan)> = stream::iter(members.iter().enumerate())
        .map(|(idx, member)| async move {
            progress.report(&FleetEvent::MemberStarted {
                index: idx,
                label: &member.label,
            });
            let result = live::plan_against_db(&member.conn, desired, options)
                .await
                .map_err(|err| super::reason(&err));
            let outcome = match &result {
                Ok(live) if live.plan.is_empty() => "no changes".to_string(),
                Ok(live) => format!(
                    "{} step(s), plan {}",
                    live.plan.steps.len(),
                    plan_key(&live.plan)
                ),
                Err(reason) => format!("cannot plan: {}", first_line(reason)),
            };
            progress.report(&FleetEvent::MemberFinished {
                index: idx,
                label: &member.label,
                outcome: &outcome,
                failed: result.is_err(),
            });
            (idx, MemberPlan { result })
        })
        .buffer_unordered(parallel.max(1))
        .collect()
        .await;
    progress.report(&FleetEvent::Finished);
    results.sort_by_key(|(idx, _)| *idx);
    FleetPlan {
        members,
        plans: results.into_iter().map(|(_, plan)| plan).collect(),
        elapsed: started.elapsed(),
    }
}

/// The first line of a reason (the table shows it; the rest follows).
pub fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::PreflightReport;
    use crate::live::ConnParams;

    fn member(name: &str) -> Member {
        let conn = ConnParams::parse_with(
            &format!("postgresql://app@db/{name}"),
            &crate::live::Env::empty(),
        )
        .expect("valid");
        Member {
            label: conn.target(),
            conn,
        }
    }

    fn planned(sql: &[&str]) -> MemberPlan {
        let mut plan = Plan::default();
        for text in sql {
            let steps = crate::plan::plan_models(
                &Model::default(),
                &crate::frontend::load(&crate::source::SourceSet::single("t.sql", text)).value,
                &crate::plan::PlanOptions::default(),
            )
            .expect("plan")
            .steps;
            plan.steps.extend(steps);
        }
        MemberPlan {
            result: Ok(LivePlan {
                plan,
                server_version: 15,
                current: Model::default(),
                fingerprint: None,
                notes: Vec::new(),
                preflight: PreflightReport::default(),
            }),
        }
    }

    #[test]
    fn identical_plans_group_and_the_largest_group_comes_first() {
        let fleet = FleetPlan {
            members: ["a", "b", "c", "d", "e"].into_iter().map(member).collect(),
            plans: vec![
                planned(&["CREATE TABLE t (id int);"]),
                planned(&["CREATE TABLE t (id int);", "CREATE TABLE u (id int);"]),
                planned(&["CREATE TABLE t (id int);"]),
                MemberPlan {
                    result: Err("cannot connect".to_string()),
                },
                planned(&[]),
            ],
            elapsed: Duration::ZERO,
        };
        let groups = fleet.groups();
        let shape: Vec<(usize, Vec<usize>)> = groups
            .iter()
            .map(|group| (group.steps, group.members.clone()))
            .collect();
        assert_eq!(shape[0], (1, vec![0, 2]));
        assert_eq!(shape.len(), 3);
        assert!(shape.contains(&(2, vec![1])));
        assert!(shape.contains(&(0, vec![4])));
        assert_eq!(fleet.failures(), vec![(3, "cannot connect")]);
        let keys = fleet.keys();
        assert_eq!(keys[0], keys[2]);
        assert_ne!(keys[0], keys[1]);
        assert_eq!(keys[3], None);
        assert_eq!(keys[0].as_deref().map(str::len), Some(12));
    }
}
