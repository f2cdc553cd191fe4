//! `CREATE INDEX` on tables and materialized views, including pg_dump's
//! `CREATE INDEX ... ON ONLY parent` (blanked to `ON parent` in place).
//!
//! Invariants: an unnamed index gets PostgreSQL's name (`<table>_<keys>_idx`,
//! also for UNIQUE indexes, numbered when taken); storage parameters are
//! `(name, value)` without quotes; NULLS FIRST/LAST equal to the sort
//! order's default is `None`.

use super::lower::{strip_nested, unique_name};
use super::{collation, forms, ident, last_ident, opclass, Ctx, Stmt};
use crate::model::{normalize, Ident, Index, IndexExpr, IndexKey};
use sqlparser::ast::{Expr, IndexColumn, OrderBySort, Statement, Value};

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON [ONLY] t ...`.
pub(crate) fn create_index(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let text = blank_on_only(stmt.text);
    let parsed = ctx.parser(&stmt, &text).and_then(|mut p| {
        let statement = p.parse_statement()?;
        forms::expect_end(&mut p)?;
        Ok(statement)
    });
    let create = match parsed {
        Ok(Statement::CreateIndex(mut create)) => {
            ctx.qualify_names(&mut create.columns, false);
            ctx.qualify_names(&mut create.predicate, false);
            create
        }
        Ok(_) => {
            ctx.error("syntax-error", &stmt, "expected a CREATE INDEX statement");
            return;
        }
        Err(error) => {
            ctx.syntax_error(&stmt, &error);
            return;
        }
    };
    let target = ctx.relation(&create.table_name);
    let mut keys = Vec::new();
    let mut key_names = Vec::new();
    for column in &create.columns {
        let (key, key_name) = index_key(column);
        keys.push(key);
        key_names.push(key_name);
    }
    let index = |name: Ident, ctx: &Ctx<'_>| Index {
        name,
        unique: create.unique,
        nulls_not_distinct: create.nulls_distinct == Some(false),
        method: create.using.as_ref().map_or_else(
            || "btree".to_string(),
            |method| match method {
                // `USING "btree"` (--quote-all-identifiers) is btree.
                sqlparser::ast::IndexType::Custom(name) => ident(name).0,
                other => other.to_string().to_lowercase(),
            },
        ),
        keys: keys.clone(),
        include: create.include.iter().map(ident).collect(),
        predicate: create.predicate.as_ref().map(normalize::expr_from_ast),
        with: create.with.iter().map(storage_parameter).collect(),
        invalid: false,
        comment: None,
        meta: ctx.meta(&stmt),
    };
    let explicit = create.name.as_ref().map(last_ident);
    if let Some(table) = ctx.model.tables.get(&target) {
        let name = explicit.unwrap_or_else(|| {
            unique_name(
                table,
                normalize::default_index_name(&target.name, &key_names, false),
            )
        });
        let index = index(name.clone(), ctx);
        let Some(table) = ctx.model.tables.get_mut(&target) else {
            return;
        };
        if table.indexes.contains_key(&name) || table.constraints.contains_key(&name) {
            ctx.error(
                "duplicate-object",
                &stmt,
                format!("index {name} is declared more than once on {target}"),
            );
            return;
        }
        table.indexes.insert(name, Box::new(index));
    } else if ctx.model.views.contains_key(&target) {
        let name = explicit
            .unwrap_or_else(|| normalize::default_index_name(&target.name, &key_names, false));
        let index = index(name.clone(), ctx);
        let Some(view) = ctx.model.views.get_mut(&target) else {
            return;
        };
        if view.indexes.insert(name.clone(), Box::new(index)).is_some() {
            ctx.error(
                "duplicate-object",
                &stmt,
                format!("index {name} is declared more than once on {target}"),
            );
        }
    } else {
        ctx.error(
            "unknown-reference",
            &stmt,
            format!("index target {target} is not a table or materialized view declared before this statement"),
        );
    }
}

/// `ON ONLY parent` -> `ON      parent` (same length: offsets stay valid).
fn blank_on_only(text: &str) -> String {
    let mut out = text.to_string();
    let upper = text.to_uppercase();
    if upper.len() != text.len() {
        return out;
    }
    let words: Vec<(usize, &str)> = upper
        .split_whitespace()
        .map(|word| (word.as_ptr() as usize - upper.as_ptr() as usize, word))
        .collect();
    if let Some(pair) = words
        .windows(2)
        .find(|pair| pair[0].1 == "ON" && pair[1].1 == "ONLY")
    {
        let start = pair[1].0;
        out.replace_range(start..start + 4, "    ");
    }
    out
}

/// One key of an index and its part of the default index name.
fn index_key(column: &IndexColumn) -> (IndexKey, String) {
    let mut expr = strip_nested(&column.column.expr);
    let mut key_collation = None;
    if let Expr::Collate {
        expr: inner,
        collation: name,
    } = expr
    {
        key_collation = Some(collation(name));
        expr = strip_nested(inner);
    }
    let (key_expr, key_name) = match expr {
        Expr::Identifier(id) => (IndexExpr::Column(ident(id)), ident(id).0),
        other => {
            let sql = normalize::expr_from_ast(other);
            let key_name = normalize::index_key_name(&sql);
            (IndexExpr::Expr(sql), key_name)
        }
    };
    let descending = matches!(column.column.options.sort, Some(OrderBySort::Desc));
    let nulls_first = column
        .column
        .options
        .nulls_first
        .filter(|nulls_first| *nulls_first != descending);
    let key = IndexKey {
        expr: key_expr,
        collation: key_collation,
        opclass: column.operator_class.as_ref().map(opclass),
        descending,
        nulls_first,
    };
    (key, key_name)
}

/// `fillfactor = 70`, `fillfactor='70'` -> `("fillfactor", "70")`.
fn storage_parameter(expr: &Expr) -> (String, String) {
    let unquote = |expr: &Expr| match expr {
        Expr::Value(value) => match &value.value {
            Value::SingleQuotedString(text) => text.to_lowercase(),
            Value::Boolean(flag) => flag.to_string(),
            other => other.to_string().to_lowercase(),
        },
        Expr::Identifier(id) => id.value.to_lowercase(),
        other => other.to_string().to_lowercase(),
    };
    match expr {
        Expr::BinaryOp { left, right, .. } => (unquote(left), unquote(right)),
        other => (unquote(other), "true".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::load_file;
    use super::*;
    use crate::model::QualifiedName;
    use crate::source::{FileId, Language, SourceFile};

    fn model(sql: &str) -> crate::model::Model {
        let file = SourceFile::new(FileId(0), "t.sql".into(), sql.to_string(), Language::Sql);
        let parsed = load_file(&file);
        let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "{errors:?}");
        parsed.value
    }

    #[test]
    fn indexes() {
        let m = model(
            "CREATE TABLE t (a int, b text);\nCREATE INDEX ON t (a DESC NULLS FIRST, b);\nCREATE INDEX ON ONLY t ((lower(b)));\nCREATE UNIQUE INDEX named ON public.t USING gin (b text_ops NULLS LAST) INCLUDE (a) WITH (fillfactor='70') WHERE (a > 0);\nCREATE INDEX ON t (a);",
        );
        let table = &m.tables[&QualifiedName::public("t")];
        let names: Vec<&str> = table.indexes.keys().map(Ident::as_str).collect();
        assert_eq!(names, vec!["named", "t_a_b_idx", "t_a_idx", "t_lower_idx"]);
        let first = &table.indexes[&Ident::new("t_a_b_idx")];
        assert!(first.keys[0].descending && first.keys[0].nulls_first.is_none());
        let named = &table.indexes[&Ident::new("named")];
        assert_eq!(named.method, "gin");
        assert_eq!(named.keys[0].opclass.as_deref(), Some("text_ops"));
        assert_eq!(named.keys[0].nulls_first, None);
        assert_eq!(
            named.with,
            vec![("fillfactor".to_string(), "70".to_string())]
        );
        assert!(named.unique && named.predicate.is_some());
    }

    #[test]
    fn on_only_is_blanked_in_place() {
        let sql = "CREATE INDEX i ON ONLY public.t USING btree (a)";
        let blanked = blank_on_only(sql);
        assert_eq!(blanked.len(), sql.len());
        assert!(blanked.contains("ON      public.t"));
    }
}
