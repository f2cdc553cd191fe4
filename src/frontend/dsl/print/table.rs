//! Printing of tables (columns, constraints, indexes, partitions,
//! distribution, RLS, policies, triggers) and of indexes in general.
//!
//! Invariant: every constraint and index is printed with its name, and
//! partitions are printed inside their parent's block.

use super::{default_clause, docs, idents, qname, quote, type_text};
use crate::model::*;
use std::collections::BTreeMap;
use std::fmt::Write;

pub(super) fn index_text(index: &Index, on: Option<&QualifiedName>) -> String {
    let mut text = String::new();
    if index.unique {
        text.push_str("unique ");
    }
    let _ = write!(text, "index {}", index.name);
    if let Some(on) = on {
        let _ = write!(text, " on {}", qname(on));
    }
    if index.method != "btree" {
        let _ = write!(text, " using {}", index.method);
    }
    let keys: Vec<String> = index
        .keys
        .iter()
        .map(|key| {
            let mut key_text = match &key.expr {
                IndexExpr::Column(column) => column.to_string(),
                IndexExpr::Expr(expr) => format!("({})", expr.sql),
            };
            if let Some(collation) = &key.collation {
                let _ = write!(key_text, " collate {collation}");
            }
            if let Some(opclass) = &key.opclass {
                let _ = write!(key_text, " {opclass}");
            }
            if key.descending {
                key_text.push_str(" desc");
            }
            match key.nulls_first {
                Some(true) => key_text.push_str(" nulls first"),
                Some(false) => key_text.push_str(" nulls last"),
                None => {}
            }
            key_text
        })
        .collect();
    let _ = write!(text, " ({})", keys.join(", "));
    if !index.include.is_empty() {
        let _ = write!(text, " include ({})", idents(&index.include));
    }
    if index.nulls_not_distinct {
        text.push_str(" nulls not distinct");
    }
    if !index.with.is_empty() {
        let with: Vec<String> = index
            .with
            .iter()
            .map(|(k, v)| format!("{k} = {}", option_value(v)))
            .collect();
        let _ = write!(text, " with ({})", with.join(", "));
    }
    if let Some(predicate) = &index.predicate {
        let _ = write!(text, " where ({})", predicate.sql);
    }
    text
}

fn option_value(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '.' | '-'))
        && value.to_lowercase() == value;
    if plain {
        value.to_string()
    } else {
        quote(value)
    }
}

/// ` with (fillfactor = 70, toast.autovacuum_enabled = false)`, or nothing.
fn storage_text(options: &crate::model::StorageOptions) -> String {
    if options.is_empty() {
        return String::new();
    }
    let options: Vec<String> = options
        .0
        .iter()
        .map(|(name, value)| format!("{name} = {}", option_value(value)))
        .collect();
    format!(" with ({})", options.join(", "))
}

/// The partitions of each partitioned table ([`Model::partitions_by_parent`],
/// built once per printed Model: asking [`Model::partitions_of`] for each
/// table made printing quadratic in the number of partitioned tables).
pub(super) type Partitions<'a> = BTreeMap<&'a QualifiedName, Vec<&'a Table>>;

pub(super) fn print_table(out: &mut String, partitions: &Partitions<'_>, table: &Table) {
    docs(out, "", table.comment.as_deref());
    let unlogged = if table.unlogged { "unlogged " } else { "" };
    let _ = writeln!(out, "{unlogged}table {} {{", qname(&table.name));
    if !table.inherits.is_empty() {
        let parents: Vec<String> = table.inherits.iter().map(qname).collect();
        let _ = writeln!(out, "  inherits {}", parents.join(", "));
    }
    if !table.options.is_empty() {
        let _ = writeln!(out, " {}", storage_text(&table.options));
    }
    // Names and types aligned in columns, as the formatter aligns them.
    let parts: Vec<(String, String, String)> = table.columns.iter().map(column_parts).collect();
    let name_width = parts
        .iter()
        .map(|(name, _, _)| name.chars().count())
        .max()
        .unwrap_or(0);
    let type_width = parts
        .iter()
        .map(|(_, ty, _)| ty.chars().count())
        .max()
        .unwrap_or(0);
    for (column, (name, ty, rest)) in table.columns.iter().zip(&parts) {
        docs(out, "  ", column.comment.as_deref());
        let line = if rest.is_empty() {
            format!("  {name:<name_width$} {ty}")
        } else {
            format!("  {name:<name_width$} {ty:<type_width$} {rest}")
        };
        out.push_str(line.trim_end());
        out.push('\n');
    }
    print_items(out, partitions, table, "  ");
    out.push_str("}\n\n");
}

