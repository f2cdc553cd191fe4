//! Tests of the `CREATE AGGREGATE` reader.

use super::*;
use crate::frontend::sql::load_file;
use crate::model::{FunctionId, Model};
use crate::source::{FileId, Language, SourceFile};

fn load(sql: &str) -> (Model, Vec<String>) {
    let file = SourceFile::new(FileId(0), "t.sql".into(), sql.to_string(), Language::Sql);
    let parsed = load_file(&file);
    let diagnostics = parsed
        .diagnostics
        .iter()
        .filter(|d| d.code != "skipped-statement")
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    (parsed.value, diagnostics)
}

fn aggregate(model: &Model, name: &str, args: &[&str]) -> Function {
    let id = FunctionId {
        name: QualifiedName::public(name),
        arg_types: args.iter().map(|ty| TypeName::new(*ty)).collect(),
    };
    model.functions.get(&id).cloned().unwrap_or_else(|| {
        panic!(
            "no {id} in {:?}",
            model.functions.keys().collect::<Vec<_>>()
        )
    })
}

const STEP: &str = "CREATE FUNCTION public.concat_step(acc text, item text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT acc || item $$;\n";

#[test]
fn new_and_old_style_and_pg_dump_forms_are_one_aggregate() {
    let forms = [
        "CREATE AGGREGATE public.text_join(text) (SFUNC = public.concat_step, STYPE = text);",
        "create aggregate text_join (text) (stype = text, sfunc = concat_step)",
        "CREATE AGGREGATE text_join (BASETYPE = text, SFUNC = concat_step, STYPE = pg_catalog.text, FINALFUNC_MODIFY = read_only, PARALLEL = unsafe)",
        "CREATE OR REPLACE AGGREGATE \"text_join\"(IN item text) (\"sfunc\" = public.\"concat_step\", STYPE = text)",
    ];
    let mut seen = Vec::new();
    for form in forms {
        let (model, diagnostics) = load(&format!("{STEP}{form}"));
        assert!(diagnostics.is_empty(), "{form}: {diagnostics:?}");
        let mut found = aggregate(&model, "text_join", &["text"]);
        // Argument names are part of the routine, not of the aggregate's identity.
        for arg in &mut found.args {
            arg.name = None;
        }
        seen.push(found);
    }
    for other in &seen[1..] {
        assert_eq!(&seen[0], other);
    }
    let agg = seen[0].aggregate.as_ref().expect("an aggregate");
    assert_eq!(agg.sfunc, QualifiedName::public("concat_step"));
    assert_eq!(agg.stype, TypeName::new("text"));
    assert_eq!(agg.finalfunc_modify, Modify::ReadOnly);
}

#[test]
fn ordered_set_variadic_and_star_forms() {
    let sql = "CREATE AGGREGATE pct(double precision ORDER BY double precision) (SFUNC = ordered_set_transition, STYPE = internal, FINALFUNC = percentile_disc_final, FINALFUNC_EXTRA);\n\
        CREATE AGGREGATE rnk(VARIADIC \"any\" ORDER BY VARIADIC \"any\") (SFUNC = ordered_set_transition_multi, STYPE = internal, FINALFUNC = rank_final, FINALFUNC_EXTRA, HYPOTHETICAL);\n\
        CREATE AGGREGATE cnt(*) (SFUNC = int8inc, STYPE = int8, INITCOND = 0, PARALLEL = SAFE, COMBINEFUNC = int8pl);\n\
        CREATE AGGREGATE mx(integer) (SFUNC = int4larger, STYPE = int4, SORTOP = >, MSFUNC = int4pl, MINVFUNC = int4mi, MSTYPE = int4, MINITCOND = '0');";
    let (model, diagnostics) = load(sql);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let pct = aggregate(&model, "pct", &["double precision", "double precision"]);
    let agg = pct.aggregate.as_ref().expect("aggregate");
    assert_eq!(agg.direct_args, Some(1));
    assert_eq!(agg.finalfunc_modify, Modify::ReadWrite);
    assert!(agg.finalfunc_extra);
    assert_eq!(
        agg.sfunc,
        QualifiedName::new("pg_catalog", "ordered_set_transition")
    );
    let rnk = aggregate(&model, "rnk", &["any"]);
    let agg = rnk.aggregate.as_ref().expect("aggregate");
    assert_eq!((agg.direct_args, agg.hypothetical), (Some(1), true));
    assert_eq!(
        crate::model::sql::create_function(&rnk, false),
        "CREATE AGGREGATE public.rnk(VARIADIC \"any\" ORDER BY VARIADIC \"any\") (SFUNC = pg_catalog.ordered_set_transition_multi, STYPE = internal, FINALFUNC = pg_catalog.rank_final, FINALFUNC_EXTRA, HYPOTHETICAL)"
    );
    let cnt = aggregate(&model, "cnt", &[]);
    assert_eq!(cnt.parallel, Parallel::Safe);
    assert_eq!(
        crate::model::sql::create_function(&cnt, false),
        "CREATE AGGREGATE public.cnt(*) (SFUNC = pg_catalog.int8inc, STYPE = bigint, COMBINEFUNC = pg_catalog.int8pl, INITCOND = '0', PARALLEL = SAFE)"
    );
    let mx = aggregate(&model, "mx", &["integer"]);
    let agg = mx.aggregate.as_ref().expect("aggregate");
    assert_eq!(
        agg.sortop,
        Some((Ident::new("pg_catalog"), ">".to_string()))
    );
    assert_eq!(agg.minitcond.as_deref(), Some("0"));
    assert_eq!(agg.mstype, Some(TypeName::new("integer")));
}

