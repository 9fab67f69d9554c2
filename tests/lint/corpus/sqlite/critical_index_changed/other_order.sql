DROP INDEX ix_ticket_status_log_status_changed;
CREATE INDEX ix_ticket_status_log_status_changed ON ticket_status_log (changed_at, status_code);
