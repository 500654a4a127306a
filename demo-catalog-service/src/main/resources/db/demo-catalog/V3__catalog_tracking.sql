-- Demo catalog: opt both tables in to the change log (see coherent_track in the library schema).
-- From here on every insert, update, delete and truncate of these tables is logged, whoever
-- writes it.
SELECT coherent_track('categories', 'catalog:category', 'id');
SELECT coherent_track('products', 'catalog:product', 'id');
