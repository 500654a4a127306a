-- Demo catalog on Hibernate: products and categories are entities cached by the Coherent region
-- factory, and a category's product listing is cached programmatically (namespace
-- catalog:listing). Applied after V1..V3 by CatalogSchema.migrate.

-- New products get their ids from a sequence (Hibernate's @SequenceGenerator, allocation 1); the
-- seed holds ids 1..10000.
CREATE SEQUENCE products_id_seq START WITH 10001;
ALTER TABLE products ALTER COLUMN id SET DEFAULT nextval('products_id_seq');
ALTER SEQUENCE products_id_seq OWNED BY products.id;

-- One row per category: the version of its product listing. Every insert, update or delete of a
-- product raises the listing version of its category (both categories when it moves), in the
-- same transaction, whoever writes it (the service, psql, a batch job). The table is tracked, so
-- the change log carries (catalog:listing, category id, version) and every instance drops its
-- cached listing within the reconcile bound even when no application was involved.
-- Cost: writers of products of one category serialize on its listing row until they commit.
CREATE TABLE category_listings (
    category_id bigint PRIMARY KEY REFERENCES categories (id) ON DELETE CASCADE,
    version     bigint NOT NULL DEFAULT 1
);

INSERT INTO category_listings (category_id) SELECT id FROM categories;

CREATE FUNCTION catalog_bump_listing(category bigint) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO category_listings (category_id) VALUES (category)
    ON CONFLICT (category_id) DO UPDATE SET version = category_listings.version + 1;
$$;

CREATE FUNCTION catalog_products_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM catalog_bump_listing(OLD.category_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.category_id <> OLD.category_id) THEN
        PERFORM catalog_bump_listing(NEW.category_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER catalog_products_changed AFTER INSERT OR UPDATE OR DELETE ON products
    FOR EACH ROW EXECUTE FUNCTION catalog_products_changed();

-- TRUNCATE fires no row trigger: every listing changes.
CREATE FUNCTION catalog_products_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE category_listings SET version = version + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER catalog_products_truncated AFTER TRUNCATE ON products
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_products_truncated();

SELECT coherent_track('category_listings', 'catalog:listing', 'category_id');

-- The entity tables now feed the namespaces of their Hibernate regions (@Cache(region = ...)):
-- exactly the statements CoherentRegionFactory.trackingStatements(sessionFactory) derives from
-- the metamodel (CatalogSchemaIntegrationTests checks that they match).
SELECT coherent_track('categories', 'hb:catalog.category', 'id', 'version');
SELECT coherent_track('products', 'hb:catalog.product', 'id', 'version');
