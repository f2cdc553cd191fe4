//! The list of rules: one sorted slice that `schemac rules`, the README's
//! rule table and the tests read.

use super::rules::*;
use super::Rule;

/// Every rule, sorted by id.
pub static RULES: &[&Rule] = &[
    &add_column_volatile_default::RULE,
    &add_required_column::RULE,
    &char_type::RULE,
    &column_type_rewrite::RULE,
    &constraint_without_not_valid::RULE,
    &default_partition_range::RULE,
    &distribute_without_concurrently::RULE,
    &distributed_fk_not_colocated::RULE,
    &distribution_column_not_in_unique::RULE,
    &drop_column::RULE,
    &drop_index_backing_constraint::RULE,
    &drop_index_without_concurrently::RULE,
    &drop_partition_with_data::RULE,
    &drop_table::RULE,
    &duplicate_index::RULE,
    &enum_value_removal::RULE,
    &fk_on_partitioned_table::RULE,
    &fk_without_index::RULE,
    &identifier_too_long::RULE,
    &index_without_concurrently::RULE,
    &integer_primary_key::RULE,
    &json_type::RULE,
    &long_lock_large_table::RULE,
    &mixed_case_identifier::RULE,
    &money_type::RULE,
    &partition_key_not_in_unique::RULE,
    &partition_range_gap::RULE,
    &permissive_policies_only::RULE,
    &policy_drop_create_split::RULE,
    &policy_unknown_reference::RULE,
    &policy_without_rls::RULE,
    &redundant_index::RULE,
    &reference_table_fk_to_distributed::RULE,
    &rename_without_hint::RULE,
    &renamed_object_in_use::RULE,
    &reserved_word_identifier::RULE,
    &retype_column_used_by_view::RULE,
    &rls_enabled_before_policies::RULE,
    &rls_not_forced::RULE,
    &rls_without_policy::RULE,
    &serial_column::RULE,
    &set_not_null_without_check::RULE,
    &table_without_primary_key::RULE,
    &timestamp_without_time_zone::RULE,
    &trigger_on_distributed_table::RULE,
    &unique_without_index::RULE,
    &unused_suppression::RULE,
    &varchar_length::RULE,
];

pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|rule| rule.id == id)
}

/// The README's rule table, generated from [`RULES`].
pub fn markdown_table() -> String {
    let mut out =
        String::from("| rule | family | group | default | summary |\n|---|---|---|---|---|\n");
    for rule in RULES {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            rule.id,
            rule.family.as_str(),
            rule.group.as_str(),
            rule.default_severity,
            rule.summary
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn ids_are_sorted_unique_kebab_case() {
        for pair in RULES.windows(2) {
            assert!(
                pair[0].id < pair[1].id,
                "RULES must be sorted by id without duplicates: {} before {}",
                pair[0].id,
                pair[1].id
            );
        }
        for rule in RULES {
            assert!(
                rule.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "rule id {} is not kebab-case",
                rule.id
            );
        }
    }

    #[test]
    fn every_rule_file_is_registered() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lint/rules");
        let entries = std::fs::read_dir(&dir).expect("invariant: src/lint/rules exists");
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            let Some(stem) = name.strip_suffix(".rs") else {
                continue;
            };
            if stem == "mod" {
                continue;
            }
            let id = stem.replace('_', "-");
            assert!(
                find(&id).is_some(),
                "src/lint/rules/{name} is not registered: add `&{stem}::RULE` to RULES in src/lint/registry.rs (sorted)"
            );
        }
    }

    #[test]
    fn docs_have_the_four_sections_in_order() {
        let sections = [
            "### What it does",
            "### Why is this bad?",
            "### Safe alternative",
            "### Example",
        ];
        for rule in RULES {
            let mut from = 0;
            for section in sections {
                let found = rule.docs[from..].find(section);
                assert!(
                    found.is_some(),
                    "rule {}: docs lack `{section}` (or it is out of order)",
                    rule.id
                );
                from += found.unwrap_or_default() + section.len();
            }
        }
    }

    #[test]
    fn every_rule_has_fixtures() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint");
        for rule in RULES {
            let dir = root.join(rule.id);
            for case in ["bad", "good"] {
                let schema = dir.join(format!("{case}.schema"));
                let sql = dir.join(format!("{case}.sql"));
                let migration = dir.join(case);
                assert!(
                    schema.exists() || sql.exists() || migration.is_dir(),
                    "rule {} has no `{case}` fixture: add tests/lint/{}/{case}.schema (schema rules) or tests/lint/{}/{case}/{{from,to}}.schema (migration rules)",
                    rule.id,
                    rule.id,
                    rule.id
                );
            }
        }
    }

    #[test]
    fn readme_rule_table_is_current() {
        let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
        let text = std::fs::read_to_string(readme).unwrap_or_default();
        assert!(
            text.contains(&markdown_table()),
            "README.md's rule table is out of date: replace it with the output of `schemac rules --markdown`"
        );
    }
}
