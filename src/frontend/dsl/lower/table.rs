//! Lowering of `table { ... }` blocks: columns, constraints (column-level
//! ones become table constraints with PostgreSQL's default names),
//! indexes, inheritance, RLS, policies, triggers and distribution. Partitioning is in
//! the sibling `partition` module.
//!
//! Invariant: names are chosen as PostgreSQL chooses them: explicit names
//! first, then unnamed constraints in declaration order, then unnamed
//! indexes, each deduplicated with a numeric suffix (`t_check1`).

use super::{ident, paren_ident_list, qualified, type_spelling, Cx, NameSequence};
use crate::frontend::dsl::parse::Rule;
use crate::frontend::dsl::tree::{child, children, docs_of, first_kid, has, kids, Node};
use crate::model::normalize;
use crate::model::*;

/// A constraint waiting for its (default) name.
struct PendingConstraint {
    name: Option<Ident>,
    /// Columns PostgreSQL puts into the default name.
    name_columns: Vec<Ident>,
    constraint: Constraint,
}

impl Cx<'_> {
    /// `statistics NAME [(kinds)] on (key, ...) [target N]`.
    fn lower_statistics(&mut self, node: &Node<'_>) -> Option<Statistics> {
        let name = ident(&child(node, Rule::ident)?);
        let mut kinds = StatisticsKinds::ALL;
        if let Some(list) = child(node, Rule::stats_kinds) {
            kinds = StatisticsKinds {
                ndistinct: false,
                dependencies: false,
                mcv: false,
            };
            for kind in children(&list, Rule::ident) {
                match ident(&kind).as_str() {
                    "ndistinct" => kinds.ndistinct = true,
                    "dependencies" => kinds.dependencies = true,
                    "mcv" => kinds.mcv = true,
                    other => self.error(
                        &kind,
                        format!(
                            "unknown statistics kind {other}: use ndistinct, dependencies or mcv"
                        ),
                    ),
                }
            }
        }
        let mut keys = Vec::new();
        for key in children(node, Rule::stats_key) {
            if let Some(expr) = child(&key, Rule::paren_expr) {
                keys.push(IndexExpr::Expr(self.expr(&expr)));
            } else if let Some(column) = child(&key, Rule::ident) {
                keys.push(IndexExpr::Column(ident(&column)));
            }
        }
        let target = child(node, Rule::stats_target)
            .and_then(|target| child(&target, Rule::int))
            .and_then(|n| n.as_str().parse::<i32>().ok())
            .filter(|n| *n >= 0);
        Some(Statistics {
            name,
            kinds,
            keys,
            target,
            meta: self.meta(node, None),
        })
    }

    /// `rule NAME on EVENT [where (cond)] do [also | instead] (nothing |
    /// (commands))`. The commands are raw SQL, compared on their canonical
    /// form; unqualified relations they name are in `public`.
    fn lower_rewrite_rule(
        &mut self,
        node: &Node<'_>,
        comment: Option<String>,
    ) -> Option<crate::model::Rule> {
        let name = ident(&child(node, Rule::ident)?);
        let event = child(node, Rule::rule_event)
            .and_then(|event| RuleEvent::from_word(event.as_str().trim()))?;
        let condition = child(node, Rule::rule_where)
            .and_then(|clause| child(&clause, Rule::paren_expr))
            .map(|expr| self.expr(&expr));
        let actions = match child(node, Rule::paren_expr) {
            Some(list) => {
                let text = child(&list, Rule::expr_text)
                    .map(|text| text.as_str().to_string())
                    .unwrap_or_default();
                let actions = parse_actions(&text);
                if actions.is_empty() {
                    self.error(
                        &list,
                        format!("rule {name} has no command: write `nothing` for none"),
                    );
                }
                actions
            }
            None => Vec::new(),
        };
        let mut rule = crate::model::Rule {
            name,
            event,
            instead: has(node, Rule::kw_instead),
            condition,
            actions,
            firing: match child(node, Rule::rule_firing).map(|f| f.as_str().to_lowercase()) {
                Some(text) if text.starts_with("disabled") => RuleFiring::Disabled,
                Some(text) if text.ends_with("replica") => RuleFiring::Replica,
                Some(text) if text.ends_with("always") => RuleFiring::Always,
                _ => RuleFiring::Origin,
            },
            depends_on: Vec::new(),
            comment,
            meta: self.meta(node, None),
        };
        let mut depends_on: Vec<QualifiedName> = relation_names(&rule)
            .into_iter()
            .filter_map(|parts| match parts.as_slice() {
                [name] => Some(QualifiedName {
                    schema: Ident::new("public"),
                    name: name.clone(),
                }),
                [.., schema, name] => Some(QualifiedName {
                    schema: schema.clone(),
                    name: name.clone(),
                }),
                [] => None,
            })
            .collect();
        depends_on.sort();
        depends_on.dedup();
        rule.depends_on = depends_on;
        qualify_actions(&mut rule, |parts| QualifiedName {
            schema: Ident::new("public"),
            name: parts.last().cloned().unwrap_or_default(),
        });
        Some(rule)
    }

    pub(in crate::frontend::dsl) fn lower_table(
        &mut self,
        def: &Node<'_>,
        comment: Option<String>,
    ) {
        let Some(name_node) = child(def, Rule::qname) else {
            return;
        };
        let name = qualified(&name_node);
        let mut table = Table::new(name.clone());
        table.unlogged = has(def, Rule::kw_unlogged);
        table.comment = comment;
        table.meta = self.meta(def, Some(&name_node));
        let partitions = self.lower_table_items(&mut table, def, false);
        if self.model.tables.contains_key(&name) {
            let first = self.model.tables.get(&name).and_then(|t| t.meta.span);
            self.duplicate(def, format!("table {name}"), first);
            return;
        }
        self.model.tables.insert(name, table);
        for partition in partitions {
            if let Some(first) = self.model.tables.get(&partition.name) {
                let span = partition.meta.span.unwrap_or_default();
                let mut diagnostic = crate::diagnostics::Diagnostic::error(
                    "duplicate-object",
                    span,
                    format!("table {} is declared more than once", partition.name),
                );
                if let Some(first) = first.meta.span {
                    diagnostic = diagnostic.with_secondary(first, "first declared here");
                }
                self.diagnostics.push(diagnostic);
                continue;
            }
            self.model.tables.insert(partition.name.clone(), partition);
        }
    }

    /// The items of a table's block (or of a partition's own block,
    /// `in_partition`: constraints, indexes, triggers, policies and the
    /// rest, but no columns) applied to `table`; returns the partitions
    /// declared in it, sub-partitions included.
    pub(super) fn lower_table_items(
        &mut self,
        table: &mut Table,
        def: &Node<'_>,
        in_partition: bool,
    ) -> Vec<Table> {
        let name = table.name.clone();
        let mut pending = Vec::new();
        let mut indexes = Vec::new();
        let mut partitions = Vec::new();
        for item in children(def, Rule::table_item) {
            let docs = docs_of(&item);
            let Some(inner) = kids(&item).find(|kid| kid.as_rule() != Rule::docs) else {
                continue;
            };
            match inner.as_rule() {
                Rule::column if in_partition => self.error(
                    &inner,
                    format!(
                        "partition {name} takes its columns from its parent; declare columns on the parent table"
                    ),
                ),
                Rule::column => self.lower_column(table, &mut pending, &inner, docs),
                Rule::table_constraint => {
                    if let Some(constraint) = self.lower_table_constraint(table, &inner, docs) {
                        pending.push(constraint);
                    }
                }
                Rule::table_index => indexes.push(self.lower_index(&inner, docs)),
                Rule::partition_by => {
                    let (partition_by, generated) = self.lower_partition_by(&table.name, &inner);
                    if table.partition_by.is_some() {
                        self.error(
                            &inner,
                            format!("table {name} has more than one `partition by`"),
                        );
                    }
                    table.partition_by = Some(partition_by);
                    partitions.extend(generated);
                }
                Rule::partition_def => {
                    partitions.extend(self.lower_partition_def(&table.name, &inner, docs));
                }
                Rule::inherits => table
                    .inherits
                    .extend(children(&inner, Rule::qname).iter().map(qualified)),
                Rule::statistics => {
                    if let Some(statistics) = self.lower_statistics(&inner) {
                        if table.statistics.contains_key(&statistics.name) {
                            self.error(
                                &inner,
                                format!(
                                    "statistics {} are declared twice on {name}",
                                    statistics.name
                                ),
                            );
                        }
                        table.statistics.insert(statistics.name.clone(), statistics);
                    }
                }
                Rule::rewrite_rule => {
                    if let Some(rule) = self.lower_rewrite_rule(&inner, docs) {
                        if table.rules.contains_key(&rule.name) {
                            self.error(
                                &inner,
                                format!("rule {} is declared twice on {name}", rule.name),
                            );
                        }
                        table.rules.insert(rule.name.clone(), rule);
                    }
                }
                Rule::shard => table.distribution = Some(self.lower_shard(&inner)),
                Rule::table_with => super::storage_options(&inner, &mut table.options),
                Rule::rls => {
                    table.rls.enabled = true;
                    table.rls.forced = has(&inner, Rule::kw_force);
                }
                Rule::policy => {
                    let policy = self.lower_policy(&inner, docs);
                    if table.policies.contains_key(&policy.name) {
                        self.error(
                            &inner,
                            format!("policy {} is declared twice on {name}", policy.name),
                        );
                    }
                    table.policies.insert(policy.name.clone(), Box::new(policy));
                }
                Rule::trigger => {
                    let trigger = self.lower_trigger(&inner, docs);
                    if table.triggers.contains_key(&trigger.name) {
                        self.error(
                            &inner,
                            format!("trigger {} is declared twice on {name}", trigger.name),
                        );
                    }
                    table.triggers.insert(trigger.name.clone(), trigger);
                }
                _ => {}
            }
        }
        self.name_constraints(table, pending);
        let mut index_names = NameSequence::default();
        for (mut index, explicit, key_names) in indexes {
            index.name = match explicit {
                Some(explicit) => explicit,
                None => index_names.next(
                    normalize::default_index_name(&table.name.name, &key_names, false),
                    |c| table.constraints.contains_key(c) || table.indexes.contains_key(c),
                ),
            };
            table.indexes.insert(index.name.clone(), Box::new(index));
        }
        if !partitions.is_empty() && table.partition_by.is_none() {
            self.error(
                def,
                format!("table {name} declares partitions but no `partition by`"),
            );
        }
        partitions
    }

    fn name_constraints(&mut self, table: &mut Table, pending: Vec<PendingConstraint>) {
        let mut unnamed = Vec::new();
        for item in pending {
            match item.name.clone() {
                Some(name) => {
                    if table.constraints.contains_key(&name) {
                        let span = item.constraint.meta.span.unwrap_or_default();
                        self.diagnostics.push(crate::diagnostics::Diagnostic::error(
                            "duplicate-object",
                            span,
                            format!("constraint {name} is declared twice on {}", table.name),
                        ));
                    }
                    let mut constraint = item.constraint;
                    constraint.name = name.clone();
                    table.constraints.insert(name, Box::new(constraint));
                }
                None => unnamed.push(item),
            }
        }
        let mut names = NameSequence::default();
        for item in unnamed {
            let suffix = item.constraint.kind.default_suffix();
            let base =
                normalize::default_constraint_name(&table.name.name, &item.name_columns, suffix);
            let name = names.next(base, |c| table.constraints.contains_key(c));
            let mut constraint = item.constraint;
            constraint.name = name.clone();
            table.constraints.insert(name, Box::new(constraint));
        }
        let pk_columns: Vec<Ident> = match table.primary_key().map(|pk| &pk.kind) {
            Some(ConstraintKind::PrimaryKey { columns, .. }) => columns.clone(),
            _ => Vec::new(),
        };
        for column in &mut table.columns {
            if pk_columns.contains(&column.name) {
                column.not_null = true;
            }
        }
    }

    fn lower_column(
        &mut self,
        table: &mut Table,
        pending: &mut Vec<PendingConstraint>,
        node: &Node<'_>,
        comment: Option<String>,
    ) {
        let Some(name_node) = child(node, Rule::ident) else {
            return;
        };
        let name = ident(&name_node);
        let spelling = child(node, Rule::type_ref)
            .map(|ty| type_spelling(&ty))
            .unwrap_or_default();
        let mut column = match normalize::serial_type(&spelling) {
            Some(ty) => {
                let (default, mut sequence) =
                    normalize::serial_sequence(&table.name, &name, ty.clone());
                sequence.meta = Meta::at(self.span(node));
                self.model.sequences.insert(sequence.name.clone(), sequence);
                let mut column = Column::new(name.clone(), ty);
                column.not_null = true;
                column.default = Some(default);
                column
            }
            None => Column::new(name.clone(), normalize::type_name(&spelling, "public")),
        };
        column.comment = comment;
        column.meta = self.meta(node, Some(&name_node));
        if table.column(&name).is_some() {
            self.error(
                &name_node,
                format!("column {name} is declared twice in {}", table.name),
            );
        }
        for opt in children(node, Rule::column_opt) {
            let Some(opt) = first_kid(&opt) else { continue };
            match opt.as_rule() {
                Rule::opt_not_null => column.not_null = true,
                Rule::opt_null => column.not_null = false,
                Rule::opt_default => {
                    if let Some(expr) = child(&opt, Rule::default_expr) {
                        column.default = Some(self.expr(&expr));
                    }
                }
                Rule::opt_collate => {
                    column.collation =
                        child(&opt, Rule::qname).map(|c| Box::new(super::collation(&c)))
                }
                Rule::opt_identity => {
                    let opts = child(&opt, Rule::identity_opts)
                        .map(|o| children(&o, Rule::seq_opt))
                        .unwrap_or_default();
                    let options = self.sequence_options(column.ty.clone(), &opts);
                    column.identity = Some(Box::new(Identity {
                        always: has(&opt, Rule::kw_always),
                        options,
                    }));
                    column.not_null = true;
                }
                Rule::opt_generated => {
                    if let Some(expr) = child(&opt, Rule::paren_expr) {
                        column.generated = Some(Box::new(self.expr(&expr)));
                    }
                }
                Rule::opt_was => {
                    column.meta.renamed_from =
                        child(&opt, Rule::ident).map(|old| Box::new(ident(&old)));
                }
                Rule::opt_constraint => {
                    let explicit = child(&opt, Rule::ident).map(|n| ident(&n));
                    let renamed_from = child(&opt, Rule::was)
                        .and_then(|w| child(&w, Rule::ident))
                        .map(|o| Box::new(ident(&o)));
                    let inner = kids(&opt).find(|kid| {
                        matches!(
                            kid.as_rule(),
                            Rule::opt_check
                                | Rule::opt_unique
                                | Rule::opt_primary_key
                                | Rule::opt_references
                        )
                    });
                    if let Some(inner) = inner {
                        if let Some(mut constraint) =
                            self.lower_column_constraint(&name, &mut column, &inner)
                        {
                            constraint.name = explicit;
                            constraint.constraint.meta =
                                self.meta(&opt, child(&opt, Rule::ident).as_ref());
                            constraint.constraint.meta.renamed_from = renamed_from;
                            pending.push(constraint);
                        }
                    }
                }
                _ => {
                    if let Some(constraint) = self.lower_column_constraint(&name, &mut column, &opt)
                    {
                        pending.push(constraint);
                    }
                }
            }
        }
        table.columns.push(column);
    }

    fn lower_column_constraint(
        &mut self,
        column_name: &Ident,
        column: &mut Column,
        opt: &Node<'_>,
    ) -> Option<PendingConstraint> {
        let columns = vec![column_name.clone()];
        let (kind, name_columns) = match opt.as_rule() {
            Rule::opt_primary_key => {
                column.not_null = true;
                (
                    ConstraintKind::PrimaryKey {
                        columns,
                        include: Vec::new(),
                    },
                    Vec::new(),
                )
            }
            Rule::opt_unique => (
                ConstraintKind::Unique {
                    columns: columns.clone(),
                    include: Vec::new(),
                    nulls_not_distinct: has(opt, Rule::nulls_not_distinct),
                },
                columns,
            ),
            Rule::opt_check => {
                let expr = self.expr(&child(opt, Rule::paren_expr)?);
                let name_columns = check_name_columns(&expr);
                (
                    ConstraintKind::Check {
                        expr,
                        no_inherit: has(opt, Rule::no_inherit),
                    },
                    name_columns,
                )
            }
            Rule::opt_references => {
                let fk = self.lower_fk_target(columns.clone(), opt);
                (ConstraintKind::ForeignKey(fk), columns)
            }
            _ => return None,
        };
        let mut constraint = new_constraint(kind, self.meta(opt, None));
        apply_deferral(&mut constraint, opt);
        constraint.not_valid = declared_not_valid(opt);
        Some(PendingConstraint {
            name: None,
            name_columns,
            constraint,
        })
    }

    fn lower_fk_target(&mut self, columns: Vec<Ident>, node: &Node<'_>) -> ForeignKey {
        let ref_table =
            child(node, Rule::qname).map_or_else(|| QualifiedName::public(""), |q| qualified(&q));
        let ref_columns = child(node, Rule::paren_idents)
            .map(|list| paren_ident_list(&list))
            .unwrap_or_default();
        let mut fk = ForeignKey {
            columns,
            ref_table,
            ref_columns,
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            match_full: false,
        };
        for tail in children(node, Rule::fk_tail) {
            let Some(tail) = first_kid(&tail) else {
                continue;
            };
            match tail.as_rule() {
                Rule::fk_on_delete => fk.on_delete = fk_action(&tail),
                Rule::fk_on_update => fk.on_update = fk_action(&tail),
                Rule::fk_match => fk.match_full = has(&tail, Rule::kw_full),
                _ => {}
            }
        }
        fk
    }

    fn lower_table_constraint(
        &mut self,
        table: &Table,
        node: &Node<'_>,
        comment: Option<String>,
    ) -> Option<PendingConstraint> {
        let explicit = child(node, Rule::ident).map(|n| ident(&n));
        let body = kids(node).find(|kid| {
            matches!(
                kid.as_rule(),
                Rule::tc_primary_key
                    | Rule::tc_unique
                    | Rule::tc_check
                    | Rule::tc_foreign_key
                    | Rule::tc_exclude
            )
        })?;
        let include = children(&body, Rule::tc_tail)
            .iter()
            .filter_map(|tail| child(tail, Rule::idx_include))
            .flat_map(|inc| paren_ident_list(&inc))
            .collect::<Vec<_>>();
        let (kind, name_columns) = match body.as_rule() {
            Rule::tc_primary_key => {
                let columns = child(&body, Rule::paren_idents)
                    .map(|l| paren_ident_list(&l))
                    .unwrap_or_default();
                (ConstraintKind::PrimaryKey { columns, include }, Vec::new())
            }
            Rule::tc_unique => {
                let columns = child(&body, Rule::paren_idents)
                    .map(|l| paren_ident_list(&l))
                    .unwrap_or_default();
                let kind = ConstraintKind::Unique {
                    columns: columns.clone(),
                    include,
                    nulls_not_distinct: has(&body, Rule::nulls_not_distinct),
                };
                (kind, columns)
            }
            Rule::tc_check => {
                let expr = self.expr(&child(&body, Rule::paren_expr)?);
                let name_columns = check_name_columns(&expr);
                (
                    ConstraintKind::Check {
                        expr,
                        no_inherit: has(&body, Rule::no_inherit),
                    },
                    name_columns,
                )
            }
            Rule::tc_foreign_key => {
                let lists = children(&body, Rule::paren_idents);
                let columns = lists.first().map(paren_ident_list).unwrap_or_default();
                let ref_columns = lists.get(1).map(paren_ident_list).unwrap_or_default();
                let mut fk = self.lower_fk_target(columns.clone(), &body);
                fk.ref_columns = ref_columns;
                (ConstraintKind::ForeignKey(fk), columns)
            }
            _ => self.lower_exclude(&body),
        };
        let _ = table;
        let mut constraint =
            new_constraint(kind, self.meta(node, child(node, Rule::ident).as_ref()));
        constraint.comment = comment;
        apply_deferral(&mut constraint, &body);
        constraint.not_valid = declared_not_valid(&body);
        Some(PendingConstraint {
            name: explicit,
            name_columns,
            constraint,
        })
    }

    fn lower_exclude(&mut self, body: &Node<'_>) -> (ConstraintKind, Vec<Ident>) {
        let method = child(body, Rule::ident).map_or_else(|| "gist".to_string(), |m| ident(&m).0);
        let mut elements = Vec::new();
        let mut name_columns = Vec::new();
        for element in children(body, Rule::exclude_elem) {
            let expr = match first_kid(&element) {
                Some(node) if node.as_rule() == Rule::paren_expr => {
                    name_columns.push(Ident::new("expr"));
                    self.expr(&node)
                }
                Some(node) => {
                    let column = ident(&node);
                    name_columns.push(column.clone());
                    let start = self.base + node.as_span().start();
                    self.expr_text(node.as_str(), start)
                }
                None => continue,
            };
            let opclass = child(&element, Rule::key_opclass)
                .and_then(|o| child(&o, Rule::qname))
                .map(|q| q.as_str().to_lowercase());
            let operator = child(&element, Rule::exclude_op)
                .map(|o| o.as_str().to_string())
                .unwrap_or_default();
            elements.push(ExcludeElement {
                expr,
                opclass,
                operator,
            });
        }
        let include = child(body, Rule::idx_include)
            .map(|inc| paren_ident_list(&inc))
            .unwrap_or_default();
        let predicate = child(body, Rule::idx_where)
            .and_then(|w| child(&w, Rule::paren_expr))
            .map(|p| self.expr(&p));
        (
            ConstraintKind::Exclude {
                method,
                elements,
                include,
                predicate,
            },
            name_columns,
        )
    }
}

