# purge; in batches
DELETE FROM ticket_status_log LIMIT 1000;
