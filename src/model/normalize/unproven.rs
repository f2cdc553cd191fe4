//! The offline fallback of shadow normalisation: without a shadow database
//! (`--no-shadow`, or a role that may not create databases) the plan must
//! say which expressions it could not prove equal instead of proposing a
//! change for them (DESIGN.md §1). It is the offline normaliser's own
//! judgement, pure Model against Model, so both the live session
//! (`crate::live`, before planning) and apply's convergence check
//! (`crate::apply::verify`, after the last step) use it from here.
//!
//! Invariants: only objects present on both sides are touched; an
//! expression is settled (the current one kept in `desired`, with a note)
//! only when it differs from the current one in spelling the offline
//! normaliser does not know: equal once casts, parentheses, name
//! qualifiers, case and white space are ignored. View definitions, which
//! PostgreSQL rewrites beyond that, are always settled and named, and so
//! are rule definitions. Anything
//! else is left to the diff.

use crate::model::{
    ConstraintKind, Ident, Index, IndexExpr, Model, QualifiedName, SqlExpr, Table, View,
};
use crate::sql_lex;
use sqlparser::tokenizer::Token;
use std::collections::BTreeMap;

/// Without a shadow database: for every object on both sides whose
/// expression differs from the current one only in spelling the offline
/// normaliser does not know (equal once casts, parentheses, case and
/// white space are ignored), keeps the current expression in `desired`
/// (so no change is planned for it) and returns one note naming it.
/// Expressions that differ beyond that are left to the diff.
pub fn unproven_expressions(current: &Model, desired: &mut Model) -> Vec<String> {
    let mut notes = Vec::new();
    for (name, desired_table) in &mut desired.tables {
        if let Some(current_table) = current.tables.get(name) {
            unproven_in_table(current_table, desired_table, &mut notes);
        }
    }
    for (name, desired_view) in &mut desired.views {
        let Some(current_view) = current.views.get(name) else {
            continue;
        };
        settle_view_query(current_view, desired_view, &mut notes);
        unproven_in_indexes(
            name,
            &current_view.indexes,
            &mut desired_view.indexes,
            &mut notes,
        );
    }
    for (name, desired_domain) in &mut desired.domains {
        let Some(current_domain) = current.domains.get(name) else {
            continue;
        };
        settle_option(
            current_domain.default.as_ref(),
            desired_domain.default.as_mut(),
            || format!("default of domain {name}"),
            &mut notes,
        );
        for (check_name, expr) in &mut desired_domain.checks {
            if let Some(current_expr) = current_domain.checks.get(check_name) {
                settle(
                    current_expr,
                    expr,
                    || format!("check {check_name} of domain {name}"),
                    &mut notes,
                );
            }
        }
    }
    notes
}

fn unproven_in_table(current: &Table, desired: &mut Table, notes: &mut Vec<String>) {
    let table = &desired.name.clone();
    for column in &mut desired.columns {
        let Some(current_column) = current.column(&column.name) else {
            continue;
        };
        let name = &column.name;
        settle_option(
            current_column.default.as_ref(),
            column.default.as_mut(),
            || format!("default of column {table}.{name}"),
            notes,
        );
        settle_option(
            current_column.generated.as_deref(),
            column.generated.as_deref_mut(),
            || format!("generated expression of column {table}.{name}"),
            notes,
        );
    }
    for (name, constraint) in &mut desired.constraints {
        let Some(current_constraint) = current.constraints.get(name) else {
            continue;
        };
        match (&current_constraint.kind, &mut constraint.kind) {
            (
                ConstraintKind::Check { expr: current, .. },
                ConstraintKind::Check { expr: desired, .. },
            ) => settle(
                current,
                desired,
                || format!("check constraint {name} of {table}"),
                notes,
            ),
            (
                ConstraintKind::Exclude {
                    predicate: current, ..
                },
                ConstraintKind::Exclude {
                    predicate: desired, ..
                },
            ) => settle_option(
                current.as_ref(),
                desired.as_mut(),
                || format!("predicate of exclusion constraint {name} of {table}"),
                notes,
            ),
            _ => {}
        }
    }
    unproven_in_indexes(table, &current.indexes, &mut desired.indexes, notes);
    for (name, policy) in &mut desired.policies {
        let Some(current_policy) = current.policies.get(name) else {
            continue;
        };
        settle_option(
            current_policy.using.as_ref(),
            policy.using.as_mut(),
            || format!("USING of policy {name} on {table}"),
            notes,
        );
        settle_option(
            current_policy.with_check.as_ref(),
            policy.with_check.as_mut(),
            || format!("WITH CHECK of policy {name} on {table}"),
            notes,
        );
    }
    for (name, trigger) in &mut desired.triggers {
        if let Some(current_trigger) = current.triggers.get(name) {
            settle_option(
                current_trigger.when.as_ref(),
                trigger.when.as_mut(),
                || format!("WHEN of trigger {name} on {table}"),
                notes,
            );
        }
    }
    for (name, rule) in &mut desired.rules {
        if let Some(current_rule) = current.rules.get(name) {
            settle_rule(table, name, current_rule, rule, notes);
        }
    }
}

