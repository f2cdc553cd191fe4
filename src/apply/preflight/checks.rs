//! From a plan's typed steps to the read-only data checks that prove the
//! steps will not fail on rows already in the tables. Pure: no IO.
//!
//! Invariants:
//! - Checks are built from each step's [`Action`] (its table, columns,
//!   expression, referenced table), never from its SQL.
//! - The plan is read in order: a table created earlier in the plan is
//!   empty (nothing to check); a table renamed earlier does not exist yet
//!   under its new name; a check that reads a column an earlier step adds,
//!   retypes, renames or backfills is skipped with that reason, because
//!   the rows do not hold those values yet. So a check never refuses a plan
//!   that would succeed.
//! - One check per (table, rule, key): the helper `CHECK (col IS NOT NULL)`
//!   and the `SET NOT NULL` it proves are one check.

use super::PreflightRule;
use crate::model::{Ident, QualifiedName};
use crate::plan::{Action, ConstraintAction, Plan};
use std::collections::{BTreeMap, BTreeSet};

/// The most offending rows a check reports.
pub const MAX_ROWS: usize = 5;

/// One read-only check of the data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The step (0-based) that would fail.
    pub step: usize,
    pub rule: PreflightRule,
    /// The table whose rows are read.
    pub table: QualifiedName,
    /// What the step requires, for messages: `unique (email)`.
    pub requirement: String,
    pub query: CheckQuery,
}

/// How a check reads the data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckQuery {
    /// A query returning up to [`MAX_ROWS`] offending rows, one text
    /// column each.
    Rows(String),
    /// Every row must cast: `SELECT count((expr)::ty) FROM table` fails on
    /// the first row that does not; then a per-row loop finds a few.
    Cast { expr: String, ty: String },
    /// Rows holding one of `values` in any column of the enum `name`
    /// (the columns are read from the catalog when the check runs).
    EnumValues {
        name: QualifiedName,
        values: Vec<String>,
    },
}

/// A check that was not run, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub step: usize,
    pub rule: PreflightRule,
    pub table: QualifiedName,
    pub reason: String,
}

/// What the plan's steps need checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checks {
    pub checks: Vec<Check>,
    pub skipped: Vec<Skipped>,
}

/// What earlier steps of the plan did to the tables.
#[derive(Default)]
struct Earlier {
    /// Created by the plan: empty.
    created: BTreeSet<QualifiedName>,
    /// The new names of renamed tables: not there yet.
    renamed: BTreeSet<QualifiedName>,
    /// Columns whose values earlier steps add or change: column -> what.
    changed: BTreeMap<(QualifiedName, String), String>,
    /// Dedupe keys of the checks built so far.
    seen: BTreeSet<(QualifiedName, PreflightRule, String)>,
}

/// The checks the plan's steps need, in step order.
pub fn plan_checks(plan: &Plan) -> Checks {
    let mut res = Checks::default();
    let mut earlier = Earlier::default();
    for (idx, step) in plan.steps.iter().enumerate() {
        for candidate in candidates(plan, idx) {
            earlier.judge(candidate, &mut res);
        }
        earlier.record(idx, &step.action);
    }
    res
}

/// A check before the plan's earlier steps are taken into account.
struct Candidate {
    check: Check,
    /// The dedupe key within (table, rule).
    key: String,
    /// Columns of `check.table` the query reads (folded names).
    reads: Vec<String>,
    /// Another table the query reads (an FK's referenced table).
    other: Option<QualifiedName>,
}

