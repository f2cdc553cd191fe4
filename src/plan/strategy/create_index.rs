//! Creating an index on an existing table or materialized view.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY):
//! `CREATE INDEX CONCURRENTLY` takes SHARE UPDATE EXCLUSIVE, so reads and
//! writes continue during the build; it cannot run inside a transaction
//! block and cannot be used on a partitioned table. For a partitioned
//! table the index is created `ON ONLY` the parent (catalog only, left
//! invalid), built concurrently on each partition, and attached with
//! `ALTER INDEX ... ATTACH PARTITION`; the parent index becomes valid
//! when every partition has an attached index. On a table created by the
//! same plan the table is empty and a plain `CREATE INDEX` is used.
//!
//! A changed index (the diff drops and creates the same name) on an
//! existing, unpartitioned table is replaced without a window where
//! neither exists: the new definition is built `CONCURRENTLY` under a
//! temporary name derived from the index name (`<name>_new`), the old one
//! is dropped `CONCURRENTLY`, and `ALTER INDEX ... RENAME` gives the new
//! one the name (SHARE UPDATE EXCLUSIVE on the index, brief).
//!
//! Ordering invariant: the index comes after its table, its columns and
//! every partition it is built on (new partitions are attached first).

use super::{expr_keys, Cx};
use crate::model::{sql, Ident, Index, IndexExpr, QualifiedName};
use crate::plan::lookup::TEMPORARY_MARK;
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, Hazard, LockMode, Step};

pub(super) fn create_index(cx: &Cx<'_>, table: &QualifiedName, index: &Index) -> Vec<Node> {
    let mut requires = vec![Key::Relation(table.clone())];
    let relation = cx.ctx.desired.tables.get(table);
    for key in &index.keys {
        match &key.expr {
            IndexExpr::Column(column) => requires.push(Key::Column(table.clone(), column.clone())),
            IndexExpr::Expr(expr) => {
                requires.extend(expr_keys(cx.ctx.desired, relation, &expr.sql))
            }
        }
    }
    if let Some(predicate) = &index.predicate {
        requires.extend(expr_keys(cx.ctx.desired, relation, &predicate.sql));
    }
    let mut steps = Vec::new();
    let mut releases = Vec::new();
    if let Some(old) = cx.replaced_index(table, &index.name) {
        for key in &old.keys {
            match &key.expr {
                IndexExpr::Column(column) => {
                    releases.push(Key::Column(table.clone(), column.clone()))
                }
                IndexExpr::Expr(expr) => releases.extend(expr_keys(
                    cx.ctx.current,
                    cx.ctx.current.tables.get(table),
                    &expr.sql,
                )),
            }
        }
        steps.extend(replace_steps(cx, table, index));
    } else if cx.is_new(table) || !cx.online() {
        // PostgreSQL creates the partitions' indexes and names them itself,
        // unless a partition already has a matching index: the ones the
        // source names are created first, and are attached.
        named_partition_steps(cx, table, index, &mut steps, &mut requires);
        if !cx.is_new(table) {
            steps.push(direct_step(cx, table, index));
        } else {
            steps.push(
                cx.step(
                    index_action(table, index, false, false),
                    format!("create index {} on new table {table}", index.name),
                    sql::create_index(table, index, sql::IndexForm::default()),
                )
                .on(table, LockMode::Share),
            );
        }
    } else if relation.is_some_and(|t| t.partition_by.is_some()) {
        partitioned_steps(cx, table, index, &mut steps, &mut requires);
    } else {
        steps.push(concurrent_step(cx, table, index));
    }
    vec![cx
        .node(Phase::CreateIndex, steps)
        .provides([Key::Index(table.clone(), index.name.clone())])
        .requires(requires)
        .releases(releases)]
}

