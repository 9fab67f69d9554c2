-- Views, materialized views and extensions (with definition or version), and every kind
-- driftline does not model, listed by name so that a change to them is named, not silent.
-- Objects that belong to an extension are the extension's, and are left out.
WITH ext_owned AS (
  SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
), user_ns AS (
  SELECT oid, nspname FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema')
    AND nspname NOT LIKE 'pg_toast%' AND nspname NOT LIKE 'pg_temp%'
)
SELECT 'view' AS kind, schemaname || '.' || viewname AS name, definition AS detail
FROM pg_views WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
UNION ALL
SELECT 'materialized view', schemaname || '.' || matviewname, definition FROM pg_matviews
UNION ALL
SELECT 'extension', extname, extversion FROM pg_extension WHERE extname <> 'plpgsql'
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate'
                      WHEN 'w' THEN 'window function' ELSE 'function' END,
       p.oid::regprocedure::text, NULL
FROM pg_proc p JOIN user_ns n ON n.oid = p.pronamespace
WHERE NOT EXISTS (SELECT 1 FROM ext_owned e
                  WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid)
UNION ALL
SELECT CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range type'
                      WHEN 'm' THEN 'range type' ELSE 'composite type' END,
       n.nspname || '.' || t.typname, NULL
FROM pg_type t JOIN user_ns n ON n.oid = t.typnamespace
LEFT JOIN pg_class c ON c.oid = t.typrelid
WHERE (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND c.relkind = 'c'))
  AND NOT EXISTS (SELECT 1 FROM ext_owned e
                  WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid)
UNION ALL
SELECT 'collation', n.nspname || '.' || co.collname, NULL
FROM pg_collation co JOIN user_ns n ON n.oid = co.collnamespace
WHERE NOT EXISTS (SELECT 1 FROM ext_owned e
                  WHERE e.classid = 'pg_collation'::regclass AND e.objid = co.oid)
UNION ALL
SELECT 'schema', nspname, NULL FROM user_ns
WHERE nspname <> 'public'
  AND NOT EXISTS (SELECT 1 FROM ext_owned e
                  WHERE e.classid = 'pg_namespace'::regclass AND e.objid = user_ns.oid)
UNION ALL
SELECT 'foreign table', n.nspname || '.' || c.relname, NULL
FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace WHERE c.relkind = 'f'
UNION ALL
SELECT 'materialized view index', n.nspname || '.' || ic.relname, NULL
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid JOIN user_ns n ON n.oid = c.relnamespace
WHERE c.relkind = 'm'
UNION ALL
SELECT 'exclusion constraint', n.nspname || '.' || c.relname || '.' || con.conname, NULL
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
JOIN user_ns n ON n.oid = c.relnamespace WHERE con.contype = 'x'
UNION ALL
SELECT 'statistics object', n.nspname || '.' || s.stxname, NULL
FROM pg_statistic_ext s JOIN user_ns n ON n.oid = s.stxnamespace
UNION ALL
SELECT 'trigger', n.nspname || '.' || c.relname || '.' || tg.tgname, NULL
FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN user_ns n ON n.oid = c.relnamespace
WHERE NOT tg.tgisinternal
UNION ALL
SELECT 'event trigger', evtname, NULL FROM pg_event_trigger
UNION ALL
SELECT 'policy', schemaname || '.' || tablename || '.' || policyname, NULL FROM pg_policies
UNION ALL
SELECT 'rule', schemaname || '.' || tablename || '.' || rulename, NULL
FROM pg_rules WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
UNION ALL
SELECT 'publication', pubname, NULL FROM pg_publication
UNION ALL
SELECT 'text search configuration', n.nspname || '.' || cfg.cfgname, NULL
FROM pg_ts_config cfg JOIN user_ns n ON n.oid = cfg.cfgnamespace
UNION ALL
SELECT 'operator', o.oid::regoperator::text, NULL
FROM pg_operator o JOIN user_ns n ON n.oid = o.oprnamespace
WHERE NOT EXISTS (SELECT 1 FROM ext_owned e
                  WHERE e.classid = 'pg_operator'::regclass AND e.objid = o.oid)
UNION ALL
SELECT 'foreign server', srvname, NULL FROM pg_foreign_server
ORDER BY 1, 2
