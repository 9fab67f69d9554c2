-- driftline: ignore no-where backfill of the new column, reviewed
UPDATE ticket SET title = '';
-- driftline: ignore no-where
DELETE FROM ticket;
