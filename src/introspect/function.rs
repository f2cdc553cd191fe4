//! Functions, procedures and aggregates (window functions and routines
//! owned by extensions are not read). An aggregate is read with its
//! `pg_aggregate` row into [`Function::aggregate`].
//!
//! Invariants: a function is identified by its input argument types
//! (`proargtypes`, which include INOUT and VARIADIC); `args` lists every
//! argument except RETURNS TABLE columns (those are in `returns`); the
//! body is `prosrc`, or the deparsed SQL-standard body (`BEGIN ATOMIC` /
//! `RETURN`, PostgreSQL 14+); `config` keeps `proconfig`'s order.

use super::sql::split_top_level;
use super::{catalog_expr, catalog_type, get, Filter, IntrospectError};
use crate::model::{
    Aggregate, ArgMode, Function, FunctionArg, FunctionId, Ident, Meta, Model, Modify, Parallel,
    QualifiedName, Volatility,
};
use tokio_postgres::Row;

pub(super) const FUNCTIONS: &str = include_str!("queries/functions.sql");
const KIND: &str = "functions";

pub(crate) fn introspect_functions(
    rows: Vec<Row>,
    filter: &Filter,
    model: &mut Model,
) -> Result<(), IntrospectError> {
    for row in rows {
        let function = function_from_row(&row)?;
        if filter.keeps(&function.id.name) {
            model.functions.insert(function.id.clone(), function);
        }
    }
    Ok(())
}

fn function_from_row(row: &Row) -> Result<Function, IntrospectError> {
    let name = QualifiedName::new(
        get::<String>(row, KIND, "schema")?,
        get::<String>(row, KIND, "name")?,
    );
    if let Some(agg_kind) = get::<Option<String>>(row, KIND, "agg_kind")? {
        return aggregate_from_row(row, name, &agg_kind);
    }
    let identity_types: Vec<String> = get(row, KIND, "identity_types")?;
    let id = FunctionId {
        name,
        arg_types: identity_types.iter().map(|ty| catalog_type(ty)).collect(),
    };
    let args = function_args(
        get(row, KIND, "arg_types")?,
        get(row, KIND, "arg_modes")?,
        get(row, KIND, "arg_names")?,
        get(row, KIND, "arg_defaults")?,
    );
    let kind: String = get(row, KIND, "kind")?;
    let sql_body: Option<String> = get(row, KIND, "sql_body")?;
    let body = match sql_body {
        Some(body) => body,
        None => get::<Option<String>>(row, KIND, "body")?.unwrap_or_default(),
    };
    let config: Vec<(String, String)> = get::<Option<Vec<String>>>(row, KIND, "config")?
        .unwrap_or_default()
        .iter()
        .map(|entry| match entry.split_once('=') {
            // Setting names are case-insensitive; the catalog keeps the
            // canonical spelling (`TimeZone`), the frontends lower case.
            Some((setting, value)) => (setting.to_lowercase(), value.to_string()),
            None => (entry.clone(), String::new()),
        })
        .collect();
    let cost: String = get(row, KIND, "cost")?;
    let rows: String = get(row, KIND, "rows")?;
    Ok(Function {
        cost: Some(cost),
        rows: Some(rows),
        id,
        procedure: kind == "p",
        args,
        returns: get(row, KIND, "returns")?,
        language: get::<String>(row, KIND, "language")?.to_lowercase(),
        body,
        volatility: match get::<String>(row, KIND, "volatility")?.as_str() {
            "i" => Volatility::Immutable,
            "s" => Volatility::Stable,
            _ => Volatility::Volatile,
        },
        strict: get(row, KIND, "strict")?,
        security_definer: get(row, KIND, "security_definer")?,
        parallel: match get::<String>(row, KIND, "parallel")?.as_str() {
            "s" => Parallel::Safe,
            "r" => Parallel::Restricted,
            _ => Parallel::Unsafe,
        },
        config,
        comment: get(row, KIND, "comment")?,
        meta: Meta::default(),
        aggregate: None,
    })
}