fn new_constraint(kind: ConstraintKind, meta: Meta) -> Constraint {
    Constraint {
        name: Ident::default(),
        kind,
        deferrable: false,
        initially_deferred: false,
        not_valid: false,
        comment: None,
        meta,
    }
}

/// PostgreSQL names a CHECK after its column only when the expression
/// references exactly one distinct column (`t_a_check`), else `t_check`.
fn check_name_columns(expr: &SqlExpr) -> Vec<Ident> {
    let mut columns = normalize::expr_columns(expr);
    columns.dedup();
    let first = columns.first().cloned();
    match first {
        Some(first) if columns.iter().all(|column| *column == first) => vec![first],
        _ => Vec::new(),
    }
}

/// `not valid` on a CHECK, or among a foreign key's clauses.
fn declared_not_valid(node: &Node<'_>) -> bool {
    has(node, Rule::not_valid)
        || children(node, Rule::fk_tail)
            .iter()
            .any(|tail| has(tail, Rule::not_valid))
}

/// Applies every `deferral` child of `node` to the constraint.
fn apply_deferral(constraint: &mut Constraint, node: &Node<'_>) {
    let nested = children(node, Rule::fk_tail)
        .into_iter()
        .chain(children(node, Rule::tc_tail));
    let clauses = children(node, Rule::deferral)
        .into_iter()
        .chain(nested.filter_map(|tail| child(&tail, Rule::deferral)));
    let mut clauses: Vec<Node<'_>> = clauses.collect();
    clauses.sort_by_key(|clause| clause.as_span().start());
    for clause in clauses {
        let (deferrable, deferred) = deferral(
            &clause,
            constraint.deferrable,
            constraint.initially_deferred,
        );
        constraint.deferrable = deferrable;
        constraint.initially_deferred = deferred;
    }
}

/// `(deferrable, initially_deferred)` after one `deferral` clause.
/// INITIALLY DEFERRED implies DEFERRABLE, as in PostgreSQL.
pub(super) fn deferral(clause: &Node<'_>, deferrable: bool, deferred: bool) -> (bool, bool) {
    if has(clause, Rule::kw_not) {
        (false, deferred)
    } else if has(clause, Rule::kw_deferrable) {
        (true, deferred)
    } else if has(clause, Rule::kw_deferred) {
        (true, true)
    } else {
        (deferrable, false)
    }
}

fn fk_action(node: &Node<'_>) -> FkAction {
    let Some(action) = child(node, Rule::fk_action) else {
        return FkAction::NoAction;
    };
    if has(&action, Rule::kw_restrict) {
        FkAction::Restrict
    } else if has(&action, Rule::kw_cascade) {
        FkAction::Cascade
    } else if has(&action, Rule::kw_null) {
        FkAction::SetNull
    } else if has(&action, Rule::kw_default) {
        FkAction::SetDefault
    } else {
        FkAction::NoAction
    }
}
