//! Type spellings: any user, sqlparser-`Display` or catalog spelling of a
//! type becomes what `format_type(atttypid, atttypmod)` prints.
//!
//! Rules (PostgreSQL 15, `src/backend/utils/adt/format_type.c`):
//! - SQL aliases become the standard name: `int`/`int4` -> `integer`,
//!   `int8` -> `bigint`, `float8` -> `double precision`, `float(p)` ->
//!   `real` (p <= 24) or `double precision`, `bool` -> `boolean`,
//!   `decimal` -> `numeric`, `varchar` -> `character varying`, `char` ->
//!   `character(1)`, `timestamptz` -> `timestamp with time zone`, ...
//! - Modifiers are printed without spaces (`numeric(12,2)`); `numeric(p)`
//!   is `numeric(p,0)`; precision goes after the base word
//!   (`timestamp(3) with time zone`, `interval day to second(3)`).
//! - Arrays print one `[]` whatever their declared dimensions.
//! - `pg_catalog.` is dropped; a quoted name is a built-in only when it is
//!   an exact catalog type name (`"int4"`, `"char"`); anything else that is
//!   not built-in is a user (or extension) type, qualified with the default
//!   schema and quoted as `quote_identifier` would (`public."Mood"`).
//! - `serial` types print as their integer type (the sequence and default
//!   are the frontend's business, see [`super::serial_type`]).
//! - Unparseable spellings are kept (lower-cased, trimmed): validation
//!   reports them as unknown types.

use crate::model::{Ident, QualifiedName, TypeName};

/// Built-in types whose `format_type` spelling is their catalog name
/// (no aliases, no modifiers to rewrite). Sorted, for binary search.
const PLAIN_BUILTINS: &[&str] = &[
    "aclitem",
    "any",
    "anyarray",
    "anycompatible",
    "anycompatiblearray",
    "anycompatiblemultirange",
    "anycompatiblenonarray",
    "anycompatiblerange",
    "anyelement",
    "anyenum",
    "anymultirange",
    "anynonarray",
    "anyrange",
    "box",
    "bytea",
    "cid",
    "cidr",
    "circle",
    "cstring",
    "date",
    "datemultirange",
    "daterange",
    "event_trigger",
    "fdw_handler",
    "gtsvector",
    "index_am_handler",
    "inet",
    "int2vector",
    "int4multirange",
    "int4range",
    "int8multirange",
    "int8range",
    "internal",
    "json",
    "jsonb",
    "jsonpath",
    "language_handler",
    "line",
    "lseg",
    "macaddr",
    "macaddr8",
    "money",
    "name",
    "nummultirange",
    "numrange",
    "oid",
    "oidvector",
    "path",
    "pg_brin_bloom_summary",
    "pg_brin_minmax_multi_summary",
    "pg_ddl_command",
    "pg_dependencies",
    "pg_lsn",
    "pg_mcv_list",
    "pg_ndistinct",
    "pg_node_tree",
    "pg_snapshot",
    "point",
    "polygon",
    "record",
    "refcursor",
    "regclass",
    "regcollation",
    "regconfig",
    "regdictionary",
    "regnamespace",
    "regoper",
    "regoperator",
    "regproc",
    "regprocedure",
    "regrole",
    "regtype",
    "table_am_handler",
    "text",
    "tid",
    "trigger",
    "tsm_handler",
    "tsmultirange",
    "tsquery",
    "tsrange",
    "tstzmultirange",
    "tstzrange",
    "tsvector",
    "txid_snapshot",
    "unknown",
    "uuid",
    "void",
    "xid",
    "xid8",
    "xml",
];

/// True when `name` (a `format_type` spelling, without modifiers or `[]`)
/// is a type PostgreSQL has built in.
pub fn is_builtin_type(name: &str) -> bool {
    let base = name.trim_end_matches("[]");
    let base = match base.find('(') {
        Some(idx) => {
            // `timestamp(3) with time zone`: drop the modifier, keep the rest.
            let close = base[idx..].find(')').map(|end| idx + end + 1);
            let rest = close.map(|end| &base[end..]).unwrap_or("");
            return is_builtin_type(&format!("{}{}", base[..idx].trim_end(), rest));
        }
        None => base,
    };
    PLAIN_BUILTINS.binary_search(&base).is_ok()
        || matches!(
            base,
            "smallint"
                | "integer"
                | "bigint"
                | "real"
                | "double precision"
                | "numeric"
                | "boolean"
                | "character"
                | "character varying"
                | "bpchar"
                | "\"char\""
                | "bit"
                | "bit varying"
                | "\"bit\""
                | "timestamp without time zone"
                | "timestamp with time zone"
                | "time without time zone"
                | "time with time zone"
        )
        || base.starts_with("interval")
}

