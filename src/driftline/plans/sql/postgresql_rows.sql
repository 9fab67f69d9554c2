-- Estimated rows per table of the current search path (planner statistics, no table scan),
-- and the index behind its primary key.
SELECT c.relname AS table_name,
       CASE WHEN c.reltuples < 0 THEN COALESCE(s.n_live_tup, 0) ELSE c.reltuples END AS row_count,
       (SELECT i.relname
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = c.oid AND x.indisprimary) AS primary_index
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
WHERE c.relkind IN ('r', 'p', 'm')
  AND n.nspname = ANY (current_schemas(false))
ORDER BY c.relname
