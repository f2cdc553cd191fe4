//! Indexes of tables and materialized views: built from `pg_index`'s
//! columns when every key is a plain column with its type's default
//! operator class (nearly all indexes), read from `pg_get_indexdef`
//! otherwise.
//!
//! Invariants: both ways give the same [`Index`] for the same index (the
//! live tests compare them with [`super::IntrospectOptions::deparse_all_indexes`]);
//! indexes backing a constraint and indexes attached to a parent's
//! partitioned index are not read (the constraint or the parent index owns
//! them); `ON ONLY` and a non-default `TABLESPACE`, which the Model does not
//! hold and sqlparser cannot read, are removed before parsing; storage
//! parameter values lose the quotes the catalog adds.

use super::sql::{ident, last_ident, option_pair};
use super::{catalog_expr, get, IntrospectError};
use crate::model::{normalize, Ident, Index, IndexExpr, IndexKey, Meta, Model, QualifiedName};
use sqlparser::ast::{Expr, IndexColumn, IndexType, OrderBySort, Statement};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use tokio_postgres::Row;

pub(super) const INDEXES: &str = include_str!("queries/indexes.sql");
const KIND: &str = "indexes";

/// One row of the indexes query, parsed: the relation it belongs to and
/// the index, or why its definition could not be read (reported only when
/// the relation is part of the Model).
pub(crate) type ParsedIndex = (QualifiedName, Result<Index, IntrospectError>);

/// Reads the rows (sqlparser work for the few indexes the catalog cannot
/// describe without deparsing; it needs no Model, so it runs while the
/// server still answers the queries sent after this one).
pub(crate) fn parse_index_rows(rows: Vec<Row>) -> Result<Vec<ParsedIndex>, IntrospectError> {
    let mut parsed = Vec::with_capacity(rows.len());
    for row in rows {
        let relation = QualifiedName::new(
            get::<String>(&row, KIND, "schema")?,
            get::<String>(&row, KIND, "table_name")?,
        );
        let name: String = get(&row, KIND, "name")?;
        let comment: Option<String> = get(&row, KIND, "comment")?;
        let index = match get::<Option<String>>(&row, KIND, "definition")? {
            Some(definition) => {
                let tablespace: Option<String> = get(&row, KIND, "tablespace")?;
                parse_indexdef(&definition, tablespace.as_deref()).ok_or_else(|| {
                    IntrospectError::Row {
                        object_kind: KIND,
                        message: format!("cannot read index {name}: {definition}"),
                    }
                })
            }
            None => index_from_catalog(&row, &name),
        };
        parsed.push((
            relation,
            index.map(|mut index| {
                index.name = Ident::new(name);
                index.comment = comment;
                index
            }),
        ));
    }
    Ok(parsed)
}

/// `pg_index.indoption` bits of one key column.
const INDOPTION_DESC: i16 = 0x0001;
const INDOPTION_NULLS_FIRST: i16 = 0x0002;

