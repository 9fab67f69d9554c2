CREATE PROCEDURE drop_index_if_exists(IN tableName VARCHAR(64), IN indexName VARCHAR(64))
BEGIN
    IF EXISTS(SELECT * FROM information_schema.STATISTICS WHERE TABLE_NAME = tableName AND INDEX_NAME = indexName)
    THEN
        SET @query = CONCAT('ALTER TABLE ', tableName, ' DROP INDEX ', indexName, ';');
        PREPARE stmt FROM @query;
        EXECUTE stmt;
        DEALLOCATE PREPARE stmt;
    END IF;
END;

CALL drop_index_if_exists('ticket', 'ix_ticket_status_created');
CALL drop_index_if_exists('ticket_status_log', 'ix_ticket_status_log_status_changed');