/// Types provided by well-known extensions: (type, extension).
const EXTENSION_TYPES: &[(&str, &str)] = &[
    ("box2d", "postgis"),
    ("box3d", "postgis"),
    ("citext", "citext"),
    ("cube", "cube"),
    ("ean13", "isn"),
    ("geography", "postgis"),
    ("geometry", "postgis"),
    ("halfvec", "vector"),
    ("hstore", "hstore"),
    ("isbn", "isn"),
    ("isbn13", "isn"),
    ("ismn", "isn"),
    ("issn", "isn"),
    ("lquery", "ltree"),
    ("ltree", "ltree"),
    ("ltxtquery", "ltree"),
    ("seg", "seg"),
    ("sparsevec", "vector"),
    ("upc", "isn"),
    ("vector", "vector"),
];

/// The extension that provides type `name`, if it is a well-known one.
pub fn extension_of_type(name: &str) -> Option<&'static str> {
    EXTENSION_TYPES
        .iter()
        .find(|(ty, _)| *ty == name)
        .map(|(_, extension)| *extension)
}

/// Splits a `format_type` spelling of a user type into its qualified name:
/// `public.order_status[]` -> `public`.`order_status`.
pub fn user_type_name(ty: &TypeName) -> Option<QualifiedName> {
    use sqlparser::tokenizer::Token;
    let text = ty.as_str().trim_end_matches("[]");
    // Without a period there is no `schema.name` to find (built-in types,
    // nearly every column): no need to lex the spelling.
    if !text.contains('.') {
        return None;
    }
    let tokens = crate::sql_lex::tokens(text)?;
    let mut parts: Vec<String> = Vec::new();
    let mut after_dot = true;
    for token in tokens
        .iter()
        .filter(|token| !crate::sql_lex::is_blank(token))
    {
        match token {
            // Names in a normalised spelling are already folded; a quoted
            // part keeps its text.
            Token::Word(word) if after_dot => {
                parts.push(word.value.clone());
                after_dot = false;
            }
            Token::Period if !after_dot => after_dot = true,
            Token::LParen => break,
            _ => return None,
        }
    }
    match parts.as_slice() {
        [schema, name] if !after_dot => Some(QualifiedName::new(schema.clone(), name.clone())),
        _ => None,
    }
}

