-- Estimated rows per table of the current search path (planner statistics, no table scan).
SELECT c.relname AS table_name,
       CASE WHEN c.reltuples < 0 THEN COALESCE(s.n_live_tup, 0) ELSE c.reltuples END AS row_count
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
WHERE c.relkind IN ('r', 'p', 'm')
  AND n.nspname = ANY (current_schemas(false))
ORDER BY c.relname
