//! unused-suppression: a `schemac:allow` comment that silenced nothing.
use crate::diagnostics::Severity;
use crate::lint::{Check, Family, Group, Rule};

pub static RULE: Rule = Rule {
    id: "unused-suppression",
    family: Family::Schema,
    group: Group::Meta,
    default_severity: Severity::Warning,
    summary: "suppression comment silences nothing",
    docs: "### What it does\nReports `schemac:allow <rule-id>` comments that did not silence any finding, including comments naming a rule that does not exist.\n### Why is this bad?\nStale suppressions hide future findings of the same rule on that object and mislead readers about what is special there.\n### Safe alternative\nRemove the comment, or move it right above the object the finding points at.\n### Example\n```\n// schemac:allow table-without-primary-key append-only log, keyed by the queue\ntable raw_events { ... }\n```",
    check: Check::Engine,
};
