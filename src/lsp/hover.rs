//! Hover: the object under the cursor (a table and what it holds:
//! column, index, constraint, policy, trigger, rule, extended statistics;
//! a view or materialized view; a function or procedure; an enum, domain
//! or composite type; a sequence, schema or extension) with what matters
//! about it (a function's signature, language and volatility; a view's
//! output columns when a database has told them), its definition as
//! PostgreSQL will hold it and, when the project names a current schema
//! or a database, the plan steps that touch it, with their locks and
//! hazards.
//!
//! Invariant: the innermost object whose definition holds the cursor wins
//! (a column over its table); a plan that cannot be made says why in the
//! hover instead of failing the request.

use crate::model::sql::{
    column_def, constraint_def, create_composite, create_domain, create_enum, create_extension,
    create_function, create_index, create_policy, create_schema, create_sequence, create_table,
    create_trigger, create_view, sequence_owned_by, IndexForm, TableForm,
};
use crate::model::{
    create_rule, create_statistics, ArgMode, Function, Ident, Meta, Model, ObjectId, Parallel,
    QualifiedName, View, Volatility,
};
use crate::plan::{Action, Step};
use crate::source::{FileId, SourceSet};
use std::collections::BTreeMap;

/// An object found under the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub id: ObjectId,
    /// The definition's byte range in its file.
    pub start: usize,
    pub end: usize,
}

/// The innermost object defined at `offset` of `file`: a table or its
/// column, index, constraint, policy, trigger, rule or statistics; a view
/// or an index on it; a function or procedure; an enum, domain or
/// composite type; a sequence, schema or extension.
pub fn object_at(model: &Model, file: FileId, offset: usize) -> Option<Found> {
    let mut best: Option<Found> = None;
    let mut consider = |meta: &Meta, id: ObjectId| {
        let Some(span) = meta.span.or(meta.name_span) else {
            return;
        };
        let (start, end) = (span.start as usize, span.end as usize);
        // The end counts too, so a cursor just after a name still finds it.
        if span.file != file || offset < start || offset > end {
            return;
        }
        let smaller = best
            .as_ref()
            .is_none_or(|found| end - start < found.end - found.start);
        if smaller {
            best = Some(Found { id, start, end });
        }
    };
    for schema in model.schemas.values() {
        consider(&schema.meta, ObjectId::Schema(schema.name.clone()));
    }
    for extension in model.extensions.values() {
        consider(&extension.meta, ObjectId::Extension(extension.name.clone()));
    }
    for type_ in model.enums.values() {
        consider(&type_.meta, ObjectId::Enum(type_.name.clone()));
    }
    for domain in model.domains.values() {
        consider(&domain.meta, ObjectId::Domain(domain.name.clone()));
    }
    for composite in model.composites.values() {
        consider(
            &composite.meta,
            ObjectId::CompositeType(composite.name.clone()),
        );
    }
    for sequence in model.sequences.values() {
        consider(&sequence.meta, ObjectId::Sequence(sequence.name.clone()));
    }
    for function in model.functions.values() {
        consider(&function.meta, ObjectId::Function(function.id.clone()));
    }
    for view in model.views.values() {
        consider(&view.meta, ObjectId::View(view.name.clone()));
        for index in view.indexes.values() {
            consider(
                &index.meta,
                ObjectId::Index(view.name.clone(), index.name.clone()),
            );
        }
    }
    for table in model.tables.values() {
        let name = &table.name;
        consider(&table.meta, ObjectId::Table(name.clone()));
        for column in &table.columns {
            consider(
                &column.meta,
                ObjectId::Column(name.clone(), column.name.clone()),
            );
        }
        for index in table.indexes.values() {
            consider(
                &index.meta,
                ObjectId::Index(name.clone(), index.name.clone()),
            );
        }
        for constraint in table.constraints.values() {
            consider(
                &constraint.meta,
                ObjectId::Constraint(name.clone(), constraint.name.clone()),
            );
        }
        for policy in table.policies.values() {
            consider(
                &policy.meta,
                ObjectId::Policy(name.clone(), policy.name.clone()),
            );
        }
        for trigger in table.triggers.values() {
            consider(
                &trigger.meta,
                ObjectId::Trigger(name.clone(), trigger.name.clone()),
            );
        }
        for rule in table.rules.values() {
            consider(&rule.meta, ObjectId::Rule(name.clone(), rule.name.clone()));
        }
        for statistics in table.statistics.values() {
            consider(
                &statistics.meta,
                ObjectId::Statistics(name.clone(), statistics.name.clone()),
            );
        }
    }
    best
}

