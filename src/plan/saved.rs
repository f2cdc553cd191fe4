//! Saved plans: the versioned JSON file written by `schemac plan --out FILE`
//! and read by `schemac apply --plan FILE`, plus the two hashes that make a
//! saved plan safe to apply later:
//!
//! - the **plan id** ([`plan_id`]): SHA-256 over everything that runs and
//!   everything that decides whether it may run: each step's SQL,
//!   transaction shape, typed action, locks, rewrite/scan flags and
//!   hazards, the fingerprint of the database state the plan was made for,
//!   the format version and the schemac version. It names the plan in
//!   `schemac.apply_history`, and it detects a hand-edited file (the id
//!   stored in the file must equal the id of the content read back).
//! - the **fingerprint** ([`fingerprint`]): SHA-256 of the current Model
//!   the plan was made against. `apply --plan` introspects the database
//!   again and refuses when the fingerprint differs.
//!
//! The id is not a signature: whoever can write the file can compute it.
//! What may run is therefore also recomputed on load: the hazards the
//! typed steps imply ([`super::implied_hazards`]) must all be listed, so a
//! plan whose hazards were removed is refused, whatever its id.
//!
//! Invariants:
//! - The file format is explicit structs (`Saved*`), never the internal
//!   types: renaming a field of `Step` cannot silently change the format.
//!   `format_version` changes whenever a field is removed or changes
//!   meaning; adding an optional field does not.
//! - Pure: no clock (`created_at` is supplied by the caller), no IO.
//! - No connection string or password is ever part of the file.
//! - Spans are not saved: they point into source files the plan file does
//!   not contain. A loaded plan has `origin.span == None`.
//! - The fingerprint depends only on what the SQL rendering of the Model
//!   shows (the from-empty plan of the Model), never on `Meta`, spans or
//!   the spelling of expressions as a user typed them.

use super::action_record::ActionRecord;
use super::step::TableSize;
use super::{
    plan_models, Action, Hazard, HazardNote, Lock, LockMode, Origin, Plan, PlanOptions, Step,
};
use crate::model::{
    AclKind, DefaultAclKey, FunctionId, Ident, Model, ObjectId, QualifiedName, TypeName,
};
use serde::{Deserialize, Serialize};

/// The version of the saved-plan format written by this build. Version 2
/// added each step's typed `action`; version 3 made `plan_id` a SHA-256 of
/// the whole plan and the fingerprint. Older files are refused with
/// [`SavedPlanError::UnsupportedVersion`] (plan again to get a version 3
/// file).
pub const FORMAT_VERSION: u32 = 3;

/// A saved plan as written to disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedPlan {
    pub format_version: u32,
    /// [`plan_id`] of `steps` and `fingerprint`.
    pub plan_id: String,
    /// [`fingerprint`] of the database the plan was made against.
    pub fingerprint: String,
    /// When the plan was made (RFC 3339), filled in by the CLI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    pub steps: Vec<SavedStep>,
    pub notes: Vec<String>,
    /// [`Plan::search_path`], names in stored form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_path: Option<Vec<String>>,
}

