//! trigger-on-distributed-table: a trigger on a Citus distributed or reference table.
use crate::diagnostics::Severity;
use crate::lint::{span, Check, Family, Finding, Group, Rule, SchemaCtx};
use crate::model::Distribution;

pub static RULE: Rule = Rule {
    id: "trigger-on-distributed-table",
    family: Family::Schema,
    group: Group::Sharding,
    default_severity: Severity::Error,
    summary: "trigger on a distributed or reference table",
    docs: "### What it does\nFlags triggers (row, statement, TRUNCATE and constraint triggers) on a hash-distributed or reference table.\n### Why is this bad?\nCitus refuses them by default: `CREATE TRIGGER` on a distributed table fails with `triggers are not supported on distributed tables` (or `... on reference tables`), and distributing a table that has one fails with `cannot distribute relation ... because it has triggers`. With `citus.enable_unsafe_triggers = on` Citus accepts them: row triggers are created on every shard and run on the workers, so a trigger that writes to another distributed table can see other rows than on one server or deadlock; a TRUNCATE trigger runs on the coordinator only.\n### Safe alternative\nMove the logic into the application or a column default; or, when the triggers only touch the row itself (an `updated_at` stamp) or are otherwise understood on shards, turn on `citus.enable_unsafe_triggers` on the coordinator (`ALTER DATABASE app SET citus.enable_unsafe_triggers = on`, or `ALTER ROLE`/`ALTER SYSTEM`; schemac's shadow database follows the target's setting) and suppress this finding with the reason.\n### Example\n```\ntable audit_log {\n  account_id uuid not null\n  shard by hash (account_id)\n  trigger audit_log_no_truncate before truncate for each statement execute forbid_truncate()\n}\n```",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, out: &mut Vec<Finding>) {
    for table in ctx.base_tables() {
        let kind = match table.distribution {
            Some(Distribution::Hash { .. }) => "distributed table",
            Some(Distribution::Reference) => "reference table",
            None => continue,
        };
        for trigger in table.triggers.values() {
            out.push(
                Finding::new(
                    &RULE,
                    span(&trigger.meta),
                    format!("trigger {} on {kind} {}", trigger.name, table.name),
                )
                .label("Citus refuses triggers here unless citus.enable_unsafe_triggers is on")
                .secondary(table.meta.span, kind)
                .help("move the logic out of the trigger, or turn on citus.enable_unsafe_triggers on the coordinator and suppress this finding with the reason"),
            );
        }
    }
}
