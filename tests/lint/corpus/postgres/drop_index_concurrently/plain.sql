DROP INDEX ix_ticket_status_created;
DROP INDEX CONCURRENTLY ix_ticket_status_log_ticket_changed;
CREATE INDEX CONCURRENTLY ix_tmp ON ticket (title);
DROP INDEX ix_tmp;
