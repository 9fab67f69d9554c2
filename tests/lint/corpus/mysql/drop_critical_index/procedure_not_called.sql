DELIMITER $$
CREATE PROCEDURE later()
BEGIN
  ALTER TABLE ticket_status_log DROP INDEX ix_ticket_status_log_status_changed;
END$$
DELIMITER ;
