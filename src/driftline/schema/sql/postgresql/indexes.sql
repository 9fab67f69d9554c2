-- Every index of every user table, with each key's definition and order.
SELECT n.nspname AS schema_name,
       t.relname AS table_name,
       ic.relname AS index_name,
       i.indisunique AS is_unique,
       i.indisprimary AS is_primary,
       i.indisvalid AS is_valid,
       am.amname AS method,
       i.indnkeyatts AS key_count,
       array(
         SELECT pg_get_indexdef(i.indexrelid, k, true)
         FROM generate_series(1, i.indnatts) AS k
         ORDER BY k
       ) AS keys,
       i.indoption::int2[] AS options,
       pg_get_expr(i.indpred, i.indrelid, true) AS predicate
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = ic.relam
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY n.nspname, t.relname, ic.relname
