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
use super::table::ColumnNames;
use super::{catalog_expr, get, CatalogText, IntrospectError};
use crate::model::{normalize, Ident, Index, IndexExpr, IndexKey, Meta, Model, QualifiedName};
use sqlparser::ast::{Expr, IndexColumn, IndexType, OrderBySort, Statement};
use std::collections::HashMap;
use tokio_postgres::Row;

pub(super) const INDEXES: &str = include_str!("queries/indexes.sql");
const KIND: &str = "indexes";

pub(super) const INDEX_KEYS: &str = include_str!("queries/index_keys.sql");
pub(super) const INDEXDEFS: &str = include_str!("queries/indexdefs.sql");

/// One row of the indexes query, read: the relation it belongs to, the
/// index's oid and the index, or why its definition could not be read
/// (reported only when the relation is part of the Model). An index built
/// from the catalog columns still has its keys to be named ([`Keys`]).
pub(crate) struct ParsedIndex {
    relation: QualifiedName,
    oid: u32,
    index: Result<Index, IntrospectError>,
    keys: Option<Keys>,
    /// A non-default tablespace, which `pg_get_indexdef` prints.
    tablespace: Option<String>,
}

/// pg_index's description of the keys, by column position.
struct Keys {
    positions: Vec<i16>,
    opclasses: Vec<u32>,
    collations: Vec<u32>,
    options: Vec<i16>,
    key_count: usize,
}

/// Default operator classes (with the exact type each is the default for)
/// and collation names, from `queries/index_keys.sql`.
#[derive(Debug, Default)]
pub(crate) struct KeyCatalog {
    default_opclass_types: HashMap<u32, u32>,
    collation_names: HashMap<u32, String>,
}

pub(crate) fn key_catalog(rows: Vec<Row>) -> Result<KeyCatalog, IntrospectError> {
    const KIND: &str = "index keys";
    let mut catalog = KeyCatalog::default();
    for row in rows {
        let oid: u32 = get(&row, KIND, "oid")?;
        match get::<&str>(&row, KIND, "kind")? {
            "opclass" => {
                catalog
                    .default_opclass_types
                    .insert(oid, get(&row, KIND, "type_oid")?);
            }
            _ => {
                if let Some(name) = get::<Option<String>>(&row, KIND, "name")? {
                    catalog.collation_names.insert(oid, name);
                }
            }
        }
    }
    Ok(catalog)
}

/// Reads the rows (sqlparser work for the indexes the server deparsed;
/// it needs no Model, so it runs while the server still answers the
/// queries sent after this one).
pub(crate) fn parse_index_rows(rows: Vec<Row>) -> Result<Vec<ParsedIndex>, IntrospectError> {
    let mut text = CatalogText::default();
    let mut parsed = Vec::with_capacity(rows.len());
    for row in rows {
        let relation = QualifiedName::new(
            get::<String>(&row, KIND, "schema")?,
            get::<String>(&row, KIND, "table_name")?,
        );
        let name = Ident::new(get::<String>(&row, KIND, "name")?);
        let comment: Option<String> = get(&row, KIND, "comment")?;
        let tablespace: Option<String> = get(&row, KIND, "tablespace")?;
        let invalid: bool = get(&row, KIND, "invalid")?;
        let (index, keys) = match get::<Option<String>>(&row, KIND, "definition")? {
            Some(definition) => (
                deparsed(name, comment, &definition, tablespace.as_deref()),
                None,
            ),
            None => {
                let (index, keys) = index_from_catalog(&row, name, comment, &mut text)?;
                (Ok(index), Some(keys))
            }
        };
        let index = index.map(|index| Index { invalid, ..index });
        parsed.push(ParsedIndex {
            relation,
            oid: get(&row, KIND, "oid")?,
            index,
            keys,
            tablespace,
        });
    }
    Ok(parsed)
}

/// A `pg_get_indexdef` text read as the index `name` with its comment.
fn deparsed(
    name: Ident,
    comment: Option<String>,
    definition: &str,
    tablespace: Option<&str>,
) -> Result<Index, IntrospectError> {
    match parse_indexdef(definition, tablespace) {
        Some(index) => Ok(Index {
            name,
            comment,
            ..index
        }),
        None => Err(IntrospectError::Row {
            object_kind: KIND,
            message: format!("cannot read index {name}: {definition}"),
        }),
    }
}

/// `pg_index.indoption` bits of one key column.
const INDOPTION_DESC: i16 = 0x0001;
const INDOPTION_NULLS_FIRST: i16 = 0x0002;

