--
-- PostgreSQL database dump
--

\restrict RrrjfljhaC2dofQajrKBSauZImDaT2shklyPzgegupIoqcxom0oxX73a6gyKiIk

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
-- Name: SCHEMA app; Type: COMMENT; Schema: -; Owner: postgres
--

COMMENT ON SCHEMA app IS 'Application objects';


--
-- Name: btree_gist; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;


--
-- Name: EXTENSION btree_gist; Type: COMMENT; Schema: -; Owner: 
--

COMMENT ON EXTENSION btree_gist IS 'support for indexing common datatypes in GiST';


--
-- Name: mood; Type: TYPE; Schema: app; Owner: postgres
--

CREATE TYPE app.mood AS ENUM (
    'happy',
    'sad'
);


ALTER TYPE app.mood OWNER TO postgres;

--
-- Name: positive_int; Type: DOMAIN; Schema: app; Owner: postgres
--

CREATE DOMAIN app.positive_int AS integer
	CONSTRAINT positive_int_ok CHECK ((VALUE > 0));


ALTER DOMAIN app.positive_int OWNER TO postgres;

--
-- Name: code; Type: DOMAIN; Schema: public; Owner: postgres
--

CREATE DOMAIN public.code AS text COLLATE pg_catalog."C";


ALTER DOMAIN public.code OWNER TO postgres;

--
-- Name: email; Type: DOMAIN; Schema: public; Owner: postgres
--

CREATE DOMAIN public.email AS text NOT NULL DEFAULT ''::text
	CONSTRAINT email_check CHECK ((VALUE ~* '^[^@]*@?[^@]*$'::text));


ALTER DOMAIN public.email OWNER TO postgres;

--
-- Name: DOMAIN email; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON DOMAIN public.email IS 'An e-mail address';


--
-- Name: order_status; Type: TYPE; Schema: public; Owner: postgres
--

CREATE TYPE public.order_status AS ENUM (
    'pending',
    'processing',
    'shipped',
    'on hold'
);


ALTER TYPE public.order_status OWNER TO postgres;

--
-- Name: TYPE order_status; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON TYPE public.order_status IS 'Lifecycle of an order';


--
-- Name: add(integer, integer); Type: FUNCTION; Schema: app; Owner: postgres
--

CREATE FUNCTION app.add(a integer, b integer DEFAULT 0) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ select a + b $$;


ALTER FUNCTION app.add(a integer, b integer) OWNER TO postgres;

--
-- Name: FUNCTION add(a integer, b integer); Type: COMMENT; Schema: app; Owner: postgres
--

COMMENT ON FUNCTION app.add(a integer, b integer) IS 'Adds';


--
-- Name: audit(); Type: FUNCTION; Schema: app; Owner: postgres
--

CREATE FUNCTION app.audit() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'app'
    AS $$
begin
  return null;
end
$$;


ALTER FUNCTION app.audit() OWNER TO postgres;

--
-- Name: set_updated_at(); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
  new.created_at := now();
  return new;
end
$$;


ALTER FUNCTION public.set_updated_at() OWNER TO postgres;

--
-- Name: FUNCTION set_updated_at(); Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON FUNCTION public.set_updated_at() IS 'Trigger helper';


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: things; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.things (
    account_id bigint NOT NULL,
    id integer NOT NULL,
    n smallint NOT NULL,
    total numeric(12,2) NOT NULL,
    code character varying(20),
    a integer,
    b integer,
    parent_id integer,
    status public.order_status DEFAULT 'pending'::public.order_status NOT NULL,
    CONSTRAINT total_positive CHECK ((total >= (0)::numeric))
);


ALTER TABLE app.things OWNER TO postgres;

--
-- Name: accounts; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.accounts (
    id bigint NOT NULL,
    name text NOT NULL COLLATE pg_catalog."C",
    email public.email,
    plan text DEFAULT 'free'::text NOT NULL,
    tags text[] DEFAULT '{}'::text[] NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    lower_name text GENERATED ALWAYS AS (lower(name)) STORED,
    mood app.mood,
    CONSTRAINT accounts_plan_check CHECK ((plan = ANY (ARRAY['free'::text, 'pro'::text]))),
    CONSTRAINT name_not_empty CHECK ((name <> ''::text))
);

ALTER TABLE ONLY public.accounts FORCE ROW LEVEL SECURITY;


ALTER TABLE public.accounts OWNER TO postgres;

--
-- Name: TABLE accounts; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON TABLE public.accounts IS 'Customers of the platform';


