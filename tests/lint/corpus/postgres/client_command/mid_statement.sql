UPDATE ticket
\echo half way
SET title = 'x';
DELETE FROM ticket WHERE id = 1;
