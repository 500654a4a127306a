-- Demo catalog schema, applied by CatalogSchema.migrate after CoherentSchema.migrate (the
-- library's change log and coherent_track must exist first, see V3). Recorded in the demo's own
-- history table, demo_schema_history, so its versions start at 1 and never meet the library's.
-- (Demos before the split recorded these scripts as V1000..V1002 in coherent_schema_history.)

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