/// The object's definition as SQL (the form `inspect --format sql`
/// prints), with its comment; a function's body is cut after
/// [`BODY_LINES`] lines.
pub fn definition(model: &Model, id: &ObjectId) -> Option<String> {
    let table_of = |name: &QualifiedName| model.tables.get(name);
    let (sql, comment) = match id {
        ObjectId::Table(name) => {
            let table = table_of(name)?;
            let sql = break_list(&create_table(table, TableForm { foreign_keys: true }));
            (sql, table.comment.as_deref())
        }
        ObjectId::Column(table, name) => {
            let column = table_of(table)?.column(name)?;
            let sql = format!("ALTER TABLE {table} ADD COLUMN {}", column_def(column));
            (sql, column.comment.as_deref())
        }
        ObjectId::Index(table, name) => {
            let index = match table_of(table) {
                Some(table) => table.indexes.get(name)?,
                None => model.views.get(table)?.indexes.get(name)?,
            };
            (create_index(table, index, IndexForm::default()), None)
        }
        ObjectId::Constraint(table, name) => {
            let constraint = table_of(table)?.constraints.get(name)?;
            let sql = format!("ALTER TABLE {table} ADD {}", constraint_def(constraint));
            (sql, None)
        }
        ObjectId::Policy(table, name) => {
            let policy = table_of(table)?.policies.get(name)?;
            (create_policy(table, policy), None)
        }
        ObjectId::Trigger(table, name) => {
            let trigger = table_of(table)?.triggers.get(name)?;
            (create_trigger(table, trigger), trigger.comment.as_deref())
        }
        ObjectId::DefaultPrivileges(_) => return None,
        ObjectId::Rule(table, name) => {
            let rule = table_of(table)?.rules.get(name)?;
            (create_rule(table, rule, false), rule.comment.as_deref())
        }
        ObjectId::Statistics(table, name) => {
            let statistics = table_of(table)?.statistics.get(name)?;
            (create_statistics(table, statistics), None)
        }
        ObjectId::View(name) => {
            let view = model.views.get(name)?;
            (create_view(view, false), view.comment.as_deref())
        }
        ObjectId::Function(function_id) => {
            let function = model.functions.get(function_id)?;
            let excerpt = Function {
                body: excerpt(&function.body, BODY_LINES),
                ..function.clone()
            };
            (
                create_function(&excerpt, false),
                function.comment.as_deref(),
            )
        }
        ObjectId::Enum(name) => {
            let type_ = model.enums.get(name)?;
            (create_enum(type_), type_.comment.as_deref())
        }
        ObjectId::Domain(name) => {
            let domain = model.domains.get(name)?;
            (create_domain(domain), domain.comment.as_deref())
        }
        ObjectId::CompositeType(name) => {
            let composite = model.composites.get(name)?;
            (
                break_list(&create_composite(composite)),
                composite.comment.as_deref(),
            )
        }
        ObjectId::Sequence(name) => {
            let sequence = model.sequences.get(name)?;
            let mut sql = create_sequence(sequence);
            if sequence.owned_by.is_some() {
                sql.push_str(";\n");
                sql.push_str(&sequence_owned_by(sequence));
            }
            (sql, sequence.comment.as_deref())
        }
        ObjectId::Schema(name) => {
            let schema = model.schemas.get(name)?;
            (create_schema(schema), schema.comment.as_deref())
        }
        ObjectId::Extension(name) => (create_extension(model.extensions.get(name)?), None),
    };
    Some(match comment {
        Some(comment) => format!("-- {}\n{sql}", comment.replace('\n', "\n-- ")),
        None => sql,
    })
}

/// How many lines of a function's body a hover shows.
pub const BODY_LINES: usize = 12;

