//! Any [`Model`] as `.schema` source (used by `schemac inspect`).
//!
//! The text is produced object by object and then run through the canonical
//! formatter ([`super::fmt`]), so `inspect` and `fmt` print the same style.
//!
//! Invariants: for Models produced by the `.schema` frontend,
//! `load(print_model(m)) == m`. Constraint and index names are always
//! printed, so default names survive the round trip. Partitions are printed
//! inside their parent's block; a partition whose parent is not in the
//! Model cannot be expressed and is printed as a comment.

use crate::model::*;
use crate::source::{FileId, Language, SourceFile};
use std::fmt::Write;

mod table;

use table::{index_text, print_table};

/// Prints the Model as canonical `.schema` text.
pub fn print_model(model: &Model) -> String {
    let mut out = print_raw(model);
    let kept = out.trim_end().len();
    out.truncate(kept);
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// [`print_model`]'s text run through the formatter: equal to it (the
/// printer writes the canonical layout itself, which costs a tenth of
/// parsing and formatting its output; `tests/frontend_roundtrip.rs`
/// checks the two agree on every fixture, example and pair).
pub fn print_model_formatted(model: &Model) -> String {
    let raw = print_model(model);
    let file = SourceFile::new(
        FileId(0),
        "inspect.schema".into(),
        raw.clone(),
        Language::Schema,
    );
    super::fmt::format_source(&file).unwrap_or(raw)
}

fn print_raw(model: &Model) -> String {
    let mut out = String::new();
    for schema in model.schemas.values() {
        docs(&mut out, "", schema.comment.as_deref());
        let distributed = if schema.distributed {
            " distributed"
        } else {
            ""
        };
        let _ = writeln!(out, "schema {}{distributed}\n", schema.name);
    }
    for extension in model.extensions.values() {
        let mut line = format!("extension {}", extension.name);
        if extension.schema.as_str() != "public" {
            let _ = write!(line, " schema {}", extension.schema);
        }
        if let Some(version) = &extension.version {
            let _ = write!(line, " version {}", quote(version));
        }
        let _ = writeln!(out, "{line}\n");
    }
    for role in model.roles.values() {
        let _ = writeln!(out, "role {}\n", role.name);
    }
    for external in &model.external {
        let _ = writeln!(out, "external {}\n", quote(&external.pattern));
    }
    for item in model.enums.values() {
        docs(&mut out, "", item.comment.as_deref());
        let values: Vec<String> = item.values.iter().map(|v| quote(v)).collect();
        let _ = writeln!(
            out,
            "enum {} {{ {} }}\n",
            qname(&item.name),
            values.join(", ")
        );
    }
    for domain in model.domains.values() {
        print_domain(&mut out, domain);
    }
    for composite in model.composites.values() {
        docs(&mut out, "", composite.comment.as_deref());
        let attributes: Vec<String> = composite
            .attributes
            .iter()
            .map(|attribute| {
                let mut text = format!("{} {}", attribute.name, type_text(&attribute.ty));
                if let Some(collation) = &attribute.collation {
                    let _ = write!(text, " collate {collation}");
                }
                text
            })
            .collect();
        let _ = writeln!(
            out,
            "type {} ({})\n",
            qname(&composite.name),
            attributes.join(", ")
        );
    }
    for sequence in model.sequences.values() {
        print_sequence(&mut out, sequence);
    }
    for function in model.functions.values() {
        print_function(&mut out, function);
    }
    let partitions = model.partitions_by_parent();
    for table in model.tables.values() {
        match &table.partition_of {
            Some(of)
                if model.tables.contains_key(&of.parent)
                    && of.parent.schema == table.name.schema => {}
            Some(of) => {
                let _ = writeln!(
                    out,
                    "// partition {} of {} cannot be printed: its parent is not in this schema\n",
                    table.name, of.parent
                );
            }
            None => print_table(&mut out, &partitions, table),
        }
    }
    for view in model.views.values() {
        print_view(&mut out, view);
    }
    for (target, acl) in &model.privileges {
        print_privileges(&mut out, target, acl);
    }
    for (key, acl) in &model.default_privileges {
        print_default_privileges(&mut out, key, acl);
    }
    out
}

/// `default privileges [for role r] [in schema s] ...`, as
/// [`print_acl`] prints an object's privileges.
fn print_default_privileges(out: &mut String, key: &DefaultAclKey, acl: &privilege::Acl) {
    let mut prefix = "default privileges ".to_string();
    if let Some(role) = &key.role {
        let _ = write!(prefix, "for role {role} ");
    }
    if let Some(schema) = &key.schema {
        let _ = write!(prefix, "in schema {schema} ");
    }
    let objects = key.kind.objects_sql().to_lowercase();
    print_acl(out, &prefix, &objects, &key.base(), acl);
}

/// An object's privileges (see [`print_acl`]).
fn print_privileges(out: &mut String, target: &AclTarget, acl: &privilege::Acl) {
    let object = match target {
        AclTarget::Schema(name) => format!("schema {name}"),
        AclTarget::Table(name) => format!("table {}", qname(name)),
        AclTarget::Sequence(name) => format!("sequence {}", qname(name)),
        AclTarget::Type(name) => format!("type {}", qname(name)),
        AclTarget::Function(id) => {
            let args: Vec<String> = id.arg_types.iter().map(type_text).collect();
            format!("function {}({})", qname(&id.name), args.join(", "))
        }
    };
    print_acl(
        out,
        "",
        &object,
        &privilege::default_acl(target.kind()),
        acl,
    );
}

/// `revoke` for the entries of `base` (the default, PUBLIC's entries
/// only) that `acl` lacks, then one `grant` per grantee and grant option
/// (lowering applies them to the default in this order); each line
/// starts with `prefix`.
fn print_acl(
    out: &mut String,
    prefix: &str,
    object: &str,
    base: &privilege::Acl,
    acl: &privilege::Acl,
) {
    let missing: Vec<&str> = base
        .keys()
        .filter(|key| !acl.contains_key(*key))
        .map(|(_, privilege)| privilege.as_sql())
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(
            out,
            "{prefix}revoke {} on {object} from public\n",
            missing.join(", ").to_lowercase()
        );
    }
    let mut grants: std::collections::BTreeMap<(&Grantee, bool), Vec<&str>> = Default::default();
    for ((grantee, privilege), option) in acl {
        grants
            .entry((grantee, *option))
            .or_default()
            .push(privilege.as_sql());
    }
    for ((grantee, option), privileges) in grants {
        let grantee = match grantee {
            Grantee::Public => "public".to_string(),
            Grantee::Role(name) => name.to_string(),
        };
        let _ = writeln!(
            out,
            "{prefix}grant {} on {object} to {grantee}{}\n",
            privileges.join(", ").to_lowercase(),
            if option { " with grant option" } else { "" }
        );
    }
}

