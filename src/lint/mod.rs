//! The lint engine: schema rules judge the desired Model, migration rules
//! judge the Plan that will actually run (with both Models for context).
//!
//! Invariants:
//! - One rule = one file in `rules/`, registered once in [`registry::RULES`]
//!   (a sorted slice); `schemac rules`, the README table and the tests all
//!   read that slice.
//! - Rules are pure: they read the Model/Plan and push [`Diagnostic`]s whose
//!   `code` is the rule id. Severity comes from the configuration (default:
//!   the rule's own); rules never decide it themselves.
//! - Migration rules stay silent when the planner already chose the safe
//!   strategy: they inspect the steps (locks, transactional, flags), not the
//!   change that caused them.

pub mod gate;
pub mod registry;
pub mod rules;
pub mod suppress;

use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{Column, Meta, Model, ObjectId, QualifiedName, Table, TypeName};
use crate::plan::{Plan, Step};
use crate::source::{SourceSet, Span};
use std::collections::{BTreeMap, HashMap};

/// Which input a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// The desired schema on its own.
    Schema,
    /// The plan from the current to the desired schema.
    Migration,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Schema => "schema",
            Family::Migration => "migration",
        }
    }
}

/// Rule groups users can configure together (`[lint.groups]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Types, keys and indexes.
    Design,
    /// Names and identifiers.
    Naming,
    /// Row-level security.
    Security,
    /// Partitioning.
    Partitioning,
    /// Citus distribution.
    Sharding,
    /// Locks, scans and rewrites while the site is live.
    Locking,
    /// Data loss and compatibility with running code.
    Destructive,
    /// The linter itself (suppressions).
    Meta,
}

impl Group {
    pub const ALL: &'static [Group] = &[
        Group::Design,
        Group::Naming,
        Group::Security,
        Group::Partitioning,
        Group::Sharding,
        Group::Locking,
        Group::Destructive,
        Group::Meta,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Group::Design => "design",
            Group::Naming => "naming",
            Group::Security => "security",
            Group::Partitioning => "partitioning",
            Group::Sharding => "sharding",
            Group::Locking => "locking",
            Group::Destructive => "destructive",
            Group::Meta => "meta",
        }
    }

    pub fn from_id(id: &str) -> Option<Group> {
        Group::ALL
            .iter()
            .copied()
            .find(|group| group.as_str() == id)
    }
}

pub type SchemaCheck = fn(&SchemaCtx<'_>, &mut Vec<Finding>);
pub type MigrationCheck = fn(&MigrationCtx<'_>, &mut Vec<Finding>);

#[derive(Clone, Copy)]
pub enum Check {
    Schema(SchemaCheck),
    Migration(MigrationCheck),
    /// Computed by the engine itself (unused suppressions).
    Engine,
}

/// A lint rule. See STYLE.md §6.
pub struct Rule {
    /// kebab-case; names the pattern flagged.
    pub id: &'static str,
    pub family: Family,
    pub group: Group,
    pub default_severity: Severity,
    /// One line.
    pub summary: &'static str,
    /// Markdown with the sections "### What it does", "### Why is this
    /// bad?", "### Safe alternative", "### Example", in that order.
    pub docs: &'static str,
    pub check: Check,
}

impl Rule {
    pub fn family_of(&self) -> Family {
        self.family
    }
}

/// What a rule reports before severity and suppressions are applied.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static str,
    pub span: Span,
    pub message: String,
    pub label: String,
    pub secondary: Vec<(Span, String)>,
    pub help: Option<String>,
    /// 1-based number of the plan step concerned (migration rules).
    pub step: Option<usize>,
}

impl Finding {
    pub fn new(rule: &Rule, span: Span, message: impl Into<String>) -> Finding {
        Finding {
            rule: rule.id,
            span,
            message: message.into(),
            label: String::new(),
            secondary: Vec::new(),
            help: None,
            step: None,
        }
    }

    pub fn label(mut self, text: impl Into<String>) -> Finding {
        self.label = text.into();
        self
    }

    pub fn help(mut self, text: impl Into<String>) -> Finding {
        self.help = Some(text.into());
        self
    }

    pub fn secondary(mut self, span: Option<Span>, text: impl Into<String>) -> Finding {
        if let Some(span) = span {
            self.secondary.push((span, text.into()));
        }
        self
    }

    pub fn step(mut self, number: usize) -> Finding {
        self.step = Some(number);
        self
    }
}

/// Lint settings, resolved from `schemac.toml` and flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintConfig {
    /// Per-rule severity; `None` turns the rule off. Missing = default.
    pub severities: BTreeMap<String, Option<Severity>>,
    /// Per-group severity override (applied before per-rule).
    pub groups: BTreeMap<String, Option<Severity>>,
    /// A table at least this large (bytes) counts as large.
    pub large_table_bytes: i64,
    /// A table with at least this many rows counts as large.
    pub large_table_rows: i64,
    /// Target PostgreSQL major version (from the live server when known).
    pub target_version: u32,
    /// The application connects as the table owner, so RLS must be FORCEd.
    pub app_role_owns_tables: bool,
    /// Column names that identify a tenant (for the RLS heuristics).
    pub tenant_columns: Vec<String>,
}

