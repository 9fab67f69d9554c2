-- Every column of every table in one query (table-valued pragma functions); hidden 2 and 3 are
-- generated columns (virtual, stored).
SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type,
       NOT p."notnull" AS nullable, p.dflt_value AS column_default, p.pk AS pk_position,
       p.hidden AS hidden
FROM sqlite_schema AS m
JOIN pragma_table_xinfo(m.name) AS p
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND p.hidden IN (0, 2, 3)
ORDER BY m.name, p.cid