impl Earlier {
    fn judge(&mut self, candidate: Candidate, res: &mut Checks) {
        let Candidate {
            check,
            key,
            reads,
            other,
        } = candidate;
        if self.created.contains(&check.table) {
            return;
        }
        let skip = |reason: String| Skipped {
            step: check.step,
            rule: check.rule,
            table: check.table.clone(),
            reason,
        };
        if self.renamed.contains(&check.table) {
            res.skipped.push(skip(format!(
                "{} is renamed to this name earlier in the plan",
                check.table
            )));
            return;
        }
        if let Some(what) = reads.iter().find_map(|column| {
            self.changed
                .get(&(check.table.clone(), column.clone()))
                .map(|what| format!("column {column} {what} earlier in the plan"))
        }) {
            res.skipped
                .push(skip(format!("{what}, so its rows cannot be checked first")));
            return;
        }
        if let Some(other) = &other {
            if self.renamed.contains(other) {
                res.skipped.push(skip(format!(
                    "{other} is renamed to this name earlier in the plan"
                )));
                return;
            }
        }
        if self
            .seen
            .insert((check.table.clone(), check.rule, key.clone()))
        {
            res.checks.push(check);
        }
    }

    fn record(&mut self, idx: usize, action: &Action) {
        let number = idx + 1;
        let mut changed = |table: &QualifiedName, column: &Ident, what: &str| {
            self.changed.insert(
                (table.clone(), column.as_str().to_string()),
                format!("{what} by step {number}"),
            );
        };
        match action {
            Action::CreateTable { table, .. } => {
                self.created.insert(table.clone());
            }
            Action::RenameTable { from, to } => {
                self.renamed
                    .insert(QualifiedName::new(from.schema.as_str(), to.as_str()));
            }
            Action::AddColumn { table, column, .. } => changed(table, column, "is added"),
            Action::AlterColumnType { table, column, .. } => changed(table, column, "is retyped"),
            Action::RenameColumn { table, to, .. } => changed(table, to, "is renamed"),
            Action::Backfill { table, column, .. } => changed(table, column, "is backfilled"),
            Action::DropExpression { table, column } => changed(table, column, "is made plain"),
            _ => {}
        }
    }
}

/// The checks step `idx` needs, ignoring earlier steps.
fn candidates(plan: &Plan, idx: usize) -> Vec<Candidate> {
    let step = &plan.steps[idx];
    let base = |rule: PreflightRule, table: &QualifiedName, requirement: String| Check {
        step: idx,
        rule,
        table: table.clone(),
        requirement,
        query: CheckQuery::Rows(String::new()),
    };
    match &step.action {
        Action::CreateIndex {
            table,
            name,
            unique: true,
            on_only: false,
            columns,
            expressions,
            predicate,
            nulls_not_distinct,
            ..
        } => {
            let mut keys: Vec<String> = columns.iter().map(ToString::to_string).collect();
            keys.extend(expressions.iter().map(|expr| format!("({expr})")));
            let requirement = format!("unique index {name} ({})", keys.join(", "));
            let mut reads = folded(columns);
            for text in expressions.iter().chain(predicate) {
                reads.extend(crate::sql_lex::words(text));
            }
            vec![Candidate {
                check: Check {
                    query: duplicates_query(
                        table,
                        &keys,
                        predicate.as_deref(),
                        *nulls_not_distinct,
                    ),
                    ..base(PreflightRule::Unique, table, requirement)
                },
                key: format!("{keys:?} {predicate:?}"),
                reads,
                other: None,
            }]
        }
        Action::AddConstraint {
            table,
            name,
            kind,
            not_valid,
            using_index,
        } => {
            if *not_valid && !validated_later(plan, idx, table, name) {
                return Vec::new();
            }
            constraint_candidates(idx, table, name, kind, using_index.is_some())
        }
        Action::SetNotNull { table, column } => vec![not_null(idx, table, column)],
        Action::AlterColumnType {
            table,
            column,
            to,
            using,
            rewrite,
            ..
        } => {
            if using.is_none() && !rewrite {
                // Binary coercible: no row can fail.
                return Vec::new();
            }
            let expr = using.clone().unwrap_or_else(|| column.to_string());
            let mut reads = crate::sql_lex::words(&expr);
            reads.push(column.as_str().to_string());
            vec![Candidate {
                check: Check {
                    query: CheckQuery::Cast {
                        expr: expr.clone(),
                        ty: to.to_string(),
                    },
                    ..base(
                        PreflightRule::TypeCast,
                        table,
                        format!("{column} cast to {to} (USING {expr})"),
                    )
                },
                key: format!("{column} {to} {expr}"),
                reads: Vec::new(),
                other: None,
            }
            .reading(reads)]
        }
        Action::RenameEnumForRebuild {
            name,
            removed_values,
            ..
        } if !removed_values.is_empty() => vec![Candidate {
            check: Check {
                query: CheckQuery::EnumValues {
                    name: name.clone(),
                    values: removed_values.clone(),
                },
                ..base(
                    PreflightRule::EnumValue,
                    name,
                    format!("no row holding {}", removed_values.join(", ")),
                )
            },
            key: removed_values.join(","),
            reads: Vec::new(),
            other: None,
        }],
        Action::AttachPartition {
            parent,
            partition,
            bound,
            bound_check,
            scans_default,
        } => attach_candidates(
            idx,
            parent,
            partition,
            bound,
            bound_check.as_deref(),
            scans_default.as_ref(),
        ),
        _ => Vec::new(),
    }
}

