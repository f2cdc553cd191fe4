//! Planner unit tests: models built by hand, plans asserted inline. One
//! test per strategy at least, plus ordering tests.

use super::strategy::test_support::*;
use crate::model::*;
use crate::plan::{plan_models, LockMode, PlanOptions};

fn users() -> Table {
    add_constraint(
        table(
            "users",
            vec![not_null(column("id", "bigint")), column("email", "text")],
        ),
        pk("users_pkey", &["id"]),
    )
}

#[test]
fn equal_models_plan_nothing() {
    let current = model(vec![users()]);
    insta::assert_snapshot!(plan_text(&current, &current.clone()), @"");
}

#[test]
fn create_index_on_existing_table_is_concurrent() {
    let current = model(vec![users()]);
    let desired = model(vec![add_index(
        users(),
        index("users_email_idx", &["email"]),
    )]);
    let plan = plan_models(&current, &desired, &PlanOptions::default()).expect("plans");
    assert_eq!(plan.steps[0].locks[0].mode, LockMode::ShareUpdateExclusive);
    insta::assert_snapshot!(render(&plan), @r#"
no-tx CREATE INDEX CONCURRENTLY users_email_idx ON public.users USING btree (email)
  ! index-build
"#);
}

#[test]
fn index_on_new_table_joins_its_transaction() {
    let desired = model(vec![add_index(
        users(),
        index("users_email_idx", &["email"]),
    )]);
    insta::assert_snapshot!(plan_text(&Model::default(), &desired), @r#"
tx CREATE TABLE public.users (id bigint NOT NULL, email text, CONSTRAINT users_pkey PRIMARY KEY (id))
+tx CREATE INDEX users_email_idx ON public.users USING btree (email)
"#);
}

#[test]
fn index_on_partitioned_table_is_built_per_partition() {
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
        add_index(parent, index("events_kind_idx", &["kind"])),
        part,
    ]);
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
tx CREATE INDEX events_kind_idx ON ONLY public.events USING btree (kind)
no-tx CREATE INDEX CONCURRENTLY events_2025_kind_idx ON public.events_2025 USING btree (kind)
  ! index-build
tx ALTER INDEX public.events_kind_idx ATTACH PARTITION public.events_2025_kind_idx
"#);
}

#[test]
fn drop_index_is_concurrent() {
    let current = model(vec![add_index(
        users(),
        index("users_email_idx", &["email"]),
    )]);
    let desired = model(vec![users()]);
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"no-tx DROP INDEX CONCURRENTLY public.users_email_idx"#);
}

#[test]
fn check_and_fk_are_added_not_valid_then_validated() {
    let orders = table(
        "orders",
        vec![column("id", "bigint"), column("user_id", "bigint")],
    );
    let current = model(vec![users(), orders.clone()]);
    let orders = add_constraint(orders, check("orders_id_check", "id > 0"));
    let orders = add_constraint(
        orders,
        fk("orders_user_id_fkey", &["user_id"], "users", &["id"]),
    );
    let desired = model(vec![users(), orders]);
    let plan = plan_models(&current, &desired, &PlanOptions::default()).expect("plans");
    let fk_add = plan
        .steps
        .iter()
        .find(|step| step.sql.contains("FOREIGN KEY"))
        .expect("fk step");
    assert!(fk_add
        .locks
        .iter()
        .all(|lock| lock.mode == LockMode::ShareRowExclusive));
    assert_eq!(fk_add.locks.len(), 2);
    insta::assert_snapshot!(render(&plan), @r#"
tx ALTER TABLE public.orders ADD CONSTRAINT orders_id_check CHECK (id > 0) NOT VALID
tx ALTER TABLE public.orders VALIDATE CONSTRAINT orders_id_check
  ! full-scan
tx ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) NOT VALID
tx ALTER TABLE public.orders VALIDATE CONSTRAINT orders_user_id_fkey
  ! full-scan
"#);
}

#[test]
fn unique_is_added_using_a_concurrent_index() {
    let current = model(vec![users()]);
    let desired = model(vec![add_constraint(
        users(),
        constraint(
            "users_email_key",
            ConstraintKind::Unique {
                columns: idents(&["email"]),
                include: Vec::new(),
                nulls_not_distinct: false,
            },
        ),
    )]);
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
no-tx CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON public.users USING btree (email)
  ! index-build
tx ALTER TABLE public.users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key
"#);
}

#[test]
fn set_not_null_goes_through_a_validated_check() {
    let current = model(vec![users()]);
    let mut desired_users = users();
    desired_users.columns[1].not_null = true;
    let desired = model(vec![desired_users]);
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
tx ALTER TABLE public.users ADD CONSTRAINT email_not_null CHECK (email IS NOT NULL) NOT VALID
tx ALTER TABLE public.users VALIDATE CONSTRAINT email_not_null
  ! full-scan
tx ALTER TABLE public.users ALTER COLUMN email SET NOT NULL
+tx ALTER TABLE public.users DROP CONSTRAINT email_not_null
"#);
}

