CREATE TYPE unit AS ENUM ('mm', 'cm', 'm');

CREATE TYPE address AS (street text, zip int, country varchar(2) COLLATE "C");
COMMENT ON TYPE address IS 'A postal address.';

CREATE TYPE measurement AS (value numeric, unit unit, tags text[]);

CREATE TYPE nothing AS ();

CREATE TABLE contact (
    name text,
    home address,
    previous address[]
);

CREATE TABLE visits (city text, zip text, state text);
CREATE STATISTICS visits_geo (dependencies, ndistinct) ON city, zip FROM visits;
CREATE STATISTICS visits_expr ON (lower(city)), state FROM visits;
ALTER STATISTICS visits_expr SET STATISTICS 500;
