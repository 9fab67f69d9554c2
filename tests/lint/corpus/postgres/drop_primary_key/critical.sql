ALTER TABLE ticket DROP CONSTRAINT ticket_pkey;