/// A rule's definition, like a view's query, is what PostgreSQL stores
/// after parse analysis (qualified names, added casts): without a shadow
/// database a rule whose definition differs is left as the database has
/// it, and named.
fn settle_rule(
    table: &QualifiedName,
    name: &Ident,
    current: &crate::model::Rule,
    desired: &mut crate::model::Rule,
    notes: &mut Vec<String>,
) {
    let mut comparable = current.clone();
    comparable.comment = desired.comment.clone();
    comparable.firing = desired.firing;
    if comparable == *desired {
        return;
    }
    notes.push(format!(
        "rule definitions are compared only with a shadow database: rule {name} on {table} is \
         left unchanged, although its text differs (database: `{}`, schema: `{}`); plan with a \
         shadow database to change it",
        one_line(&crate::model::rule::create_rule(table, current, false)),
        one_line(&crate::model::rule::create_rule(table, desired, false))
    ));
    let comment = desired.comment.take();
    let meta = desired.meta.clone();
    let firing = desired.firing;
    *desired = current.clone();
    desired.comment = comment;
    desired.meta = meta;
    desired.firing = firing;
}

fn unproven_in_indexes(
    table: &QualifiedName,
    current: &BTreeMap<Ident, Box<Index>>,
    desired: &mut BTreeMap<Ident, Box<Index>>,
    notes: &mut Vec<String>,
) {
    for (name, index) in desired {
        let Some(current_index) = current.get(name) else {
            continue;
        };
        settle_option(
            current_index.predicate.as_ref(),
            index.predicate.as_mut(),
            || format!("predicate of index {name} on {table}"),
            notes,
        );
        if current_index.keys.len() == index.keys.len() {
            for (current_key, key) in current_index.keys.iter().zip(&mut index.keys) {
                if let (IndexExpr::Expr(current_expr), IndexExpr::Expr(expr)) =
                    (&current_key.expr, &mut key.expr)
                {
                    settle(
                        current_expr,
                        expr,
                        || format!("key expression of index {name} on {table}"),
                        notes,
                    );
                }
            }
        }
    }
}

fn settle_option(
    current: Option<&SqlExpr>,
    desired: Option<&mut SqlExpr>,
    what: impl FnOnce() -> String,
    notes: &mut Vec<String>,
) {
    if let (Some(current), Some(desired)) = (current, desired) {
        settle(current, desired, what, notes);
    }
}

/// See [`unproven_expressions`].
fn settle(
    current: &SqlExpr,
    desired: &mut SqlExpr,
    what: impl FnOnce() -> String,
    notes: &mut Vec<String>,
) {
    if current == desired || loose_form(&current.canonical) != loose_form(&desired.canonical) {
        return;
    }
    notes.push(format!(
        "could not prove equal without a shadow database, left unchanged: {} (database: `{}`, schema: `{}`)",
        what(),
        one_line(&current.sql),
        one_line(&desired.sql)
    ));
    *desired = current.clone();
}

