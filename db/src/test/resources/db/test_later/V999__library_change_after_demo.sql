-- Test only: stands for a library migration released after a database got the demo catalog's
-- V1000..V1002 in coherent_schema_history (as demos did before they had their own history);
-- out-of-order application must still apply it.
CREATE TABLE later_library_change (id bigint PRIMARY KEY);
