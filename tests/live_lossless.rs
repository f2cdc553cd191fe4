//! Live PostgreSQL: changes that have a lossless plan never lose rows.
//!
//! Each case builds a current schema with psql in its own database
//! ([`common::TestDb`], dropped on `Drop`), seeds rows, plans the desired
//! schema through `schemac::live::plan_against_db` (what `plan --db`
//! does, shadow database included), checks that no step carries the
//! `data-loss` hazard, applies the plan with the real executor, and then
//! requires that a second `plan --db` is empty and that every seeded row
//! (and value) is still there.
//!
//! Cases: a standalone table attached as a partition (and the reverse),
//! and `was` rename hints on sequences, enums, views, functions with
//! their triggers, and schemas.
//!
//! Needs a server: `SCHEMAC_TEST_DATABASE_URL` (default
//! `postgresql://postgres@127.0.0.1:5432/postgres`); fails with
//! instructions when none answers.

mod common;

use common::TestDb;
use schemac::apply::{self, ApplyOptions};
use schemac::config::AllowedHazards;
use schemac::live::{self, ConnParams, LiveOptions};
use schemac::model::Model;
use schemac::plan::{Hazard, Plan};
use schemac::source::{FileId, Language, SourceFile, SourceSet};
use std::path::PathBuf;
use std::time::Duration;
use tokio_postgres::Client;

/// The desired schema from one source text (`.schema` or `.sql`).
fn desired(language: Language, text: &str) -> Model {
    let ext = match language {
        Language::Schema => "schema",
        Language::Sql => "sql",
    };
    let sources = SourceSet {
        files: vec![SourceFile::new(
            FileId(0),
            PathBuf::from(format!("desired.{ext}")),
            text.to_string(),
            language,
        )],
    };
    common::load_sources(&sources)
        .unwrap_or_else(|err| panic!("the desired schema does not load:\n{err}"))
}

fn describe(plan: &Plan) -> String {
    plan.steps
        .iter()
        .map(|step| format!("{}\n", step.sql))
        .collect()
}

async fn plan_db(db: &TestDb, desired: &Model) -> Plan {
    let conn = ConnParams::parse(db.url())
        .unwrap_or_else(|err| panic!("test database URL does not parse: {err}"));
    live::plan_against_db(&conn, desired, &LiveOptions::default())
        .await
        .unwrap_or_else(|err| panic!("plan --db failed: {err}\n{err:?}"))
        .plan
}

async fn connect(db: &TestDb) -> Client {
    let (client, _connection) = live::connect(db.url())
        .await
        .unwrap_or_else(|err| panic!("cannot connect to the test database: {err}"));
    client
}

/// Plans, refuses data loss, applies, and requires an empty second plan.
async fn converge_without_loss(db: &TestDb, desired: &Model) -> Plan {
    let plan = plan_db(db, desired).await;
    let lossy: Vec<String> = plan
        .steps
        .iter()
        .filter(|step| step.hazards.iter().any(|h| h.hazard == Hazard::DataLoss))
        .map(|step| step.sql.clone())
        .collect();
    assert!(
        lossy.is_empty(),
        "the plan loses data:\n{}\nwhole plan:\n{}",
        lossy.join("\n"),
        describe(&plan)
    );
    let mut client = connect(db).await;
    // Convergence is checked below with a second `plan --db`, which
    // normalises the desired schema in a shadow database as `apply --db`
    // does (the executor's own check would compare the raw file text).
    let options = ApplyOptions {
        allowed_hazards: AllowedHazards::All,
        verify: None,
        wait_poll_interval: Duration::from_millis(50),
        ..ApplyOptions::default()
    };
    apply::apply(&plan, &mut client, &options)
        .await
        .unwrap_or_else(|err| panic!("apply failed: {err}\n{err:?}\nplan:\n{}", describe(&plan)));
    let again = plan_db(db, desired).await;
    assert!(
        again.steps.is_empty(),
        "the second plan is not empty:\n{}\nfirst plan:\n{}",
        describe(&again),
        describe(&plan)
    );
    plan
}

fn query(db: &TestDb, sql: &str) -> Vec<String> {
    db.query(sql).unwrap_or_else(|err| panic!("{sql}: {err}"))
}

