//! SQL lexing for code that looks inside SQL text without parsing it: the
//! tokens of a statement with their offsets (the `.sql` frontend), the
//! identifier words of an expression or a function body (dependency
//! search), the tokens of a type spelling (type normalisation). One lexer
//! serves them all: sqlparser's tokenizer with the PostgreSQL dialect.
//! Also the one configuration of sqlparser's parser ([`parser`]): every
//! place that parses SQL builds it here, so all read the same nesting depth.
//!
//! Invariants:
//! - String literals (`'…'` with `''` escapes, `E'…'` with backslash
//!   escapes, `$tag$…$tag$`) and comments (`--`, nested `/* */`) never yield
//!   words.
//! - A word is folded as PostgreSQL folds identifiers: an unquoted word is
//!   lower-cased, a quoted one (`"Order"`, `""` escapes) is kept as written.
//! - Never panics; text that does not lex either gives `None` ([`tokens`],
//!   [`tokens_with_offsets`]) or stops at the first error ([`words`]).

use sqlparser::ast::Statement;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Span, Token, TokenWithSpan, Tokenizer, Word};

static DIALECT: PostgreSqlDialect = PostgreSqlDialect {};

/// How deeply sqlparser may nest expressions and queries. Its default (50)
/// refused schemas PostgreSQL accepts (a CHECK of 50 nested parentheses);
/// PostgreSQL's own parser accepts thousands. sqlparser grows its stack as
/// it recurses (its `recursive-protection` feature), and parsing stays
/// linear in the depth.
pub(crate) const MAX_NESTING: usize = 1_000;

/// sqlparser's parser over `text` (PostgreSQL dialect, [`MAX_NESTING`]).
pub(crate) fn parser(text: &str) -> Result<Parser<'static>, ParserError> {
    if nested_deeper_than(text, MAX_NESTING) {
        // sqlparser would recurse that deep before giving up the same way
        // (seconds for 16,000 nested ARRAY[ in a debug build).
        return Err(ParserError::RecursionLimitExceeded);
    }
    Parser::new(&DIALECT)
        .with_recursion_limit(MAX_NESTING)
        .try_with_sql(text)
}

/// [`parser`] over `tokens`, which must be what lexing exactly `text`
/// gives, with locations counted from its start (the `.sql` splitter's,
/// re-based to the statement: it lexed the statement already). The same
/// parser as [`parser`]`(text)`, without lexing `text` again.
pub(crate) fn parser_over(
    text: &str,
    tokens: Vec<TokenWithSpan>,
) -> Result<Parser<'static>, ParserError> {
    if nested_deeper_than(text, MAX_NESTING) {
        return Err(ParserError::RecursionLimitExceeded);
    }
    Ok(Parser::new(&DIALECT)
        .with_recursion_limit(MAX_NESTING)
        .with_tokens_with_locations(tokens))
}

