-- Indexes of the tables in the current search path: one row per index column.
SELECT t.relname AS table_name,
       i.relname AS index_name,
       x.indisunique AS is_unique,
       x.indisprimary AS is_primary,
       k.ord AS position,
       COALESCE(a.attname, pg_get_indexdef(x.indexrelid, k.ord::int, true)) AS column_name
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0
WHERE n.nspname = ANY (current_schemas(false))
  AND k.ord <= x.indnkeyatts
ORDER BY t.relname, i.relname, k.ord
