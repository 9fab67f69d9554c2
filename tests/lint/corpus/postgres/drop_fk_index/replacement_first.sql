CREATE INDEX CONCURRENTLY ix_ticket_status_log_ticket ON ticket_status_log (ticket_id);
DROP INDEX ix_ticket_status_log_ticket_changed;
