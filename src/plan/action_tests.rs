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
    insta::assert_snapshot!(actions(&Model::default(), &desired), @"");
}

#[test]
fn indexes_online_and_direct() {
    let current = model(vec![add_index(users(), index("users_id_idx", &["id"]))]);
    let desired = model(vec![add_index(
        users(),
        index("users_email_idx", &["email"]),
    )]);
    insta::assert_snapshot!(actions(&current, &desired), @"");
    insta::assert_snapshot!(actions_with(&current, &desired, &direct()), @"");
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
    insta::assert_snapshot!(actions(&current, &desired), @"");
    // Detached concurrently, then dropped.
    let without_part = model(vec![parent.clone()]);
    insta::assert_snapshot!(actions(&current, &without_part), @"");
    // Attached: built LIKE the parent, proved by a check, attached.
    insta::assert_snapshot!(actions(&without_part, &current), @"");
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
    insta::assert_snapshot!(actions(&current, &desired), @"");
    insta::assert_snapshot!(actions_with(&current, &desired, &direct()), @"");
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
    insta::assert_snapshot!(actions(&current, &model(vec![desired_users.clone()])), @"");
    let mut dropped = users();
    dropped.columns.pop();
    insta::assert_snapshot!(actions(&current, &model(vec![dropped])), @"");
}

#[test]
fn policies_before_row_level_security() {
    let current = model(vec![users()]);
    let mut desired_users = users();
    desired_users
        .policies
        .insert(Ident::new("own"), policy("own", "id = 1"));
    desired_users.rls.enabled = true;
    desired_users.rls.forced = true;
    insta::assert_snapshot!(actions(&current, &model(vec![desired_users])), @"");
}