thread_local! {
    /// [`type_name`] results by default schema and spelling: a schema
    /// spells its columns' types the same few ways thousands of times.
    static TYPES: std::cell::RefCell<std::collections::HashMap<String, TypeName>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Normalises a type spelling to `format_type`'s; see the module doc.
pub fn type_name(spelling: &str, default_schema: &str) -> TypeName {
    // A NUL separates the two: neither a schema name nor a type spelling
    // holds one.
    let key = format!("{default_schema}\0{spelling}");
    super::memoized(&TYPES, &key, |_| {
        type_name_uncached(spelling, default_schema)
    })
}

fn type_name_uncached(spelling: &str, default_schema: &str) -> TypeName {
    let trimmed = spelling.trim();
    match lex(trimmed).and_then(|tokens| normalize_tokens(tokens, default_schema)) {
        Some(spelling) => TypeName::new(spelling),
        None => TypeName::new(trimmed.to_lowercase()),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// An identifier or keyword: `text` lower-cased unless quoted, `raw`
    /// as written.
    Word {
        text: String,
        raw: String,
        quoted: bool,
    },
    Number(String),
    /// A quoted string inside a type modifier (rare, e.g. PostGIS).
    Str(String),
    Punct(char),
}

/// The tokens of a type spelling, on `sql_lex`'s lexer: words (folded
/// unless quoted), unsigned or signed integers, string literals and the
/// punctuation a type can hold. `None` for anything else (comments,
/// operators, decimals with an exponent), so the caller keeps the spelling.
fn lex(text: &str) -> Option<Vec<Token>> {
    use sqlparser::tokenizer::{Token as Sql, Whitespace};
    let mut tokens = Vec::new();
    let mut raw = crate::sql_lex::tokens(text)?.into_iter().peekable();
    while let Some(token) = raw.next() {
        match token {
            Sql::EOF
            | Sql::Whitespace(Whitespace::Space | Whitespace::Newline | Whitespace::Tab) => {}
            Sql::Word(word) => tokens.push(Token::Word {
                text: crate::sql_lex::folded(&word),
                quoted: word.quote_style.is_some(),
                raw: word.value,
            }),
            Sql::SingleQuotedString(value) => tokens.push(Token::Str(value)),
            Sql::Number(digits, _) => push_number(&mut tokens, "", &digits)?,
            Sql::Minus | Sql::Plus => {
                let sign = if token == Sql::Minus { "-" } else { "+" };
                match raw.next_if(|next| matches!(next, Sql::Number(..))) {
                    Some(Sql::Number(digits, _)) => push_number(&mut tokens, sign, &digits)?,
                    _ => tokens.push(Token::Number(sign.to_string())),
                }
            }
            Sql::Period => tokens.push(Token::Punct('.')),
            Sql::LParen => tokens.push(Token::Punct('(')),
            Sql::RParen => tokens.push(Token::Punct(')')),
            Sql::Comma => tokens.push(Token::Punct(',')),
            Sql::LBracket => tokens.push(Token::Punct('[')),
            Sql::RBracket => tokens.push(Token::Punct(']')),
            _ => return None,
        }
    }
    Some(tokens)
}

/// A number as integer tokens: `1.5` is `1`, `.`, `5`, as a type modifier
/// reads it; anything but digits and points gives `None`.
fn push_number(tokens: &mut Vec<Token>, sign: &str, digits: &str) -> Option<()> {
    if !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    for (idx, part) in digits.split('.').enumerate() {
        if idx > 0 {
            tokens.push(Token::Punct('.'));
        }
        if !part.is_empty() {
            let sign = if idx == 0 { sign } else { "" };
            tokens.push(Token::Number(format!("{sign}{part}")));
        } else if idx == 0 && !sign.is_empty() {
            tokens.push(Token::Number(sign.to_string()));
        }
    }
    Some(())
}

/// The pieces of a type spelling.
struct Parts {
    /// Name words before the modifier: `["character", "varying"]`, or the
    /// qualified name's parts.
    words: Vec<(String, bool)>,
    qualified: bool,
    modifiers: Vec<String>,
    /// Words after the modifier: `with time zone`.
    trailing: Vec<String>,
    array: bool,
}

fn normalize_tokens(mut tokens: Vec<Token>, default_schema: &str) -> Option<String> {
    let array = strip_array_suffix(&mut tokens);
    let parts = split_parts(tokens, array)?;
    let base = if parts.qualified {
        qualified_type(&parts)
    } else {
        builtin_type(&parts).unwrap_or_else(|| user_type(&parts, default_schema))
    };
    Some(if parts.array {
        format!("{base}[]")
    } else {
        base
    })
}

/// Removes `[]`, `[n]` (repeated) and `ARRAY[n]` from the end.
fn strip_array_suffix(tokens: &mut Vec<Token>) -> bool {
    let mut array = false;
    loop {
        let len = tokens.len();
        if len >= 2 && tokens[len - 2] == Token::Punct('[') && tokens[len - 1] == Token::Punct(']')
        {
            tokens.truncate(len - 2);
            array = true;
        } else if len >= 3
            && tokens[len - 3] == Token::Punct('[')
            && matches!(tokens[len - 2], Token::Number(_))
            && tokens[len - 1] == Token::Punct(']')
        {
            tokens.truncate(len - 3);
            array = true;
        } else if len >= 2 && is_word(&tokens[len - 1], "array") {
            tokens.truncate(len - 1);
            array = true;
        } else {
            return array;
        }
    }
}

fn is_word(token: &Token, word: &str) -> bool {
    matches!(token, Token::Word { text, quoted: false, .. } if text == word)
}

fn split_parts(tokens: Vec<Token>, array: bool) -> Option<Parts> {
    let mut parts = Parts {
        words: Vec::new(),
        qualified: false,
        modifiers: Vec::new(),
        trailing: Vec::new(),
        array,
    };
    let mut iter = tokens.into_iter().peekable();
    let mut in_modifier = false;
    let mut after_modifier = false;
    let mut current = String::new();
    let mut depth = 0;
    for token in iter.by_ref() {
        if in_modifier {
            match token {
                Token::Punct('(') => {
                    depth += 1;
                    current.push('(');
                }
                Token::Punct(')') if depth == 0 => {
                    if !current.is_empty() {
                        parts.modifiers.push(std::mem::take(&mut current));
                    }
                    in_modifier = false;
                    after_modifier = true;
                }
                Token::Punct(')') => {
                    depth -= 1;
                    current.push(')');
                }
                Token::Punct(',') if depth == 0 => {
                    parts.modifiers.push(std::mem::take(&mut current));
                }
                Token::Punct(c) => current.push(c),
                Token::Number(n) => current.push_str(&n),
                Token::Str(s) => current.push_str(&format!("'{}'", s.replace('\'', "''"))),
                Token::Word { text, raw, quoted } => {
                    if quoted {
                        current.push_str(&Ident::new(text).to_string());
                    } else {
                        // Modifiers keep their case: PostGIS prints `geometry(Point,4326)`.
                        current.push_str(&raw);
                    }
                }
            }
            continue;
        }
        match token {
            Token::Word { text, quoted, .. } if after_modifier => {
                if quoted {
                    return None;
                }
                parts.trailing.push(text);
            }
            Token::Word { text, quoted, .. } => parts.words.push((text, quoted)),
            Token::Punct('.') if !after_modifier && !parts.words.is_empty() => {
                parts.qualified = true;
            }
            Token::Punct('(') if !after_modifier => in_modifier = true,
            _ => return None,
        }
    }
    if in_modifier || parts.words.is_empty() {
        return None;
    }
    if parts.qualified {
        if parts.words.len() != 2 || !parts.trailing.is_empty() {
            return None;
        }
        if parts.words[0].0 == "pg_catalog" {
            parts.words.remove(0);
            parts.qualified = false;
        }
    }
    Some(parts)
}

fn qualified_type(parts: &Parts) -> String {
    let schema = Ident::new(parts.words[0].0.clone());
    let name = Ident::new(parts.words[1].0.clone());
    format!("{schema}.{name}{}", modifier_suffix(&parts.modifiers))
}

fn user_type(parts: &Parts, default_schema: &str) -> String {
    let name: Vec<String> = parts.words.iter().map(|(word, _)| word.clone()).collect();
    let name = Ident::new(name.join(" "));
    let mut res = format!(
        "{}.{name}{}",
        Ident::new(default_schema),
        modifier_suffix(&parts.modifiers)
    );
    for word in &parts.trailing {
        res.push(' ');
        res.push_str(word);
    }
    res
}

fn modifier_suffix(modifiers: &[String]) -> String {
    if modifiers.is_empty() {
        String::new()
    } else {
        format!("({})", modifiers.join(","))
    }
}

/// Catalog type names that may be written quoted (`"int4"`) and what
/// `format_type` prints for them.
fn quoted_catalog_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "int2" => "smallint",
        "int4" => "integer",
        "int8" => "bigint",
        "float4" => "real",
        "float8" => "double precision",
        "bool" => "boolean",
        "numeric" => "numeric",
        "varchar" => "varchar",
        "bpchar" => "bpchar",
        "char" => "\"char\"",
        "bit" => "bit",
        "varbit" => "varbit",
        "timestamp" => "timestamp",
        "timestamptz" => "timestamptz",
        "time" => "time",
        "timetz" => "timetz",
        "interval" => "interval",
        _ => return PLAIN_BUILTINS.iter().copied().find(|plain| *plain == name),
    })
}

