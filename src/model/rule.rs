//! Rewrite rules (`CREATE RULE`), kept on their table.
//!
//! A rule is read from its statement, as written or as `pg_get_ruledef`
//! (and so `pg_dump`) prints it, by one reader ([`parse_rule`]) for both
//! the `.sql` frontend and the introspector, so the catalog's text of a
//! rule reads back equal to itself.
//!
//! Invariants: the condition and every action are [`SqlExpr`]s whose
//! canonical form is the offline normaliser's (a statement sqlparser
//! cannot read is compared on its whitespace-collapsed text); what the
//! offline form cannot prove equal is decided catalog against catalog in
//! the shadow database. `depends_on` (the relations the rule names besides
//! its table) only orders steps and never takes part in equality, like
//! `meta`. A view's `_RETURN` rule is the view itself and never a `Rule`.

use super::{normalize, Ident, Meta, QualifiedName, SqlExpr};
use crate::sql_lex;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Word};

#[derive(Debug, Clone, Eq)]
pub struct Rule {
    pub name: Ident,
    pub event: RuleEvent,
    /// `DO INSTEAD` (otherwise `DO ALSO`, the default).
    pub instead: bool,
    /// `WHERE condition`.
    pub condition: Option<SqlExpr>,
    /// The commands, in order; empty for `NOTHING`.
    pub actions: Vec<SqlExpr>,
    /// `ALTER TABLE ... {ENABLE [REPLICA | ALWAYS] | DISABLE} RULE`.
    pub firing: RuleFiring,
    /// Relations the condition and actions name besides the rule's table
    /// (schema-qualified, sorted); ordering only, not part of equality.
    pub depends_on: Vec<QualifiedName>,
    pub comment: Option<String>,
    pub meta: Meta,
}

impl PartialEq for Rule {
    fn eq(&self, other: &Rule) -> bool {
        let Rule {
            name,
            event,
            instead,
            condition,
            actions,
            firing,
            depends_on: _,
            comment,
            meta: _,
        } = self;
        *name == other.name
            && *event == other.event
            && *instead == other.instead
            && *condition == other.condition
            && *actions == other.actions
            && *firing == other.firing
            && *comment == other.comment
    }
}

/// When a rule fires (`pg_rewrite.ev_enabled`, set by `ALTER TABLE ...
/// ENABLE/DISABLE RULE`; a new rule fires on origin, and `CREATE OR
/// REPLACE RULE` keeps the setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RuleFiring {
    /// `ENABLE RULE` (the default, `O`).
    #[default]
    Origin,
    /// `ENABLE REPLICA RULE` (`R`).
    Replica,
    /// `ENABLE ALWAYS RULE` (`A`).
    Always,
    /// `DISABLE RULE` (`D`).
    Disabled,
}

impl RuleFiring {
    /// The `ev_enabled` letter.
    pub fn from_catalog(letter: &str) -> Option<RuleFiring> {
        match letter {
            "O" => Some(RuleFiring::Origin),
            "R" => Some(RuleFiring::Replica),
            "A" => Some(RuleFiring::Always),
            "D" => Some(RuleFiring::Disabled),
            _ => None,
        }
    }

    /// The `ALTER TABLE` words that set it.
    pub fn as_sql(self) -> &'static str {
        match self {
            RuleFiring::Origin => "ENABLE",
            RuleFiring::Replica => "ENABLE REPLICA",
            RuleFiring::Always => "ENABLE ALWAYS",
            RuleFiring::Disabled => "DISABLE",
        }
    }
}

/// `ALTER TABLE table {ENABLE [REPLICA | ALWAYS] | DISABLE} RULE name`.
pub fn alter_rule_firing(table: &QualifiedName, rule: &Rule) -> String {
    format!(
        "ALTER TABLE {table} {} RULE {}",
        rule.firing.as_sql(),
        rule.name
    )
}

