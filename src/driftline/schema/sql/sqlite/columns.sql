-- Every column of every table in one query (table-valued pragma functions).
SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type,
       NOT p."notnull" AS nullable, p.dflt_value AS column_default, p.pk AS pk_position
FROM sqlite_schema AS m
JOIN pragma_table_xinfo(m.name) AS p
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND p.hidden = 0
ORDER BY m.name, p.cid
