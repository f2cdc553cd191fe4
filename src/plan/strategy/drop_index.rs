//! Dropping an index.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-dropindex.html):
//! `DROP INDEX CONCURRENTLY` waits for transactions using the index and
//! takes only SHARE UPDATE EXCLUSIVE on the table; it cannot run in a
//! transaction block and cannot drop an index of a partitioned table,
//! for which a plain `DROP INDEX` (ACCESS EXCLUSIVE on the table and its
//! partitions, brief) is used. Direct mode (`online = false`) always uses
//! the plain form.
//!
//! Ordering invariant: the index is dropped before the columns it covers
//! (PostgreSQL would drop it with the column, and a later explicit drop
//! would fail), and after any replacement index is created (creates come
//! before drops).

use super::{released_expr_keys, Cx};
use crate::model::{Index, IndexExpr, QualifiedName};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, Hazard, LockMode};

pub(super) fn drop_index(cx: &Cx<'_>, table: &QualifiedName, index: &Index) -> Vec<Node> {
    if cx.replaced_index(table, &index.name).is_some() {
        // Dropped by the replacement (`create_index::replace_index`).
        return Vec::new();
    }
    let qualified = table.with_name(index.name.clone());
    let relation = cx.ctx.current.tables.get(table);
    let partitioned = relation.is_some_and(|t| t.partition_by.is_some());
    let step = if !cx.online() {
        cx.step(
            Action::DropIndex {
                table: table.clone(),
                name: index.name.clone(),
                concurrently: false,
            },
            format!("drop index {qualified}"),
            format!("DROP INDEX {qualified}"),
        )
        .on(table, LockMode::AccessExclusive)
    } else if partitioned {
        cx.step(
            Action::DropIndex {
                table: table.clone(),
                name: index.name.clone(),
                concurrently: false,
            },
            format!("drop index {qualified} of partitioned table {table}"),
            format!("DROP INDEX {qualified}"),
        )
        .on(table, LockMode::AccessExclusive)
        .hazard(
            Hazard::LongLock,
            format!("index {qualified} of a partitioned table cannot be dropped concurrently: ACCESS EXCLUSIVE on {table} while it is dropped"),
        )
    } else {
        cx.step(
            Action::DropIndex {
                table: table.clone(),
                name: index.name.clone(),
                concurrently: true,
            },
            format!("drop index {qualified} concurrently"),
            format!("DROP INDEX CONCURRENTLY {qualified}"),
        )
        .non_transactional()
        .on(table, LockMode::ShareUpdateExclusive)
    };
    let mut releases = vec![Key::Relation(table.clone())];
    for key in &index.keys {
        match &key.expr {
            IndexExpr::Column(column) => releases.push(Key::Column(table.clone(), column.clone())),
            IndexExpr::Expr(expr) => releases.extend(released_expr_keys(cx, table, &expr.sql)),
        }
    }
    vec![cx
        .node(Phase::DropIndex, vec![step])
        .removes([Key::Index(table.clone(), index.name.clone())])
        .releases(releases)]
}
