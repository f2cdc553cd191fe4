//! The whole-file pass for what pg_dump splits over several statements:
//! `ALTER SEQUENCE ... OWNED BY`, `ALTER INDEX parent ATTACH PARTITION
//! child`, `ALTER TABLE ONLY parent ATTACH PARTITION child FOR VALUES ...`,
//! `COMMENT ON ...` and Citus distribution calls.
//!
//! Invariants, so a dump gives the Model the hand-written DDL gives:
//! - an attached partition's columns are emptied and the CHECK constraints
//!   it inherited (same name as one of the parent's, as pg_dump prints
//!   them) are removed; its own constraints and indexes stay;
//! - a child index or PK/UNIQUE constraint attached to a parent index
//!   disappears from the Model (the parent's index covers it);
//! - deferred work runs in a fixed order: owned-by, index attaches,
//!   partition attaches, comments, distributions; each failure to find its
//!   object is an `unknown-reference` error at the statement.

use super::Ctx;
use crate::diagnostics::Diagnostic;
use crate::model::{
    ConstraintKind, Distribution, FunctionId, Ident, PartitionBound, PartitionOf, QualifiedName,
};
use crate::source::Span;
use std::collections::{BTreeMap, BTreeSet};

/// Work queued while reading statements, applied by [`finish`].
#[derive(Debug, Clone)]
pub(crate) enum Deferred {
    AttachPartition {
        parent: QualifiedName,
        child: QualifiedName,
        bound: PartitionBound,
        span: Span,
    },
    AttachIndex {
        parent: QualifiedName,
        child: QualifiedName,
        span: Span,
    },
    OwnedBy {
        sequence: QualifiedName,
        owner: Option<(QualifiedName, Ident)>,
        span: Span,
    },
    Comment {
        target: CommentTarget,
        text: Option<String>,
        span: Span,
    },
    Distribute {
        table: QualifiedName,
        distribution: Distribution,
        span: Span,
    },
    /// `SELECT citus_schema_distribute('s')`.
    DistributeSchema { schema: Ident, span: Span },
}

/// The object a `COMMENT ON` names.
#[derive(Debug, Clone)]
pub(crate) enum CommentTarget {
    Table(QualifiedName),
    Column(QualifiedName, Ident),
    Constraint(QualifiedName, Ident),
    DomainConstraint(QualifiedName, Ident),
    /// An index is named by schema and name; its table is looked up.
    Index(QualifiedName),
    Policy(QualifiedName, Ident),
    Trigger(QualifiedName, Ident),
    Rule(QualifiedName, Ident),
    Function(FunctionId),
    View(QualifiedName),
    Sequence(QualifiedName),
    /// An enum or a domain.
    Type(QualifiedName),
    Domain(QualifiedName),
    Schema(Ident),
}

fn rank(deferred: &Deferred) -> u8 {
    match deferred {
        Deferred::OwnedBy { .. } => 0,
        Deferred::AttachIndex { .. } => 1,
        Deferred::AttachPartition { .. } => 2,
        Deferred::Comment { .. } => 3,
        Deferred::Distribute { .. } | Deferred::DistributeSchema { .. } => 4,
    }
}

/// Applies the queued work (see the module doc).
pub(crate) fn finish(ctx: &mut Ctx<'_>) {
    let mut deferred = std::mem::take(&mut ctx.deferred);
    deferred.sort_by_key(rank);
    // Inherited CHECK constraints are recognised by the parent's constraint
    // names as declared, before any attach removes them from a middle level.
    let declared_checks: BTreeMap<QualifiedName, BTreeSet<Ident>> = ctx
        .model
        .tables
        .iter()
        .map(|(name, table)| {
            let checks = table
                .constraints
                .values()
                .filter(|constraint| matches!(constraint.kind, ConstraintKind::Check { .. }))
                .map(|constraint| constraint.name.clone())
                .collect();
            (name.clone(), checks)
        })
        .collect();
    for item in deferred {
        match item {
            Deferred::OwnedBy {
                sequence,
                owner,
                span,
            } => owned_by(ctx, sequence, owner, span),
            Deferred::AttachIndex {
                parent,
                child,
                span,
            } => attach_index(ctx, &parent, &child, span),
            Deferred::AttachPartition {
                parent,
                child,
                bound,
                span,
            } => attach_partition(ctx, &declared_checks, parent, &child, bound, span),
            Deferred::Comment { target, text, span } => {
                if !super::comment::apply(ctx, &target, text) {
                    ctx.diagnostics.push(Diagnostic::error(
                        "unknown-reference",
                        span,
                        format!(
                            "COMMENT ON names {}, which this file does not declare",
                            describe(&target)
                        ),
                    ));
                }
            }
            Deferred::Distribute {
                table,
                distribution,
                span,
            } => match ctx.model.tables.get_mut(&table) {
                Some(found) => found.distribution = Some(distribution),
                None => unknown(ctx, span, format!("table {table} is not declared")),
            },
            Deferred::DistributeSchema { schema, span } => {
                match ctx.model.schemas.get_mut(&schema) {
                    Some(found) => found.distributed = true,
                    None if schema.as_str() == "public" => ctx.diagnostics.push(Diagnostic::error(
                        "invalid-distribution",
                        span,
                        "the public schema cannot be distributed (Citus refuses it): distribute a schema of its own".to_string(),
                    )),
                    None => unknown(ctx, span, format!("schema {schema} is not declared")),
                }
            }
        }
    }
}