/// The event a rule fires on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RuleEvent {
    Select,
    Insert,
    Update,
    Delete,
}

impl RuleEvent {
    pub fn as_sql(self) -> &'static str {
        match self {
            RuleEvent::Select => "SELECT",
            RuleEvent::Insert => "INSERT",
            RuleEvent::Update => "UPDATE",
            RuleEvent::Delete => "DELETE",
        }
    }

    /// `select`, `insert`, `update` or `delete` (case-insensitive).
    pub fn from_word(word: &str) -> Option<RuleEvent> {
        match word.to_ascii_lowercase().as_str() {
            "select" => Some(RuleEvent::Select),
            "insert" => Some(RuleEvent::Insert),
            "update" => Some(RuleEvent::Update),
            "delete" => Some(RuleEvent::Delete),
            _ => None,
        }
    }
}

/// A `CREATE RULE` statement read: the table it is on (as written:
/// qualified only if the text qualifies it), whether it said `OR
/// REPLACE`, and the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDef {
    /// The table's name parts as written (one or two).
    pub table: Vec<Ident>,
    pub or_replace: bool,
    pub rule: Rule,
}

/// Reads `CREATE [OR REPLACE] RULE name AS ON event TO table [WHERE
/// condition] DO [ALSO | INSTEAD] {NOTHING | command | (command; ...)}`,
/// as written or as `pg_get_ruledef` prints it.
pub fn parse_rule(text: &str) -> Result<RuleDef, String> {
    let text = text.trim().trim_end_matches(';').trim_end();
    let toks = sql_lex::tokens_with_offsets(text).ok_or("the statement does not tokenize")?;
    // The `DO` keyword at depth 0 ends the head (`DO` is reserved, so it
    // cannot be a name in the condition).
    let mut depth = 0usize;
    let mut do_at = None;
    for (idx, (token, _)) in toks.iter().enumerate() {
        match token {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            token if depth == 0 && is_keyword(token, Keyword::DO) => {
                do_at = Some(idx);
                break;
            }
            _ => {}
        }
    }
    let do_at = do_at.ok_or("expected DO")?;
    let head = &text[..toks[do_at].1];
    let (or_replace, name, event, table, condition) =
        read_head(head).map_err(|error| error.to_string())?;
    let mut rest = do_at + 1;
    let mut instead = false;
    match toks.get(rest).map(|(token, _)| token) {
        Some(token) if is_keyword(token, Keyword::INSTEAD) => {
            instead = true;
            rest += 1;
        }
        Some(Token::Word(word)) if word.quote_style.is_none() && word_is(word, "also") => {
            rest += 1;
        }
        _ => {}
    }
    let Some((first, start)) = toks.get(rest) else {
        return Err("expected NOTHING or a command after DO".to_string());
    };
    let actions = if is_keyword(first, Keyword::NOTHING) {
        if rest + 1 != toks.len() {
            return Err("unexpected text after NOTHING".to_string());
        }
        Vec::new()
    } else if *first == Token::LParen && closes_at_end(&toks[rest..]) {
        let last = toks.last().map(|(_, offset)| *offset).unwrap_or(text.len());
        split_commands(&text[start + 1..last])
    } else {
        split_commands(&text[*start..])
    };
    if actions.is_empty() && !is_keyword(first, Keyword::NOTHING) {
        return Err("expected NOTHING or a command after DO".to_string());
    }
    Ok(RuleDef {
        table,
        or_replace,
        rule: Rule {
            name,
            event,
            instead,
            condition,
            actions,
            firing: RuleFiring::Origin,
            depends_on: Vec::new(),
            comment: None,
            meta: Meta::default(),
        },
    })
}

/// The parts of the head, in order.
type Head = (bool, Ident, RuleEvent, Vec<Ident>, Option<SqlExpr>);

