//! `GRANT` and `REVOKE` of privileges on the objects the Model carries
//! privileges for (tables, partitions, views, sequences, functions and
//! procedures, schemas, types and domains), also `ON ALL TABLES |
//! SEQUENCES | FUNCTIONS | PROCEDURES | ROUTINES IN SCHEMA s`.
//!
//! Invariants:
//! - A statement is applied where it stands, as PostgreSQL runs the file:
//!   `ON ALL ... IN SCHEMA` reaches the objects of that kind the file has
//!   declared in the schema so far, and a REVOKE undoes only what was
//!   granted before it.
//! - The owner's own entries are not modelled ([`crate::model::privilege`]):
//!   a grant to the role the object was created under (`SET ROLE`) is a
//!   no-op here, as it is for PostgreSQL's effective rights.
//! - What is not modelled is never a silent mis-read: column privileges,
//!   role membership (`GRANT role TO role`) and privileges on other kinds
//!   of objects (DATABASE, LANGUAGE, ...) are skipped with a note naming
//!   the form; a privilege the kind does not have, or an object the file
//!   does not declare, is an error at the statement, as PostgreSQL refuses
//!   it.

use super::{ident, Ctx, Stmt};
use crate::model::privilege::apply_grant;
use crate::model::{
    AclKind, AclTarget, DefaultAclKey, FunctionId, Grantee, Ident, Privilege, QualifiedName,
};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

/// A parsed GRANT or REVOKE.
struct Statement {
    grant: bool,
    /// `REVOKE GRANT OPTION FOR`.
    option_only: bool,
    /// `None`: ALL [PRIVILEGES].
    privileges: Option<Vec<Privilege>>,
    objects: Objects,
    grantees: Vec<GranteeSpec>,
    with_grant_option: bool,
}

/// What a statement names after `ON`.
enum Objects {
    /// `[TABLE] a, b` (also sequences and views).
    Tables(Vec<QualifiedName>),
    Sequences(Vec<QualifiedName>),
    /// Functions with their argument types, or `None` (name alone).
    Functions(Vec<(QualifiedName, Option<Vec<crate::model::TypeName>>)>),
    Schemas(Vec<Ident>),
    Types(Vec<QualifiedName>),
    /// `ALL <kind> IN SCHEMA a, b`.
    AllIn(AllKind, Vec<Ident>),
    /// `TABLES`, `FUNCTIONS`, ... of `ALTER DEFAULT PRIVILEGES`.
    Defaults(AclKind),
}

#[derive(Clone, Copy)]
enum AllKind {
    Tables,
    Sequences,
    /// Functions (`prokind f`), procedures (`p`) or both (ROUTINES).
    Functions {
        functions: bool,
        procedures: bool,
    },
}

enum GranteeSpec {
    Public,
    Role(Ident),
    /// CURRENT_USER, CURRENT_ROLE, SESSION_USER.
    Current,
}

/// Why a statement is not modelled (a note, not an error).
enum Skip {
    /// What the statement is, for the note.
    NotModelled(String),
}

pub(crate) fn grant_or_revoke(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let parsed = super::parser(stmt.text).and_then(|mut p| parse(ctx, &mut p, false));
    let statement = match parsed {
        Ok(Ok(statement)) => statement,
        Ok(Err(Skip::NotModelled(form))) => {
            ctx.info(
                "skipped-statement",
                &stmt,
                format!("{form} skipped (not modelled by schemac)"),
            );
            return;
        }
        Err(error) => {
            ctx.syntax_error(&stmt, &error);
            return;
        }
    };
    let verb = if statement.grant { "GRANT" } else { "REVOKE" };
    if let Objects::Defaults(_) = statement.objects {
        ctx.error(
            "syntax-error",
            &stmt,
            format!("{verb} ON TABLES, FUNCTIONS, ... is only valid in ALTER DEFAULT PRIVILEGES"),
        );
        return;
    }
    let Some(targets) = targets(ctx, &stmt, &statement.objects, verb) else {
        return;
    };
    for target in targets {
        let kind = target.kind();
        let privileges: Vec<Privilege> = match &statement.privileges {
            None => kind.all_privileges().to_vec(),
            Some(listed) => {
                if let Some(bad) = listed.iter().find(|privilege| !kind.allows(**privilege)) {
                    // PostgreSQL only warns for a sequence named through
                    // TABLE and keeps the privileges that apply.
                    if kind != AclKind::Sequence {
                        ctx.error(
                            "invalid-privilege",
                            &stmt,
                            format!("invalid privilege type {bad} for {target}"),
                        );
                        return;
                    }
                }
                listed
                    .iter()
                    .copied()
                    .filter(|privilege| kind.allows(*privilege))
                    .collect()
            }
        };
        let owner = ctx
            .model
            .acl_target_meta(&target)
            .and_then(|meta| meta.role.as_deref().cloned());
        let mut acl = started_acl(ctx, &target);
        for grantee in &statement.grantees {
            let grantee = match grantee {
                GranteeSpec::Public => Grantee::Public,
                GranteeSpec::Role(role) if Some(role) == owner.as_ref() => continue,
                GranteeSpec::Role(role) => Grantee::Role(role.clone()),
                GranteeSpec::Current => match &ctx.role {
                    // The current role owns what it created: no-op.
                    current if current == &owner => continue,
                    Some(role) => Grantee::Role(role.clone()),
                    None => {
                        ctx.info(
                            "skipped-statement",
                            &stmt,
                            format!("{verb} ... CURRENT_USER on {target} skipped: the applying user is not known to the schema"),
                        );
                        continue;
                    }
                },
            };
            apply_grant(
                &mut acl,
                statement.grant,
                statement.option_only,
                &privileges,
                &grantee,
                statement.with_grant_option,
            );
        }
        ctx.model.set_acl(target, acl);
    }
}

