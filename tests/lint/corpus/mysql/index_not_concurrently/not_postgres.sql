CREATE INDEX ix_new ON ticket_status_log (actor);
