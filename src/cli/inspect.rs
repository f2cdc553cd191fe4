//! `schemac inspect --db URL [--format schema|sql]`: a live database as
//! `.schema` source (the canonical printer,
//! [`crate::frontend::dsl::print_model`]) or as an SQL script: the
//! statements of its from-empty plan, each terminated, without the
//! plan's transaction wrapping (a schema source, runnable with psql).
//!
//! The database is read by [`crate::live::inspect`].
//!
//! Invariants: stdout gets only the source; notes go to stderr. The
//! database is only read (one introspection snapshot). schemac's own
//! history schema and INVALID indexes are left out, as `plan --db` leaves
//! them out, so that planning the printed source against the same
//! database gives an empty plan. The connection string is never printed.
//! No schemac.toml is read: `--db`, else `DATABASE_URL`, is all the
//! command needs.

use super::{block_on, CliError, ExitStatus};
use crate::config::Database;
use crate::frontend::dsl::print_model;
use crate::live;
use crate::live::ConnParams;
use crate::model::Model;
use crate::plan::{plan_models, PlanOptions};
use crate::render;
use clap::{Args, ValueEnum};
use std::io::{self, Write};

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The database: a postgres:// URL or a key=value string [default:
    /// $DATABASE_URL].
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,

    /// What to print.
    #[arg(long, value_enum, default_value_t = InspectFormat::Schema)]
    pub format: InspectFormat,

    /// Only these schemas (glob; repeat for several) [default: every
    /// schema except the system ones].
    #[arg(long = "schema", value_name = "NAME")]
    pub schemas: Vec<String>,

    /// Leave out these schemas (glob; repeat for several).
    #[arg(long = "exclude-schema", value_name = "NAME")]
    pub exclude_schemas: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    /// `.schema` source, canonically formatted.
    Schema,
    /// An SQL script that creates the schema in an empty database.
    Sql,
}

/// Runs `schemac inspect`.
pub fn run(args: &InspectArgs) -> Result<ExitStatus, CliError> {
    let database = Database::load(args.db.as_deref(), true);
    let url = database.url().ok_or(CliError::NeedsDatabase {
        flag: "db",
        help: "pass --db URL or set DATABASE_URL",
    })?;
    let mut filter = live::filter();
    filter.include_schemas = args.schemas.clone();
    filter
        .exclude_schemas
        .extend(args.exclude_schemas.iter().cloned());
    let read_stage = crate::timings::stage("introspect");
    let inspected = block_on(async {
        let conn = ConnParams::parse(url.expose_secret())?;
        live::inspect(&conn, &filter).await.map_err(CliError::from)
    })?;
    let mut stderr = io::stderr();
    for note in &inspected.notes {
        writeln!(stderr, "note: {note}")?;
    }
    drop(read_stage);
    let text = crate::timings::time("print", || render_model(&inspected.model, args.format))?;
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    // The command ends here: the memory goes back with the process,
    // faster than freeing the Model node by node.
    std::mem::forget((inspected, text));
    Ok(ExitStatus::Success)
}

/// The Model in the chosen format.
pub fn render_model(model: &Model, format: InspectFormat) -> Result<String, CliError> {
    match format {
        InspectFormat::Schema => Ok(print_model(model)),
        InspectFormat::Sql => {
            let options = PlanOptions {
                online: false,
                ..PlanOptions::default()
            };
            let plan = plan_models(&Model::default(), model, &options)?;
            let mut out = String::from("-- Schema printed by schemac inspect.\n");
            for note in &plan.notes {
                out.push_str(&format!("-- Note: {}\n", note.replace(['\r', '\n'], " ")));
            }
            for step in &plan.steps {
                out.push('\n');
                out.push_str(&render::sql::terminated(&step.sql));
                out.push('\n');
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, Ident, QualifiedName, Table, TypeName};
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: InspectArgs,
    }

    fn sample() -> Model {
        let mut model = Model::default();
        let mut table = Table::new(QualifiedName::public("accounts"));
        table
            .columns
            .push(Column::new(Ident::new("id"), TypeName("bigint".into())));
        model.tables.insert(table.name.clone(), table);
        model
    }

    #[test]
    fn flags_parse() {
        let parsed = Wrapper::try_parse_from([
            "inspect",
            "--db",
            "postgresql://u@h/db",
            "--format",
            "sql",
            "--schema",
            "app*",
            "--exclude-schema",
            "app_old",
        ])
        .expect("valid flags");
        assert_eq!(parsed.args.format, InspectFormat::Sql);
        assert_eq!(parsed.args.schemas, vec!["app*".to_string()]);
        assert_eq!(parsed.args.exclude_schemas, vec!["app_old".to_string()]);
    }

    #[test]
    fn prints_schema_and_sql() {
        let model = sample();
        let schema = render_model(&model, InspectFormat::Schema).expect("prints");
        assert!(schema.contains("table accounts"), "{schema}");
        let sql = render_model(&model, InspectFormat::Sql).expect("prints");
        assert!(sql.contains("CREATE TABLE public.accounts"), "{sql}");
        assert!(!sql.contains("BEGIN;"), "{sql}");
        assert!(sql.trim_end().ends_with(';'), "{sql}");
    }
}
