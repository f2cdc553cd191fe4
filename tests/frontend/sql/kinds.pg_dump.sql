--
-- PostgreSQL database dump
--

\restrict Cu4ZJ3mMCKmpiZYSQo2iSjgAgSMPkkZdtAbyaCguv4e8qYa1GoP3OEBVDwG2vK7

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
-- Name: legacy; Type: SCHEMA; Schema: -; Owner: postgres
--

CREATE SCHEMA legacy;


ALTER SCHEMA legacy OWNER TO postgres;

--
-- Name: address; Type: TYPE; Schema: legacy; Owner: postgres
--

CREATE TYPE legacy.address AS (
	street text,
	zip integer,
	country character varying(2) COLLATE pg_catalog."C"
);


ALTER TYPE legacy.address OWNER TO postgres;

--
-- Name: TYPE address; Type: COMMENT; Schema: legacy; Owner: postgres
--

COMMENT ON TYPE legacy.address IS 'A postal address.';


--
-- Name: empty_type; Type: TYPE; Schema: legacy; Owner: postgres
--

CREATE TYPE legacy.empty_type AS (
);


ALTER TYPE legacy.empty_type OWNER TO postgres;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: base; Type: TABLE; Schema: legacy; Owner: postgres
--

CREATE TABLE legacy.base (
    id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT base_id_check CHECK ((id > 0))
);


ALTER TABLE legacy.base OWNER TO postgres;

--
-- Name: tagged; Type: TABLE; Schema: legacy; Owner: postgres
--

CREATE TABLE legacy.tagged (
    tags text[]
);


ALTER TABLE legacy.tagged OWNER TO postgres;

--
-- Name: article; Type: TABLE; Schema: legacy; Owner: postgres
--

CREATE TABLE legacy.article (
    id bigint,
    title text NOT NULL
)
INHERITS (legacy.base, legacy.tagged);


ALTER TABLE legacy.article OWNER TO postgres;

--
-- Name: article_draft; Type: TABLE; Schema: legacy; Owner: postgres
--

CREATE TABLE legacy.article_draft (
)
INHERITS (legacy.article);


ALTER TABLE legacy.article_draft OWNER TO postgres;

--
-- Name: contact; Type: TABLE; Schema: legacy; Owner: postgres
--

CREATE TABLE legacy.contact (
    name text,
    home legacy.address,
    previous legacy.address[]
);


ALTER TABLE legacy.contact OWNER TO postgres;

--
-- Name: Legacy Review; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public."Legacy Review" (
    score integer
)
INHERITS (legacy.article_draft);


ALTER TABLE public."Legacy Review" OWNER TO postgres;

--
-- Name: article created_at; Type: DEFAULT; Schema: legacy; Owner: postgres
--

ALTER TABLE ONLY legacy.article ALTER COLUMN created_at SET DEFAULT now();


--
-- Name: article_draft created_at; Type: DEFAULT; Schema: legacy; Owner: postgres
--

ALTER TABLE ONLY legacy.article_draft ALTER COLUMN created_at SET DEFAULT now();


--
-- Name: Legacy Review created_at; Type: DEFAULT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public."Legacy Review" ALTER COLUMN created_at SET DEFAULT now();


--
-- Name: article_stats; Type: STATISTICS; Schema: legacy; Owner: postgres
--

CREATE STATISTICS legacy.article_stats ON id, title, lower(title) FROM legacy.article;
ALTER STATISTICS legacy.article_stats SET STATISTICS 300;


ALTER STATISTICS legacy.article_stats OWNER TO postgres;

--
-- Name: contact_names; Type: STATISTICS; Schema: legacy; Owner: postgres
--

CREATE STATISTICS legacy.contact_names (ndistinct, dependencies) ON name, home FROM legacy.contact;


ALTER STATISTICS legacy.contact_names OWNER TO postgres;

--
-- PostgreSQL database dump complete
--

\unrestrict Cu4ZJ3mMCKmpiZYSQo2iSjgAgSMPkkZdtAbyaCguv4e8qYa1GoP3OEBVDwG2vK7

