--
-- PostgreSQL database dump
--

\restrict MQEuuGEGlQecSj8ZfWeVcn1eVDja4dGnRibR8RxoiCt2hnaa9yk3IbiU6wDomfY

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: app; Type: SCHEMA; Schema: -; Owner: postgres
--

CREATE SCHEMA app;


ALTER SCHEMA app OWNER TO postgres;

--
-- Name: SCHEMA public; Type: COMMENT; Schema: -; Owner: pg_database_owner
--

COMMENT ON SCHEMA public IS 'standard public schema, changed';


--
-- Name: pg_trgm; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;


--
-- Name: EXTENSION pg_trgm; Type: COMMENT; Schema: -; Owner: 
--

COMMENT ON EXTENSION pg_trgm IS 'text similarity measurement and index searching based on trigrams';


--
-- Name: code; Type: DOMAIN; Schema: app; Owner: postgres
--

CREATE DOMAIN app.code AS text COLLATE pg_catalog."C"
	CONSTRAINT code_upper CHECK ((VALUE = upper(VALUE)));


ALTER DOMAIN app.code OWNER TO postgres;

--
-- Name: money_amount; Type: DOMAIN; Schema: app; Owner: postgres
--

CREATE DOMAIN app.money_amount AS numeric(12,2) NOT NULL DEFAULT 0.01
	CONSTRAINT money_amount_check CHECK ((VALUE > (0)::numeric));


ALTER DOMAIN app.money_amount OWNER TO postgres;

--
-- Name: status; Type: TYPE; Schema: app; Owner: postgres
--

CREATE TYPE app.status AS ENUM (
    'new',
    'done'
);


ALTER TYPE app.status OWNER TO postgres;

--
-- Name: fmt(text); Type: FUNCTION; Schema: app; Owner: postgres
--

CREATE FUNCTION app.fmt(s text) RETURNS text
    LANGUAGE sql IMMUTABLE
    RETURN (((((((OVERLAY(s PLACING 'x'::text FROM 1 FOR 1) || POSITION(('a'::text) IN (s))) || TRIM(BOTH FROM s)) || SUBSTRING(s FROM 1 FOR 2)) || CURRENT_DATE) || COLLATION FOR (s)) || (now() AT TIME ZONE 'UTC'::text)) || (s IS NFC NORMALIZED));


ALTER FUNCTION app.fmt(s text) OWNER TO postgres;

--
-- Name: tax(numeric); Type: FUNCTION; Schema: app; Owner: postgres
--

CREATE FUNCTION app.tax(amount numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE
    RETURN (amount * 0.2);


ALTER FUNCTION app.tax(amount numeric) OWNER TO postgres;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: tags; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.tags (
    id integer NOT NULL,
    "Name" text
);


ALTER TABLE app.tags OWNER TO postgres;

--
-- Name: touch(integer); Type: PROCEDURE; Schema: app; Owner: postgres
--

CREATE PROCEDURE app.touch(IN x integer)
    LANGUAGE sql
    BEGIN ATOMIC
 UPDATE app.tags SET "Name" = 'x'::text
   WHERE (tags.id = touch.x);
END;


ALTER PROCEDURE app.touch(IN x integer) OWNER TO postgres;

--
-- Name: two(); Type: FUNCTION; Schema: app; Owner: postgres
--

CREATE FUNCTION app.two() RETURNS integer
    LANGUAGE sql
    BEGIN ATOMIC
 SELECT 1;
 SELECT 2;
END;


ALTER FUNCTION app.two() OWNER TO postgres;

--
-- Name: accounts; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.accounts (
    id bigint NOT NULL,
    display_name text NOT NULL,
    body text,
    tsv tsvector,
    amount app.money_amount,
    status app.status DEFAULT 'new'::app.status,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP
);


ALTER TABLE app.accounts OWNER TO postgres;

--
-- Name: TABLE accounts; Type: COMMENT; Schema: app; Owner: postgres
--

COMMENT ON TABLE app.accounts IS 'accounts';


--
-- Name: COLUMN accounts.display_name; Type: COMMENT; Schema: app; Owner: postgres
--

COMMENT ON COLUMN app.accounts.display_name IS 'shown';


--
-- Name: accounts_id_seq; Type: SEQUENCE; Schema: app; Owner: postgres
--

ALTER TABLE app.accounts ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.accounts_id_seq
    START WITH 100
    INCREMENT BY 10
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: events; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.events (
    id bigint NOT NULL,
    at date NOT NULL,
    CONSTRAINT events_id_check CHECK ((id > 0))
)
PARTITION BY RANGE (at);


ALTER TABLE app.events OWNER TO postgres;

--
-- Name: events_2024; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.events_2024 (
    id bigint NOT NULL,
    at date NOT NULL,
    CONSTRAINT events_id_check CHECK ((id > 0))
);


ALTER TABLE app.events_2024 OWNER TO postgres;

--
-- Name: mv; Type: MATERIALIZED VIEW; Schema: app; Owner: postgres
--

CREATE MATERIALIZED VIEW app.mv AS
 SELECT accounts.id
   FROM app.accounts
  WITH NO DATA;


ALTER TABLE app.mv OWNER TO postgres;

--
-- Name: nums; Type: VIEW; Schema: app; Owner: postgres
--

CREATE VIEW app.nums AS
 WITH RECURSIVE nums(n) AS (
         VALUES (1)
        UNION ALL
         SELECT (nums_1.n + 1)
           FROM nums nums_1
          WHERE (nums_1.n < 10)
        )
 SELECT nums.n
   FROM nums;


ALTER TABLE app.nums OWNER TO postgres;

--
-- Name: tags_seq; Type: SEQUENCE; Schema: app; Owner: postgres
--

ALTER TABLE app.tags ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME app.tags_seq
    START WITH 7
    INCREMENT BY 1
    MINVALUE 5
    NO MAXVALUE
    CACHE 3
);


