UPDATE ticket SET title = 'x'
WHERE 1 = 1;
DELETE FROM ticket WHERE TRUE;
DELETE FROM ticket WHERE id = id;
DELETE FROM ticket WHERE id = 7;
