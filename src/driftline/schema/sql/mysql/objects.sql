-- Views, and triggers and events (listed as not compared).
SELECT 'view' AS kind, TABLE_NAME AS name, VIEW_DEFINITION AS detail
FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()
UNION ALL
SELECT 'trigger', TRIGGER_NAME, NULL FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()
UNION ALL
SELECT 'event', EVENT_NAME, NULL FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()
ORDER BY 1, 2