fn setup(sql: &str) -> TestDb {
    let db = TestDb::create();
    db.run_sql(sql)
        .unwrap_or_else(|err| panic!("setting up the current schema failed: {err}"));
    db
}

const EVENTS: &str = "
CREATE TABLE events (
    id bigint NOT NULL,
    created_at timestamptz NOT NULL,
    payload text
) PARTITION BY RANGE (created_at);
CREATE INDEX events_created_at_idx ON events (created_at);
CREATE TABLE events_2025 PARTITION OF events
    FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2026-01-01 00:00:00+00');
";

#[tokio::test]
async fn a_populated_table_is_attached_as_a_partition_with_its_rows() {
    let db = setup(&format!(
        "{EVENTS}
        CREATE TABLE events_2026 (
            id bigint NOT NULL,
            created_at timestamptz NOT NULL,
            payload text
        );
        INSERT INTO events_2026
            SELECT g, '2026-01-01 00:00:00+00'::timestamptz + g * interval '10 minutes', 'p' || g
            FROM generate_series(1, 500) AS g;"
    ));
    let desired = desired(
        Language::Sql,
        &format!(
            "{EVENTS}
            CREATE TABLE events_2026 PARTITION OF events
                FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2027-01-01 00:00:00+00');"
        ),
    );
    let plan = converge_without_loss(&db, &desired).await;
    let sql = describe(&plan);
    for expected in [
        "ADD CONSTRAINT events_2026_bound CHECK",
        "NOT VALID",
        "VALIDATE CONSTRAINT events_2026_bound",
        "ATTACH PARTITION public.events_2026",
        "DROP CONSTRAINT events_2026_bound",
        "CREATE INDEX CONCURRENTLY",
    ] {
        assert!(
            sql.contains(expected),
            "no `{expected}` in the plan:\n{sql}"
        );
    }
    assert_eq!(
        query(
            &db,
            "SELECT count(*), count(DISTINCT payload) FROM events WHERE created_at >= '2026-01-01'"
        ),
        vec!["500|500"]
    );
    assert_eq!(
        query(
            &db,
            "SELECT count(*) FROM pg_inherits WHERE inhrelid = 'events_2026'::regclass"
        ),
        vec!["1"]
    );
}

#[tokio::test]
async fn a_table_that_does_not_fit_its_parent_is_refused_not_dropped() {
    let db = setup(&format!(
        "{EVENTS}
        CREATE TABLE events_2026 (id integer NOT NULL, created_at timestamptz NOT NULL, payload text);
        INSERT INTO events_2026 VALUES (1, '2026-02-01', 'kept');"
    ));
    let desired = desired(
        Language::Sql,
        &format!(
            "{EVENTS}
            CREATE TABLE events_2026 PARTITION OF events
                FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2027-01-01 00:00:00+00');"
        ),
    );
    let conn = ConnParams::parse(db.url()).expect("test URL parses");
    let err = match live::plan_against_db(&conn, &desired, &LiveOptions::default()).await {
        Ok(live) => panic!("planned instead of refusing:\n{}", describe(&live.plan)),
        Err(err) => err.to_string(),
    };
    assert!(
        err.contains("events_2026") && err.contains("column id is integer but bigint"),
        "the refusal does not say why: {err}"
    );
    assert_eq!(query(&db, "SELECT payload FROM events_2026"), vec!["kept"]);
}

#[tokio::test]
async fn a_partition_declared_standalone_is_detached_with_its_rows() {
    let db = setup(&format!(
        "{EVENTS}
        INSERT INTO events
            SELECT g, '2025-01-01 00:00:00+00'::timestamptz + g * interval '10 minutes', 'p' || g
            FROM generate_series(1, 500) AS g;"
    ));
    let desired = desired(
        Language::Sql,
        "CREATE TABLE events (
            id bigint NOT NULL,
            created_at timestamptz NOT NULL,
            payload text
        ) PARTITION BY RANGE (created_at);
        CREATE INDEX events_created_at_idx ON events (created_at);
        CREATE TABLE events_2025 (
            id bigint NOT NULL,
            created_at timestamptz NOT NULL,
            payload text
        );
        CREATE INDEX events_2025_created_at_idx ON events_2025 (created_at);",
    );
    let plan = converge_without_loss(&db, &desired).await;
    assert!(
        describe(&plan).contains("DETACH PARTITION public.events_2025 CONCURRENTLY"),
        "not detached concurrently:\n{}",
        describe(&plan)
    );
    assert_eq!(
        query(
            &db,
            "SELECT count(*), count(DISTINCT payload) FROM events_2025"
        ),
        vec!["500|500"]
    );
    assert_eq!(query(&db, "SELECT count(*) FROM events"), vec!["0"]);
}

