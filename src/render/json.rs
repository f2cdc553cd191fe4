//! The plan as JSON: explicit, versioned structs (never the internal types),
//! documented field by field in docs/plan-json.md.
//!
//! Invariants: `format_version` changes whenever a field is removed or its
//! meaning changes (adding a field does not); positions are 1-based; steps
//! are numbered from 1 in execution order; output is pretty-printed with a
//! final newline, and the same plan gives the same bytes.

use super::diagnostics::json::{CountsJson, DiagnosticJson, DiagnosticsJson};
use super::{group_numbers, object_name, transaction_count, Extras, SourceRange};
use crate::plan::{ActionRecord, Plan, Step};
use crate::source::SourceSet;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

/// The version of this format; see docs/plan-json.md. Version 2 added
/// each step's typed `action`.
pub const FORMAT_VERSION: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanJson {
    pub format_version: u32,
    /// The database the plan was made against; `null` offline.
    #[serde(default)]
    pub target: Option<TargetJson>,
    pub summary: SummaryJson,
    pub steps: Vec<StepJson>,
    pub notes: Vec<String>,
    /// The lint findings about the desired schema and this plan (the same
    /// objects as `schemac check --format json` prints).
    #[serde(default)]
    pub findings: Vec<DiagnosticJson>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetJson {
    /// `user@host:port/dbname`, never with a password.
    pub database: String,
    /// Major version of the server.
    pub server_version: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryJson {
    pub has_changes: bool,
    pub steps: usize,
    /// Transactions the plan runs (as the text and markdown formats count
    /// them: groups of transactional steps).
    #[serde(default)]
    pub transactions: usize,
    /// Groups of steps, counting each step outside a transaction as a
    /// group of its own (`transaction_group` of each step).
    pub transaction_groups: usize,
    pub non_transactional_steps: usize,
    /// Distinct hazard ids of all steps, sorted.
    pub hazards: Vec<String>,
    /// Tables rewritten by some step, sorted.
    pub rewritten_tables: Vec<String>,
    /// Counts of `findings` by severity.
    #[serde(default)]
    pub findings: CountsJson,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepJson {
    pub index: usize,
    pub description: String,
    /// What the step does (docs/plan-json.md lists every kind).
    pub action: ActionRecord,
    pub sql: String,
    pub transactional: bool,
    pub transaction_group: usize,
    pub locks: Vec<LockJson>,
    pub rewrites: bool,
    pub scans: bool,
    pub hazards: Vec<HazardJson>,
    pub table: Option<String>,
    pub table_size: Option<TableSizeJson>,
    pub object: ObjectJson,
    pub source: Option<SourceJson>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockJson {
    pub relation: String,
    pub mode: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HazardJson {
    pub id: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSizeJson {
    /// `null` when unknown (the table was never analysed).
    pub rows: Option<i64>,
    pub bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectJson {
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceJson {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl From<SourceRange> for SourceJson {
    fn from(range: SourceRange) -> SourceJson {
        SourceJson {
            file: range.file,
            line: range.line,
            column: range.column,
            end_line: range.end_line,
            end_column: range.end_column,
        }
    }
}

impl PlanJson {
    /// Builds the JSON view; spans resolve through `sources` (a span whose
    /// file is not in the set gives `"source": null`).
    pub fn new(plan: &Plan, sources: &SourceSet) -> PlanJson {
        PlanJson::with(plan, sources, Extras::default())
    }

    /// The JSON view with the plan's target and lint findings.
    pub fn with(plan: &Plan, sources: &SourceSet, extras: Extras<'_>) -> PlanJson {
        let groups = group_numbers(plan);
        let steps = plan
            .steps
            .iter()
            .enumerate()
            .map(|(idx, step)| step_json(idx + 1, groups[idx], step, sources))
            .collect();
        let mut rewritten_tables: Vec<String> = plan
            .steps
            .iter()
            .filter(|step| step.rewrites)
            .filter_map(|step| step.table.as_ref().map(ToString::to_string))
            .collect();
        rewritten_tables.sort();
        rewritten_tables.dedup();
        let findings = DiagnosticsJson::new(extras.findings, sources);
        PlanJson {
            format_version: FORMAT_VERSION,
            target: extras.target.map(|target| TargetJson {
                database: target.database.clone(),
                server_version: target.server_version,
            }),
            summary: SummaryJson {
                has_changes: !plan.is_empty(),
                steps: plan.steps.len(),
                transactions: transaction_count(plan),
                findings: findings.summary,
                transaction_groups: plan.transaction_groups().len(),
                non_transactional_steps: plan.steps.iter().filter(|s| !s.transactional).count(),
                hazards: plan.hazards().iter().map(|h| h.id().to_string()).collect(),
                rewritten_tables,
            },
            steps,
            notes: plan.notes.clone(),
            findings: findings.diagnostics,
        }
    }
}

fn step_json(index: usize, group: usize, step: &Step, sources: &SourceSet) -> StepJson {
    StepJson {
        index,
        description: step.description.clone(),
        action: ActionRecord::from(&step.action),
        sql: step.sql.clone(),
        transactional: step.transactional,
        transaction_group: group,
        locks: step
            .locks
            .iter()
            .map(|lock| LockJson {
                relation: lock.relation.to_string(),
                mode: lock.mode.as_sql().to_string(),
            })
            .collect(),
        rewrites: step.rewrites,
        scans: step.scans,
        hazards: step
            .hazards
            .iter()
            .map(|note| HazardJson {
                id: note.hazard.id().to_string(),
                message: note.message.clone(),
            })
            .collect(),
        table: step.table.as_ref().map(ToString::to_string),
        table_size: step.table_size.map(|size| TableSizeJson {
            rows: size.rows,
            bytes: size.bytes,
        }),
        object: ObjectJson {
            kind: step.origin.object.kind().as_str().to_string(),
            name: object_name(&step.origin.object),
        },
        source: step
            .origin
            .span
            .and_then(|span| SourceRange::resolve(sources, span))
            .map(SourceJson::from),
    }
}

/// Writes the plan as pretty-printed JSON followed by a newline.
pub fn render(plan: &Plan, sources: &SourceSet, out: &mut impl Write) -> io::Result<()> {
    render_with(plan, sources, Extras::default(), out)
}

/// [`render`] with the plan's target and lint findings.
pub fn render_with(
    plan: &Plan,
    sources: &SourceSet,
    extras: Extras<'_>,
    out: &mut impl Write,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &PlanJson::with(plan, sources, extras))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;

    fn check(plan: &Plan) -> String {
        let mut out = Vec::new();
        render(plan, &sample::sources(), &mut out).expect("writing to a Vec cannot fail");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn sample_plan() {
        insta::assert_snapshot!(check(&sample::plan()), @r#"
            {
              "format_version": 2,
              "target": null,
              "summary": {
                "has_changes": true,
                "steps": 4,
                "transactions": 2,
                "transaction_groups": 3,
                "non_transactional_steps": 1,
                "hazards": [
                  "data-loss",
                  "index-build"
                ],
                "rewritten_tables": [],
                "findings": {
                  "errors": 0,
                  "warnings": 0,
                  "infos": 0
                }
              },
              "steps": [
                {
                  "index": 1,
                  "description": "create table public.accounts",
                  "action": {
                    "kind": "create_table",
                    "table": {
                      "schema": "public",
                      "name": "accounts"
                    },
                    "partition_of": null,
                    "like": null
                  },
                  "sql": "CREATE TABLE public.accounts (\n    id uuid NOT NULL,\n    CONSTRAINT accounts_pkey PRIMARY KEY (id)\n)",
                  "transactional": true,
                  "transaction_group": 1,
                  "locks": [
                    {
                      "relation": "public.accounts",
                      "mode": "ACCESS EXCLUSIVE"
                    }
                  ],
                  "rewrites": false,
                  "scans": false,
                  "hazards": [],
                  "table": null,
                  "table_size": null,
                  "object": {
                    "kind": "table",
                    "name": "public.accounts"
                  },
                  "source": {
                    "file": "db/app.schema",
                    "line": 1,
                    "column": 1,
                    "end_line": 2,
                    "end_column": 19
                  }
                },
                {
                  "index": 2,
                  "description": "create function public.touch()",
                  "action": {
                    "kind": "create_function",
                    "name": {
                      "schema": "public",
                      "name": "touch"
                    },
                    "procedure": false,
                    "or_replace": false
                  },
                  "sql": "CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$\nbegin\n  new.updated_at := now(); -- keep; this\n  return new;\nend\n$$",
                  "transactional": true,
                  "transaction_group": 1,
                  "locks": [],
                  "rewrites": false,
                  "scans": false,
                  "hazards": [],
                  "table": null,
                  "table_size": null,
                  "object": {
                    "kind": "table",
                    "name": "public.accounts"
                  },
                  "source": null
                },
                {
                  "index": 3,
                  "description": "drop column public.orders.note",
                  "action": {
                    "kind": "drop_column",
                    "table": {
                      "schema": "public",
                      "name": "orders"
                    },
                    "column": "note"
                  },
                  "sql": "ALTER TABLE public.orders DROP COLUMN note",
                  "transactional": true,
                  "transaction_group": 2,
                  "locks": [
                    {
                      "relation": "public.orders",
                      "mode": "ACCESS EXCLUSIVE"
                    }
                  ],
                  "rewrites": false,
                  "scans": false,
                  "hazards": [
                    {
                      "id": "data-loss",
                      "message": "column public.orders.note is dropped with its data"
                    }
                  ],
                  "table": "public.orders",
                  "table_size": null,
                  "object": {
                    "kind": "column",
                    "name": "public.orders.note"
                  },
                  "source": null
                },
                {
                  "index": 4,
                  "description": "create index orders_status_idx on public.orders",
                  "action": {
                    "kind": "create_index",
                    "table": {
                      "schema": "public",
                      "name": "orders"
                    },
                    "name": "orders_status_idx",
                    "unique": false,
                    "concurrently": true,
                    "on_only": false,
                    "columns": [
                      "status"
                    ]
                  },
                  "sql": "CREATE INDEX CONCURRENTLY orders_status_idx ON public.orders USING btree (status)",
                  "transactional": false,
                  "transaction_group": 3,
                  "locks": [
                    {
                      "relation": "public.orders",
                      "mode": "SHARE UPDATE EXCLUSIVE"
                    }
                  ],
                  "rewrites": false,
                  "scans": true,
                  "hazards": [
                    {
                      "id": "index-build",
                      "message": "index orders_status_idx is built on public.orders"
                    }
                  ],
                  "table": "public.orders",
                  "table_size": {
                    "rows": 1234567,
                    "bytes": 98765432
                  },
                  "object": {
                    "kind": "index",
                    "name": "public.orders.orders_status_idx"
                  },
                  "source": {
                    "file": "db/app.schema",
                    "line": 8,
                    "column": 3,
                    "end_line": 8,
                    "end_column": 17
                  }
                }
              ],
              "notes": [
                "external table public.orders_p2024 is left alone"
              ],
              "findings": []
            }
            "#);
    }

    #[test]
    fn empty_plan() {
        insta::assert_snapshot!(check(&Plan::default()), @r#"
            {
              "format_version": 2,
              "target": null,
              "summary": {
                "has_changes": false,
                "steps": 0,
                "transactions": 0,
                "transaction_groups": 0,
                "non_transactional_steps": 0,
                "hazards": [],
                "rewritten_tables": [],
                "findings": {
                  "errors": 0,
                  "warnings": 0,
                  "infos": 0
                }
              },
              "steps": [],
              "notes": [],
              "findings": []
            }
            "#);
    }

    #[test]
    fn round_trips_through_serde() {
        let text = check(&sample::plan());
        let parsed: PlanJson = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(parsed, PlanJson::new(&sample::plan(), &sample::sources()));
        assert_eq!(parsed.format_version, FORMAT_VERSION);
    }
}
