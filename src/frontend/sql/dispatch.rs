//! Classifying a statement by its leading keywords and handing it to the
//! code that models it (sqlparser-based lowering, a targeted recognizer, or
//! the skip list).
//!
//! Invariant: every statement reaches exactly one handler, and every
//! handler either changes the Model or leaves a diagnostic.

use super::{
    aggregate, forms, index, lower, objects, rule, sequence, skipped, statistics, table_objects,
    types, Ctx, Stmt,
};

/// Upper-cased leading words of a statement (identifier characters only),
/// enough to classify it.
pub(crate) fn leading_words(text: &str, n: usize) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| !word.is_empty())
        .take(n)
        .map(str::to_uppercase)
        .collect()
}

pub(crate) fn statement(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    if stmt.text.starts_with('\\') {
        ctx.info(
            "skipped-statement",
            &stmt,
            "psql meta-command skipped (not part of the schema)",
        );
        return;
    }
    let words = leading_words(stmt.text, 6);
    let word = |idx: usize| words.get(idx).map(String::as_str).unwrap_or("");
    // `CREATE [OR REPLACE] [UNIQUE|UNLOGGED|MATERIALIZED|...] KIND`
    let create_kind = if word(0) == "CREATE" {
        let mut idx = 1;
        if word(1) == "OR" && word(2) == "REPLACE" {
            idx = 3;
        }
        while matches!(
            word(idx),
            "UNIQUE" | "UNLOGGED" | "MATERIALIZED" | "CONSTRAINT" | "RECURSIVE" | "TRUSTED"
        ) {
            idx += 1;
        }
        word(idx)
    } else {
        ""
    };
    match (word(0), word(1)) {
        ("CREATE", _) => create(ctx, stmt, create_kind, &words),
        ("ALTER", "TABLE") => forms::alter_table(ctx, stmt),
        ("ALTER", "INDEX") => forms::alter_index(ctx, stmt),
        ("ALTER", "SEQUENCE") => sequence::alter_sequence(ctx, stmt),
        ("ALTER", "STATISTICS") => statistics::alter_statistics(ctx, stmt, &words),
        ("COMMENT", "ON") => super::comment::comment(ctx, stmt),
        ("GRANT" | "REVOKE", _) => super::grant::grant_or_revoke(ctx, stmt),
        ("SELECT", _) => table_objects::select(ctx, stmt),
        _ => skipped::other(ctx, stmt, &words),
    }
}

fn create(ctx: &mut Ctx<'_>, stmt: Stmt<'_>, kind: &str, words: &[String]) {
    match kind {
        "TABLE"
            if !words
                .iter()
                .any(|word| word == "TEMP" || word == "TEMPORARY") =>
        {
            lower::create_table(ctx, stmt)
        }
        "INDEX" => index::create_index(ctx, stmt),
        "SEQUENCE" => sequence::create_sequence(ctx, stmt),
        "TYPE" => types::create_type(ctx, stmt),
        "DOMAIN" => types::create_domain(ctx, stmt),
        "SCHEMA" => forms::create_schema(ctx, stmt),
        "EXTENSION" => forms::create_extension(ctx, stmt),
        "ROLE" | "USER" | "GROUP" => forms::create_role(ctx, stmt),
        "FUNCTION" | "PROCEDURE" => objects::create_function(ctx, stmt),
        "AGGREGATE" => aggregate::create_aggregate(ctx, stmt),
        "VIEW" => objects::create_view(ctx, stmt),
        "TRIGGER" => table_objects::create_trigger(ctx, stmt),
        "POLICY" => table_objects::create_policy(ctx, stmt),
        "STATISTICS" => statistics::create_statistics(ctx, stmt),
        "RULE" => rule::create_rule(ctx, stmt),
        _ => skipped::other(ctx, stmt, words),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_words_skip_punctuation() {
        assert_eq!(
            leading_words("create or replace function public.f()", 5),
            vec!["CREATE", "OR", "REPLACE", "FUNCTION", "PUBLIC"]
        );
        assert!(leading_words("  ;", 3).is_empty());
    }
}
