//! Unit tests of saved plans: round trips, refusals, the plan id and the
//! fingerprint.

use super::*;
use crate::model::{Column, Table};
use crate::source::{FileId, Span};

fn sample_plan() -> Plan {
    let table = QualifiedName::new("public", "orders");
    let step = |sql: &str, transactional: bool| Step {
        role: None,
        description: format!("run {sql}"),
        action: Action::AddColumn {
            table: table.clone(),
            column: Ident::new("a"),
            ty: TypeName::new("integer"),
            not_null: false,
            default: None,
            volatile_default: false,
            generated: false,
            identity: false,
        },
        sql: sql.to_string(),
        transactional,
        joins_previous: false,
        locks: vec![Lock {
            relation: table.clone(),
            mode: LockMode::ShareUpdateExclusive,
        }],
        rewrites: false,
        scans: true,
        hazards: vec![HazardNote {
            hazard: Hazard::IndexBuild,
            message: "index built".to_string(),
        }],
        table: Some(table.clone()),
        table_size: Some(TableSize {
            rows: Some(10),
            bytes: 8192,
        }),
        origin: Origin {
            change: 0,
            object: ObjectId::Index(table.clone(), Ident::new("orders_idx")),
            span: None,
        },
    };
    let mut second = step(
        "CREATE INDEX CONCURRENTLY orders_idx ON public.orders (id)",
        false,
    );
    second.action = Action::CreateIndex {
        table: table.clone(),
        name: Ident::new("orders_idx"),
        unique: false,
        concurrently: true,
        on_only: false,
        columns: vec![Ident::new("id")],
        expressions: Vec::new(),
        predicate: None,
        nulls_not_distinct: false,
    };
    second.origin.object = ObjectId::Function(FunctionId {
        name: QualifiedName::new("app", "f"),
        arg_types: vec![TypeName::new("integer")],
    });
    Plan {
        search_path: None,
        steps: vec![
            step("ALTER TABLE public.orders ADD COLUMN a integer", true),
            second,
        ],
        notes: vec!["a note".to_string()],
    }
}

#[test]
fn round_trips_a_plan() {
    let plan = sample_plan();
    let text = to_json(&plan, "00ff", Some("2025-01-01T00:00:00Z".to_string()));
    let loaded = from_json(&text).expect("a saved plan loads");
    assert_eq!(loaded.plan, plan);
    assert_eq!(loaded.fingerprint, "00ff");
    assert_eq!(loaded.plan_id, plan_id(&plan, "00ff"));
    assert_eq!(loaded.created_at.as_deref(), Some("2025-01-01T00:00:00Z"));
    assert!(text.starts_with("{\n  \"format_version\": 3,"), "{text}");
    assert!(text.contains("\"kind\": \"create_index\""), "{text}");
}

#[test]
fn spans_are_not_saved() {
    let mut plan = sample_plan();
    plan.steps[0].origin.span = Some(Span {
        file: FileId(0),
        start: 1,
        end: 5,
    });
    let loaded = from_json(&to_json(&plan, "x", None)).expect("loads");
    assert_eq!(loaded.plan.steps[0].origin.span, None);
}

#[test]
fn refuses_edited_plans_and_other_versions() {
    let text = to_json(&sample_plan(), "x", None);
    let edited = text.replace("ADD COLUMN a integer", "ADD COLUMN a bigint");
    let err = from_json(&edited).expect_err("edited SQL");
    assert!(matches!(err, SavedPlanError::Modified { .. }), "{err:?}");
    let newer = text.replace("\"format_version\": 3", "\"format_version\": 4");
    assert_eq!(
        from_json(&newer),
        Err(SavedPlanError::UnsupportedVersion { found: 4 })
    );
    // A file of a version before the SHA-256 id names its version.
    let older = text.replace("\"format_version\": 3", "\"format_version\": 2");
    let err = from_json(&older).expect_err("version 2");
    insta::assert_snapshot!(err.to_string(), @"the plan file has format version 2; this schemac reads version 3");
    let bad_action = text.replace("\"create_index\"", "\"build_index\"");
    let err = from_json(&bad_action).expect_err("unknown action kind");
    assert!(
        matches!(&err, SavedPlanError::Malformed { message } if message.contains("build_index")),
        "{err:?}"
    );
    let bad_hazard = text.replace("\"index-build\"", "\"no-such-hazard\"");
    let err = from_json(&bad_hazard).expect_err("unknown hazard");
    insta::assert_snapshot!(err.to_string(), @"the plan file is not a valid saved plan: step 1: unknown hazard `no-such-hazard`");
    assert!(matches!(
        from_json("not json"),
        Err(SavedPlanError::Malformed { .. })
    ));
}