/// The objects the statement names, each checked to be declared; `None`
/// (and an error) when one is not.
fn targets(
    ctx: &mut Ctx<'_>,
    stmt: &Stmt<'_>,
    objects: &Objects,
    verb: &str,
) -> Option<Vec<AclTarget>> {
    let mut res = Vec::new();
    let missing = |ctx: &mut Ctx<'_>, what: String| {
        ctx.error(
            "unknown-reference",
            stmt,
            format!("{verb} on {what}, which this file does not declare"),
        );
    };
    match objects {
        Objects::Tables(names) => {
            for name in names {
                if ctx.model.sequences.contains_key(name) {
                    res.push(AclTarget::Sequence(name.clone()));
                } else if ctx.model.tables.contains_key(name) || ctx.model.views.contains_key(name)
                {
                    res.push(AclTarget::Table(name.clone()));
                } else {
                    missing(ctx, format!("table {name}"));
                    return None;
                }
            }
        }
        Objects::Sequences(names) => {
            for name in names {
                if !ctx.model.sequences.contains_key(name) {
                    missing(ctx, format!("sequence {name}"));
                    return None;
                }
                res.push(AclTarget::Sequence(name.clone()));
            }
        }
        Objects::Types(names) => {
            for name in names {
                let target = AclTarget::Type(name.clone());
                if !ctx.model.has_acl_target(&target) {
                    missing(ctx, format!("type {name}"));
                    return None;
                }
                res.push(target);
            }
        }
        Objects::Schemas(names) => {
            for name in names {
                if name.as_str() == "public" && !ctx.model.schemas.contains_key(name) {
                    ctx.info(
                        "skipped-statement",
                        stmt,
                        format!("{verb} ON SCHEMA public skipped (the public schema always exists; its privileges are not managed by schemac)"),
                    );
                    continue;
                }
                let target = AclTarget::Schema(name.clone());
                if !ctx.model.has_acl_target(&target) {
                    missing(ctx, format!("schema {name}"));
                    return None;
                }
                res.push(target);
            }
        }
        Objects::Functions(functions) => {
            for (name, args) in functions {
                let found: Vec<FunctionId> = match args {
                    Some(arg_types) => {
                        let id = FunctionId {
                            name: name.clone(),
                            arg_types: arg_types.clone(),
                        };
                        ctx.model
                            .functions
                            .contains_key(&id)
                            .then_some(id)
                            .into_iter()
                            .collect()
                    }
                    None => ctx
                        .model
                        .functions
                        .keys()
                        .filter(|id| &id.name == name)
                        .cloned()
                        .collect(),
                };
                match found.len() {
                    1 => res.extend(found.into_iter().map(AclTarget::Function)),
                    0 => {
                        missing(ctx, format!("function {name}"));
                        return None;
                    }
                    _ => {
                        ctx.error(
                            "ambiguous-reference",
                            stmt,
                            format!("function name {name} is not unique: name its argument types"),
                        );
                        return None;
                    }
                }
            }
        }
        Objects::Defaults(_) => {}
        Objects::AllIn(kind, schemas) => {
            for schema in schemas {
                let in_schema = |name: &QualifiedName| &name.schema == schema;
                match kind {
                    AllKind::Tables => {
                        let mut names: Vec<&QualifiedName> = ctx
                            .model
                            .tables
                            .keys()
                            .chain(ctx.model.views.keys())
                            .filter(|name| in_schema(name))
                            .collect();
                        names.sort();
                        res.extend(names.into_iter().cloned().map(AclTarget::Table));
                    }
                    AllKind::Sequences => res.extend(
                        ctx.model
                            .sequences
                            .keys()
                            .filter(|name| in_schema(name))
                            .cloned()
                            .map(AclTarget::Sequence),
                    ),
                    AllKind::Functions {
                        functions,
                        procedures,
                    } => res.extend(
                        ctx.model
                            .functions
                            .iter()
                            .filter(|(id, function)| {
                                in_schema(&id.name)
                                    && if function.procedure {
                                        *procedures
                                    } else {
                                        *functions
                                    }
                            })
                            .map(|(id, _)| AclTarget::Function(id.clone())),
                    ),
                }
            }
        }
    }
    Some(res)
}

