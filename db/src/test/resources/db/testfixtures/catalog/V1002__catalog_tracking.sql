-- Test fixture, not shipped: the demo catalog migrations exactly as coherent-db shipped them
-- before the demo got its own module and history table (versions 1000+ in the shared
-- coherent_schema_history). The trigger tests use the catalog as tracked tables; the schema
-- tests use it as a database migrated before the split. The live demo schema is in
-- demo-catalog-service (db/demo-catalog, V1..V3, history table demo_schema_history).
--
-- Demo catalog: opt both tables in to the change log (see coherent_track in the library schema).
-- From here on every insert, update, delete and truncate of these tables is logged, whoever
-- writes it.
SELECT coherent_track('categories', 'catalog:category', 'id');
SELECT coherent_track('products', 'catalog:product', 'id');
