-- The session's search_path steers unqualified names, as in pgstac's
-- release files: created in the first schema, resolved through the path.
CREATE SCHEMA app;
CREATE TABLE before_any_set (id integer PRIMARY KEY);

SET SEARCH_PATH TO app, public;

CREATE TYPE status AS ENUM ('new', 'done');
CREATE TABLE items (
    id integer PRIMARY KEY,
    state status NOT NULL,
    owner_id integer REFERENCES before_any_set (id)
);
CREATE TABLE items_template (LIKE items);
ALTER TABLE items_template ADD PRIMARY KEY (id);
CREATE INDEX items_state_idx ON items (state);
CREATE FUNCTION item_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM items $$;
CREATE VIEW open_items AS SELECT id FROM items WHERE state = 'new';
COMMENT ON TABLE items IS 'in app';
-- Calls of the path's functions mean the same in any session: qualified.
CREATE FUNCTION item_key(i integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT i::text $$;
CREATE TABLE keyed (id integer, k text GENERATED ALWAYS AS (item_key(id)) STORED);
CREATE INDEX keyed_lower_idx ON keyed (lower(item_key(id)));

SELECT pg_catalog.set_config('search_path', 'public', false);
CREATE TABLE after_set_config (id integer);

SET search_path = "app";
CREATE SEQUENCE counter;

RESET search_path;
CREATE TABLE after_reset (id integer);
