PREPARE purge FROM 'DELETE FROM ticket_status_log';
EXECUTE purge;
SET @sql = CONCAT('ALTER TABLE ticket_status_log DROP INDEX ', 'ix_ticket_status_log_status_changed');
PREPARE tidy FROM @sql;
SET @other = (SELECT CONCAT('DROP INDEX ', index_name, ' ON ticket') FROM information_schema.statistics LIMIT 1);
PREPARE guess FROM @other;
EXECUTE guess;