/// A changed index: the new definition is built concurrently under a
/// temporary name, the old index is dropped concurrently, and the new one
/// takes the name, so queries always have one of the two.
fn replace_steps(cx: &Cx<'_>, table: &QualifiedName, index: &Index) -> Vec<Step> {
    let temporary = temporary_index_name(cx, table, &index.name);
    let mut building = index.clone();
    building.name = temporary.clone();
    let old = table.with_name(index.name.clone());
    vec![
        concurrent_step(cx, table, &building),
        cx.step(
            Action::DropIndex {
                table: table.clone(),
                name: index.name.clone(),
                concurrently: true,
            },
            format!("drop index {old} concurrently (replaced by {temporary})"),
            format!("DROP INDEX CONCURRENTLY {old}"),
        )
        .non_transactional()
        .on(table, LockMode::ShareUpdateExclusive),
        cx.step(
            Action::RenameIndex {
                table: table.clone(),
                from: temporary.clone(),
                to: index.name.clone(),
            },
            format!("rename index {temporary} to {}", index.name),
            format!(
                "ALTER INDEX {} RENAME TO {}",
                table.with_name(temporary.clone()),
                index.name
            ),
        )
        .lock(
            &table.with_name(temporary.clone()),
            LockMode::ShareUpdateExclusive,
        ),
    ]
}

/// `<name>_new` (truncated to 63 bytes), with a number added until no
/// relation of the schema in either Model has the name.
pub(crate) fn temporary_index_name(cx: &Cx<'_>, table: &QualifiedName, name: &Ident) -> Ident {
    let mut counter = 0u32;
    loop {
        let suffix = if counter == 0 {
            TEMPORARY_MARK.to_string()
        } else {
            format!("{TEMPORARY_MARK}{counter}")
        };
        let mut base = name.as_str().to_string();
        while base.len() + suffix.len() > 63 {
            base.pop();
        }
        let candidate = format!("{base}{suffix}");
        if !cx.lookups.is_name_taken(&table.schema, &candidate) {
            return Ident::new(candidate);
        }
        counter += 1;
    }
}

/// Direct mode: a plain `CREATE INDEX` (on a partitioned table it recurses
/// to the partitions), which holds SHARE on the table, blocking writes,
/// for the whole build.
/// The action of `CREATE [UNIQUE] INDEX [CONCURRENTLY] index ON [ONLY] table`.
pub(super) fn index_action(
    table: &QualifiedName,
    index: &Index,
    concurrently: bool,
    on_only: bool,
) -> Action {
    Action::CreateIndex {
        table: table.clone(),
        name: index.name.clone(),
        unique: index.unique,
        concurrently,
        on_only,
        columns: index
            .keys
            .iter()
            .filter_map(|key| match &key.expr {
                IndexExpr::Column(column) => Some(column.clone()),
                IndexExpr::Expr(_) => None,
            })
            .collect(),
        expressions: index
            .keys
            .iter()
            .filter_map(|key| match &key.expr {
                IndexExpr::Column(_) => None,
                IndexExpr::Expr(expr) => Some(expr.to_string()),
            })
            .collect(),
        predicate: index.predicate.as_ref().map(ToString::to_string),
        nulls_not_distinct: index.nulls_not_distinct,
    }
}

fn direct_step(cx: &Cx<'_>, table: &QualifiedName, index: &Index) -> Step {
    cx.step(
        index_action(table, index, false, false),
        format!("create index {} on {table}", index.name),
        sql::create_index(table, index, sql::IndexForm::default()),
    )
    .on(table, LockMode::Share)
    .scanning()
    .hazard(
        Hazard::IndexBuild,
        format!("index {} is built on {table}", index.name),
    )
    .hazard(
        Hazard::LongLock,
        format!(
            "SHARE blocks writes to {table} while index {} is built",
            index.name
        ),
    )
}

pub(super) fn concurrent_step(cx: &Cx<'_>, table: &QualifiedName, index: &Index) -> Step {
    let form = sql::IndexForm {
        concurrently: true,
        ..sql::IndexForm::default()
    };
    cx.step(
        index_action(table, index, true, false),
        format!("create index {} on {table} concurrently", index.name),
        sql::create_index(table, index, form),
    )
    .non_transactional()
    .on(table, LockMode::ShareUpdateExclusive)
    .scanning()
    .hazard(
        Hazard::IndexBuild,
        format!(
            "index {} is built on {table} (concurrently; writes continue)",
            index.name
        ),
    )
}