fn read_head(head: &str) -> Result<Head, sqlparser::parser::ParserError> {
    let mut p = sql_lex::parser(head)?;
    p.expect_keyword(Keyword::CREATE)?;
    let or_replace = p.parse_keywords(&[Keyword::OR, Keyword::REPLACE]);
    p.expect_keyword(Keyword::RULE)?;
    let name = ident(&p.parse_identifier()?);
    p.expect_keywords(&[Keyword::AS, Keyword::ON])?;
    let token = p.next_token();
    let event = match &token.token {
        Token::Word(word) => RuleEvent::from_word(&word.value),
        _ => None,
    };
    let Some(event) = event else {
        return p.expected("SELECT, INSERT, UPDATE or DELETE", token);
    };
    p.expect_keyword(Keyword::TO)?;
    let table: Vec<Ident> = p
        .parse_object_name(false)?
        .0
        .iter()
        .filter_map(|part| part.as_ident().map(ident))
        .collect();
    let condition = if p.parse_keyword(Keyword::WHERE) {
        let mut condition = p.parse_expr()?;
        // pg_get_ruledef parenthesises the condition.
        while let sqlparser::ast::Expr::Nested(inner) = condition {
            condition = *inner;
        }
        Some(normalize::expr_from_ast(&condition))
    } else {
        None
    };
    if p.peek_token().token != Token::EOF {
        return p.expected("DO", p.peek_token());
    }
    Ok((or_replace, name, event, table, condition))
}

/// Whether the parenthesis opening `toks` closes at its last token.
fn closes_at_end(toks: &[(Token, usize)]) -> bool {
    let mut depth = 0usize;
    for (idx, (token, _)) in toks.iter().enumerate() {
        match token {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return idx + 1 == toks.len();
                }
            }
            _ => {}
        }
    }
    false
}

/// The commands of `text`, split at `;` outside parentheses, strings and
/// comments; empty pieces (pg_get_ruledef ends each command with `;`) are
/// left out.
fn split_commands(text: &str) -> Vec<SqlExpr> {
    let Some(toks) = sql_lex::tokens_with_offsets(text) else {
        return vec![normalize::statement(text)];
    };
    let mut res = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    for (token, offset) in &toks {
        match token {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            Token::SemiColon if depth == 0 => {
                push_command(&mut res, &text[start..*offset]);
                start = offset + 1;
            }
            _ => {}
        }
    }
    push_command(&mut res, &text[start..]);
    res
}

fn push_command(out: &mut Vec<SqlExpr>, text: &str) {
    if !text.trim().is_empty() {
        out.push(normalize::statement(text));
    }
}

/// The commands of a rule's action text: `NOTHING` (none), one command,
/// or a parenthesised list of commands separated by `;`.
pub fn parse_actions(text: &str) -> Vec<SqlExpr> {
    let trimmed = text.trim().trim_end_matches(';').trim_end();
    if trimmed.eq_ignore_ascii_case("nothing") {
        return Vec::new();
    }
    match sql_lex::tokens_with_offsets(trimmed) {
        Some(toks)
            if toks.first().map(|(token, _)| token) == Some(&Token::LParen)
                && closes_at_end(&toks) =>
        {
            let last = toks
                .last()
                .map(|(_, offset)| *offset)
                .unwrap_or(trimmed.len());
            split_commands(&trimmed[1..last])
        }
        _ => split_commands(trimmed),
    }
}

