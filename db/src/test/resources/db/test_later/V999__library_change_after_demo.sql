-- Test only: stands for a library migration (V1..V999) released after a database already ran the
-- demo migrations (V1000+); out-of-order application must still apply it.
CREATE TABLE later_library_change (id bigint PRIMARY KEY);
