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
       k.keys,
       k.key_options,
       i.indoption::int2[] AS options,
       pg_get_expr(i.indpred, i.indrelid, true) AS predicate
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = ic.relam
CROSS JOIN LATERAL (
  -- A plain column key is its quoted name (what pg_get_indexdef would print, without the cost
  -- of deparsing the index once per key); only expression keys are deparsed.
  SELECT array_agg(CASE WHEN i.indkey[s.k - 1] <> 0 THEN quote_ident(a.attname)
                        ELSE pg_get_indexdef(i.indexrelid, s.k, true) END
                   ORDER BY s.k) AS keys,
         array_agg(concat_ws(' ',
                     CASE WHEN i.indcollation[s.k - 1] <> 0
                           AND i.indcollation[s.k - 1] <> coalesce(a.attcollation, 0)
                           AND a.attnum IS NOT NULL
                          THEN 'collate ' || quote_ident(coll.collname) END,
                     CASE WHEN NOT opc.opcdefault THEN opc.opcname END)
                   ORDER BY s.k) FILTER (WHERE s.k <= i.indnkeyatts) AS key_options
  FROM generate_series(1, i.indnatts) AS s(k)
  LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[s.k - 1]
  LEFT JOIN pg_opclass opc ON opc.oid = i.indclass[s.k - 1]
  LEFT JOIN pg_collation coll ON coll.oid = i.indcollation[s.k - 1]
) AS k
WHERE t.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY n.nspname, t.relname, ic.relname
