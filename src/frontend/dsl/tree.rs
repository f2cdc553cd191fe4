//! Small helpers for walking pest parse trees of grammar/schema.pest.
//!
//! Invariant: comment pairs (`COMMENT`) are skipped by every helper, so the
//! lowering never sees them; the formatter reads them separately.

use super::parse::Rule;
use pest::iterators::Pair;

pub type Node<'i> = Pair<'i, Rule>;

/// Direct children, without comments.
pub fn kids<'i>(node: &Node<'i>) -> impl Iterator<Item = Node<'i>> {
    node.clone()
        .into_inner()
        .filter(|kid| kid.as_rule() != Rule::COMMENT)
}

/// The first direct child with this rule.
pub fn child<'i>(node: &Node<'i>, rule: Rule) -> Option<Node<'i>> {
    kids(node).find(|kid| kid.as_rule() == rule)
}

/// All direct children with this rule.
pub fn children<'i>(node: &Node<'i>, rule: Rule) -> Vec<Node<'i>> {
    kids(node).filter(|kid| kid.as_rule() == rule).collect()
}

pub fn has(node: &Node<'_>, rule: Rule) -> bool {
    kids(node).any(|kid| kid.as_rule() == rule)
}

/// The first descendant (depth first) with this rule.
pub fn find<'i>(node: &Node<'i>, rule: Rule) -> Option<Node<'i>> {
    node.clone()
        .into_inner()
        .flatten()
        .find(|kid| kid.as_rule() == rule)
}

/// The first child (for wrapper rules: the alternative that matched).
pub fn first_kid<'i>(node: &Node<'i>) -> Option<Node<'i>> {
    kids(node).next()
}

/// True for the `kw_*` keyword rules.
pub fn is_keyword(rule: Rule) -> bool {
    format!("{rule:?}").starts_with("kw_")
}

/// The text of a doc comment without `///` and one following space.
pub fn doc_text(doc: &Node<'_>) -> String {
    let text = doc.as_str().trim_start_matches("///");
    text.strip_prefix(' ')
        .unwrap_or(text)
        .trim_end()
        .to_string()
}

/// The doc comment lines of a `docs` child, joined with `\n`.
pub fn docs_of(node: &Node<'_>) -> Option<String> {
    let docs = child(node, Rule::docs)?;
    let lines: Vec<String> = children(&docs, Rule::doc_comment)
        .iter()
        .map(doc_text)
        .collect();
    Some(lines.join("\n"))
}

/// Unescapes a `'...'` or `E'...'` string literal to its value.
pub fn string_value(text: &str) -> String {
    if let Some(body) = text
        .strip_prefix("E'")
        .or_else(|| text.strip_prefix("e'"))
        .and_then(|rest| rest.strip_suffix('\''))
    {
        let mut res = String::new();
        let mut chars = body.chars();
        while let Some(ch) = chars.next() {
            match ch {
                '\\' => match chars.next() {
                    Some('n') => res.push('\n'),
                    Some('t') => res.push('\t'),
                    Some(other) => res.push(other),
                    None => {}
                },
                '\'' => {
                    chars.next();
                    res.push('\'');
                }
                other => res.push(other),
            }
        }
        return res;
    }
    let body = text
        .strip_prefix('\'')
        .and_then(|rest| rest.strip_suffix('\''))
        .unwrap_or(text);
    body.replace("''", "'")
}