impl Default for LintConfig {
    fn default() -> LintConfig {
        LintConfig {
            severities: BTreeMap::new(),
            groups: BTreeMap::new(),
            large_table_bytes: 1 << 30,
            large_table_rows: 1_000_000,
            target_version: 15,
            app_role_owns_tables: false,
            tenant_columns: vec![
                "tenant_id".to_string(),
                "account_id".to_string(),
                "organization_id".to_string(),
                "org_id".to_string(),
                "workspace_id".to_string(),
            ],
        }
    }
}

impl LintConfig {
    /// The effective severity of a rule, `None` when it is off.
    pub fn severity_of(&self, rule: &Rule) -> Option<Severity> {
        if let Some(severity) = self.severities.get(rule.id) {
            return *severity;
        }
        if let Some(severity) = self.groups.get(rule.group.as_str()) {
            return *severity;
        }
        Some(rule.default_severity)
    }
}

/// What a schema rule sees.
pub struct SchemaCtx<'a> {
    pub model: &'a Model,
    pub config: &'a LintConfig,
    /// Partitions by parent, built on first use (see [`SchemaCtx::partitions_of`]).
    partitions: std::cell::OnceCell<BTreeMap<&'a QualifiedName, Vec<&'a Table>>>,
    /// [`rules::declared_names`], built on first use.
    names: std::cell::OnceCell<Vec<rules::DeclaredName<'a>>>,
    /// [`SchemaCtx::base_tables`], collected once: most rules walk them.
    base_tables: std::cell::OnceCell<Vec<&'a Table>>,
    /// [`rules::index_signatures`] of each base table, in the order of
    /// `base_tables`, built on first use.
    signatures: std::cell::OnceCell<Vec<Vec<rules::IndexSig<'a>>>>,
    /// Whether any table is hash-distributed (Citus), so the rules about
    /// foreign keys to distributed tables can skip the lookups otherwise.
    any_hash_distributed: std::cell::OnceCell<bool>,
    /// [`SchemaCtx::columns_of_type`]'s index, built on first use.
    column_types: std::cell::OnceCell<ColumnTypes<'a>>,
}

/// The columns of the base tables with their types interned: the type
/// rules test each distinct type once instead of every column's.
struct ColumnTypes<'a> {
    /// Each distinct type, once.
    types: Vec<&'a TypeName>,
    /// (table, column, index into `types`), in table then column order.
    columns: Vec<(&'a Table, &'a Column, u32)>,
}

