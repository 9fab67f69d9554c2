-- Estimated rows per table of the current database (InnoDB statistics, no table scan).
SELECT t.TABLE_NAME AS table_name, t.TABLE_ROWS AS row_count
FROM information_schema.TABLES t
WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE'
ORDER BY t.TABLE_NAME
