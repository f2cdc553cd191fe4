CREATE SCHEMA legacy;

CREATE TABLE legacy.base (
    id bigint NOT NULL CHECK (id > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE legacy.tagged (tags text[]);

CREATE TABLE legacy.article (
    id bigint NOT NULL,
    title text NOT NULL
) INHERITS (legacy.base, legacy.tagged);
COMMENT ON TABLE legacy.article IS 'Two parents; `id` is merged with the parent''s column.';

CREATE TABLE legacy.article_draft () INHERITS (legacy.article);

CREATE TABLE "Legacy Review" (score integer) INHERITS (legacy.article_draft);
