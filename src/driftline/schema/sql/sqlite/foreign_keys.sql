-- Every foreign key of every table in one query, with its referential actions.
SELECT m.name AS table_name, f.id AS fk_id, f.seq AS position, f."table" AS ref_table,
       f."from" AS column_name, f."to" AS ref_column, f.on_delete AS on_delete,
       f.on_update AS on_update
FROM sqlite_schema AS m
JOIN pragma_foreign_key_list(m.name) AS f
WHERE m.type = 'table'
ORDER BY m.name, f.id, f.seq
