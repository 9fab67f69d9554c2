CREATE INDEX ix_tmp ON ticket_status_log (status_code, changed_at);
DROP INDEX IX_TICKET_STATUS_LOG_STATUS_CHANGED;
