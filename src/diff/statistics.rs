//! Diff of the extended statistics of one table: created, dropped, a
//! changed target altered in place, other changes dropped and created.

use super::{Change, DiffCtx};
use crate::model::Table;

pub(super) fn diff_statistics(ctx: &mut DiffCtx<'_>, current: Option<&Table>, desired: &Table) {
    let table = &desired.name;
    for (name, wanted) in &desired.statistics {
        match current.and_then(|current| current.statistics.get(name)) {
            None => ctx.push(Change::CreateStatistics {
                table: table.clone(),
                statistics: wanted.clone(),
            }),
            Some(existing) if existing == wanted => {}
            Some(existing) if existing.keys == wanted.keys && existing.kinds == wanted.kinds => ctx
                .push(Change::AlterStatistics {
                    table: table.clone(),
                    statistics: wanted.clone(),
                }),
            Some(existing) => {
                ctx.push(Change::DropStatistics {
                    table: table.clone(),
                    statistics: existing.clone(),
                });
                ctx.push(Change::CreateStatistics {
                    table: table.clone(),
                    statistics: wanted.clone(),
                });
            }
        }
    }
    let Some(current) = current else {
        return;
    };
    for (name, existing) in &current.statistics {
        if !desired.statistics.contains_key(name) {
            ctx.push(Change::DropStatistics {
                table: table.clone(),
                statistics: existing.clone(),
            });
        }
    }
}
