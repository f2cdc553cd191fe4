//! Each strategy sets the action of the steps it builds: models built by
//! hand, every step's action asserted inline in its JSON form (one line per
//! step, the same object the JSON plan shows).

use super::strategy::test_support::*;
use crate::model::*;
use crate::plan::{plan_models, ActionRecord, PlanOptions};

fn users() -> Table {
    add_constraint(
        table(
            "users",
            vec![not_null(column("id", "bigint")), column("email", "text")],
        ),
        pk("users_pkey", &["id"]),
    )
}

fn actions_with(current: &Model, desired: &Model, options: &PlanOptions) -> String {
    let plan = plan_models(current, desired, options).expect("plans");
    let mut res = String::new();
    for step in &plan.steps {
        let record = ActionRecord::from(&step.action);
        res.push_str(&serde_json::to_string(&record).expect("records serialise"));
        res.push('\n');
    }
    res
}

fn actions(current: &Model, desired: &Model) -> String {
    actions_with(current, desired, &PlanOptions::default())
}

fn direct() -> PlanOptions {
    PlanOptions {
        online: false,
        ..PlanOptions::default()
    }
}

#[test]
fn create_table_and_its_indexes() {
    let desired = model(vec![add_index(
        users(),
        index("users_email_idx", &["email"]),
    )]);
    insta::assert_snapshot!(actions(&Model::default(), &desired), @r#"
{"kind":"create_table","table":{"schema":"public","name":"users"},"partition_of":null,"like":null}
{"kind":"create_index","table":{"schema":"public","name":"users"},"name":"users_email_idx","unique":false,"concurrently":false,"on_only":false,"columns":["email"]}
"#);
}

#[test]
fn indexes_online_and_direct() {
    let current = model(vec![add_index(users(), index("users_id_idx", &["id"]))]);
    let desired = model(vec![add_index(
        users(),
        index("users_email_idx", &["email"]),
    )]);
    insta::assert_snapshot!(actions(&current, &desired), @r#"
{"kind":"create_index","table":{"schema":"public","name":"users"},"name":"users_email_idx","unique":false,"concurrently":true,"on_only":false,"columns":["email"]}
{"kind":"drop_index","table":{"schema":"public","name":"users"},"name":"users_id_idx","concurrently":true}
"#);
    insta::assert_snapshot!(actions_with(&current, &desired, &direct()), @r#"
{"kind":"create_index","table":{"schema":"public","name":"users"},"name":"users_email_idx","unique":false,"concurrently":false,"on_only":false,"columns":["email"]}
{"kind":"drop_index","table":{"schema":"public","name":"users"},"name":"users_id_idx","concurrently":false}
"#);
}

#[test]
fn partitioned_index_is_built_on_only_the_parent_then_attached() {
    let mut parent = table("events", vec![column("at", "date"), column("kind", "text")]);
    parent.partition_by = Some(PartitionBy {
        strategy: PartitionStrategy::Range,
        key: vec![SqlExpr::raw("at")],
    });
    let mut part = Table::new(QualifiedName::public("events_2025"));
    part.partition_of = Some(PartitionOf {
        parent: parent.name.clone(),
        bound: PartitionBound::Range {
            from: vec![BoundValue::Literal(SqlExpr::raw("'2025-01-01'"))],
            to: vec![BoundValue::Literal(SqlExpr::raw("'2026-01-01'"))],
        },
    });
    let current = model(vec![parent.clone(), part.clone()]);
    let desired = model(vec![
        add_index(parent.clone(), index("events_kind_idx", &["kind"])),
        part.clone(),
    ]);
    insta::assert_snapshot!(actions(&current, &desired), @r#"
{"kind":"create_index","table":{"schema":"public","name":"events"},"name":"events_kind_idx","unique":false,"concurrently":false,"on_only":true,"columns":["kind"]}
{"kind":"create_index","table":{"schema":"public","name":"events_2025"},"name":"events_2025_kind_idx","unique":false,"concurrently":true,"on_only":false,"columns":["kind"]}
{"kind":"attach_index","parent_index":{"schema":"public","name":"events_kind_idx"},"index":{"schema":"public","name":"events_2025_kind_idx"}}
"#);
    // Detached concurrently, then dropped.
    let without_part = model(vec![parent.clone()]);
    insta::assert_snapshot!(actions(&current, &without_part), @r#"
{"kind":"detach_partition","parent":{"schema":"public","name":"events"},"partition":{"schema":"public","name":"events_2025"},"concurrently":true}
{"kind":"drop_table","table":{"schema":"public","name":"events_2025"},"partition_of":{"schema":"public","name":"events"}}
"#);
    // Attached: built LIKE the parent, proved by a check, attached.
    insta::assert_snapshot!(actions(&without_part, &current), @r#"
{"kind":"create_table","table":{"schema":"public","name":"events_2025"},"partition_of":null,"like":{"schema":"public","name":"events"}}
{"kind":"add_constraint","table":{"schema":"public","name":"events_2025"},"name":"events_2025_bound","constraint":{"type":"check","expr":"at IS NOT NULL AND at >= '2025-01-01' AND at < '2026-01-01'"},"not_valid":true,"using_index":null}
{"kind":"validate_constraint","table":{"schema":"public","name":"events_2025"},"name":"events_2025_bound"}
{"kind":"attach_partition","parent":{"schema":"public","name":"events"},"partition":{"schema":"public","name":"events_2025"},"bound":"FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')","bound_check":"at IS NOT NULL AND at >= '2025-01-01' AND at < '2026-01-01'","scans_default":null}
{"kind":"drop_constraint","table":{"schema":"public","name":"events_2025"},"name":"events_2025_bound"}
"#);
}

#[test]
fn constraints_online_are_not_valid_then_validated_or_use_an_index() {
    let orders = table(
        "orders",
        vec![
            not_null(column("id", "bigint")),
            column("user_id", "bigint"),
            column("code", "text"),
        ],
    );
    let current = model(vec![users(), orders.clone()]);
    let mut desired_orders = add_constraint(
        orders.clone(),
        fk("orders_user_fk", &["user_id"], "users", &["id"]),
    );
    desired_orders = add_constraint(
        desired_orders,
        constraint(
            "orders_code_key",
            ConstraintKind::Unique {
                columns: idents(&["code"]),
                include: Vec::new(),
                nulls_not_distinct: false,
            },
        ),
    );
    desired_orders = add_constraint(desired_orders, check("orders_code_check", "code <> ''"));
    let desired = model(vec![users(), desired_orders]);
    insta::assert_snapshot!(actions(&current, &desired), @r#"
{"kind":"add_constraint","table":{"schema":"public","name":"orders"},"name":"orders_code_check","constraint":{"type":"check","expr":"code <> ''"},"not_valid":true,"using_index":null}
{"kind":"validate_constraint","table":{"schema":"public","name":"orders"},"name":"orders_code_check"}
{"kind":"create_index","table":{"schema":"public","name":"orders"},"name":"orders_code_key","unique":true,"concurrently":true,"on_only":false,"columns":["code"]}
{"kind":"add_constraint","table":{"schema":"public","name":"orders"},"name":"orders_code_key","constraint":{"type":"unique","columns":["code"],"nulls_not_distinct":false},"not_valid":false,"using_index":"orders_code_key"}
{"kind":"add_constraint","table":{"schema":"public","name":"orders"},"name":"orders_user_fk","constraint":{"type":"foreign_key","columns":["user_id"],"ref_table":{"schema":"public","name":"users"},"ref_columns":["id"]},"not_valid":true,"using_index":null}
{"kind":"validate_constraint","table":{"schema":"public","name":"orders"},"name":"orders_user_fk"}
"#);
    insta::assert_snapshot!(actions_with(&current, &desired, &direct()), @r#"
{"kind":"add_constraint","table":{"schema":"public","name":"orders"},"name":"orders_code_check","constraint":{"type":"check","expr":"code <> ''"},"not_valid":false,"using_index":null}
{"kind":"add_constraint","table":{"schema":"public","name":"orders"},"name":"orders_code_key","constraint":{"type":"unique","columns":["code"],"nulls_not_distinct":false},"not_valid":false,"using_index":null}
{"kind":"add_constraint","table":{"schema":"public","name":"orders"},"name":"orders_user_fk","constraint":{"type":"foreign_key","columns":["user_id"],"ref_table":{"schema":"public","name":"users"},"ref_columns":["id"]},"not_valid":false,"using_index":null}
"#);
}

#[test]
fn columns_added_changed_and_dropped() {
    let current = model(vec![users()]);
    let mut desired_users = users();
    desired_users.columns.push(not_null(with_default(
        column("token", "uuid"),
        "gen_random_uuid()",
    )));
    desired_users.columns[1] = not_null(column("email", "varchar(10)"));
    insta::assert_snapshot!(actions(&current, &model(vec![desired_users.clone()])), @r#"
{"kind":"alter_column_type","table":{"schema":"public","name":"users"},"column":"email","to":"varchar(10)","collation":null,"using":"email::varchar(10)","rewrite":true}
{"kind":"add_constraint","table":{"schema":"public","name":"users"},"name":"email_not_null","constraint":{"type":"not_null_check","column":"email"},"not_valid":true,"using_index":null}
{"kind":"validate_constraint","table":{"schema":"public","name":"users"},"name":"email_not_null"}
{"kind":"set_not_null","table":{"schema":"public","name":"users"},"column":"email"}
{"kind":"drop_constraint","table":{"schema":"public","name":"users"},"name":"email_not_null"}
{"kind":"add_column","table":{"schema":"public","name":"users"},"column":"token","type":"uuid","not_null":false,"default":null,"volatile_default":false,"generated":false,"identity":false}
{"kind":"set_default","table":{"schema":"public","name":"users"},"column":"token","default":"gen_random_uuid()"}
{"kind":"backfill","table":{"schema":"public","name":"users"},"column":"token","batch":10000}
{"kind":"add_constraint","table":{"schema":"public","name":"users"},"name":"token_not_null","constraint":{"type":"not_null_check","column":"token"},"not_valid":true,"using_index":null}
{"kind":"validate_constraint","table":{"schema":"public","name":"users"},"name":"token_not_null"}
{"kind":"set_not_null","table":{"schema":"public","name":"users"},"column":"token"}
{"kind":"drop_constraint","table":{"schema":"public","name":"users"},"name":"token_not_null"}
"#);
    let mut dropped = users();
    dropped.columns.pop();
    insta::assert_snapshot!(actions(&current, &model(vec![dropped])), @r#"
{"kind":"drop_column","table":{"schema":"public","name":"users"},"column":"email"}
"#);
}

#[test]
fn policies_before_row_level_security() {
    let current = model(vec![users()]);
    let mut desired_users = users();
    desired_users
        .policies
        .insert(Ident::new("own"), Box::new(policy("own", "id = 1")));
    desired_users.rls.enabled = true;
    desired_users.rls.forced = true;
    insta::assert_snapshot!(actions(&current, &model(vec![desired_users])), @r#"
{"kind":"create_policy","table":{"schema":"public","name":"users"},"name":"own"}
{"kind":"enable_rls","table":{"schema":"public","name":"users"}}
{"kind":"force_rls","table":{"schema":"public","name":"users"}}
"#);
}
