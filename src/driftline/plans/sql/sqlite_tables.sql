-- Tables of the database (rows are counted per table, only for the tables plans touch), and the
-- index behind each primary key (none when the key is the rowid).
SELECT m.name AS table_name,
       (SELECT il.name FROM pragma_index_list(m.name) AS il WHERE il.origin = 'pk')
           AS primary_index
FROM sqlite_schema AS m
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
ORDER BY m.name