impl Candidate {
    fn reading(mut self, reads: Vec<String>) -> Candidate {
        self.reads = reads;
        self
    }
}

fn folded(columns: &[Ident]) -> Vec<String> {
    columns.iter().map(|c| c.as_str().to_string()).collect()
}

/// True when a later step validates the constraint (a NOT VALID
/// constraint that stays NOT VALID cannot fail on existing rows).
fn validated_later(plan: &Plan, idx: usize, table: &QualifiedName, name: &Ident) -> bool {
    plan.steps[idx + 1..].iter().any(|step| {
        matches!(&step.action, Action::ValidateConstraint { table: t, name: n } if t == table && n == name)
    })
}

fn constraint_candidates(
    idx: usize,
    table: &QualifiedName,
    name: &Ident,
    kind: &ConstraintAction,
    using_index: bool,
) -> Vec<Candidate> {
    let check = |rule, requirement: String, query: String| Check {
        step: idx,
        rule,
        table: table.clone(),
        requirement,
        query: CheckQuery::Rows(query),
    };
    match kind {
        ConstraintAction::Check { expr } => vec![Candidate {
            check: check(
                PreflightRule::Check,
                format!("check {name} ({expr})"),
                format!("SELECT {ROW} FROM {table} AS _s WHERE ({expr}) IS FALSE LIMIT {MAX_ROWS}"),
            ),
            key: expr.clone(),
            reads: crate::sql_lex::words(expr),
            other: None,
        }],
        ConstraintAction::NotNullCheck { column } => vec![not_null(idx, table, column)],
        ConstraintAction::ForeignKey {
            columns,
            ref_table,
            ref_columns,
        } => {
            let not_null = columns
                .iter()
                .map(|c| format!("_s.{c} IS NOT NULL"))
                .collect::<Vec<_>>()
                .join(" AND ");
            let matches = columns
                .iter()
                .zip(ref_columns)
                .map(|(c, r)| format!("_r.{r} = _s.{c}"))
                .collect::<Vec<_>>()
                .join(" AND ");
            let cols = columns
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            let refs = ref_columns
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            vec![Candidate {
                check: check(
                    PreflightRule::ForeignKey,
                    format!("foreign key {name} ({cols}) references {ref_table} ({refs})"),
                    format!(
                        "SELECT {ROW} FROM {table} AS _s WHERE {not_null} AND NOT EXISTS \
                         (SELECT 1 FROM {ref_table} AS _r WHERE {matches}) LIMIT {MAX_ROWS}"
                    ),
                ),
                key: format!("{cols} {ref_table} {refs}"),
                reads: folded(columns),
                other: Some(ref_table.clone()),
            }]
        }
        ConstraintAction::Unique {
            columns,
            nulls_not_distinct,
        } => {
            if using_index {
                // Its index was built (and checked) by an earlier step, or
                // exists already and so holds no duplicates.
                return Vec::new();
            }
            let keys: Vec<String> = columns.iter().map(ToString::to_string).collect();
            vec![Candidate {
                check: Check {
                    step: idx,
                    rule: PreflightRule::Unique,
                    table: table.clone(),
                    requirement: format!("unique {name} ({})", keys.join(", ")),
                    query: duplicates_query(table, &keys, None, *nulls_not_distinct),
                },
                key: format!("{keys:?} None"),
                reads: folded(columns),
                other: None,
            }]
        }
        ConstraintAction::PrimaryKey { columns } => {
            // Every key column becomes NOT NULL; duplicates are found by the
            // unique index the constraint is built on (or by this check).
            let mut res: Vec<Candidate> = columns.iter().map(|c| not_null(idx, table, c)).collect();
            if !using_index {
                let keys: Vec<String> = columns.iter().map(ToString::to_string).collect();
                res.push(Candidate {
                    check: Check {
                        step: idx,
                        rule: PreflightRule::Unique,
                        table: table.clone(),
                        requirement: format!("primary key {name} ({})", keys.join(", ")),
                        query: duplicates_query(table, &keys, None, false),
                    },
                    key: format!("{keys:?} None"),
                    reads: folded(columns),
                    other: None,
                });
            }
            res
        }
        ConstraintAction::Exclude => Vec::new(),
    }
}

