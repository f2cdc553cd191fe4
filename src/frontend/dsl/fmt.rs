//! The canonical printer of the `.schema` language (`schemac fmt`, and
//! `schemac inspect` through [`super::print`]).
//!
//! Style: keywords lower case; two-space indentation inside table blocks;
//! column names and types aligned within a table; one blank line between
//! top-level objects; inside a block, blank lines between items are kept
//! (at most one); `//` and `///` comments stay where they were (a comment
//! inside a multi-line item moves to the end of the line it followed).
//! Identifiers, expressions, queries and function bodies are printed as
//! written.
//!
//! Invariants: `format(format(x)) == format(x)` and `parse(format(x))`
//! lowers to the same Model as `parse(x)`; input with a syntax error is
//! never formatted (the diagnostics are returned instead).

use super::lower::type_spelling;
use super::parse::{parse_entries, recover, Rule};
use super::tree::{child, is_keyword, kids, Node};
use crate::diagnostics::Diagnostic;
use crate::source::SourceFile;

/// Formats a `.schema` file in the canonical style.
pub fn format_source(file: &SourceFile) -> Result<String, Vec<Diagnostic>> {
    let (entries, diagnostics) = parse_entries(&file.text, file.id);
    if !diagnostics.is_empty() {
        return Err(recover(&file.text, file.id).1);
    }
    let mut printer = Printer {
        text: &file.text,
        out: String::new(),
        last_end: None,
        last_was_item: false,
    };
    for entry in &entries {
        let base = entry.base;
        for kid in entry.pair.clone().into_inner() {
            let start = base + kid.as_span().start();
            let end = base + kid.as_span().end();
            match kid.as_rule() {
                Rule::COMMENT => printer.top_comment(&kid, start, end),
                Rule::item => {
                    printer.separate_top(start);
                    printer.item(&kid, base, 0);
                    printer.last_end = Some(end);
                    printer.last_was_item = true;
                }
                Rule::stray_doc => {
                    printer.separate_top(start);
                    printer.line(0, kid.as_str().trim_end());
                    printer.last_end = Some(end);
                    printer.last_was_item = false;
                }
                _ => {}
            }
        }
    }
    let mut out = printer.out;
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

struct Printer<'t> {
    text: &'t str,
    out: String,
    /// Absolute end of the last printed thing (item or comment).
    last_end: Option<usize>,
    last_was_item: bool,
}

/// One token of an item printed on a line.
enum Tok {
    Word(String),
    Punct(char),
    /// `(` glued to the previous word (`f(`).
    CallParen,
    LineComment(String),
    /// Continue on a new line, indented one more level.
    Break,
}

