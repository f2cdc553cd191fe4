//! Foreign keys between existing tables that one plan distributes.
//!
//! Citus behaviour relied on (Citus 13, `commands/foreign_constraint.c`,
//! `create_distributed_table.c`): a table cannot be distributed (hash or
//! reference) while a foreign key links it to a plain table, in either
//! direction ("relation X is referenced by a foreign key from Y ...
//! foreign keys from a regular table to a distributed table are not
//! supported"); `create_distributed_table_concurrently` refuses any FK
//! from a plain or reference table. So when the plan distributes two
//! existing plain tables that an FK links, whichever goes first is
//! refused. Once both are distributed (colocated on the distribution
//! column, or the referenced one a reference table) Citus accepts the FK
//! again and creates it on every shard.
//!
//! What the plan does: such an FK (kept by the desired schema) is dropped
//! before either table is distributed and added back `NOT VALID` +
//! `VALIDATE CONSTRAINT` after both are (the add strategy for existing
//! tables), so no row is lost and the constraint is checked again on
//! every shard. An FK the schema changes or drops goes through its own
//! drop, which also comes before the distribution (both FK drops provide
//! [`Key::ReadyToDistribute`]). An FK to a table that is already
//! distributed, or to a plain table that stays plain, is left alone:
//! Citus accepts the first and refuses the second whatever the plan
//! does (the Citus lint rules say so).
//!
//! Ordering invariant: the drops come before the distribution of both
//! tables (the distribution of an existing table requires
//! `ReadyToDistribute` of itself), the re-adds after (FK nodes require
//! `Distributed` of both tables), and a hash table that references a
//! table becoming a reference table is distributed after it.

use super::{add_constraint, distribute, drop, Cx};
use crate::model::{Constraint, ConstraintKind, Distribution, Ident, ObjectId, QualifiedName};
use crate::plan::order::{Key, Node, Phase};

/// True when `table` exists as a plain table and the plan distributes it
/// (a table the plan creates is distributed before any FK is added).
pub(super) fn distributed_by_plan(cx: &Cx<'_>, table: &QualifiedName) -> bool {
    !cx.is_new(table)
        && cx
            .ctx
            .current
            .tables
            .get(table)
            .is_some_and(|current| current.distribution.is_none())
        && cx
            .ctx
            .desired
            .tables
            .get(table)
            .is_some_and(|desired| desired.distribution.is_some())
}

/// The FKs of `table` (as the referencing table) that the plan drops and
/// adds back around the distribution: present alike on both sides, to
/// another table the plan distributes from plain. Each FK is returned by
/// its referencing table only, so it is lifted once.
fn lifted<'m>(cx: &Cx<'m>, table: &QualifiedName) -> Vec<(&'m Constraint, &'m Constraint)> {
    let (Some(current), Some(desired)) = (
        cx.ctx.current.tables.get(table),
        cx.ctx.desired.tables.get(table),
    ) else {
        return Vec::new();
    };
    current
        .constraints
        .values()
        .filter_map(|constraint| {
            let ConstraintKind::ForeignKey(fk) = &constraint.kind else {
                return None;
            };
            let kept = desired
                .constraints
                .get(&constraint.name)
                .filter(|desired_constraint| *desired_constraint == constraint)?;
            (fk.ref_table != *table && distributed_by_plan(cx, &fk.ref_table))
                .then_some((&**constraint, &**kept))
        })
        .collect()
}

/// The names of the FKs of `table` that [`lift_foreign_keys`] drops and
/// adds back.
pub(super) fn lifted_names(cx: &Cx<'_>, table: &QualifiedName) -> Vec<Ident> {
    if !distributed_by_plan(cx, table) {
        return Vec::new();
    }
    lifted(cx, table)
        .into_iter()
        .map(|(constraint, _)| constraint.name.clone())
        .collect()
}

/// The nodes that drop the FKs of `table` Citus would refuse during the
/// distribution and add them back afterwards (none when `table` is not
/// distributed from plain by this plan).
pub(super) fn lift_foreign_keys(cx: &Cx<'_>, table: &QualifiedName) -> Vec<Node> {
    if !distributed_by_plan(cx, table) {
        return Vec::new();
    }
    let mut res = Vec::new();
    for (current, desired) in lifted(cx, table) {
        res.extend(drop::drop_constraint(cx, table, current));
        res.extend(add_constraint::add_constraint(cx, table, desired));
        // Dropping the FK dropped its comment.
        if let Some(comment) = &desired.comment {
            let object = ObjectId::Constraint(table.clone(), desired.name.clone());
            let target = crate::diff::comment_targets::constraint(table, &desired.name);
            let step = distribute::comment_step(cx, table, &object, &target, comment);
            res.push(
                Node::new(Phase::Comment, object.to_string(), vec![step])
                    .requires([Key::Constraint(table.clone(), desired.name.clone())]),
            );
        }
    }
    res
}

/// What the distribution of an existing `table` waits for: its FKs to or
/// from other tables the plan distributes are dropped, and the reference
/// tables it references are distributed first.
pub(super) fn distribution_requires(cx: &Cx<'_>, table: &QualifiedName) -> Vec<Key> {
    let mut res = vec![Key::ReadyToDistribute(table.clone())];
    if let Some(desired) = cx.ctx.desired.tables.get(table) {
        for constraint in desired.constraints.values() {
            let ConstraintKind::ForeignKey(fk) = &constraint.kind else {
                continue;
            };
            let reference = cx
                .ctx
                .desired
                .tables
                .get(&fk.ref_table)
                .is_some_and(|other| other.distribution == Some(Distribution::Reference));
            if fk.ref_table != *table && reference {
                res.push(Key::Distributed(fk.ref_table.clone()));
            }
        }
    }
    res
}
