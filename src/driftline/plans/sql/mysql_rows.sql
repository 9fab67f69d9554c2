-- Estimated rows per table of the current database (InnoDB statistics, no table scan), and the
-- index behind its primary key.
SELECT t.TABLE_NAME AS table_name,
       t.TABLE_ROWS AS row_count,
       (SELECT MIN(s.INDEX_NAME)
        FROM information_schema.STATISTICS s
        WHERE s.TABLE_SCHEMA = t.TABLE_SCHEMA
          AND s.TABLE_NAME = t.TABLE_NAME
          AND s.INDEX_NAME = 'PRIMARY') AS primary_index
FROM information_schema.TABLES t
WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE'
ORDER BY t.TABLE_NAME
