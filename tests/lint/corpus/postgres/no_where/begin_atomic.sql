CREATE PROCEDURE purge_closed()
LANGUAGE SQL
BEGIN ATOMIC
  DELETE FROM ticket_status_log;
  UPDATE ticket SET title = CASE WHEN id > 0 THEN 'x' ELSE 'y' END WHERE id = 1;
END;
CALL purge_closed();
DELETE FROM ticket WHERE id = 2;
