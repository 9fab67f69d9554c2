CREATE INDEX CONCURRENTLY ix_tmp ON ticket (title);
DROP INDEX ix_tmp;