/// An index whose keys are plain columns with their type's default
/// operator class, from the catalog's columns: what `pg_get_indexdef`
/// would print, without deparsing (see `queries/indexes.sql`).
fn index_from_catalog(row: &Row, name: &str) -> Result<Index, IntrospectError> {
    let columns: Vec<Option<String>> = get(row, KIND, "columns")?;
    let options: Vec<Option<i16>> = get(row, KIND, "options")?;
    let collations: Vec<Option<String>> = get(row, KIND, "collations")?;
    let key_count = usize::try_from(get::<i32>(row, KIND, "key_count")?).unwrap_or(0);
    let mut columns = columns.into_iter();
    let mut names = Vec::with_capacity(columns.len());
    for column in columns.by_ref() {
        let Some(column) = column else {
            return Err(IntrospectError::Row {
                object_kind: KIND,
                message: format!("index {name} names a column that does not exist"),
            });
        };
        names.push(Ident::new(column));
    }
    let include = names.split_off(key_count.min(names.len()));
    let keys = names
        .into_iter()
        .enumerate()
        .map(|(position, column)| {
            let option = options.get(position).copied().flatten().unwrap_or(0);
            let descending = option & INDOPTION_DESC != 0;
            let nulls_first = option & INDOPTION_NULLS_FIRST != 0;
            IndexKey {
                expr: IndexExpr::Column(column),
                collation: collations.get(position).cloned().flatten().map(Ident::new),
                opclass: None,
                descending,
                nulls_first: (nulls_first != descending).then_some(nulls_first),
            }
        })
        .collect();
    let storage: Option<Vec<String>> = get(row, KIND, "storage")?;
    Ok(Index {
        name: Ident::new(name),
        unique: get(row, KIND, "is_unique")?,
        nulls_not_distinct: get(row, KIND, "nulls_not_distinct")?,
        method: get(row, KIND, "method")?,
        keys,
        include,
        predicate: get::<Option<String>>(row, KIND, "predicate")?.map(|text| catalog_expr(&text)),
        with: storage
            .unwrap_or_default()
            .iter()
            .map(|entry| option_pair(entry))
            .collect(),
        comment: None,
        meta: Meta::default(),
    })
}

/// Adds the parsed indexes to their tables and materialized views.
pub(crate) fn introspect_indexes(
    parsed: Vec<ParsedIndex>,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    for (relation, index) in parsed {
        let indexes = match model.tables.get_mut(&relation) {
            Some(table) => &mut table.indexes,
            None => match model.views.get_mut(&relation) {
                Some(view) => &mut view.indexes,
                None => continue,
            },
        };
        let index = index?;
        indexes.insert(index.name.clone(), index);
    }
    Ok(())
}

/// A `pg_get_indexdef` text -> [`Index`] (name as printed, no comment).
pub(crate) fn parse_indexdef(definition: &str, tablespace: Option<&str>) -> Option<Index> {
    let mut text = definition.replacen(" ON ONLY ", " ON ", 1);
    if let Some(tablespace) = tablespace {
        let quoted = Ident::new(tablespace).to_string();
        text = text.replacen(&format!(" TABLESPACE {quoted}"), "", 1);
    }
    let statements = Parser::parse_sql(&PostgreSqlDialect {}, &text).ok()?;
    let Some(Statement::CreateIndex(create)) = statements.into_iter().next() else {
        return None;
    };
    let name = create
        .name
        .as_ref()
        .and_then(last_ident)
        .unwrap_or_default();
    Some(Index {
        name,
        unique: create.unique,
        nulls_not_distinct: create.nulls_distinct == Some(false),
        method: create
            .using
            .as_ref()
            .map(index_method)
            .unwrap_or_else(|| "btree".to_string()),
        keys: create.columns.iter().map(index_key).collect(),
        include: create.include.iter().map(ident).collect(),
        predicate: create
            .predicate
            .as_ref()
            .map(|predicate| catalog_expr(&predicate.to_string())),
        with: create
            .with
            .iter()
            .map(|option| option_pair(&option.to_string()))
            .collect(),
        comment: None,
        meta: Meta::default(),
    })
}

fn index_method(method: &IndexType) -> String {
    match method {
        IndexType::Custom(name) => name.value.to_lowercase(),
        other => other.to_string().to_lowercase(),
    }
}