fn attach_candidates(
    idx: usize,
    parent: &QualifiedName,
    partition: &QualifiedName,
    bound: &str,
    bound_check: Option<&str>,
    scans_default: Option<&QualifiedName>,
) -> Vec<Candidate> {
    let Some(expr) = bound_check else {
        return Vec::new();
    };
    let reads = crate::sql_lex::words(expr);
    let mut res = vec![Candidate {
        check: Check {
            step: idx,
            rule: PreflightRule::PartitionBound,
            table: partition.clone(),
            requirement: format!("every row of {partition} in {bound} of {parent}"),
            query: CheckQuery::Rows(format!(
                "SELECT {ROW} FROM {partition} AS _s WHERE ({expr}) IS NOT TRUE LIMIT {MAX_ROWS}"
            )),
        },
        key: expr.to_string(),
        reads: reads.clone(),
        other: None,
    }];
    if let Some(default) = scans_default {
        res.push(Candidate {
            check: Check {
                step: idx,
                rule: PreflightRule::PartitionBound,
                table: default.clone(),
                requirement: format!(
                    "no row of the default partition {default} in {bound} of {parent}"
                ),
                query: CheckQuery::Rows(format!(
                    "SELECT {ROW} FROM {default} AS _s WHERE ({expr}) IS TRUE LIMIT {MAX_ROWS}"
                )),
            },
            key: format!("default {expr}"),
            reads,
            other: None,
        });
    }
    res
}

/// A row of `_s` as shown in a finding.
const ROW: &str = "left(row_to_json(_s)::text, 200)";

fn not_null(idx: usize, table: &QualifiedName, column: &Ident) -> Candidate {
    Candidate {
        check: Check {
            step: idx,
            rule: PreflightRule::NotNull,
            table: table.clone(),
            requirement: format!("{column} is not null"),
            query: CheckQuery::Rows(format!(
                "SELECT {ROW} FROM {table} AS _s WHERE _s.{column} IS NULL LIMIT {MAX_ROWS}"
            )),
        },
        key: column.as_str().to_string(),
        reads: vec![column.as_str().to_string()],
        other: None,
    }
}