/// Whether parentheses or brackets nest more than `limit` deep in `text`.
/// Text with at most `limit` of them is not lexed (the common case costs
/// one byte count).
fn nested_deeper_than(text: &str, limit: usize) -> bool {
    let openers = text
        .bytes()
        .filter(|byte| matches!(byte, b'(' | b'['))
        .count();
    if openers <= limit {
        return false;
    }
    let Some(tokens) = tokens(text) else {
        return false;
    };
    let mut depth = 0usize;
    for token in tokens {
        match token {
            Token::LParen | Token::LBracket => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Every statement of `text`, parsed with [`parser`].
pub(crate) fn parse_statements(text: &str) -> Result<Vec<Statement>, ParserError> {
    parser(text)?.parse_statements()
}

/// The tokens of `text` (whitespace and comments left out) with the byte
/// offset of each inside `text`; `None` when `text` does not tokenize.
pub(crate) fn tokens_with_offsets(text: &str) -> Option<Vec<(Token, usize)>> {
    let located = Tokenizer::new(&DIALECT, text)
        .tokenize_with_location()
        .ok()?;
    let mut offsets = Offsets::new(text);
    Some(
        located
            .into_iter()
            .filter(|token| !is_blank(&token.token))
            .map(|token| {
                let offset = offsets.of(token.span.start.line, token.span.start.column);
                (token.token, offset)
            })
            .collect(),
    )
}

/// A word token as an identifier (its quoting kept).
pub(crate) fn word_ident(word: &sqlparser::tokenizer::Word) -> sqlparser::ast::Ident {
    sqlparser::ast::Ident {
        value: word.value.clone(),
        quote_style: word.quote_style,
        span: sqlparser::tokenizer::Span::empty(),
    }
}

/// Every name of `text` that could be a relation, as written: `name` or
/// `schema.name` (a word, optionally a period and a second word), in
/// order. For the queries the parser cannot read, whose reads are then
/// found by name among the relations a schema declares.
pub(crate) fn dotted_names(text: &str) -> Vec<Vec<sqlparser::ast::Ident>> {
    let Some(toks) = tokens_with_offsets(text) else {
        return Vec::new();
    };
    let word = |idx: usize| match toks.get(idx) {
        Some((Token::Word(word), _)) => Some(word_ident(word)),
        _ => None,
    };
    let mut found = Vec::new();
    let mut idx = 0;
    while idx < toks.len() {
        let Some(first) = word(idx) else {
            idx += 1;
            continue;
        };
        match (&toks.get(idx + 1), word(idx + 2)) {
            (Some((Token::Period, _)), Some(second)) => {
                found.push(vec![first, second]);
                idx += 3;
            }
            _ => {
                found.push(vec![first]);
                idx += 1;
            }
        }
    }
    found
}

/// The tokens of `text`, whitespace and comments included; `None` when
/// `text` does not tokenize.
pub(crate) fn tokens(text: &str) -> Option<Vec<Token>> {
    Tokenizer::new(&DIALECT, text).tokenize().ok()
}

/// Identifier words of `text` in order (keywords included), folded as
/// PostgreSQL folds them; string literals and comments are skipped. Text
/// that stops lexing (an unterminated literal) gives the words before it.
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut located: Vec<TokenWithSpan> = Vec::new();
    // On an error the buffer holds the tokens before it, which is what we
    // want: the rest is inside the unterminated literal.
    let _ = Tokenizer::new(&DIALECT, text).tokenize_with_location_into_buf(&mut located);
    located
        .into_iter()
        .filter_map(|token| match token.token {
            Token::Word(word) => Some(folded(&word)),
            _ => None,
        })
        .collect()
}

/// A word as PostgreSQL stores the identifier: lower case unless quoted.
pub(crate) fn folded(word: &Word) -> String {
    if word.quote_style.is_some() {
        word.value.clone()
    } else {
        word.value.to_lowercase()
    }
}

/// One token of [`lex_range`] with its byte range in the whole text.
pub(crate) struct Lexeme {
    pub token: Token,
    pub start: usize,
    pub end: usize,
    /// sqlparser's location of the token, counted from the start of the
    /// lexed range (what [`parser_over`] needs, once re-based).
    pub span: Span,
}

/// The tokens of `text[start..end]` (whitespace and comments included),
/// with byte ranges in `text`, and whether the range lexed to its end
/// (`false`: the tokens before the first error, such as a literal the
/// range cuts off or that the file never closes).
pub(crate) fn lex_range(text: &str, start: usize, end: usize) -> (Vec<Lexeme>, bool) {
    let mut buffers = LexBuffers::default();
    let complete = buffers.lex(text, start, end);
    (buffers.lexemes, complete)
}

/// The buffers of [`lex_range`], kept from one range to the next by a
/// caller that lexes many (the `.sql` splitter): their memory is reused
/// instead of being allocated, faulted in and freed for each range.
#[derive(Default)]
pub(crate) struct LexBuffers {
    located: Vec<TokenWithSpan>,
    /// The lexemes of the last range lexed.
    pub lexemes: Vec<Lexeme>,
}

impl LexBuffers {
    /// [`lex_range`] into [`LexBuffers::lexemes`] (replacing what was
    /// there); whether the range lexed to its end.
    pub(crate) fn lex(&mut self, text: &str, start: usize, end: usize) -> bool {
        let slice = &text[start..end];
        self.located.clear();
        self.lexemes.clear();
        // About one token (a word or a blank) per four bytes of SQL: most
        // ranges lex without growing the buffer.
        self.located.reserve(slice.len() / 4 + 16);
        let complete = Tokenizer::new(&DIALECT, slice)
            .tokenize_with_location_into_buf(&mut self.located)
            .is_ok();
        let mut offsets = Offsets::new(slice);
        self.lexemes.reserve(self.located.len());
        for token in self.located.drain(..) {
            if token.token == Token::EOF {
                continue;
            }
            let from = offsets.of(token.span.start.line, token.span.start.column);
            let to = offsets.of(token.span.end.line, token.span.end.column);
            self.lexemes.push(Lexeme {
                token: token.token,
                start: start + from,
                end: start + to,
                span: token.span,
            });
        }
        complete
    }
}

/// The tokens of `text` (whitespace and comments included) with byte
/// ranges and the depth of parentheses and brackets before each. Text the
/// lexer stops at (an unterminated literal or comment) yields no tokens:
/// it is inside that literal.
pub(crate) fn nested(text: &str) -> Vec<(Lexeme, usize)> {
    let mut depth = 0usize;
    lex_range(text, 0, text.len())
        .0
        .into_iter()
        .map(|lexeme| {
            let before = depth;
            match lexeme.token {
                Token::LParen | Token::LBracket => depth += 1,
                Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
                _ => {}
            }
            let depth = match lexeme.token {
                Token::RParen | Token::RBracket => depth,
                _ => before,
            };
            (lexeme, depth)
        })
        .collect()
}

/// Splits `text` at commas outside parentheses, brackets, quotes, dollar
/// quotes and comments. Each part comes with its byte offset in `text`,
/// untrimmed, so offsets stay exact.
pub(crate) fn split_top_level(text: &str) -> Vec<(usize, &str)> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (lexeme, depth) in nested(text) {
        if lexeme.token == Token::Comma && depth == 0 {
            parts.push((start, &text[start..lexeme.start]));
            start = lexeme.end;
        }
    }
    parts.push((start, &text[start..]));
    parts
}

/// Whitespace, comments and the end marker.
pub(crate) fn is_blank(token: &Token) -> bool {
    matches!(token, Token::Whitespace(_) | Token::EOF)
}

/// Byte offsets of sqlparser's 1-based (line, character column) locations,
/// asked in increasing order: one pass over the text for all tokens.
struct Offsets<'t> {
    chars: std::iter::Peekable<std::str::CharIndices<'t>>,
    len: usize,
    line: u64,
    col: u64,
}