/// The first `lines` lines of a body, and how many were left out.
fn excerpt(body: &str, lines: usize) -> String {
    let total = body.lines().count();
    if total <= lines {
        return body.to_string();
    }
    let mut res: String = body.lines().take(lines).collect::<Vec<_>>().join("\n");
    res.push_str(&format!(
        "\n-- ... {} more line(s) in the file\n",
        total - lines
    ));
    res
}

/// What a hover says above the definition: for a function its
/// signature, result, language, volatility and options; for a view its
/// kind, declared and output columns and what it reads; for a type or
/// sequence what it holds. `outputs` are the output columns of views as a
/// database reports them (empty offline).
pub fn facts(model: &Model, id: &ObjectId, outputs: &ViewOutputs) -> Vec<String> {
    match id {
        ObjectId::Function(function_id) => model
            .functions
            .get(function_id)
            .map(function_facts)
            .unwrap_or_default(),
        ObjectId::View(name) => model
            .views
            .get(name)
            .map(|view| view_facts(view, outputs.get(name)))
            .unwrap_or_default(),
        ObjectId::Enum(name) => model
            .enums
            .get(name)
            .map(|type_| vec![format!("{} value(s)", type_.values.len())])
            .unwrap_or_default(),
        ObjectId::Domain(name) => model
            .domains
            .get(name)
            .map(|domain| {
                vec![format!(
                    "over `{}`{}, {} check(s)",
                    domain.base,
                    if domain.not_null { ", not null" } else { "" },
                    domain.checks.len()
                )]
            })
            .unwrap_or_default(),
        ObjectId::CompositeType(name) => model
            .composites
            .get(name)
            .map(|composite| vec![format!("{} attribute(s)", composite.attributes.len())])
            .unwrap_or_default(),
        ObjectId::Sequence(name) => model
            .sequences
            .get(name)
            .map(|sequence| {
                let mut res = vec![format!(
                    "`{}`, start {}, increment {}",
                    sequence.options.data_type, sequence.options.start, sequence.options.increment
                )];
                if let Some((table, column)) = &sequence.owned_by {
                    res.push(format!("owned by `{table}.{column}`"));
                }
                res
            })
            .unwrap_or_default(),
        ObjectId::Trigger(table, name) => model
            .tables
            .get(table)
            .and_then(|table| table.triggers.get(name))
            .map(|trigger| vec![format!("executes `{}()`", trigger.function)])
            .unwrap_or_default(),
        ObjectId::Schema(_)
        | ObjectId::Extension(_)
        | ObjectId::Table(_)
        | ObjectId::Column(..)
        | ObjectId::Constraint(..)
        | ObjectId::Index(..)
        | ObjectId::Policy(..)
        | ObjectId::Statistics(..)
        | ObjectId::Rule(..)
        | ObjectId::DefaultPrivileges(_) => Vec::new(),
    }
}

/// Output columns of views (name, type) by view, as read from a database.
pub type ViewOutputs = BTreeMap<QualifiedName, Vec<(Ident, String)>>;

