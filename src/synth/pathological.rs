//! Hostile inputs for both frontends: deep nesting of unclosed
//! parentheses, brackets, braces, quotes, comments and dollar quotes, one
//! very long line with an error far to the right, very long identifiers.
//! Each is about [`SIZE`] bytes. The robustness test
//! (tests/pathological_inputs.rs) checks that none makes schemac panic or
//! take long; `cargo bench --bench stress` times them.
//!
//! Invariant: a pure function of its argument; every input is valid UTF-8
//! of at most `size + 200` bytes.

use crate::source::Language;

/// The size of each input: under the 100 KB below which no input may take
/// more than a second to parse or check.
pub const SIZE: usize = 100_000;

/// One hostile input.
#[derive(Debug, Clone)]
pub struct Input {
    /// What it is, for messages.
    pub name: String,
    pub language: Language,
    pub text: String,
}

/// Every hostile input of about `size` bytes, in both languages.
pub fn inputs(size: usize) -> Vec<Input> {
    let mut res = Vec::new();
    for (name, text) in schema_inputs(size) {
        res.push(Input {
            name: format!("schema: {name}"),
            language: Language::Schema,
            text,
        });
    }
    for (name, text) in sql_inputs(size) {
        res.push(Input {
            name: format!("sql: {name}"),
            language: Language::Sql,
            text,
        });
    }
    res
}

/// `unit` repeated to about `size` bytes.
fn fill(unit: &str, size: usize) -> String {
    unit.repeat((size / unit.len().max(1)).max(1))
}

fn schema_inputs(size: usize) -> Vec<(&'static str, String)> {
    let table = |body: &str| format!("table t {{\n  id int {body}\n}}\n");
    vec![
        (
            "unclosed parentheses",
            table(&format!("check {}", fill("(", size))),
        ),
        (
            "unclosed parentheses on many lines",
            table(&format!("check {}", fill("(\n", size))),
        ),
        (
            "balanced deep parentheses",
            table(&format!(
                "check {}id > 0{}",
                fill("(", size / 2),
                fill(")", size / 2)
            )),
        ),
        ("unclosed brackets", table(&fill("[", size))),
        ("unclosed braces", fill("table t {\n", size)),
        (
            "unclosed string",
            table(&format!("default '{}", fill("x", size))),
        ),
        (
            "unclosed quotes",
            table(&format!("check ({}", fill("'", size))),
        ),
        ("unclosed quoted identifiers", fill("table \"t", size)),
        (
            "nested block comments",
            format!("table t {{\n  id int\n}}\n{}", fill("/*", size)),
        ),
        (
            "nested block comments in a table",
            table(&fill("/* ", size)),
        ),
        (
            "block comments in an expression",
            table(&format!("check ({}", fill("/*(", size))),
        ),
        (
            "unclosed dollar quote",
            format!(
                "function f() returns int language sql as $${}",
                fill("x", size)
            ),
        ),
        (
            "many dollar tags",
            format!(
                "function f() returns int language sql as {}",
                fill("$a$", size)
            ),
        ),
        (
            "dollar signs",
            format!(
                "function f() returns int language sql as {}",
                fill("$", size)
            ),
        ),
        (
            "one long line with an error at the end",
            format!("table t {{ id int default {}) }}\n", fill("a + ", size)),
        ),
        (
            "long line, error past column 65,535",
            table(&format!("{}bogus", " ".repeat(size.clamp(66_000, 70_000)))),
        ),
        (
            "long identifier",
            format!("table {} {{\n  id int\n}}\n", fill("a", size)),
        ),
        (
            "long quoted identifier",
            format!("table \"{}\" {{\n  id int\n}}\n", fill("a", size)),
        ),
        (
            "long identifier with an error",
            format!("table t {{\n  {} int int int\n}}\n", fill("a", size)),
        ),
        (
            "an error on every line",
            fill("table t {\n  id int check (\n  x\n}\n", size),
        ),
        (
            "many unclosed tables",
            fill("table t { id int check (\n", size),
        ),
        ("doc comments only", fill("/// doc\n", size)),
        (
            "nul and control bytes",
            fill("table \0\u{1}\u{7f} {\n", size),
        ),
        (
            "multibyte characters",
            table(&format!("default '{}", fill("é€😀", size))),
        ),
    ]
}

fn sql_inputs(size: usize) -> Vec<(&'static str, String)> {
    let table = |body: &str| format!("CREATE TABLE t (id int {body});\n");
    vec![
        (
            "unclosed parentheses",
            table(&format!("CHECK {}", fill("(", size))),
        ),
        (
            "balanced deep parentheses",
            table(&format!(
                "CHECK {}id > 0{}",
                fill("(", size / 2),
                fill(")", size / 2)
            )),
        ),
        (
            "unclosed brackets",
            table(&format!("DEFAULT ARRAY{}", fill("[", size))),
        ),
        (
            "nested ARRAY constructors",
            table(&format!("DEFAULT {}", fill("ARRAY[", size))),
        ),
        (
            "nested CASE",
            table(&format!("DEFAULT {}", fill("CASE WHEN true THEN ", size))),
        ),
        (
            "unclosed string",
            table(&format!("DEFAULT '{}", fill("x", size))),
        ),
        (
            "unclosed quoted identifier",
            format!("CREATE TABLE \"{}", fill("x", size)),
        ),
        ("nested block comments", fill("/*", size)),
        (
            "nested block comments in a statement",
            table(&fill("/* ", size)),
        ),
        (
            "unclosed dollar quote",
            format!(
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $${}",
                fill("x", size)
            ),
        ),
        (
            "many dollar tags",
            format!(
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS {}",
                fill("$a$", size)
            ),
        ),
        ("DO blocks", fill("DO $$ BEGIN ( $$;\n", size)),
        (
            "one long line with an error at the end",
            format!("CREATE TABLE t ({} bogus bogus);\n", fill("c1 int, ", size)),
        ),
        (
            "long line, error past column 65,535",
            format!(
                "{}CREATE TABLE t (id int bogus bogus);\n",
                " ".repeat(size.clamp(66_000, 70_000))
            ),
        ),
        (
            "long identifier",
            format!("CREATE TABLE {} (id int);\n", fill("a", size)),
        ),
        (
            "long quoted identifier",
            format!("CREATE TABLE \"{}\" (id int);\n", fill("a", size)),
        ),
        ("many statements", fill("CREATE TABLE t (id int);\n", size)),
        ("many broken statements", fill("CREATE TABLE (;\n", size)),
        ("semicolons", fill(";", size)),
        (
            "nul and control bytes",
            fill("CREATE TABLE \0\u{1}\u{7f} (", size),
        ),
        (
            "multibyte characters",
            table(&format!("DEFAULT '{}", fill("é€😀", size))),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_about_the_size_asked() {
        for input in inputs(1_000) {
            assert!(
                input.text.len() <= 70_200,
                "{}: {}",
                input.name,
                input.text.len()
            );
        }
        for input in inputs(SIZE) {
            assert!(
                input.text.len() <= SIZE + 200,
                "{}: {}",
                input.name,
                input.text.len()
            );
            assert!(
                input.text.len() >= SIZE / 2,
                "{}: {}",
                input.name,
                input.text.len()
            );
        }
    }
}