/// Issue 11 (the kill test): a run killed after the helper CHECK of an
/// online SET NOT NULL was added leaves it; the next plan takes it over
/// (validates it, or not when it is valid) instead of adding it again.
#[test]
fn set_not_null_takes_over_a_leftover_helper_check() {
    let helper = |not_valid: bool| {
        let mut users = users();
        let mut check = constraint(
            "email_not_null",
            ConstraintKind::Check {
                expr: crate::model::normalize::expr("email IS NOT NULL").unwrap(),
                no_inherit: false,
            },
        );
        check.not_valid = not_valid;
        users
            .constraints
            .insert(check.name.clone(), Box::new(check));
        users
    };
    let mut desired_users = users();
    desired_users.columns[1].not_null = true;
    let desired = model(vec![desired_users]);
    insta::assert_snapshot!(plan_text(&model(vec![helper(true)]), &desired), @r#"
tx ALTER TABLE public.users VALIDATE CONSTRAINT email_not_null
  ! full-scan
tx ALTER TABLE public.users ALTER COLUMN email SET NOT NULL
+tx ALTER TABLE public.users DROP CONSTRAINT email_not_null
"#);
    insta::assert_snapshot!(plan_text(&model(vec![helper(false)]), &desired), @r#"
tx ALTER TABLE public.users ALTER COLUMN email SET NOT NULL
+tx ALTER TABLE public.users DROP CONSTRAINT email_not_null
"#);
}

#[test]
fn add_column_with_volatile_default_is_backfilled() {
    let current = model(vec![users()]);
    let mut desired_users = users();
    desired_users.columns.push(not_null(with_default(
        column("token", "uuid"),
        "gen_random_uuid()",
    )));
    desired_users.columns.push(with_default(
        column("created_at", "timestamp with time zone"),
        "now()",
    ));
    let desired = model(vec![desired_users]);
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
        tx ALTER TABLE public.users ADD COLUMN created_at timestamp with time zone DEFAULT now()
        tx ALTER TABLE public.users ADD COLUMN token uuid
        +tx ALTER TABLE public.users ALTER COLUMN token SET DEFAULT gen_random_uuid()
        no-tx DO $$
        DECLARE
          last_page bigint := pg_relation_size('public.users') / current_setting('block_size')::bigint;
          total bigint := GREATEST((SELECT reltuples FROM pg_class WHERE oid = 'public.users'::regclass), 0)::bigint;
          app text := current_setting('application_name');
          page bigint := 0;
          done bigint := 0;
          n bigint;
        BEGIN
          WHILE page <= last_page LOOP
            UPDATE public.users SET token = DEFAULT
              WHERE ctid >= format('(%s,0)', page)::tid AND ctid < format('(%s,0)', page + 64)::tid AND token IS NULL;
            GET DIAGNOSTICS n = ROW_COUNT;
            done := done + n;
            page := page + 64;
            PERFORM set_config('application_name', format('schemac:backfill:%s:%s:%s:%s', done, total, LEAST(page, last_page + 1), last_page + 1), false);
            COMMIT;
          END LOOP;
          SELECT count(*) INTO n FROM public.users WHERE token IS NULL;
          FOR i IN 0 .. n / 10000 LOOP
            UPDATE public.users SET token = DEFAULT
              WHERE ctid = ANY (ARRAY(SELECT ctid FROM public.users WHERE token IS NULL LIMIT 10000));
            COMMIT;
          END LOOP;
          PERFORM set_config('application_name', app, false);
        END
        $$
          ! full-scan
        tx ALTER TABLE public.users ADD CONSTRAINT token_not_null CHECK (token IS NOT NULL) NOT VALID
        tx ALTER TABLE public.users VALIDATE CONSTRAINT token_not_null
          ! full-scan
        tx ALTER TABLE public.users ALTER COLUMN token SET NOT NULL
        +tx ALTER TABLE public.users DROP CONSTRAINT token_not_null
        "#);
}

#[test]
fn type_changes_rewrite_only_when_needed() {
    let current = model(vec![table(
        "t",
        vec![
            column("a", "character varying(10)"),
            column("b", "integer"),
            column("c", "numeric(10,2)"),
        ],
    )]);
    let desired = model(vec![table(
        "t",
        vec![
            column("a", "character varying(20)"),
            column("b", "bigint"),
            column("c", "numeric(12,2)"),
        ],
    )]);
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
tx ALTER TABLE public.t ALTER COLUMN a TYPE character varying(20)
tx ALTER TABLE public.t ALTER COLUMN b TYPE bigint USING b::bigint
  ! table-rewrite
  ! long-lock
tx ALTER TABLE public.t ALTER COLUMN c TYPE numeric(12,2)
"#);
}

fn partitioned(default_partition: bool) -> (Table, Vec<Table>) {
    let mut parent = table(
        "events",
        vec![not_null(column("at", "date")), column("kind", "text")],
    );
    parent.partition_by = Some(PartitionBy {
        strategy: PartitionStrategy::Range,
        key: vec![SqlExpr::raw("at")],
    });
    let mut parts = Vec::new();
    let mut part = Table::new(QualifiedName::public("events_2025"));
    part.partition_of = Some(PartitionOf {
        parent: parent.name.clone(),
        bound: PartitionBound::Range {
            from: vec![BoundValue::Literal(SqlExpr::raw("'2025-01-01'"))],
            to: vec![BoundValue::Literal(SqlExpr::raw("'2026-01-01'"))],
        },
    });
    parts.push(part);
    if default_partition {
        let mut default = Table::new(QualifiedName::public("events_default"));
        default.partition_of = Some(PartitionOf {
            parent: parent.name.clone(),
            bound: PartitionBound::Default,
        });
        parts.push(default);
    }
    (parent, parts)
}

fn partition_2026() -> Table {
    let mut part = Table::new(QualifiedName::public("events_2026"));
    part.partition_of = Some(PartitionOf {
        parent: QualifiedName::public("events"),
        bound: PartitionBound::Range {
            from: vec![BoundValue::Literal(SqlExpr::raw("'2026-01-01'"))],
            to: vec![BoundValue::Literal(SqlExpr::raw("'2027-01-01'"))],
        },
    });
    part
}

#[test]
fn new_partition_of_existing_parent_is_attached() {
    let (parent, parts) = partitioned(false);
    let mut tables = vec![parent];
    tables.extend(parts);
    let current = model(tables.clone());
    tables.push(partition_2026());
    let desired = model(tables);
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
tx CREATE TABLE public.events_2026 (LIKE public.events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)
+tx ALTER TABLE public.events_2026 ADD CONSTRAINT events_2026_bound CHECK (at IS NOT NULL AND at >= '2026-01-01' AND at < '2027-01-01') NOT VALID
+tx ALTER TABLE public.events_2026 VALIDATE CONSTRAINT events_2026_bound
tx ALTER TABLE public.events ATTACH PARTITION public.events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')
+tx ALTER TABLE public.events_2026 DROP CONSTRAINT events_2026_bound
"#);
}

#[test]
fn attach_with_default_partition_scans_it() {
    let (parent, parts) = partitioned(true);
    let mut tables = vec![parent];
    tables.extend(parts);
    let current = model(tables.clone());
    tables.push(partition_2026());
    let desired = model(tables);
    let plan = plan_models(&current, &desired, &PlanOptions::default()).expect("plans");
    let attach = plan
        .steps
        .iter()
        .find(|step| step.sql.contains("ATTACH PARTITION"))
        .expect("attach step");
    assert!(attach.scans);
    assert!(attach
        .hazards
        .iter()
        .any(|note| note.hazard == crate::plan::Hazard::FullScan));
}

#[test]
fn dropped_partition_is_detached_concurrently() {
    let (parent, parts) = partitioned(false);
    let mut tables = vec![parent.clone()];
    tables.extend(parts);
    tables.push(partition_2026());
    let current = model(tables);
    let (parent, parts) = partitioned(false);
    let mut tables = vec![parent];
    tables.extend(parts);
    let desired = model(tables);
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
no-tx ALTER TABLE public.events DETACH PARTITION public.events_2026 CONCURRENTLY
tx DROP TABLE public.events_2026
  ! data-loss
"#);
}

/// Issue 11: a parent index built while a leaving partition is still
/// attached would stay INVALID (that partition never gets its index).
#[test]
fn parent_index_comes_after_the_partitions_that_leave() {
    let (parent, parts) = partitioned(false);
    let mut tables = vec![parent.clone()];
    tables.extend(parts.clone());
    tables.push(partition_2026());
    let current = model(tables);
    let mut tables = vec![add_index(parent, index("events_kind_idx", &["kind"]))];
    tables.extend(parts);
    let desired = model(tables);
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
no-tx ALTER TABLE public.events DETACH PARTITION public.events_2026 CONCURRENTLY
tx DROP TABLE public.events_2026
  ! data-loss
tx CREATE INDEX events_kind_idx ON ONLY public.events USING btree (kind)
no-tx CREATE INDEX CONCURRENTLY events_2025_kind_idx ON public.events_2025 USING btree (kind)
  ! index-build
tx ALTER INDEX public.events_kind_idx ATTACH PARTITION public.events_2025_kind_idx
"#);
}

/// Issue 11: partitions managed elsewhere (external) get the new parent
/// index's partition too, or the parent index stays INVALID.
#[test]
fn parent_index_covers_external_partitions() {
    let (parent, parts) = partitioned(false);
    let mut tables = vec![parent.clone()];
    tables.extend(parts.clone());
    tables.push(partition_2026());
    let current = model(tables);
    let mut tables = vec![add_index(parent, index("events_kind_idx", &["kind"]))];
    tables.extend(parts);
    let mut desired = model(tables);
    desired.external.push(ExternalPattern {
        pattern: "events_2026".to_string(),
        meta: Meta::default(),
    });
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
tx CREATE INDEX events_kind_idx ON ONLY public.events USING btree (kind)
no-tx CREATE INDEX CONCURRENTLY events_2025_kind_idx ON public.events_2025 USING btree (kind)
  ! index-build
tx ALTER INDEX public.events_kind_idx ATTACH PARTITION public.events_2025_kind_idx
no-tx CREATE INDEX CONCURRENTLY events_2026_kind_idx ON public.events_2026 USING btree (kind)
  ! index-build
tx ALTER INDEX public.events_kind_idx ATTACH PARTITION public.events_2026_kind_idx
note: external table public.events_2026 is managed elsewhere: not diffed or dropped
"#);
}

#[test]
fn partitions_of_new_parent_use_partition_of() {
    let (parent, parts) = partitioned(true);
    let mut tables = vec![parent];
    tables.extend(parts);
    insta::assert_snapshot!(plan_text(&Model::default(), &model(tables)), @r#"
tx CREATE TABLE public.events (at date NOT NULL, kind text) PARTITION BY RANGE (at)
+tx CREATE TABLE public.events_2025 PARTITION OF public.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
+tx CREATE TABLE public.events_default PARTITION OF public.events DEFAULT
"#);
}

#[test]
fn policies_are_created_before_rls_is_enabled() {
    let current = model(vec![users()]);
    let mut desired_users = users();
    desired_users.rls.enabled = true;
    desired_users.policies.insert(
        Ident::new("own_rows"),
        Box::new(policy("own_rows", "id = 1")),
    );
    let desired = model(vec![desired_users]);
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
tx CREATE POLICY own_rows ON public.users AS PERMISSIVE FOR ALL TO PUBLIC USING (id = 1)
tx ALTER TABLE public.users ENABLE ROW LEVEL SECURITY
"#);
}

#[test]
fn rls_without_policy_is_a_lockout_hazard() {
    let current = model(vec![users()]);
    let mut desired_users = users();
    desired_users.rls.enabled = true;
    insta::assert_snapshot!(plan_text(&current, &model(vec![desired_users])), @r#"
tx ALTER TABLE public.users ENABLE ROW LEVEL SECURITY
  ! rls-lockout
"#);
}

#[test]
fn rls_is_disabled_before_policies_are_dropped() {
    let mut current_users = users();
    current_users.rls.enabled = true;
    current_users.policies.insert(
        Ident::new("own_rows"),
        Box::new(policy("own_rows", "id = 1")),
    );
    let current = model(vec![current_users]);
    insta::assert_snapshot!(plan_text(&current, &model(vec![users()])), @r#"
tx ALTER TABLE public.users DISABLE ROW LEVEL SECURITY
  ! rls-lockout
tx DROP POLICY own_rows ON public.users
"#);
}

#[test]
fn changed_policies_are_altered_or_replaced_in_one_transaction() {
    let mut current_users = users();
    current_users.rls.enabled = true;
    current_users
        .policies
        .insert(Ident::new("a"), Box::new(policy("a", "id = 1")));
    current_users
        .policies
        .insert(Ident::new("b"), Box::new(policy("b", "id = 2")));
    let mut desired_users = current_users.clone();
    desired_users
        .policies
        .insert(Ident::new("a"), Box::new(policy("a", "id = 3")));
    let mut restrictive = policy("b", "id = 2");
    restrictive.permissive = false;
    desired_users
        .policies
        .insert(Ident::new("b"), Box::new(restrictive));
    insta::assert_snapshot!(plan_text(&model(vec![current_users]), &model(vec![desired_users])), @r#"
tx ALTER POLICY a ON public.users TO PUBLIC USING (id = 3)
tx DROP POLICY b ON public.users
+tx CREATE POLICY b ON public.users AS RESTRICTIVE FOR ALL TO PUBLIC USING (id = 2)
"#);
}

fn mood(values: &[&str]) -> Enum {
    Enum {
        name: QualifiedName::public("mood"),
        values: values.iter().map(|v| v.to_string()).collect(),
        comment: None,
        meta: Meta::default(),
    }
}

#[test]
fn enum_values_are_added_in_position_before_their_users() {
    let mut current = model(vec![users()]);
    current
        .enums
        .insert(QualifiedName::public("mood"), mood(&["sad", "happy"]));
    let mut desired_users = users();
    desired_users.columns.push(with_default(
        column("mood", "public.mood"),
        "'ok'::public.mood",
    ));
    let mut desired = model(vec![desired_users]);
    desired.enums.insert(
        QualifiedName::public("mood"),
        mood(&["sad", "ok", "happy", "ecstatic"]),
    );
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
tx ALTER TYPE public.mood ADD VALUE 'ecstatic' AFTER 'happy'
tx ALTER TYPE public.mood ADD VALUE 'ok' AFTER 'sad'
tx ALTER TABLE public.users ADD COLUMN mood public.mood DEFAULT 'ok'::public.mood
"#);
}

#[test]
fn enum_value_removal_rebuilds_the_type() {
    let mut with_mood = users();
    with_mood.columns.push(with_default(
        column("mood", "public.mood"),
        "'sad'::public.mood",
    ));
    let mut current = model(vec![with_mood.clone()]);
    current
        .enums
        .insert(QualifiedName::public("mood"), mood(&["sad", "ok", "happy"]));
    let mut desired = model(vec![with_mood]);
    desired
        .enums
        .insert(QualifiedName::public("mood"), mood(&["sad", "happy"]));
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
tx ALTER TYPE public.mood RENAME TO mood_old
  ! enum-value-removal
+tx CREATE TYPE public.mood AS ENUM ('sad', 'happy')
+tx ALTER TABLE public.users ALTER COLUMN mood DROP DEFAULT
+tx ALTER TABLE public.users ALTER COLUMN mood TYPE public.mood USING mood::text::public.mood
  ! table-rewrite
  ! long-lock
+tx ALTER TABLE public.users ALTER COLUMN mood SET DEFAULT 'sad'::public.mood
+tx DROP TYPE public.mood_old
"#);
}

#[test]
fn distribution_of_existing_and_new_tables() {
    let orders = add_constraint(
        table(
            "orders",
            vec![
                not_null(column("user_id", "bigint")),
                not_null(column("id", "bigint")),
            ],
        ),
        pk("orders_pkey", &["user_id", "id"]),
    );
    let current = model(vec![users()]);
    let mut desired_users = users();
    desired_users.distribution = Some(Distribution::Hash {
        column: Ident::new("id"),
        colocation: Colocation::Default,
        shard_count: None,
    });
    let mut desired_orders = add_constraint(
        orders,
        fk("orders_user_id_fkey", &["user_id"], "users", &["id"]),
    );
    desired_orders.distribution = Some(Distribution::Hash {
        column: Ident::new("user_id"),
        colocation: Colocation::Table(QualifiedName::public("users")),
        shard_count: None,
    });
    insta::assert_snapshot!(plan_text(&current, &model(vec![desired_users, desired_orders])), @r#"
tx CREATE TABLE public.orders (user_id bigint NOT NULL, id bigint NOT NULL, CONSTRAINT orders_pkey PRIMARY KEY (user_id, id))
no-tx SELECT create_distributed_table_concurrently('public.users', 'id')
  ! shard-data-movement
tx SELECT create_distributed_table('public.orders', 'user_id', colocate_with => 'public.users')
tx ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id)
"#);
}

#[test]
fn fk_cycle_between_new_tables() {
    let a = add_constraint(
        add_constraint(
            table(
                "a",
                vec![not_null(column("id", "bigint")), column("b_id", "bigint")],
            ),
            pk("a_pkey", &["id"]),
        ),
        fk("a_b_id_fkey", &["b_id"], "b", &["id"]),
    );
    let b = add_constraint(
        add_constraint(
            table(
                "b",
                vec![not_null(column("id", "bigint")), column("a_id", "bigint")],
            ),
            pk("b_pkey", &["id"]),
        ),
        fk("b_a_id_fkey", &["a_id"], "a", &["id"]),
    );
    insta::assert_snapshot!(plan_text(&Model::default(), &model(vec![a, b])), @r#"
tx CREATE TABLE public.a (id bigint NOT NULL, b_id bigint, CONSTRAINT a_pkey PRIMARY KEY (id))
+tx CREATE TABLE public.b (id bigint NOT NULL, a_id bigint, CONSTRAINT b_pkey PRIMARY KEY (id))
+tx ALTER TABLE public.a ADD CONSTRAINT a_b_id_fkey FOREIGN KEY (b_id) REFERENCES public.b (id)
+tx ALTER TABLE public.b ADD CONSTRAINT b_a_id_fkey FOREIGN KEY (a_id) REFERENCES public.a (id)
"#);
}

#[test]
fn view_over_a_retyped_column_is_dropped_and_recreated() {
    let view = View {
        name: QualifiedName::public("user_ids"),
        materialized: false,
        columns: Vec::new(),
        query: SqlExpr::raw("SELECT id FROM public.t"),
        options: Vec::new(),
        depends_on: vec![QualifiedName::public("t")],
        indexes: Default::default(),
        comment: None,
        output: Default::default(),
        meta: Meta::default(),
    };
    let mut current = model(vec![table("t", vec![column("id", "integer")])]);
    current.views.insert(view.name.clone(), view.clone());
    let mut desired = model(vec![table("t", vec![column("id", "bigint")])]);
    desired.views.insert(view.name.clone(), view);
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
tx DROP VIEW public.user_ids
tx ALTER TABLE public.t ALTER COLUMN id TYPE bigint USING id::bigint
  ! table-rewrite
  ! long-lock
tx CREATE VIEW public.user_ids AS SELECT id FROM public.t
"#);
}

#[test]
fn renames_need_hints_and_drops_are_data_loss() {
    let current = model(vec![
        table("t", vec![column("a", "integer")]),
        table("old", vec![column("x", "integer")]),
    ]);
    let mut renamed = table("new", vec![column("x", "integer")]);
    renamed.meta.renamed_from = Some(Box::new(Ident::new("old")));
    let mut b = column("b", "integer");
    b.meta.renamed_from = Some(Box::new(Ident::new("a")));
    let desired = model(vec![table("t", vec![b]), renamed]);
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
tx ALTER TABLE public.t RENAME COLUMN a TO b
tx ALTER TABLE public.old RENAME TO new
"#);
    let unhinted = model(vec![table("t", vec![column("b", "integer")])]);
    insta::assert_snapshot!(plan_text(&current, &unhinted), @r#"
tx ALTER TABLE public.t ADD COLUMN b integer
tx ALTER TABLE public.t DROP COLUMN a
  ! data-loss
tx DROP TABLE public.old
  ! data-loss
"#);
}

#[test]
fn external_tables_are_left_alone() {
    let current = model(vec![
        users(),
        table("events_p1", vec![column("a", "integer")]),
    ]);
    let mut desired = model(vec![users()]);
    desired.external.push(ExternalPattern {
        pattern: "events_p*".to_string(),
        meta: Meta::default(),
    });
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"note: external table public.events_p1 is managed elsewhere: not diffed or dropped"#);
}

#[test]
fn comments_and_functions() {
    let function = Function {
        id: FunctionId {
            name: QualifiedName::public("touch"),
            arg_types: Vec::new(),
        },
        procedure: false,
        args: Vec::new(),
        returns: Some("trigger".to_string()),
        language: "plpgsql".to_string(),
        body: "begin new.email := lower(new.email); return new; end".to_string(),
        volatility: Volatility::Volatile,
        strict: false,
        security_definer: false,
        parallel: Parallel::Unsafe,
        config: Vec::new(),
        cost: None,
        rows: None,
        comment: None,
        meta: Meta::default(),
        aggregate: None,
    };
    let mut desired_users = users();
    desired_users.comment = Some("people".to_string());
    desired_users.triggers.insert(
        Ident::new("users_touch"),
        Trigger {
            name: Ident::new("users_touch"),
            timing: TriggerTiming::Before,
            events: vec![TriggerEvent::Insert, TriggerEvent::Update(Vec::new())],
            for_each_row: true,
            when: None,
            function: QualifiedName::public("touch"),
            args: Vec::new(),
            constraint: false,
            deferrable: false,
            initially_deferred: false,
            old_table: None,
            new_table: None,
            comment: None,
            meta: Meta::default(),
        },
    );
    let mut desired = model(vec![desired_users]);
    desired
        .functions
        .insert(function.id.clone(), function.clone());
    let current = model(vec![users()]);
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
tx CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $$begin new.email := lower(new.email); return new; end$$
tx CREATE TRIGGER users_touch BEFORE INSERT OR UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.touch()
tx COMMENT ON TABLE public.users IS 'people'
"#);
    let mut changed = desired.clone();
    let mut replaced = function;
    replaced.returns = Some("trigger".to_string());
    replaced.body = "begin return new; end".to_string();
    changed.functions.insert(replaced.id.clone(), replaced);
    insta::assert_snapshot!(plan_text(&desired, &changed), @r#"tx CREATE OR REPLACE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $$begin return new; end$$"#);
}

#[test]
fn old_servers_fall_back_to_plain_forms() {
    let current = model(vec![users()]);
    let mut desired_users = users();
    desired_users.columns[1].not_null = true;
    let options = PlanOptions {
        server_version: 11,
        ..PlanOptions::default()
    };
    let plan = plan_models(&current, &model(vec![desired_users]), &options).expect("plans");
    insta::assert_snapshot!(render(&plan), @r#"
tx ALTER TABLE public.users ALTER COLUMN email SET NOT NULL
  ! long-lock
  ! full-scan
"#);
}

fn identity_column(name: &str, ty: &str, start: i64) -> Column {
    let mut res = not_null(column(name, ty));
    let mut options = SequenceOptions::defaults(TypeName::new(ty), 1);
    options.start = start;
    res.identity = Some(Box::new(Identity {
        always: false,
        options,
    }));
    res
}

#[test]
fn identity_follows_the_column_type() {
    // integer -> bigint: PostgreSQL retypes the sequence; no identity step.
    let current = model(vec![table("t", vec![identity_column("id", "integer", 1)])]);
    let desired = model(vec![table("t", vec![identity_column("id", "bigint", 1)])]);
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
tx ALTER TABLE public.t ALTER COLUMN id TYPE bigint USING id::bigint
  ! table-rewrite
  ! long-lock
"#);
    // A changed option comes after the type change, alone.
    let desired = model(vec![table("t", vec![identity_column("id", "bigint", 100)])]);
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
tx ALTER TABLE public.t ALTER COLUMN id TYPE bigint USING id::bigint
  ! table-rewrite
  ! long-lock
tx ALTER TABLE public.t ALTER COLUMN id SET START WITH 100
"#);
    // New identity columns print only non-default options.
    let plain = model(vec![table("t", vec![not_null(column("id", "integer"))])]);
    let desired = model(vec![table(
        "t",
        vec![identity_column("id", "integer", 1000)],
    )]);
    insta::assert_snapshot!(plan_text(&plain, &desired), @"tx ALTER TABLE public.t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (START WITH 1000)");
    let desired = model(vec![table("t", vec![identity_column("id", "integer", 1)])]);
    insta::assert_snapshot!(plan_text(&Model::default(), &desired), @"tx CREATE TABLE public.t (id integer GENERATED BY DEFAULT AS IDENTITY NOT NULL)");
}

#[test]
fn unknown_functions_in_defaults_are_volatile() {
    use crate::plan::strategy::is_volatile;
    let empty = Model::default();
    for volatile in [
        "gen_random_bytes(32)",
        "public.make_token()",
        "(random() * 10)::integer",
        "md5(random()::text)",
    ] {
        assert!(is_volatile(&empty, &SqlExpr::raw(volatile)), "{volatile}");
    }
    for safe in [
        "now()",
        "CURRENT_TIMESTAMP",
        "LOCALTIMESTAMP(3)",
        "(CURRENT_DATE + '30 days'::interval)",
        "current_setting('app.tenant'::text)",
        "CURRENT_USER",
        "'pending'::app.order_status",
        "'x'::character varying(10)",
        "CAST('1' AS numeric(12,2))",
        "0.00",
        "'{}'::text[]",
        "ARRAY[]::integer[]",
    ] {
        assert!(!is_volatile(&empty, &SqlExpr::raw(safe)), "{safe}");
    }
    // A function of the schema counts as declared.
    let mut schema = Model::default();
    let mut function = test_function("stable_token", "text");
    function.volatility = Volatility::Stable;
    schema.functions.insert(function.id.clone(), function);
    assert!(!is_volatile(&schema, &SqlExpr::raw("stable_token()")));
}

fn test_function(name: &str, arg: &str) -> Function {
    Function {
        id: FunctionId {
            name: QualifiedName::public(name),
            arg_types: if arg.is_empty() {
                Vec::new()
            } else {
                vec![TypeName::new(arg)]
            },
        },
        procedure: false,
        args: if arg.is_empty() {
            Vec::new()
        } else {
            vec![FunctionArg {
                mode: ArgMode::In,
                name: None,
                ty: TypeName::new(arg),
                default: None,
            }]
        },
        returns: Some("text".to_string()),
        language: "sql".to_string(),
        body: " SELECT 'x' ".to_string(),
        volatility: Volatility::Volatile,
        strict: false,
        security_definer: false,
        parallel: Parallel::Unsafe,
        config: Vec::new(),
        cost: None,
        rows: None,
        comment: None,
        meta: Meta::default(),
        aggregate: None,
    }
}

#[test]
fn volatile_default_with_unknown_function_is_backfilled() {
    let current = model(vec![users()]);
    let mut desired_users = users();
    desired_users.columns.push(with_default(
        column("secret", "bytea"),
        "gen_random_bytes(32)",
    ));
    let plan = plan_models(
        &current,
        &model(vec![desired_users]),
        &PlanOptions::default(),
    )
    .expect("plans");
    assert!(plan.steps.iter().any(|step| step.sql.starts_with("DO ")));
    assert!(plan.steps.iter().all(|step| !step.rewrites));
}

#[test]
fn new_function_signature_is_created_before_the_old_is_dropped() {
    let mut current = Model::default();
    let old = test_function("net", "numeric");
    current.functions.insert(old.id.clone(), old);
    let mut desired = Model::default();
    let mut new = test_function("net", "numeric");
    new.id.arg_types.push(TypeName::new("integer"));
    new.args.push(FunctionArg {
        mode: ArgMode::In,
        name: None,
        ty: TypeName::new("integer"),
        default: None,
    });
    desired.functions.insert(new.id.clone(), new);
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
tx CREATE FUNCTION public.net(numeric, integer) RETURNS text LANGUAGE sql VOLATILE PARALLEL UNSAFE AS $$ SELECT 'x' $$
tx DROP FUNCTION public.net(numeric)
"#);
}

#[test]
fn changed_index_is_built_under_a_temporary_name_first() {
    let current = model(vec![add_index(
        users(),
        index("users_email_idx", &["email"]),
    )]);
    let mut changed = index("users_email_idx", &["email"]);
    changed.predicate = Some(SqlExpr::raw("email IS NOT NULL"));
    let desired = model(vec![add_index(users(), changed)]);
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
no-tx CREATE INDEX CONCURRENTLY users_email_idx_new ON public.users USING btree (email) WHERE (email IS NOT NULL)
  ! index-build
no-tx DROP INDEX CONCURRENTLY public.users_email_idx
tx ALTER INDEX public.users_email_idx_new RENAME TO users_email_idx
"#);
}

#[test]
fn renamed_column_renames_its_default_named_constraints_and_indexes() {
    let current = model(vec![add_index(
        add_constraint(
            table(
                "customers",
                vec![not_null(column("id", "bigint")), column("mail", "text")],
            ),
            constraint(
                "customers_mail_key",
                ConstraintKind::Unique {
                    columns: idents(&["mail"]),
                    include: Vec::new(),
                    nulls_not_distinct: false,
                },
            ),
        ),
        index("customers_lower_mail_idx", &["mail"]),
    )]);
    let mut email = column("email", "text");
    email.meta.renamed_from = Some(Box::new(Ident::new("mail")));
    let desired = model(vec![add_index(
        add_constraint(
            table("customers", vec![not_null(column("id", "bigint")), email]),
            constraint(
                "customers_email_key",
                ConstraintKind::Unique {
                    columns: idents(&["email"]),
                    include: Vec::new(),
                    nulls_not_distinct: false,
                },
            ),
        ),
        index("customers_lower_email_idx", &["email"]),
    )]);
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
tx ALTER TABLE public.customers RENAME COLUMN mail TO email
tx ALTER TABLE public.customers RENAME CONSTRAINT customers_mail_key TO customers_email_key
tx ALTER INDEX public.customers_lower_mail_idx RENAME TO customers_lower_email_idx
"#);
}

#[test]
fn renamed_table_keeps_the_foreign_keys_to_it() {
    let orders = |target: &str| {
        add_constraint(
            table("orders", vec![column("customer_id", "bigint")]),
            fk("orders_customer_id_fkey", &["customer_id"], target, &["id"]),
        )
    };
    let current = model(vec![
        table("customers", vec![not_null(column("id", "bigint"))]),
        orders("customers"),
    ]);
    let mut accounts = table("accounts", vec![not_null(column("id", "bigint"))]);
    accounts.meta.renamed_from = Some(Box::new(Ident::new("customers")));
    let desired = model(vec![accounts, orders("accounts")]);
    insta::assert_snapshot!(plan_text(&current, &desired), @"tx ALTER TABLE public.customers RENAME TO accounts");
}

fn direct() -> PlanOptions {
    PlanOptions {
        online: false,
        ..PlanOptions::default()
    }
}

#[test]
fn direct_mode_uses_plain_forms_with_their_hazards() {
    let current = model(vec![users()]);
    let mut desired_users = add_index(users(), index("users_email_idx", &["email"]));
    desired_users.columns[1].not_null = true;
    desired_users
        .columns
        .push(with_default(column("token", "uuid"), "gen_random_uuid()"));
    let desired_users = add_constraint(
        add_constraint(desired_users, check("users_email_check", "email <> ''")),
        constraint(
            "users_email_key",
            ConstraintKind::Unique {
                columns: idents(&["email"]),
                include: Vec::new(),
                nulls_not_distinct: false,
            },
        ),
    );
    let plan = plan_models(&current, &model(vec![desired_users]), &direct()).expect("plans");
    insta::assert_snapshot!(render(&plan), @r#"
tx ALTER TABLE public.users ALTER COLUMN email SET NOT NULL
  ! long-lock
  ! full-scan
tx ALTER TABLE public.users ADD COLUMN token uuid DEFAULT gen_random_uuid()
  ! table-rewrite
  ! long-lock
tx ALTER TABLE public.users ADD CONSTRAINT users_email_check CHECK (email <> '')
  ! long-lock
  ! full-scan
tx ALTER TABLE public.users ADD CONSTRAINT users_email_key UNIQUE (email)
  ! long-lock
  ! index-build
tx CREATE INDEX users_email_idx ON public.users USING btree (email)
  ! index-build
  ! long-lock
"#);
    let dropped = plan_models(
        &model(vec![add_index(
            users(),
            index("users_email_idx", &["email"]),
        )]),
        &current,
        &direct(),
    )
    .expect("plans");
    insta::assert_snapshot!(render(&dropped), @"tx DROP INDEX public.users_email_idx");
}

#[test]
fn direct_mode_enables_rls_before_policies_and_splits_policy_changes() {
    let current = model(vec![users()]);
    let mut desired_users = users();
    desired_users.rls.enabled = true;
    desired_users.policies.insert(
        Ident::new("own"),
        Box::new(policy("own", "id = current_setting('app.user')::bigint")),
    );
    let desired = model(vec![desired_users.clone()]);
    let plan = plan_models(&current, &desired, &direct()).expect("plans");
    insta::assert_snapshot!(render(&plan), @r#"
tx ALTER TABLE public.users ENABLE ROW LEVEL SECURITY
  ! rls-lockout
tx CREATE POLICY own ON public.users AS PERMISSIVE FOR ALL TO PUBLIC USING (id = current_setting('app.user')::bigint)
"#);
    let mut changed_users = desired_users.clone();
    if let Some(own) = changed_users.policies.get_mut(&Ident::new("own")) {
        own.command = PolicyCommand::Select;
    }
    let plan = plan_models(&desired, &model(vec![changed_users]), &direct()).expect("plans");
    insta::assert_snapshot!(render(&plan), @r#"
tx DROP POLICY own ON public.users
  ! rls-lockout
tx CREATE POLICY own ON public.users AS PERMISSIVE FOR SELECT TO PUBLIC USING (id = current_setting('app.user')::bigint)
"#);
}

#[test]
fn direct_mode_distributes_without_concurrently() {
    let current = model(vec![users()]);
    let mut desired_users = users();
    desired_users.distribution = Some(Distribution::Hash {
        column: Ident::new("id"),
        colocation: Colocation::Default,
        shard_count: None,
    });
    let plan = plan_models(&current, &model(vec![desired_users]), &direct()).expect("plans");
    insta::assert_snapshot!(render(&plan), @r#"
tx SELECT create_distributed_table('public.users', 'id')
  ! shard-data-movement
  ! long-lock
"#);
}

/// A SQL text as a Model (the `.sql` frontend and resolve).
fn sql_model(sql: &str) -> Model {
    use crate::source::{FileId, Language, SourceFile};
    let file = SourceFile::new(FileId(0), "t.sql".into(), sql.to_string(), Language::Sql);
    let parsed = crate::frontend::resolve(crate::frontend::sql::load_file(&file).value);
    parsed.value
}

#[test]
fn a_function_whose_signature_changes_is_dropped_after_the_generated_column_using_it() {
    let current = sql_model(
        "CREATE FUNCTION f(_in jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$ SELECT _in $$;\n\
         CREATE TABLE t (c jsonb, p jsonb GENERATED ALWAYS AS (f(c)) STORED);",
    );
    let desired = sql_model(
        "CREATE FUNCTION f(content jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$ SELECT content $$;\n\
         CREATE TABLE t (c jsonb, p jsonb);",
    );
    let plan = plan_models(&current, &desired, &PlanOptions::default()).expect("plan");
    let descriptions: Vec<&str> = plan
        .steps
        .iter()
        .map(|step| step.description.as_str())
        .collect();
    let position = |needle: &str| descriptions.iter().position(|d| d.contains(needle));
    let dropped = position("drop function public.f");
    let column = position("public.t.p");
    assert!(
        dropped.is_some() && column.is_some() && dropped > column,
        "{descriptions:#?}"
    );
}

#[test]
fn the_files_search_path_is_set_for_the_plan() {
    let desired =
        sql_model("CREATE SCHEMA app;\nSET search_path TO app, public;\nCREATE TABLE t (a int);");
    let plan = plan_models(&Model::default(), &desired, &PlanOptions::default()).expect("plan");
    assert_eq!(
        plan.search_path_sql().as_deref(),
        Some("SET search_path TO app, public")
    );
    let mut out = Vec::new();
    crate::render::sql::render(&plan, &mut out).expect("render");
    let text = String::from_utf8(out).expect("utf-8");
    assert!(
        text.contains("\nSET search_path TO app, public;\n"),
        "{text}"
    );
}

#[test]
fn a_generated_column_is_added_after_the_columns_it_reads() {
    let current = sql_model("CREATE TABLE t (a int);");
    let desired =
        sql_model("CREATE TABLE t (a int, h int GENERATED ALWAYS AS (a + z) STORED, z int);");
    let plan = plan_models(&current, &desired, &PlanOptions::default()).expect("plan");
    let descriptions: Vec<&str> = plan
        .steps
        .iter()
        .map(|step| step.description.as_str())
        .collect();
    let position = |needle: &str| descriptions.iter().position(|d| d.contains(needle));
    assert!(
        position("public.t.z") < position("public.t.h"),
        "{descriptions:#?}"
    );
}

#[test]
fn a_function_taking_a_row_type_is_dropped_before_its_table() {
    let current = sql_model(
        "CREATE TABLE items (a int);\n\
         CREATE FUNCTION f(i items) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
    );
    let plan = plan_models(&current, &Model::default(), &PlanOptions::default()).expect("plan");
    let descriptions: Vec<&str> = plan
        .steps
        .iter()
        .map(|step| step.description.as_str())
        .collect();
    let position = |needle: &str| descriptions.iter().position(|d| d.contains(needle));
    assert!(
        position("drop function") < position("drop table"),
        "{descriptions:#?}"
    );
}

fn hash_on(column: &str) -> Option<Distribution> {
    Some(Distribution::Hash {
        column: Ident::new(column),
        colocation: Colocation::Default,
        shard_count: None,
    })
}

/// Citus rebuilds the table for a concurrent distribution, a
/// redistribution and an undistribution, and drops the comments on it and
/// its parts: they are set again right after, in the same node.
#[test]
fn comments_are_restored_after_citus_rebuilds_a_table() {
    let mut commented = users();
    commented.comment = Some("People.".to_string());
    commented.columns[1].comment = Some("Where mail goes.".to_string());
    let mut distributed = commented.clone();
    distributed.distribution = hash_on("id");
    let plan = plan_text(
        &model(vec![commented.clone()]),
        &model(vec![distributed.clone()]),
    );
    let lines: Vec<&str> = plan
        .lines()
        .filter(|line| !line.starts_with("  "))
        .collect();
    assert_eq!(
        lines,
        vec![
            "no-tx SELECT create_distributed_table_concurrently('public.users', 'id')",
            "tx COMMENT ON TABLE public.users IS 'People.'",
            "tx COMMENT ON COLUMN public.users.email IS 'Where mail goes.'",
        ],
        "{plan}"
    );
    let plan = plan_text(&model(vec![distributed]), &model(vec![commented]));
    let lines: Vec<&str> = plan
        .lines()
        .filter(|line| !line.starts_with("  "))
        .collect();
    assert_eq!(
        lines,
        vec![
            "tx SELECT undistribute_table('public.users')",
            "tx COMMENT ON TABLE public.users IS 'People.'",
            "tx COMMENT ON COLUMN public.users.email IS 'Where mail goes.'",
        ],
        "{plan}"
    );
}

/// Citus refuses `ALTER SEQUENCE ... OWNED BY` once the table using the
/// sequence is distributed: a new table's sequence is attached first.
#[test]
fn a_sequence_is_owned_before_its_table_is_distributed() {
    let mut invoices = table(
        "invoices",
        vec![
            not_null(column("id", "bigint")),
            with_default(
                column("number", "bigint"),
                "nextval('public.invoice_seq'::regclass)",
            ),
        ],
    );
    invoices.distribution = hash_on("id");
    let mut desired = model(vec![invoices]);
    let name = QualifiedName::public("invoice_seq");
    desired.sequences.insert(
        name.clone(),
        Sequence {
            name,
            options: SequenceOptions::defaults(TypeName::new("bigint"), 1),
            owned_by: Some((QualifiedName::public("invoices"), Ident::new("number"))),
            comment: None,
            meta: Meta::default(),
        },
    );
    let plan = plan_text(&Model::default(), &desired);
    let owned = plan.find("OWNED BY public.invoices.number").expect(&plan);
    let distributed = plan
        .find("create_distributed_table('public.invoices'")
        .expect(&plan);
    assert!(owned < distributed, "{plan}");
}

#[test]
fn a_function_returning_a_row_type_is_replaced_after_its_table_changes() {
    let current = sql_model(
        "CREATE TABLE items (a int);\n\
         CREATE FUNCTION f() RETURNS items LANGUAGE sql AS $$ SELECT 1 $$;",
    );
    let desired = sql_model(
        "CREATE TABLE items (a int, b text);\n\
         CREATE FUNCTION f() RETURNS items LANGUAGE sql AS $$ SELECT 1, 'x' $$;",
    );
    let plan = plan_models(&current, &desired, &PlanOptions::default()).expect("plan");
    let descriptions: Vec<&str> = plan
        .steps
        .iter()
        .map(|step| step.description.as_str())
        .collect();
    let position = |needle: &str| descriptions.iter().position(|d| d.contains(needle));
    let added = position("public.items.b");
    let replaced = position("replace function public.f");
    assert!(
        added.is_some() && replaced.is_some() && added < replaced,
        "{descriptions:#?}"
    );
}

#[test]
fn objects_are_created_under_the_role_the_file_set() {
    let current = sql_model("CREATE TABLE kept (a int);\nCREATE FUNCTION g() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;");
    let desired = sql_model(
        "CREATE TABLE kept (a int, b int);\n\
         SET ROLE app_admin;\n\
         CREATE TABLE made (a int);\n\
         CREATE INDEX made_a_idx ON made (a);\n\
         CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;\n\
         RESET ROLE;\n\
         CREATE TABLE plain (a int);",
    );
    let plan = plan_models(&current, &desired, &PlanOptions::default()).expect("plan");
    let roles: Vec<(&str, Option<&str>)> = plan
        .steps
        .iter()
        .map(|step| {
            (
                step.description.as_str(),
                step.role.as_ref().map(|role| role.as_str()),
            )
        })
        .collect();
    // A new table is created (and owned) by the role; its index, the
    // in-place replacement of a function (which keeps its owner) and the
    // change of a kept table run as the applying user.
    insta::assert_debug_snapshot!(roles, @r#"
    [
        (
            "replace function public.g()",
            None,
        ),
        (
            "create table public.made",
            Some(
                "app_admin",
            ),
        ),
        (
            "create index made_a_idx on new table public.made",
            None,
        ),
        (
            "create table public.plain",
            None,
        ),
        (
            "add column public.kept.b",
            None,
        ),
    ]
    "#);
    let mut out = Vec::new();
    crate::render::sql::render(&plan, &mut out).expect("render");
    let text = String::from_utf8(out).expect("utf-8");
    assert!(
        text.contains("SET ROLE app_admin;\nCREATE TABLE public.made (a integer);\nRESET ROLE;\n"),
        "{text}"
    );
}

#[test]
fn an_index_name_freed_on_one_table_is_taken_on_another_after_the_drop() {
    let current = sql_model(
        "CREATE TABLE partitions (r int4range);\n\
         CREATE INDEX partitions_range_idx ON partitions USING gist (r);",
    );
    let desired = sql_model(
        "CREATE TABLE partition_stats (dtrange int4range);\n\
         CREATE INDEX partitions_range_idx ON partition_stats USING gist (dtrange);\n\
         CREATE TABLE partitions (r int4range);",
    );
    let plan = plan_models(&current, &desired, &PlanOptions::default()).expect("plan");
    let descriptions: Vec<&str> = plan
        .steps
        .iter()
        .map(|step| step.description.as_str())
        .collect();
    let position = |needle: &str| descriptions.iter().position(|d| d.contains(needle));
    let dropped = position("drop index public.partitions_range_idx");
    let created = position("create index partitions_range_idx on new table");
    assert!(
        dropped.is_some() && created.is_some() && dropped < created,
        "{descriptions:#?}"
    );
}

#[test]
fn a_trigger_keeps_its_transition_tables() {
    let current = sql_model(
        "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;\n\
         CREATE TABLE t (a int);\n\
         CREATE TRIGGER t_ins AFTER INSERT ON t FOR EACH STATEMENT EXECUTE FUNCTION f();",
    );
    let desired = sql_model(
        "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;\n\
         CREATE TABLE t (a int);\n\
         CREATE TRIGGER t_ins AFTER INSERT OR UPDATE ON t REFERENCING NEW TABLE AS newrows OLD TABLE oldrows FOR EACH STATEMENT EXECUTE FUNCTION f();",
    );
    let trigger = &desired.tables[&QualifiedName::public("t")].triggers[&Ident::new("t_ins")];
    assert_eq!(trigger.old_table, Some(Ident::new("oldrows")));
    assert_eq!(trigger.new_table, Some(Ident::new("newrows")));
    let plan = plan_models(&current, &desired, &PlanOptions::default()).expect("plan");
    let sql: Vec<&str> = plan.steps.iter().map(|step| step.sql.as_str()).collect();
    assert!(
        sql.iter().any(|sql| sql.contains(
            "AFTER INSERT OR UPDATE ON public.t REFERENCING OLD TABLE AS oldrows NEW TABLE AS newrows FOR EACH STATEMENT"
        )),
        "{sql:#?}"
    );
}

#[test]
fn a_replaced_function_keeps_its_set_options_in_the_order_written() {
    let current = sql_model(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path TO 'app', 'public' SET cursor_tuple_fraction TO '1' AS $$ SELECT 1 $$;",
    );
    let desired = sql_model(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path TO 'app', 'public' SET cursor_tuple_fraction TO '1' AS $$ SELECT 2 $$;",
    );
    let plan = plan_models(&current, &desired, &PlanOptions::default()).expect("plan");
    assert_eq!(plan.steps.len(), 1);
    assert!(
        plan.steps[0]
            .sql
            .contains("SET search_path = app, public SET cursor_tuple_fraction = 1"),
        "{}",
        plan.steps[0].sql
    );
    // The order alone is no change (PostgreSQL's settings do not depend on it).
    let reordered = sql_model(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET cursor_tuple_fraction TO '1' SET search_path TO 'app', 'public' AS $$ SELECT 1 $$;",
    );
    assert!(plan_models(&current, &reordered, &PlanOptions::default())
        .expect("plan")
        .is_empty());
}

#[test]
fn a_function_keeps_its_cost_and_rows() {
    let current = sql_model(
        "CREATE FUNCTION f(x jsonb) RETURNS float8 LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT 1 $$;",
    );
    let desired = sql_model(
        "CREATE FUNCTION f(x jsonb) RETURNS float8 LANGUAGE sql IMMUTABLE STRICT COST 5000 AS $$ SELECT 1 $$;",
    );
    let plan = plan_models(&current, &desired, &PlanOptions::default()).expect("plan");
    assert_eq!(plan.steps.len(), 1, "{:#?}", plan.steps);
    assert!(
        plan.steps[0].sql.contains(" COST 5000 "),
        "{}",
        plan.steps[0].sql
    );
    // The defaults written out are no change: 100 for SQL, 1000 rows for a set.
    let set = |extra: &str| {
        sql_model(&format!(
            "CREATE FUNCTION g() RETURNS SETOF int LANGUAGE sql {extra} AS $$ SELECT 1 $$;"
        ))
    };
    assert!(plan_models(
        &set(""),
        &set("COST 100 ROWS 1000"),
        &PlanOptions::default()
    )
    .expect("plan")
    .is_empty());
    let plan = plan_models(&set(""), &set("ROWS 5"), &PlanOptions::default()).expect("plan");
    assert!(
        plan.steps[0].sql.contains(" ROWS 5 "),
        "{}",
        plan.steps[0].sql
    );
}

/// Found by the corpus (pgstac 011->012): changing a generated column's
/// expression drops and adds the column (PostgreSQL before 17), which
/// drops the primary key and indexes over it; they are added back in the
/// same transaction.
#[test]
fn a_regenerated_column_gets_its_primary_key_and_indexes_back() {
    let current = sql_model(
        "CREATE TABLE s (search jsonb NOT NULL, meta jsonb NOT NULL DEFAULT '{}',\n\
         hash text GENERATED ALWAYS AS (md5(search::text)) STORED PRIMARY KEY);\n\
         CREATE INDEX s_hash_idx ON s (hash, search);",
    );
    let desired = sql_model(
        "CREATE TABLE s (search jsonb NOT NULL, meta jsonb NOT NULL DEFAULT '{}',\n\
         hash text GENERATED ALWAYS AS (md5(search::text || meta::text)) STORED PRIMARY KEY);\n\
         CREATE INDEX s_hash_idx ON s (hash, search);",
    );
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
tx ALTER TABLE public.s DROP COLUMN hash
+tx ALTER TABLE public.s ADD COLUMN hash text GENERATED ALWAYS AS (md5(search::TEXT || meta::TEXT)) STORED NOT NULL
  ! table-rewrite
  ! long-lock
+tx ALTER TABLE public.s ADD CONSTRAINT s_pkey PRIMARY KEY (hash)
+tx CREATE INDEX s_hash_idx ON public.s USING btree (hash, search)
"#);
}

#[test]
fn a_trigger_moved_to_a_new_function_is_recreated_before_the_old_one_is_dropped() {
    // pgstac 019 -> 020: the new function reads a table that is dropped
    // and created again (its partitioning changed), so it comes late; the
    // trigger is recreated after it, and the old function, which the old
    // trigger uses until then, is dropped after that.
    let current = sql_model(
        "CREATE TABLE items (a int, b int) PARTITION BY RANGE (a);\n\
         CREATE TABLE staging (content jsonb);\n\
         CREATE FUNCTION staging_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO items VALUES (1, 1); RETURN NULL; END $$;\n\
         CREATE TRIGGER staging_ins AFTER INSERT ON staging FOR EACH STATEMENT EXECUTE FUNCTION staging_insert();",
    );
    let desired = sql_model(
        "CREATE TABLE items (a int, b int) PARTITION BY LIST (b);\n\
         CREATE TABLE staging (content jsonb);\n\
         CREATE FUNCTION staging_trigger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO items VALUES (1, 1); RETURN NULL; END $$;\n\
         CREATE TRIGGER staging_ins AFTER INSERT ON staging FOR EACH STATEMENT EXECUTE FUNCTION staging_trigger();",
    );
    let plan = plan_models(&current, &desired, &PlanOptions::default()).expect("plan");
    let descriptions: Vec<&str> = plan
        .steps
        .iter()
        .map(|step| step.description.as_str())
        .collect();
    let position = |needle: &str| {
        descriptions
            .iter()
            .position(|d| d.contains(needle))
            .unwrap_or_else(|| panic!("no step {needle}: {descriptions:#?}"))
    };
    let created = position("create function public.staging_trigger()");
    let recreated = position("create trigger staging_ins");
    let dropped = position("drop function public.staging_insert()");
    assert!(
        created < recreated && recreated < dropped,
        "{descriptions:#?}"
    );
}

/// The positions of the steps whose descriptions contain each needle.
fn step_positions(plan: &crate::plan::Plan, needles: &[&str]) -> Vec<Option<usize>> {
    needles
        .iter()
        .map(|needle| {
            plan.steps
                .iter()
                .position(|step| step.description.contains(needle))
        })
        .collect()
}

#[test]
fn an_old_overload_returning_a_recreated_table_is_dropped_before_the_table() {
    // pgstac 019 -> 020: items is created again (its partitioning
    // changes) and item_by_id(text) gets a new overload returning the new
    // items. PostgreSQL records that the old overload returns the old
    // items, so it goes first; creating the new overload first would be a
    // cycle (it needs the new items).
    let current = sql_model(
        "CREATE TABLE items (id text, dt timestamptz) PARTITION BY RANGE (dt);\n\
         CREATE FUNCTION item_by_id(_id text) RETURNS items LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;",
    );
    let desired = sql_model(
        "CREATE TABLE items (id text, collection text) PARTITION BY LIST (collection);\n\
         CREATE FUNCTION item_by_id(_id text, _collection text DEFAULT NULL) RETURNS items LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;",
    );
    let plan = plan_models(&current, &desired, &PlanOptions::default()).expect("plan");
    let positions = step_positions(
        &plan,
        &[
            "drop function public.item_by_id(text)",
            "drop table public.items",
            "create table public.items",
            "create function public.item_by_id(text, text)",
        ],
    );
    let descriptions: Vec<&str> = plan.steps.iter().map(|s| s.description.as_str()).collect();
    assert!(positions.iter().all(Option::is_some), "{descriptions:#?}");
    assert!(positions.is_sorted(), "{descriptions:#?}");
}

#[test]
fn a_generated_column_waits_only_for_the_overload_its_call_takes() {
    // pgstac 020's collections: base_item calls collection_base_item on a
    // jsonb column; the (text) overload reads the table, so waiting for
    // every overload of the name would be a cycle.
    let desired = sql_model(
        "CREATE FUNCTION base(content jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$ SELECT content $$;\n\
         CREATE TABLE c (id text, content jsonb, base_item jsonb GENERATED ALWAYS AS (base(content)) STORED);\n\
         CREATE FUNCTION base(cid text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$ SELECT base(content) FROM c WHERE id = cid $$;",
    );
    let plan = plan_models(&Model::default(), &desired, &PlanOptions::default()).expect("plan");
    let positions = step_positions(
        &plan,
        &[
            "create function public.base(jsonb)",
            "create table public.c",
            "create function public.base(text)",
        ],
    );
    let descriptions: Vec<&str> = plan.steps.iter().map(|s| s.description.as_str()).collect();
    assert!(positions.iter().all(Option::is_some), "{descriptions:#?}");
    assert!(positions.is_sorted(), "{descriptions:#?}");
}

#[test]
fn statistics_of_a_recreated_table_are_created_again() {
    let current = sql_model(
        "CREATE TABLE items (id text, dt timestamptz) PARTITION BY RANGE (dt);\n\
         CREATE STATISTICS dt_stats (dependencies) ON id, dt FROM items;",
    );
    let desired = sql_model(
        "CREATE TABLE items (id text, dt timestamptz) PARTITION BY LIST (id);\n\
         CREATE STATISTICS dt_stats (dependencies) ON id, dt FROM items;",
    );
    let plan = plan_models(&current, &desired, &PlanOptions::default()).expect("plan");
    let positions = step_positions(&plan, &["create table public.items", "dt_stats"]);
    let descriptions: Vec<&str> = plan.steps.iter().map(|s| s.description.as_str()).collect();
    assert!(positions.iter().all(Option::is_some), "{descriptions:#?}");
    assert!(positions.is_sorted(), "{descriptions:#?}");
}

/// A change set is planned in slices on several threads, joined in change
/// order: the plan is the one a single thread makes, from empty, to empty
/// and between schemas that differ in many tables (creations, drops,
/// added columns, changed indexes and constraints).
#[test]
fn a_large_change_set_plans_alike_on_any_number_of_threads() {
    use crate::synth::{self, Form, Variant};
    let load = |n_tables, variant| {
        let sources = synth::source_set(n_tables, variant, Form::Schema);
        crate::frontend::load(&sources).value
    };
    let base = load(400, Variant::Base);
    let changed = load(400, Variant::Changed);
    // A schema that keeps every other table of `base` and changes the
    // rest as `changed` does: drops, creations and alterations.
    let mut mixed = changed.clone();
    mixed.tables.retain(|name, _| name.name.as_str() < "t00200");
    let pairs = [
        (Model::default(), base.clone()),
        (base.clone(), changed.clone()),
        (base.clone(), mixed),
        (changed, Model::default()),
    ];
    for (current, desired) in &pairs {
        let changes = crate::diff::diff(current, desired);
        assert!(
            changes.changes.len() >= 80,
            "{} changes",
            changes.changes.len()
        );
        let ctx = super::PlanCtx::new(current, desired, PlanOptions::default());
        let one = super::plan_on(&changes, &ctx, 1);
        assert!(one.as_ref().is_ok_and(|plan| !plan.steps.is_empty()));
        for threads in [2, 3, 4, 7] {
            assert_eq!(
                super::plan_on(&changes, &ctx, threads),
                one,
                "{threads} threads"
            );
        }
    }
}