fn unknown(ctx: &mut Ctx<'_>, span: Span, message: String) {
    ctx.diagnostics
        .push(Diagnostic::error("unknown-reference", span, message));
}

fn owned_by(
    ctx: &mut Ctx<'_>,
    sequence: QualifiedName,
    owner: Option<(QualifiedName, Ident)>,
    span: Span,
) {
    if let Some((table, column)) = &owner {
        let exists = ctx
            .model
            .tables
            .get(table)
            .is_some_and(|t| t.column(column).is_some());
        if !exists {
            unknown(
                ctx,
                span,
                format!("OWNED BY names column {table}.{column}, which is not declared"),
            );
            return;
        }
    }
    match ctx.model.sequences.get_mut(&sequence) {
        Some(found) => found.owned_by = owner,
        None => unknown(ctx, span, format!("sequence {sequence} is not declared")),
    }
}

/// Removes the child index (or the PK/UNIQUE constraint that owns it).
fn attach_index(ctx: &mut Ctx<'_>, parent: &QualifiedName, child: &QualifiedName, span: Span) {
    let parent_exists = ctx.model.tables.values().any(|table| {
        table.name.schema == parent.schema
            && (table.indexes.contains_key(&parent.name)
                || table.constraints.contains_key(&parent.name))
    });
    if !parent_exists {
        unknown(ctx, span, format!("index {parent} is not declared"));
        return;
    }
    let parent_is_index = ctx.model.tables.values().any(|table| {
        table.name.schema == parent.schema && table.indexes.contains_key(&parent.name)
    });
    for table in ctx.model.tables.values_mut() {
        if table.name.schema != child.schema {
            continue;
        }
        if table.indexes.remove(&child.name).is_some() {
            // The plan creates it under this name (issue 11: partition
            // indexes keep the names the source gives them).
            if parent_is_index {
                table
                    .index_names
                    .0
                    .insert(parent.name.clone(), child.name.clone());
            }
            return;
        }
        let owns_index = table
            .constraints
            .get(&child.name)
            .is_some_and(|constraint| {
                matches!(
                    constraint.kind,
                    ConstraintKind::PrimaryKey { .. }
                        | ConstraintKind::Unique { .. }
                        | ConstraintKind::Exclude { .. }
                )
            });
        if owns_index {
            table.constraints.remove(&child.name);
            return;
        }
    }
    unknown(ctx, span, format!("index {child} is not declared"));
}

fn attach_partition(
    ctx: &mut Ctx<'_>,
    declared_checks: &BTreeMap<QualifiedName, BTreeSet<Ident>>,
    parent: QualifiedName,
    child: &QualifiedName,
    bound: PartitionBound,
    span: Span,
) {
    if !ctx.model.tables.contains_key(&parent) {
        unknown(
            ctx,
            span,
            format!("partitioned table {parent} is not declared"),
        );
        return;
    }
    let Some(table) = ctx.model.tables.get_mut(child) else {
        unknown(ctx, span, format!("partition {child} is not declared"));
        return;
    };
    table.columns.clear();
    if let Some(inherited) = declared_checks.get(&parent) {
        table.constraints.retain(|name, constraint| {
            !(matches!(constraint.kind, ConstraintKind::Check { .. }) && inherited.contains(name))
        });
    }
    table.partition_of = Some(PartitionOf { parent, bound });
}