/// An aggregate: its `pg_proc` arguments and its `pg_aggregate` row.
fn aggregate_from_row(
    row: &Row,
    name: QualifiedName,
    agg_kind: &str,
) -> Result<Function, IntrospectError> {
    let args = function_args(
        get(row, KIND, "arg_types")?,
        get(row, KIND, "arg_modes")?,
        get(row, KIND, "arg_names")?,
        None,
    );
    let routine = |column: &str| -> Result<Option<QualifiedName>, IntrospectError> {
        Ok(
            get::<Option<Vec<String>>>(row, KIND, column)?.and_then(|parts| {
                match parts.as_slice() {
                    [schema, name] => Some(QualifiedName::new(schema.clone(), name.clone())),
                    _ => None,
                }
            }),
        )
    };
    let modify = |column: &str| -> Result<Modify, IntrospectError> {
        let letter: Option<String> = get(row, KIND, column)?;
        Ok(letter
            .as_deref()
            .and_then(Modify::parse)
            .unwrap_or(Modify::ReadOnly))
    };
    let Some(sfunc) = routine("agg_sfunc")? else {
        return Err(IntrospectError::Row {
            object_kind: KIND,
            message: format!("aggregate {name} has no state function"),
        });
    };
    let stype: Option<String> = get(row, KIND, "agg_stype")?;
    let direct: i32 = get(row, KIND, "agg_direct_args")?;
    let mut aggregate = Aggregate::new(sfunc, catalog_type(stype.as_deref().unwrap_or("internal")));
    aggregate.direct_args = (agg_kind != "n").then_some(direct.max(0) as usize);
    aggregate.hypothetical = agg_kind == "h";
    aggregate.sspace = get(row, KIND, "agg_sspace")?;
    aggregate.finalfunc = routine("agg_finalfunc")?;
    aggregate.finalfunc_extra = get(row, KIND, "agg_finalfunc_extra")?;
    aggregate.finalfunc_modify = modify("agg_finalfunc_modify")?;
    aggregate.combinefunc = routine("agg_combinefunc")?;
    aggregate.serialfunc = routine("agg_serialfunc")?;
    aggregate.deserialfunc = routine("agg_deserialfunc")?;
    aggregate.initcond = get(row, KIND, "agg_initcond")?;
    aggregate.msfunc = routine("agg_msfunc")?;
    aggregate.minvfunc = routine("agg_minvfunc")?;
    aggregate.mstype = get::<Option<String>>(row, KIND, "agg_mstype")?.map(|ty| catalog_type(&ty));
    aggregate.msspace = get(row, KIND, "agg_msspace")?;
    aggregate.mfinalfunc = routine("agg_mfinalfunc")?;
    aggregate.mfinalfunc_extra = get(row, KIND, "agg_mfinalfunc_extra")?;
    aggregate.mfinalfunc_modify = modify("agg_mfinalfunc_modify")?;
    aggregate.minitcond = get(row, KIND, "agg_minitcond")?;
    aggregate.sortop = get::<Option<Vec<String>>>(row, KIND, "agg_sortop")?.and_then(|parts| {
        match parts.as_slice() {
            [schema, op] => Some((Ident::new(schema.clone()), op.clone())),
            _ => None,
        }
    });
    let parallel = match get::<String>(row, KIND, "parallel")?.as_str() {
        "s" => Parallel::Safe,
        "r" => Parallel::Restricted,
        _ => Parallel::Unsafe,
    };
    let mut function = Function::aggregate(name, args, aggregate, parallel, Meta::default());
    function.comment = get(row, KIND, "comment")?;
    Ok(function)
}

/// Zips the parallel `pg_proc` arrays into arguments. `defaults` is
/// `pg_get_expr(proargdefaults)`: the defaults of the last input
/// arguments, comma-separated.
fn function_args(
    types: Vec<String>,
    modes: Option<Vec<String>>,
    names: Option<Vec<String>>,
    defaults: Option<String>,
) -> Vec<FunctionArg> {
    let mut args: Vec<FunctionArg> = Vec::new();
    for (idx, ty) in types.iter().enumerate() {
        let mode = modes
            .as_ref()
            .and_then(|modes| modes.get(idx))
            .map(String::as_str)
            .unwrap_or("i");
        let mode = match mode {
            "o" => ArgMode::Out,
            "b" => ArgMode::InOut,
            "v" => ArgMode::Variadic,
            "t" => continue,
            _ => ArgMode::In,
        };
        let name = names
            .as_ref()
            .and_then(|names| names.get(idx))
            .filter(|name| !name.is_empty())
            .map(|name| Ident::new(name.clone()));
        args.push(FunctionArg {
            mode,
            name,
            ty: catalog_type(ty),
            default: None,
        });
    }
    let defaults = defaults
        .map(|text| split_top_level(&text))
        .unwrap_or_default();
    let inputs: Vec<usize> = args
        .iter()
        .enumerate()
        .filter(|(_, arg)| arg.mode != ArgMode::Out)
        .map(|(idx, _)| idx)
        .collect();
    let first_with_default = inputs.len().saturating_sub(defaults.len());
    for (arg_idx, default) in inputs[first_with_default..].iter().zip(defaults) {
        args[*arg_idx].default = Some(catalog_expr(&default));
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|item| item.to_string()).collect()
    }

    #[test]
    fn args_with_modes_names_and_defaults() {
        let args = function_args(
            strings(&["integer", "text", "integer[]", "text"]),
            Some(strings(&["i", "b", "v", "o"])),
            Some(strings(&["a", "", "z", "out1"])),
            Some("'x, y'::text, ARRAY[1, 2]".to_string()),
        );
        let described: Vec<String> = args
            .iter()
            .map(|arg| {
                format!(
                    "{:?} {:?} {} {:?}",
                    arg.mode,
                    arg.name.as_ref().map(Ident::as_str),
                    arg.ty,
                    arg.default.as_ref().map(|d| d.sql.clone())
                )
            })
            .collect();
        insta::assert_debug_snapshot!(described, @r#"
        [
            "In Some(\"a\") integer None",
            "InOut None text Some(\"'x, y'::text\")",
            "Variadic Some(\"z\") integer[] Some(\"ARRAY[1, 2]\")",
            "Out Some(\"out1\") text None",
        ]
        "#);
    }

    #[test]
    fn table_columns_are_not_args() {
        let args = function_args(
            strings(&["bigint", "numeric"]),
            Some(strings(&["t", "t"])),
            Some(strings(&["id", "total"])),
            None,
        );
        assert!(args.is_empty());
    }

    #[test]
    fn plain_inputs_without_modes() {
        let args = function_args(
            strings(&["integer", "integer"]),
            None,
            Some(strings(&["a", "b"])),
            Some("0".into()),
        );
        assert_eq!(args.len(), 2);
        assert!(args[0].default.is_none());
        assert_eq!(args[1].default.as_ref().map(|d| d.sql.as_str()), Some("0"));
        assert!(args.iter().all(|arg| arg.mode == ArgMode::In));
    }
}
