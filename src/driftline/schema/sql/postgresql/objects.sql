-- Views, sequences, extensions, and the kinds driftline does not model (listed as such).
SELECT 'view' AS kind, schemaname || '.' || viewname AS name, definition AS detail
FROM pg_views WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
UNION ALL
SELECT 'sequence', schemaname || '.' || sequencename, NULL FROM pg_sequences
UNION ALL
SELECT 'extension', extname, NULL FROM pg_extension WHERE extname <> 'plpgsql'
UNION ALL
SELECT 'trigger', n.nspname || '.' || c.relname || '.' || tg.tgname, NULL
FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT tg.tgisinternal
UNION ALL
SELECT 'policy', schemaname || '.' || tablename || '.' || policyname, NULL FROM pg_policies
UNION ALL
SELECT 'rule', schemaname || '.' || tablename || '.' || rulename, NULL
FROM pg_rules WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
UNION ALL
SELECT 'materialized view', schemaname || '.' || matviewname, NULL FROM pg_matviews
ORDER BY 1, 2