--
-- Name: COLUMN accounts.name; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.accounts.name IS 'Display name';


--
-- Name: CONSTRAINT name_not_empty ON accounts; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON CONSTRAINT name_not_empty ON public.accounts IS 'Names are never empty';


--
-- Name: thing_totals; Type: VIEW; Schema: app; Owner: postgres
--

CREATE VIEW app.thing_totals AS
 SELECT t.account_id,
    sum(t.total) AS total
   FROM (app.things t
     JOIN public.accounts a ON ((a.id = t.account_id)))
  GROUP BY t.account_id;


ALTER TABLE app.thing_totals OWNER TO postgres;

--
-- Name: things_id_seq; Type: SEQUENCE; Schema: app; Owner: postgres
--

ALTER TABLE app.things ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.things_id_seq
    START WITH 100
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 10
);


--
-- Name: things_n_seq; Type: SEQUENCE; Schema: app; Owner: postgres
--

ALTER TABLE app.things ALTER COLUMN n ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME app.things_n_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: accounts_id_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

CREATE SEQUENCE public.accounts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.accounts_id_seq OWNER TO postgres;

--
-- Name: accounts_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: postgres
--

ALTER SEQUENCE public.accounts_id_seq OWNED BY public.accounts.id;


--
-- Name: active_accounts; Type: VIEW; Schema: public; Owner: postgres
--

CREATE VIEW public.active_accounts AS
 SELECT accounts.id,
    accounts.name
   FROM public.accounts
  WHERE (accounts.plan = 'pro'::text);


ALTER TABLE public.active_accounts OWNER TO postgres;

--
-- Name: VIEW active_accounts; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON VIEW public.active_accounts IS 'Paying accounts';


--
-- Name: bookings; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.bookings (
    id integer NOT NULL,
    room_id integer NOT NULL,
    during tstzrange NOT NULL,
    cancelled boolean DEFAULT false NOT NULL
);


ALTER TABLE public.bookings OWNER TO postgres;

--
-- Name: bookings_id_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

CREATE SEQUENCE public.bookings_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.bookings_id_seq OWNER TO postgres;

--
-- Name: bookings_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: postgres
--

ALTER SEQUENCE public.bookings_id_seq OWNED BY public.bookings.id;


--
-- Name: events; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.events (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    payload jsonb,
    CONSTRAINT events_id_positive CHECK ((id > 0))
)
PARTITION BY RANGE (created_at);


ALTER TABLE public.events OWNER TO postgres;

--
-- Name: daily_events; Type: MATERIALIZED VIEW; Schema: public; Owner: postgres
--

CREATE MATERIALIZED VIEW public.daily_events AS
 SELECT events.account_id,
    date_trunc('day'::text, events.created_at) AS day,
    count(*) AS n
   FROM public.events
  GROUP BY events.account_id, (date_trunc('day'::text, events.created_at))
  WITH NO DATA;


ALTER TABLE public.daily_events OWNER TO postgres;

--
-- Name: MATERIALIZED VIEW daily_events; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON MATERIALIZED VIEW public.daily_events IS 'Events per day';


--
-- Name: events_2024; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.events_2024 (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    payload jsonb,
    CONSTRAINT events_id_positive CHECK ((id > 0))
);


ALTER TABLE public.events_2024 OWNER TO postgres;

--
-- Name: events_2025; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.events_2025 (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    payload jsonb,
    CONSTRAINT events_id_positive CHECK ((id > 0))
);


ALTER TABLE public.events_2025 OWNER TO postgres;

--
-- Name: events_default; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.events_default (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    payload jsonb,
    CONSTRAINT events_id_positive CHECK ((id > 0))
);


ALTER TABLE public.events_default OWNER TO postgres;

--
-- Name: invoice_number; Type: SEQUENCE; Schema: public; Owner: postgres
--

CREATE SEQUENCE public.invoice_number
    START WITH 1000
    INCREMENT BY 1
    NO MINVALUE
    MAXVALUE 99999999
    CACHE 10
    CYCLE;


ALTER TABLE public.invoice_number OWNER TO postgres;

--
-- Name: SEQUENCE invoice_number; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON SEQUENCE public.invoice_number IS 'Invoice numbers';


--
-- Name: regions; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.regions (
    region text NOT NULL,
    n integer
)
PARTITION BY LIST (region);


ALTER TABLE public.regions OWNER TO postgres;

--
-- Name: regions_eu; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.regions_eu (
    region text NOT NULL,
    n integer
);


ALTER TABLE public.regions_eu OWNER TO postgres;

