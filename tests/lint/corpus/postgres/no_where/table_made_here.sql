CREATE TABLE scratch (id int);
DELETE FROM scratch;
