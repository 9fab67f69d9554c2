ALTER TABLE ticket_status_log DROP FOREIGN KEY fk_ticket_status_log_ticket;
ALTER TABLE ticket_status_log DROP INDEX ix_ticket_status_log_ticket_changed;
ALTER TABLE ticket DROP INDEX ix_ticket_status_created;