--
-- Name: regions_us; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.regions_us (
    region text NOT NULL,
    n integer
);


ALTER TABLE public.regions_us OWNER TO postgres;

--
-- Name: shards; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.shards (
    id bigint NOT NULL
)
PARTITION BY HASH (id);


ALTER TABLE public.shards OWNER TO postgres;

--
-- Name: shards_0; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.shards_0 (
    id bigint NOT NULL
);


ALTER TABLE public.shards_0 OWNER TO postgres;

--
-- Name: shards_1; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.shards_1 (
    id bigint NOT NULL
);


ALTER TABLE public.shards_1 OWNER TO postgres;

--
-- Name: slots; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.slots (
    id integer NOT NULL,
    during int4range
);


ALTER TABLE public.slots OWNER TO postgres;

--
-- Name: events_2024; Type: TABLE ATTACH; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.events ATTACH PARTITION public.events_2024 FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2025-01-01 00:00:00+00');


--
-- Name: events_2025; Type: TABLE ATTACH; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.events ATTACH PARTITION public.events_2025 FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2026-01-01 00:00:00+00');


--
-- Name: events_default; Type: TABLE ATTACH; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.events ATTACH PARTITION public.events_default DEFAULT;


--
-- Name: regions_eu; Type: TABLE ATTACH; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.regions ATTACH PARTITION public.regions_eu FOR VALUES IN ('de', 'fr');


--
-- Name: regions_us; Type: TABLE ATTACH; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.regions ATTACH PARTITION public.regions_us FOR VALUES IN ('us');


--
-- Name: shards_0; Type: TABLE ATTACH; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.shards ATTACH PARTITION public.shards_0 FOR VALUES WITH (modulus 2, remainder 0);


--
-- Name: shards_1; Type: TABLE ATTACH; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.shards ATTACH PARTITION public.shards_1 FOR VALUES WITH (modulus 2, remainder 1);


--
-- Name: accounts id; Type: DEFAULT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.accounts ALTER COLUMN id SET DEFAULT nextval('public.accounts_id_seq'::regclass);


--
-- Name: bookings id; Type: DEFAULT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.bookings ALTER COLUMN id SET DEFAULT nextval('public.bookings_id_seq'::regclass);


--
-- Name: things things_a_b_key; Type: CONSTRAINT; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.things
    ADD CONSTRAINT things_a_b_key UNIQUE NULLS NOT DISTINCT (a, b);


--
-- Name: things things_pkey; Type: CONSTRAINT; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.things
    ADD CONSTRAINT things_pkey PRIMARY KEY (account_id, id) INCLUDE (total);


--
-- Name: accounts accounts_email_key; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_email_key UNIQUE (email);


--
-- Name: accounts accounts_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);


--
-- Name: bookings bookings_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.bookings
    ADD CONSTRAINT bookings_pkey PRIMARY KEY (id);


--
-- Name: bookings bookings_room_id_during_excl; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.bookings
    ADD CONSTRAINT bookings_room_id_during_excl EXCLUDE USING gist (room_id WITH =, during WITH &&) WHERE ((NOT cancelled));


--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (id, created_at);


--
-- Name: events_2024 events_2024_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.events_2024
    ADD CONSTRAINT events_2024_pkey PRIMARY KEY (id, created_at);


--
-- Name: events_2025 events_2025_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.events_2025
    ADD CONSTRAINT events_2025_pkey PRIMARY KEY (id, created_at);


--
-- Name: events_default events_default_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.events_default
    ADD CONSTRAINT events_default_pkey PRIMARY KEY (id, created_at);


--
-- Name: slots slots_no_overlap; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.slots
    ADD CONSTRAINT slots_no_overlap EXCLUDE USING gist (during WITH &&);


--
-- Name: slots slots_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.slots
    ADD CONSTRAINT slots_pkey PRIMARY KEY (id);


--
-- Name: accounts_created_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX accounts_created_idx ON public.accounts USING btree (created_at DESC, name);


--
-- Name: INDEX accounts_created_idx; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON INDEX public.accounts_created_idx IS 'Recent accounts first';


--
-- Name: accounts_lower_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX accounts_lower_idx ON public.accounts USING btree (lower((email)::text));


--
-- Name: accounts_name_lower_key; Type: INDEX; Schema: public; Owner: postgres
--

CREATE UNIQUE INDEX accounts_name_lower_key ON public.accounts USING btree (lower(name)) INCLUDE (plan) WHERE (plan = 'pro'::text);


