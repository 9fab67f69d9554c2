ALTER TABLE ticket DROP COLUMN status_code;
ALTER TABLE ticket DROP COLUMN title;