/// Brings the canonical form of each action to the catalog's naming:
/// every relation it names schema-qualified through `resolve` (given the
/// folded name parts as written), as `pg_get_ruledef` prints them under
/// the introspector's empty search_path. The text that runs (`sql`) is
/// kept as written.
pub fn qualify_actions(rule: &mut Rule, resolve: impl Fn(&[Ident]) -> QualifiedName) {
    use std::ops::ControlFlow;
    for action in &mut rule.actions {
        let Ok(mut statements) = sql_lex::parse_statements(&action.sql) else {
            continue;
        };
        if statements.len() != 1 {
            continue;
        }
        let _ = sqlparser::ast::visit_relations_mut(&mut statements[0], |name| {
            let parts: Vec<Ident> = name
                .0
                .iter()
                .filter_map(|part| part.as_ident().map(ident))
                .collect();
            if parts.len() == name.0.len() && parts.len() == 1 {
                let qualified = resolve(&parts);
                *name = sqlparser::ast::ObjectName::from(vec![
                    sqlparser::ast::Ident::with_quote('"', qualified.schema.as_str()),
                    sqlparser::ast::Ident::with_quote('"', qualified.name.as_str()),
                ]);
            }
            ControlFlow::<()>::Continue(())
        });
        action.canonical = normalize::statement(&statements[0].to_string()).canonical;
    }
}

/// The name parts (folded) of every relation the rule's condition and
/// actions name, in order of appearance, for the frontends to resolve.
pub fn relation_names(rule: &Rule) -> Vec<Vec<Ident>> {
    use std::ops::ControlFlow;
    let mut found = Vec::new();
    let mut take = |name: &sqlparser::ast::ObjectName| {
        found.push(
            name.0
                .iter()
                .filter_map(|part| part.as_ident().map(ident))
                .collect(),
        );
        ControlFlow::<()>::Continue(())
    };
    for action in &rule.actions {
        if let Ok(statements) = sql_lex::parse_statements(&action.sql) {
            for statement in &statements {
                let _ = sqlparser::ast::visit_relations(statement, &mut take);
            }
        }
    }
    if let Some(condition) = &rule.condition {
        if let Ok(expr) = normalize::parse(&condition.sql) {
            let _ = sqlparser::ast::visit_relations(&expr, &mut take);
        }
    }
    found
}

/// `CREATE RULE name AS ON event TO table [WHERE condition] DO [INSTEAD]
/// {NOTHING | command | (command; ...)}`; `or_replace` for a changed rule.
pub fn create_rule(table: &QualifiedName, rule: &Rule, or_replace: bool) -> String {
    let mut sql = format!(
        "CREATE {}RULE {} AS ON {} TO {table}",
        if or_replace { "OR REPLACE " } else { "" },
        rule.name,
        rule.event.as_sql()
    );
    if let Some(condition) = &rule.condition {
        sql.push_str(&format!(" WHERE {condition}"));
    }
    sql.push_str(if rule.instead {
        " DO INSTEAD "
    } else {
        " DO ALSO "
    });
    sql.push_str(&actions_sql(rule));
    sql
}

