-- Aggregates in pg_dump's form and in the old BASETYPE form.
CREATE SCHEMA app;
CREATE FUNCTION app.concat_step(acc text, item text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT acc || item $$;

CREATE AGGREGATE app.text_join(text) (
    SFUNC = app.concat_step,
    STYPE = text,
    INITCOND = ''
);
COMMENT ON AGGREGATE app.text_join(text) IS 'joins texts';
CREATE AGGREGATE app.old_join (BASETYPE = text, SFUNC = app.concat_step, STYPE = text, PARALLEL = safe);
CREATE AGGREGATE app.median(double precision ORDER BY double precision) (
    SFUNC = ordered_set_transition,
    STYPE = internal,
    FINALFUNC = percentile_cont_float8_final
);
CREATE AGGREGATE app.hits(*) (SFUNC = int8inc, STYPE = int8, COMBINEFUNC = int8pl, INITCOND = 0);
REVOKE ALL ON FUNCTION app.text_join(text) FROM PUBLIC;