fn docs(out: &mut String, indent: &str, comment: Option<&str>) {
    if let Some(comment) = comment {
        for line in comment.split('\n') {
            if line.is_empty() {
                let _ = writeln!(out, "{indent}///");
            } else {
                let _ = writeln!(out, "{indent}/// {line}");
            }
        }
    }
}

/// A single-quoted SQL string literal.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `name` in `public`, `schema.name` elsewhere.
fn qname(name: &QualifiedName) -> String {
    if name.schema.as_str() == "public" {
        name.name.to_string()
    } else {
        format!("{}.{}", name.schema, name.name)
    }
}

fn idents(list: &[Ident]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A type in `.schema` spelling: `public.` is dropped from user types.
fn type_text(ty: &TypeName) -> String {
    ty.as_str()
        .strip_prefix("public.")
        .unwrap_or(ty.as_str())
        .to_string()
}

/// `default <expr>`: bare when the language reads it back unchanged,
/// otherwise parenthesised.
fn default_clause(expr: &SqlExpr) -> String {
    if bare_default_is_safe(&expr.sql) {
        format!("default {}", expr.sql)
    } else {
        format!("default ({})", expr.sql)
    }
}

/// True when no column option keyword, `;`, `}` or comment appears at
/// nesting depth 0 after the first word (where a bare default would stop).
fn bare_default_is_safe(sql: &str) -> bool {
    const STOPS: &[&str] = &[
        "not",
        "null",
        "primary",
        "unique",
        "check",
        "references",
        "collate",
        "generated",
        "constraint",
        "was",
        "deferrable",
        "initially",
    ];
    if sql.contains('\n') || sql.trim().is_empty() {
        return false;
    }
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut word = String::new();
    let mut after_space = false;
    let mut prev = ' ';
    for ch in sql.chars().chain(std::iter::once(' ')) {
        if let Some(q) = quote {
            if ch == q {
                quote = None;
            }
            prev = ch;
            continue;
        }
        if ch.is_ascii_alphanumeric() || ch == '_' {
            word.push(ch);
            prev = ch;
            continue;
        }
        if !word.is_empty() {
            if depth == 0 && after_space && STOPS.contains(&word.to_lowercase().as_str()) {
                return false;
            }
            word.clear();
        }
        match ch {
            '\'' | '"' => quote = Some(ch),
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ';' | '}' | '$' if depth == 0 => return false,
            '/' if depth == 0 && (prev == '/' || prev == '*') => return false,
            '*' if depth == 0 && prev == '/' => return false,
            _ => {}
        }
        after_space = ch.is_whitespace();
        prev = ch;
    }
    depth == 0 && quote.is_none()
}

fn print_domain(out: &mut String, domain: &Domain) {
    docs(out, "", domain.comment.as_deref());
    let mut line = format!("domain {} {}", qname(&domain.name), type_text(&domain.base));
    if let Some(collation) = &domain.collation {
        let _ = write!(line, " collate {collation}");
    }
    if domain.not_null {
        line.push_str(" not null");
    }
    if let Some(default) = &domain.default {
        let _ = write!(line, " {}", default_clause(default));
    }
    for (name, check) in &domain.checks {
        let _ = write!(line, " constraint {name} check ({})", check.sql);
    }
    let _ = writeln!(out, "{line}\n");
}

fn sequence_options(options: &SequenceOptions) -> String {
    let mut res = format!(
        "start {} increment {} minvalue {} maxvalue {} cache {}",
        options.start, options.increment, options.min_value, options.max_value, options.cache
    );
    if options.cycle {
        res.push_str(" cycle");
    }
    res
}

fn print_sequence(out: &mut String, sequence: &Sequence) {
    docs(out, "", sequence.comment.as_deref());
    let mut line = format!(
        "sequence {} as {} {}",
        qname(&sequence.name),
        type_text(&sequence.options.data_type),
        sequence_options(&sequence.options)
    );
    if let Some((table, column)) = &sequence.owned_by {
        let _ = write!(line, " owned by {}.{column}", qname(table));
    }
    let _ = writeln!(out, "{line}\n");
}

fn print_function(out: &mut String, function: &Function) {
    docs(out, "", function.comment.as_deref());
    if let Some(aggregate) = &function.aggregate {
        return print_aggregate(out, function, aggregate);
    }
    let kind = if function.procedure {
        "procedure"
    } else {
        "function"
    };
    let args: Vec<String> = function
        .args
        .iter()
        .map(|arg| {
            let mut text = match arg.mode {
                ArgMode::In => String::new(),
                ArgMode::Out => "out ".to_string(),
                ArgMode::InOut => "inout ".to_string(),
                ArgMode::Variadic => "variadic ".to_string(),
            };
            if let Some(name) = &arg.name {
                let _ = write!(text, "{name} ");
            }
            text.push_str(&type_text(&arg.ty));
            if let Some(default) = &arg.default {
                let _ = write!(text, " default {}", default.sql);
            }
            text
        })
        .collect();
    let mut line = format!("{kind} {}({})", qname(&function.id.name), args.join(", "));
    if let Some(returns) = &function.returns {
        let returns = if let Some(rest) = returns.strip_prefix("SETOF ") {
            format!("setof {}", type_text(&TypeName::new(rest)))
        } else if let Some(rest) = returns.strip_prefix("TABLE(") {
            format!("table ({rest}")
        } else {
            type_text(&TypeName::new(returns.as_str()))
        };
        let _ = write!(line, " returns {returns}");
    }
    let _ = write!(line, " language {}", Ident::new(function.language.as_str()));
    match function.volatility {
        Volatility::Immutable => line.push_str(" immutable"),
        Volatility::Stable => line.push_str(" stable"),
        Volatility::Volatile => {}
    }
    if function.strict {
        line.push_str(" strict");
    }
    if function.security_definer {
        line.push_str(" security definer");
    }
    match function.parallel {
        Parallel::Safe => line.push_str(" parallel safe"),
        Parallel::Restricted => line.push_str(" parallel restricted"),
        Parallel::Unsafe => {}
    }
    for (key, value) in &function.config {
        let _ = write!(line, " set {key} = {value}");
    }
    // COST and ROWS as PostgreSQL compares them: printed only when they
    // differ from the defaults for the language and result.
    line.push_str(&function.cost_rows_sql().to_lowercase());
    let tag = dollar_tag(&function.body);
    let _ = writeln!(line, " as {tag}{}{tag}", function.body);
    let _ = writeln!(out, "{line}");
}

/// `aggregate name(args) (sfunc = ..., stype = ...)`: CREATE AGGREGATE's
/// argument list and options, option names in lower case.
fn print_aggregate(out: &mut String, function: &Function, aggregate: &Aggregate) {
    let mut options: Vec<String> = aggregate
        .options()
        .into_iter()
        .map(|(key, value)| {
            let key = key.to_lowercase();
            if value.is_empty() {
                key
            } else {
                format!("{key} = {value}")
            }
        })
        .collect();
    match function.parallel {
        Parallel::Safe => options.push("parallel = safe".to_string()),
        Parallel::Restricted => options.push("parallel = restricted".to_string()),
        Parallel::Unsafe => {}
    }
    let _ = writeln!(
        out,
        "aggregate {}({}) ({})\n",
        qname(&function.id.name),
        aggregate_args(&function.args, aggregate.direct_args),
        options.join(", ")
    );
}

/// `$$`, or `$body$`, `$body1$`, ... when the body contains the delimiter.
fn dollar_tag(body: &str) -> String {
    if !body.contains("$$") {
        return "$$".to_string();
    }
    (0..)
        .map(|n| {
            if n == 0 {
                "$body$".to_string()
            } else {
                format!("$body{n}$")
            }
        })
        .find(|tag| !body.contains(tag.as_str()))
        .unwrap_or_else(|| "$$".to_string())
}

fn print_view(out: &mut String, view: &View) {
    docs(out, "", view.comment.as_deref());
    let kind = if view.materialized {
        "materialized view"
    } else {
        "view"
    };
    let mut line = format!("{kind} {}", qname(&view.name));
    if !view.columns.is_empty() {
        let _ = write!(line, " ({})", idents(&view.columns));
    }
    let mut check_option = None;
    let options: Vec<String> = view
        .options
        .iter()
        .filter(|(key, value)| {
            if key == "check_option" {
                check_option = Some(value.clone());
                false
            } else {
                true
            }
        })
        .map(|(key, value)| format!("{key} = {value}"))
        .collect();
    if !options.is_empty() {
        let _ = write!(line, " with ({})", options.join(", "));
    }
    let _ = write!(line, " as {}", view.query.sql.trim().trim_end_matches(';'));
    if let Some(check_option) = check_option {
        let _ = write!(line, " with {check_option} check option");
    }
    let _ = writeln!(out, "{line};\n");
    for index in view.indexes.values() {
        docs(out, "", index.comment.as_deref());
        let _ = writeln!(out, "{}\n", index_text(index, Some(&view.name)));
    }
}