/// Before `CREATE INDEX` on a partitioned table (new, or in direct mode):
/// the partitions' indexes the source names, so that PostgreSQL attaches
/// them instead of creating indexes under names of its own.
fn named_partition_steps(
    cx: &Cx<'_>,
    table: &QualifiedName,
    index: &Index,
    steps: &mut Vec<Step>,
    requires: &mut Vec<Key>,
) {
    for partition in cx.lookups.desired_partitions_of(table) {
        let Some(child_name) = partition.index_names.0.get(&index.name) else {
            continue;
        };
        if cx
            .ctx
            .current
            .tables
            .get(&partition.name)
            .is_some_and(|t| t.indexes.contains_key(child_name))
        {
            continue;
        }
        requires.push(Key::Relation(partition.name.clone()));
        let mut child = index.clone();
        child.name = child_name.clone();
        child.comment = None;
        steps.push(
            cx.step(
                index_action(&partition.name, &child, false, false),
                format!("create index {child_name} on partition {}", partition.name),
                sql::create_index(&partition.name, &child, sql::IndexForm::default()),
            )
            .on(&partition.name, LockMode::Share),
        );
    }
}

/// `ON ONLY` on the parent, then per partition a concurrent build (or a
/// recursive `ON ONLY` for sub-partitioned partitions) and an attach.
fn partitioned_steps(
    cx: &Cx<'_>,
    table: &QualifiedName,
    index: &Index,
    steps: &mut Vec<Step>,
    requires: &mut Vec<Key>,
) {
    let parent_index = table.with_name(index.name.clone());
    let form = sql::IndexForm {
        only: true,
        ..sql::IndexForm::default()
    };
    // ON ONLY only writes the catalog, but still takes SHARE on the parent.
    steps.push(
        cx.step(
            index_action(table, index, false, true),
            format!(
                "create index {} on only partitioned table {table}",
                index.name
            ),
            sql::create_index(table, index, form),
        )
        .on(table, LockMode::Share),
    );
    // Partitions that leave the parent are detached first, and kept
    // partitions that are managed elsewhere (external) get the index too:
    // the parent index is valid only once every partition has one attached.
    requires.push(Key::Detached(table.clone()));
    let mut partitions: Vec<&crate::model::Table> =
        cx.lookups.desired_partitions_of(table).collect();
    let external: Vec<&crate::model::Table> = cx
        .lookups
        .current_partitions_of(table)
        .filter(|p| {
            (cx.ctx.current.is_external(&p.name) || cx.ctx.desired.is_external(&p.name))
                && !partitions.iter().any(|d| d.name == p.name)
        })
        .collect();
    partitions.extend(external);
    for partition in partitions {
        requires.push(Key::Relation(partition.name.clone()));
        let child_name = partition
            .index_names
            .0
            .get(&index.name)
            .cloned()
            .unwrap_or_else(|| child_index_name(table, &partition.name, &index.name));
        let mut child = index.clone();
        child.name = child_name.clone();
        child.comment = None;
        if partition.partition_by.is_some() {
            partitioned_steps(cx, &partition.name, &child, steps, requires);
        } else if cx.is_new(&partition.name) {
            steps.push(
                cx.step(
                    index_action(&partition.name, &child, false, false),
                    format!(
                        "create index {child_name} on new partition {}",
                        partition.name
                    ),
                    sql::create_index(&partition.name, &child, sql::IndexForm::default()),
                )
                .on(&partition.name, LockMode::Share),
            );
        } else {
            steps.push(concurrent_step(cx, &partition.name, &child));
        }
        let child_index = partition.name.with_name(child_name.clone());
        steps.push(
            cx.step(
                Action::AttachIndex {
                    parent_index: parent_index.clone(),
                    index: child_index.clone(),
                },
                format!("attach index {child_index} to {parent_index}"),
                format!("ALTER INDEX {parent_index} ATTACH PARTITION {child_index}"),
            )
            .lock(&parent_index, LockMode::ShareUpdateExclusive)
            .lock(&child_index, LockMode::ShareUpdateExclusive),
        );
    }
}

/// The name of a partition's index derived from the parent index's name:
/// the parent table's name prefix is replaced by the partition's name
/// (`events_at_idx` on `events_2025` -> `events_2025_at_idx`), otherwise
/// the partition's name is prefixed. Truncated to 63 bytes.
pub(crate) fn child_index_name(
    parent: &QualifiedName,
    partition: &QualifiedName,
    index: &Ident,
) -> Ident {
    let parent_prefix = format!("{}_", parent.name.as_str());
    let suffix = index
        .as_str()
        .strip_prefix(&parent_prefix)
        .unwrap_or(index.as_str());
    let mut name = format!("{}_{}", partition.name.as_str(), suffix);
    while name.len() > 63 {
        name.pop();
    }
    Ident::new(name)
}