impl<'t> Offsets<'t> {
    fn new(text: &'t str) -> Offsets<'t> {
        Offsets {
            chars: text.char_indices().peekable(),
            len: text.len(),
            line: 1,
            col: 1,
        }
    }

    /// The offset of the first character at or past (`line`, `col`); the
    /// text's length when there is none.
    fn of(&mut self, line: u64, col: u64) -> usize {
        while let Some(&(idx, ch)) = self.chars.peek() {
            if (self.line == line && self.col >= col) || self.line > line {
                return idx;
            }
            if ch == '\n' {
                self.line += 1;
                self.col = 1;
            } else {
                self.col += 1;
            }
            self.chars.next();
        }
        self.len
    }
}

#[cfg(test)]
mod tests {

    /// PostgreSQL reads a CHECK of 50 nested parentheses; sqlparser's
    /// default limit (50) refused it.
    #[test]
    fn the_parser_reads_nesting_postgresql_reads() {
        for depth in [60, MAX_NESTING / 2] {
            let text = format!("{}x > 0{}", "(".repeat(depth), ")".repeat(depth));
            let mut parser = parser(&text).expect("tokenizes");
            assert!(parser.parse_expr().is_ok(), "depth {depth}");
        }
        let text = format!(
            "{}1{}",
            "(".repeat(MAX_NESTING + 10),
            ")".repeat(MAX_NESTING + 10)
        );
        // Refused before sqlparser recurses into it.
        assert!(matches!(
            parser(&text),
            Err(ParserError::RecursionLimitExceeded)
        ));
    }

    use super::*;

    fn check_words(text: &str, expect: &[&str]) {
        assert_eq!(words(text), expect, "words of {text:?}");
    }

    #[test]
    fn words_fold_unquoted_and_keep_quoted() {
        check_words(
            "Account_ID = lower(\"Name\")",
            &["account_id", "lower", "Name"],
        );
        check_words("\"a\"\"b\" + x$1", &["a\"b", "x$1"]);
        check_words("straße", &["straße"]);
        check_words("app.Orders", &["app", "orders"]);
    }

    #[test]
    fn words_skip_literals() {
        check_words("a = 'b''c d' AND e", &["a", "and", "e"]);
        check_words("x = E'it\\'s y' OR z", &["x", "or", "z"]);
        check_words("f($$ select t $$, $q$ u $q$) + v", &["f", "v"]);
        check_words("$1 + 2.5 + n", &["n"]);
    }

    #[test]
    fn words_skip_comments() {
        check_words("a -- b c\n+ d", &["a", "d"]);
        check_words("a /* b /* nested */ c */ + d", &["a", "d"]);
    }

    #[test]
    fn words_stop_at_an_unterminated_literal() {
        check_words("a + 'b c", &["a"]);
        check_words("", &[]);
    }

    #[test]
    fn tokens_with_offsets_are_byte_offsets() {
        let text = "CREATE -- note\n  TABLE \"é\" (x int);";
        let tokens = tokens_with_offsets(text).expect("lexes");
        let offsets: Vec<(String, usize)> = tokens
            .iter()
            .map(|(token, offset)| (token.to_string(), *offset))
            .collect();
        for (token, offset) in &offsets {
            assert!(
                text[*offset..].starts_with(token.as_str()),
                "{token} at {offset}"
            );
        }
        assert_eq!(offsets[1], ("TABLE".to_string(), 17));
        assert_eq!(offsets.len(), 8);
        assert_eq!(tokens_with_offsets("SELECT 'open"), None);
    }
}
