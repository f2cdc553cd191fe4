//! Diff of schemas and extensions. A schema's Citus distribution
//! (schema-based sharding) is part of the schema: a new schema is created
//! distributed, an existing one is distributed or undistributed in place.

use super::{Change, DiffCtx};
use crate::model::ObjectId;

pub(super) fn diff_schemas(ctx: &mut DiffCtx<'_>) {
    for (name, desired) in &ctx.desired.schemas {
        if name.as_str() == "public" {
            continue;
        }
        let current = ctx.current.schemas.get(name);
        match current {
            None => ctx.push(Change::CreateSchema(desired.clone())),
            Some(current) if current.distributed != desired.distributed => {
                ctx.push(if desired.distributed {
                    Change::DistributeSchema(desired.clone())
                } else {
                    Change::UndistributeSchema(desired.clone())
                });
            }
            Some(_) => {}
        }
        ctx.diff_comment(
            current.and_then(|schema| schema.comment.as_ref()),
            desired.comment.as_ref(),
            desired.meta.span,
            || (ObjectId::Schema(name.clone()), format!("SCHEMA {name}")),
        );
    }
    for (name, current) in &ctx.current.schemas {
        // The public schema exists in every database and is never dropped.
        if name.as_str() != "public" && !ctx.desired.schemas.contains_key(name) {
            ctx.push(Change::DropSchema(current.clone()));
        }
    }
}

pub(super) fn diff_extensions(ctx: &mut DiffCtx<'_>) {
    for (name, desired) in &ctx.desired.extensions {
        match ctx.current.extensions.get(name) {
            None => ctx.push(Change::CreateExtension(desired.clone())),
            Some(current) => {
                // The version is compared only when the desired side pins one.
                let version_differs =
                    desired.version.is_some() && desired.version != current.version;
                if version_differs || desired.schema != current.schema {
                    ctx.push(Change::AlterExtension {
                        current: current.clone(),
                        desired: desired.clone(),
                    });
                }
            }
        }
    }
    for (name, current) in &ctx.current.extensions {
        if !ctx.desired.extensions.contains_key(name) {
            ctx.push(Change::DropExtension(current.clone()));
        }
    }
}