fn builtin_type(parts: &Parts) -> Option<String> {
    let (first, first_quoted) = parts.words.first()?;
    let first = if *first_quoted {
        if parts.words.len() != 1 {
            return None;
        }
        let catalog = quoted_catalog_name(first)?;
        if catalog == "\"char\"" {
            return Some(catalog.to_string());
        }
        catalog.to_string()
    } else {
        first.clone()
    };
    let rest: Vec<&str> = parts.words[1..]
        .iter()
        .map(|(word, _)| word.as_str())
        .chain(parts.trailing.iter().map(String::as_str))
        .collect();
    let mods = &parts.modifiers;
    let single = |name: &str| (rest.is_empty() && mods.is_empty()).then(|| name.to_string());
    match first.as_str() {
        "int" | "integer" | "int4" | "serial" | "serial4" => single("integer"),
        "smallint" | "int2" | "smallserial" | "serial2" => single("smallint"),
        "bigint" | "int8" | "bigserial" | "serial8" => single("bigint"),
        "real" | "float4" => single("real"),
        "float8" => single("double precision"),
        "double" if rest == ["precision"] && mods.is_empty() => Some("double precision".into()),
        "float" if rest.is_empty() => float_type(mods),
        "bool" | "boolean" => single("boolean"),
        "decimal" | "dec" | "numeric" if rest.is_empty() => numeric_type(mods),
        "varchar" if rest.is_empty() => Some(with_mods("character varying", mods)),
        "character" | "char" | "nchar" | "national" => character_type(&first, &rest, mods),
        "bpchar" if rest.is_empty() => Some(if mods.is_empty() {
            "bpchar".into()
        } else {
            with_mods("character", mods)
        }),
        "bit" => bit_type(&rest, mods),
        "varbit" if rest.is_empty() => Some(with_mods("bit varying", mods)),
        "timestamp" | "timestamptz" | "time" | "timetz" => datetime_type(&first, &rest, mods),
        "interval" => interval_type(&rest, mods),
        other => {
            let plain = PLAIN_BUILTINS.binary_search(&other).is_ok();
            (plain && rest.is_empty()).then(|| with_mods(other, mods))
        }
    }
}

