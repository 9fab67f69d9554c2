-- Every index key of every table of the current database.
SELECT TABLE_NAME AS table_name, INDEX_NAME AS index_name, NON_UNIQUE = 0 AS is_unique,
       SEQ_IN_INDEX AS position, COLUMN_NAME AS column_name, COLLATION = 'D' AS descending,
       SUB_PART AS sub_part, INDEX_TYPE AS method
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
