//! The machine-read diagnostics formats checked against what their consumers
//! accept: SARIF against the official OASIS 2.1.0 schema (vendored,
//! unmodified, in tests/data/sarif-schema-2.1.0.json) plus the rules GitHub
//! code scanning adds on top of it, and GitLab Code Quality against the keys
//! GitLab documents as required.

use schemac::diagnostics::Diagnostic;
use schemac::render::diagnostics::{gitlab, sarif};
use schemac::source::{FileId, Language, SourceSet, Span};
use serde_json::Value;

const SCHEMA_TEXT: &str = include_str!("data/sarif-schema-2.1.0.json");

const ORDERS: &str = "table café_orders {\n  id bigint primary key\n  account_id uuid references acounts\n  amount money\n}\n";
const MIGRATION: &str = "-- naïve migration\nCREATE INDEX orders_amount_idx ON orders (amount);\n";

fn sources() -> SourceSet {
    let mut sources = SourceSet::default();
    sources.add(
        "db/orders and more.schema".into(),
        ORDERS.to_string(),
        Language::Schema,
    );
    sources.add(
        "./db/migrations/001.sql".into(),
        MIGRATION.to_string(),
        Language::Sql,
    );
    sources
}

fn span(file: u32, text: &str, needle: &str) -> Span {
    let start = text.find(needle).expect("invariant: needle in sample");
    Span::new(FileId(file), start, start + needle.len())
}

/// Several severities, secondary labels (one in another file), a help, a
/// plan step, codes that are lint rules and codes that are not.
fn diagnostics() -> Vec<Diagnostic> {
    let mut index_finding = Diagnostic::error(
        "index-without-concurrently",
        span(1, MIGRATION, "CREATE INDEX orders_amount_idx"),
        "index orders_amount_idx is built without CONCURRENTLY",
    )
    .with_secondary(span(0, ORDERS, "amount money"), "column declared here")
    .with_help("schemac plans CREATE INDEX CONCURRENTLY outside a transaction");
    index_finding.step = Some(3);
    vec![
        Diagnostic::error(
            "unknown-reference",
            span(0, ORDERS, "acounts"),
            "foreign key of public.café_orders references unknown table public.acounts",
        )
        .with_label("no such table")
        .with_secondary(span(0, ORDERS, "café_orders"), "in this table")
        .with_help("did you mean accounts?"),
        Diagnostic::warning(
            "fk-without-index",
            span(0, ORDERS, "account_id uuid"),
            "foreign key columns (account_id) of public.café_orders lead no index",
        ),
        Diagnostic::info(
            "money-type",
            span(0, ORDERS, "money"),
            "column public.café_orders.amount uses money",
        ),
        Diagnostic::error(
            "syntax-error",
            Span::new(FileId(0), ORDERS.len() - 2, ORDERS.len()),
            "expected a column or `}`",
        ),
        index_finding,
    ]
}

fn render_sarif() -> Value {
    let mut out = Vec::new();
    sarif::render_sarif(
        &diagnostics(),
        &sources(),
        &sarif::RuleInfo::registry(),
        &mut out,
    )
    .expect("writing to a Vec cannot fail");
    serde_json::from_slice(&out).expect("SARIF output is JSON")
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(SCHEMA_TEXT).expect("vendored schema is JSON");
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles as draft-04")
}

fn schema_errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect()
}

#[test]
fn vendored_schema_is_the_unmodified_oasis_file() {
    assert_eq!(SCHEMA_TEXT.chars().count(), 112_768);
    let schema: Value = serde_json::from_str(SCHEMA_TEXT).expect("JSON");
    assert_eq!(
        schema["id"],
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    );
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-04/schema#");
}

#[test]
fn sarif_output_validates_against_the_official_schema() {
    let log = render_sarif();
    let errors = schema_errors(&validator(), &log);
    assert!(
        errors.is_empty(),
        "SARIF output violates the schema:\n{}",
        errors.join("\n")
    );
    assert_eq!(log["$schema"], sarif::SCHEMA_URI);
}

