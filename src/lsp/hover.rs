//! Hover: the object under the cursor (a table, column, index, constraint
//! or policy) with its definition as PostgreSQL will hold it and, when the
//! project names a current schema or a database, the plan steps that touch
//! it, with their locks and hazards.
//!
//! Invariant: the innermost object whose definition holds the cursor wins
//! (a column over its table); a plan that cannot be made says why in the
//! hover instead of failing the request.

use crate::model::sql::{
    column_def, constraint_def, create_index, create_policy, create_table, IndexForm, TableForm,
};
use crate::model::{Meta, Model, ObjectId, QualifiedName};
use crate::plan::Step;
use crate::source::{FileId, SourceSet};

/// An object found under the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub id: ObjectId,
    /// The definition's byte range in its file.
    pub start: usize,
    pub end: usize,
}

/// The innermost table, column, index, constraint or policy defined at
/// `offset` of `file`.
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
    for table in model.tables.values() {
        consider(&table.meta, ObjectId::Table(table.name.clone()));
        for column in &table.columns {
            consider(
                &column.meta,
                ObjectId::Column(table.name.clone(), column.name.clone()),
            );
        }
        for index in table.indexes.values() {
            consider(
                &index.meta,
                ObjectId::Index(table.name.clone(), index.name.clone()),
            );
        }
        for constraint in table.constraints.values() {
            consider(
                &constraint.meta,
                ObjectId::Constraint(table.name.clone(), constraint.name.clone()),
            );
        }
        for policy in table.policies.values() {
            consider(
                &policy.meta,
                ObjectId::Policy(table.name.clone(), policy.name.clone()),
            );
        }
    }
    best
}

/// The object's definition as SQL (the form `inspect --format sql`
/// prints), with its comment.
pub fn definition(model: &Model, id: &ObjectId) -> Option<String> {
    let table_of = |name: &QualifiedName| model.tables.get(name);
    let sql = match id {
        ObjectId::Table(name) => {
            let table = table_of(name)?;
            let mut sql = break_list(&create_table(table, TableForm { foreign_keys: true }));
            if let Some(comment) = &table.comment {
                sql = format!("-- {}\n{sql}", comment.replace('\n', "\n-- "));
            }
            sql
        }
        ObjectId::Column(table, name) => {
            let column = table_of(table)?.column(name)?;
            let sql = format!("ALTER TABLE {table} ADD COLUMN {}", column_def(column));
            match &column.comment {
                Some(comment) => format!("-- {}\n{sql}", comment.replace('\n', "\n-- ")),
                None => sql,
            }
        }
        ObjectId::Index(table, name) => {
            let index = table_of(table)?.indexes.get(name)?;
            create_index(table, index, IndexForm::default())
        }
        ObjectId::Constraint(table, name) => {
            let constraint = table_of(table)?.constraints.get(name)?;
            format!("ALTER TABLE {table} ADD {}", constraint_def(constraint))
        }
        ObjectId::Policy(table, name) => {
            let policy = table_of(table)?.policies.get(name)?;
            create_policy(table, policy)
        }
        _ => return None,
    };
    Some(sql)
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

/// Whether a step changes the object (for a table: anything on it).
pub fn touches(step: &Step, id: &ObjectId) -> bool {
    match id {
        ObjectId::Table(name) => {
            step.table.as_ref() == Some(name)
                || owner_table(&step.origin.object) == Some(name)
                || step.locks.iter().any(|lock| &lock.relation == name)
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