#[tokio::test]
async fn was_hints_rename_a_sequence_an_enum_and_a_view_keeping_values() {
    let db = setup(
        "CREATE TYPE mood AS ENUM ('happy', 'sad');
        CREATE SEQUENCE counter;
        CREATE TABLE people (
            id integer NOT NULL DEFAULT nextval('counter'),
            m mood NOT NULL
        );
        INSERT INTO people (m) SELECT CASE WHEN g % 2 = 0 THEN 'happy'::mood ELSE 'sad'::mood END
            FROM generate_series(1, 42) AS g;
        CREATE VIEW happy AS SELECT id FROM people WHERE m = 'happy';",
    );
    let desired = desired(
        Language::Schema,
        "enum feeling was mood { happy, sad }
        sequence ticket was counter
        table people {
          id integer not null default nextval('ticket')
          m  feeling not null
        }
        view glad was happy as select id from people where m = 'happy';",
    );
    let plan = converge_without_loss(&db, &desired).await;
    let sql = describe(&plan);
    for expected in [
        "ALTER TYPE public.mood RENAME TO feeling",
        "ALTER SEQUENCE public.counter RENAME TO ticket",
        "ALTER VIEW public.happy RENAME TO glad",
    ] {
        assert!(
            sql.contains(expected),
            "no `{expected}` in the plan:\n{sql}"
        );
    }
    assert_eq!(plan.steps.len(), 3, "more than the renames:\n{sql}");
    // The sequence kept its value, the column its values.
    assert_eq!(query(&db, "SELECT last_value FROM ticket"), vec!["42"]);
    assert_eq!(
        query(&db, "SELECT m, count(*) FROM people GROUP BY m ORDER BY m"),
        vec!["happy|21", "sad|21"]
    );
    assert_eq!(query(&db, "SELECT count(*) FROM glad"), vec!["21"]);
    db.run_sql("INSERT INTO people (m) VALUES ('sad')")
        .expect("insert after the rename");
    assert_eq!(query(&db, "SELECT max(id) FROM people"), vec!["43"]);
}

#[tokio::test]
async fn was_hints_in_sql_rename_a_schema_a_function_and_its_trigger() {
    let db = setup(
        "CREATE SCHEMA app;
        CREATE TABLE app.notes (id integer NOT NULL, body text, touched boolean NOT NULL DEFAULT false);
        CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ begin new.touched := true; return new; end $$;
        CREATE TRIGGER notes_touch BEFORE UPDATE ON app.notes FOR EACH ROW EXECUTE FUNCTION app.touch();
        INSERT INTO app.notes (id, body) SELECT g, 'n' || g FROM generate_series(1, 100) AS g;",
    );
    let desired = desired(
        Language::Sql,
        "-- schemac:was app
        CREATE SCHEMA core;
        CREATE TABLE core.notes (id integer NOT NULL, body text, touched boolean NOT NULL DEFAULT false);
        -- schemac:was touch
        CREATE FUNCTION core.stamp() RETURNS trigger LANGUAGE plpgsql AS $$ begin new.touched := true; return new; end $$;
        -- schemac:was notes_touch
        CREATE TRIGGER notes_stamp BEFORE UPDATE ON core.notes FOR EACH ROW EXECUTE FUNCTION core.stamp();",
    );
    let plan = converge_without_loss(&db, &desired).await;
    let sql = describe(&plan);
    for expected in [
        "ALTER SCHEMA app RENAME TO core",
        "ALTER FUNCTION core.touch() RENAME TO stamp",
        "ALTER TRIGGER notes_touch ON core.notes RENAME TO notes_stamp",
    ] {
        assert!(
            sql.contains(expected),
            "no `{expected}` in the plan:\n{sql}"
        );
    }
    assert_eq!(plan.steps.len(), 3, "more than the renames:\n{sql}");
    assert_eq!(
        query(&db, "SELECT count(*), count(DISTINCT body) FROM core.notes"),
        vec!["100|100"]
    );
    // The renamed trigger still calls the renamed function.
    db.run_sql("UPDATE core.notes SET body = body || '!' WHERE id <= 10")
        .expect("update after the rename");
    assert_eq!(
        query(&db, "SELECT count(*) FROM core.notes WHERE touched"),
        vec!["10"]
    );
}