--
-- Name: v_checked; Type: VIEW; Schema: app; Owner: postgres
--

CREATE VIEW app.v_checked AS
 SELECT accounts.id,
    accounts.display_name
   FROM app.accounts
  WHERE (accounts.id > 0)
  WITH LOCAL CHECK OPTION;


ALTER TABLE app.v_checked OWNER TO postgres;

--
-- Name: v_invoker; Type: VIEW; Schema: app; Owner: postgres
--

CREATE VIEW app.v_invoker WITH (security_invoker='true') AS
 SELECT accounts.id
   FROM app.accounts
  WITH CASCADED CHECK OPTION;


ALTER TABLE app.v_invoker OWNER TO postgres;

--
-- Name: v_secure; Type: VIEW; Schema: app; Owner: postgres
--

CREATE VIEW app.v_secure WITH (security_barrier='true') AS
 SELECT accounts.id,
    accounts.display_name
   FROM app.accounts;


ALTER TABLE app.v_secure OWNER TO postgres;

--
-- Name: events_2024; Type: TABLE ATTACH; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.events ATTACH PARTITION app.events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');


--
-- Data for Name: accounts; Type: TABLE DATA; Schema: app; Owner: postgres
--

COPY app.accounts (id, display_name, body, tsv, amount, status, created_at) FROM stdin;
100	x	hello world	'hello':1 'world':2	5.00	new	2026-12-06 11:42:34.641002+00
\.


--
-- Data for Name: events_2024; Type: TABLE DATA; Schema: app; Owner: postgres
--

COPY app.events_2024 (id, at) FROM stdin;
\.


--
-- Data for Name: tags; Type: TABLE DATA; Schema: app; Owner: postgres
--

COPY app.tags (id, "Name") FROM stdin;
7	a
8	b;c
9	tab\there
\.


--
-- Name: accounts_id_seq; Type: SEQUENCE SET; Schema: app; Owner: postgres
--

SELECT pg_catalog.setval('app.accounts_id_seq', 100, true);


--
-- Name: tags_seq; Type: SEQUENCE SET; Schema: app; Owner: postgres
--

SELECT pg_catalog.setval('app.tags_seq', 9, true);


--
-- Name: accounts accounts_pkey; Type: CONSTRAINT; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);


--
-- Name: tags tags_pkey; Type: CONSTRAINT; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.tags
    ADD CONSTRAINT tags_pkey PRIMARY KEY (id);


--
-- Name: accounts_extract_idx; Type: INDEX; Schema: app; Owner: postgres
--

CREATE INDEX accounts_extract_idx ON app.accounts USING btree (EXTRACT(epoch FROM (created_at AT TIME ZONE 'UTC'::text)));


--
-- Name: accounts_norm_idx; Type: INDEX; Schema: app; Owner: postgres
--

CREATE INDEX accounts_norm_idx ON app.accounts USING btree (lower(NORMALIZE(display_name, NFKC)));


--
-- Name: tags no_redundant; Type: TRIGGER; Schema: app; Owner: postgres
--

CREATE TRIGGER no_redundant BEFORE UPDATE ON app.tags FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();


--
-- Name: accounts tsv_update; Type: TRIGGER; Schema: app; Owner: postgres
--

CREATE TRIGGER tsv_update BEFORE INSERT OR UPDATE ON app.accounts FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger('tsv', 'pg_catalog.english', 'body');


--
-- Name: accounts; Type: ROW SECURITY; Schema: app; Owner: postgres
--

ALTER TABLE app.accounts ENABLE ROW LEVEL SECURITY;

--
-- Name: accounts own; Type: POLICY; Schema: app; Owner: postgres
--

CREATE POLICY own ON app.accounts TO app_user USING ((display_name = CURRENT_USER));


--
-- Name: blobs; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.blobs (
    id integer,
    data bytea
)
WITH (fillfactor='70', autovacuum_enabled='true', toast.autovacuum_enabled=off);


--
-- Name: events_2025; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.events_2025 (
    id bigint NOT NULL,
    at date NOT NULL,
    CONSTRAINT events_id_check CHECK ((id > 0))
)
WITH (fillfactor='80');


--
-- Name: events_2025; Type: TABLE ATTACH; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.events ATTACH PARTITION app.events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');


--
-- PostgreSQL database dump complete
--

\unrestrict MQEuuGEGlQecSj8ZfWeVcn1eVDja4dGnRibR8RxoiCt2hnaa9yk3IbiU6wDomfY

