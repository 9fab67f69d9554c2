-- Views and triggers (triggers are listed as not compared).
SELECT type AS kind, name, sql AS detail
FROM sqlite_schema
WHERE type IN ('view', 'trigger')
ORDER BY type, name
