//! Renames seen by the diff: tables and columns renamed through `was`
//! hints, and the translation of current objects through them.
//!
//! PostgreSQL follows a rename everywhere it is referenced (constraints,
//! indexes and foreign keys of other tables keep pointing at the same
//! column or table), but the current Model still spells the old names.
//! Before comparing, a current constraint or index is translated into the
//! new names; when it then equals a desired one, nothing is rebuilt (and a
//! default name that changed with the column becomes a rename).
//!
//! Invariant: a translation only replaces names that a rename change of
//! this diff actually renames, so objects untouched by renames compare
//! exactly as before.

use crate::model::{
    Constraint, ConstraintKind, Ident, Index, IndexExpr, Model, QualifiedName, SqlExpr,
};
use crate::sql_lex;
use sqlparser::tokenizer::Token;
use std::collections::BTreeMap;

/// Table and column renames of one diff.
#[derive(Debug, Clone, Default)]
pub(crate) struct Renames {
    /// Current table name -> desired table name.
    pub tables: BTreeMap<QualifiedName, QualifiedName>,
    /// Desired table name -> (old column -> new column).
    pub columns: BTreeMap<QualifiedName, BTreeMap<Ident, Ident>>,
}

impl Renames {
    /// The renames `diff_tables` and `diff_columns` will emit: `pairs` maps
    /// each desired table to the current table it is diffed against.
    pub fn collect(
        current: &Model,
        desired: &Model,
        pairs: &BTreeMap<QualifiedName, QualifiedName>,
    ) -> Renames {
        let mut res = Renames::default();
        for (desired_name, current_name) in pairs {
            if desired_name != current_name {
                res.tables
                    .insert(current_name.clone(), desired_name.clone());
            }
            let (Some(current_table), Some(desired_table)) = (
                current.tables.get(current_name),
                desired.tables.get(desired_name),
            ) else {
                continue;
            };
            for column in &desired_table.columns {
                let Some(old) = &column.meta.renamed_from else {
                    continue;
                };
                if current_table.column(&column.name).is_none()
                    && current_table.column(old).is_some()
                    && desired_table.column(old).is_none()
                {
                    res.columns
                        .entry(desired_name.clone())
                        .or_default()
                        .insert(Ident::clone(old), column.name.clone());
                }
            }
        }
        res
    }

    /// No table and no column is renamed: every translation is the
    /// identity.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty() && self.columns.is_empty()
    }

    /// Some column of `table` (by its desired name) is renamed: only then
    /// does [`Renames::index`] change its indexes.
    pub fn renames_columns_of(&self, table: &QualifiedName) -> bool {
        self.columns.contains_key(table)
    }

    fn table(&self, name: &QualifiedName) -> QualifiedName {
        self.tables
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.clone())
    }

    fn column(&self, table: &QualifiedName, column: &Ident) -> Ident {
        self.columns
            .get(table)
            .and_then(|map| map.get(column))
            .cloned()
            .unwrap_or_else(|| column.clone())
    }

    fn columns(&self, table: &QualifiedName, columns: &[Ident]) -> Vec<Ident> {
        columns.iter().map(|c| self.column(table, c)).collect()
    }

    fn expr(&self, table: &QualifiedName, expr: &SqlExpr) -> SqlExpr {
        match self.columns.get(table) {
            Some(map) if !map.is_empty() => SqlExpr {
                sql: rename_words(&expr.sql, map),
                canonical: rename_words(&expr.canonical, map),
            },
            _ => expr.clone(),
        }
    }

    /// `constraint` of the table now called `table`, in the new names.
    pub fn constraint(&self, table: &QualifiedName, constraint: &Constraint) -> Constraint {
        let mut res = constraint.clone();
        res.kind = match &constraint.kind {
            ConstraintKind::PrimaryKey { columns, include } => ConstraintKind::PrimaryKey {
                columns: self.columns(table, columns),
                include: self.columns(table, include),
            },
            ConstraintKind::Unique {
                columns,
                include,
                nulls_not_distinct,
            } => ConstraintKind::Unique {
                columns: self.columns(table, columns),
                include: self.columns(table, include),
                nulls_not_distinct: *nulls_not_distinct,
            },
            ConstraintKind::Check { expr, no_inherit } => ConstraintKind::Check {
                expr: self.expr(table, expr),
                no_inherit: *no_inherit,
            },
            ConstraintKind::ForeignKey(fk) => {
                let mut fk = fk.clone();
                fk.columns = self.columns(table, &fk.columns);
                fk.ref_table = self.table(&fk.ref_table);
                fk.ref_columns = self.columns(&fk.ref_table, &fk.ref_columns);
                ConstraintKind::ForeignKey(fk)
            }
            ConstraintKind::Exclude {
                method,
                elements,
                include,
                predicate,
            } => ConstraintKind::Exclude {
                method: method.clone(),
                elements: elements
                    .iter()
                    .map(|element| {
                        let mut element = element.clone();
                        element.expr = self.expr(table, &element.expr);
                        element
                    })
                    .collect(),
                include: self.columns(table, include),
                predicate: predicate.as_ref().map(|p| self.expr(table, p)),
            },
        };
        res
    }

    /// `index` of the relation now called `table`, in the new names.
    pub fn index(&self, table: &QualifiedName, index: &Index) -> Index {
        let mut res = index.clone();
        for key in &mut res.keys {
            key.expr = match &key.expr {
                IndexExpr::Column(column) => IndexExpr::Column(self.column(table, column)),
                IndexExpr::Expr(expr) => IndexExpr::Expr(self.expr(table, expr)),
            };
        }
        res.include = self.columns(table, &index.include);
        res.predicate = index.predicate.as_ref().map(|p| self.expr(table, p));
        res
    }
}

