-- The same schema as a.schema, as PostgreSQL DDL.

CREATE SCHEMA app;
CREATE EXTENSION pgcrypto;

CREATE TYPE app.order_status AS ENUM ('pending', 'shipped', 'on hold');
COMMENT ON TYPE app.order_status IS 'Lifecycle of an order.';
CREATE DOMAIN app.positive_int AS integer CONSTRAINT positive_int_ok CHECK (VALUE > 0);
CREATE SEQUENCE app.invoice_number AS bigint START WITH 1000 CACHE 10;

CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$
begin
  new.updated_at := now();
  return new;
end
$$;

CREATE TABLE app.orders (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    status app.order_status NOT NULL DEFAULT 'pending',
    quantity app.positive_int NOT NULL,
    invoice bigint NOT NULL DEFAULT nextval('app.invoice_number'),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER orders_touch BEFORE UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();

CREATE VIEW app.open_orders AS SELECT id, status FROM app.orders WHERE status <> 'shipped';
