-- Table definitions (SQLite keeps CHECK constraints, collations and generated expressions only
-- in the CREATE TABLE text) and the STRICT / WITHOUT ROWID flags.
SELECT m.name AS table_name, m.sql AS table_sql, l.strict AS strict, l.wr AS without_rowid
FROM sqlite_schema AS m
JOIN pragma_table_list AS l ON l.name = m.name AND l.schema = 'main'
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
ORDER BY m.name
