-- cleanup
DELETE FROM ticket_status_log;
DELETE FROM ticket_status_log WHERE changed_at < '2020-01-01';