--
-- Name: accounts_name_pattern_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX accounts_name_pattern_idx ON public.accounts USING btree (name text_pattern_ops NULLS FIRST) WITH (fillfactor='70');


--
-- Name: accounts_tags_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX accounts_tags_idx ON public.accounts USING gin (tags);


--
-- Name: daily_events_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX daily_events_idx ON public.daily_events USING btree (account_id, day);


--
-- Name: events_account_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX events_account_idx ON ONLY public.events USING btree (account_id, created_at);


--
-- Name: events_2024_account_id_created_at_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX events_2024_account_id_created_at_idx ON public.events_2024 USING btree (account_id, created_at);


--
-- Name: events_2024_payload_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX events_2024_payload_idx ON public.events_2024 USING gin (payload);


--
-- Name: events_2025_account_id_created_at_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX events_2025_account_id_created_at_idx ON public.events_2025 USING btree (account_id, created_at);


--
-- Name: events_default_account_id_created_at_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX events_default_account_id_created_at_idx ON public.events_default USING btree (account_id, created_at);


--
-- Name: events_2024_account_id_created_at_idx; Type: INDEX ATTACH; Schema: public; Owner: postgres
--

ALTER INDEX public.events_account_idx ATTACH PARTITION public.events_2024_account_id_created_at_idx;


--
-- Name: events_2024_pkey; Type: INDEX ATTACH; Schema: public; Owner: postgres
--

ALTER INDEX public.events_pkey ATTACH PARTITION public.events_2024_pkey;


--
-- Name: events_2025_account_id_created_at_idx; Type: INDEX ATTACH; Schema: public; Owner: postgres
--

ALTER INDEX public.events_account_idx ATTACH PARTITION public.events_2025_account_id_created_at_idx;


--
-- Name: events_2025_pkey; Type: INDEX ATTACH; Schema: public; Owner: postgres
--

ALTER INDEX public.events_pkey ATTACH PARTITION public.events_2025_pkey;


--
-- Name: events_default_account_id_created_at_idx; Type: INDEX ATTACH; Schema: public; Owner: postgres
--

ALTER INDEX public.events_account_idx ATTACH PARTITION public.events_default_account_id_created_at_idx;


--
-- Name: events_default_pkey; Type: INDEX ATTACH; Schema: public; Owner: postgres
--

ALTER INDEX public.events_pkey ATTACH PARTITION public.events_default_pkey;


--
-- Name: things things_audit; Type: TRIGGER; Schema: app; Owner: postgres
--

CREATE TRIGGER things_audit AFTER INSERT OR UPDATE OF status ON app.things FOR EACH ROW WHEN ((new.total > (0)::numeric)) EXECUTE FUNCTION app.audit('things');


--
-- Name: accounts accounts_touch; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER accounts_touch BEFORE UPDATE ON public.accounts FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: TRIGGER accounts_touch ON accounts; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON TRIGGER accounts_touch ON public.accounts IS 'Touches created_at';


--
-- Name: things things_account_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.things
    ADD CONSTRAINT things_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.accounts(id) ON UPDATE RESTRICT ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;


--
-- Name: things things_parent_fkey; Type: FK CONSTRAINT; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.things
    ADD CONSTRAINT things_parent_fkey FOREIGN KEY (account_id, parent_id) REFERENCES app.things(account_id, id) MATCH FULL ON DELETE SET NULL (parent_id);


--
-- Name: events events_account_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE public.events
    ADD CONSTRAINT events_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.accounts(id);


--
-- Name: things; Type: ROW SECURITY; Schema: app; Owner: postgres
--

ALTER TABLE app.things ENABLE ROW LEVEL SECURITY;

--
-- Name: things things_all; Type: POLICY; Schema: app; Owner: postgres
--

CREATE POLICY things_all ON app.things USING (true);


--
-- Name: accounts account_isolation; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY account_isolation ON public.accounts AS RESTRICTIVE FOR SELECT TO postgres, pg_read_all_data USING ((id = (current_setting('app.account_id'::text))::bigint));


--
-- Name: accounts; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.accounts ENABLE ROW LEVEL SECURITY;

--
-- Name: accounts everyone; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY everyone ON public.accounts FOR INSERT WITH CHECK ((plan = 'free'::text));


--
-- Name: POLICY everyone ON accounts; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON POLICY everyone ON public.accounts IS 'Anyone may sign up';


--
-- PostgreSQL database dump complete
--

\unrestrict RrrjfljhaC2dofQajrKBSauZImDaT2shklyPzgegupIoqcxom0oxX73a6gyKiIk