/// What a table's block holds besides its columns (constraints, indexes,
/// partitioning and partitions, distribution, RLS, policies, triggers,
/// statistics, rules), each line starting with `indent`. A partition with
/// any of these of its own gets a block after its bound.
fn print_items(out: &mut String, partitions: &Partitions<'_>, table: &Table, indent: &str) {
    for constraint in table.constraints.values() {
        docs(out, indent, constraint.comment.as_deref());
        let _ = writeln!(out, "{indent}{}", constraint_text(constraint));
    }
    for index in table.indexes.values() {
        docs(out, indent, index.comment.as_deref());
        let _ = writeln!(out, "{indent}{}", index_text(index, None));
    }
    if let Some(partition_by) = &table.partition_by {
        let keys: Vec<&str> = partition_by
            .key
            .iter()
            .map(|key| key.sql.as_str())
            .collect();
        let strategy = partition_by.strategy.as_sql().to_lowercase();
        let _ = writeln!(out, "{indent}partition by {strategy} ({})", keys.join(", "));
        for partition in partitions.get(&table.name).into_iter().flatten() {
            if partition.name.schema != table.name.schema {
                continue;
            }
            docs(out, indent, partition.comment.as_deref());
            if let Some(of) = &partition.partition_of {
                let _ = write!(
                    out,
                    "{indent}partition {} {}{}",
                    partition.name.name,
                    bound_text(&of.bound),
                    storage_text(&partition.options)
                );
                if has_own_items(partition) {
                    out.push_str(" {\n");
                    print_items(out, partitions, partition, &format!("{indent}  "));
                    let _ = writeln!(out, "{indent}}}");
                } else {
                    out.push('\n');
                }
            }
        }
    }
    match &table.distribution {
        Some(Distribution::Reference) => {
            let _ = writeln!(out, "{indent}shard reference");
        }
        Some(Distribution::Hash {
            column,
            colocation,
            shard_count,
        }) => {
            let _ = write!(out, "{indent}shard by hash ({column})");
            match colocation {
                Colocation::Default => {}
                Colocation::None => out.push_str(" colocate with none"),
                Colocation::Table(target) => {
                    let _ = write!(out, " colocate with {}", qname(target));
                }
            }
            if let Some(count) = shard_count {
                let _ = write!(out, " shards {count}");
            }
            out.push('\n');
        }
        None => {}
    }
    if table.rls.enabled {
        let forced = if table.rls.forced { " forced" } else { "" };
        let _ = writeln!(out, "{indent}row level security{forced}");
    }
    for policy in table.policies.values() {
        docs(out, indent, policy.comment.as_deref());
        let _ = writeln!(out, "{indent}{}", policy_text(policy, indent));
    }
    for trigger in table.triggers.values() {
        docs(out, indent, trigger.comment.as_deref());
        let _ = writeln!(out, "{indent}{}", trigger_text(trigger));
    }
    for statistics in table.statistics.values() {
        let _ = writeln!(out, "{indent}{}", statistics_text(statistics));
    }
    for rule in table.rules.values() {
        docs(out, indent, rule.comment.as_deref());
        let _ = writeln!(out, "{indent}{}", rule_text(rule));
    }
}

/// True when a partition has something of its own to print in a block.
fn has_own_items(partition: &Table) -> bool {
    !partition.constraints.is_empty()
        || !partition.indexes.is_empty()
        || partition.partition_by.is_some()
        || partition.rls.enabled
        || !partition.policies.is_empty()
        || !partition.triggers.is_empty()
        || !partition.statistics.is_empty()
        || !partition.rules.is_empty()
}

/// `rule NAME on EVENT [where (cond)] do also|instead (nothing | (commands))`.
fn rule_text(rule: &crate::model::Rule) -> String {
    let mut text = format!(
        "rule {} on {}",
        rule.name,
        rule.event.as_sql().to_lowercase()
    );
    if let Some(condition) = &rule.condition {
        let _ = write!(text, " where ({})", condition.sql);
    }
    let kind = if rule.instead { "instead" } else { "also" };
    let actions = if rule.actions.is_empty() {
        "nothing".to_string()
    } else {
        let commands: Vec<&str> = rule.actions.iter().map(|a| a.sql.as_str()).collect();
        format!("({})", commands.join("; "))
    };
    let _ = write!(text, " do {kind} {actions}");
    match rule.firing {
        crate::model::RuleFiring::Origin => {}
        crate::model::RuleFiring::Disabled => text.push_str(" disabled"),
        crate::model::RuleFiring::Replica => text.push_str(" enabled replica"),
        crate::model::RuleFiring::Always => text.push_str(" enabled always"),
    }
    text
}

