//! Creating, replacing and dropping rewrite rules.
//!
//! PostgreSQL behaviour relied on
//! (https://www.postgresql.org/docs/current/sql-createrule.html,
//! https://www.postgresql.org/docs/current/explicit-locking.html):
//! `CREATE [OR REPLACE] RULE` and `DROP RULE` take ACCESS EXCLUSIVE on the
//! rule's table (`DefineQueryRewrite`, `RemoveRewriteRuleById`); they only
//! write the catalog, so the lock is held for an instant once granted.
//! Parsing the rule's actions locks the relations they name (ROW
//! EXCLUSIVE on the ones they write, ACCESS SHARE on the ones they read;
//! the step records the stronger of the two for each). A changed rule is
//! replaced by one `CREATE OR REPLACE RULE`: the rule never disappears, so
//! no write escapes it, and its comment stays.
//!
//! Ordering invariant: a rule comes after its table, the relations, columns
//! and functions it names (created in earlier phases); a dropped or
//! replaced rule goes before what its old definition named is dropped.

use super::{dep_keys, Cx};
use crate::graph::deps;
use crate::model::{rule as model_rule, Model, QualifiedName, Rule, RuleFiring};
use crate::plan::order::{Key, Node, Phase};
use crate::plan::{Action, LockMode, Step};

fn uses(model: &Model, table: &QualifiedName, rule: &Rule) -> Vec<Key> {
    dep_keys(deps::rule(model, table, rule))
}

/// Locks of a step that creates, replaces or drops `rule`.
fn with_locks(step: Step, table: &QualifiedName, rule: &Rule) -> Step {
    let mut step = step.on(table, LockMode::AccessExclusive);
    for relation in &rule.depends_on {
        step = step.lock(relation, LockMode::RowExclusive);
    }
    step
}

/// `CREATE RULE`, or `CREATE OR REPLACE RULE` when `current` (the live
/// rule of the same name) is given and its definition differs; then
/// `ALTER TABLE ... ENABLE/DISABLE RULE` in the same transaction when the
/// rule must fire otherwise than it then does (a new rule fires on
/// origin; a replaced one keeps its setting).
pub(super) fn create(
    cx: &Cx<'_>,
    table: &QualifiedName,
    rule: &Rule,
    current: Option<&Rule>,
) -> Vec<Node> {
    let replace = current.is_some();
    let mut steps = Vec::new();
    let definition_changes = current.is_none_or(|current| {
        let mut comparable = current.clone();
        comparable.comment = rule.comment.clone();
        comparable.firing = rule.firing;
        comparable != *rule
    });
    if definition_changes {
        let description = if replace {
            format!("replace the definition of rule {} on {table}", rule.name)
        } else {
            format!("create rule {} on {table}", rule.name)
        };
        steps.push(with_locks(
            cx.step(
                Action::CreateRule {
                    table: table.clone(),
                    name: rule.name.clone(),
                    replace,
                },
                description,
                model_rule::create_rule(table, rule, replace),
            ),
            table,
            rule,
        ));
    }
    let firing_then = current.map_or(RuleFiring::Origin, |current| current.firing);
    if rule.firing != firing_then {
        let step = cx
            .step(
                Action::AlterRule {
                    table: table.clone(),
                    name: rule.name.clone(),
                },
                format!(
                    "set when rule {} on {table} fires ({})",
                    rule.name,
                    rule.firing.as_sql()
                ),
                model_rule::alter_rule_firing(table, rule),
            )
            .on(table, LockMode::AccessExclusive);
        super::push_joining(&mut steps, step);
    }
    if steps.is_empty() {
        return Vec::new();
    }
    let mut node = Node::new(
        Phase::CreateTrigger,
        format!("rule {table}.{}", rule.name),
        steps,
    )
    .provides([Key::Rule(table.clone(), rule.name.clone())])
    .requires([Key::Relation(table.clone())])
    .requires(uses(cx.ctx.desired, table, rule));
    if let Some(current) = current {
        node = node.releases(uses(cx.ctx.current, table, current));
    }
    vec![node]
}

pub(super) fn drop(cx: &Cx<'_>, table: &QualifiedName, rule: &Rule) -> Vec<Node> {
    let step = with_locks(
        cx.step(
            Action::DropRule {
                table: table.clone(),
                name: rule.name.clone(),
            },
            format!("drop rule {} on {table}", rule.name),
            model_rule::drop_rule(table, rule),
        ),
        table,
        rule,
    );
    vec![Node::new(
        Phase::DropTrigger,
        format!("rule {table}.{}", rule.name),
        vec![step],
    )
    .requires([Key::Relation(table.clone())])
    .removes([Key::Rule(table.clone(), rule.name.clone())])
    .releases(uses(cx.ctx.current, table, rule))]
}

#[cfg(test)]
mod tests {
    use crate::model::{parse_rule, Model, QualifiedName};
    use crate::plan::strategy::test_support::{column, model, plan_text, table};

    fn with_rules(rules: &[&str]) -> Model {
        let mut res = model(vec![
            table("t", vec![column("a", "integer")]),
            table("log", vec![column("a", "integer")]),
        ]);
        for text in rules {
            let mut def = parse_rule(text).expect("parses").rule;
            def.depends_on = vec![QualifiedName::public("log")];
            if let Some(t) = res.tables.get_mut(&QualifiedName::public("t")) {
                t.rules.insert(def.name.clone(), def);
            }
        }
        res
    }

    #[test]
    fn create_replace_and_drop() {
        let none = with_rules(&[]);
        let one = with_rules(&[
            "CREATE RULE r AS ON INSERT TO t DO ALSO INSERT INTO log (a) VALUES (new.a)",
        ]);
        let changed = with_rules(&["CREATE RULE r AS ON INSERT TO t WHERE new.a > 0 DO INSTEAD (INSERT INTO log (a) VALUES (new.a); NOTIFY t)"]);
        insta::assert_snapshot!(plan_text(&none, &one), @"tx CREATE RULE r AS ON INSERT TO public.t DO ALSO INSERT INTO log (a) VALUES (new.a)");
        insta::assert_snapshot!(plan_text(&one, &changed), @"tx CREATE OR REPLACE RULE r AS ON INSERT TO public.t WHERE new.a > 0 DO INSTEAD (INSERT INTO log (a) VALUES (new.a); NOTIFY t)");
        insta::assert_snapshot!(plan_text(&one, &none), @"tx DROP RULE r ON public.t");
        insta::assert_snapshot!(plan_text(&one, &one), @"");
        let mut disabled = one.clone();
        if let Some(t) = disabled.tables.get_mut(&QualifiedName::public("t")) {
            for rule in t.rules.values_mut() {
                rule.firing = crate::model::RuleFiring::Disabled;
            }
        }
        insta::assert_snapshot!(plan_text(&none, &disabled), @"
        tx CREATE RULE r AS ON INSERT TO public.t DO ALSO INSERT INTO log (a) VALUES (new.a)
        +tx ALTER TABLE public.t DISABLE RULE r
        ");
        insta::assert_snapshot!(plan_text(&one, &disabled), @"tx ALTER TABLE public.t DISABLE RULE r");
        insta::assert_snapshot!(plan_text(&disabled, &changed), @"
        tx CREATE OR REPLACE RULE r AS ON INSERT TO public.t WHERE new.a > 0 DO INSTEAD (INSERT INTO log (a) VALUES (new.a); NOTIFY t)
        +tx ALTER TABLE public.t ENABLE RULE r
        ");
    }
}
