-- driftline: ignore drop-critical-index rebuilt in the next statement, in a maintenance window
DROP INDEX ix_ticket_status_log_status_changed;
CREATE INDEX CONCURRENTLY ix_ticket_status_log_status_changed ON ticket_status_log (status_code, changed_at);