/// `statistics NAME [(kinds)] on (a, (expr)) [target N]`.
fn statistics_text(statistics: &Statistics) -> String {
    let mut text = format!("statistics {}", statistics.name);
    if statistics.kinds != StatisticsKinds::ALL {
        let _ = write!(text, " ({})", statistics.kinds.names().join(", "));
    }
    let keys: Vec<String> = statistics
        .keys
        .iter()
        .map(|key| match key {
            IndexExpr::Column(column) => column.to_string(),
            IndexExpr::Expr(expr) => format!("({})", expr.sql),
        })
        .collect();
    let _ = write!(text, " on ({})", keys.join(", "));
    if let Some(target) = statistics.target {
        let _ = write!(text, " target {target}");
    }
    text
}

/// A column as the printer writes it: name, type, and the rest (options,
/// without a leading space; empty when none).
fn column_parts(column: &Column) -> (String, String, String) {
    let mut text = String::new();
    if let Some(collation) = &column.collation {
        let _ = write!(text, " collate {collation}");
    }
    if column.not_null {
        text.push_str(" not null");
    }
    if let Some(default) = &column.default {
        let _ = write!(text, " {}", default_clause(default));
    }
    if let Some(generated) = &column.generated {
        let _ = write!(text, " generated always as ({}) stored", generated.sql);
    }
    if let Some(identity) = &column.identity {
        let kind = if identity.always {
            "always"
        } else {
            "by default"
        };
        let _ = write!(text, " generated {kind} as identity");
        let defaults = SequenceOptions::defaults(column.ty.clone(), identity.options.increment);
        let options = &identity.options;
        let mut parts = Vec::new();
        if options.increment != 1 {
            parts.push(format!("increment {}", options.increment));
        }
        if options.min_value != defaults.min_value {
            parts.push(format!("minvalue {}", options.min_value));
        }
        if options.max_value != defaults.max_value {
            parts.push(format!("maxvalue {}", options.max_value));
        }
        let default_start = if options.increment > 0 {
            options.min_value
        } else {
            options.max_value
        };
        if options.start != default_start {
            parts.push(format!("start {}", options.start));
        }
        if options.cache != 1 {
            parts.push(format!("cache {}", options.cache));
        }
        if options.cycle {
            parts.push("cycle".to_string());
        }
        if !parts.is_empty() {
            let _ = write!(text, " ({})", parts.join(" "));
        }
    }
    (
        column.name.to_string(),
        type_text(&column.ty),
        text.trim_start().to_string(),
    )
}

fn deferral_text(deferrable: bool, initially_deferred: bool) -> &'static str {
    match (deferrable, initially_deferred) {
        (_, true) => " deferrable initially deferred",
        (true, false) => " deferrable",
        (false, false) => "",
    }
}

fn constraint_text(constraint: &Constraint) -> String {
    let mut text = format!("constraint {} ", constraint.name);
    match &constraint.kind {
        ConstraintKind::PrimaryKey { columns, include } => {
            let _ = write!(text, "primary key ({})", idents(columns));
            if !include.is_empty() {
                let _ = write!(text, " include ({})", idents(include));
            }
        }
        ConstraintKind::Unique {
            columns,
            include,
            nulls_not_distinct,
        } => {
            text.push_str("unique ");
            if *nulls_not_distinct {
                text.push_str("nulls not distinct ");
            }
            let _ = write!(text, "({})", idents(columns));
            if !include.is_empty() {
                let _ = write!(text, " include ({})", idents(include));
            }
        }
        ConstraintKind::Check { expr, no_inherit } => {
            let _ = write!(text, "check ({})", expr.sql);
            if *no_inherit {
                text.push_str(" no inherit");
            }
        }
        ConstraintKind::ForeignKey(fk) => {
            let _ = write!(
                text,
                "foreign key ({}) references {}",
                idents(&fk.columns),
                qname(&fk.ref_table)
            );
            if !fk.ref_columns.is_empty() {
                let _ = write!(text, " ({})", idents(&fk.ref_columns));
            }
            if fk.on_delete != FkAction::NoAction {
                let _ = write!(text, " on delete {}", fk.on_delete.as_sql().to_lowercase());
            }
            if fk.on_update != FkAction::NoAction {
                let _ = write!(text, " on update {}", fk.on_update.as_sql().to_lowercase());
            }
            if fk.match_full {
                text.push_str(" match full");
            }
        }
        ConstraintKind::Exclude {
            method,
            elements,
            include,
            predicate,
        } => {
            let elements: Vec<String> = elements
                .iter()
                .map(|element| {
                    let expr = element.expr.sql.as_str();
                    let is_column = Ident::new(expr).to_string() == expr;
                    let mut element_text = if is_column {
                        expr.to_string()
                    } else {
                        format!("({expr})")
                    };
                    if let Some(opclass) = &element.opclass {
                        let _ = write!(element_text, " {opclass}");
                    }
                    let _ = write!(element_text, " with {}", element.operator);
                    element_text
                })
                .collect();
            let _ = write!(text, "exclude using {method} ({})", elements.join(", "));
            if !include.is_empty() {
                let _ = write!(text, " include ({})", idents(include));
            }
            if let Some(predicate) = predicate {
                let _ = write!(text, " where ({})", predicate.sql);
            }
        }
    }
    text.push_str(deferral_text(
        constraint.deferrable,
        constraint.initially_deferred,
    ));
    if constraint.not_valid {
        text.push_str(" not valid");
    }
    text
}

