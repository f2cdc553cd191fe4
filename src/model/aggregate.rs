//! User-defined aggregates (`CREATE AGGREGATE`): what `pg_aggregate` holds
//! for a routine of `pg_proc`.
//!
//! An aggregate is a routine like a function or a procedure: it shares
//! `pg_proc`'s namespace (a function and an aggregate of the same
//! signature cannot both exist), its identity is a [`FunctionId`], its
//! privileges are a routine's (`GRANT EXECUTE ON ROUTINE`), and a view
//! calls it like a function. So the Model keeps it in
//! [`Model::functions`](super::Model), as a [`Function`] whose `aggregate`
//! holds this description (built by [`Function::aggregate`], which fixes
//! the function-only fields to one value for every source).
//!
//! Invariants: support functions are schema-qualified (`pg_catalog` for
//! PostgreSQL's own), types are in `format_type` spelling, the modify
//! flags hold the value PostgreSQL stores (the defaults filled in), an
//! ordered-set aggregate whose last direct argument is VARIADIC keeps it
//! once (as `pg_proc` does). Equality is field by field: two descriptions
//! are equal exactly when PostgreSQL stores the same aggregate.

use super::{ArgMode, Function, FunctionArg, FunctionId, Ident, Meta, Parallel, QualifiedName};
use super::{TypeName, Volatility};

/// `pg_aggregate`'s part of an aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregate {
    /// For an ordered-set (or hypothetical-set) aggregate, the number of
    /// direct arguments before `ORDER BY` (`aggnumdirectargs`); `None`
    /// for a normal aggregate.
    pub direct_args: Option<usize>,
    /// `HYPOTHETICAL` (`aggkind = 'h'`; only for ordered-set aggregates).
    pub hypothetical: bool,
    pub sfunc: QualifiedName,
    pub stype: TypeName,
    /// `SSPACE` (`aggtransspace`); 0 is the default.
    pub sspace: i32,
    pub finalfunc: Option<QualifiedName>,
    pub finalfunc_extra: bool,
    pub finalfunc_modify: Modify,
    pub combinefunc: Option<QualifiedName>,
    pub serialfunc: Option<QualifiedName>,
    pub deserialfunc: Option<QualifiedName>,
    /// `INITCOND`, the text PostgreSQL keeps (`agginitval`).
    pub initcond: Option<String>,
    pub msfunc: Option<QualifiedName>,
    pub minvfunc: Option<QualifiedName>,
    pub mstype: Option<TypeName>,
    pub msspace: i32,
    pub mfinalfunc: Option<QualifiedName>,
    pub mfinalfunc_extra: bool,
    pub mfinalfunc_modify: Modify,
    pub minitcond: Option<String>,
    /// `SORTOP`: the operator's schema and symbol.
    pub sortop: Option<(Ident, String)>,
}

/// `FINALFUNC_MODIFY` / `MFINALFUNC_MODIFY` (`aggfinalmodify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Modify {
    ReadOnly,
    Shareable,
    ReadWrite,
}

impl Modify {
    /// What PostgreSQL stores when the option is not written: READ_ONLY
    /// for a normal aggregate, READ_WRITE for an ordered-set one
    /// (<https://www.postgresql.org/docs/current/sql-createaggregate.html>).
    pub fn default_for(ordered_set: bool) -> Modify {
        if ordered_set {
            Modify::ReadWrite
        } else {
            Modify::ReadOnly
        }
    }

    pub fn as_sql(self) -> &'static str {
        match self {
            Modify::ReadOnly => "READ_ONLY",
            Modify::Shareable => "SHAREABLE",
            Modify::ReadWrite => "READ_WRITE",
        }
    }

    /// The catalog's letter (`r`, `s`, `w`) or the SQL word, any case.
    pub fn parse(text: &str) -> Option<Modify> {
        match text.to_ascii_lowercase().as_str() {
            "r" | "read_only" => Some(Modify::ReadOnly),
            "s" | "shareable" => Some(Modify::Shareable),
            "w" | "read_write" => Some(Modify::ReadWrite),
            _ => None,
        }
    }
}

impl Aggregate {
    /// A normal aggregate with only its state function and type.
    pub fn new(sfunc: QualifiedName, stype: TypeName) -> Aggregate {
        Aggregate {
            direct_args: None,
            hypothetical: false,
            sfunc,
            stype,
            sspace: 0,
            finalfunc: None,
            finalfunc_extra: false,
            finalfunc_modify: Modify::ReadOnly,
            combinefunc: None,
            serialfunc: None,
            deserialfunc: None,
            initcond: None,
            msfunc: None,
            minvfunc: None,
            mstype: None,
            msspace: 0,
            mfinalfunc: None,
            mfinalfunc_extra: false,
            mfinalfunc_modify: Modify::ReadOnly,
            minitcond: None,
            sortop: None,
        }
    }