impl Printer<'_> {
    fn line(&mut self, indent: usize, text: &str) {
        self.out.push_str(&" ".repeat(indent));
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn had_blank_line(&self, start: usize) -> bool {
        self.last_end
            .and_then(|end| self.text.get(end..start))
            .is_some_and(|gap| gap.matches('\n').count() >= 2)
    }

    fn same_line(&self, start: usize) -> bool {
        self.last_end
            .and_then(|end| self.text.get(end..start))
            .is_some_and(|gap| !gap.contains('\n'))
    }

    /// Appends a trailing comment to the last printed line.
    fn trailing(&mut self, comment: &str) {
        if self.out.ends_with('\n') {
            self.out.pop();
        }
        self.out.push(' ');
        self.out.push_str(comment.trim_end());
        self.out.push('\n');
    }

    fn separate_top(&mut self, start: usize) {
        if self.last_end.is_none() {
            return;
        }
        if self.last_was_item || self.had_blank_line(start) {
            self.blank();
        }
    }

    fn top_comment(&mut self, comment: &Node<'_>, start: usize, end: usize) {
        if self.last_end.is_some() && self.same_line(start) {
            self.trailing(comment.as_str());
        } else {
            self.separate_top(start);
            self.line(0, comment.as_str().trim_end());
            self.last_was_item = false;
        }
        self.last_end = Some(end);
    }

    /// An `item` or `table_item`: doc comments, then the definition.
    fn item(&mut self, item: &Node<'_>, base: usize, indent: usize) {
        for kid in item.clone().into_inner() {
            match kid.as_rule() {
                Rule::docs => {
                    for doc in kid.clone().into_inner() {
                        self.line(indent, doc.as_str().trim_end());
                    }
                }
                Rule::COMMENT => self.line(indent, kid.as_str().trim_end()),
                Rule::table_def => self.table(&kid, base),
                Rule::view_def => self.view(&kid, indent),
                _ => {
                    let mut toks = Vec::new();
                    tokens(&kid, &mut toks);
                    let rendered = render(&toks, indent);
                    self.out.push_str(&rendered);
                    self.out.push('\n');
                }
            }
        }
    }

    fn view(&mut self, def: &Node<'_>, indent: usize) {
        let mut toks = Vec::new();
        for kid in def.clone().into_inner() {
            if kid.as_rule() == Rule::view_query {
                break;
            }
            tokens(&kid, &mut toks);
        }
        let head = render(&toks, indent);
        let query = child(def, Rule::view_query).map_or("", |q| q.as_str().trim_end());
        self.out.push_str(&format!("{head} {query};\n"));
    }

    fn table(&mut self, def: &Node<'_>, base: usize) {
        let brace = brace_offset(def);
        let (head, rest): (Vec<Node<'_>>, Vec<Node<'_>>) = def
            .clone()
            .into_inner()
            .partition(|kid| kid.as_span().start() < brace);
        let mut toks = Vec::new();
        for kid in head.iter().filter(|kid| kid.as_rule() != Rule::COMMENT) {
            tokens(kid, &mut toks);
        }
        let header = render(&toks, 0);
        self.out.push_str(&format!("{header} {{\n"));
        for comment in head.iter().filter(|kid| kid.as_rule() == Rule::COMMENT) {
            self.trailing(comment.as_str());
        }
        self.last_end = Some(base + brace + 1);
        let widths = column_widths(&rest);
        let mut first = true;
        for kid in &rest {
            let start = base + kid.as_span().start();
            let end = base + kid.as_span().end();
            if kid.as_rule() == Rule::COMMENT && self.same_line(start) {
                self.trailing(kid.as_str());
            } else {
                if !first && self.had_blank_line(start) {
                    self.blank();
                }
                match kid.as_rule() {
                    Rule::table_item => self.table_item(kid, widths, 2),
                    _ => self.line(2, kid.as_str().trim_end()),
                }
                first = false;
            }
            self.last_end = Some(end);
        }
        self.out.push_str("}\n");
    }

    fn table_item(&mut self, item: &Node<'_>, widths: (usize, usize), indent: usize) {
        for kid in item.clone().into_inner() {
            match kid.as_rule() {
                Rule::docs => {
                    for doc in kid.clone().into_inner() {
                        self.line(indent, doc.as_str().trim_end());
                    }
                }
                Rule::COMMENT => self.line(indent, kid.as_str().trim_end()),
                Rule::column => {
                    let line = column_line(&kid, widths);
                    self.out.push_str(&line);
                    self.out.push('\n');
                }
                Rule::partition_def if child(&kid, Rule::partition_body).is_some() => {
                    self.partition(&kid, indent);
                }
                _ => {
                    let mut toks = Vec::new();
                    tokens(&kid, &mut toks);
                    let rendered = render(&toks, indent);
                    self.out.push_str(&rendered);
                    self.out.push('\n');
                }
            }
        }
    }

    /// A partition with its own block: the bound on one line, then the
    /// block's items one level deeper.
    fn partition(&mut self, def: &Node<'_>, indent: usize) {
        let mut toks = Vec::new();
        for kid in def.clone().into_inner() {
            if kid.as_rule() != Rule::partition_body {
                tokens(&kid, &mut toks);
            }
        }
        let head = render(&toks, indent);
        self.out.push_str(&format!("{head} {{\n"));
        if let Some(body) = child(def, Rule::partition_body) {
            for kid in body.clone().into_inner() {
                match kid.as_rule() {
                    Rule::table_item => self.table_item(&kid, (0, 0), indent + 2),
                    Rule::COMMENT | Rule::block_doc => {
                        self.line(indent + 2, kid.as_str().trim_end())
                    }
                    _ => {}
                }
            }
        }
        self.line(indent, "}");
    }
}

/// Position (in the entry's slice) of the `{` opening a table block.
fn brace_offset(def: &Node<'_>) -> usize {
    let header_end = kids(def)
        .filter(|kid| matches!(kid.as_rule(), Rule::qname | Rule::was))
        .map(|kid| kid.as_span().end())
        .max()
        .unwrap_or(def.as_span().start());
    let rel = header_end - def.as_span().start();
    def.as_str()
        .get(rel..)
        .and_then(|rest| rest.find('{'))
        .map_or(header_end, |idx| header_end + idx)
}

