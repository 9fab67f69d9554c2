ALTER TABLE ticket RENAME CONSTRAINT ticket_pkey TO ticket_id_pkey;
ALTER TABLE ticket ENABLE TRIGGER audit, DROP COLUMN title;