/// A GRANT or REVOKE; `defaults`: inside ALTER DEFAULT PRIVILEGES, where
/// the objects are a kind (`ON TABLES`).
fn parse(
    ctx: &Ctx<'_>,
    p: &mut Parser<'_>,
    defaults: bool,
) -> Result<Result<Statement, Skip>, ParserError> {
    let grant = match p.parse_one_of_keywords(&[Keyword::GRANT, Keyword::REVOKE]) {
        Some(Keyword::GRANT) => true,
        Some(_) => false,
        None => return p.expected("GRANT or REVOKE", p.peek_token()),
    };
    let option_only = !grant && p.parse_keywords(&[Keyword::GRANT, Keyword::OPTION, Keyword::FOR]);
    let privileges = if p.parse_keyword(Keyword::ALL) {
        let _ = p.parse_keyword(Keyword::PRIVILEGES);
        if p.peek_token().token == Token::LParen {
            return Ok(Err(Skip::NotModelled(
                "column privileges (ALL (columns))".to_string(),
            )));
        }
        None
    } else {
        let mut listed = Vec::new();
        loop {
            let token = p.next_token();
            let word = match &token.token {
                Token::Word(word) => word.value.clone(),
                _ => return p.expected("a privilege", token),
            };
            if p.peek_token().token == Token::LParen {
                return Ok(Err(Skip::NotModelled(format!(
                    "column privileges ({} (columns))",
                    word.to_uppercase()
                ))));
            }
            match word.to_uppercase().as_str() {
                "TEMPORARY" | "TEMP" | "CONNECT" | "SET" | "ALTER" => {
                    return Ok(Err(Skip::NotModelled(format!(
                        "privilege {} (database or parameter)",
                        word.to_uppercase()
                    ))))
                }
                upper => match Privilege::parse(upper) {
                    Some(privilege) => listed.push(privilege),
                    // `GRANT role TO role`: role membership.
                    None => {
                        return Ok(Err(Skip::NotModelled(
                            "role membership (GRANT role TO role)".to_string(),
                        )))
                    }
                },
            }
            if !p.consume_token(&Token::Comma) {
                break;
            }
        }
        Some(listed)
    };
    if !p.parse_keyword(Keyword::ON) {
        return Ok(Err(Skip::NotModelled(
            "role membership (GRANT role TO role)".to_string(),
        )));
    }
    let objects = match objects(ctx, p, defaults)? {
        Ok(objects) => objects,
        Err(skip) => return Ok(Err(skip)),
    };
    if grant {
        p.expect_keyword(Keyword::TO)?;
    } else {
        p.expect_keyword(Keyword::FROM)?;
    }
    let mut grantees = Vec::new();
    loop {
        let _ = p.parse_keyword(Keyword::GROUP);
        let token = p.next_token();
        let grantee = match &token.token {
            Token::Word(word) if word.quote_style.is_none() => {
                match word.value.to_uppercase().as_str() {
                    "PUBLIC" => GranteeSpec::Public,
                    "CURRENT_USER" | "CURRENT_ROLE" | "SESSION_USER" => GranteeSpec::Current,
                    _ => GranteeSpec::Role(Ident::folded(&word.value)),
                }
            }
            Token::Word(word) => GranteeSpec::Role(Ident::new(word.value.clone())),
            _ => return p.expected("a role name", token),
        };
        grantees.push(grantee);
        if !p.consume_token(&Token::Comma) {
            break;
        }
    }
    let with_grant_option =
        grant && p.parse_keywords(&[Keyword::WITH, Keyword::GRANT, Keyword::OPTION]);
    if p.parse_keywords(&[Keyword::GRANTED, Keyword::BY]) {
        p.parse_identifier()?;
    }
    let _ = p.parse_one_of_keywords(&[Keyword::CASCADE, Keyword::RESTRICT]);
    super::forms::expect_end(p)?;
    Ok(Ok(Statement {
        grant,
        option_only,
        privileges,
        objects,
        grantees,
        with_grant_option,
    }))
}

