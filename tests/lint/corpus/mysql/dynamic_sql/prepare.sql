PREPARE purge FROM 'DELETE FROM ticket_status_log';
EXECUTE purge;
SET @sql = CONCAT('DROP INDEX ', 'ix_ticket_status_created', ' ON ticket');
PREPARE tidy FROM @sql;