/// One key of an index or exclusion constraint: column or expression,
/// collation, operator class, direction and NULLS order (`None` when it is
/// the default for the direction).
pub(crate) fn index_key(column: &IndexColumn) -> IndexKey {
    let mut expr = &column.column.expr;
    let mut collation = None;
    if let Expr::Collate {
        expr: inner,
        collation: name,
    } = expr
    {
        collation = last_ident(name);
        expr = inner;
    }
    let key_expr = match expr {
        Expr::Identifier(name) => IndexExpr::Column(ident(name)),
        Expr::Nested(inner) => IndexExpr::Expr(normalize::expr_from_ast(inner)),
        other => IndexExpr::Expr(normalize::expr_from_ast(other)),
    };
    let descending = matches!(column.column.options.sort, Some(OrderBySort::Desc));
    let nulls_first = column
        .column
        .options
        .nulls_first
        .filter(|&first| first != descending);
    IndexKey {
        expr: key_expr,
        collation,
        opclass: column
            .operator_class
            .as_ref()
            .map(|opclass| opclass.to_string()),
        descending,
        nulls_first,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe(index: &Index) -> String {
        let keys: Vec<String> = index
            .keys
            .iter()
            .map(|key| {
                let expr = match &key.expr {
                    IndexExpr::Column(column) => column.to_string(),
                    IndexExpr::Expr(expr) => format!("({})", expr.sql),
                };
                format!(
                    "{expr} coll={:?} opclass={:?} desc={} nulls_first={:?}",
                    key.collation.as_ref().map(Ident::as_str),
                    key.opclass,
                    key.descending,
                    key.nulls_first
                )
            })
            .collect();
        format!(
            "{} unique={} nnd={} method={} keys=[{}] include={:?} where={:?} with={:?}",
            index.name,
            index.unique,
            index.nulls_not_distinct,
            index.method,
            keys.join("; "),
            index.include.iter().map(Ident::as_str).collect::<Vec<_>>(),
            index.predicate.as_ref().map(|p| p.sql.clone()),
            index.with
        )
    }

    #[test]
    fn reads_full_indexdef() {
        let index = parse_indexdef(
            "CREATE INDEX accounts_lower_name_idx ON public.accounts USING btree (lower(name) text_pattern_ops DESC NULLS LAST) INCLUDE (plan) WITH (fillfactor='70') WHERE (deleted_at IS NULL)",
            None,
        )
        .expect("index");
        insta::assert_snapshot!(describe(&index), @r#"accounts_lower_name_idx unique=false nnd=false method=btree keys=[(lower(name)) coll=None opclass=Some("text_pattern_ops") desc=true nulls_first=Some(false)] include=["plan"] where=Some("deleted_at IS NULL") with=[("fillfactor", "70")]"#);
    }

    #[test]
    fn reads_on_only_collation_and_nulls() {
        let index = parse_indexdef(
            "CREATE UNIQUE INDEX \"Odd\" ON ONLY public.orders USING btree (name COLLATE \"POSIX\", plan NULLS FIRST, \"Col\" DESC NULLS LAST) NULLS NOT DISTINCT",
            None,
        )
        .expect("index");
        insta::assert_snapshot!(describe(&index), @r#""Odd" unique=true nnd=true method=btree keys=[name coll=Some("POSIX") opclass=None desc=false nulls_first=None; plan coll=None opclass=None desc=false nulls_first=Some(true); "Col" coll=None opclass=None desc=true nulls_first=Some(false)] include=[] where=None with=[]"#);
    }

    #[test]
    fn strips_tablespace_and_reads_methods() {
        let index = parse_indexdef(
            "CREATE INDEX t_tags_idx ON app.t USING gin (tags) TABLESPACE fast_ssd",
            Some("fast_ssd"),
        )
        .expect("index");
        assert_eq!(index.method, "gin");
        let brin = parse_indexdef(
            "CREATE INDEX t_b ON app.t USING brin (created_at) WITH (pages_per_range='32')",
            None,
        )
        .expect("index");
        assert_eq!(brin.method, "brin");
        assert_eq!(
            brin.with,
            vec![("pages_per_range".to_string(), "32".to_string())]
        );
    }

    #[test]
    fn unreadable_indexdef_is_none() {
        assert!(parse_indexdef("CREATE INDEX (", None).is_none());
        assert!(parse_indexdef("SELECT 1", None).is_none());
    }
}