/// (name width, type width) over the columns of a table block.
fn column_widths(items: &[Node<'_>]) -> (usize, usize) {
    let mut widths = (0, 0);
    for item in items {
        if let Some(column) = child(item, Rule::column) {
            let name = child(&column, Rule::ident).map_or(0, |n| n.as_str().chars().count());
            let ty =
                child(&column, Rule::type_ref).map_or(0, |t| type_spelling(&t).chars().count());
            widths = (widths.0.max(name), widths.1.max(ty));
        }
    }
    widths
}

fn column_line(column: &Node<'_>, (name_width, type_width): (usize, usize)) -> String {
    let name = child(column, Rule::ident).map_or(String::new(), |n| n.as_str().to_string());
    let ty = child(column, Rule::type_ref).map_or(String::new(), |t| type_spelling(&t));
    let mut toks = Vec::new();
    for kid in column.clone().into_inner() {
        if matches!(kid.as_rule(), Rule::column_opt | Rule::COMMENT) {
            tokens(&kid, &mut toks);
        }
    }
    let mut line = format!("  {name:<name_width$} ");
    if toks.is_empty() {
        line.push_str(&ty);
    } else {
        line.push_str(&format!("{ty:<type_width$} "));
        line.push_str(&render(&toks, 0));
    }
    line.trim_end().to_string()
}

/// Flattens a node into tokens: keywords lower case, leaves as written,
/// punctuation from the text between children.
fn tokens(node: &Node<'_>, out: &mut Vec<Tok>) {
    let rule = node.as_rule();
    if is_keyword(rule) {
        out.push(Tok::Word(node.as_str().to_lowercase()));
        return;
    }
    match rule {
        Rule::COMMENT => {
            let text = node.as_str().trim_end().to_string();
            if text.starts_with("//") {
                out.push(Tok::LineComment(text));
            } else {
                out.push(Tok::Word(text));
            }
            return;
        }
        Rule::type_ref => {
            out.push(Tok::Word(type_spelling(node)));
            return;
        }
        Rule::paren_expr => {
            let inner = child(node, Rule::expr_text).map_or("", |t| t.as_str());
            out.push(Tok::Word(format!("({})", inner.trim())));
            return;
        }
        Rule::ident
        | Rule::qname
        | Rule::dotted_name
        | Rule::string
        | Rule::sq_string
        | Rule::int
        | Rule::number
        | Rule::pattern
        | Rule::option_value
        | Rule::version_word
        | Rule::set_item
        | Rule::exclude_op
        | Rule::dollar_quoted
        | Rule::agg_options
        | Rule::view_query => {
            out.push(Tok::Word(node.as_str().trim().to_string()));
            return;
        }
        Rule::every_unit | Rule::acl_privilege | Rule::acl_kind | Rule::dp_objects => {
            out.push(Tok::Word(node.as_str().to_lowercase()));
            return;
        }
        Rule::agg_args => {
            // `name(args)`: written as a call, the list kept as written.
            let text = node.as_str();
            let inner = text
                .strip_prefix('(')
                .and_then(|rest| rest.strip_suffix(')'))
                .unwrap_or(text)
                .trim();
            out.push(Tok::CallParen);
            if !inner.is_empty() {
                out.push(Tok::Word(inner.to_string()));
            }
            out.push(Tok::Punct(')'));
            return;
        }
        Rule::default_expr | Rule::arg_default_expr => {
            out.push(Tok::Word(node.as_str().trim().to_string()));
            return;
        }
        Rule::pol_using | Rule::pol_check => out.push(Tok::Break),
        _ => {}
    }
    let call = matches!(
        rule,
        Rule::function_def | Rule::aggregate_def | Rule::trg_execute | Rule::acl_function
    );
    let text = node.as_str();
    let node_start = node.as_span().start();
    let mut pos = 0;
    let mut after_name = false;
    for kid in node.clone().into_inner() {
        let kid_start = kid.as_span().start() - node_start;
        punctuation(&text[pos..kid_start], out, call && after_name);
        if call && after_name {
            after_name = false;
        }
        tokens(&kid, out);
        if call && kid.as_rule() == Rule::qname {
            after_name = true;
        }
        pos = kid.as_span().end() - node_start;
    }
    punctuation(&text[pos..], out, call && after_name);
}

fn punctuation(gap: &str, out: &mut Vec<Tok>, call: bool) {
    let mut first = true;
    for ch in gap.chars() {
        if matches!(ch, '(' | ')' | ',' | '=' | '{' | '}' | '[' | ']') {
            if ch == '(' && call && first {
                out.push(Tok::CallParen);
            } else {
                out.push(Tok::Punct(ch));
            }
            first = false;
        }
    }
}

/// Joins tokens into one (or, after line comments and breaks, several)
/// lines at `indent`.
fn render(toks: &[Tok], indent: usize) -> String {
    let mut res = " ".repeat(indent);
    let continuation = " ".repeat(indent + 4);
    let mut at_line_start = true;
    let mut prev: Option<&Tok> = None;
    for (idx, tok) in toks.iter().enumerate() {
        let is_last = idx + 1 == toks.len();
        match tok {
            Tok::Break => {
                if !is_last && !at_line_start {
                    res.push('\n');
                    res.push_str(&continuation);
                    at_line_start = true;
                }
                continue;
            }
            Tok::LineComment(text) => {
                if !at_line_start {
                    res.push(' ');
                }
                res.push_str(text);
                if !is_last {
                    res.push('\n');
                    res.push_str(&continuation);
                    at_line_start = true;
                }
                prev = Some(tok);
                continue;
            }
            Tok::Word(word) => {
                let glue = matches!(
                    prev,
                    Some(Tok::Punct('(') | Tok::Punct('[') | Tok::CallParen)
                );
                if !at_line_start && !glue {
                    res.push(' ');
                }
                res.push_str(word);
            }
            Tok::CallParen => res.push('('),
            Tok::Punct(ch) => {
                if *ch == '}' && res.ends_with(',') {
                    res.pop();
                }
                let space_before = match ch {
                    ')' | ',' | ']' => false,
                    '(' => !matches!(prev, Some(Tok::Punct('(') | Tok::CallParen)),
                    '}' => !matches!(prev, Some(Tok::Punct('{'))),
                    _ => true,
                };
                if space_before && !at_line_start {
                    res.push(' ');
                }
                res.push(*ch);
            }
        }
        at_line_start = false;
        prev = Some(tok);
    }
    res.trim_end().to_string()
}
