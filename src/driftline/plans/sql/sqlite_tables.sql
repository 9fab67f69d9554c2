-- Tables of the database (rows are counted per table, only for the tables plans touch).
SELECT name AS table_name
FROM sqlite_schema
WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
ORDER BY name
