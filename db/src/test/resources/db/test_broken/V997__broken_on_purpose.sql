-- Test only: a migration that fails, to check the error names the database and the migration.
CREATE TABLE broken_on_purpose (id bigint PRIMARY KEY);
SELECT no_such_function_coherent_test();
