-- Table definitions (SQLite keeps CHECK constraints only in the CREATE TABLE text).
SELECT name AS table_name, sql AS table_sql
FROM sqlite_schema
WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
ORDER BY name
