//! SQL text of model objects: the CREATE statements, column, constraint and
//! index definitions the planner emits and `inspect --format sql` prints.
//!
//! Invariants:
//! - Every function returns one statement (or one fragment) without a final
//!   semicolon; names are always schema-qualified where PostgreSQL allows it,
//!   and identifiers are quoted only when needed ([`Ident`]'s `Display`).
//! - Output depends only on the model value, so it is byte-for-byte stable.

use super::{
    ArgMode, BoundValue, Colocation, Column, CompositeAttribute, CompositeType, Constraint,
    ConstraintKind, Distribution, Domain, Enum, Extension, FkAction, Function, Ident, Identity,
    Index, IndexExpr, Parallel, PartitionBound, PartitionBy, Policy, QualifiedName, Schema,
    Sequence, SequenceOptions, Table, Trigger, TriggerEvent, TriggerTiming, TypeName, View,
    Volatility,
};

/// `'it''s'`: a string literal, through postgres-protocol's escaping (a
/// text with backslashes becomes `E'a\\\\b'`, right whatever the session's
/// `standard_conforming_strings`).
pub fn quote_literal(text: &str) -> String {
    let quoted = postgres_protocol::escape::escape_literal(text);
    match quoted.strip_prefix(' ') {
        Some(rest) => rest.to_string(),
        None => quoted,
    }
}

