//! `CREATE [OR REPLACE] RULE` (sqlparser 0.63 does not read it), as
//! written and as pg_dump 13 to 17 prints it (`pg_get_ruledef`); the
//! statement is read by [`crate::model::parse_rule`], which the
//! introspector uses for the catalog's text too.
//!
//! Invariants: a rule lives on its table; a rule on a view (an updatable
//! view written the old way) is not modelled and is handed to the shadow
//! database as written, with a warning, so it never produces a step; the
//! relations a rule's actions name (`depends_on`) are resolved through the
//! file's search_path as PostgreSQL resolves them when it creates the rule.

use super::{lower, Ctx, Stmt};
use crate::model::{parse_rule, qualify_actions, relation_names, Ident, QualifiedName};
use sqlparser::ast::{ObjectName, ObjectNamePart};

/// `CREATE [OR REPLACE] RULE name AS ON event TO table [WHERE cond] DO
/// [ALSO | INSTEAD] {NOTHING | command | (command; ...)}`.
pub(crate) fn create_rule(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let def = match parse_rule(stmt.text) {
        Ok(def) => def,
        Err(message) => {
            ctx.error(
                "syntax-error",
                &stmt,
                format!("cannot read CREATE RULE: {message}"),
            );
            return;
        }
    };
    let table_name = ctx.relation(&object_name(&def.table));
    if ctx.model.views.contains_key(&table_name) {
        super::skipped::verbatim(
            ctx,
            &stmt,
            &format!(
                "rule {} on view {table_name} not modelled: with a database, the shadow database creates it as written; schemac never creates, changes or drops it",
                def.rule.name
            ),
        );
        return;
    }
    let mut rule = def.rule;
    rule.meta = ctx.meta(&stmt);
    rule.depends_on = named_relations(ctx, &rule, &table_name);
    qualify_actions(&mut rule, |parts| ctx.read_relation(&object_name(parts)));
    lower::with_table(ctx, &stmt, &table_name, |ctx, table| {
        let name = rule.name.clone();
        if table.rules.insert(name.clone(), rule).is_some() && !def.or_replace {
            ctx.error(
                "duplicate-object",
                &stmt,
                format!("rule {name} is declared more than once on {table_name}"),
            );
        }
    });
}

/// Already-folded name parts as a sqlparser name (quoted, so they are
/// taken verbatim).
fn object_name(parts: &[Ident]) -> ObjectName {
    ObjectName(
        parts
            .iter()
            .map(|part| {
                ObjectNamePart::Identifier(sqlparser::ast::Ident::with_quote('"', part.as_str()))
            })
            .collect(),
    )
}

/// The relations a rule's condition and actions name, resolved through
/// the search_path, without the rule's own table; sorted.
fn named_relations(
    ctx: &Ctx<'_>,
    rule: &crate::model::Rule,
    table: &QualifiedName,
) -> Vec<QualifiedName> {
    let mut found: Vec<QualifiedName> = relation_names(rule)
        .iter()
        .map(|parts| ctx.read_relation(&object_name(parts)))
        .filter(|name| name != table)
        .collect();
    found.sort();
    found.dedup();
    found
}
