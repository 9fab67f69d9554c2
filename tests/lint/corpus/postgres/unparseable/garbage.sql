SELECT 1;
SELEC broken stuff FROM;
DELETE FROM ticket WHERE id = 3;