/// One step, with everything apply needs to run it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedStep {
    pub description: String,
    /// What the step does ([`ActionRecord`], as in the JSON plan).
    pub action: ActionRecord,
    pub sql: String,
    pub transactional: bool,
    pub joins_previous: bool,
    pub locks: Vec<SavedLock>,
    pub rewrites: bool,
    pub scans: bool,
    pub hazards: Vec<SavedHazard>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<SavedName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_size: Option<SavedTableSize>,
    pub origin: SavedOrigin,
    /// [`Step::role`], in stored form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// `{"schema": "public", "name": "orders"}` (names in stored form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedName {
    pub schema: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedLock {
    pub relation: SavedName,
    /// `ACCESS EXCLUSIVE`, `SHARE UPDATE EXCLUSIVE`, ...
    pub mode: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedHazard {
    /// The hazard id users type (`data-loss`).
    pub hazard: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedTableSize {
    /// `null` when unknown (never analysed).
    pub rows: Option<i64>,
    pub bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedOrigin {
    /// Index of the change in the ChangeSet the plan was made from.
    pub change: usize,
    pub object: SavedObject,
}

/// An [`ObjectId`]: `kind` is the object kind (`table`, `index`, ...);
/// `table` holds the table of table-owned objects (columns, constraints,
/// indexes, policies, triggers) and `name` the object's own name;
/// `arg_types` only for functions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedObject {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<SavedName>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arg_types: Vec<String>,
}

/// A saved plan read back: the plan and what the file says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedPlan {
    pub plan: Plan,
    pub plan_id: String,
    pub fingerprint: String,
    pub created_at: Option<String>,
}

/// A saved-plan file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum SavedPlanError {
    #[error("the plan file is not a valid saved plan: {message}")]
    #[diagnostic(
        code("invalid-saved-plan"),
        help("pass a file written by `schemac plan --out FILE`")
    )]
    Malformed { message: String },

    #[error(
        "the plan file has format version {found}; this schemac reads version {FORMAT_VERSION}"
    )]
    #[diagnostic(
        code("unsupported-plan-format"),
        help("re-run `schemac plan --out FILE` with this version of schemac")
    )]
    UnsupportedVersion { found: u32 },

    #[error("the plan file was modified after it was written (plan id {stored}, its content hashes to {computed})")]
    #[diagnostic(
        code("modified-saved-plan"),
        help("a saved plan must be applied as written: re-run `schemac plan --out FILE`")
    )]
    Modified { stored: String, computed: String },

    #[error("the plan file lists fewer hazards than its steps have:\n{details}")]
    #[diagnostic(
        code("saved-plan-hazards-differ"),
        help("the hazards of a saved plan are recomputed from its steps; the file was edited: re-run `schemac plan --out FILE`, read the plan, and allow its hazards with --allow-hazards")
    )]
    HazardsDiffer { details: String },
}

/// Serialises `plan` as a saved plan (pretty JSON with a final newline).
pub fn to_json(plan: &Plan, fingerprint: &str, created_at: Option<String>) -> String {
    let saved = SavedPlan {
        format_version: FORMAT_VERSION,
        plan_id: plan_id(plan, fingerprint),
        fingerprint: fingerprint.to_string(),
        created_at,
        steps: plan.steps.iter().map(save_step).collect(),
        notes: plan.notes.clone(),
        search_path: plan
            .search_path
            .as_ref()
            .map(|path| path.iter().map(|name| name.0.clone()).collect()),
    };
    let mut res =
        serde_json::to_string_pretty(&saved).expect("invariant: saved plans serialise to JSON");
    res.push('\n');
    res
}