/// Key values that occur more than once (rows with a NULL key are
/// distinct unless `nulls_not_distinct`), with their count.
fn duplicates_query(
    table: &QualifiedName,
    keys: &[String],
    predicate: Option<&str>,
    nulls_not_distinct: bool,
) -> CheckQuery {
    let list = keys.join(", ");
    let mut conditions: Vec<String> = predicate.iter().map(|p| format!("({p})")).collect();
    if !nulls_not_distinct {
        conditions.extend(keys.iter().map(|key| format!("{key} IS NOT NULL")));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    CheckQuery::Rows(format!(
        "SELECT left(json_build_array({list})::text, 200) || ' occurs ' || count(*) || ' times' \
         FROM {table}{filter} GROUP BY {list} HAVING count(*) > 1 LIMIT {MAX_ROWS}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Origin, Step};

    fn step(action: Action) -> Step {
        Step {
            role: None,
            description: action.kind().to_string(),
            action,
            sql: "SELECT 1".to_string(),
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
                object: crate::model::ObjectId::Table(QualifiedName::public("t")),
                span: None,
            },
        }
    }

    fn t() -> QualifiedName {
        QualifiedName::public("t")
    }

    #[test]
    fn not_null_helper_and_set_not_null_are_one_check() {
        let plan = Plan {
            search_path: None,
            steps: vec![
                step(Action::AddConstraint {
                    table: t(),
                    name: Ident::new("a_not_null"),
                    kind: ConstraintAction::NotNullCheck {
                        column: Ident::new("a"),
                    },
                    not_valid: true,
                    using_index: None,
                }),
                step(Action::ValidateConstraint {
                    table: t(),
                    name: Ident::new("a_not_null"),
                }),
                step(Action::SetNotNull {
                    table: t(),
                    column: Ident::new("a"),
                }),
            ],
            notes: Vec::new(),
        };
        let checks = plan_checks(&plan);
        assert_eq!(checks.checks.len(), 1, "{checks:?}");
        assert_eq!(checks.checks[0].step, 0);
        assert_eq!(
            checks.checks[0].query,
            CheckQuery::Rows(
                "SELECT left(row_to_json(_s)::text, 200) FROM public.t AS _s \
                 WHERE _s.a IS NULL LIMIT 5"
                    .to_string()
            )
        );
    }

    #[test]
    fn a_column_added_earlier_skips_the_check_with_a_reason() {
        let plan = Plan {
            search_path: None,
            steps: vec![
                step(Action::AddColumn {
                    table: t(),
                    column: Ident::new("b"),
                    ty: crate::model::TypeName::new("integer"),
                    not_null: false,
                    default: Some("0".to_string()),
                    volatile_default: false,
                    generated: false,
                    identity: false,
                }),
                step(Action::AddConstraint {
                    table: t(),
                    name: Ident::new("t_b_check"),
                    kind: ConstraintAction::Check {
                        expr: "(b >= 0)".to_string(),
                    },
                    not_valid: false,
                    using_index: None,
                }),
            ],
            notes: Vec::new(),
        };
        let checks = plan_checks(&plan);
        assert!(checks.checks.is_empty(), "{checks:?}");
        assert_eq!(
            checks.skipped[0].reason,
            "column b is added by step 1 earlier in the plan, so its rows cannot be checked first"
        );
    }

    #[test]
    fn unvalidated_and_new_tables_need_no_check() {
        let fk = |not_valid| {
            step(Action::AddConstraint {
                table: t(),
                name: Ident::new("t_p_fkey"),
                kind: ConstraintAction::ForeignKey {
                    columns: vec![Ident::new("p")],
                    ref_table: QualifiedName::public("r"),
                    ref_columns: vec![Ident::new("id")],
                },
                not_valid,
                using_index: None,
            })
        };
        let plan = Plan {
            search_path: None,
            steps: vec![fk(true)],
            notes: Vec::new(),
        };
        assert!(plan_checks(&plan).checks.is_empty());
        let created = step(Action::CreateTable {
            table: t(),
            partition_of: None,
            like: None,
        });
        let plan = Plan {
            search_path: None,
            steps: vec![created, fk(false)],
            notes: Vec::new(),
        };
        assert_eq!(plan_checks(&plan), Checks::default());
        let plan = Plan {
            search_path: None,
            steps: vec![fk(false)],
            notes: Vec::new(),
        };
        let checks = plan_checks(&plan);
        assert_eq!(checks.checks[0].rule, PreflightRule::ForeignKey);
        assert!(matches!(&checks.checks[0].query, CheckQuery::Rows(sql)
            if sql.contains("NOT EXISTS (SELECT 1 FROM public.r AS _r WHERE _r.id = _s.p)")));
    }
}
