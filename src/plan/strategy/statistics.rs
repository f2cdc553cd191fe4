//! Extended statistics: `CREATE STATISTICS`, `ALTER STATISTICS ... SET
//! STATISTICS`, `DROP STATISTICS`.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-createstatistics.html):
//! creating statistics only writes the catalog (they are computed by the
//! next `ANALYZE`), under SHARE UPDATE EXCLUSIVE on the table, which does
//! not block reads or writes; altering and dropping take the same lock.
//! A change of columns or kinds is a drop and a create (no `ALTER` can do
//! it), which loses nothing but the gathered numbers.
//!
//! Ordering invariant: statistics are created after their table and the
//! columns they name, and dropped before their table or columns go.

use super::{column_keys, expr_keys, Cx};
use crate::model::{statistics, IndexExpr, QualifiedName, Statistics};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, LockMode};

pub(super) fn create(cx: &Cx<'_>, table: &QualifiedName, stats: &Statistics) -> Vec<Node> {
    let mut steps = vec![cx
        .step(
            Action::CreateStatistics {
                table: table.clone(),
                name: stats.name.clone(),
            },
            format!("create statistics {} on {table}", stats.name),
            statistics::create_statistics(table, stats),
        )
        .lock(table, LockMode::ShareUpdateExclusive)];
    if stats.target.is_some() {
        steps.push(target_step(cx, table, stats).joining());
    }
    let mut requires = vec![Key::Relation(table.clone())];
    let columns: Vec<_> = stats
        .keys
        .iter()
        .filter_map(|key| match key {
            IndexExpr::Column(column) => Some(column.clone()),
            IndexExpr::Expr(_) => None,
        })
        .collect();
    requires.extend(column_keys(table, &columns));
    let desired_table = cx.ctx.desired.tables.get(table);
    for key in &stats.keys {
        if let IndexExpr::Expr(expr) = key {
            requires.extend(expr_keys(cx.ctx.desired, desired_table, &expr.sql));
        }
    }
    vec![cx
        .node(Phase::CreateIndex, steps)
        .provides([Key::Statistics(table.clone(), stats.name.clone())])
        .requires(requires)]
}

pub(super) fn alter(cx: &Cx<'_>, table: &QualifiedName, stats: &Statistics) -> Vec<Node> {
    vec![cx
        .node(Phase::AlterTable, vec![target_step(cx, table, stats)])
        .requires([Key::Relation(table.clone())])]
}

pub(super) fn drop(cx: &Cx<'_>, table: &QualifiedName, stats: &Statistics) -> Vec<Node> {
    let step = cx
        .step(
            Action::DropStatistics {
                table: table.clone(),
                name: stats.name.clone(),
            },
            format!("drop statistics {} on {table}", stats.name),
            format!("DROP STATISTICS {}", table.with_name(stats.name.clone())),
        )
        .lock(table, LockMode::ShareUpdateExclusive);
    let columns: Vec<_> = stats
        .keys
        .iter()
        .filter_map(|key| match key {
            IndexExpr::Column(column) => Some(column.clone()),
            IndexExpr::Expr(_) => None,
        })
        .collect();
    let mut releases = vec![Key::Relation(table.clone())];
    releases.extend(column_keys(table, &columns));
    vec![cx
        .node(Phase::DropIndex, vec![step])
        .removes([Key::Statistics(table.clone(), stats.name.clone())])
        .releases(releases)]
}

fn target_step(cx: &Cx<'_>, table: &QualifiedName, stats: &Statistics) -> crate::plan::Step {
    cx.step(
        Action::AlterStatistics {
            table: table.clone(),
            name: stats.name.clone(),
        },
        format!("set the statistics target of {}", stats.name),
        statistics::alter_statistics_target(table, stats),
    )
    .lock(table, LockMode::ShareUpdateExclusive)
}

#[cfg(test)]
mod tests {
    use crate::model::{parse_statistics, Model, QualifiedName};
    use crate::plan::strategy::test_support::{column, model, plan_text, table};

    fn with_stats(sql: &str, target: Option<i32>) -> Model {
        let mut res = model(vec![table(
            "t",
            vec![column("a", "integer"), column("b", "text")],
        )]);
        let mut def = parse_statistics(sql).expect("parses");
        def.statistics.target = target;
        if let Some(t) = res.tables.get_mut(&QualifiedName::public("t")) {
            t.statistics
                .insert(def.statistics.name.clone(), def.statistics);
        }
        res
    }

    #[test]
    fn create_alter_and_replace() {
        let none = with_stats("CREATE STATISTICS s ON a, b FROM t", None);
        let mut empty = none.clone();
        if let Some(t) = empty.tables.get_mut(&QualifiedName::public("t")) {
            t.statistics.clear();
        }
        let targeted = with_stats("CREATE STATISTICS s ON a, b FROM t", Some(500));
        let narrower = with_stats("CREATE STATISTICS s (mcv) ON a, (lower(b)) FROM t", None);
        insta::assert_snapshot!(plan_text(&empty, &targeted), @"
        tx CREATE STATISTICS public.s ON a, b FROM public.t
        +tx ALTER STATISTICS public.s SET STATISTICS 500
        ");
        insta::assert_snapshot!(plan_text(&none, &targeted), @"tx ALTER STATISTICS public.s SET STATISTICS 500");
        insta::assert_snapshot!(plan_text(&none, &narrower), @"
        tx DROP STATISTICS public.s
        tx CREATE STATISTICS public.s (mcv) ON a, (lower(b)) FROM public.t
        ");
        insta::assert_snapshot!(plan_text(&none, &empty), @"tx DROP STATISTICS public.s");
    }
}
