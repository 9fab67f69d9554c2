DELETE FROM ticket WHERE 1;
WITH old AS (SELECT id FROM ticket) DELETE FROM ticket_status_log;
UPDATE ticket SET title = NULL WHERE id IS NOT NULL OR title = 1;
