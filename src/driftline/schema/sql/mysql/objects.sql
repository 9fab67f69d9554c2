-- Views (without this database's name inside their definitions, so a re-created database
-- compares clean), and the kinds driftline does not model: routines, sequences, triggers, events.
SELECT 'view' AS kind, TABLE_NAME AS name,
       REPLACE(VIEW_DEFINITION, CONCAT('`', TABLE_SCHEMA, '`.'), '') AS detail
FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()
UNION ALL
SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME, NULL
FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()
UNION ALL
SELECT 'sequence', TABLE_NAME, NULL
FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'SEQUENCE'
UNION ALL
SELECT 'trigger', TRIGGER_NAME, NULL FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()
UNION ALL
SELECT 'event', EVENT_NAME, NULL FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()
ORDER BY 1, 2