/// An index from the catalog's columns, keys still to be named.
fn index_from_catalog(
    row: &Row,
    name: Ident,
    comment: Option<String>,
    text: &mut CatalogText,
) -> Result<(Index, Keys), IntrospectError> {
    let storage: Option<Vec<String>> = get(row, KIND, "storage")?;
    let index = Index {
        name,
        unique: get(row, KIND, "is_unique")?,
        nulls_not_distinct: get(row, KIND, "nulls_not_distinct")?,
        method: get(row, KIND, "method")?,
        keys: Vec::new(),
        include: Vec::new(),
        predicate: get::<Option<&str>>(row, KIND, "predicate")?.map(|e| text.expr(e)),
        with: storage
            .unwrap_or_default()
            .iter()
            .map(|entry| option_pair(entry))
            .collect(),
        invalid: false,
        comment,
        meta: Meta::default(),
    };
    let keys = Keys {
        positions: get(row, KIND, "positions")?,
        opclasses: get(row, KIND, "opclasses")?,
        collations: get(row, KIND, "collations")?,
        options: get(row, KIND, "options")?,
        key_count: usize::try_from(get::<i32>(row, KIND, "key_count")?).unwrap_or(0),
    };
    Ok((index, keys))
}

/// Names the keys of the indexes built from the catalog columns, as
/// `pg_get_indexdef` would print them. Returns the oids of the indexes it
/// cannot describe that way (a key whose operator class is the default for
/// another type than the column's, or a column that was not read): their
/// definitions are read with [`INDEXDEFS`].
pub(crate) fn name_keys(
    parsed: &mut [ParsedIndex],
    columns: &ColumnNames,
    catalog: &KeyCatalog,
) -> Vec<u32> {
    let mut to_deparse = Vec::new();
    for entry in parsed.iter_mut() {
        let (Ok(index), Some(keys)) = (&mut entry.index, &entry.keys) else {
            continue;
        };
        match catalog_keys(&entry.relation, keys, columns, catalog) {
            Some((key_list, include)) => {
                index.keys = key_list;
                index.include = include;
            }
            None => to_deparse.push(entry.oid),
        }
    }
    to_deparse
}

fn catalog_keys(
    relation: &QualifiedName,
    keys: &Keys,
    columns: &ColumnNames,
    catalog: &KeyCatalog,
) -> Option<(Vec<IndexKey>, Vec<Ident>)> {
    let mut key_list = Vec::with_capacity(keys.key_count);
    let mut include = Vec::new();
    for (idx, &position) in keys.positions.iter().enumerate() {
        let column = columns.column(relation, position)?;
        if idx >= keys.key_count {
            include.push(column.name.clone());
            continue;
        }
        let opclass = *keys.opclasses.get(idx)?;
        if catalog.default_opclass_types.get(&opclass) != Some(&column.type_oid) {
            return None;
        }
        // pg_get_indexdef prints a key's collation only when it differs
        // from its column's.
        let collation_oid = keys.collations.get(idx).copied().unwrap_or(0);
        let collation = if collation_oid != 0 && collation_oid != column.collation_oid {
            Some(crate::model::Collation::from_catalog(
                catalog.collation_names.get(&collation_oid)?,
            ))
        } else {
            None
        };
        let option = keys.options.get(idx).copied().unwrap_or(0);
        let descending = option & INDOPTION_DESC != 0;
        let nulls_first = option & INDOPTION_NULLS_FIRST != 0;
        key_list.push(IndexKey {
            expr: IndexExpr::Column(column.name.clone()),
            collation,
            opclass: None,
            descending,
            nulls_first: (nulls_first != descending).then_some(nulls_first),
        });
    }
    Some((key_list, include))
}

/// Replaces the indexes in `definitions` (oid, `pg_get_indexdef` text)
/// with their deparsed form.
pub(crate) fn apply_definitions(
    parsed: &mut [ParsedIndex],
    definitions: Vec<Row>,
) -> Result<(), IntrospectError> {
    let mut by_oid = HashMap::with_capacity(definitions.len());
    for row in definitions {
        let oid: u32 = get(&row, KIND, "oid")?;
        let definition: Option<String> = get(&row, KIND, "definition")?;
        by_oid.insert(oid, definition);
    }
    for entry in parsed.iter_mut() {
        let Some(definition) = by_oid.remove(&entry.oid) else {
            continue;
        };
        let Ok(index) = &entry.index else {
            continue;
        };
        // An index dropped since the snapshot was taken cannot be: the
        // query runs in the same snapshot. A NULL still gets a message.
        let definition = definition.unwrap_or_default();
        entry.index = deparsed(
            index.name.clone(),
            index.comment.clone(),
            &definition,
            entry.tablespace.as_deref(),
        );
        entry.keys = None;
    }
    Ok(())
}

/// Adds the indexes to their tables and materialized views.
pub(crate) fn introspect_indexes(
    parsed: Vec<ParsedIndex>,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    for entry in parsed {
        let indexes = match model.tables.get_mut(&entry.relation) {
            Some(table) => &mut table.indexes,
            None => match model.views.get_mut(&entry.relation) {
                Some(view) => &mut view.indexes,
                None => continue,
            },
        };
        let index = entry.index?;
        indexes.insert(index.name.clone(), Box::new(index));
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
    let statements = crate::sql_lex::parse_statements(&text).ok()?;
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
        invalid: false,
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
        collation = crate::model::Collation::from_object_name(name);
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
                    key.collation.as_ref().map(|c| c.name.as_str()),
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
