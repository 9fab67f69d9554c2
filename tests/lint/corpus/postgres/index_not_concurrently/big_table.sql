CREATE INDEX ix_new ON ticket_status_log (actor);
CREATE INDEX CONCURRENTLY ix_ok ON ticket_status_log (reason);
CREATE INDEX ix_small ON lookup (code);
