-- The same schema as a.schema, as PostgreSQL DDL.

CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY,
    email text NOT NULL UNIQUE,
    name character varying(80) NOT NULL DEFAULT '',
    plan text NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro')),
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    PRIMARY KEY (id)
);
COMMENT ON TABLE accounts IS 'Customers.';

CREATE TABLE orders (
    id bigint NOT NULL,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    total numeric(12,2) NOT NULL CONSTRAINT total_positive CHECK (total >= 0),
    note text COLLATE "C",
    lower_note text GENERATED ALWAYS AS (lower(note)) STORED,
    PRIMARY KEY (account_id, id),
    UNIQUE NULLS NOT DISTINCT (account_id, note)
);
CREATE INDEX orders_account_id_total_idx ON orders USING btree (account_id, total DESC);
CREATE UNIQUE INDEX orders_lower_note_idx ON orders (lower(note)) WHERE note IS NOT NULL;
