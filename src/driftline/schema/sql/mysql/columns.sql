-- Every column of every table of the current database; a collation is reported only where it
-- differs from the table's own.
SELECT c.TABLE_NAME AS table_name, c.COLUMN_NAME AS column_name, c.COLUMN_TYPE AS data_type,
       c.IS_NULLABLE = 'YES' AS nullable, c.COLUMN_DEFAULT AS column_default,
       CASE WHEN c.COLLATION_NAME <> t.TABLE_COLLATION THEN c.COLLATION_NAME END AS collation,
       c.EXTRA AS extra, c.GENERATION_EXPRESSION AS generation_expression
FROM information_schema.COLUMNS c
JOIN information_schema.TABLES t
  ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME AND t.TABLE_TYPE = 'BASE TABLE'
WHERE c.TABLE_SCHEMA = DATABASE()
ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION
