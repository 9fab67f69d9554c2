-- Every index of every user table, with each key's definition, order, operator class and
-- collation (the last two only where they differ from the key's defaults).
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
       array(
         SELECT concat_ws(' ',
                  CASE WHEN i.indcollation[k - 1] <> 0
                        AND i.indcollation[k - 1] <> coalesce(a.attcollation, 0)
                        AND a.attnum IS NOT NULL
                       THEN 'collate ' || quote_ident(coll.collname) END,
                  CASE WHEN NOT opc.opcdefault THEN opc.opcname END)
         FROM generate_series(1, i.indnkeyatts) AS k
         JOIN pg_opclass opc ON opc.oid = i.indclass[k - 1]
         LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1]
         LEFT JOIN pg_collation coll ON coll.oid = i.indcollation[k - 1]
         ORDER BY k
       ) AS key_options,
       i.indoption::int2[] AS options,
       pg_get_expr(i.indpred, i.indrelid, true) AS predicate
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = ic.relam
WHERE t.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY n.nspname, t.relname, ic.relname