    /// The support functions it names, for dependencies.
    pub fn support_functions(&self) -> impl Iterator<Item = &QualifiedName> {
        std::iter::once(&self.sfunc).chain(
            [
                &self.finalfunc,
                &self.combinefunc,
                &self.serialfunc,
                &self.deserialfunc,
                &self.msfunc,
                &self.minvfunc,
                &self.mfinalfunc,
            ]
            .into_iter()
            .flatten(),
        )
    }

    /// The state types it names, for dependencies.
    pub fn state_types(&self) -> impl Iterator<Item = &TypeName> {
        std::iter::once(&self.stype).chain(self.mstype.as_ref())
    }

    /// The options of `CREATE AGGREGATE name (args) ( ... )`, in
    /// PostgreSQL's documented order, defaults left out: `SFUNC =
    /// public.f`, `STYPE = text`, ...
    pub fn options(&self) -> Vec<(&'static str, String)> {
        let ordered = self.direct_args.is_some();
        let mut res: Vec<(&'static str, String)> = vec![
            ("SFUNC", self.sfunc.to_string()),
            ("STYPE", self.stype.to_string()),
        ];
        let func = |res: &mut Vec<(&'static str, String)>, key, value: &Option<QualifiedName>| {
            if let Some(value) = value {
                res.push((key, value.to_string()));
            }
        };
        if self.sspace != 0 {
            res.push(("SSPACE", self.sspace.to_string()));
        }
        func(&mut res, "FINALFUNC", &self.finalfunc);
        if self.finalfunc_extra {
            res.push(("FINALFUNC_EXTRA", String::new()));
        }
        if self.finalfunc_modify != Modify::default_for(ordered) {
            res.push((
                "FINALFUNC_MODIFY",
                self.finalfunc_modify.as_sql().to_string(),
            ));
        }
        func(&mut res, "COMBINEFUNC", &self.combinefunc);
        func(&mut res, "SERIALFUNC", &self.serialfunc);
        func(&mut res, "DESERIALFUNC", &self.deserialfunc);
        if let Some(initcond) = &self.initcond {
            res.push(("INITCOND", quote_literal(initcond)));
        }
        func(&mut res, "MSFUNC", &self.msfunc);
        func(&mut res, "MINVFUNC", &self.minvfunc);
        if let Some(mstype) = &self.mstype {
            res.push(("MSTYPE", mstype.to_string()));
        }
        if self.msspace != 0 {
            res.push(("MSSPACE", self.msspace.to_string()));
        }
        func(&mut res, "MFINALFUNC", &self.mfinalfunc);
        if self.mfinalfunc_extra {
            res.push(("MFINALFUNC_EXTRA", String::new()));
        }
        if self.mfinalfunc_modify != Modify::default_for(ordered) {
            res.push((
                "MFINALFUNC_MODIFY",
                self.mfinalfunc_modify.as_sql().to_string(),
            ));
        }
        if let Some(minitcond) = &self.minitcond {
            res.push(("MINITCOND", quote_literal(minitcond)));
        }
        if let Some((schema, op)) = &self.sortop {
            res.push(("SORTOP", format!("OPERATOR({schema}.{op})")));
        }
        if self.hypothetical {
            res.push(("HYPOTHETICAL", String::new()));
        }
        res
    }
}

/// `'text'` with quotes doubled.
fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

impl Function {
    /// The routine that stands for an aggregate in [`super::Model::functions`]:
    /// `args` are the input arguments (direct ones first for an
    /// ordered-set aggregate); the function-only fields take one fixed
    /// value, so that every source builds the same routine.
    pub fn aggregate(
        name: QualifiedName,
        args: Vec<FunctionArg>,
        aggregate: Aggregate,
        parallel: Parallel,
        meta: Meta,
    ) -> Function {
        let id = FunctionId {
            name,
            arg_types: args.iter().map(|arg| arg.ty.clone()).collect(),
        };
        Function {
            id,
            procedure: false,
            args,
            returns: None,
            language: "internal".to_string(),
            body: String::new(),
            volatility: Volatility::Volatile,
            strict: false,
            security_definer: false,
            parallel,
            config: Vec::new(),
            cost: None,
            rows: None,
            comment: None,
            meta,
            aggregate: Some(Box::new(aggregate)),
        }
    }

    /// True for an aggregate.
    pub fn is_aggregate(&self) -> bool {
        self.aggregate.is_some()
    }
}