fn with_mods(name: &str, mods: &[String]) -> String {
    format!("{name}{}", modifier_suffix(mods))
}

fn float_type(mods: &[String]) -> Option<String> {
    match mods {
        [] => Some("double precision".into()),
        [precision] => {
            let precision: u32 = precision.parse().ok()?;
            Some(
                if precision <= 24 {
                    "real"
                } else {
                    "double precision"
                }
                .into(),
            )
        }
        _ => None,
    }
}

fn numeric_type(mods: &[String]) -> Option<String> {
    match mods {
        [] => Some("numeric".into()),
        [precision] => Some(format!("numeric({precision},0)")),
        [precision, scale] => Some(format!("numeric({precision},{scale})")),
        _ => None,
    }
}

/// `char`, `character(n)`, `char varying(n)`, `national character varying(n)`.
fn character_type(first: &str, rest: &[&str], mods: &[String]) -> Option<String> {
    let rest = if first == "national" {
        match rest {
            ["character", tail @ ..] | ["char", tail @ ..] => tail,
            _ => return None,
        }
    } else {
        rest
    };
    match rest {
        [] => Some(if mods.is_empty() {
            "character(1)".into()
        } else {
            with_mods("character", mods)
        }),
        ["varying"] => Some(with_mods("character varying", mods)),
        _ => None,
    }
}

fn bit_type(rest: &[&str], mods: &[String]) -> Option<String> {
    match rest {
        [] => Some(if mods.is_empty() {
            "bit(1)".into()
        } else {
            with_mods("bit", mods)
        }),
        ["varying"] => Some(with_mods("bit varying", mods)),
        _ => None,
    }
}

/// `timestamp[(p)] [with|without time zone]`, `timestamptz`, `time`, `timetz`.
fn datetime_type(first: &str, rest: &[&str], mods: &[String]) -> Option<String> {
    let (base, mut with_zone) = match first {
        "timestamp" => ("timestamp", false),
        "timestamptz" => ("timestamp", true),
        "time" => ("time", false),
        _ => ("time", true),
    };
    match rest {
        [] => {}
        ["with", "time", "zone"] if !with_zone => with_zone = true,
        ["without", "time", "zone"] if !with_zone => {}
        _ => return None,
    }
    let precision = match mods {
        [] => String::new(),
        [precision] => format!("({precision})"),
        _ => return None,
    };
    let zone = if with_zone { "with" } else { "without" };
    Some(format!("{base}{precision} {zone} time zone"))
}

