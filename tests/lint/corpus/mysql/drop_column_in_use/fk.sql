ALTER TABLE ticket_status_log DROP COLUMN ticket_id;
