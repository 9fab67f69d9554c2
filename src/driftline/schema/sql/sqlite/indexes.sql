-- Every index key of every table in one query; expressions come from the index's SQL.
SELECT m.name AS table_name, il.name AS index_name, il."unique" AS is_unique,
       il.origin AS origin, il.partial AS partial, ix.seqno AS position, ix.name AS column_name,
       ix."desc" AS descending, s.sql AS index_sql
FROM sqlite_schema AS m
JOIN pragma_index_list(m.name) AS il
JOIN pragma_index_xinfo(il.name) AS ix
LEFT JOIN sqlite_schema AS s ON s.type = 'index' AND s.name = il.name
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND ix.key = 1
ORDER BY m.name, il.name, ix.seqno
