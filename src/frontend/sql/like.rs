//! `CREATE TABLE t (LIKE source [INCLUDING | EXCLUDING DEFAULTS])`: the new
//! table gets a copy of the source table's columns, as PostgreSQL 15 makes
//! it (<https://www.postgresql.org/docs/15/sql-createtable.html>, "LIKE"):
//! names, types, collations and NOT NULL always; defaults only with
//! `INCLUDING DEFAULTS`; generated expressions and identities never (they
//! need `INCLUDING GENERATED` / `INCLUDING IDENTITY`, which sqlparser 0.63
//! does not read, so those forms stay syntax errors naming the clause).
//! Constraints, indexes and comments are not copied without `INCLUDING`.
//!
//! Invariant: a source the file has not declared before this statement is
//! an error (PostgreSQL refuses it too), never an empty table.

use super::{Ctx, Stmt};
use crate::model::{Column, Table};
use sqlparser::ast::{CreateTableLike, CreateTableLikeDefaults, CreateTableLikeKind};

/// Copies the columns `like` names into `table`; false (with an error)
/// when the form or the source is not one PostgreSQL would accept here.
pub(crate) fn copy_columns(
    ctx: &mut Ctx<'_>,
    stmt: &Stmt<'_>,
    table: &mut Table,
    like: &CreateTableLikeKind,
) -> bool {
    let CreateTableLikeKind::Parenthesized(CreateTableLike { name, defaults }) = like else {
        ctx.error(
            "syntax-error",
            stmt,
            format!(
                "CREATE TABLE {} LIKE ... needs parentheses in PostgreSQL: (LIKE source)",
                table.name
            ),
        );
        return false;
    };
    let source_name = ctx.relation(name);
    let Some(source) = ctx.model.tables.get(&source_name) else {
        ctx.error(
            "unknown-reference",
            stmt,
            format!(
                "table {source_name} (LIKE source of {}) is not declared before this statement",
                table.name
            ),
        );
        return false;
    };
    let with_defaults = matches!(defaults, Some(CreateTableLikeDefaults::Including));
    let columns: Vec<Column> = source
        .columns
        .iter()
        .map(|column| Column {
            name: column.name.clone(),
            ty: column.ty.clone(),
            not_null: column.not_null,
            default: if with_defaults && column.generated.is_none() {
                column.default.clone()
            } else {
                None
            },
            identity: None,
            generated: None,
            collation: column.collation.clone(),
            comment: None,
            meta: ctx.meta(stmt),
        })
        .collect();
    table.columns.extend(columns);
    true
}

#[cfg(test)]
mod tests {
    use super::super::load_file;
    use crate::model::{Ident, QualifiedName};
    use crate::source::{FileId, Language, SourceFile};

    fn load(sql: &str) -> crate::diagnostics::Parsed<crate::model::Model> {
        load_file(&SourceFile::new(
            FileId(0),
            "t.sql".into(),
            sql.to_string(),
            Language::Sql,
        ))
    }

    #[test]
    fn like_copies_columns_not_null_and_defaults_only_when_asked() {
        let parsed = load(
            "CREATE TABLE a (id text NOT NULL DEFAULT 'x', n int GENERATED ALWAYS AS (1) STORED NOT NULL, PRIMARY KEY (id));\n\
             CREATE TABLE b (LIKE a);\nCREATE TABLE c (LIKE a INCLUDING DEFAULTS);\nALTER TABLE b ADD PRIMARY KEY (id);",
        );
        assert!(
            parsed.diagnostics.iter().all(|d| !d.is_error()),
            "{:?}",
            parsed.diagnostics
        );
        let b = &parsed.value.tables[&QualifiedName::public("b")];
        let names: Vec<&str> = b.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["id", "n"]);
        assert!(b
            .columns
            .iter()
            .all(|c| c.not_null && c.default.is_none() && c.generated.is_none()));
        assert!(b.primary_key().is_some());
        let c = &parsed.value.tables[&QualifiedName::public("c")];
        assert!(c
            .column(&Ident::new("id"))
            .is_some_and(|col| col.default.is_some()));
        assert!(c
            .column(&Ident::new("n"))
            .is_some_and(|col| col.default.is_none()));
        assert!(c.constraints.is_empty());
    }

    #[test]
    fn like_of_an_undeclared_table_is_an_error() {
        let parsed = load("CREATE TABLE b (LIKE nowhere);");
        let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.contains("public.nowhere"),
            "{}",
            errors[0].message
        );
    }
}