fn objects(
    ctx: &Ctx<'_>,
    p: &mut Parser<'_>,
    defaults: bool,
) -> Result<Result<Objects, Skip>, ParserError> {
    let names = |p: &mut Parser<'_>| -> Result<Vec<QualifiedName>, ParserError> {
        let mut res = Vec::new();
        loop {
            res.push(ctx.object(&p.parse_object_name(false)?));
            if !p.consume_token(&Token::Comma) {
                return Ok(res);
            }
        }
    };
    if p.parse_keyword(Keyword::ALL) {
        let token = p.next_token();
        let kind = match &token.token {
            Token::Word(word) => match word.value.to_uppercase().as_str() {
                "TABLES" => AllKind::Tables,
                "SEQUENCES" => AllKind::Sequences,
                "FUNCTIONS" => AllKind::Functions {
                    functions: true,
                    procedures: false,
                },
                "PROCEDURES" => AllKind::Functions {
                    functions: false,
                    procedures: true,
                },
                "ROUTINES" => AllKind::Functions {
                    functions: true,
                    procedures: true,
                },
                other => {
                    return Ok(Err(Skip::NotModelled(format!(
                        "privileges ON ALL {}",
                        other.to_uppercase()
                    ))))
                }
            },
            _ => {
                return p.expected(
                    "TABLES, SEQUENCES, FUNCTIONS, PROCEDURES or ROUTINES",
                    token,
                )
            }
        };
        p.expect_keywords(&[Keyword::IN, Keyword::SCHEMA])?;
        let mut schemas = Vec::new();
        loop {
            schemas.push(ident(&p.parse_identifier()?));
            if !p.consume_token(&Token::Comma) {
                break;
            }
        }
        return Ok(Ok(Objects::AllIn(kind, schemas)));
    }
    if let Token::Word(word) = &p.peek_token().token {
        let kind = match word.value.to_uppercase().as_str() {
            "TABLES" => Some(AclKind::Table),
            "SEQUENCES" => Some(AclKind::Sequence),
            "FUNCTIONS" | "ROUTINES" => Some(AclKind::Function),
            "TYPES" => Some(AclKind::Type),
            "SCHEMAS" => Some(AclKind::Schema),
            _ => None,
        };
        if let Some(kind) = kind {
            if defaults && word.quote_style.is_none() {
                p.next_token();
                return Ok(Ok(Objects::Defaults(kind)));
            }
        }
    }
    let objects = if p.parse_keyword(Keyword::TABLE) {
        Objects::Tables(names(p)?)
    } else if p.parse_keyword(Keyword::SEQUENCE) {
        Objects::Sequences(names(p)?)
    } else if p.parse_keyword(Keyword::SCHEMA) {
        let mut schemas = Vec::new();
        loop {
            schemas.push(ident(&p.parse_identifier()?));
            if !p.consume_token(&Token::Comma) {
                break;
            }
        }
        Objects::Schemas(schemas)
    } else if p
        .parse_one_of_keywords(&[Keyword::TYPE, Keyword::DOMAIN])
        .is_some()
    {
        Objects::Types(names(p)?)
    } else if p
        .parse_one_of_keywords(&[Keyword::FUNCTION, Keyword::PROCEDURE])
        .is_some()
        || is_word(p, "ROUTINE")
    {
        let mut functions = Vec::new();
        loop {
            let name = ctx.function(&p.parse_object_name(false)?);
            let args = if p.consume_token(&Token::LParen) {
                Some(super::comment::argument_types(p)?)
            } else {
                None
            };
            functions.push((name, args));
            if !p.consume_token(&Token::Comma) {
                break;
            }
        }
        Objects::Functions(functions)
    } else {
        // A kind keyword the Model has no privileges for (DATABASE,
        // LANGUAGE, FOREIGN DATA WRAPPER, LARGE OBJECT, TABLESPACE, ...),
        // or a bare table name.
        match p.peek_token().token {
            Token::Word(word)
                if matches!(
                    word.value.to_uppercase().as_str(),
                    "DATABASE"
                        | "LANGUAGE"
                        | "FOREIGN"
                        | "LARGE"
                        | "TABLESPACE"
                        | "PARAMETER"
                        | "SERVER"
                ) =>
            {
                return Ok(Err(Skip::NotModelled(format!(
                    "privileges ON {}",
                    word.value.to_uppercase()
                ))));
            }
            _ => Objects::Tables(names(p)?),
        }
    };
    Ok(Ok(objects))
}