/// Reads a saved plan, checking its version, that its content is what its
/// plan id was computed from, and that every step lists the hazards its
/// typed action implies.
pub fn from_json(text: &str) -> Result<LoadedPlan, SavedPlanError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|err| SavedPlanError::Malformed {
            message: err.to_string(),
        })?;
    let version = value
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| SavedPlanError::Malformed {
            message: "no format_version".to_string(),
        })?;
    if version != u64::from(FORMAT_VERSION) {
        return Err(SavedPlanError::UnsupportedVersion {
            found: u32::try_from(version).unwrap_or(u32::MAX),
        });
    }
    let saved: SavedPlan =
        serde_json::from_value(value).map_err(|err| SavedPlanError::Malformed {
            message: err.to_string(),
        })?;
    let steps = saved
        .steps
        .iter()
        .enumerate()
        .map(|(idx, step)| load_step(step).map_err(|message| malformed_step(idx, message)))
        .collect::<Result<Vec<Step>, SavedPlanError>>()?;
    let plan = Plan {
        steps,
        notes: saved.notes,
        search_path: saved
            .search_path
            .map(|path| path.into_iter().map(crate::model::Ident).collect()),
    };
    let unrecorded = super::implied_hazards::unrecorded(&plan);
    if !unrecorded.is_empty() {
        let details = unrecorded
            .iter()
            .map(|step| {
                let ids: Vec<&str> = step.missing.iter().map(|hazard| hazard.id()).collect();
                format!(
                    "  step {} ({}): lacks {}",
                    step.index + 1,
                    step.description,
                    ids.join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        return Err(SavedPlanError::HazardsDiffer { details });
    }
    let computed = plan_id(&plan, &saved.fingerprint);
    if computed != saved.plan_id {
        return Err(SavedPlanError::Modified {
            stored: saved.plan_id,
            computed,
        });
    }
    Ok(LoadedPlan {
        plan,
        plan_id: saved.plan_id,
        fingerprint: saved.fingerprint,
        created_at: saved.created_at,
    })
}

/// The id of a plan made for the database state `fingerprint`: SHA-256
/// (64 hex digits) over the format version, the schemac version, the
/// fingerprint and, per step in order, its SQL, transaction shape, typed
/// action ([`ActionRecord`]), locks, rewrite and scan flags and hazards.
/// Every field is length-prefixed, so no two plans hash the same input.
/// Descriptions, notes, statistics and origins do not take part: they
/// neither run nor decide whether the plan may run.
pub fn plan_id(plan: &Plan, fingerprint: &str) -> String {
    let mut hash = Sha256Writer::new(b"schemac plan id");
    hash.field(FORMAT_VERSION.to_string().as_bytes());
    hash.field(env!("CARGO_PKG_VERSION").as_bytes());
    hash.field(fingerprint.as_bytes());
    if let Some(path) = &plan.search_path {
        // Only when set, so the ids of plans without one are unchanged.
        hash.field(b"search_path");
        for name in path {
            hash.field(name.0.as_bytes());
        }
    }
    for step in &plan.steps {
        hash.field(b"step");
        hash.field(&[
            u8::from(step.transactional),
            u8::from(step.joins_previous),
            u8::from(step.rewrites),
            u8::from(step.scans),
        ]);
        hash.field(step.sql.as_bytes());
        if let Some(role) = &step.role {
            // Only when set, so the ids of plans without roles are unchanged.
            hash.field(b"role");
            hash.field(role.0.as_bytes());
        }
        let action = serde_json::to_string(&ActionRecord::from(&step.action))
            .expect("invariant: action records serialise to JSON");
        hash.field(action.as_bytes());
        for lock in &step.locks {
            hash.field(b"lock");
            hash.field(lock.relation.schema.0.as_bytes());
            hash.field(lock.relation.name.0.as_bytes());
            hash.field(lock.mode.as_sql().as_bytes());
        }
        for note in &step.hazards {
            hash.field(b"hazard");
            hash.field(note.hazard.id().as_bytes());
            hash.field(note.message.as_bytes());
        }
    }
    hash.hex()
}

/// The fingerprint of a (current, introspected) Model: SHA-256 (hex) of
/// the SQL that would create it from an empty database. Two Models that
/// print the same DDL have the same fingerprint; `Meta` never takes part.
pub fn fingerprint(model: &Model) -> String {
    let mut hash = Sha256Writer::new(b"schemac fingerprint");
    match plan_models(&Model::default(), model, &PlanOptions::default()) {
        Ok(plan) => {
            hash.field(b"ddl");
            for step in &plan.steps {
                hash.field(step.sql.as_bytes());
            }
            for note in &plan.notes {
                hash.field(b"note");
                hash.field(note.as_bytes());
            }
        }
        // A Model the planner cannot create from scratch still has a
        // stable fingerprint: its debug form (introspected Models carry no
        // spans, so it is as stable as the catalog text).
        Err(_) => hash.field(format!("debug:{model:?}").as_bytes()),
    }
    hash.hex()
}

/// SHA-256 over length-prefixed fields.
struct Sha256Writer(sha2::Sha256);

impl Sha256Writer {
    fn new(domain: &[u8]) -> Sha256Writer {
        let mut res = Sha256Writer(<sha2::Sha256 as sha2::Digest>::new());
        res.field(domain);
        res
    }

    fn field(&mut self, bytes: &[u8]) {
        sha2::Digest::update(&mut self.0, (bytes.len() as u64).to_le_bytes());
        sha2::Digest::update(&mut self.0, bytes);
    }

    fn hex(self) -> String {
        sha2::Digest::finalize(self.0)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

fn malformed_step(idx: usize, message: String) -> SavedPlanError {
    SavedPlanError::Malformed {
        message: format!("step {}: {message}", idx + 1),
    }
}

fn save_step(step: &Step) -> SavedStep {
    SavedStep {
        description: step.description.clone(),
        action: ActionRecord::from(&step.action),
        sql: step.sql.clone(),
        transactional: step.transactional,
        joins_previous: step.joins_previous,
        locks: step
            .locks
            .iter()
            .map(|lock| SavedLock {
                relation: save_name(&lock.relation),
                mode: lock.mode.as_sql().to_string(),
            })
            .collect(),
        rewrites: step.rewrites,
        scans: step.scans,
        hazards: step
            .hazards
            .iter()
            .map(|note| SavedHazard {
                hazard: note.hazard.id().to_string(),
                message: note.message.clone(),
            })
            .collect(),
        table: step.table.as_ref().map(save_name),
        table_size: step.table_size.map(|size| SavedTableSize {
            rows: size.rows,
            bytes: size.bytes,
        }),
        origin: SavedOrigin {
            change: step.origin.change,
            object: save_object(&step.origin.object),
        },
        role: step.role.as_ref().map(|role| role.0.clone()),
    }
}

fn load_step(saved: &SavedStep) -> Result<Step, String> {
    let locks = saved
        .locks
        .iter()
        .map(|lock| {
            let mode = LOCK_MODES
                .iter()
                .copied()
                .find(|mode| mode.as_sql() == lock.mode)
                .ok_or_else(|| format!("unknown lock mode `{}`", lock.mode))?;
            Ok(Lock {
                relation: load_name(&lock.relation),
                mode,
            })
        })
        .collect::<Result<Vec<Lock>, String>>()?;
    let hazards = saved
        .hazards
        .iter()
        .map(|note| {
            let hazard = Hazard::from_id(&note.hazard)
                .ok_or_else(|| format!("unknown hazard `{}`", note.hazard))?;
            Ok(HazardNote {
                hazard,
                message: note.message.clone(),
            })
        })
        .collect::<Result<Vec<HazardNote>, String>>()?;
    Ok(Step {
        role: saved.role.clone().map(crate::model::Ident),
        description: saved.description.clone(),
        action: Action::from(saved.action.clone()),
        sql: saved.sql.clone(),
        transactional: saved.transactional,
        joins_previous: saved.joins_previous,
        locks,
        rewrites: saved.rewrites,
        scans: saved.scans,
        hazards,
        table: saved.table.as_ref().map(load_name),
        table_size: saved.table_size.map(|size| TableSize {
            rows: size.rows,
            bytes: size.bytes,
        }),
        origin: Origin {
            change: saved.origin.change,
            object: load_object(&saved.origin.object)?,
            span: None,
        },
    })
}

const LOCK_MODES: &[LockMode] = &[
    LockMode::AccessShare,
    LockMode::RowShare,
    LockMode::RowExclusive,
    LockMode::ShareUpdateExclusive,
    LockMode::Share,
    LockMode::ShareRowExclusive,
    LockMode::Exclusive,
    LockMode::AccessExclusive,
];

fn save_name(name: &QualifiedName) -> SavedName {
    SavedName {
        schema: name.schema.0.clone(),
        name: name.name.0.clone(),
    }
}

fn load_name(saved: &SavedName) -> QualifiedName {
    QualifiedName {
        schema: Ident::new(saved.schema.clone()),
        name: Ident::new(saved.name.clone()),
    }
}

fn save_object(object: &ObjectId) -> SavedObject {
    let kind = object.kind().as_str().to_string();
    let plain = |name: &Ident| SavedObject {
        kind: kind.clone(),
        schema: None,
        table: None,
        name: name.0.clone(),
        arg_types: Vec::new(),
    };
    let qualified = |name: &QualifiedName| SavedObject {
        kind: kind.clone(),
        schema: Some(name.schema.0.clone()),
        table: None,
        name: name.name.0.clone(),
        arg_types: Vec::new(),
    };
    let owned = |table: &QualifiedName, name: &Ident| SavedObject {
        kind: kind.clone(),
        schema: None,
        table: Some(save_name(table)),
        name: name.0.clone(),
        arg_types: Vec::new(),
    };
    match object {
        ObjectId::Schema(name) | ObjectId::Extension(name) => plain(name),
        ObjectId::Enum(name)
        | ObjectId::Domain(name)
        | ObjectId::CompositeType(name)
        | ObjectId::Sequence(name)
        | ObjectId::Table(name)
        | ObjectId::View(name) => qualified(name),
        ObjectId::Function(id) => SavedObject {
            arg_types: id.arg_types.iter().map(|ty| ty.0.clone()).collect(),
            ..qualified(&id.name)
        },
        ObjectId::Column(table, name)
        | ObjectId::Constraint(table, name)
        | ObjectId::Index(table, name)
        | ObjectId::Policy(table, name)
        | ObjectId::Trigger(table, name)
        | ObjectId::Statistics(table, name)
        | ObjectId::Rule(table, name) => owned(table, name),
        // The role in `name` (empty: the role schemac runs as), the kind
        // of objects in `arg_types`.
        ObjectId::DefaultPrivileges(key) => SavedObject {
            kind: kind.clone(),
            schema: key.schema.as_ref().map(|schema| schema.0.clone()),
            table: None,
            name: key
                .role
                .as_ref()
                .map(|role| role.0.clone())
                .unwrap_or_default(),
            arg_types: vec![key.kind.objects_sql().to_string()],
        },
    }
}

fn load_object(saved: &SavedObject) -> Result<ObjectId, String> {
    let name = Ident::new(saved.name.clone());
    let qualified = || -> Result<QualifiedName, String> {
        let schema = saved
            .schema
            .as_ref()
            .ok_or_else(|| format!("{} {} has no schema", saved.kind, saved.name))?;
        Ok(QualifiedName {
            schema: Ident::new(schema.clone()),
            name: Ident::new(saved.name.clone()),
        })
    };
    let table = || -> Result<QualifiedName, String> {
        saved
            .table
            .as_ref()
            .map(load_name)
            .ok_or_else(|| format!("{} {} has no table", saved.kind, saved.name))
    };
    let res = match saved.kind.as_str() {
        "schema" => ObjectId::Schema(name),
        "extension" => ObjectId::Extension(name),
        "enum" => ObjectId::Enum(qualified()?),
        "domain" => ObjectId::Domain(qualified()?),
        "type" => ObjectId::CompositeType(qualified()?),
        "sequence" => ObjectId::Sequence(qualified()?),
        "table" => ObjectId::Table(qualified()?),
        "view" => ObjectId::View(qualified()?),
        "function" => ObjectId::Function(FunctionId {
            name: qualified()?,
            arg_types: saved.arg_types.iter().cloned().map(TypeName).collect(),
        }),
        "column" => ObjectId::Column(table()?, name),
        "constraint" => ObjectId::Constraint(table()?, name),
        "index" => ObjectId::Index(table()?, name),
        "policy" => ObjectId::Policy(table()?, name),
        "trigger" => ObjectId::Trigger(table()?, name),
        "statistics" => ObjectId::Statistics(table()?, name),
        "rule" => ObjectId::Rule(table()?, name),
        "default privileges" => {
            let kind = match saved.arg_types.first().map(String::as_str) {
                Some("SCHEMAS") => AclKind::Schema,
                Some("TABLES") => AclKind::Table,
                Some("SEQUENCES") => AclKind::Sequence,
                Some("FUNCTIONS") => AclKind::Function,
                Some("TYPES") => AclKind::Type,
                other => return Err(format!("default privileges on unknown objects {other:?}")),
            };
            ObjectId::DefaultPrivileges(DefaultAclKey {
                role: (!saved.name.is_empty()).then_some(name),
                schema: saved.schema.clone().map(Ident::new),
                kind,
            })
        }
        other => return Err(format!("unknown object kind `{other}`")),
    };
    Ok(res)
}

#[cfg(test)]
mod tests;