impl<'a> SchemaCtx<'a> {
    pub fn new(model: &'a Model, config: &'a LintConfig) -> SchemaCtx<'a> {
        SchemaCtx {
            model,
            config,
            partitions: std::cell::OnceCell::new(),
            names: std::cell::OnceCell::new(),
            base_tables: std::cell::OnceCell::new(),
            signatures: std::cell::OnceCell::new(),
            any_hash_distributed: std::cell::OnceCell::new(),
            column_types: std::cell::OnceCell::new(),
        }
    }

    /// The declared names some name rule flags ([`rules::declared_names`]), built
    /// once for the rules that check names.
    pub fn declared_names(&self) -> &[rules::DeclaredName<'a>] {
        self.names.get_or_init(|| rules::declared_names(self.model))
    }

    /// Partitions of `parent`, in name order: [`Model::partitions_of`]
    /// from an index built once per lint run, so rules that ask for every
    /// partitioned table stay linear in the number of tables.
    pub fn partitions_of(&self, parent: &QualifiedName) -> impl Iterator<Item = &'a Table> + '_ {
        let index = self
            .partitions
            .get_or_init(|| self.model.partitions_by_parent());
        index.get(parent).into_iter().flatten().copied()
    }
    /// Tables that are not partitions (partitions follow their parent),
    /// in name order; collected once per lint run.
    pub fn base_tables(&self) -> impl Iterator<Item = &'a Table> + '_ {
        self.base_table_list().iter().copied()
    }

    /// Base tables with their [`rules::index_signatures`], computed once
    /// per lint run and shared by the index rules.
    pub fn base_tables_with_signatures(
        &self,
    ) -> impl Iterator<Item = (&'a Table, &[rules::IndexSig<'a>])> + '_ {
        let tables = self.base_table_list();
        let signatures = self.signatures.get_or_init(|| {
            tables
                .iter()
                .map(|table| rules::index_signatures(table))
                .collect()
        });
        tables
            .iter()
            .copied()
            .zip(signatures.iter().map(Vec::as_slice))
    }

    /// True when some table of the Model is hash-distributed.
    pub fn any_hash_distributed(&self) -> bool {
        *self.any_hash_distributed.get_or_init(|| {
            self.model.tables.values().any(|table| {
                matches!(
                    table.distribution,
                    Some(crate::model::Distribution::Hash { .. })
                )
            })
        })
    }

    /// Columns of the base tables whose type satisfies `matches`, in
    /// table then column order. `matches` runs once per distinct type.
    pub fn columns_of_type(
        &self,
        matches: impl Fn(&TypeName) -> bool,
    ) -> impl Iterator<Item = (&'a Table, &'a Column)> + '_ {
        let index = self.column_types.get_or_init(|| {
            let mut ids: HashMap<&'a str, u32> = HashMap::new();
            let mut types: Vec<&'a TypeName> = Vec::new();
            let mut columns = Vec::new();
            for table in self.base_table_list() {
                for column in &table.columns {
                    let id = *ids.entry(column.ty.as_str()).or_insert_with(|| {
                        types.push(&column.ty);
                        (types.len() - 1) as u32
                    });
                    columns.push((*table, column, id));
                }
            }
            ColumnTypes { types, columns }
        });
        let wanted: Vec<bool> = index.types.iter().map(|ty| matches(ty)).collect();
        index
            .columns
            .iter()
            .filter(move |(_, _, id)| wanted[*id as usize])
            .map(|&(table, column, _)| (table, column))
    }

    fn base_table_list(&self) -> &[&'a Table] {
        self.base_tables.get_or_init(|| {
            let model = self.model;
            model
                .tables
                .values()
                .filter(|table| table.partition_of.is_none() && !model.is_external(&table.name))
                .collect()
        })
    }
}

/// What a migration rule sees.
///
/// Rules that relate one step to others (a later step on the same object,
/// the end of a step's transaction) ask the indexes here, built once per
/// lint run, so that every rule stays linear in the number of steps.
pub struct MigrationCtx<'a> {
    pub plan: &'a Plan,
    pub current: &'a Model,
    pub desired: &'a Model,
    pub config: &'a LintConfig,
    /// [`MigrationCtx::group_end`]'s table, built on first use.
    group_ends: std::cell::OnceCell<Vec<usize>>,
    /// [`MigrationCtx::steps_of`]'s index, built on first use.
    by_object: std::cell::OnceCell<HashMap<&'a ObjectId, Vec<usize>>>,
}