/// `a, b, c`.
pub fn ident_list(idents: &[Ident]) -> String {
    idents
        .iter()
        .map(|ident| ident.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `CREATE SCHEMA name`.
pub fn create_schema(schema: &Schema) -> String {
    format!("CREATE SCHEMA {}", schema.name)
}

/// `CREATE EXTENSION IF NOT EXISTS name WITH SCHEMA s [VERSION 'v']`.
pub fn create_extension(ext: &Extension) -> String {
    let mut res = format!(
        "CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {}",
        ext.name, ext.schema
    );
    if let Some(version) = &ext.version {
        res.push_str(&format!(" VERSION {}", quote_literal(version)));
    }
    res
}

/// `CREATE TYPE name AS ENUM ('a', 'b')`.
pub fn create_enum(e: &Enum) -> String {
    let values: Vec<String> = e.values.iter().map(|v| quote_literal(v)).collect();
    format!("CREATE TYPE {} AS ENUM ({})", e.name, values.join(", "))
}

/// `CREATE TYPE name AS (a integer, b text COLLATE "C")`.
pub fn create_composite(composite: &CompositeType) -> String {
    let attributes: Vec<String> = composite
        .attributes
        .iter()
        .map(composite_attribute)
        .collect();
    format!(
        "CREATE TYPE {} AS ({})",
        composite.name,
        attributes.join(", ")
    )
}

/// `name type [COLLATE c]`: one attribute of a composite type.
pub fn composite_attribute(attribute: &CompositeAttribute) -> String {
    let mut res = format!("{} {}", attribute.name, attribute.ty);
    if let Some(collation) = &attribute.collation {
        res.push_str(&format!(" COLLATE {collation}"));
    }
    res
}

/// `CREATE DOMAIN name AS base [COLLATE c] [DEFAULT e] [NOT NULL] [CONSTRAINT n CHECK (e)]...`.
pub fn create_domain(domain: &Domain) -> String {
    let mut res = format!("CREATE DOMAIN {} AS {}", domain.name, domain.base);
    if let Some(collation) = &domain.collation {
        res.push_str(&format!(" COLLATE {collation}"));
    }
    // NOT NULL before DEFAULT: after a default expression, a following
    // `NOT NULL` reads as the postfix operator `expr IS NOT NULL` to
    // parsers that are not PostgreSQL's own (sqlparser).
    if domain.not_null {
        res.push_str(" NOT NULL");
    }
    if let Some(default) = &domain.default {
        res.push_str(&format!(" DEFAULT {default}"));
    }
    for (name, check) in &domain.checks {
        res.push_str(&format!(" CONSTRAINT {name} CHECK ({check})"));
    }
    res
}

/// The options of a sequence that differ from PostgreSQL's defaults (for
/// its data type and increment), in the order pg_dump prints them:
/// `AS integer START WITH 1000 CACHE 10 CYCLE`. Empty when every option
/// is a default (`AS bigint` is the default type of a sequence).
pub fn sequence_options(options: &SequenceOptions) -> String {
    let mut parts = Vec::new();
    if options.data_type.as_str() != "bigint" {
        parts.push(format!("AS {}", options.data_type));
    }
    parts.extend(non_default_options(options));
    parts.join(" ")
}

/// `START WITH`, `INCREMENT BY`, `MINVALUE`, `MAXVALUE`, `CACHE`, `CYCLE`
/// clauses for the options that differ from the defaults of
/// `options.data_type` and `options.increment`.
fn non_default_options(options: &SequenceOptions) -> Vec<String> {
    let defaults = SequenceOptions::defaults(options.data_type.clone(), options.increment);
    let mut parts = Vec::new();
    // PostgreSQL starts at MINVALUE (ascending) or MAXVALUE (descending).
    let default_start = if options.increment > 0 {
        options.min_value
    } else {
        options.max_value
    };
    if options.start != default_start {
        parts.push(format!("START WITH {}", options.start));
    }
    if options.increment != 1 {
        parts.push(format!("INCREMENT BY {}", options.increment));
    }
    if options.min_value != defaults.min_value {
        parts.push(format!("MINVALUE {}", options.min_value));
    }
    if options.max_value != defaults.max_value {
        parts.push(format!("MAXVALUE {}", options.max_value));
    }
    if options.cache != defaults.cache {
        parts.push(format!("CACHE {}", options.cache));
    }
    if options.cycle {
        parts.push("CYCLE".to_string());
    }
    parts
}

/// `CREATE SEQUENCE name [options]` (without OWNED BY, which needs the column).
pub fn create_sequence(sequence: &Sequence) -> String {
    let options = sequence_options(&sequence.options);
    if options.is_empty() {
        format!("CREATE SEQUENCE {}", sequence.name)
    } else {
        format!("CREATE SEQUENCE {} {options}", sequence.name)
    }
}

/// `ALTER SEQUENCE name OWNED BY table.column` (or `OWNED BY NONE`).
pub fn sequence_owned_by(sequence: &Sequence) -> String {
    match &sequence.owned_by {
        Some((table, column)) => format!(
            "ALTER SEQUENCE {} OWNED BY {}.{}",
            sequence.name, table, column
        ),
        None => format!("ALTER SEQUENCE {} OWNED BY NONE", sequence.name),
    }
}

/// The signature used by DROP/COMMENT/ALTER FUNCTION: `public.f(integer, text)`.
pub fn function_signature(function: &Function) -> String {
    function.id.to_string()
}

/// `FUNCTION`, `PROCEDURE` or `AGGREGATE`: the keyword of DROP and
/// COMMENT ON for the routine.
pub fn routine_keyword(function: &Function) -> &'static str {
    if function.is_aggregate() {
        "AGGREGATE"
    } else if function.procedure {
        "PROCEDURE"
    } else {
        "FUNCTION"
    }
}

/// The routine as DROP and COMMENT ON name it: `public.f(integer, text)`,
/// for an aggregate its argument list (`public.pct(double precision ORDER
/// BY double precision)`, `public.cnt(*)`).
pub fn routine_signature(function: &Function) -> String {
    match &function.aggregate {
        Some(aggregate) => format!(
            "{}({})",
            function.id.name,
            super::aggregate_args(&function.args, aggregate.direct_args)
        ),
        None => function_signature(function),
    }
}

/// `CREATE [OR REPLACE] AGGREGATE name (args) (SFUNC = ..., STYPE = ...,
/// ...)`; `None` when `function` is no aggregate.
pub fn create_aggregate(function: &Function, or_replace: bool) -> Option<String> {
    let aggregate = function.aggregate.as_ref()?;
    let mut options: Vec<String> = aggregate
        .options()
        .into_iter()
        .map(|(key, value)| {
            if value.is_empty() {
                key.to_string()
            } else {
                format!("{key} = {value}")
            }
        })
        .collect();
    if function.parallel != Parallel::Unsafe {
        options.push(
            match function.parallel {
                Parallel::Safe => "PARALLEL = SAFE",
                Parallel::Restricted => "PARALLEL = RESTRICTED",
                Parallel::Unsafe => "PARALLEL = UNSAFE",
            }
            .to_string(),
        );
    }
    Some(format!(
        "CREATE {}AGGREGATE {} ({})",
        if or_replace { "OR REPLACE " } else { "" },
        routine_signature(function),
        options.join(", ")
    ))
}

/// `CREATE [OR REPLACE] FUNCTION|PROCEDURE ...` (for an aggregate,
/// [`create_aggregate`]).
pub fn create_function(function: &Function, or_replace: bool) -> String {
    if let Some(res) = create_aggregate(function, or_replace) {
        return res;
    }
    let kind = if function.procedure {
        "PROCEDURE"
    } else {
        "FUNCTION"
    };
    let args: Vec<String> = function
        .args
        .iter()
        .map(|arg| {
            let mut res = String::new();
            match arg.mode {
                ArgMode::In => {}
                ArgMode::Out => res.push_str("OUT "),
                ArgMode::InOut => res.push_str("INOUT "),
                ArgMode::Variadic => res.push_str("VARIADIC "),
            }
            if let Some(name) = &arg.name {
                res.push_str(&format!("{name} "));
            }
            res.push_str(arg.ty.as_str());
            if let Some(default) = &arg.default {
                res.push_str(&format!(" DEFAULT {default}"));
            }
            res
        })
        .collect();
    let mut res = format!(
        "CREATE {}{kind} {}({})",
        if or_replace { "OR REPLACE " } else { "" },
        function.id.name,
        args.join(", ")
    );
    if let Some(returns) = &function.returns {
        res.push_str(&format!(" RETURNS {returns}"));
    }
    res.push_str(&format!(" LANGUAGE {}", function.language));
    if !function.procedure {
        res.push_str(match function.volatility {
            Volatility::Immutable => " IMMUTABLE",
            Volatility::Stable => " STABLE",
            Volatility::Volatile => " VOLATILE",
        });
        if function.strict {
            res.push_str(" STRICT");
        }
        res.push_str(match function.parallel {
            Parallel::Unsafe => " PARALLEL UNSAFE",
            Parallel::Restricted => " PARALLEL RESTRICTED",
            Parallel::Safe => " PARALLEL SAFE",
        });
    }
    if function.security_definer {
        res.push_str(" SECURITY DEFINER");
    }
    res.push_str(&function.cost_rows_sql());
    for (name, value) in &function.config {
        if value == "FROM CURRENT" {
            res.push_str(&format!(" SET {name} FROM CURRENT"));
        } else {
            res.push_str(&format!(" SET {name} = {}", config_value(value)));
        }
    }
    if function.has_standard_body() {
        res.push_str(&format!(" {}", function.body.trim()));
    } else {
        res.push_str(&format!(" AS {}", dollar_quote(&function.body)));
    }
    res
}

/// `$$body$$`, or `$schemac$body$schemac$` (with a longer tag if needed)
/// when the body contains `$$`.
pub fn dollar_quote(body: &str) -> String {
    if !body.contains("$$") {
        return format!("$${body}$$");
    }
    let mut tag = String::from("schemac");
    while body.contains(&format!("${tag}$")) {
        tag.push('_');
    }
    format!("${tag}${body}${tag}$")
}

/// A column definition: `name type [COLLATE c] [GENERATED ...] [DEFAULT e] [NOT NULL]`.
pub fn column_def(column: &Column) -> String {
    let mut res = format!("{} {}", column.name, column.ty);
    if let Some(collation) = &column.collation {
        res.push_str(&format!(" COLLATE {collation}"));
    }
    if let Some(identity) = &column.identity {
        res.push_str(&identity_clause(identity, &column.ty));
    }
    if let Some(generated) = &column.generated {
        res.push_str(&format!(" GENERATED ALWAYS AS ({generated}) STORED"));
    }
    if let Some(default) = &column.default {
        res.push_str(&format!(" DEFAULT {default}"));
    }
    if column.not_null {
        res.push_str(" NOT NULL");
    }
    res
}

/// ` GENERATED ALWAYS|BY DEFAULT AS IDENTITY [(options)]` for a column of
/// type `column_type`: only the options that differ from the defaults of
/// the column's type are printed (the identity sequence takes the column's
/// type), so a CREATE never names a bound the type cannot hold.
pub fn identity_clause(identity: &Identity, column_type: &TypeName) -> String {
    let mut res = format!(
        " GENERATED {} AS IDENTITY",
        if identity.always {
            "ALWAYS"
        } else {
            "BY DEFAULT"
        }
    );
    let options = identity_options(&identity.options, column_type);
    if !options.is_empty() {
        res.push_str(&format!(" ({options})"));
    }
    res
}

/// Identity options that differ from the defaults for `column_type`, in
/// the order sqlparser and PostgreSQL both accept; empty when none do.
pub fn identity_options(options: &SequenceOptions, column_type: &TypeName) -> String {
    let mut options = options.clone();
    options.data_type = sequence_type(column_type);
    non_default_options(&options).join(" ")
}

/// The sequence type an identity column of `column_type` gets.
pub fn sequence_type(column_type: &TypeName) -> TypeName {
    match column_type.as_str() {
        "smallint" | "integer" => column_type.clone(),
        _ => TypeName::new("bigint"),
    }
}

/// A constraint body (after `CONSTRAINT name`): `PRIMARY KEY (a)`,
/// `CHECK (x > 0)`, `FOREIGN KEY (a) REFERENCES public.t (id) ...`.
pub fn constraint_body(constraint: &Constraint) -> String {
    let mut res = match &constraint.kind {
        ConstraintKind::PrimaryKey { columns, include } => {
            format!(
                "PRIMARY KEY ({}){}",
                ident_list(columns),
                include_clause(include)
            )
        }
        ConstraintKind::Unique {
            columns,
            include,
            nulls_not_distinct,
        } => format!(
            "UNIQUE {}({}){}",
            if *nulls_not_distinct {
                "NULLS NOT DISTINCT "
            } else {
                ""
            },
            ident_list(columns),
            include_clause(include)
        ),
        ConstraintKind::Check { expr, no_inherit } => format!(
            "CHECK ({expr}){}",
            if *no_inherit { " NO INHERIT" } else { "" }
        ),
        ConstraintKind::ForeignKey(fk) => {
            let mut res = format!(
                "FOREIGN KEY ({}) REFERENCES {} ({})",
                ident_list(&fk.columns),
                fk.ref_table,
                ident_list(&fk.ref_columns)
            );
            if fk.match_full {
                res.push_str(" MATCH FULL");
            }
            if fk.on_update != FkAction::NoAction {
                res.push_str(&format!(" ON UPDATE {}", fk.on_update.as_sql()));
            }
            if fk.on_delete != FkAction::NoAction {
                res.push_str(&format!(" ON DELETE {}", fk.on_delete.as_sql()));
            }
            res
        }
        ConstraintKind::Exclude {
            method,
            elements,
            include,
            predicate,
        } => {
            let elements: Vec<String> = elements
                .iter()
                .map(|element| {
                    let mut res = element.expr.to_string();
                    if let Some(opclass) = &element.opclass {
                        res.push_str(&format!(" {opclass}"));
                    }
                    res.push_str(&format!(" WITH {}", element.operator));
                    res
                })
                .collect();
            let mut res = format!(
                "EXCLUDE USING {method} ({}){}",
                elements.join(", "),
                include_clause(include)
            );
            if let Some(predicate) = predicate {
                res.push_str(&format!(" WHERE ({predicate})"));
            }
            res
        }
    };
    if constraint.deferrable {
        res.push_str(" DEFERRABLE");
        if constraint.initially_deferred {
            res.push_str(" INITIALLY DEFERRED");
        }
    }
    res
}

/// `CONSTRAINT name <body>`.
pub fn constraint_def(constraint: &Constraint) -> String {
    format!(
        "CONSTRAINT {} {}",
        constraint.name,
        constraint_body(constraint)
    )
}

fn include_clause(include: &[Ident]) -> String {
    if include.is_empty() {
        String::new()
    } else {
        format!(" INCLUDE ({})", ident_list(include))
    }
}

/// The key list of an index: `a, (lower(b)) COLLATE "C" text_pattern_ops DESC NULLS LAST`.
pub fn index_keys(index: &Index) -> String {
    index
        .keys
        .iter()
        .map(|key| {
            let mut res = match &key.expr {
                IndexExpr::Column(name) => name.to_string(),
                IndexExpr::Expr(expr) => format!("({expr})"),
            };
            if let Some(collation) = &key.collation {
                res.push_str(&format!(" COLLATE {collation}"));
            }
            if let Some(opclass) = &key.opclass {
                res.push_str(&format!(" {opclass}"));
            }
            if key.descending {
                res.push_str(" DESC");
            }
            match key.nulls_first {
                Some(true) => res.push_str(" NULLS FIRST"),
                Some(false) => res.push_str(" NULLS LAST"),
                None => {}
            }
            res
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// How [`create_index`] spells the statement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexForm {
    pub concurrently: bool,
    /// `ON ONLY parent` (partitioned tables).
    pub only: bool,
    /// `CREATE UNIQUE INDEX` even when the index itself is not unique
    /// (unique constraints built from an index).
    pub force_unique: bool,
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] name ON [ONLY] table USING m (keys) ...`.
pub fn create_index(table: &QualifiedName, index: &Index, form: IndexForm) -> String {
    let mut res = format!(
        "CREATE {}INDEX {}{} ON {}{} USING {} ({})",
        if index.unique || form.force_unique {
            "UNIQUE "
        } else {
            ""
        },
        if form.concurrently {
            "CONCURRENTLY "
        } else {
            ""
        },
        index.name,
        if form.only { "ONLY " } else { "" },
        table,
        index.method,
        index_keys(index)
    );
    if !index.include.is_empty() {
        res.push_str(&format!(" INCLUDE ({})", ident_list(&index.include)));
    }
    if index.nulls_not_distinct {
        res.push_str(" NULLS NOT DISTINCT");
    }
    if !index.with.is_empty() {
        let params: Vec<String> = index
            .with
            .iter()
            .map(|(name, value)| format!("{name} = {value}"))
            .collect();
        res.push_str(&format!(" WITH ({})", params.join(", ")));
    }
    if let Some(predicate) = &index.predicate {
        res.push_str(&format!(" WHERE ({predicate})"));
    }
    res
}

/// `PARTITION BY RANGE (a, (lower(b)))`.
pub fn partition_by(partition_by: &PartitionBy) -> String {
    let keys: Vec<String> = partition_by
        .key
        .iter()
        .map(|key| {
            if is_plain_identifier(&key.sql) {
                key.sql.clone()
            } else {
                format!("({key})")
            }
        })
        .collect();
    format!(
        "PARTITION BY {} ({})",
        partition_by.strategy.as_sql(),
        keys.join(", ")
    )
}

/// True for a bare (possibly quoted) column name.
pub fn is_plain_identifier(text: &str) -> bool {
    let text = text.trim();
    (text.starts_with('"')
        && text.ends_with('"')
        && text.len() > 1
        && !text[1..text.len() - 1].contains('"'))
        || (!text.is_empty()
            && text
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$'))
}

/// One bound value: `MINVALUE`, `NULL`, `'2025-01-01'`.
pub fn bound_value(value: &BoundValue) -> String {
    match value {
        BoundValue::MinValue => "MINVALUE".to_string(),
        BoundValue::MaxValue => "MAXVALUE".to_string(),
        BoundValue::Null => "NULL".to_string(),
        BoundValue::Literal(expr) => expr.to_string(),
    }
}

fn bound_values(values: &[BoundValue]) -> String {
    values
        .iter()
        .map(bound_value)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `FOR VALUES FROM (...) TO (...)`, `FOR VALUES IN (...)`,
/// `FOR VALUES WITH (MODULUS m, REMAINDER r)`, `DEFAULT`.
pub fn partition_bound(bound: &PartitionBound) -> String {
    match bound {
        PartitionBound::Range { from, to } => format!(
            "FOR VALUES FROM ({}) TO ({})",
            bound_values(from),
            bound_values(to)
        ),
        PartitionBound::List(values) => format!("FOR VALUES IN ({})", bound_values(values)),
        PartitionBound::Hash { modulus, remainder } => {
            format!("FOR VALUES WITH (MODULUS {modulus}, REMAINDER {remainder})")
        }
        PartitionBound::Default => "DEFAULT".to_string(),
    }
}

/// What [`create_table`] puts inline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableForm {
    /// Include FOREIGN KEY constraints (off in plans: FKs are separate
    /// steps so cycles between new tables work).
    pub foreign_keys: bool,
}

/// `CREATE [UNLOGGED] TABLE name (columns, constraints) [PARTITION BY ...]`,
/// or `CREATE TABLE name PARTITION OF parent [(constraints)] FOR VALUES ...`;
/// `INHERITS (parent, ...)` for an inheritance child.
pub fn create_table(table: &Table, form: TableForm) -> String {
    let mut elements: Vec<String> = table.columns.iter().map(column_def).collect();
    elements.extend(
        table
            .constraints
            .values()
            .map(Box::as_ref)
            .filter(|constraint| {
                form.foreign_keys || !matches!(constraint.kind, ConstraintKind::ForeignKey(_))
            })
            // NOT VALID exists only for ALTER TABLE ... ADD (CREATE TABLE
            // marks an inline CHECK valid): the planner adds those after.
            .filter(|constraint| {
                !(constraint.not_valid && matches!(constraint.kind, ConstraintKind::Check { .. }))
            })
            .map(constraint_def),
    );
    let unlogged = if table.unlogged { "UNLOGGED " } else { "" };
    let mut res = match &table.partition_of {
        Some(of) => {
            let mut res = format!(
                "CREATE {unlogged}TABLE {} PARTITION OF {}",
                table.name, of.parent
            );
            if !elements.is_empty() {
                res.push_str(&format!(" ({})", elements.join(", ")));
            }
            res.push_str(&format!(" {}", partition_bound(&of.bound)));
            res
        }
        None => format!(
            "CREATE {unlogged}TABLE {} ({})",
            table.name,
            elements.join(", ")
        ),
    };
    if !table.inherits.is_empty() {
        res.push_str(&format!(" INHERITS ({})", qualified_list(&table.inherits)));
    }
    if let Some(by) = &table.partition_by {
        res.push_str(&format!(" {}", partition_by(by)));
    }
    if !table.options.is_empty() {
        let options: Vec<String> = table
            .options
            .0
            .iter()
            .map(|(name, value)| storage_option(name, value))
            .collect();
        res.push_str(&format!(" WITH ({})", options.join(", ")));
    }
    res
}

/// `fillfactor = '70'`: a storage parameter as `WITH (...)` and `ALTER
/// TABLE ... SET (...)` take it (a quoted value is accepted for every
/// parameter kind).
pub fn storage_option(name: &str, value: &str) -> String {
    format!("{name} = {}", quote_literal(value))
}

/// `ALTER TABLE t SET (a = 'v', ...)` for `set`, then `ALTER TABLE t RESET
/// (b, ...)` for `reset`: one statement each, those that are not empty.
pub fn alter_table_options(
    table: &QualifiedName,
    set: &[(String, String)],
    reset: &[String],
) -> Vec<String> {
    let mut res = Vec::new();
    if !set.is_empty() {
        let options: Vec<String> = set
            .iter()
            .map(|(name, value)| storage_option(name, value))
            .collect();
        res.push(format!("ALTER TABLE {table} SET ({})", options.join(", ")));
    }
    if !reset.is_empty() {
        res.push(format!("ALTER TABLE {table} RESET ({})", reset.join(", ")));
    }
    res
}

/// `public.a, public.b`.
pub fn qualified_list(names: &[QualifiedName]) -> String {
    names
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `CREATE POLICY name ON table AS PERMISSIVE FOR ALL TO r USING (e) WITH CHECK (e)`.
pub fn create_policy(table: &QualifiedName, policy: &Policy) -> String {
    let mut res = format!(
        "CREATE POLICY {} ON {} AS {} FOR {} TO {}",
        policy.name,
        table,
        if policy.permissive {
            "PERMISSIVE"
        } else {
            "RESTRICTIVE"
        },
        policy.command.as_sql(),
        policy_roles(policy)
    );
    if let Some(using) = &policy.using {
        res.push_str(&format!(" USING ({using})"));
    }
    if let Some(check) = &policy.with_check {
        res.push_str(&format!(" WITH CHECK ({check})"));
    }
    res
}

/// `app_user, admin` or `PUBLIC`.
pub fn policy_roles(policy: &Policy) -> String {
    if policy.roles.is_empty() {
        "PUBLIC".to_string()
    } else {
        ident_list(&policy.roles)
    }
}

/// `CREATE [CONSTRAINT] TRIGGER name timing events ON table ... EXECUTE FUNCTION f(args)`.
pub fn create_trigger(table: &QualifiedName, trigger: &Trigger) -> String {
    let timing = match trigger.timing {
        TriggerTiming::Before => "BEFORE",
        TriggerTiming::After => "AFTER",
        TriggerTiming::InsteadOf => "INSTEAD OF",
    };
    let events: Vec<String> = trigger
        .events
        .iter()
        .map(|event| match event {
            TriggerEvent::Insert => "INSERT".to_string(),
            TriggerEvent::Delete => "DELETE".to_string(),
            TriggerEvent::Truncate => "TRUNCATE".to_string(),
            TriggerEvent::Update(columns) if columns.is_empty() => "UPDATE".to_string(),
            TriggerEvent::Update(columns) => format!("UPDATE OF {}", ident_list(columns)),
        })
        .collect();
    let mut res = format!(
        "CREATE {}TRIGGER {} {timing} {} ON {}",
        if trigger.constraint {
            "CONSTRAINT "
        } else {
            ""
        },
        trigger.name,
        events.join(" OR "),
        table
    );
    if trigger.deferrable {
        res.push_str(" DEFERRABLE");
        if trigger.initially_deferred {
            res.push_str(" INITIALLY DEFERRED");
        }
    }
    let transitions = [("OLD", &trigger.old_table), ("NEW", &trigger.new_table)];
    if transitions.iter().any(|(_, name)| name.is_some()) {
        res.push_str(" REFERENCING");
        for (kind, name) in transitions {
            if let Some(name) = name {
                res.push_str(&format!(" {kind} TABLE AS {name}"));
            }
        }
    }
    res.push_str(if trigger.for_each_row {
        " FOR EACH ROW"
    } else {
        " FOR EACH STATEMENT"
    });
    if let Some(when) = &trigger.when {
        res.push_str(&format!(" WHEN ({when})"));
    }
    let args: Vec<String> = trigger.args.iter().map(|arg| quote_literal(arg)).collect();
    res.push_str(&format!(
        " EXECUTE FUNCTION {}({})",
        trigger.function,
        args.join(", ")
    ));
    res
}

/// `CREATE [OR REPLACE] [MATERIALIZED] VIEW name [(cols)] [WITH (opts)] AS query [WITH CHECK OPTION]`.
pub fn create_view(view: &View, or_replace: bool) -> String {
    let mut res = format!(
        "CREATE {}{}VIEW {}",
        if or_replace && !view.materialized {
            "OR REPLACE "
        } else {
            ""
        },
        if view.materialized {
            "MATERIALIZED "
        } else {
            ""
        },
        view.name
    );
    if !view.columns.is_empty() {
        res.push_str(&format!(" ({})", ident_list(&view.columns)));
    }
    let mut check_option = None;
    let options: Vec<String> = view
        .options
        .iter()
        .filter_map(|(name, value)| {
            if name == "check_option" {
                check_option = Some(value.to_uppercase());
                None
            } else {
                Some(format!("{name} = {value}"))
            }
        })
        .collect();
    if !options.is_empty() {
        res.push_str(&format!(" WITH ({})", options.join(", ")));
    }
    res.push_str(&format!(
        " AS {}",
        view.query.sql.trim().trim_end_matches(';')
    ));
    if let Some(check_option) = check_option {
        res.push_str(&format!(" WITH {check_option} CHECK OPTION"));
    }
    res
}

/// The object clause of `COMMENT ON`: `TABLE public.t`, `VIEW public.v`.
pub fn view_kind(view: &View) -> &'static str {
    if view.materialized {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    }
}

/// `COMMENT ON <target> IS '...'` (or `IS NULL`).
pub fn comment_on(target: &str, comment: Option<&str>) -> String {
    format!(
        "COMMENT ON {target} IS {}",
        comment.map_or_else(|| "NULL".to_string(), quote_literal)
    )
}

/// The Citus call that distributes a table.
pub fn distribute(
    table: &QualifiedName,
    distribution: &Distribution,
    concurrently: bool,
) -> String {
    match distribution {
        Distribution::Reference => {
            format!(
                "SELECT create_reference_table({})",
                quote_literal(&table.to_string())
            )
        }
        Distribution::Hash {
            column,
            colocation,
            shard_count,
        } => {
            let function = if concurrently {
                "create_distributed_table_concurrently"
            } else {
                "create_distributed_table"
            };
            let mut res = format!(
                "SELECT {function}({}, {}",
                quote_literal(&table.to_string()),
                quote_literal(column.as_str())
            );
            match colocation {
                Colocation::Default => {}
                Colocation::None => res.push_str(", colocate_with => 'none'"),
                Colocation::Table(other) => res.push_str(&format!(
                    ", colocate_with => {}",
                    quote_literal(&other.to_string())
                )),
            }
            // A table colocated with another has that table's shard count;
            // Citus refuses both arguments together.
            if let (Some(count), Colocation::Default | Colocation::None) = (shard_count, colocation)
            {
                res.push_str(&format!(", shard_count => {count}"));
            }
            res.push(')');
            res
        }
    }
}

/// A `SET name = value` value as SQL: each comma-separated item quoted as a
/// literal unless it is a plain identifier or number (`64MB` needs quotes,
/// `pg_catalog` does not).
fn config_value(value: &str) -> String {
    if value == "DEFAULT" {
        return value.to_string();
    }
    value
        .split(',')
        .map(|item| {
            let item = item.trim();
            let plain = !item.is_empty()
                && (item
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    && !item.starts_with(|c: char| c.is_ascii_digit())
                    || item.parse::<f64>().is_ok());
            if plain {
                item.to_string()
            } else {
                format!("'{}'", item.replace('\'', "''"))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        ForeignKey, IndexKey, Meta, PartitionOf, PartitionStrategy, PolicyCommand, SqlExpr,
        TypeName,
    };

    fn column(name: &str, ty: &str) -> Column {
        Column::new(Ident::new(name), TypeName::new(ty))
    }

    #[test]
    fn create_table_with_constraints() {
        let mut table = Table::new(QualifiedName::public("orders"));
        let mut id = column("id", "bigint");
        id.not_null = true;
        let mut status = column("status", "text");
        status.default = Some(SqlExpr::raw("'new'::text"));
        table.columns = vec![id, status, column("user", "uuid")];
        table.constraints.insert(
            Ident::new("orders_pkey"),
            Box::new(Constraint {
                name: Ident::new("orders_pkey"),
                kind: ConstraintKind::PrimaryKey {
                    columns: vec![Ident::new("id")],
                    include: vec![],
                },
                deferrable: false,
                initially_deferred: false,
                not_valid: false,
                comment: None,
                meta: Meta::default(),
            }),
        );
        table.constraints.insert(
            Ident::new("orders_user_fkey"),
            Box::new(Constraint {
                name: Ident::new("orders_user_fkey"),
                kind: ConstraintKind::ForeignKey(ForeignKey {
                    columns: vec![Ident::new("user")],
                    ref_table: QualifiedName::public("users"),
                    ref_columns: vec![Ident::new("id")],
                    on_delete: FkAction::Cascade,
                    on_update: FkAction::NoAction,
                    match_full: false,
                }),
                deferrable: true,
                initially_deferred: true,
                not_valid: false,
                comment: None,
                meta: Meta::default(),
            }),
        );
        insta::assert_snapshot!(create_table(&table, TableForm::default()), @"CREATE TABLE public.orders (id bigint NOT NULL, status text DEFAULT 'new'::text, \"user\" uuid, CONSTRAINT orders_pkey PRIMARY KEY (id))");
        insta::assert_snapshot!(create_table(&table, TableForm { foreign_keys: true }), @"CREATE TABLE public.orders (id bigint NOT NULL, status text DEFAULT 'new'::text, \"user\" uuid, CONSTRAINT orders_pkey PRIMARY KEY (id), CONSTRAINT orders_user_fkey FOREIGN KEY (\"user\") REFERENCES public.users (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED)");
    }

    #[test]
    fn partitions_and_indexes() {
        let mut parent = Table::new(QualifiedName::public("events"));
        parent.columns = vec![column("at", "timestamp with time zone")];
        parent.partition_by = Some(PartitionBy {
            strategy: PartitionStrategy::Range,
            key: vec![SqlExpr::raw("at")],
        });
        insta::assert_snapshot!(create_table(&parent, TableForm::default()), @"CREATE TABLE public.events (at timestamp with time zone) PARTITION BY RANGE (at)");
        let mut part = Table::new(QualifiedName::public("events_2025"));
        part.partition_of = Some(PartitionOf {
            parent: parent.name.clone(),
            bound: PartitionBound::Range {
                from: vec![BoundValue::Literal(SqlExpr::raw("'2025-01-01'"))],
                to: vec![BoundValue::MaxValue],
            },
        });
        insta::assert_snapshot!(create_table(&part, TableForm::default()), @"CREATE TABLE public.events_2025 PARTITION OF public.events FOR VALUES FROM ('2025-01-01') TO (MAXVALUE)");
        let index = Index {
            name: Ident::new("events_at_idx"),
            unique: false,
            nulls_not_distinct: false,
            method: "btree".to_string(),
            keys: vec![
                IndexKey {
                    expr: IndexExpr::Column(Ident::new("at")),
                    collation: None,
                    opclass: None,
                    descending: true,
                    nulls_first: Some(false),
                },
                IndexKey {
                    expr: IndexExpr::Expr(SqlExpr::raw("lower(name)")),
                    collation: Some(crate::model::Collation::new("C")),
                    opclass: Some("text_pattern_ops".to_string()),
                    descending: false,
                    nulls_first: None,
                },
            ],
            include: vec![],
            predicate: Some(SqlExpr::raw("at > '2020-01-01'")),
            with: vec![("fillfactor".to_string(), "70".to_string())],
            invalid: false,
            comment: None,
            meta: Meta::default(),
        };
        let form = IndexForm {
            concurrently: true,
            ..IndexForm::default()
        };
        insta::assert_snapshot!(create_index(&parent.name, &index, form), @r#"CREATE INDEX CONCURRENTLY events_at_idx ON public.events USING btree (at DESC NULLS LAST, (lower(name)) COLLATE "C" text_pattern_ops) WITH (fillfactor = 70) WHERE (at > '2020-01-01')"#);
    }

    #[test]
    fn policies_triggers_comments() {
        let policy = Policy {
            name: Ident::new("tenant"),
            permissive: true,
            command: PolicyCommand::Select,
            roles: vec![Ident::new("app_user")],
            using: Some(SqlExpr::raw("tenant_id = 1")),
            with_check: None,
            comment: None,
            meta: Meta::default(),
        };
        insta::assert_snapshot!(create_policy(&QualifiedName::public("t"), &policy), @"CREATE POLICY tenant ON public.t AS PERMISSIVE FOR SELECT TO app_user USING (tenant_id = 1)");
        insta::assert_snapshot!(comment_on("TABLE public.t", Some("it's")), @"COMMENT ON TABLE public.t IS 'it''s'");
        insta::assert_snapshot!(dollar_quote("select '$$'"), @"$schemac$select '$$'$schemac$");
        let dist = Distribution::Hash {
            column: Ident::new("account_id"),
            colocation: Colocation::Table(QualifiedName::public("accounts")),
            shard_count: Some(32),
        };
        insta::assert_snapshot!(distribute(&QualifiedName::public("orders"), &dist, true), @"SELECT create_distributed_table_concurrently('public.orders', 'account_id', colocate_with => 'public.accounts')");
    }

    #[test]
    fn sequences_and_identities_print_only_non_default_options() {
        let mut sequence = Sequence {
            name: QualifiedName::public("invoice_no"),
            options: SequenceOptions::defaults(TypeName::new("bigint"), 1),
            owned_by: None,
            comment: None,
            meta: Meta::default(),
        };
        insta::assert_snapshot!(create_sequence(&sequence), @"CREATE SEQUENCE public.invoice_no");
        sequence.options = SequenceOptions::defaults(TypeName::new("integer"), 1);
        sequence.options.start = 1000;
        sequence.options.cache = 10;
        sequence.options.cycle = true;
        insta::assert_snapshot!(create_sequence(&sequence), @"CREATE SEQUENCE public.invoice_no AS integer START WITH 1000 CACHE 10 CYCLE");
        let mut id = column("id", "integer");
        id.identity = Some(Box::new(Identity {
            always: true,
            options: SequenceOptions::defaults(TypeName::new("integer"), 1),
        }));
        insta::assert_snapshot!(column_def(&id), @"id integer GENERATED ALWAYS AS IDENTITY");
        // Defaults are judged by the column's type (a descending integer
        // identity starts at -1 by default).
        let mut options = SequenceOptions::defaults(TypeName::new("integer"), -1);
        options.max_value = -10;
        options.start = -10;
        id.identity = Some(Box::new(Identity {
            always: false,
            options,
        }));
        insta::assert_snapshot!(column_def(&id), @"id integer GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY -1 MAXVALUE -10)");
    }
}