fn function_facts(function: &Function) -> Vec<String> {
    if let Some(aggregate) = &function.aggregate {
        let mut facts = vec![format!(
            "aggregate: `{}`",
            crate::model::sql::routine_signature(function)
        )];
        let mut options = vec![
            format!("state function `{}`", aggregate.sfunc),
            format!("state type `{}`", aggregate.stype),
        ];
        if let Some(finalfunc) = &aggregate.finalfunc {
            options.push(format!("final function `{finalfunc}`"));
        }
        if aggregate.direct_args.is_some() {
            options.push(if aggregate.hypothetical {
                "hypothetical-set".to_string()
            } else {
                "ordered-set".to_string()
            });
        }
        facts.push(options.join(", "));
        return facts;
    }
    let args: Vec<String> = function
        .args
        .iter()
        .map(|arg| {
            let mode = match arg.mode {
                ArgMode::In => "",
                ArgMode::Out => "OUT ",
                ArgMode::InOut => "INOUT ",
                ArgMode::Variadic => "VARIADIC ",
            };
            match &arg.name {
                Some(name) => format!("{mode}{name} {}", arg.ty),
                None => format!("{mode}{}", arg.ty),
            }
        })
        .collect();
    let mut signature = format!("`{}({})", function.id.name, args.join(", "));
    if let Some(returns) = &function.returns {
        signature.push_str(&format!(" RETURNS {returns}"));
    }
    signature.push('`');
    let mut options = vec![format!("language `{}`", function.language)];
    if !function.procedure {
        options.push(
            match function.volatility {
                Volatility::Immutable => "immutable",
                Volatility::Stable => "stable",
                Volatility::Volatile => "volatile",
            }
            .to_string(),
        );
        if function.strict {
            options.push("strict".to_string());
        }
        options.push(
            match function.parallel {
                Parallel::Unsafe => "parallel unsafe",
                Parallel::Restricted => "parallel restricted",
                Parallel::Safe => "parallel safe",
            }
            .to_string(),
        );
    }
    if function.security_definer {
        options.push("security definer".to_string());
    }
    let lines = function.body.lines().count();
    vec![
        format!(
            "{}: {signature}",
            if function.procedure {
                "procedure"
            } else {
                "function"
            }
        ),
        options.join(", "),
        format!("body: {lines} line(s)"),
    ]
}

