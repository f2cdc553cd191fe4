-- Object kinds older schemas use: table inheritance.
CREATE SCHEMA legacy;

CREATE TABLE legacy.base (
    id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT base_id_check CHECK (id > 0)
);

CREATE TABLE legacy.tagged (
    tags text[]
);

-- Two parents, and a local column merged with a parent's.
CREATE TABLE legacy.article (
    id bigint NOT NULL,
    title text NOT NULL
) INHERITS (legacy.base, legacy.tagged);

-- No column of its own, and a grandchild.
CREATE TABLE legacy.article_draft () INHERITS (legacy.article);
CREATE TABLE "Legacy Review" (score integer) INHERITS (legacy.article_draft);

-- Composite types.
CREATE TYPE legacy.address AS (
    street text,
    zip integer,
    country character varying(2) COLLATE "C"
);
CREATE TYPE legacy.empty_type AS ();
COMMENT ON TYPE legacy.address IS 'A postal address.';
CREATE TABLE legacy.contact (
    name text,
    home legacy.address,
    previous legacy.address[]
);

-- Extended statistics.
CREATE STATISTICS legacy.contact_names (ndistinct, dependencies) ON name, home FROM legacy.contact;
CREATE STATISTICS IF NOT EXISTS legacy.article_stats ON id, title, (lower(title)) FROM legacy.article;
ALTER STATISTICS legacy.article_stats SET STATISTICS 300;