fn bound_values(values: &[BoundValue]) -> String {
    values
        .iter()
        .map(|value| match value {
            BoundValue::MinValue => "minvalue".to_string(),
            BoundValue::MaxValue => "maxvalue".to_string(),
            BoundValue::Null => "null".to_string(),
            BoundValue::Literal(expr) => expr.sql.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn bound_text(bound: &PartitionBound) -> String {
    match bound {
        PartitionBound::Range { from, to } => {
            format!(
                "for values from ({}) to ({})",
                bound_values(from),
                bound_values(to)
            )
        }
        PartitionBound::List(values) => format!("for values in ({})", bound_values(values)),
        PartitionBound::Hash { modulus, remainder } => {
            format!("for values with (modulus {modulus}, remainder {remainder})")
        }
        PartitionBound::Default => "default".to_string(),
    }
}

/// A policy; `using` and `with check` each start a continuation line
/// (four spaces deeper than `indent`), as the formatter breaks them.
fn policy_text(policy: &Policy, indent: &str) -> String {
    let continuation = format!("\n{indent}    ");
    let mut text = format!("policy {}", policy.name);
    if !policy.permissive {
        text.push_str(" as restrictive");
    }
    if policy.command != PolicyCommand::All {
        let _ = write!(text, " for {}", policy.command.as_sql().to_lowercase());
    }
    if !policy.roles.is_empty() {
        let _ = write!(text, " to {}", idents(&policy.roles));
    }
    if let Some(using) = &policy.using {
        let _ = write!(text, "{continuation}using ({})", using.sql);
    }
    if let Some(check) = &policy.with_check {
        let _ = write!(text, "{continuation}with check ({})", check.sql);
    }
    text
}

fn trigger_text(trigger: &Trigger) -> String {
    let mut text = String::new();
    if trigger.constraint {
        text.push_str("constraint ");
    }
    let timing = match trigger.timing {
        TriggerTiming::Before => "before",
        TriggerTiming::After => "after",
        TriggerTiming::InsteadOf => "instead of",
    };
    let events: Vec<String> = trigger
        .events
        .iter()
        .map(|event| match event {
            TriggerEvent::Insert => "insert".to_string(),
            TriggerEvent::Delete => "delete".to_string(),
            TriggerEvent::Truncate => "truncate".to_string(),
            TriggerEvent::Update(columns) if columns.is_empty() => "update".to_string(),
            TriggerEvent::Update(columns) => format!("update of {}", idents(columns)),
        })
        .collect();
    let _ = write!(
        text,
        "trigger {} {timing} {}",
        trigger.name,
        events.join(" or ")
    );
    text.push_str(deferral_text(
        trigger.deferrable,
        trigger.initially_deferred,
    ));
    if trigger.old_table.is_some() || trigger.new_table.is_some() {
        text.push_str(" referencing");
        if let Some(old) = &trigger.old_table {
            let _ = write!(text, " old table as {old}");
        }
        if let Some(new) = &trigger.new_table {
            let _ = write!(text, " new table as {new}");
        }
    }
    text.push_str(if trigger.for_each_row {
        " for each row"
    } else {
        " for each statement"
    });
    if let Some(when) = &trigger.when {
        let _ = write!(text, " when ({})", when.sql);
    }
    let args: Vec<String> = trigger.args.iter().map(|arg| quote(arg)).collect();
    let _ = write!(
        text,
        " execute {}({})",
        qname(&trigger.function),
        args.join(", ")
    );
    text
}
