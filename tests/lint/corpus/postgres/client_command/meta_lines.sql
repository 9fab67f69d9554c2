\set ON_ERROR_STOP on
\echo cleaning up
DELETE FROM ticket;
SELECT 1 \gset
UPDATE ticket SET title = 'x';
