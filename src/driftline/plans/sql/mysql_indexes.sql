-- Indexes of the tables in the current database: one row per index column.
SELECT s.TABLE_NAME AS table_name,
       s.INDEX_NAME AS index_name,
       s.NON_UNIQUE = 0 AS is_unique,
       s.INDEX_NAME = 'PRIMARY' AS is_primary,
       s.SEQ_IN_INDEX AS position,
       s.COLUMN_NAME AS column_name
FROM information_schema.STATISTICS s
WHERE s.TABLE_SCHEMA = DATABASE()
ORDER BY s.TABLE_NAME, s.INDEX_NAME, s.SEQ_IN_INDEX
