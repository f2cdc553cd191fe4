-- The same schema as a.schema, as PostgreSQL DDL.

CREATE TABLE events (
    id bigint NOT NULL,
    region text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
CREATE INDEX events_region_idx ON events (region);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE events_default PARTITION OF events DEFAULT;

CREATE TABLE customers (
    id bigint NOT NULL,
    region text NOT NULL,
    PRIMARY KEY (id, region)
) PARTITION BY LIST (region);
CREATE TABLE customers_eu PARTITION OF customers FOR VALUES IN ('de', 'fr');
CREATE TABLE customers_us PARTITION OF customers FOR VALUES IN ('us');

CREATE TABLE sessions (
    id bigint PRIMARY KEY
) PARTITION BY HASH (id);
CREATE TABLE sessions_h0 PARTITION OF sessions FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE sessions_h1 PARTITION OF sessions FOR VALUES WITH (MODULUS 2, REMAINDER 1);