#[test]
fn plan_id_covers_what_runs_and_what_decides_whether_it_may() {
    let plan = sample_plan();
    let id = plan_id(&plan, "fp");
    assert_eq!(id.len(), 64);
    assert!(id.bytes().all(|byte| byte.is_ascii_hexdigit()));
    let mut described = plan.clone();
    described.steps[0].description = "other words".to_string();
    described.notes.clear();
    assert_eq!(plan_id(&described, "fp"), id);
    let mut changes: Vec<Plan> = Vec::new();
    let mut regrouped = plan.clone();
    regrouped.steps[1].transactional = true;
    changes.push(regrouped);
    let mut no_hazards = plan.clone();
    no_hazards.steps[1].hazards.clear();
    changes.push(no_hazards);
    let mut other_action = plan.clone();
    other_action.steps[1].action = Action::Raw;
    changes.push(other_action);
    let mut other_sql = plan.clone();
    other_sql.steps[0].sql.push(' ');
    changes.push(other_sql);
    let mut other_lock = plan.clone();
    other_lock.steps[0].locks[0].mode = LockMode::AccessExclusive;
    changes.push(other_lock);
    for changed in &changes {
        assert_ne!(plan_id(changed, "fp"), id, "{changed:#?}");
    }
    assert_ne!(plan_id(&plan, "other state"), id);
}

#[test]
fn refuses_a_plan_whose_hazards_were_removed() {
    let mut plan = sample_plan();
    let table = QualifiedName::new("public", "orders");
    plan.steps[0].action = Action::DropTable {
        table: table.clone(),
        partition_of: None,
    };
    plan.steps[0].sql = "DROP TABLE public.orders".to_string();
    plan.steps[0].hazards = vec![HazardNote {
        hazard: Hazard::DataLoss,
        message: "table public.orders and its rows are dropped".to_string(),
    }];
    let text = to_json(&plan, "fp", None);
    assert!(from_json(&text).is_ok());
    // Remove the hazards and recompute the id as an editor could.
    let mut saved: SavedPlan = serde_json::from_str(&text).expect("parses");
    for step in &mut saved.steps {
        step.hazards.clear();
    }
    let mut stripped = plan.clone();
    for step in &mut stripped.steps {
        step.hazards.clear();
    }
    saved.plan_id = plan_id(&stripped, "fp");
    let edited = serde_json::to_string(&saved).expect("serialises");
    let err = from_json(&edited).expect_err("hazards removed");
    insta::assert_snapshot!(err.to_string(), @r"
    the plan file lists fewer hazards than its steps have:
      step 1 (run ALTER TABLE public.orders ADD COLUMN a integer): lacks data-loss
      step 2 (run CREATE INDEX CONCURRENTLY orders_idx ON public.orders (id)): lacks index-build
    ");
}

#[test]
fn fingerprint_ignores_meta_and_follows_content() {
    let mut model = Model::default();
    let name = QualifiedName::new("public", "t");
    let mut table = Table::new(name.clone());
    table
        .columns
        .push(Column::new(Ident::new("id"), TypeName::new("integer")));
    model.tables.insert(name.clone(), table.clone());
    let base = fingerprint(&model);
    let mut with_span = model.clone();
    if let Some(table) = with_span.tables.get_mut(&name) {
        table.meta.span = Some(Span {
            file: FileId(3),
            start: 7,
            end: 9,
        });
    }
    assert_eq!(fingerprint(&with_span), base);
    let mut changed = model.clone();
    if let Some(table) = changed.tables.get_mut(&name) {
        table.columns[0].ty = TypeName::new("bigint");
    }
    assert_ne!(fingerprint(&changed), base);
    assert_ne!(fingerprint(&Model::default()), base);
}