/// `interval [fields] [(p)]`: `interval year to month`, `interval second(3)`.
fn interval_type(rest: &[&str], mods: &[String]) -> Option<String> {
    const FIELDS: &[&str] = &["year", "month", "day", "hour", "minute", "second", "to"];
    if !rest.iter().all(|word| FIELDS.contains(word)) {
        return None;
    }
    let mut res = String::from("interval");
    for word in rest {
        res.push(' ');
        res.push_str(word);
    }
    match mods {
        [] => {}
        [precision] => res.push_str(&format!("({precision})")),
        _ => return None,
    }
    Some(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: &str) {
        let got = type_name(input, "public");
        assert_eq!(got.as_str(), expect, "type_name({input:?})");
        // format_type spellings are fixed points.
        assert_eq!(
            type_name(got.as_str(), "public").as_str(),
            expect,
            "idempotence of {input:?}"
        );
    }

    fn word(raw: &str, quoted: bool) -> Token {
        Token::Word {
            text: if quoted {
                raw.to_string()
            } else {
                raw.to_lowercase()
            },
            raw: raw.to_string(),
            quoted,
        }
    }

    #[test]
    fn lexing() {
        let punct = Token::Punct;
        let number = |n: &str| Token::Number(n.to_string());
        assert_eq!(
            lex("\"My \"\"T\"\"\"[]"),
            Some(vec![word("My \"T\"", true), punct('['), punct(']')])
        );
        assert_eq!(
            lex("Public.Mood"),
            Some(vec![word("Public", false), punct('.'), word("Mood", false)])
        );
        assert_eq!(
            lex("numeric(10, -2)"),
            Some(vec![
                word("numeric", false),
                punct('('),
                number("10"),
                punct(','),
                number("-2"),
                punct(')')
            ])
        );
        assert_eq!(
            lex("geometry(Point,'x''y')"),
            Some(vec![
                word("geometry", false),
                punct('('),
                word("Point", false),
                punct(','),
                Token::Str("x'y".into()),
                punct(')')
            ])
        );
        assert_eq!(
            lex("x$y(1.5)"),
            Some(vec![
                word("x$y", false),
                punct('('),
                number("1"),
                punct('.'),
                number("5"),
                punct(')')
            ])
        );
        assert_eq!(
            lex("int - 4"),
            Some(vec![word("int", false), number("-"), number("4")])
        );
        // What no type spelling holds is not lexed: the spelling is kept.
        assert_eq!(lex("int::text"), None);
        assert_eq!(lex("'open"), None);
        assert_eq!(lex("\"open"), None);
        assert_eq!(lex("int -- note"), None);
        assert_eq!(lex("E'x'"), None);
        assert_eq!(lex("int4 /* note */"), None);
        check("INT4 ", "integer");
    }

    #[test]
    fn builtin_sorted() {
        let mut sorted = PLAIN_BUILTINS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, PLAIN_BUILTINS);
    }

    #[test]
    fn integers_and_floats() {
        check("int", "integer");
        check("INT4", "integer");
        check("integer", "integer");
        check("INTEGER", "integer");
        check("int8", "bigint");
        check("BIGINT", "bigint");
        check("int2", "smallint");
        check("float8", "double precision");
        check("DOUBLE PRECISION", "double precision");
        check("float4", "real");
        check("real", "real");
        check("float", "double precision");
        check("float(24)", "real");
        check("float(25)", "double precision");
        check("serial", "integer");
        check("bigserial", "bigint");
        check("bool", "boolean");
        check("BOOLEAN", "boolean");
    }

    #[test]
    fn numerics_and_strings() {
        check("decimal(12, 2)", "numeric(12,2)");
        check("NUMERIC(12,2)", "numeric(12,2)");
        check("numeric(10)", "numeric(10,0)");
        check("numeric", "numeric");
        check("varchar(20)", "character varying(20)");
        check("CHARACTER VARYING(20)", "character varying(20)");
        check("varchar", "character varying");
        check("char varying(3)", "character varying(3)");
        check("char", "character(1)");
        check("CHAR(3)", "character(3)");
        check("character(3)", "character(3)");
        check("bpchar", "bpchar");
        check("bpchar(3)", "character(3)");
        check("national character varying(4)", "character varying(4)");
        check("\"char\"", "\"char\"");
        check("text", "text");
        check("TEXT", "text");
        check("bit", "bit(1)");
        check("bit(8)", "bit(8)");
        check("bit varying(16)", "bit varying(16)");
        check("varbit", "bit varying");
    }

    #[test]
    fn dates_and_times() {
        check("timestamptz", "timestamp with time zone");
        check("TIMESTAMPTZ", "timestamp with time zone");
        check("timestamp with time zone", "timestamp with time zone");
        check("TIMESTAMP WITH TIME ZONE", "timestamp with time zone");
        check("timestamp(3) with time zone", "timestamp(3) with time zone");
        check("TIMESTAMP(3) WITH TIME ZONE", "timestamp(3) with time zone");
        check("timestamptz(6)", "timestamp(6) with time zone");
        check("timestamp", "timestamp without time zone");
        check("timestamp(0)", "timestamp(0) without time zone");
        check("time", "time without time zone");
        check("timetz", "time with time zone");
        check("time(3) with time zone", "time(3) with time zone");
        check("date", "date");
        check("interval", "interval");
        check("INTERVAL", "interval");
        check("interval year to month", "interval year to month");
        check("interval day to second(3)", "interval day to second(3)");
        check("interval(3)", "interval(3)");
    }

    #[test]
    fn arrays() {
        check("int[]", "integer[]");
        check("INT[]", "integer[]");
        check("int[3]", "integer[]");
        check("int[][]", "integer[]");
        check("integer ARRAY", "integer[]");
        check("integer array[4]", "integer[]");
        check("character varying(255)[]", "character varying(255)[]");
        check("text []", "text[]");
        check("_int4", "public._int4");
        check("order_status[]", "public.order_status[]");
    }

    #[test]
    fn catalog_prefix_and_quoting() {
        check("pg_catalog.int4", "integer");
        check("pg_catalog.\"varchar\"(10)", "character varying(10)");
        check("pg_catalog.text", "text");
        check("\"int4\"", "integer");
        check("\"integer\"", "public.\"integer\"");
        check("json", "json");
        check("JSONB", "jsonb");
        check("uuid", "uuid");
        check("regclass", "regclass");
        check("tstzrange", "tstzrange");
    }

    #[test]
    fn user_types() {
        check("order_status", "public.order_status");
        check("Order_Status", "public.order_status");
        check("\"Mood\"", "public.\"Mood\"");
        check("app.order_status", "app.order_status");
        check("App.Status", "app.status");
        check("\"My App\".\"Mood\"", "\"My App\".\"Mood\"");
        check("citext", "public.citext");
        check("geometry(Point, 4326)", "public.geometry(Point,4326)");
        check("public.citext", "public.citext");
        assert_eq!(type_name("mood", "app").as_str(), "app.mood");
        assert_eq!(type_name("user", "public").as_str(), "public.\"user\"");
    }

    #[test]
    fn user_type_names() {
        let name = |ty: &str| user_type_name(&TypeName::new(ty));
        assert_eq!(
            name("public.order_status"),
            Some(QualifiedName::public("order_status"))
        );
        assert_eq!(
            name("app.\"Mood\"[]"),
            Some(QualifiedName::new("app", "Mood"))
        );
        assert_eq!(
            name("public.geometry(Point,4326)"),
            Some(QualifiedName::public("geometry"))
        );
        assert_eq!(
            name("app.\"a\"\"b\""),
            Some(QualifiedName::new("app", "a\"b"))
        );
        assert_eq!(name("integer"), None);
        assert_eq!(name("timestamp(3) with time zone"), None);
    }

    #[test]
    fn garbage_is_kept() {
        assert_eq!(type_name("int(", "public").as_str(), "int(");
        assert_eq!(type_name(" Foo ; ", "public").as_str(), "foo ;");
        assert_eq!(type_name("", "public").as_str(), "");
    }

    #[test]
    fn builtin_predicate() {
        for name in [
            "integer",
            "character varying(20)",
            "timestamp(3) with time zone",
            "text[]",
            "interval day to second(3)",
            "\"char\"",
            "numeric(12,2)",
        ] {
            assert!(is_builtin_type(name), "{name}");
        }
        for name in ["public.citext", "public.order_status", "foo"] {
            assert!(!is_builtin_type(name), "{name}");
        }
    }
}