fn view_facts(view: &View, output: Option<&Vec<(Ident, String)>>) -> Vec<String> {
    let mut res = vec![if view.materialized {
        "materialized view".to_string()
    } else {
        "view".to_string()
    }];
    let output = output
        .filter(|output| !output.is_empty())
        .or((!view.output.0.is_empty()).then_some(&view.output.0));
    match output {
        Some(output) => {
            let columns: Vec<String> = output
                .iter()
                .map(|(name, ty)| format!("`{name} {ty}`"))
                .collect();
            res.push(format!(
                "output columns (as the database has the view): {}",
                columns.join(", ")
            ));
        }
        None if !view.columns.is_empty() => res.push(format!(
            "columns: {} (types known once planned against a database)",
            view.columns
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        None => res
            .push("output columns: known once planned against a database (`[lsp] db`)".to_string()),
    }
    if !view.depends_on.is_empty() {
        res.push(format!(
            "reads: {}",
            view.depends_on
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    res
}

/// `CREATE TABLE t (a int, b text)` with one element of the first
/// parenthesised list per line.
fn break_list(sql: &str) -> String {
    let Some(open) = sql.find('(') else {
        return sql.to_string();
    };
    let mut res = String::with_capacity(sql.len() + 64);
    res.push_str(&sql[..=open]);
    res.push_str("\n  ");
    let mut depth = 1usize;
    let mut quote: Option<char> = None;
    let mut chars = sql[open + 1..].char_indices();
    while let Some((idx, ch)) = chars.next() {
        if let Some(q) = quote {
            res.push(ch);
            if ch == q {
                quote = None;
            }
            continue;
        }
        match ch {
            '\'' | '"' => {
                quote = Some(ch);
                res.push(ch);
            }
            '(' => {
                depth += 1;
                res.push(ch);
            }
            ')' if depth == 1 => {
                res.push_str("\n)");
                res.push_str(&sql[open + 1 + idx + 1..]);
                return res;
            }
            ')' => {
                depth -= 1;
                res.push(ch);
            }
            ',' if depth == 1 => {
                res.push_str(",\n ");
                // The space after the comma is kept by the next character.
                if let Some((_, next)) = chars.next() {
                    if next != ' ' {
                        res.push(' ');
                    }
                    res.push(next);
                }
            }
            _ => res.push(ch),
        }
    }
    res
}

/// Whether a step changes the object: for a table anything on it; for a
/// view or a sequence also a step that locks it (a view re-created for a
/// column it reads); otherwise the steps made for the object.
pub fn touches(step: &Step, id: &ObjectId) -> bool {
    match id {
        ObjectId::Table(name) => {
            step.table.as_ref() == Some(name)
                || owner_table(&step.origin.object) == Some(name)
                || step.locks.iter().any(|lock| &lock.relation == name)
        }
        ObjectId::View(name) | ObjectId::Sequence(name) => {
            &step.origin.object == id
                || matches!(&step.origin.object, ObjectId::Index(view, _) if view == name)
                || step.locks.iter().any(|lock| &lock.relation == name)
        }
        // An index built with its new materialized view comes from the
        // view's change; its action names it.
        ObjectId::Index(table, name) => {
            &step.origin.object == id
                || matches!(&step.action, Action::CreateIndex { table: on, name: index, .. }
                    if on == table && index == name)
        }
        other => &step.origin.object == other,
    }
}

fn owner_table(id: &ObjectId) -> Option<&QualifiedName> {
    match id {
        ObjectId::Table(table)
        | ObjectId::Column(table, _)
        | ObjectId::Constraint(table, _)
        | ObjectId::Index(table, _)
        | ObjectId::Policy(table, _)
        | ObjectId::Trigger(table, _)
        | ObjectId::Statistics(table, _) => Some(table),
        _ => None,
    }
}

/// The plan steps that touch the object, as Markdown: number, what it
/// does, whether it runs in a transaction, locks, table size, hazards.
pub fn steps_markdown(steps: &[Step], id: &ObjectId, against: &str) -> String {
    let touching: Vec<(usize, &Step)> = steps
        .iter()
        .enumerate()
        .filter(|(_, step)| touches(step, id))
        .map(|(idx, step)| (idx + 1, step))
        .collect();
    if touching.is_empty() {
        return format!("**Plan** ({against}): no step touches it");
    }
    let mut res = format!(
        "**Plan** ({against}): {} of {} step(s) touch it\n",
        touching.len(),
        steps.len()
    );
    for (number, step) in touching {
        res.push_str(&format!(
            "\n{number}. {}{}\n",
            step.description,
            if step.transactional {
                ""
            } else {
                " (outside a transaction)"
            }
        ));
        if !step.locks.is_empty() {
            let locks: Vec<String> = step.locks.iter().map(ToString::to_string).collect();
            res.push_str(&format!("   - locks: {}\n", locks.join(", ")));
        }
        if let Some(size) = step.table_size {
            res.push_str(&format!(
                "   - table: {}\n",
                crate::render::describe_table_size(size)
            ));
        }
        if step.rewrites {
            res.push_str("   - rewrites the table\n");
        } else if step.scans {
            res.push_str("   - scans the table\n");
        }
        for note in &step.hazards {
            res.push_str(&format!(
                "   - hazard `{}`: {}\n",
                note.hazard, note.message
            ));
        }
    }
    res
}

/// The hover's title: the object as messages name it, a procedure as a
/// procedure.
pub fn title(model: &Model, id: &ObjectId) -> String {
    match id {
        ObjectId::Function(function_id)
            if model
                .functions
                .get(function_id)
                .is_some_and(|function| function.procedure) =>
        {
            format!("procedure {function_id}")
        }
        _ => id.to_string(),
    }
}

/// `path:line` of a definition.
pub fn location(sources: &SourceSet, file: FileId, start: usize) -> String {
    sources.file(file).map_or_else(String::new, |file| {
        format!("{}:{}", file.display_path(), file.line_col(start).line)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::compile;

    #[test]
    fn the_innermost_object_wins() {
        let text =
            "table accounts {\n  id bigint primary key\n  name text not null\n  index (name)\n}\n";
        let sources = SourceSet::single("a.schema", text);
        let model = compile(&sources).value;
        let at = |needle: &str| {
            object_at(&model, FileId(0), text.find(needle).expect("in text")).map(|found| found.id)
        };
        let table = QualifiedName::public("accounts");
        assert_eq!(at("table"), Some(ObjectId::Table(table.clone())));
        assert!(
            matches!(at("name text"), Some(ObjectId::Column(_, name)) if name.as_str() == "name")
        );
        assert!(matches!(at("index ("), Some(ObjectId::Index(..))));
        let sql = definition(&model, &ObjectId::Table(table)).expect("a table");
        assert!(
            sql.starts_with(
                "CREATE TABLE public.accounts (\n  id bigint NOT NULL,\n  name text NOT NULL"
            ),
            "{sql}"
        );
        assert!(sql.ends_with("\n)"), "{sql}");
    }
}