/// PostgreSQL stores a view's query rewritten (every column qualified,
/// `GROUP BY 1` expanded, casts added, an explicit column list folded into
/// the output names), which the offline normaliser cannot undo: without a
/// shadow database a differing definition is never proved different
/// either, so it is left unchanged and named.
fn settle_view_query(current: &View, desired: &mut View, notes: &mut Vec<String>) {
    let name = &desired.name;
    if current.query == desired.query && current.columns == desired.columns {
        return;
    }
    let loose_equal = loose_form(&current.query.canonical) == loose_form(&desired.query.canonical);
    if loose_equal && current.columns == desired.columns {
        settle(
            &current.query,
            &mut desired.query,
            || format!("query of view {name}"),
            notes,
        );
        return;
    }
    notes.push(format!(
        "view definitions are compared only with a shadow database: view {name} is left \
         unchanged, although its text differs (database: `{}`, schema: `{}`); plan with a \
         shadow database to change it",
        one_line(&current.query.sql),
        one_line(&desired.query.sql)
    ));
    desired.query = current.query.clone();
    desired.columns = current.columns.clone();
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The expression with white space, comments, parentheses, `::type` casts
/// (with their modifiers) and name qualifiers (`public.t.c` -> `c`)
/// removed, and every unquoted word in lower case.
fn loose_form(text: &str) -> String {
    let (lexemes, _) = sql_lex::lex_range(text, 0, text.len());
    let tokens: Vec<(Token, &str)> = lexemes
        .into_iter()
        .filter(|lexeme| !sql_lex::is_blank(&lexeme.token))
        .map(|lexeme| (lexeme.token, &text[lexeme.start..lexeme.end]))
        .collect();
    let mut res = String::with_capacity(text.len());
    let mut idx = 0;
    while idx < tokens.len() {
        let (token, original) = &tokens[idx];
        idx += 1;
        match token {
            Token::LParen | Token::RParen => {}
            Token::DoubleColon => idx = skip_type(&tokens, idx),
            Token::Word(_)
                if matches!(tokens.get(idx), Some((Token::Period, _)))
                    && matches!(tokens.get(idx + 1), Some((Token::Word(_), _))) =>
            {
                // A qualifier: the name after the `.` stands alone.
                idx += 1;
            }
            Token::Word(word) if word.quote_style.is_none() => {
                res.push_str(&word.value.to_lowercase());
            }
            _ => res.push_str(original),
        }
    }
    // An unterminated literal: the lexer stopped before it.
    res
}

/// The index just past the type name that starts at `idx` (after `::`):
/// a possibly qualified name, the words of multi-word types (`character
/// varying`, `timestamp with time zone`), a parenthesised modifier and
/// array brackets.
fn skip_type(tokens: &[(Token, &str)], mut idx: usize) -> usize {
    let continues = |token: &Token| match token {
        Token::Word(word) => matches!(
            word.value.to_ascii_lowercase().as_str(),
            "varying" | "precision" | "with" | "without" | "time" | "zone"
        ),
        _ => false,
    };
    if !matches!(tokens.get(idx), Some((Token::Word(_), _))) {
        return idx;
    }
    idx += 1;
    while let Some((token, _)) = tokens.get(idx) {
        match token {
            Token::Period if matches!(tokens.get(idx + 1), Some((Token::Word(_), _))) => idx += 2,
            token if continues(token) => idx += 1,
            Token::LParen => {
                let mut depth = 0usize;
                while let Some((token, _)) = tokens.get(idx) {
                    idx += 1;
                    match token {
                        Token::LParen => depth += 1,
                        Token::RParen => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            Token::LBracket | Token::RBracket => idx += 1,
            _ => break,
        }
    }
    idx
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{normalize, Column, TypeName};

    /// Also used by the tests of `crate::live::shadow`.
    pub(crate) fn expr(text: &str) -> SqlExpr {
        normalize::expr(text).unwrap_or_else(|_| SqlExpr::raw(text))
    }

    pub(crate) fn table_with_default(default: &str) -> Table {
        let mut table = Table::new(QualifiedName::public("t"));
        let mut column = Column::new(Ident::new("c"), TypeName("integer".into()));
        column.default = Some(expr(default));
        table.columns.push(column);
        table
    }

    #[test]
    fn loose_form_ignores_casts_parens_case_and_space() {
        assert_eq!(loose_form("(A + 1)::bigint"), "a+1");
        assert_eq!(loose_form("'X Y'::character varying"), loose_form("'X Y'"));
        assert_eq!(loose_form("\"Col\" > 0"), "\"Col\">0");
        assert_ne!(loose_form("a + 1"), loose_form("a + 2"));
        assert_ne!(loose_form("'A'"), loose_form("'a'"));
        assert_eq!(
            loose_form("(SELECT t.id, t.n FROM public.t WHERE (t.n > 1.5))"),
            "selectid,nfromtwheren>1.5"
        );
        assert_eq!(loose_form("\"T\".\"Id\" = x1.y"), "\"Id\"=y");
        assert_eq!(loose_form("abs(x)::numeric(10,2)"), "absx");
        assert_eq!(loose_form("a::timestamp with time zone[]"), "a");
        // A cast is followed by more expression, not swallowed.
        assert_ne!(loose_form("a::int AND b"), loose_form("a::int AND c"));
        assert_eq!(loose_form("x /* note */ + 1"), "x+1");
    }

    #[test]
    fn unproven_spellings_are_noted_and_kept() {
        let mut current = Model::default();
        let mut current_table = table_with_default("0");
        current_table.columns[0].default = Some(SqlExpr::raw("(0)::integer"));
        current
            .tables
            .insert(current_table.name.clone(), current_table);
        let mut desired = Model::default();
        let desired_table = table_with_default("0");
        desired
            .tables
            .insert(desired_table.name.clone(), desired_table);
        let notes = unproven_expressions(&current, &mut desired);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].contains("default of column public.t.c"),
            "{notes:?}"
        );
        assert_eq!(
            desired.tables[&QualifiedName::public("t")].columns[0].default,
            Some(SqlExpr::raw("(0)::integer"))
        );
    }

    #[test]
    fn real_differences_are_left_to_the_diff() {
        let mut current = Model::default();
        let table = table_with_default("1");
        current.tables.insert(table.name.clone(), table);
        let mut desired = Model::default();
        let table = table_with_default("2");
        desired.tables.insert(table.name.clone(), table);
        assert!(unproven_expressions(&current, &mut desired).is_empty());
        assert_eq!(
            desired.tables[&QualifiedName::public("t")].columns[0].default,
            Some(expr("2"))
        );
    }

    #[test]
    fn view_definitions_are_settled_and_named() {
        let view = |columns: &[&str], query: &str| View {
            name: QualifiedName::new("ops", "v"),
            materialized: false,
            columns: columns.iter().map(|name| Ident::new(*name)).collect(),
            query: expr(query),
            options: Vec::new(),
            depends_on: Vec::new(),
            indexes: BTreeMap::new(),
            comment: None,
            output: Default::default(),
            meta: Default::default(),
        };
        let mut current = Model::default();
        let stored = view(&[], "SELECT t.id FROM public.t GROUP BY t.id");
        current.views.insert(stored.name.clone(), stored.clone());
        let mut desired = Model::default();
        desired.views.insert(
            stored.name.clone(),
            view(&["id"], "select id from t group by 1"),
        );
        let notes = unproven_expressions(&current, &mut desired);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].contains("view ops.v is left unchanged"),
            "{notes:?}"
        );
        assert_eq!(desired.views[&stored.name], stored);
    }
}