#[test]
fn comments_and_owners_of_aggregates() {
    let sql = format!(
        "{STEP}CREATE AGGREGATE text_join(text) (SFUNC = concat_step, STYPE = text);\nCOMMENT ON AGGREGATE text_join(text) IS 'joins';\nALTER AGGREGATE public.text_join(text) OWNER TO postgres;\nCREATE AGGREGATE pct(float8 ORDER BY float8) (SFUNC = ordered_set_transition, STYPE = internal);\nCOMMENT ON AGGREGATE pct(float8 ORDER BY float8) IS 'pct';\nCREATE AGGREGATE cnt(*) (SFUNC = int8inc, STYPE = int8);\nCOMMENT ON AGGREGATE cnt(*) IS 'count';"
    );
    let (model, diagnostics) = load(&sql);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(
        aggregate(&model, "text_join", &["text"]).comment.as_deref(),
        Some("joins")
    );
    assert_eq!(
        aggregate(&model, "pct", &["double precision", "double precision"])
            .comment
            .as_deref(),
        Some("pct")
    );
    assert_eq!(
        aggregate(&model, "cnt", &[]).comment.as_deref(),
        Some("count")
    );
}

#[test]
fn unreadable_forms_are_errors_at_their_place() {
    let cases = [
        (
            "CREATE AGGREGATE a(text) (STYPE = text)",
            "aggregate sfunc must be specified",
        ),
        (
            "CREATE AGGREGATE a(text) (SFUNC = f, STYPE = text, SSPACE = big)",
            "SSPACE requires an integer value",
        ),
        (
            "CREATE AGGREGATE a(OUT text) (SFUNC = f, STYPE = text)",
            "aggregates cannot have output arguments",
        ),
        (
            "CREATE AGGREGATE a(text) (SFUNC = f, STYPE = text, HYPOTHETICAL)",
            "only ordered-set aggregates can be hypothetical",
        ),
        (
            "CREATE AGGREGATE a(text) (SFUNC = f, STYPE = text) extra",
            "unexpected text after the aggregate's options",
        ),
        (
            "CREATE AGGREGATE a(text) (SFUNC = f, STYPE = text, FINALFUNC_MODIFY = never)",
            "FINALFUNC_MODIFY must be READ_ONLY, SHAREABLE, or READ_WRITE",
        ),
        (
            "CREATE AGGREGATE a(text) (SFUNC = f, STYPE = text",
            "this ( is never closed",
        ),
        (
            "CREATE AGGREGATE a() (SFUNC = f, STYPE = text)",
            "an aggregate's argument list is `*` or at least one type",
        ),
    ];
    for (sql, expected) in cases {
        let (model, diagnostics) = load(sql);
        assert!(model.functions.is_empty(), "{sql}");
        assert_eq!(
            diagnostics,
            vec![format!("syntax-error: {expected}")],
            "{sql}"
        );
    }
    let (model, diagnostics) =
        load("CREATE AGGREGATE a(text) (SFUNC = f, STYPE = text, COLOUR = red)");
    assert_eq!(model.functions.len(), 1);
    assert_eq!(
        diagnostics,
        vec!["unsupported-statement: aggregate attribute \"colour\" not recognized".to_string()]
    );
}
