-- Test fixture, not shipped: the demo catalog migrations exactly as coherent-db shipped them
-- before the demo got its own module and history table (versions 1000+ in the shared
-- coherent_schema_history). The trigger tests use the catalog as tracked tables; the schema
-- tests use it as a database migrated before the split. The live demo schema is in
-- demo-catalog-service (db/demo-catalog, V1..V3, history table demo_schema_history).
--
-- Demo catalog schema (then only applied by CoherentSchema.migrateWithDemo). Versions start at 1000
-- so the demo shares the coherent_schema_history table with the library schema (V1..V999)
-- without ever colliding with it; a library user who calls CoherentSchema.migrate never gets
-- these tables.

CREATE TABLE categories (
    id         bigint      PRIMARY KEY,
    name       text        NOT NULL UNIQUE,
    version    bigint      NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id          bigint      PRIMARY KEY,
    sku         text        NOT NULL UNIQUE,
    name        text        NOT NULL,
    description text        NOT NULL,
    price_cents bigint      NOT NULL CHECK (price_cents >= 0),
    currency    char(3)     NOT NULL,
    category_id bigint      NOT NULL REFERENCES categories (id),
    stock       int         NOT NULL CHECK (stock >= 0),
    version     bigint      NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX products_category_id_idx ON products (category_id);

-- updated_at follows every update, however it is written (psql, the service, a batch job).
-- A writer that sets updated_at itself keeps its value, as with the version.
CREATE FUNCTION catalog_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER catalog_touch_updated_at BEFORE UPDATE ON categories
    FOR EACH ROW EXECUTE FUNCTION catalog_touch_updated_at();
CREATE TRIGGER catalog_touch_updated_at BEFORE UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION catalog_touch_updated_at();
