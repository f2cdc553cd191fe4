//! PostgreSQL's identifier rules: which keywords need quoting, and the
//! names PostgreSQL chooses for constraints and indexes the user left
//! unnamed (`makeObjectName`, `ChooseRelationName`, `ChooseConstraintName`,
//! `ChooseIndexColumnNames` in `src/backend/commands/indexcmds.c`).
//!
//! Invariant: every name produced here fits in [`MAX_IDENT_BYTES`] bytes and
//! is cut on a UTF-8 character boundary, as `pg_mbcliplen` does.

use crate::model::Ident;

/// `NAMEDATALEN - 1`: the longest identifier PostgreSQL stores, in bytes.
pub const MAX_IDENT_BYTES: usize = 63;

/// Keywords that `quote_identifier` quotes: every reserved, type/function
/// name and column-name keyword of PostgreSQL 15 (`src/include/parser/kwlist.h`).
/// Sorted, for binary search.
const QUOTED_KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// True for keywords that PostgreSQL quotes when they are used as
/// identifiers (reserved, type/function-name and column-name keywords;
/// unreserved keywords such as `value` or `name` need no quotes).
pub fn is_reserved_keyword(name: &str) -> bool {
    QUOTED_KEYWORDS.binary_search(&name).is_ok()
}

/// The longest prefix of `text` of at most `max_bytes` bytes that ends on a
/// character boundary (`pg_mbcliplen`).
pub fn clip_bytes(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `makeObjectName(name1, name2, label)`: `name1[_name2][_label]`, cutting
/// the longer of the two names first (name2 on a tie) until it fits.
pub fn make_object_name(name1: &str, name2: Option<&str>, label: Option<&str>) -> String {
    let mut overhead = 0;
    let mut name1_len = name1.len();
    let mut name2_len = 0;
    if let Some(name2) = name2 {
        name2_len = name2.len();
        overhead += 1;
    }
    if let Some(label) = label {
        overhead += label.len() + 1;
    }
    let available = MAX_IDENT_BYTES.saturating_sub(overhead);
    while name1_len + name2_len > available {
        if name1_len > name2_len {
            name1_len -= 1;
        } else {
            name2_len -= 1;
        }
    }
    let mut res = clip_bytes(name1, name1_len).to_string();
    if let Some(name2) = name2 {
        res.push('_');
        res.push_str(clip_bytes(name2, name2_len));
    }
    if let Some(label) = label {
        res.push('_');
        res.push_str(label);
    }
    res
}

/// `ChooseRelationName` / `ChooseConstraintName`: [`make_object_name`], and
/// while `taken` says the name exists, the label gets a counter appended
/// (`t_a_key`, `t_a_key1`, `t_a_key2`, ...), the names cut again to fit.
pub fn choose_object_name(
    name1: &str,
    name2: Option<&str>,
    label: &str,
    taken: impl Fn(&str) -> bool,
) -> Ident {
    let mut name = make_object_name(name1, name2, Some(label));
    let mut pass = 0u32;
    while taken(&name) {
        pass += 1;
        let numbered_label = format!("{label}{pass}");
        name = make_object_name(name1, name2, Some(&numbered_label));
    }
    Ident::new(name)
}

/// Appends 1, 2, ... to `base` until `taken` says no, cutting `base` so the
/// result fits in 63 bytes. For a name built from parts, prefer
/// [`choose_object_name`], which cuts the parts the way PostgreSQL does.
pub fn choose_unique_name(base: Ident, taken: impl Fn(&str) -> bool) -> Ident {
    if !taken(base.as_str()) {
        return base;
    }
    let mut counter = 1u32;
    loop {
        let suffix = counter.to_string();
        let stem = clip_bytes(base.as_str(), MAX_IDENT_BYTES - suffix.len());
        let candidate = format!("{stem}{suffix}");
        if !taken(&candidate) {
            return Ident::new(candidate);
        }
        counter += 1;
    }
}

/// `ChooseForeignKeyConstraintNameAddition` / `ChooseIndexNameAddition`:
/// the names joined with `_`, stopping once 63 bytes are reached.
pub fn name_addition(names: &[&str]) -> String {
    let mut res = String::new();
    for name in names {
        if !res.is_empty() {
            res.push('_');
        }
        res.push_str(clip_bytes(name, MAX_IDENT_BYTES));
        if res.len() > MAX_IDENT_BYTES {
            break;
        }
    }
    res
}

/// `ChooseIndexColumnNames`: duplicate key names get 1, 2, ... appended
/// (`(x, x)` names its columns `x` and `x1`).
pub fn index_column_names(key_names: &[String]) -> Vec<String> {
    let mut res: Vec<String> = Vec::with_capacity(key_names.len());
    for original in key_names {
        let mut candidate = clip_bytes(original, MAX_IDENT_BYTES).to_string();
        let mut counter = 0u32;
        while res.contains(&candidate) {
            counter += 1;
            let suffix = counter.to_string();
            let stem = clip_bytes(original, MAX_IDENT_BYTES - suffix.len());
            candidate = format!("{stem}{suffix}");
        }
        res.push(candidate);
    }
    res
}

/// PostgreSQL's default name for a constraint:
/// `<table>_<col>[_<col>...]_<suffix>`, or `<table>_<suffix>` without
/// columns (primary keys; CHECKs naming zero or several columns).
pub fn default_constraint_name(table: &Ident, columns: &[Ident], suffix: &str) -> Ident {
    let names: Vec<&str> = columns.iter().map(Ident::as_str).collect();
    let addition = (!names.is_empty()).then(|| name_addition(&names));
    Ident::new(make_object_name(
        table.as_str(),
        addition.as_deref(),
        Some(suffix),
    ))
}

/// PostgreSQL's default name for an index: `<table>_<key>[_<key>...]_idx`
/// (`_key` when unique). Key names are column names, or for expressions
/// what [`super::index_key_name`] returns (`lower`, `expr`, ...).
pub fn default_index_name(table: &Ident, key_names: &[String], unique: bool) -> Ident {
    let suffix = if unique { "key" } else { "idx" };
    let columns = index_column_names(key_names);
    let names: Vec<&str> = columns.iter().map(String::as_str).collect();
    let addition = (!names.is_empty()).then(|| name_addition(&names));
    Ident::new(make_object_name(
        table.as_str(),
        addition.as_deref(),
        Some(suffix),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idents(names: &[&str]) -> Vec<Ident> {
        names.iter().map(|name| Ident::new(*name)).collect()
    }

    fn check_constraint(table: &str, columns: &[&str], suffix: &str, expect: &str) {
        let got = default_constraint_name(&Ident::new(table), &idents(columns), suffix);
        assert_eq!(got.as_str(), expect);
        assert!(got.as_str().len() <= MAX_IDENT_BYTES);
    }

    #[test]
    fn keyword_list_is_sorted() {
        let mut sorted = QUOTED_KEYWORDS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, QUOTED_KEYWORDS);
    }

    #[test]
    fn keywords() {
        assert!(is_reserved_keyword("user"));
        assert!(is_reserved_keyword("order"));
        assert!(is_reserved_keyword("integer"));
        assert!(is_reserved_keyword("left"));
        assert!(!is_reserved_keyword("name"));
        assert!(!is_reserved_keyword("value"));
        assert!(!is_reserved_keyword("status"));
    }

    #[test]
    fn constraint_names() {
        check_constraint("orders", &[], "pkey", "orders_pkey");
        check_constraint("orders", &["account_id"], "fkey", "orders_account_id_fkey");
        check_constraint("orders", &["a", "b"], "key", "orders_a_b_key");
        check_constraint("ft", &["x"], "check", "ft_x_check");
    }

    #[test]
    fn long_names_cut_the_longer_part_first() {
        // Measured on PostgreSQL 15: UNIQUE (a*50, b*43) on t2.
        let a = "a".repeat(50);
        let b = "b".repeat(43);
        check_constraint(
            "t2",
            &[&a, &b],
            "key",
            "t2_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_bbbbb_key",
        );
        let table = "t".repeat(70);
        let expect = format!("{}_c_fkey", "t".repeat(56));
        check_constraint(&table, &["c"], "fkey", &expect);
        // Equal lengths: name2 is cut first, then they take turns.
        let long = "x".repeat(40);
        let name = default_constraint_name(
            &Ident::new(&long),
            &idents(&["y".repeat(40).as_str()]),
            "key",
        );
        assert_eq!(
            name.as_str(),
            format!("{}_{}_key", "x".repeat(29), "y".repeat(29))
        );
        let name = default_constraint_name(
            &Ident::new(&long),
            &idents(&["y".repeat(41).as_str()]),
            "key",
        );
        assert_eq!(
            name.as_str(),
            format!("{}_{}_key", "x".repeat(29), "y".repeat(29))
        );
    }

    #[test]
    fn multibyte_names_are_cut_on_char_boundaries() {
        let table = "é".repeat(40); // 80 bytes
        let name = default_constraint_name(&Ident::new(&table), &[], "pkey");
        assert!(name.as_str().len() <= MAX_IDENT_BYTES);
        assert_eq!(name.as_str(), format!("{}_pkey", "é".repeat(29)));
    }

    #[test]
    fn index_names() {
        let name = |keys: &[&str], unique| {
            let keys: Vec<String> = keys.iter().map(|key| key.to_string()).collect();
            default_index_name(&Ident::new("t"), &keys, unique).0
        };
        assert_eq!(name(&["x"], false), "t_x_idx");
        assert_eq!(name(&["x", "x"], false), "t_x_x1_idx");
        assert_eq!(name(&["expr", "expr"], false), "t_expr_expr1_idx");
        assert_eq!(name(&["email"], true), "t_email_key");
    }

    #[test]
    fn unique_names() {
        let taken = ["t_x_idx", "t_x_idx1"];
        let chosen = choose_object_name("t", Some("x"), "idx", |name| taken.contains(&name));
        assert_eq!(chosen.as_str(), "t_x_idx2");
        let chosen = choose_unique_name(Ident::new("t_x_idx"), |name| taken.contains(&name));
        assert_eq!(chosen.as_str(), "t_x_idx2");
        let long = Ident::new("n".repeat(63));
        let chosen = choose_unique_name(long.clone(), |name| name == long.as_str());
        assert_eq!(chosen.as_str(), format!("{}1", "n".repeat(62)));
        let chosen = choose_object_name(&"n".repeat(70), None, "check", |name| {
            name.ends_with("_check")
        });
        assert_eq!(chosen.as_str(), format!("{}_check1", "n".repeat(56)));
    }
}