/// `NOTHING`, the one command, or `(command; command)`.
pub fn actions_sql(rule: &Rule) -> String {
    match rule.actions.as_slice() {
        [] => "NOTHING".to_string(),
        [one] => one.sql.clone(),
        many => format!(
            "({})",
            many.iter()
                .map(|action| action.sql.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

/// `DROP RULE name ON table`.
pub fn drop_rule(table: &QualifiedName, rule: &Rule) -> String {
    format!("DROP RULE {} ON {table}", rule.name)
}

fn is_keyword(token: &Token, keyword: Keyword) -> bool {
    matches!(token, Token::Word(Word { keyword: k, quote_style: None, .. }) if *k == keyword)
}

fn word_is(word: &Word, text: &str) -> bool {
    word.value.eq_ignore_ascii_case(text)
}

fn ident(id: &sqlparser::ast::Ident) -> Ident {
    if id.quote_style.is_some() {
        Ident::new(id.value.clone())
    } else {
        Ident::folded(&id.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> RuleDef {
        match parse_rule(text) {
            Ok(def) => def,
            Err(error) => panic!("{text}: {error}"),
        }
    }

    #[test]
    fn written_and_catalog_forms_read_alike() {
        let written = rule(
            "CREATE OR REPLACE RULE Keep AS ON INSERT TO app.t WHERE NEW.a > 0 \
             DO INSTEAD INSERT INTO app.t2 (a) VALUES (NEW.a);",
        );
        assert!(written.or_replace);
        assert_eq!(written.table, [Ident::new("app"), Ident::new("t")]);
        assert_eq!(written.rule.name, Ident::new("keep"));
        assert_eq!(written.rule.event, RuleEvent::Insert);
        assert!(written.rule.instead);
        let catalog = rule(
            "CREATE RULE keep AS\n    ON INSERT TO app.t\n   WHERE (new.a > 0) DO INSTEAD  INSERT INTO app.t2 (a)\n  VALUES (new.a);",
        );
        assert!(!catalog.or_replace);
        assert_eq!(written.rule, catalog.rule);
        // A different action is a different rule.
        let other = rule(
            "CREATE RULE keep AS ON INSERT TO app.t WHERE new.a > 0 DO INSTEAD INSERT INTO app.t2 (a) VALUES (new.a + 1)",
        );
        assert_ne!(written.rule, other.rule);
    }

    #[test]
    fn nothing_one_command_and_lists() {
        let nothing = rule("CREATE RULE r AS ON DELETE TO t DO INSTEAD NOTHING");
        assert!(nothing.rule.actions.is_empty());
        assert_eq!(
            create_rule(&QualifiedName::public("t"), &nothing.rule, false),
            "CREATE RULE r AS ON DELETE TO public.t DO INSTEAD NOTHING"
        );
        // pg_get_ruledef's list: each command ends with `;`.
        let list = rule(
            "CREATE RULE r AS\n    ON UPDATE TO public.t DO ( INSERT INTO public.log (x)\n  VALUES (old.a);\n NOTIFY t_changed;\n);",
        );
        assert!(!list.rule.instead);
        assert_eq!(list.rule.actions.len(), 2);
        assert_eq!(
            create_rule(&QualifiedName::public("t"), &list.rule, true),
            "CREATE OR REPLACE RULE r AS ON UPDATE TO public.t DO ALSO (INSERT INTO public.log (x)\n  VALUES (old.a); NOTIFY t_changed)"
        );
        let written = rule(
            "create rule r as on update to t do also (insert into log (x) values (OLD.a); notify t_changed)",
        );
        assert_eq!(written.rule.actions.len(), 2);
        // A semicolon inside a string does not split a command.
        let quoted = rule("CREATE RULE r AS ON INSERT TO t DO NOTIFY t, 'a;b'");
        assert_eq!(quoted.rule.actions.len(), 1);
        // Printed and read again: the same rule.
        let printed = create_rule(&QualifiedName::public("t"), &list.rule, false);
        assert_eq!(rule(&printed).rule, list.rule);
    }

    #[test]
    fn qualified_actions_read_as_the_catalog_prints_them() {
        let mut written =
            rule("CREATE RULE r AS ON INSERT TO t DO INSERT INTO log (a) VALUES (NEW.a)").rule;
        let catalog = rule(
            "CREATE RULE r AS\n    ON INSERT TO public.t DO  INSERT INTO public.log (a)\n  VALUES (new.a);",
        )
        .rule;
        assert_ne!(written, catalog);
        qualify_actions(&mut written, |parts| {
            QualifiedName::public(parts[0].as_str().to_string())
        });
        assert_eq!(written, catalog);
        // What runs is still what the file says.
        assert_eq!(written.actions[0].sql, "INSERT INTO log (a) VALUES (NEW.a)");
    }

    #[test]
    fn malformed_rules_are_errors() {
        for text in [
            "CREATE RULE r AS ON TRUNCATE TO t DO NOTHING",
            "CREATE RULE r AS ON INSERT TO t",
            "CREATE RULE r AS ON INSERT TO t DO",
            "CREATE RULE r AS ON INSERT TO t DO NOTHING extra",
            "CREATE RULE r ON INSERT TO t DO NOTHING",
        ] {
            assert!(parse_rule(text).is_err(), "{text}");
        }
    }
}