/// One `ALTER DEFAULT PRIVILEGES` statement: applied to the objects of
/// `kind` that `role` creates afterwards (in `schema`, or anywhere).
#[derive(Debug, Clone)]
pub(crate) struct DefaultPrivilege {
    /// The creating role (`FOR ROLE`, else the file's role at the
    /// statement; `None`: the applying user).
    role: Option<Ident>,
    /// `IN SCHEMA`: adds to what the global entries give.
    schema: Option<Ident>,
    kind: AclKind,
    grant: bool,
    option_only: bool,
    privileges: Option<Vec<Privilege>>,
    grantees: Vec<Grantee>,
    with_grant_option: bool,
    /// Byte offset of the statement: it applies to objects created after.
    at: usize,
}

/// `ALTER DEFAULT PRIVILEGES [FOR ROLE r, ...] [IN SCHEMA s, ...] GRANT |
/// REVOKE ... ON TABLES | SEQUENCES | FUNCTIONS | ROUTINES | TYPES |
/// SCHEMAS ...`: remembered, and applied to the objects the file creates
/// afterwards under that role, as PostgreSQL does
/// ([`apply_default_privileges`]), and kept as the `pg_default_acl`
/// entries they make (`Model::default_privileges`; see
/// [`DefaultAclKey::drops_own_entry`] for the role's own entries).
pub(crate) fn alter_default_privileges(ctx: &mut Ctx<'_>, stmt: Stmt<'_>) {
    let parsed = super::parser(stmt.text).and_then(|mut p| {
        p.expect_keyword(Keyword::ALTER)?;
        p.expect_keyword(Keyword::DEFAULT)?;
        p.expect_keyword(Keyword::PRIVILEGES)?;
        let mut roles = Vec::new();
        let mut schemas = Vec::new();
        loop {
            if p.parse_keyword(Keyword::FOR) {
                let _ = p.parse_one_of_keywords(&[Keyword::ROLE, Keyword::USER]);
                loop {
                    roles.push(ident(&p.parse_identifier()?));
                    if !p.consume_token(&Token::Comma) {
                        break;
                    }
                }
            } else if p.parse_keywords(&[Keyword::IN, Keyword::SCHEMA]) {
                loop {
                    schemas.push(ident(&p.parse_identifier()?));
                    if !p.consume_token(&Token::Comma) {
                        break;
                    }
                }
            } else {
                break;
            }
        }
        let statement = parse(ctx, &mut p, true)?;
        Ok((roles, schemas, statement))
    });
    let (roles, schemas, statement) = match parsed {
        Ok((roles, schemas, Ok(statement))) => (roles, schemas, statement),
        Ok((_, _, Err(Skip::NotModelled(form)))) => {
            ctx.info(
                "skipped-statement",
                &stmt,
                format!("ALTER DEFAULT PRIVILEGES with {form} skipped (not modelled by schemac)"),
            );
            return;
        }
        Err(error) => {
            ctx.syntax_error(&stmt, &error);
            return;
        }
    };
    let Objects::Defaults(kind) = statement.objects else {
        ctx.error(
            "syntax-error",
            &stmt,
            "ALTER DEFAULT PRIVILEGES names a kind of objects (TABLES, SEQUENCES, FUNCTIONS, ROUTINES, TYPES or SCHEMAS)",
        );
        return;
    };
    let mut grantees = Vec::new();
    for grantee in statement.grantees {
        match grantee {
            GranteeSpec::Public => grantees.push(Grantee::Public),
            GranteeSpec::Role(role) => grantees.push(Grantee::Role(role)),
            GranteeSpec::Current => {
                ctx.info(
                    "skipped-statement",
                    &stmt,
                    "ALTER DEFAULT PRIVILEGES ... CURRENT_USER skipped: the applying user is not known to the schema",
                );
            }
        }
    }
    let role_list: Vec<Option<Ident>> = if roles.is_empty() {
        vec![ctx.role.clone()]
    } else {
        roles.into_iter().map(Some).collect()
    };
    let schema_list: Vec<Option<Ident>> = if schemas.is_empty() {
        vec![None]
    } else {
        schemas.into_iter().map(Some).collect()
    };
    let privileges = match &statement.privileges {
        None => kind.all_privileges().to_vec(),
        Some(listed) => listed
            .iter()
            .copied()
            .filter(|privilege| kind.allows(*privilege))
            .collect(),
    };
    for role in &role_list {
        for schema in &schema_list {
            // The `pg_default_acl` entry itself (PostgreSQL refuses
            // `IN SCHEMA` with `ON SCHEMAS`).
            if !(schema.is_some() && kind == AclKind::Schema) {
                let key = DefaultAclKey {
                    role: role.clone(),
                    schema: schema.clone(),
                    kind,
                };
                let mut acl = ctx.model.default_acl_entry(&key);
                for grantee in &grantees {
                    if key.drops_own_entry(grantee) {
                        continue;
                    }
                    apply_grant(
                        &mut acl,
                        statement.grant,
                        statement.option_only,
                        &privileges,
                        grantee,
                        statement.with_grant_option,
                    );
                }
                ctx.model.set_default_acl_entry(key, acl);
            }
            ctx.default_privileges.push(DefaultPrivilege {
                role: role.clone(),
                schema: schema.clone(),
                kind,
                grant: statement.grant,
                option_only: statement.option_only,
                privileges: statement.privileges.clone(),
                grantees: grantees.clone(),
                with_grant_option: statement.with_grant_option,
                at: stmt.start,
            });
        }
    }
}

