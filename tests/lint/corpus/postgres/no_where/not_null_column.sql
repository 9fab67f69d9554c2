UPDATE ticket SET title = '' WHERE id IS NOT NULL;
UPDATE ticket SET title = '' WHERE title IS NOT NULL;
DELETE FROM ticket WHERE NOT (id IS NULL);
