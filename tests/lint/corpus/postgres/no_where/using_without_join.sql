DELETE FROM ticket USING ticket_status_log l WHERE l.status_code = 'GONE';
DELETE FROM ticket t USING ticket_status_log l WHERE l.ticket_id = t.id AND l.status_code = 'GONE';
UPDATE ticket SET title = l.status_code FROM ticket_status_log l WHERE l.id = 1;