/// The object's ACL before a GRANT or REVOKE of the file changes it: what
/// it has, or, the first time, the kind's default with the default
/// privileges that applied when it was created.
fn started_acl(ctx: &mut Ctx<'_>, target: &AclTarget) -> crate::model::privilege::Acl {
    if ctx.acl_started.insert(target.clone()) {
        if let Some(acl) = acl_at_creation(ctx, target) {
            return acl;
        }
    }
    ctx.model.acl(target)
}

/// The default ACL PostgreSQL gives the object when it is created:
/// `None` when no `ALTER DEFAULT PRIVILEGES` applies to it.
fn acl_at_creation(ctx: &Ctx<'_>, target: &AclTarget) -> Option<crate::model::privilege::Acl> {
    if ctx.default_privileges.is_empty() {
        return None;
    }
    let meta = ctx.model.acl_target_meta(target)?;
    let created_at = meta.span?.start as usize;
    let owner = meta.role.as_deref().cloned();
    let schema = match target {
        AclTarget::Schema(_) => None,
        other => Some(other.schema().clone()),
    };
    let applying: Vec<&DefaultPrivilege> = ctx
        .default_privileges
        .iter()
        .filter(|entry| entry.kind == target.kind() && entry.at < created_at && entry.role == owner)
        .collect();
    if applying.is_empty() {
        return None;
    }
    let apply = |acl: &mut crate::model::privilege::Acl, entry: &DefaultPrivilege| {
        let privileges = match &entry.privileges {
            None => entry.kind.all_privileges().to_vec(),
            Some(listed) => listed
                .iter()
                .copied()
                .filter(|privilege| entry.kind.allows(*privilege))
                .collect(),
        };
        for grantee in &entry.grantees {
            if matches!((grantee, &owner), (Grantee::Role(role), Some(own)) if role == own) {
                continue;
            }
            apply_grant(
                acl,
                entry.grant,
                entry.option_only,
                &privileges,
                grantee,
                entry.with_grant_option,
            );
        }
    };
    // Global entries replace the built-in default; per-schema ones add to
    // the result (and their REVOKEs take back only what they granted).
    let mut acl = crate::model::privilege::default_acl(target.kind());
    for entry in applying.iter().filter(|entry| entry.schema.is_none()) {
        apply(&mut acl, entry);
    }
    let mut in_schema = crate::model::privilege::Acl::new();
    for entry in applying
        .iter()
        .filter(|entry| entry.schema.is_some() && entry.schema == schema)
    {
        apply(&mut in_schema, entry);
    }
    for (key, option) in in_schema {
        let held = acl.get(&key).copied().unwrap_or(false);
        acl.insert(key, held || option);
    }
    Some(acl)
}

/// After the whole file: the objects no GRANT or REVOKE touched get the
/// default privileges that applied at their creation.
pub(crate) fn apply_default_privileges(ctx: &mut Ctx<'_>) {
    if ctx.default_privileges.is_empty() {
        return;
    }
    let model = &ctx.model;
    let targets: Vec<AclTarget> = model
        .schemas
        .keys()
        .cloned()
        .map(AclTarget::Schema)
        .chain(
            model
                .tables
                .keys()
                .chain(model.views.keys())
                .cloned()
                .map(AclTarget::Table),
        )
        .chain(model.sequences.keys().cloned().map(AclTarget::Sequence))
        .chain(model.functions.keys().cloned().map(AclTarget::Function))
        .chain(
            model
                .enums
                .keys()
                .chain(model.domains.keys())
                .chain(model.composites.keys())
                .cloned()
                .map(AclTarget::Type),
        )
        .filter(|target| !ctx.acl_started.contains(target))
        .collect();
    for target in targets {
        if let Some(acl) = acl_at_creation(ctx, &target) {
            ctx.model.set_acl(target, acl);
        }
    }
}