impl<'a> MigrationCtx<'a> {
    pub fn new(
        plan: &'a Plan,
        current: &'a Model,
        desired: &'a Model,
        config: &'a LintConfig,
    ) -> MigrationCtx<'a> {
        MigrationCtx {
            plan,
            current,
            desired,
            config,
            group_ends: std::cell::OnceCell::new(),
            by_object: std::cell::OnceCell::new(),
        }
    }

    /// The 1-based number of the last step of the transaction that step
    /// `number` (1-based) runs in ([`Plan::transaction_groups`]): a later
    /// step commits separately exactly when its number is greater.
    pub fn group_end(&self, number: usize) -> usize {
        let ends = self.group_ends.get_or_init(|| {
            let mut ends = Vec::with_capacity(self.plan.steps.len());
            for group in self.plan.transaction_groups() {
                let end = ends.len() + group.len();
                ends.extend(std::iter::repeat_n(end, group.len()));
            }
            ends
        });
        ends.get(number.wrapping_sub(1)).copied().unwrap_or(number)
    }

    /// The 1-based numbers of the steps that came from `object`, in order.
    pub fn steps_of(&self, object: &ObjectId) -> &[usize] {
        let index = self.by_object.get_or_init(|| {
            let mut index: HashMap<&'a ObjectId, Vec<usize>> = HashMap::new();
            for (idx, step) in self.plan.steps.iter().enumerate() {
                index.entry(&step.origin.object).or_default().push(idx + 1);
            }
            index
        });
        index.get(object).map_or(&[][..], Vec::as_slice)
    }

    /// Steps with their 1-based numbers.
    pub fn steps(&self) -> impl Iterator<Item = (usize, &Step)> {
        self.plan
            .steps
            .iter()
            .enumerate()
            .map(|(idx, step)| (idx + 1, step))
    }

    /// True when the table exists before the plan runs (it may hold rows).
    pub fn existed(&self, table: &QualifiedName) -> bool {
        self.current.tables.contains_key(table)
    }

    /// True when the table is large by live statistics, or when no
    /// statistics are known (offline: assume it may be large).
    pub fn is_large(&self, step: &Step) -> bool {
        match step.table_size {
            Some(size) => {
                size.bytes >= self.config.large_table_bytes
                    || size
                        .rows
                        .is_none_or(|rows| rows >= self.config.large_table_rows)
            }
            None => true,
        }
    }

    /// Where a finding about this step points: the desired object's
    /// definition, else the current one's, else the table's.
    ///
    /// Only spans of the desired Model are used: the current Model's spans
    /// (from `--from` files) belong to another source set. For a dropped
    /// object that means the table it belonged to, or the start of the
    /// first desired file.
    pub fn span_of(&self, step: &Step) -> Span {
        object_span(self.desired, &step.origin.object)
            .or_else(|| {
                rules::step_table(step)
                    .and_then(|table| self.desired.tables.get(table))
                    .and_then(|table| table.meta.span)
            })
            .unwrap_or_default()
    }
}

/// Span of an object's definition in a Model, if it came from a file.
pub fn object_span(model: &Model, id: &ObjectId) -> Option<Span> {
    let table_meta = |name: &QualifiedName| model.tables.get(name).map(|table| &table.meta);
    let meta: Option<&Meta> = match id {
        ObjectId::DefaultPrivileges(_) => None,
        ObjectId::Schema(name) => model.schemas.get(name).map(|o| &o.meta),
        ObjectId::Extension(name) => model.extensions.get(name).map(|o| &o.meta),
        ObjectId::Enum(name) => model.enums.get(name).map(|o| &o.meta),
        ObjectId::Domain(name) => model.domains.get(name).map(|o| &o.meta),
        ObjectId::CompositeType(name) => model.composites.get(name).map(|o| &o.meta),
        ObjectId::Sequence(name) => model.sequences.get(name).map(|o| &o.meta),
        ObjectId::Function(id) => model.functions.get(id).map(|o| &o.meta),
        ObjectId::Table(name) => table_meta(name),
        ObjectId::View(name) => model.views.get(name).map(|o| &o.meta),
        ObjectId::Column(table, name) => model
            .tables
            .get(table)
            .and_then(|t| t.column(name))
            .map(|o| &o.meta)
            .or_else(|| table_meta(table)),
        ObjectId::Rule(table, name) => model
            .tables
            .get(table)
            .and_then(|t| t.rules.get(name))
            .map(|o| &o.meta)
            .or_else(|| table_meta(table)),
        ObjectId::Constraint(table, name) => model
            .tables
            .get(table)
            .and_then(|t| t.constraints.get(name))
            .map(|o| &o.meta)
            .or_else(|| table_meta(table)),
        ObjectId::Statistics(table, name) => model
            .tables
            .get(table)
            .and_then(|t| t.statistics.get(name))
            .map(|o| &o.meta)
            .or_else(|| table_meta(table)),
        ObjectId::Index(table, name) => model
            .tables
            .get(table)
            .and_then(|t| t.indexes.get(name))
            .map(|o| &o.meta)
            .or_else(|| {
                model
                    .views
                    .get(table)
                    .and_then(|v| v.indexes.get(name))
                    .map(|o| &o.meta)
            })
            .or_else(|| table_meta(table)),
        ObjectId::Policy(table, name) => model
            .tables
            .get(table)
            .and_then(|t| t.policies.get(name))
            .map(|o| &o.meta)
            .or_else(|| table_meta(table)),
        ObjectId::Trigger(table, name) => model
            .tables
            .get(table)
            .and_then(|t| t.triggers.get(name))
            .map(|o| &o.meta)
            .or_else(|| table_meta(table)),
    };
    meta.and_then(|meta| meta.span)
}

