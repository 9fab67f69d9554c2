-- Indexes of every table (automatic ones included): one row per index column.
SELECT m.name AS table_name,
       il.name AS index_name,
       il."unique" AS is_unique,
       il.origin = 'pk' AS is_primary,
       ii.seqno AS position,
       COALESCE(ii.name, '<expression>') AS column_name
FROM sqlite_schema AS m
JOIN pragma_index_list(m.name) AS il
JOIN pragma_index_info(il.name) AS ii
WHERE m.type = 'table'
ORDER BY m.name, il.name, ii.seqno