/// A named change that breaks a SARIF log.
type Mutation = (&'static str, fn(&mut Value));

#[test]
fn the_validator_rejects_broken_sarif() {
    // Proves the check above can fail: each mutation breaks one schema rule.
    let validator = validator();
    let mutations: [Mutation; 5] = [
        ("startLine 0", |log| {
            log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
                ["startLine"] = 0.into();
        }),
        ("unknown level", |log| {
            log["runs"][0]["results"][0]["level"] = "fatal".into();
        }),
        ("unknown property", |log| {
            log["runs"][0]["results"][0]["line"] = 3.into();
        }),
        ("no version", |log| {
            log.as_object_mut().expect("object").remove("version");
        }),
        ("a relative $schema (format: uri)", |log| {
            log["$schema"] = "sarif-schema.json".into();
        }),
    ];
    for (name, mutate) in mutations {
        let mut log = render_sarif();
        mutate(&mut log);
        assert!(
            !schema_errors(&validator, &log).is_empty(),
            "the schema accepted a log with {name}"
        );
    }
}

#[test]
fn sarif_output_meets_github_code_scanning_requirements() {
    let log = render_sarif();
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "schemac");
    let rules = driver["rules"].as_array().expect("rules array");
    let results = run["results"].as_array().expect("results array");
    assert_eq!(results.len(), diagnostics().len());
    for result in results {
        let rule_id = result["ruleId"].as_str().expect("ruleId present");
        let rule_index = result["ruleIndex"].as_u64().expect("ruleIndex present") as usize;
        assert_eq!(
            rules[rule_index]["id"], rule_id,
            "ruleIndex points at ruleId"
        );
        assert!(!result["message"]["text"]
            .as_str()
            .expect("message.text")
            .is_empty());
        assert!(result["partialFingerprints"]
            .as_object()
            .is_some_and(|map| !map.is_empty()));
        let locations = result["locations"].as_array().expect("locations");
        assert_eq!(
            locations.len(),
            1,
            "{rule_id}: exactly one primary location"
        );
        let related = result["relatedLocations"]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        for location in locations.iter().chain(related) {
            let physical = &location["physicalLocation"];
            let uri = physical["artifactLocation"]["uri"].as_str().expect("uri");
            assert!(
                !uri.contains("://") && !uri.starts_with('/') && !uri.starts_with("./"),
                "uri {uri} is not relative"
            );
            assert!(!uri.contains(' ') && !uri.contains('\\'), "uri {uri}");
            assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            let region = &physical["region"];
            for key in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(region[key].as_u64().is_some_and(|n| n >= 1), "{key} >= 1");
            }
        }
    }
    // Every registered rule is listed, and non-rule codes got an entry too.
    let ids: Vec<&str> = rules
        .iter()
        .filter_map(|rule| rule["id"].as_str())
        .collect();
    for code in [
        "index-without-concurrently",
        "fk-without-index",
        "money-type",
        "unknown-reference",
        "syntax-error",
    ] {
        assert!(ids.contains(&code), "rule entry for {code}");
    }
}

#[test]
fn sarif_positions_are_one_based_characters() {
    let log = render_sarif();
    let result = &log["runs"][0]["results"][0];
    let region = &result["locations"][0]["physicalLocation"]["region"];
    // Line 3 is "  account_id uuid references acounts": 1-based column 30.
    assert_eq!(region["startLine"], 3);
    assert_eq!(region["startColumn"], 30);
    assert_eq!(region["endColumn"], 37);
    // "café_orders" starts after "table " on line 1 and has 11 characters
    // (12 bytes): the end column counts characters.
    let related = &result["relatedLocations"][0]["physicalLocation"]["region"];
    assert_eq!(related["startColumn"], 7);
    assert_eq!(related["endColumn"], 18);
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "db/orders%20and%20more.schema"
    );
    let migration = &log["runs"][0]["results"][4];
    assert_eq!(
        migration["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "db/migrations/001.sql"
    );
    assert_eq!(migration["properties"]["planStep"], 3);
}

#[test]
fn gitlab_output_is_an_array_of_complete_issues() {
    let mut out = Vec::new();
    gitlab::render(&diagnostics(), &sources(), &mut out).expect("writing to a Vec cannot fail");
    let report: Value = serde_json::from_slice(&out).expect("GitLab output is JSON");
    let issues = report.as_array().expect("a JSON array");
    assert_eq!(issues.len(), diagnostics().len());
    let mut fingerprints = Vec::new();
    for issue in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(
                issue[key].as_str().is_some_and(|text| !text.is_empty()),
                "{key} missing in {issue}"
            );
        }
        assert!(["info", "minor", "major", "critical", "blocker"]
            .contains(&issue["severity"].as_str().expect("severity")));
        let location = &issue["location"];
        let path = location["path"].as_str().expect("location.path");
        assert!(!path.starts_with('/') && !path.starts_with("./"), "{path}");
        let positions = &location["positions"];
        for end in ["begin", "end"] {
            for key in ["line", "column"] {
                assert!(
                    positions[end][key].as_u64().is_some_and(|n| n >= 1),
                    "positions.{end}.{key} >= 1 in {issue}"
                );
            }
        }
        fingerprints.push(
            issue["fingerprint"]
                .as_str()
                .expect("fingerprint")
                .to_string(),
        );
    }
    let count = fingerprints.len();
    fingerprints.sort();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), count, "fingerprints are unique");
    let severities: Vec<&str> = issues
        .iter()
        .filter_map(|issue| issue["severity"].as_str())
        .collect();
    assert_eq!(
        severities,
        ["critical", "major", "info", "critical", "critical"]
    );
}