/// The argument list of an aggregate as `CREATE` / `DROP AGGREGATE` write
/// it: `*` for none, `direct ORDER BY aggregated` for an ordered-set
/// aggregate (a VARIADIC last direct argument is repeated after `ORDER
/// BY`, as `pg_get_function_arguments` prints it).
pub fn aggregate_args(args: &[FunctionArg], direct_args: Option<usize>) -> String {
    let one = |arg: &FunctionArg| {
        let mut res = String::new();
        if arg.mode == ArgMode::Variadic {
            res.push_str("VARIADIC ");
        }
        if let Some(name) = &arg.name {
            res.push_str(&format!("{name} "));
        }
        // `any` is a reserved word: the pseudo-type is written quoted.
        match arg.ty.as_str() {
            "any" => res.push_str("\"any\""),
            other => res.push_str(other),
        }
        res
    };
    let list = |args: &[FunctionArg]| args.iter().map(one).collect::<Vec<_>>().join(", ");
    match direct_args {
        None if args.is_empty() => "*".to_string(),
        None => list(args),
        Some(direct) => {
            let direct = direct.min(args.len());
            let (before, after) = args.split_at(direct);
            let after = match (after.is_empty(), before.last()) {
                (true, Some(last)) if last.mode == ArgMode::Variadic => one(last),
                _ => list(after),
            };
            if before.is_empty() {
                format!("ORDER BY {after}")
            } else {
                format!("{} ORDER BY {after}", list(before))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(ty: &str, mode: ArgMode) -> FunctionArg {
        FunctionArg {
            mode,
            name: None,
            ty: TypeName::new(ty),
            default: None,
        }
    }

    #[test]
    fn argument_lists_print_as_postgres_prints_them() {
        assert_eq!(aggregate_args(&[], None), "*");
        let text = arg("text", ArgMode::In);
        assert_eq!(aggregate_args(std::slice::from_ref(&text), None), "text");
        let float = arg("double precision", ArgMode::In);
        assert_eq!(
            aggregate_args(&[float.clone(), float.clone()], Some(1)),
            "double precision ORDER BY double precision"
        );
        assert_eq!(
            aggregate_args(std::slice::from_ref(&text), Some(0)),
            "ORDER BY text"
        );
        let any = arg("any", ArgMode::Variadic);
        assert_eq!(
            aggregate_args(&[any], Some(1)),
            "VARIADIC \"any\" ORDER BY VARIADIC \"any\""
        );
    }

    #[test]
    fn what_create_or_replace_can_change() {
        let args = vec![arg("text", ArgMode::In)];
        let base = Aggregate::new(QualifiedName::public("step"), TypeName::new("text"));
        let routine = |aggregate: Aggregate| {
            Function::aggregate(
                QualifiedName::public("agg"),
                args.clone(),
                aggregate,
                Parallel::Unsafe,
                Meta::default(),
            )
        };
        let current = routine(base.clone());
        let in_place = routine(Aggregate {
            initcond: Some("x".to_string()),
            combinefunc: Some(QualifiedName::public("merge")),
            ..base.clone()
        });
        assert!(current.replaceable_by(&in_place));
        let new_result = routine(Aggregate {
            finalfunc: Some(QualifiedName::public("done")),
            ..base.clone()
        });
        assert!(!current.replaceable_by(&new_result));
        let ordered = routine(Aggregate {
            direct_args: Some(0),
            ..base.clone()
        });
        assert!(!current.replaceable_by(&ordered));
        let function = Function {
            aggregate: None,
            ..current.clone()
        };
        assert!(!current.replaceable_by(&function));
        assert!(!function.replaceable_by(&current));
    }

    #[test]
    fn defaults_are_left_out_of_the_options() {
        let mut aggregate = Aggregate::new(
            QualifiedName::new("public", "concat_step"),
            TypeName::new("text"),
        );
        let options = |aggregate: &Aggregate| {
            aggregate
                .options()
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(options(&aggregate), "SFUNC=public.concat_step STYPE=text");
        aggregate.initcond = Some("it's".to_string());
        aggregate.direct_args = Some(1);
        aggregate.finalfunc_modify = Modify::ReadOnly;
        aggregate.mfinalfunc_modify = Modify::ReadWrite;
        aggregate.sortop = Some((Ident::new("pg_catalog"), ">".to_string()));
        assert_eq!(
            options(&aggregate),
            "SFUNC=public.concat_step STYPE=text FINALFUNC_MODIFY=READ_ONLY INITCOND='it''s' SORTOP=OPERATOR(pg_catalog.>)"
        );
    }
}
