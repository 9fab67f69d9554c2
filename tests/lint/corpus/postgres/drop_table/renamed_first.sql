ALTER TABLE ticket_status_log RENAME TO ticket_status_log_old;
DROP TABLE ticket_status_log_old;
