DELIMITER //
CREATE PROCEDURE tidy()
BEGIN
  # drop what the old report used; it is rebuilt later
  IF EXISTS (SELECT 1 FROM ticket_status_log LIMIT 1) THEN
    DROP INDEX ix_ticket_status_log_status_changed ON ticket_status_log;
  END IF;
END //
DELIMITER ;
CALL tidy();
DROP PROCEDURE tidy;