/// Consumes the next token when it is the (unquoted) word `word`;
/// sqlparser has no keyword for every one PostgreSQL knows (ROUTINE).
fn is_word(p: &mut Parser<'_>, word: &str) -> bool {
    match &p.peek_token().token {
        Token::Word(found)
            if found.quote_style.is_none() && found.value.eq_ignore_ascii_case(word) =>
        {
            p.next_token();
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::load_file;
    use crate::model::privilege::Acl;
    use crate::model::{AclTarget, FunctionId, Ident, Model, QualifiedName};
    use crate::source::{FileId, Language, SourceFile};

    fn load(sql: &str) -> crate::diagnostics::Parsed<Model> {
        let file = SourceFile::new(FileId(0), "t.sql".into(), sql.to_string(), Language::Sql);
        load_file(&file)
    }

    fn entries(acl: &Acl) -> Vec<String> {
        acl.iter()
            .map(|((grantee, privilege), option)| {
                format!("{grantee} {privilege}{}", if *option { "*" } else { "" })
            })
            .collect()
    }

    #[test]
    fn grants_and_revokes_on_every_kind() {
        let parsed = load(
            "CREATE SCHEMA app;
CREATE TABLE app.t (a int);
CREATE VIEW app.v AS SELECT a FROM app.t;
CREATE SEQUENCE app.s;
CREATE TYPE app.e AS ENUM ('x');
CREATE DOMAIN app.d AS int;
CREATE FUNCTION app.f(a integer) RETURNS int LANGUAGE sql AS $$ select a $$;
GRANT USAGE ON SCHEMA app TO reader;
GRANT SELECT, INSERT ON TABLE app.t TO reader, \"Writer\" WITH GRANT OPTION;
REVOKE GRANT OPTION FOR INSERT ON app.t FROM reader;
GRANT ALL ON app.v TO writer;
GRANT ALL ON SEQUENCE app.s TO reader;
GRANT SELECT ON TABLE app.s TO writer;
REVOKE ALL ON TYPE app.e FROM PUBLIC;
REVOKE USAGE ON DOMAIN app.d FROM PUBLIC;
GRANT USAGE ON DOMAIN app.d TO PUBLIC;
REVOKE EXECUTE ON FUNCTION app.f(a integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.f TO reader;",
        );
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let m = parsed.value;
        let name = |n: &str| QualifiedName::new("app", n);
        assert_eq!(
            entries(&m.privileges[&AclTarget::Schema(Ident::new("app"))]),
            vec!["reader USAGE"]
        );
        assert_eq!(
            entries(&m.privileges[&AclTarget::Table(name("t"))]),
            vec![
                "\"Writer\" SELECT*",
                "\"Writer\" INSERT*",
                "reader SELECT*",
                "reader INSERT"
            ]
        );
        assert_eq!(m.privileges[&AclTarget::Table(name("v"))].len(), 7);
        assert_eq!(
            entries(&m.privileges[&AclTarget::Sequence(name("s"))]),
            vec![
                "reader SELECT",
                "reader UPDATE",
                "reader USAGE",
                "writer SELECT"
            ]
        );
        assert_eq!(
            m.privileges.get(&AclTarget::Type(name("e"))),
            Some(&Acl::new())
        );
        // Revoked and granted back: the default, so no entry.
        assert!(!m.privileges.contains_key(&AclTarget::Type(name("d"))));
        let f = AclTarget::Function(FunctionId {
            name: name("f"),
            arg_types: vec![crate::model::TypeName::new("integer")],
        });
        assert_eq!(entries(&m.privileges[&f]), vec!["reader EXECUTE"]);
        assert_eq!(m.privileges.len(), 6);
    }

    #[test]
    fn all_in_schema_reaches_what_is_declared_so_far() {
        let parsed = load(
            "CREATE SCHEMA app;
CREATE TABLE app.a (x int);
CREATE TABLE app.p (x int) PARTITION BY RANGE (x);
CREATE TABLE app.p1 PARTITION OF app.p FOR VALUES FROM (1) TO (2);
GRANT SELECT ON ALL TABLES IN SCHEMA app TO reader;
CREATE TABLE app.b (x int);
CREATE TABLE public.c (x int);",
        );
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let granted: Vec<String> = parsed
            .value
            .privileges
            .keys()
            .map(ToString::to_string)
            .collect();
        assert_eq!(granted, vec!["table app.a", "table app.p", "table app.p1"]);
    }

    #[test]
    fn owner_entries_are_not_modelled() {
        let parsed = load(
            "SET ROLE admin;
CREATE TABLE t (a int);
GRANT ALL ON t TO admin;
GRANT SELECT ON t TO CURRENT_USER;
RESET ROLE;",
        );
        // Only the notes of SET ROLE and RESET ROLE.
        assert_eq!(parsed.diagnostics.len(), 2, "{:?}", parsed.diagnostics);
        assert!(parsed.value.privileges.is_empty());
    }

    #[test]
    fn default_privileges_apply_to_what_the_role_creates_afterwards() {
        let parsed = load(
            "CREATE SCHEMA app;
CREATE TABLE app.before (a int);
ALTER DEFAULT PRIVILEGES FOR ROLE admin IN SCHEMA app GRANT SELECT ON TABLES TO reader;
ALTER DEFAULT PRIVILEGES FOR ROLE admin REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
SET ROLE admin;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SEQUENCES TO reader;
CREATE TABLE app.t (a int);
CREATE SEQUENCE app.s;
CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS $$ select 1 $$;
GRANT INSERT ON app.t TO reader;
RESET ROLE;
CREATE TABLE app.mine (a int);
CREATE FUNCTION app.g() RETURNS int LANGUAGE sql AS $$ select 1 $$;",
        );
        let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "{errors:?}");
        let m = parsed.value;
        let granted: Vec<String> = m
            .privileges
            .iter()
            .map(|(target, acl)| format!("{target}: {}", entries(acl).join(", ")))
            .collect();
        assert_eq!(
            granted,
            vec![
                "table app.t: reader SELECT, reader INSERT",
                "sequence app.s: reader USAGE",
                "function app.f(): ",
            ]
        );
    }

    #[test]
    fn default_privileges_are_kept_as_pg_default_acl_entries() {
        let parsed = load(
            "CREATE SCHEMA app;
ALTER DEFAULT PRIVILEGES FOR ROLE admin IN SCHEMA app GRANT SELECT ON TABLES TO reader, admin;
ALTER DEFAULT PRIVILEGES FOR ROLE admin REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE admin GRANT EXECUTE ON FUNCTIONS TO admin;
SET ROLE admin;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SEQUENCES TO reader WITH GRANT OPTION;
RESET ROLE;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT ALL ON TABLES TO writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA app REVOKE TRUNCATE, TRIGGER ON TABLES FROM writer;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON TYPES TO reader;
ALTER DEFAULT PRIVILEGES REVOKE USAGE ON TYPES FROM reader;",
        );
        let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "{errors:?}");
        let entries: Vec<String> = parsed
            .value
            .default_privileges
            .iter()
            .map(|(key, acl)| format!("{key}: {}", entries(acl).join(", ")))
            .collect();
        // The role's own grant is kept in a per-schema entry and left out
        // of a global one; a global entry back at its default is no entry.
        assert_eq!(
            entries,
            vec![
                "default privileges in schema app on tables: writer SELECT, writer INSERT, \
                 writer UPDATE, writer DELETE, writer REFERENCES",
                "default privileges for role admin on sequences: reader USAGE*",
                "default privileges for role admin on functions: ",
                "default privileges for role admin in schema app on tables: admin SELECT, reader SELECT",
            ]
        );
    }

    #[test]
    fn unmodelled_forms_are_noted_and_errors_name_the_object() {
        let parsed = load(
            "CREATE TABLE t (a int, b int);
GRANT SELECT (a, b) ON t TO reader;
GRANT admin TO reader;
GRANT CONNECT ON DATABASE db TO reader;
GRANT USAGE ON LANGUAGE plpgsql TO reader;
GRANT USAGE ON SCHEMA public TO reader;",
        );
        let messages: Vec<String> = parsed
            .diagnostics
            .iter()
            .map(|d| format!("{:?} {}", d.severity, d.message))
            .collect();
        assert_eq!(messages.len(), 5, "{messages:?}");
        assert!(
            messages.iter().all(|m| m.starts_with("Info")),
            "{messages:?}"
        );
        assert!(messages[0].contains("column privileges"), "{messages:?}");
        assert!(parsed.value.privileges.is_empty());

        let parsed = load(
            "CREATE TABLE t (a int);\nGRANT SELECT ON nope TO reader;\nGRANT EXECUTE ON t TO reader;",
        );
        let codes: Vec<&str> = parsed.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec!["unknown-reference", "invalid-privilege"]);
        assert!(parsed.diagnostics[0].message.contains("public.nope"));
    }
}