#[tokio::test]
async fn was_hints_rename_composite_types_and_qualified_sql_hints_rename_tables() {
    let db = setup(
        "CREATE SCHEMA app;
        CREATE TYPE app.pair AS (a integer, b text);
        CREATE TABLE app.items (id integer NOT NULL, p app.pair);
        INSERT INTO app.items SELECT g, ROW(g, 'b' || g)::app.pair FROM generate_series(1, 30) AS g;",
    );
    let desired = desired(
        Language::Sql,
        "CREATE SCHEMA app;
        -- schemac:was app.pair
        CREATE TYPE app.couple AS (a integer, b text);
        -- schemac:was app.items
        CREATE TABLE app.things (id integer NOT NULL, p app.couple);",
    );
    let plan = converge_without_loss(&db, &desired).await;
    let sql = describe(&plan);
    for expected in [
        "ALTER TYPE app.pair RENAME TO couple",
        "ALTER TABLE app.items RENAME TO things",
    ] {
        assert!(
            sql.contains(expected),
            "no `{expected}` in the plan:\n{sql}"
        );
    }
    assert_eq!(plan.steps.len(), 2, "more than the renames:\n{sql}");
    assert_eq!(
        query(&db, "SELECT count(*), sum((p).a) FROM app.things"),
        vec!["30|465"]
    );
}

/// Issue 11: partition indexes keep the names the source gives them
/// (pg_dump's `CREATE INDEX child ...` + `ALTER INDEX parent ATTACH
/// PARTITION child`), for a new partitioned table and for a new index on
/// an existing one.
#[tokio::test]
async fn partition_indexes_keep_the_names_the_source_gives_them() {
    let db = setup(
        "CREATE TABLE public.logs (id bigint NOT NULL, at date NOT NULL, body text) PARTITION BY RANGE (at);
        CREATE TABLE public.logs_2025 PARTITION OF public.logs FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        INSERT INTO public.logs SELECT g, DATE '2025-01-01' + g, 'b' || g FROM generate_series(1, 200) AS g;",
    );
    let desired = desired(
        Language::Sql,
        "CREATE TABLE public.logs (id bigint NOT NULL, at date NOT NULL, body text) PARTITION BY RANGE (at);
        CREATE TABLE public.logs_2025 (id bigint NOT NULL, at date NOT NULL, body text);
        ALTER TABLE ONLY public.logs ATTACH PARTITION public.logs_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE INDEX logs_at_idx ON ONLY public.logs USING btree (at);
        CREATE INDEX l25_at ON public.logs_2025 USING btree (at);
        ALTER INDEX public.logs_at_idx ATTACH PARTITION public.l25_at;
        CREATE TABLE public.events (id bigint NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
        CREATE TABLE public.events_2025 (id bigint NOT NULL, at date NOT NULL);
        ALTER TABLE ONLY public.events ATTACH PARTITION public.events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE INDEX events_at_idx ON ONLY public.events USING btree (at);
        CREATE INDEX e25_at ON public.events_2025 USING btree (at);
        ALTER INDEX public.events_at_idx ATTACH PARTITION public.e25_at;",
    );
    converge_without_loss(&db, &desired).await;
    assert_eq!(
        query(
            &db,
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('i', 'I') ORDER BY 1"
        ),
        vec!["e25_at", "events_at_idx", "l25_at", "logs_at_idx"]
    );
    assert_eq!(query(&db, "SELECT count(*) FROM public.logs"), vec!["200"]);
}
