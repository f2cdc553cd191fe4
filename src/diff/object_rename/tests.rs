//! Rename hints on schemas, enums, domains, sequences, views, functions
//! and triggers: planned as `ALTER ... RENAME TO`, with everything that
//! follows the renamed object compared in the new names.

use crate::frontend;
use crate::model::Model;
use crate::plan::strategy::test_support::plan_text;
use crate::source::{FileId, Language, SourceFile, SourceSet};
use std::path::PathBuf;

fn load(language: Language, text: &str) -> Model {
    let name = match language {
        Language::Schema => "t.schema",
        Language::Sql => "t.sql",
    };
    let sources = SourceSet {
        files: vec![SourceFile::new(
            FileId(0),
            PathBuf::from(name),
            text.to_string(),
            language,
        )],
    };
    let parsed = frontend::load(&sources);
    let errors: Vec<String> = parsed
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    parsed.value
}

fn schema(text: &str) -> Model {
    load(Language::Schema, text)
}

fn sql(text: &str) -> Model {
    load(Language::Sql, text)
}

#[test]
fn sequence_enum_domain_and_view_are_renamed_not_rebuilt() {
    let current = schema(
        "enum mood { happy, sad }
        domain posint as integer check (value > 0)
        sequence counter start 5
        table t {
          id integer not null default nextval('counter')
          m mood
          n posint
        }
        view v as select id from t;",
    );
    let desired = schema(
        "enum feeling was mood { happy, sad }
        domain positive was posint as integer check (value > 0)
        sequence ticket was counter start 5
        table t {
          id integer not null default nextval('ticket')
          m feeling
          n positive
        }
        view w was v as select id from t;",
    );
    insta::assert_snapshot!(plan_text(&current, &desired), @r"
    tx ALTER DOMAIN public.posint RENAME TO positive
    tx ALTER TYPE public.mood RENAME TO feeling
    tx ALTER SEQUENCE public.counter RENAME TO ticket
    tx ALTER VIEW public.v RENAME TO w
    tx ALTER DOMAIN public.positive DROP CONSTRAINT posint_check
    tx ALTER DOMAIN public.positive ADD CONSTRAINT positive_check CHECK (value > 0) NOT VALID
    tx ALTER DOMAIN public.positive VALIDATE CONSTRAINT positive_check
      ! full-scan
    ");
}

/// Issue 11: composite types are renamed too, in both notations, and a
/// qualified `.sql` hint (`schema.name`) names the old object.
#[test]
fn composite_types_are_renamed_not_rebuilt() {
    let current = schema(
        "type money_pair (amount numeric, currency text)
        table t {
          id integer not null
          price money_pair
        }",
    );
    let desired = schema(
        "type price was money_pair (amount numeric, currency text)
        table t {
          id integer not null
          price price
        }",
    );
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
tx ALTER TYPE public.money_pair RENAME TO price
"#);
    let current = sql("CREATE SCHEMA app;
        CREATE TYPE app.pair AS (a integer, b text);
        CREATE TABLE app.t (id integer, p app.pair);");
    let desired = sql("CREATE SCHEMA app;
        -- schemac:was app.pair
        CREATE TYPE app.couple AS (a integer, b text);
        CREATE TABLE app.t (id integer, p app.couple);");
    insta::assert_snapshot!(plan_text(&current, &desired), @r#"
tx ALTER TYPE app.pair RENAME TO couple
"#);
}

#[test]
fn function_trigger_and_schema_are_renamed() {
    let current = sql("CREATE SCHEMA app;
        CREATE TABLE app.t (id integer);
        CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ begin return new; end $$;
        CREATE TRIGGER t_touch BEFORE UPDATE ON app.t FOR EACH ROW EXECUTE FUNCTION app.touch();");
    let desired = sql("-- schemac:was app
        CREATE SCHEMA core;
        CREATE TABLE core.t (id integer);
        -- schemac:was touch
        CREATE FUNCTION core.stamp() RETURNS trigger LANGUAGE plpgsql AS $$ begin return new; end $$;
        /* schemac:was t_touch */
        CREATE TRIGGER t_stamp BEFORE UPDATE ON core.t FOR EACH ROW EXECUTE FUNCTION core.stamp();");
    insta::assert_snapshot!(plan_text(&current, &desired), @r"
    tx ALTER SCHEMA app RENAME TO core
    tx ALTER FUNCTION core.touch() RENAME TO stamp
    tx ALTER TRIGGER t_touch ON core.t RENAME TO t_stamp
    ");
}

#[test]
fn without_a_hint_a_rename_is_a_drop_and_a_create() {
    let current = schema("sequence counter start 5");
    let desired = schema("sequence ticket start 5");
    let plan = plan_text(&current, &desired);
    assert!(plan.contains("DROP SEQUENCE public.counter"), "{plan}");
    assert!(!plan.contains("RENAME"), "{plan}");
}

#[test]
fn a_hint_whose_old_object_is_gone_creates_the_object() {
    let current = schema("sequence other start 5");
    let desired = schema("sequence ticket was counter start 5\nsequence other start 5");
    let plan = plan_text(&current, &desired);
    assert!(plan.contains("CREATE SEQUENCE public.ticket"), "{plan}");
    assert!(!plan.contains("RENAME"), "{plan}");
}