/// Best span for a Meta: its whole definition.
pub fn span(meta: &Meta) -> Span {
    meta.name_span.or(meta.span).unwrap_or_default()
}

/// Runs every schema rule on the desired Model.
pub fn check_schema(model: &Model, config: &LintConfig) -> Vec<Diagnostic> {
    let ctx = SchemaCtx::new(model, config);
    let mut findings = Vec::new();
    for rule in registry::RULES {
        if config.severity_of(rule).is_none() {
            continue;
        }
        if let Check::Schema(check) = rule.check {
            check(&ctx, &mut findings);
        }
    }
    to_diagnostics(findings, config)
}

/// Runs every migration rule on a plan.
pub fn check_plan(
    plan: &Plan,
    current: &Model,
    desired: &Model,
    config: &LintConfig,
) -> Vec<Diagnostic> {
    let ctx = MigrationCtx::new(plan, current, desired, config);
    let mut findings = Vec::new();
    for rule in registry::RULES {
        if config.severity_of(rule).is_none() {
            continue;
        }
        if let Check::Migration(check) = rule.check {
            check(&ctx, &mut findings);
        }
    }
    to_diagnostics(findings, config)
}

/// Schema rules, migration rules (when a plan is given) and suppressions:
/// what `schemac check` and `schemac plan` report.
pub fn run(
    sources: &SourceSet,
    desired: &Model,
    migration: Option<(&Plan, &Model)>,
    config: &LintConfig,
) -> Vec<Diagnostic> {
    run_written(sources, desired, desired, migration, config)
}

/// [`run`] where the schema rules judge the schema as the files write it
/// (`written`) and the migration rules the desired Model the plan was
/// made for, which `--citus off` stripped of its shard distribution: the
/// files still shard their tables, so the sharding rules and their
/// suppressions hold as `schemac check` and `plan --db` see them.
pub fn run_written(
    sources: &SourceSet,
    written: &Model,
    desired: &Model,
    migration: Option<(&Plan, &Model)>,
    config: &LintConfig,
) -> Vec<Diagnostic> {
    let mut diagnostics = check_schema(written, config);
    if let Some((plan, current)) = migration {
        diagnostics.extend(check_plan(plan, current, desired, config));
    }
    let suppressions = suppress::collect(sources);
    let mut res = suppress::apply(&suppressions, diagnostics);
    if let Some(severity) = config.severity_of(&rules::unused_suppression::RULE) {
        res.extend(suppress::unused(&suppressions, severity));
    }
    sort(&mut res);
    res
}

/// Stable output order: file, position, rule.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (
            a.primary.span.file,
            a.primary.span.start,
            a.code,
            &a.message,
        )
            .cmp(&(
                b.primary.span.file,
                b.primary.span.start,
                b.code,
                &b.message,
            ))
    });
}

fn to_diagnostics(findings: Vec<Finding>, config: &LintConfig) -> Vec<Diagnostic> {
    let mut res = Vec::new();
    for finding in findings {
        let Some(rule) = registry::find(finding.rule) else {
            continue;
        };
        let Some(severity) = config.severity_of(rule) else {
            continue;
        };
        let mut diagnostic = Diagnostic::new(severity, rule.id, finding.span, finding.message)
            .with_label(finding.label);
        for (span, text) in finding.secondary {
            diagnostic = diagnostic.with_secondary(span, text);
        }
        diagnostic.help = finding.help;
        diagnostic.step = finding.step;
        res.push(diagnostic);
    }
    sort(&mut res);
    res
}
