CREATE TABLE t2 (id integer);
DROP TABLE t2;