pub(crate) fn describe(target: &CommentTarget) -> String {
    match target {
        CommentTarget::Table(name) => format!("table {name}"),
        CommentTarget::Column(table, column) => format!("column {table}.{column}"),
        CommentTarget::Constraint(table, name) => format!("constraint {name} on {table}"),
        CommentTarget::DomainConstraint(domain, name) => {
            format!("constraint {name} on domain {domain}")
        }
        CommentTarget::Index(name) => format!("index {name}"),
        CommentTarget::Policy(table, name) => format!("policy {name} on {table}"),
        CommentTarget::Trigger(table, name) => format!("trigger {name} on {table}"),
        CommentTarget::Rule(table, name) => format!("rule {name} on {table}"),
        CommentTarget::Function(id) => format!("function {id}"),
        CommentTarget::View(name) => format!("view {name}"),
        CommentTarget::Sequence(name) => format!("sequence {name}"),
        CommentTarget::Type(name) => format!("type {name}"),
        CommentTarget::Domain(name) => format!("domain {name}"),
        CommentTarget::Schema(name) => format!("schema {name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::load_file;
    use crate::model::{Ident, PartitionBound, QualifiedName};
    use crate::source::{FileId, Language, SourceFile};

    fn load(sql: &str) -> crate::diagnostics::Parsed<crate::model::Model> {
        let file = SourceFile::new(FileId(0), "t.sql".into(), sql.to_string(), Language::Sql);
        load_file(&file)
    }

    const DUMP: &str = "CREATE TABLE public.events (id bigint NOT NULL, created_at timestamp with time zone NOT NULL, CONSTRAINT events_id_positive CHECK ((id > 0))) PARTITION BY RANGE (created_at);
CREATE TABLE public.events_2024 (id bigint NOT NULL, created_at timestamp with time zone NOT NULL, CONSTRAINT events_id_positive CHECK ((id > 0)), CONSTRAINT own CHECK ((id < 100)));
ALTER TABLE ONLY public.events ATTACH PARTITION public.events_2024 FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2025-01-01 00:00:00+00');
ALTER TABLE ONLY public.events ADD CONSTRAINT events_pkey PRIMARY KEY (id, created_at);
ALTER TABLE ONLY public.events_2024 ADD CONSTRAINT events_2024_pkey PRIMARY KEY (id, created_at);
CREATE INDEX events_created_idx ON ONLY public.events USING btree (created_at);
CREATE INDEX events_2024_created_at_idx ON public.events_2024 USING btree (created_at);
CREATE INDEX own_idx ON public.events_2024 USING btree (id);
ALTER INDEX public.events_created_idx ATTACH PARTITION public.events_2024_created_at_idx;
ALTER INDEX public.events_pkey ATTACH PARTITION public.events_2024_pkey;
CREATE SEQUENCE public.s AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE public.s OWNED BY public.events.id;";

    #[test]
    fn attached_partitions_and_indexes() {
        let parsed = load(DUMP);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let m = parsed.value;
        let child = &m.tables[&QualifiedName::public("events_2024")];
        assert!(child.columns.is_empty());
        let of = child.partition_of.as_ref().expect("attached");
        assert_eq!(of.parent, QualifiedName::public("events"));
        assert!(matches!(of.bound, PartitionBound::Range { .. }));
        let constraints: Vec<&str> = child.constraints.keys().map(Ident::as_str).collect();
        assert_eq!(constraints, vec!["own"]);
        let indexes: Vec<&str> = child.indexes.keys().map(Ident::as_str).collect();
        assert_eq!(indexes, vec!["own_idx"]);
        // The attached index's own name is kept for the plan.
        assert_eq!(
            child.index_names.0.get(&Ident::new("events_created_idx")),
            Some(&Ident::new("events_2024_created_at_idx"))
        );
        let parent = &m.tables[&QualifiedName::public("events")];
        assert_eq!(parent.indexes.len(), 1);
        assert_eq!(parent.constraints.len(), 2);
        let sequence = &m.sequences[&QualifiedName::public("s")];
        assert_eq!(
            sequence.owned_by,
            Some((QualifiedName::public("events"), Ident::new("id")))
        );
        assert_eq!(sequence.options.data_type.as_str(), "integer");
    }

    #[test]
    fn attaching_unknown_objects_is_an_error() {
        let parsed = load("ALTER TABLE ONLY a ATTACH PARTITION b DEFAULT;\nALTER INDEX x ATTACH PARTITION y;\nALTER SEQUENCE s OWNED BY t.c;");
        let codes: Vec<&str> = parsed.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec!["unknown-reference"; 3]);
    }
}