/// Replaces whole identifier words of `text` (outside string literals)
/// that `map` renames; quoted identifiers match exactly, bare ones
/// case-insensitively (as PostgreSQL folds them).
pub(crate) fn rename_words(text: &str, map: &BTreeMap<Ident, Ident>) -> String {
    let (lexemes, _) = sql_lex::lex_range(text, 0, text.len());
    let significant = |lexeme: &&sql_lex::Lexeme| !sql_lex::is_blank(&lexeme.token);
    let mut res = String::with_capacity(text.len());
    let mut copied = 0;
    let mut prev: Option<&Token> = None;
    for (idx, lexeme) in lexemes.iter().enumerate() {
        copied = lexeme.end;
        let original = &text[lexeme.start..lexeme.end];
        let Token::Word(word) = &lexeme.token else {
            res.push_str(original);
            if !sql_lex::is_blank(&lexeme.token) {
                prev = Some(&lexeme.token);
            }
            continue;
        };
        // A bare word before `(` is a function; after `::` it is a type.
        let next = lexemes[idx + 1..].iter().find(significant);
        let renamable = word.quote_style.is_some()
            || (!matches!(prev, Some(Token::DoubleColon | Token::Colon))
                && next.is_none_or(|next| next.token != Token::LParen));
        match map.get(&Ident::new(sql_lex::folded(word))) {
            Some(new) if renamable => res.push_str(&new.to_string()),
            _ => res.push_str(original),
        }
        prev = Some(&lexeme.token);
    }
    // An unterminated literal: kept as written.
    res.push_str(&text[copied..]);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<Ident, Ident> {
        pairs
            .iter()
            .map(|(a, b)| (Ident::new(*a), Ident::new(*b)))
            .collect()
    }

    #[test]
    fn renames_whole_words_outside_literals() {
        let m = map(&[("mail", "email")]);
        insta::assert_snapshot!(rename_words("(mail ~~ '%@mail%'::text) AND (lower(mail) <> 'mail')", &m), @"(email ~~ '%@mail%'::text) AND (lower(email) <> 'mail')");
        insta::assert_snapshot!(rename_words("mailbox IS NOT NULL AND t.mail = 1", &m), @"mailbox IS NOT NULL AND t.email = 1");
        insta::assert_snapshot!(rename_words("\"mail\" > 0 AND x::mail IS NULL", &m), @"email > 0 AND x::mail IS NULL");
        let upper = map(&[("Mail", "e Mail")]);
        insta::assert_snapshot!(rename_words("\"Mail\" > mail", &upper), @r#""e Mail" > mail"#);
    }
}
