-- Every index of every user table. Keys come as attribute numbers, operator classes and
-- collations as OIDs: the inspector names them from the columns, operator_classes and
-- collations queries, so that only expression keys are deparsed here (pg_get_indexdef, once
-- per expression key) and no per-key joins run on the server.
SELECT n.nspname AS schema_name,
       t.relname AS table_name,
       ic.relname AS index_name,
       i.indisunique AS is_unique,
       i.indisprimary AS is_primary,
       i.indisvalid AS is_valid,
       am.amname AS method,
       i.indnkeyatts AS key_count,
       i.indkey::int2[] AS attnums,
       i.indclass::oid[] AS opclasses,
       i.indcollation::oid[] AS collations,
       i.indoption::int2[] AS options,
       CASE WHEN i.indexprs IS NOT NULL THEN
         array(SELECT pg_get_indexdef(i.indexrelid, s.k, true)
               FROM generate_series(1, i.indnatts) AS s(k)
               WHERE i.indkey[s.k - 1] = 0 ORDER BY s.k)
       END AS expressions,
       pg_get_expr(i.indpred, i.indrelid, true) AS predicate
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = ic.relam
WHERE t.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
