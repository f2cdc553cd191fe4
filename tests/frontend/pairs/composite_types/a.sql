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
